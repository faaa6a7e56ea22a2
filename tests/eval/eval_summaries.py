"""Summaries of CUAD contracts: clause-category recall, key-fact recall beside a "lead"
baseline, grounded points, boilerplate share, coverage and speed.

The CUAD PDFs of ../shared/data/cuad are imported into a throwaway encrypted matter.

No model (every contract, 80): the facts header and the key terms, as the summary
builds them (rules only):

- Clause-category recall (tests/eval/clauses.py): of the CUAD categories a contract
  has (gold clause text in labels.csv), the share some summary line quotes (a quote
  overlapping the gold clause); also the stricter share quoted by that category's own
  line. Target >= 0.8.
- Key-fact recall of the header (parties, governing law, dates) beside the lead.
- Seconds for header + key terms per contract (target: under 2 s for any contract).

With the model (``EVAL_SUMMARY_CONTRACTS=N``, default 2; ``EVAL_LIMIT`` overrides; 0
skips it): the whole summary (style brief, default model, this machine's plan):

- Did it read the whole contract? Page coverage (target 100 %).
- Grounded points: every model point's quote is verbatim on its page (100 %), every
  date and number in the point's text is in the sentences it cites (100 %).
- Boilerplate share of model points, by the rule judge (boilerplate.judge_point; <= 10 %).
- Key-fact recall of the summary text, seconds per contract and per page.

The baseline, scored by the same matcher in the same run: the document's first N
characters, N being the summary's own length (the "lead": what a skim of the first page
gives, and the preamble holds the parties and often the date). A summary that does not
beat it on recall adds reading time and no facts.

Every contract (summary, facts, verdicts) goes to
bench-results/eval-summaries-detail-<stamp>.json.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.fieldsets import FieldSet
from app.tasks.legal_values import date_spans, find_dates
from app.tasks.quotes import find_quote
from app.tasks.summarise.boilerplate import judge, judge_point
from app.tasks.summarise.facts import facts_header
from app.tasks.summarise.key_terms import key_terms, summary_fieldset
from app.tasks.summarise.pipeline import Point, summarise
from app.vault import Vault, create_vault, unlock
from tests.eval import eval_limit, temporary_home
from tests.eval.clauses import (
    ClauseScore,
    categories,
    field_labels,
    gold_clauses,
    overlaps,
    score_contract,
)
from tests.eval.facts import KINDS, Fact, contract_facts, fact_named, lead, stated_facts
from tests.group_runner import RESULTS
from tests.shared_data import CUAD

STYLE = "brief"
#: Model summaries: the first 2 contracts by default (EVAL_LIMIT or
#: EVAL_SUMMARY_CONTRACTS overrides; EVAL_SUMMARY_CONTRACTS=0 scores the rules alone);
#: the header and key terms are scored on every contract.
DEFAULT_CONTRACTS = 2
COUNT_ENV = "EVAL_SUMMARY_CONTRACTS"
#: A field set other than the summary's default (key_terms.FIELDSETS), by name.
FIELDSET_ENV = "EVAL_SUMMARY_FIELDSET"


@dataclass
class Scored:
    """One contract's summary, scored; ``named``/``lead_named`` are parallel to ``facts``."""

    id: str
    pages: int
    covered: int
    seconds: float
    summary: str
    #: Facts labelled in labels.csv; ``facts`` keeps those the contract's text states.
    labelled: int
    facts: list[Fact] = field(default_factory=list)
    named: list[bool] = field(default_factory=list)
    lead_named: list[bool] = field(default_factory=list)
    #: The model's points: written, confirmed, shown (kind point or quoted) and checks.
    written: int = 0
    confirmed: int = 0
    points: int = 0
    verbatim: int = 0
    facts_in_quote: int = 0
    boilerplate: list[str] = field(default_factory=list)
    rules_seconds: float = 0.0
    load: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pages": self.pages,
            "covered": self.covered,
            "seconds": round(self.seconds, 1),
            "rules_seconds": round(self.rules_seconds, 3),
            "load": self.load,
            "summary": self.summary,
            "labelled_facts": self.labelled,
            "written": self.written,
            "confirmed": self.confirmed,
            "points": self.points,
            "verbatim": self.verbatim,
            "facts_in_quote": self.facts_in_quote,
            "boilerplate": self.boilerplate,
            "facts": [
                {"kind": f.kind, "label": f.label, "summary": n, "lead": ln}
                for f, n, ln in zip(self.facts, self.named, self.lead_named, strict=True)
            ],
        }


