"""Summaries of CUAD contracts: page coverage and key-fact recall, beside a "lead" baseline.

The CUAD PDFs of ../shared/data/cuad (``EVAL_LIMIT=N``: the first N by id) are imported
into a throwaway encrypted matter and summarised (style brief) with the default model on
this machine's default plan, as the Summarise panel would. Two questions:

- Did the summary read the whole contract? Page coverage: pages inside some map window
  over pages in the document (target 100 %).
- Does it tell a lawyer what they read a summary for? Key-fact recall: the labelled
  parties, governing law and agreement / effective / expiration dates, each looked for
  in the summary text under a normalised match (tests/eval/facts.py).

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
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.candidates import DocumentText, Page
from app.tasks.summarise.facts import facts_header
from app.tasks.summarise.pipeline import summarise
from app.vault import Vault, create_vault, unlock
from tests.eval import eval_limit, temporary_home
from tests.eval.facts import KINDS, Fact, contract_facts, fact_named, lead, stated_facts
from tests.group_runner import RESULTS
from tests.shared_data import CUAD

STYLE = "brief"
#: Model summaries take minutes per contract on a laptop CPU: the first 8 by default
#: (EVAL_LIMIT or EVAL_SUMMARY_CONTRACTS overrides; EVAL_SUMMARY_CONTRACTS=0 scores the
#: facts header alone); the facts header is scored on every contract.
DEFAULT_CONTRACTS = 8
COUNT_ENV = "EVAL_SUMMARY_CONTRACTS"


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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pages": self.pages,
            "covered": self.covered,
            "seconds": round(self.seconds, 1),
            "summary": self.summary,
            "labelled_facts": self.labelled,
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


def summarise_one(row: dict[str, str], document_id: str, engine: Engine, vault: Vault) -> Scored:
    start = time.perf_counter()
    summary = summarise(document_id, engine, vault, style=STYLE)
    seconds = time.perf_counter() - start
    pages = [p.text for p in sorted(vault.pages(document_id), key=lambda p: p.page)]
    facts = stated_facts(row, "\n".join(pages))
    named, lead_named = score(facts, summary.text, pages)
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
    out: list[dict[str, Any]] = [
        {"name": "contracts summarised", "value": len(results), "unit": f"contracts, {pages} pages"},
        {"name": "page coverage", "value": coverage, "unit": f"of {pages} pages", "target": "== 1.0", "ok": coverage == 1.0},
        {"name": "key facts stated in the contracts", "value": sum(len(r.facts) for r in results), "unit": f"of {sum(r.labelled for r in results)} labelled"},
        {"name": "contracts fully covered", "value": sum(r.covered == r.pages for r in results), "unit": f"of {len(results)}"},
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
    out += [
        {"name": "summary length (= lead length)", "value": length, "unit": "chars"},
        {"name": "time per contract", "value": seconds / max(1, len(results)), "unit": "s"},
        {"name": "time per page", "value": seconds / max(1, pages), "unit": "s"},
    ]
    return out


def header_recall(
    rows: list[dict[str, str]], ids: dict[str, str], vault: Vault
) -> list[dict[str, Any]]:
    """Key-fact recall of the facts header alone (rule-built, no model) on every contract,
    overall and per kind of fact, beside the lead baseline of the header's own length."""
    named: dict[str | None, list[int]] = {kind: [0, 0, 0] for kind in (*KINDS, None)}
    for row in rows:
        pages = sorted(vault.pages(ids[row["id"]]), key=lambda p: p.page)
        doc = DocumentText([Page(p.page, p.text) for p in pages])
        header = "\n".join(p.text for p in facts_header(doc))
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
    return out


def run() -> list[dict[str, Any]]:
    every = load_rows(None)
    count = eval_limit() or int(os.environ.get(COUNT_ENV, "").strip() or DEFAULT_CONTRACTS)
    rows = every[:count]
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
            header = header_recall(every, ids, vault)
            for i, row in enumerate(rows, 1):
                scored = summarise_one(row, ids[row["id"]], engine, vault)
                results.append(scored)
                print(
                    f"  {i}/{len(rows)} {row['id']}: {scored.covered}/{scored.pages} pages, "
                    f"{sum(scored.named)}/{len(scored.facts)} facts "
                    f"(lead {sum(scored.lead_named)}), {scored.seconds:.0f}s",
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
