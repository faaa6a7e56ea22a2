"""Extract: a field set run over one or many documents of a matter, into a grid.

Per document the page texts are read once and split into sentences; every typed field
(``x-extractor``) is answered by candidates -> decide or choose -> copy
(app/tasks/extract/typed.py), every other field by retrieve -> choose -> value
(app/tasks/extract/open_field.py). Either way the quote is a sentence of the page and
the page number comes from that sentence, never from the model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from app.cancel import CancelToken, Progress, no_progress
from app.engine.protocol import EngineLike
from app.tasks.batch import engine_parallel, monotonic, run_bounded
from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.chooser import Chooser
from app.tasks.extract.cells import Cell, Grid, Row
from app.tasks.extract.open_field import open_cell
from app.tasks.extract.params import ChooserParams, load_params
from app.tasks.extract.resume import load_row, row_key, store_row
from app.tasks.extract.typed import typed_cell
from app.tasks.fieldsets import FieldSet
from app.vault import Vault


def document_text(vault: Vault, document_id: str) -> DocumentText:
    """The document's pages as stored in the vault, ready to split into sentences."""
    title = vault.get_document_info(document_id).title
    pages = [Page(p.page, p.text) for p in vault.pages(document_id)]
    return DocumentText(pages, title, document_id=document_id)


def params_for(engine: EngineLike) -> ChooserParams:
    identity = engine.identity
    return load_params(identity.sha256 if identity else None)


def extract_document(
    document_id: str,
    fieldset: FieldSet,
    engine: EngineLike,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    chooser: Chooser | None = None,
    params: ChooserParams | None = None,
) -> Row:
    """Every field of ``fieldset`` for one document."""
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    doc = document_text(vault, document_id)
    extractors = Extractors(doc)
    chooser = chooser or Chooser(engine)
    params = params or params_for(engine)
    cells: dict[str, Cell] = {}
    total = len(fieldset.fields)
    for i, item in enumerate(fieldset.fields):
        cancel.raise_if_cancelled()
        progress(i / total, f"{doc.title}: {item.title} (field {i + 1} of {total})")
        if item.extractor:
            cells[item.name] = typed_cell(item, extractors, chooser, params, cancel=cancel)
        else:
            cells[item.name] = open_cell(
                item, document_id, doc, vault, engine, chooser, cancel=cancel
            )
    progress(1.0, f"{doc.title}: done")
    return Row(document_id, doc.title, cells, time.perf_counter() - start)


def extract_grid(
    document_ids: Sequence[str],
    fieldset: FieldSet,
    engine: EngineLike,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    parallel: int | None = None,
) -> Grid:
    """Documents x fields; rows in the order of ``document_ids``.

    On the firm's inference server (``capabilities.remote``) up to ``parallel``
    documents (default: ``capabilities.parallel``, settings.server_parallel) are sent at
    once, and each finished row is kept in the vault so a rerun after the server went
    away resumes (app/tasks/extract/resume.py). The local engine runs one at a time.
    """
    cancel = cancel or CancelToken()
    grid = Grid(fieldset.name, [(f.name, f.title) for f in fieldset.fields])
    count = max(1, len(document_ids))
    chooser, params = Chooser(engine), params_for(engine)
    remote = engine.capabilities.remote
    parallel = engine_parallel(engine, parallel)
    model_sha = engine.identity.sha256 if engine.identity else None
    if parallel > 1:
        progress = monotonic(progress)
    progress(
        0.0, f"Extracting {len(fieldset.fields)} field(s) from {len(document_ids)} document(s)"
    )

    def one(n: int, document_id: str) -> Row:
        def scaled(fraction: float, message: str) -> None:
            step = f"Document {n + 1} of {count}: {message}" if count > 1 else message
            progress(min(0.999, (n + fraction) / count), step)

        key = row_key(vault, document_id, fieldset, model_sha) if remote else ""
        stored = load_row(vault, key, document_id) if remote else None
        if stored is not None:
            scaled(1.0, f"{stored.title}: kept from the last run")
            return stored
        row = extract_document(
            document_id,
            fieldset,
            engine,
            vault,
            progress=scaled,
            cancel=cancel,
            chooser=chooser,
            params=params,
        )
        if remote:
            store_row(vault, key, row, model_sha)
        return row

    grid.rows.extend(run_bounded(one, document_ids, parallel))
    progress(1.0, "Done")
    return grid
