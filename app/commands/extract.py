"""`chambers extract`: a field set over documents of one matter, into a CSV/XLSX/JSON grid.

Registered from app/commands/tasks.py. One audit record ``task.run`` (kind "extract")
lists the document ids, the model and the cell counts; no value or quote is logged.
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path
from typing import Any

from app.audit.records import DetailValue
from app.cancel import CancelToken
from app.commands._output import ProgressLine
from app.commands._unlock import add_unlock_arguments, close_vault, open_vault
from app.engine import Engine
from app.engine.loader import load_engine
from app.errors import CancelledError, UsageError
from app.tasks.audited import record_task_run
from app.tasks.export import FORMATS, export
from app.tasks.extract import Grid, extract_grid
from app.tasks.fieldsets import load_fieldset
from app.vault import Vault


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


def resolve_documents(vault: Vault, refs: list[str]) -> list[str]:
    """Ids of the documents named (id, unique id prefix or exact title); all top-level if none."""
    documents = vault.list_documents()
    if not refs:
        return [d.id for d in documents if d.parent_id is None]
    ids: list[str] = []
    for ref in refs:
        for match in (
            [d for d in documents if d.id == ref],
            [d for d in documents if d.title == ref],
            [d for d in documents if d.id.startswith(ref.lower())] if len(ref) >= 4 else [],
        ):
            if len(match) > 1:
                raise UsageError(f"{len(match)} documents match {ref!r}.", "Give more of the id.")
            if match:
                ids.append(match[0].id)
                break
        else:
            raise UsageError(f"No document {ref!r} in this vault.")
    return list(dict.fromkeys(ids))


def _audit(vault: Vault, engine: Engine, grid: Grid | None, ids: list[str], outcome: str,
           took: float) -> None:  # fmt: skip
    details: dict[str, DetailValue] = {}
    if grid is not None:
        details.update(documents=len(grid.rows), fields=len(grid.fields), **grid.counts())
    record_task_run(
        "extract",
        vault.vault_id,
        engine,
        document_ids=ids,
        outcome=outcome,
        seconds=took,
        details=details,
    )


def _extract(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower().lstrip(".") not in FORMATS:
        raise UsageError(f"--out must end in one of: {', '.join('.' + f for f in FORMATS)}.")
    fieldset = load_fieldset(args.fieldset)
    if args.fields:
        fieldset = fieldset.subset([n.strip() for n in args.fields.split(",") if n.strip()])
    engine = load_engine(args.model)
    try:
        vault = open_vault(args)
        grid: Grid | None = None
        try:
            ids = resolve_documents(vault, args.documents)
            if not ids:
                raise UsageError("There are no documents in this vault to extract from.")
            cancel = CancelToken()
            previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
            progress = ProgressLine()
            start = time.perf_counter()
            outcome = "error"
            try:
                grid = extract_grid(ids, fieldset, engine, vault, progress=progress, cancel=cancel)
                outcome = "ok"
            except CancelledError:
                outcome = "cancelled"
                raise
            finally:
                signal.signal(signal.SIGINT, previous)
                progress.done()
                _audit(vault, engine, grid, ids, outcome, time.perf_counter() - start)
        finally:
            close_vault(vault)
    finally:
        engine.close()
    assert grid is not None
    export(grid, out)
    counts = grid.counts()
    print(
        f"{len(grid.rows)} document(s) x {len(grid.fields)} field(s) -> {out}: "
        f"{counts['supported']} supported, {counts['unsupported']} unsupported, "
        f"{counts['not_found']} not found"
    )
    return 0
