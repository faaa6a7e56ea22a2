"""`chambers review`: check one document against a playbook (e.g. the built-in NDA one).

    chambers review VAULT DOC --playbook nda [--model ID] [--json]

Each statement of the playbook is answered Entailment (the document says so),
Contradiction (it says the opposite) or NotMentioned, with a verbatim quote and its
page. ``--json`` carries every row (label, page, quote, whether the quote was verified
on its page, what decided it) and the notes, e.g. that no weights are fitted for the
model loaded. One ``task.run`` audit record (kind "review") holds ids and counts only.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.commands._output import print_json, safe
from app.commands._unlock import add_unlock_arguments
from app.commands.session import task_session
from app.tasks.review import ReviewResult, list_playbooks, load_playbook, run_review

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
    add_unlock_arguments(p)
    p.set_defaults(func=_review)


def format_review(result: ReviewResult) -> str:
    lines = []
    for row in result.rows:
        where = f" (page {row.page})" if row.page is not None else ""
        lines.append(f"[{row.statement_id}] {safe(row.statement)}")
        lines.append(f"    {_SHOWN[row.label]}{where}, decided by {row.decided_by}")
        if row.quote:
            mark = "" if row.verified else "  [NOT FOUND ON THE PAGE]"
            lines.append(f'    "{safe(row.quote)}"{mark}')
    lines += [f"note: {safe(n)}" for n in result.notes]
    lines.append(f"{len(result.rows)} statements in {result.seconds:.1f} s")
    return "\n".join(lines)


def _review(args: argparse.Namespace) -> int:
    playbook = load_playbook(args.playbook)  # a bad playbook fails before the model loads
    with task_session(args) as session:
        result = run_review(
            session.engine,
            session.vault,
            session.document(args.document),
            playbook,
            progress=session.progress,
            cancel=session.cancel,
        )
    if args.json:
        print_json(result.to_json())
    else:
        print(format_review(result))
    return 0
