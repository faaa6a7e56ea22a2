"""`chambers evaluate`: per-field accuracy of a model against a firm's labelled documents.

    chambers evaluate --fieldset NAME --labels CSV --docs DIR [--model ID] [--json]
                      [--limit N] [--fields a,b]
    chambers evaluate --playbook nda --contractnli FILE.json [--limit N] [--json]

So a firm can pilot a model on its own samples before adopting it. The documents named
in the labels are imported into a throwaway encrypted matter (destroyed afterwards),
extracted with the model and, in the same run, with a keyword baseline; both are scored
by the same rules (app/evaluation/match.py). Ctrl-C cancels (exit 130). One audit record
``task.run`` (kind "evaluate") holds ids and counts, never labels or values.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands._output import print_json
from app.commands.session import task_session
from app.errors import UsageError
from app.evaluation.extraction import Evaluation, FieldScore, evaluate
from app.evaluation.labels import document_files, load_labels
from app.tasks.fieldsets import load_fieldset


def register(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="score a model's extraction against labelled documents")
    p.add_argument("--fieldset", help="field set name or path of a .json file")
    p.add_argument(
        "--playbook",
        help="playbook name or .json path: evaluate a review on --contractnli data instead",
    )
    p.add_argument(
        "--contractnli",
        metavar="FILE.json",
        help="labelled NDAs in ContractNLI format (with --playbook)",
    )
    p.add_argument(
        "--labels",
        metavar="CSV",
        help="expected answers: first column the document's file name without suffix, "
        "then one column per field",
    )
    p.add_argument("--docs", metavar="DIR", help="folder holding the documents")
    p.add_argument("--model", help="model id (default: the settings' or catalog default)")
    p.add_argument("--fields", help="comma-separated field names (default: all of the set)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N labelled documents")
    p.add_argument("--json", action="store_true", help="print every score and cell as JSON")
    p.set_defaults(func=_evaluate)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _line(score: FieldScore, width: int) -> str:
    verified = f"{score.verified}/{score.found} ({_percent(score.verified_share)})"
    return (
        f"{score.name:<{width}}  {score.kind:<12} {score.n:>4}  "
        f"{_percent(score.model_accuracy):>6}  {_percent(score.baseline_accuracy):>8}  "
        f"{_percent(score.majority_accuracy):>8}  {verified}"
    )


def format_evaluation(result: Evaluation) -> str:
    """The per-field table with totals, as printed by the command."""
    width = max([len("overall"), *(len(f.name) for f in result.fields)])
    lines = [
        f"{len(result.documents)} document(s), field set {result.fieldset}, "
        f"model {result.model or '?'}: {result.seconds:.0f} s "
        f"({result.seconds_per_document:.1f} s of extraction per document)",
        "",
        f"{'field':<{width}}  {'match':<12} {'n':>4}  {'model':>6}  {'keyword':>8}  "
        f"{'majority':>8}  verified quotes",
        *(_line(score, width) for score in result.fields),
        _line(result.overall, width),
    ]
    for document, reason in result.skipped.items():
        lines.append(f"note: {document} was left out: {reason}")
    return "\n".join(lines)


def _evaluate(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1.")
    if args.playbook or args.contractnli:
        return _evaluate_playbook(args)
    if not (args.fieldset and args.labels and args.docs):
        raise UsageError(
            "Give --fieldset, --labels and --docs (extraction), "
            "or --playbook and --contractnli (review)."
        )
    fieldset = load_fieldset(args.fieldset)
    if args.fields:
        fieldset = fieldset.subset([n.strip() for n in args.fields.split(",") if n.strip()])
    labels = load_labels(Path(args.labels), fieldset)
    ids = labels.document_ids[: args.limit] if args.limit else labels.document_ids
    files = document_files(ids, Path(args.docs))
    with task_session(args, vault=False) as session:
        result = evaluate(
            files,
            fieldset,
            labels,
            session.engine,
            progress=session.progress,
            cancel=session.cancel,
        )
    if args.json:
        print_json(result.to_json())
    else:
        print(format_evaluation(result))
    if result.skipped and args.json:
        print(f'note: {len(result.skipped)} document(s) left out; see "skipped".', file=sys.stderr)
    return 0


def _evaluate_playbook(args: argparse.Namespace) -> int:
    """`--playbook NAME --contractnli FILE.json`: the review pipeline on labelled NDAs."""
    from app.evaluation.playbook import evaluate_playbook, format_playbook_evaluation
    from app.tasks.review import load_playbook

    if not (args.playbook and args.contractnli):
        raise UsageError("Give both --playbook and --contractnli FILE.json.")
    playbook = load_playbook(args.playbook)
    with task_session(args, vault=False) as session:
        result = evaluate_playbook(
            Path(args.contractnli),
            playbook,
            session.engine,
            limit=args.limit,
            progress=session.progress,
            cancel=session.cancel,
        )
    if args.json:
        print_json(result.to_json())
    else:
        print(format_playbook_evaluation(result))
    return 0
