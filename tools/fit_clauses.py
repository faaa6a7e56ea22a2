"""Fit each yes/no clause's threshold on the CUAD train contracts (and only on them).

A clause field answers Yes when its strongest cue in the document weighs at least the
field's threshold. For every clause field of the ``due-diligence`` set (a superset of
``commercial-contract``'s) this reads the 335 train contracts, picks the threshold that
answers most train labels right (ties: the better balanced accuracy, then the nearest to
the default 1.0), and writes it, with 5-fold cross-validated train figures, to the
model-independent ``rules`` of resources/extract/chooser.json. The dev contracts are
never read here: they are the validation set ``make eval`` reports.

Usage: .venv/bin/python -m tools.fit_clauses [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.evaluation.labels import load_labels
from app.evaluation.rules import clause_scores, fit_clause, read_documents, yes_labels
from app.tasks.candidates import DocumentText
from app.tasks.extract.params import PARAMS_FILE
from app.tasks.fieldsets import load_fieldset

SHARED = Path(
    os.environ.get("CHAMBERS_SHARED_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)
TRAIN = SHARED / "cuad-train"
FIELDSET = "due-diligence"


def fit(
    docs: dict[str, DocumentText], folder: Path, name: str = FIELDSET
) -> dict[str, dict[str, object]]:
    fieldset = load_fieldset(name)
    labels = load_labels(folder / "labels.csv", fieldset)
    rows = {d: labels.rows[d] for d in docs if d in labels.rows}
    rules: dict[str, dict[str, object]] = {}
    for item in fieldset.fields:
        if item.extractor != "clause":
            continue
        gold = yes_labels(item, rows)
        result = fit_clause(clause_scores(item, {d: docs[d] for d in gold}), gold)
        rules[item.name] = {"clause_threshold": result.threshold, "figures": result.figures()}
        print(f"{item.name:36} {result.threshold:6} {result.figures()}", file=sys.stderr)
    return rules


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--data", type=Path, default=TRAIN, help="the train folder")
    parser.add_argument("--fieldset", default=FIELDSET, help="name or path of the field set")
    args = parser.parse_args(argv)
    ids = sorted(p.stem for p in (args.data / "pdf").glob("*.pdf"))[: args.limit]
    docs = read_documents(args.data, ids)
    rules = fit(docs, args.data, args.fieldset)
    path = Path(__file__).resolve().parents[1].joinpath(*PARAMS_FILE)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data["rules"] = {**data.get("rules", {}), **rules}
    data["rules_fitted"] = {
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
        "fitted_on": f"CUAD train contracts ({len(docs)} documents; dev never read)",
        "note": "Per clause field: answer Yes when the strongest cue weighs at least "
        "clause_threshold (100 = never: its cues did not beat always answering No on "
        "train). Figures: 5-fold cross-validated by document on train.",
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
