"""Fit the review combiner's weights for one playbook (and model), on DEV data only.

    .venv/bin/python tools/fit_review.py [--contractnli DEV.json] [--playbook nda]
                                         [--stage cues|model|both] [--model ID]
                                         [--from-run RUN.json] [--gate 0.8]

Two stages, as the pipeline decides (app/tasks/review/decide.py):

- cues: the review without a model over the labelled NDAs; a per-statement softmax
  regression over the cue features, written to resources/review/<playbook>.json (it
  belongs to no model);
- model: the review with the model asked wherever the cue stage is below the gate
  (``collect_features``); a regression over cues + calibrated model scores, fitted on
  the pairs the model read, written to resources/review/<playbook>-<sha256[:16]>.json.

Each file keeps the figures it was fitted on: in-sample accuracy and macro-F1, and the
held-out figures of a 2-fold split by document (each half predicted by weights fitted on
the other half, mean of 5 random splits) and of a 10-fold split, so overfitting shows. Every run's features are
saved in bench-results/review-features-*.json (``--from-run`` refits from one).

Never point it at test data: the figures that count are measured on NDAs it has not seen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.evaluation.playbook import macro_f1  # noqa: E402
from app.tasks.review.decide import (  # noqa: E402
    CUE_FEATURES,
    DEFAULT_GATE,
    FEATURES,
    LABELS,
    combiner_path,
    cue_weights_path,
    fit_weights,
    softmax,
)

DEV = ROOT.parent / "shared" / "data" / "contractnli" / "dev.json"
Row = tuple[str, str, list[float], str]  # document, statement id, features, gold


def predict(weights: dict[str, list[list[float]]], sid: str, x: Sequence[float]) -> str:
    probs = softmax([sum(a * b for a, b in zip(row, x, strict=True)) for row in weights[sid]])
    return LABELS[max(range(len(LABELS)), key=lambda i: probs[i])]


def figures(rows: Sequence[Row], predicted: Sequence[str]) -> dict[str, float]:
    golds = [r[3] for r in rows]
    return {
        "accuracy": round(
            sum(g == p for g, p in zip(golds, predicted, strict=True)) / len(golds), 4
        ),
        "macro_f1": round(macro_f1(golds, predicted), 4),
    }


def held_out(rows: Sequence[Row], folds: int = 2, seeds: int = 5) -> dict[str, float]:
    """Mean k-fold figures (split by document) over ``seeds`` random orders of the documents.

    2-fold trains on half the NDAs, so it understates a fit on all of them; 10-fold
    trains on nine tenths, closer to what the shipped weights see. Both are reported.
    """
    documents = sorted({r[0] for r in rows})
    results = []
    for seed in range(seeds):
        order = documents[:]
        random.Random(seed).shuffle(order)
        fold_of = {d: i % folds for i, d in enumerate(order)}
        predicted: dict[int, str] = {}
        for fold in range(folds):
            train = [(r[1], r[2], r[3]) for r in rows if fold_of[r[0]] != fold]
            weights = fit_weights(train)
            for i, r in enumerate(rows):
                if fold_of[r[0]] == fold:
                    predicted[i] = predict(weights, r[1], r[2])
        results.append(figures(rows, [predicted[i] for i in range(len(rows))]))
    return {k: round(sum(r[k] for r in results) / len(results), 4) for k in results[0]}


def rows_from_run(data: dict[str, Any]) -> list[Row]:
    return [(str(o["document"]), o["statement_id"], [float(v) for v in o["features"]], o["gold"])
            for o in data["outcomes"]]  # fmt: skip


def run_pipeline(
    path: Path, playbook: str, model: str | None, *, with_model: bool, limit: int | None = None
) -> dict[str, Any]:
    """Run the review over ``path`` (the model asked wherever the cue stage is unsure)."""
    from app.engine.loader import load_engine
    from app.evaluation.playbook import evaluate_playbook, format_playbook_evaluation

    engine = load_engine(model) if with_model else None
    try:
        sha = engine.identity.sha256 if engine and engine.identity else None
        result = evaluate_playbook(
            path, playbook, engine, collect_features=True, limit=limit,
            progress=lambda f, m: print(f"  {f:.0%} {m}", file=sys.stderr, flush=True),
        )  # fmt: skip
    finally:
        if engine is not None:
            engine.close()
    print(format_playbook_evaluation(result))
    data = result.to_json() | {"model_sha256": sha}
    kind = "model" if with_model else "cues"
    out = ROOT / "bench-results" / f"review-features-{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(data, indent=1))
    print(f"features saved to {out}", file=sys.stderr)
    return data


def _record(playbook: str, features: Sequence[str], rows: Sequence[Row], source: Path,
            weights: Any, extra: dict[str, Any], figs: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    return {
        "playbook": playbook,
        "features": list(features),
        "labels": list(LABELS),
        **extra,
        "fitted_on": {
            "data": source.name,
            "data_sha256": hashlib.sha256(source.read_bytes()).hexdigest()
            if source.is_file()
            else None,
            "documents": len({r[0] for r in rows}),
            "pairs": len(rows),
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "method": "per-statement softmax regression, L2 0.3, 800 gradient steps (rate 0.5)",
            **figs,
        },
        "weights": weights,
    }


def fit_cues(rows: Sequence[Row]) -> tuple[Any, dict[str, Any]]:
    k = len(CUE_FEATURES)
    cue_rows = [(r[0], r[1], r[2][:k], r[3]) for r in rows]
    weights = fit_weights([(r[1], r[2], r[3]) for r in cue_rows])
    fitted = figures(cue_rows, [predict(weights, r[1], r[2]) for r in cue_rows])
    return weights, {
        "fitted": fitted,
        "held_out_2fold": held_out(cue_rows),
        "held_out_10fold": held_out(cue_rows, folds=10, seeds=2),
    }


def two_stage_figures(rows: Sequence[Row], seeds: int = 5) -> dict[str, Any]:
    """In-sample and 2-fold figures of the whole decision: cues, model where it was asked."""
    k = len(CUE_FEATURES)

    def fit(train: Sequence[Row]) -> tuple[Any, Any]:
        cues = fit_weights([(r[1], r[2][:k], r[3]) for r in train])
        asked = [(r[1], r[2], r[3]) for r in train if r[2][5] > 0]
        return cues, fit_weights(asked) if asked else {}

    def guess(cues: Any, model: Any, r: Row) -> str:
        if r[2][5] > 0 and r[1] in model:
            return predict(model, r[1], r[2])
        return predict(cues, r[1], r[2][:k])

    cues, model = fit(rows)
    fitted = figures(rows, [guess(cues, model, r) for r in rows])
    documents = sorted({r[0] for r in rows})
    results = []
    for seed in range(seeds):
        order = documents[:]
        random.Random(seed).shuffle(order)
        half = set(order[: len(order) // 2])
        predicted: dict[int, str] = {}
        for fold in (True, False):
            c, m = fit([r for r in rows if (r[0] in half) != fold])
            for i, r in enumerate(rows):
                if (r[0] in half) == fold:
                    predicted[i] = guess(c, m, r)
        results.append(figures(rows, [predicted[i] for i in range(len(rows))]))
    heldout = {key: round(sum(r[key] for r in results) / len(results), 4) for key in results[0]}
    return {
        "fitted": fitted,
        "held_out_2fold": heldout,
        "model_asked": sum(r[2][5] > 0 for r in rows),
    }


def report(data: dict[str, Any], rows: Sequence[Row]) -> str:
    """Per statement: the two-stage decision (weights fitted on all of ``rows``) beside the
    keyword baseline and the commonest answer of the same run, from its saved features."""
    from app.evaluation.playbook import Outcome, PlaybookEvaluation, format_playbook_evaluation

    k = len(CUE_FEATURES)
    cues = fit_weights([(r[1], r[2][:k], r[3]) for r in rows])
    model = fit_weights([(r[1], r[2], r[3]) for r in rows if r[2][5] > 0])
    outcomes = []
    for o, r in zip(data["outcomes"], rows, strict=True):
        asked = r[2][5] > 0 and r[1] in model
        value = predict(model, r[1], r[2]) if asked else predict(cues, r[1], r[2][:k])
        fields = {**o, "value": value, "decided_by": "model" if asked else "rule"}
        outcomes.append(Outcome(**fields))
    result = PlaybookEvaluation(
        data["playbook"], data["source"], data.get("model"), data["documents"], outcomes,
        {sid: b["statement"] for sid, b in data["statements"].items()},
        review_seconds=data["seconds_per_document"] * len(data["documents"]),
        notes=["verified: the saved run's quotes only (a label changed to Entailment or "
               "Contradiction here has none); `chambers evaluate` gives the real share"],
    )  # fmt: skip
    return format_playbook_evaluation(result)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--contractnli", type=Path, default=DEV, help="DEV data (default: dev.json)"
    )
    parser.add_argument("--playbook", default="nda")
    parser.add_argument("--model", help="model id (default: the settings' or catalog default)")
    parser.add_argument("--stage", choices=("cues", "model", "both"), default="both")
    parser.add_argument(
        "--from-run", type=Path, help="features of a saved model run instead of running"
    )
    parser.add_argument("--gate", type=float, default=DEFAULT_GATE)
    parser.add_argument("--limit", type=int, help="only the first N documents (a quick fit)")
    args = parser.parse_args(argv)
    if "test" in args.contractnli.name.lower():
        parser.error("fit on dev data only, never on test data")
    if args.stage == "cues" or (args.stage == "both" and not args.from_run):
        if args.from_run:
            rows = rows_from_run(json.loads(args.from_run.read_text(encoding="utf-8")))
        else:
            rows = rows_from_run(
                run_pipeline(args.contractnli, args.playbook, None, with_model=False)
            )
        weights, figs = fit_cues(rows)
        record = _record(args.playbook, CUE_FEATURES, rows, args.contractnli, weights,
                         {"gate": args.gate}, figs)  # fmt: skip
        out = cue_weights_path(args.playbook)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"cue stage: {figs}\nwritten to {out}")
    if args.stage in ("model", "both"):
        if args.from_run:
            data = json.loads(args.from_run.read_text(encoding="utf-8"))
        else:
            data = run_pipeline(
                args.contractnli, args.playbook, args.model, with_model=True, limit=args.limit
            )
        sha = data.get("model_sha256")
        if not sha:
            parser.error("the run does not name its model")
        rows = rows_from_run(data)
        asked = [r for r in rows if r[2][5] > 0]
        weights = fit_weights([(r[1], r[2], r[3]) for r in asked])
        figs = two_stage_figures(rows)
        record = _record(args.playbook, FEATURES, asked, args.contractnli, weights,
                         {"model_sha256": sha, "gate": args.gate}, figs)  # fmt: skip
        out = combiner_path(args.playbook, sha)
        out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"both stages: {figs}\nwritten to {out}")
        print("Decisions with these weights on the same run (in-sample):")
        print(report(data, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
