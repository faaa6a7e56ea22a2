"""Finished grid rows kept in the vault, so a grid interrupted mid-run resumes.

Used when the grid runs on the firm's inference server (app/engine/remote.py): a server
that goes away after 150 of 200 leases must not cost the 150. Each finished row is stored
in the vault's ``task_outputs`` table (encrypted like everything in the vault), keyed by
the document's SHA-256, the field set's definition and the model's SHA-256; a rerun with
the same three reuses it. Summaries keep their parts the same way (app/tasks/summarise/pipeline.py).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict
from typing import Any

from app.cancel import Progress
from app.tasks.extract.cells import Cell, Row
from app.tasks.fieldsets import FieldSet
from app.vault import Vault

ROW_TASK = "extract.row"
ROW_FORMAT = 1


def row_key(vault: Vault, document_id: str, fieldset: FieldSet, model_sha256: str | None) -> str:
    """The id a finished row is stored under (changes with document, fields or model)."""
    fields = [asdict(item) for item in fieldset.fields]
    sha = vault.get_document_info(document_id).sha256
    parts = [ROW_FORMAT, sha, fieldset.name, fields, model_sha256]
    text = json.dumps(parts, sort_keys=True, default=str)
    return "row-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def load_row(vault: Vault, key: str, document_id: str) -> Row | None:
    """The stored row, or None (none stored, or unreadable: then it is recomputed)."""
    output = vault.get_task_output(key)
    if output is None or output.task != ROW_TASK:
        return None
    try:
        data: dict[str, Any] = dict(output.result)
        cells = {name: Cell(**value) for name, value in data["cells"].items()}
        return Row(document_id, str(data["title"]), cells, float(data.get("seconds", 0.0)))
    except (KeyError, TypeError, ValueError):
        return None


def store_row(vault: Vault, key: str, row: Row, model_sha256: str | None) -> None:
    vault.put_task_output(
        ROW_TASK,
        key,
        {**row.to_json(), "seconds": row.seconds},
        document_ids=[row.document_id],
        model_sha256=model_sha256,
    )


def run_bounded(
    work: Callable[[int, str], Row], document_ids: Sequence[str], parallel: int
) -> list[Row]:
    """``work`` over the documents, at most ``parallel`` at once, rows in input order.

    When one document fails (a server that went away), the others already sent still
    finish and store their rows before the first error is raised, so a rerun resumes
    with as little as possible left to do.
    """
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="chambers-grid") as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, work, n, document_id)
            for n, document_id in enumerate(document_ids)
        ]
        wait(futures)
    rows: list[Row] = []
    for future in futures:
        rows.append(future.result())  # raises the first document's error, in order
    return rows


def monotonic(progress: Progress) -> Progress:
    """``progress`` that never goes backwards when documents report from several threads."""
    lock = threading.Lock()
    best = [0.0]

    def report(fraction: float, message: str) -> None:
        with lock:
            best[0] = max(best[0], fraction)
            progress(best[0], message)

    return report
