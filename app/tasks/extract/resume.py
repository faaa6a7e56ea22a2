"""Finished grid rows kept in the vault, so a grid interrupted mid-run resumes.

Used when the grid runs on the firm's inference server (app/engine/remote.py): a server
that goes away after 150 of 200 leases must not cost the 150. Each finished row is stored
in the vault's ``task_outputs`` table (encrypted like everything in the vault), keyed by
the document's SHA-256, the field set's definition and the model's SHA-256; a rerun with
the same three reuses it. The keeping is app/tasks/resume.py, which summaries use for
their parts too; the scheduling of several documents at once is shared with them
(app/tasks/batch.py).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.tasks.extract.cells import Cell, Row
from app.tasks.fieldsets import FieldSet
from app.tasks.resume import KeptSteps, step_key
from app.vault import Vault

ROW_TASK = "extract.row"
ROW_FORMAT = 1


def row_key(vault: Vault, document_id: str, fieldset: FieldSet, model_sha256: str | None) -> str:
    """The id a finished row is stored under (changes with document, fields or model)."""
    fields = [asdict(item) for item in fieldset.fields]
    sha = vault.get_document_info(document_id).sha256
    return "row-" + step_key(ROW_FORMAT, sha, fieldset.name, fields, model_sha256)[:40]


def load_row(vault: Vault, key: str, document_id: str) -> Row | None:
    """The stored row, or None (none stored, or unreadable: then it is recomputed)."""
    stored = KeptSteps(vault, ROW_TASK, document_id).get(key)
    if stored is None:
        return None
    try:
        data: dict[str, Any] = dict(stored)
        cells = {name: Cell(**value) for name, value in data["cells"].items()}
        return Row(document_id, str(data["title"]), cells, float(data.get("seconds", 0.0)))
    except (KeyError, TypeError, ValueError):
        return None


def store_row(vault: Vault, key: str, row: Row, model_sha256: str | None) -> None:
    kept = KeptSteps(vault, ROW_TASK, row.document_id)
    kept.put(key, {**row.to_json(), "seconds": row.seconds}, model_sha256)
