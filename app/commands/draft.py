"""`chambers draft`: a template, instructions and chosen documents -> a cited DOCX draft.

Prints the draft as text (or --json), writes the DOCX, and says how many facts were
established and how many placeholders are left for the lawyer. One audit record
``task.run`` (kind "draft") names the template, the documents and the counts; the
instructions and the draft's text never go into the log.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands._output import print_json
from app.commands._unlock import add_unlock_arguments
from app.commands.session import task_session
from app.errors import UsageError
from app.tasks.audited import run_draft
from app.tasks.draft.pipeline import Draft
from app.tasks.draft.render import layout, to_text, write_docx
from app.tasks.draft.templates import list_templates, load_template


def register(sub: Any) -> None:
    p = sub.add_parser(
        "draft", help="draft a document from a template, citing the matter's documents"
    )
    p.add_argument("vault", metavar="VAULT")
    p.add_argument(
        "--template", required=True, help=f"template name ({', '.join(list_templates())}) or path"
    )
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("--instructions", help="what the draft is for, facts to use, in plain words")
    given.add_argument("--instructions-file", type=Path, help="read the instructions from a file")
    p.add_argument(
        "--docs", nargs="*", default=[], metavar="DOC", help="documents to draw on (id or title)"
    )
    p.add_argument("--out", required=True, type=Path, help="the .docx file to write")
    p.add_argument("--model", help="model id (default: the settings' or catalog default)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_unlock_arguments(p)
    p.set_defaults(func=_draft)


def _instructions(args: argparse.Namespace) -> str:
    if args.instructions_file is None:
        return str(args.instructions)
    try:
        return Path(args.instructions_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"Cannot read the instructions file {args.instructions_file}: {exc}.",
            "Give a UTF-8 text file, or type the instructions with --instructions.",
        ) from exc


def _summary_line(result: Draft, out: Path) -> str:
    counts = result.counts()
    return (
        f"Draft written to {out}: {counts['facts_supported']} of {counts['facts']} facts "
        f"found and checked, {counts['placeholders']} placeholder(s) to fill, "
        f"{counts['sentences_verified']} of {counts['sentences']} sentences with a "
        "confirmed source."
    )


def _draft(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise UsageError("--out must name a .docx file.")
    if not out.parent.is_dir():
        raise UsageError(f"The folder {out.parent} does not exist.", "Create it or pick another.")
    template = load_template(args.template)
    instructions = _instructions(args)
    if not instructions.strip() and not args.docs:
        raise UsageError(
            "Nothing to draft from: the instructions are empty and no documents were chosen.",
            "Say what the draft is for with --instructions, and choose documents with --docs.",
        )
    with task_session(args) as session:
        ids = session.documents(args.docs, all_if_none=False)
        result = run_draft(
            template,
            instructions,
            ids,
            session.engine,
            session.vault,
            progress=session.progress,
            cancel=session.cancel,
        )
    rendered = layout(result)
    write_docx(rendered, out)
    if args.json:
        print_json(result.to_json() | {"out": str(out), "text": to_text(rendered)})
    else:
        print(to_text(rendered))
        print(_summary_line(result, out))
    return 0
