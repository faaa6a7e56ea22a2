"""Reviewed corrections of Extract cells, kept inside the matter's vault.

A reviewer who fixes a cell records the corrected value; it is stored in the vault's
``task_outputs`` table (task ``extract.correction``, one row per document x field x field
set, a later correction replacing an earlier one), so it is encrypted with the matter and
deleted with it. ``export_corrections_jsonl`` writes them as training/evaluation lines:
the document text span the value rests on, the field and the corrected value.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from app.tasks.extract import Cell
from app.vault import Vault
from app.vault.slots import now_iso

TASK = "extract.correction"


@dataclass(frozen=True)
class Correction:
    document_id: str
    fieldset: str
    field: str
    value: str
    #: The model's value before review (None when the cell was empty).
    original: str | None
    page: int | None
    char_start: int | None
    char_end: int | None
    created: str = ""


def save_correction(
    vault: Vault,
    document_id: str,
    field: str,
    value: str,
    *,
    fieldset: str,
    original: Cell | None = None,
    page: int | None = None,
    char_start: int | None = None,
    char_end: int | None = None,
) -> Correction:
    """Store (or replace) the reviewed value of one cell; the span defaults to the cell's."""
    if original is not None and page is None:
        page, char_start, char_end = original.page, original.char_start, original.char_end
    correction = Correction(
        document_id,
        fieldset,
        field,
        value,
        original.value if original is not None else None,
        page,
        char_start,
        char_end,
        now_iso(),
    )
    with vault.write() as txn:
        txn.connection.execute(
            "INSERT OR REPLACE INTO task_outputs (id, task, created, document_ids, result)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                f"{TASK}:{fieldset}:{document_id}:{field}",
                TASK,
                correction.created,
                json.dumps([document_id]),
                json.dumps(asdict(correction)),
            ),
        )
    return correction


def load_corrections(vault: Vault) -> list[Correction]:
    with vault.write() as txn:  # the vault exposes task tables only inside a transaction
        rows = txn.connection.execute(
            "SELECT result FROM task_outputs WHERE task = ? ORDER BY created, id", (TASK,)
        ).fetchall()
    return [Correction(**json.loads(row[0])) for row in rows]


def export_corrections_jsonl(vault: Vault, path: Path) -> int:
    """One JSON line per correction: document text span, field, corrected value."""
    count = 0
    pages: dict[str, dict[int, str]] = {}
    with path.open("w", encoding="utf-8") as out:
        for item in load_corrections(vault):
            if item.document_id not in pages:
                pages[item.document_id] = {p.page: p.text for p in vault.pages(item.document_id)}
            text = pages[item.document_id].get(item.page or 0, "")
            if item.char_start is not None and item.char_end is not None:
                span = text[item.char_start : item.char_end]
            else:
                span = ""
            line = {
                "document_id": item.document_id,
                "page": item.page,
                "char_start": item.char_start,
                "char_end": item.char_end,
                "text": span,
                "fieldset": item.fieldset,
                "field": item.field,
                "value": item.value,
                "original": item.original,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count
