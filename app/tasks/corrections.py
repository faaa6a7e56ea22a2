"""Reviewed corrections of Extract cells, kept inside the matter's vault.

A reviewer who fixes a cell records the corrected value; it is stored in the vault's
``task_outputs`` table (task ``extract.correction``, one row per document x field x field
set, a later correction replacing an earlier one), so it is encrypted with the matter and
deleted with it. ``export_corrections_jsonl`` writes them as training/evaluation lines:
the document text span the value rests on, the field and the corrected value.

Accepting a cell as it stands is a correction whose value equals the model's. Each save
writes one audit record named for the task reviewed (``review_action``: ``extract.review``
for an Extract cell, ``review.label`` for a Review row's label) with the document id and
whether the value was accepted or changed; never the value, the field or the field set.
An undo in the desktop app puts the earlier correction back (``restore_correction``) or
removes the cell's correction (``withdraw_correction``), audited the same way with
``undo: true``. A cell can instead be flagged for a second look (``flagged``: the model's
value stays, shown and exported as "flagged", audited with ``flagged: true``; flags are
not training lines). ``apply_corrections`` puts the reviewed values into a grid, for
display and export; ``export_reviewed`` writes a grid with the vault's reviewed values
(one ``extract.export`` record: format and counts), the same from the CLI and the desktop
app.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from app.audit import audit_event
from app.errors import ChambersError
from app.tasks.export import export
from app.tasks.extract import Cell, Grid, Row
from app.vault import Vault
from app.vault.slots import now_iso

TASK = "extract.correction"
#: Field sets of the Review table start with this (``review:<playbook>``).
REVIEW_PREFIX = "review:"


def review_action(fieldset: str) -> str:
    """The audit action of a review: the task it belongs to, Review or Extract."""
    return "review.label" if fieldset.startswith(REVIEW_PREFIX) else "extract.review"


def _output_id(fieldset: str, document_id: str, field: str) -> str:
    return f"{TASK}:{fieldset}:{document_id}:{field}"


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
    #: Flagged for a second look: the cell keeps the model's value and is not verified.
    flagged: bool = False


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
    flagged: bool = False,
) -> Correction:
    """Store (or replace) the reviewed value of one cell; the span defaults to the cell's.

    ``flagged``: not a verified value but a flag for a second look (the cell shows and
    exports the model's value, marked "flagged")."""
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
        flagged,
    )
    _store(vault, correction)
    _audit(vault, correction)
    return correction


def _store(vault: Vault, correction: Correction) -> None:
    vault.put_task_output(
        TASK,
        _output_id(correction.fieldset, correction.document_id, correction.field),
        asdict(correction),
        document_ids=[correction.document_id],
        created=correction.created,
    )


def _audit(vault: Vault, correction: Correction, *, undo: bool = False) -> None:
    details: dict[str, bool] = {"accepted": correction.value == (correction.original or "")}
    if correction.flagged:
        details = {"flagged": True}
    if undo:
        details["undo"] = True
    audit_event(
        review_action(correction.fieldset),
        vault_id=vault.vault_id,
        object_ids=[correction.document_id],
        details=dict(details),
    )


def restore_correction(vault: Vault, correction: Correction, *, undo: bool = True) -> Correction:
    """Store ``correction`` again exactly as it was (an undo back to it, or a redo)."""
    _store(vault, correction)
    _audit(vault, correction, undo=undo)
    return correction


def withdraw_correction(vault: Vault, document_id: str, field: str, *, fieldset: str) -> bool:
    """Remove a cell's correction (its first review undone): the model's value shows again.

    True if one was stored. Audited as an undone review of the document.
    """
    removed = vault.delete_task_output(_output_id(fieldset, document_id, field))
    if removed:
        audit_event(
            review_action(fieldset),
            vault_id=vault.vault_id,
            object_ids=[document_id],
            details={"undo": True, "withdrawn": True},
        )
    return removed


def load_corrections(vault: Vault) -> list[Correction]:
    return [Correction(**output.result) for output in vault.list_task_outputs(TASK)]


def apply_corrections(grid: Grid, corrections: Iterable[Correction]) -> Grid:
    """``grid`` with every reviewed cell's value replaced and marked ``reviewed``.

    Only corrections of the grid's field set, documents and fields apply; the cell keeps
    the model's status, quote and page (the evidence), unless the reviewer gave a page.
    An empty reviewed value means "confirmed: not in the document".
    """
    found = {
        (c.document_id, c.field): c for c in corrections if c.fieldset == grid.fieldset
    }  # later corrections win
    if not found:
        return grid
    rows: list[Row] = []
    for row in grid.rows:
        cells = dict(row.cells)
        for name, cell in row.cells.items():
            item = found.get((row.document_id, name))
            if item is None:
                continue
            if item.flagged:  # a second look asked for: the model's value, not verified
                cells[name] = replace(cell, flagged=True)
                continue
            moved = item.page is not None and item.page != cell.page
            cells[name] = replace(
                cell,
                value=item.value or None,
                page=item.page if moved else cell.page,
                char_start=item.char_start if moved else cell.char_start,
                char_end=item.char_end if moved else cell.char_end,
                reviewed=True,
            )
        rows.append(replace(row, cells=cells))
    return replace(grid, rows=rows)


def export_reviewed(grid: Grid, vault: Vault, path: Path) -> Grid:
    """Write ``grid`` to ``path`` (.csv/.xlsx/.json) with the reviewed values; returns it."""
    reviewed = apply_corrections(grid, load_corrections(vault))
    try:
        export(reviewed, path)
    except OSError as exc:
        raise ChambersError(
            f"The grid could not be written to {path}: {exc.strerror or exc}.",
            "Choose a folder you can write to, and close the file if another program has it open.",
        ) from exc
    audit_event(
        "extract.export",
        vault_id=vault.vault_id,
        object_ids=reviewed.document_ids,
        details={
            "format": path.suffix.lower().lstrip("."),
            "documents": len(reviewed.rows),
            "fields": len(reviewed.fields),
            "reviewed": sum(c.reviewed for row in reviewed.rows for c in row.cells.values()),
        },
    )
    return reviewed


def export_corrections_jsonl(vault: Vault, path: Path) -> int:
    """One JSON line per correction: document text span, field, corrected value."""
    count = 0
    pages: dict[str, dict[int, str]] = {}
    with path.open("w", encoding="utf-8") as out:
        for item in load_corrections(vault):
            if item.flagged:
                continue  # a question, not a corrected value
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
