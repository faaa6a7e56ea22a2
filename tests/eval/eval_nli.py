"""ContractNLI: the NDA review (app/tasks/review, playbook "nda") on all 61 dev NDAs.

Each NDA of ../shared/data/contractnli/dev.json (``EVAL_LIMIT=N``: the first N) is
imported as a .txt file into a throwaway encrypted matter and reviewed against the 17
statements with the default model on this machine's default plan, exactly as
`chambers evaluate --playbook nda --contractnli dev.json` does (it is the same code,
app/evaluation/playbook.py). Printed in the same run: the review, the keyword
baseline (Entailment when a sentence holds half the statement's weighed words) and
the commonest answer per statement; accuracy, macro-F1, per-class recall, quotes
verified on their page and on the gold evidence, seconds per statement.

NB the combiner's weights were fitted on this same dev set (tools/fit_review.py): the
held-out 2-fold figures written beside the weights in resources/review/ are the honest
ones; the figures here show the pipeline end to end.

Every pair goes to bench-results/eval-pairs-nli-<stamp>.json for reading the misses.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.evaluation.playbook import Outcome, PlaybookEvaluation, evaluate_playbook, score_block
from app.models.store import resolve_model
from app.tasks.review import LABELS
from tests.eval import eval_limit, temporary_home
from tests.eval.nli_scoring import recall_by_class
from tests.group_runner import RESULTS
from tests.shared_data import SHARED_DATA

DEV = SHARED_DATA / "contractnli" / "dev.json"


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def figures(result: PlaybookEvaluation) -> list[dict[str, Any]]:
    """One line per figure: overall, per class, per statement; model beside both floors."""
    outcomes: list[Outcome] = result.outcomes
    n = len(outcomes)
    overall = score_block(outcomes)
    golds = [o.gold for o in outcomes]
    out: list[dict[str, Any]] = [
        {"name": "pairs (NDAs x statements)", "value": n, "unit": f"pairs, {len(result.documents)} NDAs"},
        {"name": "review accuracy", "value": overall["model_accuracy"], "unit": f"of {n}"},
        {"name": "keyword baseline accuracy", "value": overall["baseline_accuracy"], "unit": f"of {n}"},
        {"name": "commonest answer per statement accuracy", "value": overall["majority_accuracy"], "unit": f"of {n}"},
        {"name": "review macro-F1", "value": overall["macro_f1"], "unit": "F1"},
        {"name": "keyword baseline macro-F1", "value": overall["baseline_macro_f1"], "unit": "F1"},
        {"name": "commonest answer macro-F1", "value": overall["majority_macro_f1"], "unit": "F1"},
    ]  # fmt: skip
    recalls = recall_by_class(golds, [o.value for o in outcomes])
    for label in LABELS:
        out.append({"name": f"review recall {label}", "value": recalls[label], "unit": f"of {golds.count(label)}"})  # fmt: skip
    on_evidence = [o for o in outcomes if o.on_evidence is not None]
    out += [
        {"name": "Entailment/Contradiction quotes verified on their page", "value": overall["verified_share"], "unit": f"of {overall['cited']}"},
        {"name": "quotes on the gold evidence", "value": _share([bool(o.on_evidence) for o in on_evidence]), "unit": f"of {len(on_evidence)}"},
        {"name": "statements decided with the model", "value": overall["model_calls"] / max(1, n), "unit": f"of {n}"},
        {"name": "time per statement", "value": result.seconds_per_statement, "unit": "s"},
        {"name": "time per NDA", "value": result.seconds_per_document, "unit": "s"},
    ]  # fmt: skip
    for sid, block in result.per_statement().items():
        out.append({
            "name": f"{sid} review / keyword / commonest",
            "value": block["model_accuracy"],
            "unit": f"{block['baseline_accuracy']:.2f} / {block['majority_accuracy']:.2f} of {block['n']}",
        })  # fmt: skip
    return out


def run() -> list[dict[str, Any]]:
    model, settings = resolve_model(None), load_settings()  # the user's, before the temp home
    with temporary_home():
        engine = Engine()
        try:
            engine.load(model, settings=settings, hardware=detect())
            result = evaluate_playbook(
                DEV,
                "nda",
                engine,
                limit=eval_limit(),
                progress=lambda f, m: print(f"  {m} ({f:.0%})", file=sys.stderr, flush=True),
            )
        finally:
            engine.close()
    RESULTS.mkdir(exist_ok=True)
    pairs = RESULTS / f"eval-pairs-nli-{time.strftime('%Y%m%d-%H%M%S')}.json"
    pairs.write_text(json.dumps([asdict(o) for o in result.outcomes], indent=2))
    return figures(result)
