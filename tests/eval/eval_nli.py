"""ContractNLI: the clause check (app/tasks/clauses.py) against 61 NDAs x 17 hypotheses.

Each NDA of ../shared/data/contractnli/dev.json (``EVAL_LIMIT=N``: the first N) is
imported as a .txt file into a throwaway encrypted matter; each of the 17 hypotheses
goes through ``check_clause`` with the default model on this machine's default plan,
exactly as a lawyer's checklist review would. The answer is scored against the gold
label, and its quote against the gold evidence spans.

In the same run, on the same retrieval, two baselines without a model
(tests/eval/nli_scoring.py): keyword coverage alone (NotMentioned below Ask's relevance
threshold, else Entailment), and the same with a negation cue for Contradiction; and
the majority class of the pairs evaluated. Accuracy alone flatters a majority guess
(half the pairs are Entailment), so macro-F1 and per-class recall are reported too.

Every pair (gold, answers, quote, verdicts) goes to
bench-results/eval-pairs-nli-<stamp>.json for reading the misses.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.clauses import LABELS, check_clause, clause_passages, clause_query
from app.tasks.retrieve import MIN_COVERAGE as ASK_RELEVANCE
from app.vault import Vault, create_vault, unlock
from tests.eval import eval_limit, temporary_home
from tests.eval.nli_scoring import (
    Nda,
    Pair,
    accuracy,
    baseline_label,
    load_ndas,
    locate,
    macro_f1,
    majority,
    overlaps,
    recall_by_class,
)
from tests.group_runner import RESULTS
from tests.shared_data import SHARED_DATA

DEV = SHARED_DATA / "contractnli" / "dev.json"


@dataclass(frozen=True)
class Outcome:
    document: str
    key: str
    gold: str
    label: str
    keyword: str
    keyword_negation: str
    quote: str
    verified: bool
    #: The quote overlaps a gold evidence span (None: no quote).
    on_evidence: bool | None
    #: A passage the model read overlaps a gold evidence span (None: no gold evidence).
    evidence_read: bool | None
    model_called: bool
    seconds: float


def _import(vault: Vault, ndas: list[Nda], folder: Path) -> dict[str, str]:
    """Each NDA as ``nda-<id>.txt``; returns dev.json id -> vault document id."""
    files = []
    for nda in ndas:
        path = folder / f"nda-{nda.id}.txt"
        path.write_text(nda.text, encoding="utf-8")
        files.append(path)
    import_paths(vault, files)
    by_title = {d.title: d.id for d in vault.list_documents()}
    return {nda.id: by_title[f"nda-{nda.id}"] for nda in ndas}


def evaluate_pair(pair: Pair, text: str, document_id: str, engine: Engine, vault: Vault) -> Outcome:
    """The model's answer and both baselines for one pair, with evidence verdicts."""
    query = clause_query(pair.hypothesis, document_id, vault)
    candidates = clause_passages(
        pair.hypothesis,
        document_id,
        vault,
        count_tokens=engine.count_tokens,
        min_coverage=0.0,
        query=query,
    )
    keyword = baseline_label(pair.hypothesis, candidates, query, ASK_RELEVANCE)
    negation = baseline_label(pair.hypothesis, candidates, query, ASK_RELEVANCE, negation=True)
    finding = check_clause(pair.hypothesis, document_id, engine, vault)
    quoted = locate(finding.quote, text) if finding.cited else None
    read = [locate(p.text, text) for p in finding.passages]
    return Outcome(
        pair.document,
        pair.key,
        pair.gold,
        finding.label,
        keyword,
        negation,
        finding.quote,
        finding.verified,
        overlaps(quoted, pair.evidence) if finding.cited else None,
        any(overlaps(span, pair.evidence) for span in read) if pair.evidence else None,
        finding.model_called,
        finding.seconds,
    )


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def figures(outcomes: list[Outcome], ndas: int, seconds: float) -> list[dict[str, Any]]:
    golds = [o.gold for o in outcomes]
    n = len(golds)
    answers = {
        "model": [o.label for o in outcomes],
        "keyword baseline": [o.keyword for o in outcomes],
        "keyword+negation baseline": [o.keyword_negation for o in outcomes],
    }
    top, top_accuracy = majority(golds)
    out: list[dict[str, Any]] = [
        {"name": "pairs (NDAs x hypotheses)", "value": n, "unit": f"pairs, {ndas} NDAs"},
    ]
    for name, predicted in answers.items():
        out.append({"name": f"{name} accuracy", "value": accuracy(golds, predicted), "unit": f"of {n}"})  # fmt: skip
    out.append({"name": f"majority class ({top}) accuracy", "value": top_accuracy, "unit": f"of {n}"})  # fmt: skip
    for name, predicted in answers.items():
        out.append({"name": f"{name} macro-F1", "value": macro_f1(golds, predicted), "unit": "F1"})
    out.append({"name": "majority class macro-F1", "value": macro_f1(golds, [top] * n), "unit": "F1"})  # fmt: skip
    for name, predicted in answers.items():
        recalls = recall_by_class(golds, predicted)
        for label in LABELS:
            count = golds.count(label)
            out.append({"name": f"{name} recall {label}", "value": recalls[label], "unit": f"of {count}"})  # fmt: skip
    # Both answer NotMentioned below the gate; what the model adds shows on the rest.
    read = [o for o in outcomes if o.model_called]
    read_golds = [o.gold for o in read]
    out += [
        {"name": "on pairs the model read: model accuracy", "value": accuracy(read_golds, [o.label for o in read]) if read else None, "unit": f"of {len(read)}"},
        {"name": "on pairs the model read: keyword accuracy", "value": accuracy(read_golds, [o.keyword for o in read]) if read else None, "unit": f"of {len(read)}"},
    ]  # fmt: skip
    cited = [o for o in outcomes if o.on_evidence is not None]
    with_evidence = [o for o in outcomes if o.evidence_read is not None]
    out += [
        {"name": "model called (passed the relevance gate)", "value": _share([o.model_called for o in outcomes]), "unit": f"of {n}"},
        {"name": "Entailment/Contradiction quotes verified", "value": _share([o.verified for o in cited]), "unit": f"of {len(cited)}"},
        {"name": "Entailment/Contradiction quotes on gold evidence", "value": _share([bool(o.on_evidence) for o in cited]), "unit": f"of {len(cited)}"},
        {"name": "gold evidence among passages read", "value": _share([bool(o.evidence_read) for o in with_evidence]), "unit": f"of {len(with_evidence)}"},
        {"name": "time per NDA (17 checks)", "value": seconds / max(1, ndas), "unit": "s"},
        {"name": "time per check", "value": seconds / max(1, n), "unit": "s"},
    ]  # fmt: skip
    return out


