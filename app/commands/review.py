"""`chambers review`: check one document against a playbook (e.g. the built-in NDA one).

    chambers review VAULT DOC --playbook nda [--model ID] [--json]
                   [--redline OUT.docx [--accept IDS]]

Each statement of the playbook is answered Entailment (the document says so),
Contradiction (it says the opposite) or NotMentioned, with a verbatim quote and its
page. ``--json`` carries every row (label, page, quote, whether the quote was verified
on its page, what decided it) and the notes, e.g. that no weights are fitted for the
model loaded. One ``task.run`` audit record (kind "review") holds ids and counts only.

Rows come by risk, each with the firm's position and the outcome ("as we want",
"deviates", "missing"). ``--redline OUT.docx`` writes the document with the accepted
changes tracked and commented (a DOCX) or the review memo (any other document): every
proposed change is accepted unless the reviewer rejected it in the desktop app (kept in
the vault) or ``--accept`` lists the statement ids to keep (``--accept none``: comments
and changes left out, the redline equals the original).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands._output import print_json, safe
from app.commands._unlock import add_unlock_arguments
from app.commands.session import task_session
from app.errors import UsageError
from app.tasks.review import ReviewResult, list_playbooks, load_playbook, run_review
from app.tasks.review.deliver import Delivered, export_review

_SHOWN = {"Entailment": "yes", "Contradiction": "NO (contradicts)", "NotMentioned": "not mentioned"}


def register(sub: Any) -> None:
    p = sub.add_parser("review", help="check one document against a playbook's statements")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("document", metavar="DOC", help="document id, unique id prefix, or title")
    p.add_argument(
        "--playbook",
        default="nda",
        help=f"playbook name or .json path (built in: {', '.join(list_playbooks()) or 'none'})",
    )
    p.add_argument("--model", help="model id (default: the settings' or catalog default)")
    p.add_argument("--json", action="store_true", help="print every row as JSON")
    p.add_argument(
        "--redline",
        metavar="OUT.docx",
        type=Path,
        help="write the redline (tracked changes and comments) of a DOCX, or a review memo",
    )
    p.add_argument(
        "--accept",
        metavar="IDS",
        help="comma-separated statement ids whose proposed change to write ('all', 'none'); "
        "default: all, except those rejected in the desktop app",
    )
    add_unlock_arguments(p)
    p.set_defaults(func=_review)


def format_review(result: ReviewResult) -> str:
    lines = []
    for row in result.ordered():
        where = f" (page {row.page})" if row.page is not None else ""
        risk = f"{row.risk.upper()} " if row.risk else ""
        lines.append(f"{risk}[{row.statement_id}] {safe(row.statement)}")
        lines.append(f"    {_SHOWN[row.label]}{where}, decided by {row.decided_by}")
        if row.quote:
            mark = "" if row.verified else "  [NOT FOUND ON THE PAGE]"
            lines.append(f'    "{safe(row.quote)}"{mark}')
        if row.outcome is not None:
            lines.append(f"    firm wants: {row.position}; outcome: {row.outcome.upper()}")
            if row.outcome != "as we want":
                lines.append(f"    guidance: {safe(row.guidance)}")
            if row.change is not None and row.change.text:
                lines.append(f"    proposed ({row.change.kind}): {safe(row.change.text)}")
    lines += [f"note: {safe(n)}" for n in result.notes]
    outcomes = [r.outcome for r in result.rows if r.outcome is not None]
    summary = ", ".join(f"{outcomes.count(o)} {o}" for o in ("deviates", "missing", "as we want"))
    lines.append(
        f"{len(result.rows)} statements in {result.seconds:.1f} s"
        + (f": {summary}" if outcomes else "")
    )
    return "\n".join(lines)


def _accepted(value: str | None) -> set[str] | None:
    if value is None or value.strip().lower() == "all":
        return None
    if value.strip().lower() == "none":
        return set()
    return {part.strip() for part in value.split(",") if part.strip()}


def _delivered(done: Delivered) -> str:
    lines = [f"{done.kind} written to {done.path}: {done.changes} change(s) and comment(s)"]
    return "\n".join(lines + [f"note: {safe(n)}" for n in done.notes])


def _review(args: argparse.Namespace) -> int:
    playbook = load_playbook(args.playbook)  # a bad playbook fails before the model loads
    accept = _accepted(args.accept)
    if args.accept is not None and args.redline is None:
        raise UsageError("--accept chooses the changes of a redline.", "Add --redline OUT.docx.")
    unknown = (accept or set()) - {s.id for s in playbook.statements}
    if unknown:
        raise UsageError(
            f"--accept names {', '.join(sorted(unknown))}, not in playbook {playbook.name!r}.",
            "Use the statement ids the review prints.",
        )
    if args.redline is not None and args.redline.suffix.lower() != ".docx":
        raise UsageError(f"{args.redline} does not end in .docx.", "Name it OUT.docx.")
    delivered = None
    with task_session(args) as session:
        result = run_review(
            session.engine,
            session.vault,
            session.document(args.document),
            playbook,
            progress=session.progress,
            cancel=session.cancel,
        )
        if args.redline is not None:
            delivered = export_review(session.vault, result, playbook, args.redline, accept=accept)
    if args.json:
        data = result.to_json()
        if delivered is not None:
            data["redline"] = {
                "path": str(delivered.path),
                "kind": delivered.kind,
                "changes": delivered.changes,
                "notes": delivered.notes,
            }
        print_json(data)
    else:
        print(format_review(result))
        if delivered is not None:
            print(_delivered(delivered))
    return 0
