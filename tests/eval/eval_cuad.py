"""CUAD extraction: the default model against CUAD's labels, beside a keyword baseline.

The 80 CUAD contracts of ../shared/data/cuad (``EVAL_LIMIT=N``: the first N) go through
the same path as ``chambers evaluate --fieldset commercial-contract``: a throwaway
encrypted matter, Extract with the default model on this machine's default plan, and the
keyword/regex baseline on the same page text, both scored by app/evaluation/match.py.
Figures per field: model accuracy, baseline accuracy, and the share of the model's found
cells whose quote was verified on the page; then the same overall, and the time per
document. Every cell (label, both answers, verdicts) goes to
bench-results/eval-cells-cuad-<stamp>.json for reading the misses.

The data folder is a temporary one (the user's models and settings are read first), and
its audit log signs with a file key, so a run leaves nothing behind but the results.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from app.cancel import Progress
from app.commands.evaluate import format_evaluation
from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.evaluation.extraction import Evaluation, FieldScore, evaluate
from app.evaluation.labels import document_files, load_labels
from app.models.store import resolve_model
from app.tasks.fieldsets import load_fieldset
from tests.eval import eval_limit, temporary_home
from tests.group_runner import RESULTS
from tests.shared_data import CUAD

FIELDSET = "commercial-contract"


def _log_progress() -> Progress:
    """One stderr line per document and field, with the time since the start."""
    start, last = time.perf_counter(), [""]

    def log(fraction: float, message: str) -> None:
        if message != last[0]:
            last[0] = message
            elapsed = time.perf_counter() - start
            print(f"  {elapsed:7.0f}s {fraction:4.0%} {message}", file=sys.stderr, flush=True)

    return log


def _figures(score: FieldScore) -> list[dict[str, Any]]:
    name = score.name
    return [
        {"name": f"{name} model accuracy", "value": score.model_accuracy, "unit": f"of {score.n}"},
        {"name": f"{name} baseline accuracy", "value": score.baseline_accuracy, "unit": f"of {score.n}"},
        {"name": f"{name} majority accuracy", "value": score.majority_accuracy, "unit": f"of {score.n}"},
        {"name": f"{name} verified quotes", "value": score.verified_share, "unit": f"of {score.found} found"},
    ]  # fmt: skip


def figures(result: Evaluation) -> list[dict[str, Any]]:
    overall = result.overall
    out: list[dict[str, Any]] = []
    for score in result.fields:
        out += _figures(score)
    out += _figures(overall)
    out += [
        {"name": "documents", "value": len(result.documents), "unit": "docs"},
        {"name": "extraction time per document", "value": result.seconds_per_document, "unit": "s"},
        {"name": "total time (import + extract + score)", "value": result.seconds, "unit": "s"},
    ]  # fmt: skip
    return out


def run() -> list[dict[str, Any]]:
    fieldset = load_fieldset(FIELDSET)
    labels = load_labels(CUAD / "labels.csv", fieldset)
    limit = eval_limit()
    ids = labels.document_ids[:limit] if limit else labels.document_ids
    files = document_files(ids, CUAD / "pdf")
    settings = load_settings()  # the user's settings and default model, before the temp home
    model = resolve_model(settings.default_model or None)
    with temporary_home():
        engine = Engine()
        try:
            engine.load(model, settings=settings, hardware=detect())
            result = evaluate(files, fieldset, labels, engine, progress=_log_progress())
        finally:
            engine.close()
    print(format_evaluation(result), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    cells = RESULTS / f"eval-cells-cuad-{time.strftime('%Y%m%d-%H%M%S')}.json"
    cells.write_text(json.dumps(result.to_json(), indent=2))
    return figures(result)
