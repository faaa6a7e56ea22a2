"""`chambers extract`: a field set over documents of one matter, into a CSV/XLSX/JSON grid.

Registered from app/commands/tasks.py. One audit record ``task.run`` (kind "extract")
lists the document ids, the model and the cell counts, and one ``extract.export`` the
format; no value or quote is logged. Values reviewed earlier (in the desktop app) replace
the model's in the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands._unlock import add_unlock_arguments
from app.commands.session import task_session
from app.errors import UsageError
from app.tasks.audited import run_extract
from app.tasks.corrections import export_reviewed
from app.tasks.export import FORMATS
from app.tasks.fieldsets import load_fieldset


def register_extract(sub: Any) -> None:
    p = sub.add_parser("extract", help="fill a field set for documents of a matter into a grid")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument(
        "documents", metavar="DOC", nargs="*", help="id, unique id prefix or title (default: all)"
    )
    p.add_argument("--fieldset", required=True, help="field set name or path of a .json file")
    p.add_argument("--fields", help="comma-separated field names (default: all of the set)")
    p.add_argument("--out", required=True, help="output file: .csv, .xlsx or .json")
    p.add_argument("--model", help="model id (default: the settings' or catalog default)")
    add_unlock_arguments(p)
    p.set_defaults(func=_extract)


def _extract(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower().lstrip(".") not in FORMATS:
        raise UsageError(f"--out must end in one of: {', '.join('.' + f for f in FORMATS)}.")
    fieldset = load_fieldset(args.fieldset)
    if args.fields:
        fieldset = fieldset.subset([n.strip() for n in args.fields.split(",") if n.strip()])
    with task_session(args) as session:
        ids = session.documents(args.documents)
        if not ids:
            raise UsageError("There are no documents in this vault to extract from.")
        grid = run_extract(
            ids,
            fieldset,
            session.engine,
            session.vault,
            progress=session.progress,
            cancel=session.cancel,
        )
        grid = export_reviewed(grid, session.vault, out)
    counts = grid.counts()
    print(
        f"{len(grid.rows)} document(s) x {len(grid.fields)} field(s) -> {out}: "
        f"{counts['supported']} supported, {counts['unsupported']} unsupported, "
        f"{counts['not_found']} not found"
    )
    return 0