def run() -> list[dict[str, Any]]:
    ndas = load_ndas(DEV, eval_limit())
    model, settings = resolve_model(None), load_settings()  # the user's, before the temp home
    outcomes: list[Outcome] = []
    with temporary_home(), tempfile.TemporaryDirectory(prefix="chambers-nli-") as folder:
        engine = Engine()
        info, recovery = create_vault(
            "eval-contractnli", passphrase="eval passphrase", use_keyring=False
        )
        vault = unlock(info, recovery_key=recovery)
        try:
            engine.load(model, settings=settings, hardware=detect())
            ids = _import(vault, ndas, Path(folder))
            start = time.perf_counter()
            for i, nda in enumerate(ndas, 1):
                mark = time.perf_counter()
                done = []
                for pair in nda.pairs:
                    done.append(evaluate_pair(pair, nda.text, ids[nda.id], engine, vault))
                    print(f"    {pair.key}: {pair.gold} -> {done[-1].label}", file=sys.stderr)
                outcomes += done
                right = sum(o.label == o.gold for o in done)
                print(
                    f"  NDA {i}/{len(ndas)} ({nda.file_name}): {right}/{len(done)} right, "
                    f"{time.perf_counter() - mark:.0f}s",
                    file=sys.stderr,
                    flush=True,
                )
            seconds = time.perf_counter() - start
        finally:
            vault.lock()
            engine.close()
    RESULTS.mkdir(exist_ok=True)
    pairs = RESULTS / f"eval-pairs-nli-{time.strftime('%Y%m%d-%H%M%S')}.json"
    pairs.write_text(json.dumps([asdict(o) for o in outcomes], indent=2))
    return figures(outcomes, len(ndas), seconds)