def load_rows(limit: int | None) -> list[dict[str, str]]:
    with (CUAD / "labels.csv").open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["id"])
    return rows[:limit]


def score(facts: list[Fact], summary: str, pages: list[str]) -> tuple[list[bool], list[bool]]:
    """Which ``facts`` the summary names, and which its lead baseline names."""
    baseline = lead(pages, len(summary))
    return [fact_named(f, summary) for f in facts], [fact_named(f, baseline) for f in facts]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_in(text: str, sources: list[str]) -> bool:
    """Every date and digit string of ``text`` is in ``sources``: dates as dates, other
    numbers as written (an independent check beside the pipeline's grounding rule)."""
    joined = " ".join(sources)
    dates = find_dates(joined)
    rest = unicodedata.normalize("NFKC", text)
    for start, end, date in reversed(date_spans(rest)):
        if date not in dates:
            return False
        rest = rest[:start] + " " + rest[end:]
    digits = set(_NUMBER.findall(joined))
    return all(n in digits for n in _NUMBER.findall(rest))


def cited_texts(point: Point, page_text: dict[int, str]) -> list[str]:
    """The texts a summary line quotes: its cited spans, else its quote."""
    if point.cited:
        return [page_text.get(c.page, "")[c.start : c.end] for c in point.cited]
    return [point.quote] if point.quote else []


def summarise_one(row: dict[str, str], document_id: str, engine: Engine, vault: Vault) -> Scored:
    load = f"{os.getloadavg()[0]:.1f}"
    start = time.perf_counter()
    summary = summarise(document_id, engine, vault, style=STYLE)
    seconds = time.perf_counter() - start
    page_text = {p.page: p.text for p in vault.pages(document_id)}
    pages = [page_text[n] for n in sorted(page_text)]
    facts = stated_facts(row, "\n".join(pages))
    named, lead_named = score(facts, summary.text, pages)
    shown = [p for p in summary.narrative if p.kind in ("point", "quoted")]
    verbatim = sum(
        bool(p.quote) and find_quote(p.quote or "", page_text.get(p.cited[0].page, "")) is not None
        for p in shown
        if p.cited
    )
    in_quote = sum(numbers_in(p.text, cited_texts(p, page_text)) for p in shown)
    judged = [judge_point(p.text, cited_texts(p, page_text)) for p in shown if p.kind == "point"]
    return Scored(
        row["id"],
        summary.total_pages,
        len(set(summary.covered_pages)),
        seconds,
        summary.text,
        len(contract_facts(row)),
        facts,
        named,
        lead_named,
        summary.written,
        summary.confirmed,
        len(shown),
        verbatim,
        in_quote,
        [j or "" for j in judged],
        summary.stats.rules_seconds,
        load,
    )


def _recall(results: list[Scored], kind: str | None, baseline: bool) -> tuple[float | None, int]:
    flags = [
        n
        for r in results
        for f, n in zip(r.facts, r.lead_named if baseline else r.named, strict=True)
        if kind is None or f.kind == kind
    ]
    return (sum(flags) / len(flags) if flags else None), len(flags)


