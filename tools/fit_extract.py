"""Fit Extract's decision parameters on the CUAD dev contracts (and only on them).

For every typed field the rule scores decide alone when the best candidate leads the
next distinct answer by at least the field's margin; closer calls go to the model,
whose calibrated letter scores are added to the rule scores with a weight. This script
runs the default model on every close call of the 80 dev contracts, then picks per
field the margin and model weight that answer most labels right (ties: ask the model
less), and writes them with the figures to resources/extract/chooser.json under the
model's SHA-256. Usage: .venv/bin/python -m tools.fit_extract [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.engine import Engine
from app.evaluation.labels import load_labels
from app.evaluation.match import is_correct, match_kind
from app.ingest.reader import read_bytes
from app.ingest.types import IngestLimits
from app.models.store import resolve_model
from app.tasks.candidates import DocumentText, Extractors, Page, distinct_values
from app.tasks.chooser import Chooser
from app.tasks.extract.params import PARAMS_FILE
from app.tasks.fieldsets import load_fieldset

CUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad"
#: Close calls are collected up to this margin; the fit may choose a smaller one.
MAX_MARGIN = 1.5
MARGINS = (0.0, 0.25, 0.5, 1.0, 1.5)
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
MAX_OPTIONS = 4


def _documents(limit: int | None) -> dict[str, DocumentText]:
    out = {}
    for pdf in sorted((CUAD / "pdf").glob("*.pdf"))[:limit]:
        document = read_bytes(pdf.read_bytes(), pdf.name, IngestLimits())
        out[pdf.stem] = DocumentText([Page(p.number, p.text) for p in document.pages])
    return out


def collect(engine: Engine, limit: int | None) -> list[dict[str, Any]]:
    """Every close call: its options' rule scores, model scores and correctness."""
    fieldset = load_fieldset("commercial-contract")
    labels = load_labels(CUAD / "labels.csv", fieldset)
    chooser = Chooser(engine)
    cases: list[dict[str, Any]] = []
    for doc_id, doc in _documents(limit).items():
        extractors = Extractors(doc)
        for item in fieldset.fields:
            if not item.extractor or item.extractor == "clause":
                continue
            options = distinct_values(extractors.candidates(item.extractor))
            label = labels.rows[doc_id][item.name]
            if len(options) < 2:
                continue
            gap = options[0].score - options[1].score
            shown = options[:MAX_OPTIONS]
            model: list[float] = []
            if gap < MAX_MARGIN:
                choice = chooser.choose(
                    item.title, item.description, [c.quote for c in shown], allow_none=False
                )
                model = list(choice.scores)
            kind = match_kind(item)
            cases.append({
                "document": doc_id, "field": item.name, "gap": gap,
                "rule": [c.score for c in shown], "model": model,
                "correct": [bool(is_correct(kind, label, c.value)) for c in shown],
            })  # fmt: skip
            print(f"{doc_id} {item.name} gap={gap:.2f}", file=sys.stderr, flush=True)
    return cases


def _accuracy(cases: list[dict[str, Any]], margin: float, weight: float) -> tuple[int, int]:
    right = asked = 0
    for case in cases:
        if case["gap"] >= margin or not case["model"]:
            right += case["correct"][0]
            continue
        asked += 1
        combined = [r + weight * m for r, m in zip(case["rule"], case["model"], strict=False)]
        right += case["correct"][max(range(len(combined)), key=lambda i: combined[i])]
    return right, asked


def fit(cases: list[dict[str, Any]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in sorted({c["field"] for c in cases}):
        mine = [c for c in cases if c["field"] == name]
        rules_only, _ = _accuracy(mine, 0.0, 0.0)
        best = max(
            ((m, w, *_accuracy(mine, m, w)) for m in MARGINS for w in WEIGHTS),
            key=lambda t: (t[2], -t[3]),
        )
        margin, weight, right, asked = best
        fields[name] = {
            "margin": margin, "weights": [1.0, weight],
            "figures": {"cases": len(mine), "rules_only_right": rules_only,
                        "fitted_right": right, "model_asked": asked},
        }  # fmt: skip
    return fields


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    model = resolve_model(None)
    with Engine() as engine:
        engine.load(model)
        cases = collect(engine, args.limit)
    path = Path(__file__).resolve().parents[1].joinpath(*PARAMS_FILE)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault("defaults", {"margin": 1.0, "weights": [1.0, 1.0], "max_options": MAX_OPTIONS})
    data.setdefault("models", {})[model.spec.sha256] = {
        "model": model.spec.id,
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
        "fitted_on": f"CUAD dev contracts ({len({c['document'] for c in cases})} documents)",
        "fields": fit(cases),
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data["models"][model.spec.sha256], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