def figures(results: list[Scored]) -> list[dict[str, Any]]:
    pages = sum(r.pages for r in results)
    covered = sum(r.covered for r in results)
    seconds = sum(r.seconds for r in results)
    coverage = covered / pages if pages else None
    shown = sum(r.points for r in results)
    written = sum(r.written for r in results)
    judged = [j for r in results for j in r.boilerplate]
    verbatim = sum(r.verbatim for r in results) / shown if shown else None
    in_quote = sum(r.facts_in_quote for r in results) / shown if shown else None
    share = sum(bool(j) for j in judged) / len(judged) if judged else None
    out: list[dict[str, Any]] = [
        {"name": "contracts summarised", "value": len(results), "unit": f"contracts, {pages} pages"},
        {"name": "page coverage", "value": coverage, "unit": f"of {pages} pages", "target": "== 1.0", "ok": coverage == 1.0},
        {"name": "key facts stated in the contracts", "value": sum(len(r.facts) for r in results), "unit": f"of {sum(r.labelled for r in results)} labelled"},
        {"name": "contracts fully covered", "value": sum(r.covered == r.pages for r in results), "unit": f"of {len(results)}"},
        {"name": "model points confirmed", "value": sum(r.confirmed for r in results) / written if written else None, "unit": f"of {written} written"},
        {"name": "shown points: quote verbatim on its page", "value": verbatim, "unit": f"of {shown}", "target": "== 1.0", "ok": verbatim in (None, 1.0)},
        {"name": "shown points: dates/numbers in quote", "value": in_quote, "unit": f"of {shown}", "target": "== 1.0", "ok": in_quote in (None, 1.0)},
        {"name": "boilerplate share of model points", "value": share, "unit": f"of {len(judged)} ({', '.join(j for j in judged if j) or 'none'})", "target": "<= 0.10", "ok": share is None or share <= 0.10},
    ]  # fmt: skip
    for kind in (*KINDS, None):
        label = kind or "all key facts"
        model, n = _recall(results, kind, baseline=False)
        base, _ = _recall(results, kind, baseline=True)
        out += [
            {"name": f"recall {label}: summary", "value": model, "unit": f"of {n}"},
            {"name": f"recall {label}: lead baseline", "value": base, "unit": f"of {n}"},
        ]
    length = sum(len(r.summary) for r in results) / max(1, len(results))
    worst = max(results, key=lambda r: r.seconds)
    out += [
        {"name": "summary length (= lead length)", "value": length, "unit": "chars"},
        {"name": "time per contract", "value": seconds / max(1, len(results)), "unit": "s"},
        {"name": "time per page", "value": seconds / max(1, pages), "unit": "s"},
        {"name": "slowest contract", "value": worst.seconds,
         "unit": f"s ({worst.id}, {worst.pages} pages, load {worst.load})",
         "target": "<= 90 s for 16 pages", "ok": worst.seconds <= 90 * max(1.0, worst.pages / 16)},
    ]  # fmt: skip
    return out


def header_recall(
    rows: list[dict[str, str]], ids: dict[str, str], vault: Vault, fieldset: FieldSet
) -> list[dict[str, Any]]:
    """On every contract, rules only: key-fact recall of the facts header beside the lead
    of the header's length, clause-category recall of header + key terms, and seconds."""
    named: dict[str | None, list[int]] = {kind: [0, 0, 0] for kind in (*KINDS, None)}
    clauses = ClauseScore({})
    labels = field_labels(fieldset)
    times: list[tuple[float, str, int, float]] = []
    # The sentence filter: sentences dropped as boilerplate, and of the sentences that
    # hold a gold clause (any category but the document's name), how many it drops.
    judged = [0, 0, 0, 0]  # sentences, dropped, gold sentences, gold dropped
    for row in rows:
        pages = sorted(vault.pages(ids[row["id"]]), key=lambda p: p.page)
        start, cpu = time.perf_counter(), time.process_time()
        doc = DocumentText([Page(p.page, p.text) for p in pages])
        extractors = Extractors(doc)
        points = facts_header(doc, extractors)
        header = "\n".join(p.text for p in points)
        terms, _ = key_terms(extractors, fieldset)
        times.append(
            (time.perf_counter() - start, row["id"], len(pages), time.process_time() - cpu)
        )
        page_text = {p.page: p.text for p in pages}
        lines = [(p, cited_texts(p, page_text)) for p in [*points, *terms]]
        score_contract(row, lines, labels, clauses)
        gold = [g for c in categories(row) if c != "Document Name" for g in gold_clauses(row, c)]
        for sentence in doc.sentences:
            dropped = judge(sentence.text) is not None
            judged[0] += 1
            judged[1] += dropped
            if any(overlaps(sentence.text, g) for g in gold):
                judged[2] += 1
                judged[3] += dropped
        baseline = lead([p.text for p in pages], len(header))
        for fact in stated_facts(row, "\n".join(p.text for p in pages)):
            for kind in (fact.kind, None):
                named[kind][0] += fact_named(fact, header)
                named[kind][1] += fact_named(fact, baseline)
                named[kind][2] += 1
    out = []
    for kind, (hits, lead_hits, total) in named.items():
        label = kind or "all key facts"
        out += [
            {"name": f"recall {label}: facts header alone, every contract",
             "value": hits / total if total else None, "unit": f"of {total} ({len(rows)} contracts)"},
            {"name": f"recall {label}: lead baseline of the header's length, every contract",
             "value": lead_hits / total if total else None, "unit": f"of {total}"},
        ]  # fmt: skip
    any_line, own_line = clauses.recall(), clauses.recall(own=True)
    slowest = max(times)
    busiest = max(times, key=lambda t: t[3])
    times.sort()
    out += [
        {"name": "clause-category recall: header + key terms", "value": any_line,
         "unit": f"of {clauses.total} categories in {len(rows)} contracts (field set {fieldset.name})",
         "target": ">= 0.8", "ok": any_line is not None and any_line >= 0.8},
        {"name": "clause-category recall: by the category's own line", "value": own_line,
         "unit": f"of {clauses.total}"},
        {"name": "header + key terms: median seconds", "value": times[len(times) // 2][0], "unit": "s"},
        {"name": "header + key terms: slowest", "value": slowest[0],
         "unit": f"s wall ({slowest[1]}, {slowest[2]} pages, load {os.getloadavg()[0]:.1f})"},
        {"name": "header + key terms: most CPU", "value": busiest[3],
         "unit": f"s CPU ({busiest[1]}, {busiest[2]} pages)", "target": "< 2", "ok": busiest[3] < 2},
    ]  # fmt: skip
    out += [
        {"name": "filter: sentences dropped as boilerplate", "value": judged[1] / max(1, judged[0]),
         "unit": f"of {judged[0]} sentences"},
        {"name": "filter: gold-clause sentences dropped", "value": judged[3] / max(1, judged[2]),
         "unit": f"of {judged[2]} sentences holding a labelled clause"},
    ]  # fmt: skip
    for category, (hit, own, total) in sorted(clauses.counts.items(), key=lambda c: -c[1][2]):
        out.append({"name": f"  category {category}", "value": hit / total,
                    "unit": f"of {total} (own line {own})"})  # fmt: skip
    return out


def run() -> list[dict[str, Any]]:
    every = load_rows(None)
    count = eval_limit()
    if count is None:
        count = int(os.environ.get(COUNT_ENV, "").strip() or DEFAULT_CONTRACTS)
    rows = every[:count]
    fieldset = summary_fieldset(os.environ.get(FIELDSET_ENV, "").strip() or None)
    model, settings = resolve_model(None), load_settings()  # the user's, before the temp home
    results: list[Scored] = []
    with temporary_home():
        engine = Engine()
        info, recovery = create_vault("eval-summaries", passphrase="eval passphrase", use_keyring=False)  # fmt: skip
        vault = unlock(info, recovery_key=recovery)
        try:
            if rows:
                engine.load(model, settings=settings, hardware=detect())
            imported = import_paths(vault, [CUAD / "pdf" / f"{row['id']}.pdf" for row in every])
            ids = {d.title: d.id for d in vault.list_documents()}
            if imported.refused:  # a refused contract would silently shrink the sample
                raise RuntimeError(f"CUAD PDFs refused on import: {imported.refused}")
            header = header_recall(every, ids, vault, fieldset)
            for i, row in enumerate(rows, 1):
                scored = summarise_one(row, ids[row["id"]], engine, vault)
                results.append(scored)
                print(
                    f"  {i}/{len(rows)} {row['id']}: {scored.covered}/{scored.pages} pages, "
                    f"{sum(scored.named)}/{len(scored.facts)} facts "
                    f"(lead {sum(scored.lead_named)}), {scored.confirmed}/{scored.written} "
                    f"points confirmed, {scored.seconds:.0f}s (load {scored.load})",
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            vault.lock()
            engine.close()
    RESULTS.mkdir(exist_ok=True)
    detail = RESULTS / f"eval-summaries-detail-{time.strftime('%Y%m%d-%H%M%S')}.json"
    detail.write_text(json.dumps([r.to_json() for r in results], indent=2))
    return (figures(results) if results else []) + header
