"""Export an Extract grid as CSV, XLSX or JSON; an unsupported cell is marked in words.

- CSV: one row per document; per field five columns: the value, ``<field> status``,
  ``<field> page``, ``<field> quote`` and ``<field> reviewed`` ("yes" once a person
  accepted or corrected the value, "flagged" while a person has flagged it for a second
  look; see app/tasks/corrections.py).
- XLSX: sheet "Grid" (documents x field values; an unreviewed unsupported cell gets a fill
  *and* a comment beginning "UNSUPPORTED", a reviewed cell a comment beginning
  "REVIEWED", and the value cell of a not-found field stays empty) and sheet "Evidence"
  (one line per cell: value, status, page, quote, reviewed).
- JSON: ``Grid.to_json()``.

Every text cell of CSV and XLSX passes through :func:`neutralise`: a document title or a
quoted value is written by whoever wrote the document, and a cell starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return is run as a formula by spreadsheet programs
(CSV injection, OWASP). Such text gets a leading apostrophe, and XLSX cells are stored as
string data, so nothing an author wrote can become a live formula. JSON is left verbatim.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from app.tasks.extract import Cell, Grid

FORMATS = ("csv", "xlsx", "json")
UNSUPPORTED_FILL = "FFF2CC"

#: Leading characters that make a spreadsheet program treat a cell as a formula.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?%?")


def neutralise(value: Any) -> Any:
    """``value`` safe to put in a spreadsheet cell: formula-leading text gets a ``'``.

    A plain signed number ("-5", "+1,200.50") is left alone: it cannot run anything and an
    apostrophe would turn an amount into text. Non-strings (page numbers, None) pass through.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_LEADS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def _text_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell as data, never as a formula (openpyxl reads ``=...`` as one)."""
    target = sheet.cell(row, column)
    target.value = neutralise(value)
    if isinstance(target.value, str):
        target.data_type = "s"
    return target


def _write_row(sheet: Any, row: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        _text_cell(sheet, row, column, value)


def review_mark(cell: Cell) -> str:
    """The ``reviewed`` column: "yes" (accepted or corrected), "flagged" or ""."""
    return "flagged" if cell.flagged else "yes" if cell.reviewed else ""


def header(grid: Grid) -> list[str]:
    columns = ["document_id", "document"]
    for _, title in grid.fields:
        columns += [
            title,
            f"{title} status",
            f"{title} page",
            f"{title} quote",
            f"{title} reviewed",
        ]
    return columns


def to_csv(grid: Grid, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([neutralise(title) for title in header(grid)])
        for row in grid.rows:
            line: list[str | int] = [row.document_id, row.title]
            for name, _ in grid.fields:
                cell = row.cells[name]
                reviewed = review_mark(cell)
                line += [cell.value or "", cell.status, cell.page or "", cell.quote, reviewed]
            writer.writerow([neutralise(value) for value in line])
    return path


def to_json(grid: Grid, path: Path) -> Path:
    path.write_text(json.dumps(grid.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def to_xlsx(grid: Grid, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Grid"
    _write_row(sheet, 1, ["Document ID", "Document"] + [title for _, title in grid.fields])
    fill = PatternFill("solid", start_color=UNSUPPORTED_FILL, end_color=UNSUPPORTED_FILL)
    for r, row in enumerate(grid.rows, start=2):
        _text_cell(sheet, r, 1, row.document_id)
        _text_cell(sheet, r, 2, row.title)
        for c, (name, _) in enumerate(grid.fields, start=3):
            cell = row.cells[name]
            target = _text_cell(sheet, r, c, cell.value)
            if cell.flagged:
                target.comment = Comment("FLAGGED by a person for a second look", "Chambers")
            elif cell.reviewed:
                where = f'page {cell.page}: "{cell.quote}"' if cell.page else "no source page"
                text = f"REVIEWED by a person (model's evidence: {cell.status}, {where})"
                target.comment = Comment(text, "Chambers")
            elif cell.status == "unsupported":
                target.fill = fill
                text = f'UNSUPPORTED: quote not found on page {cell.page}: "{cell.quote}"'
                target.comment = Comment(text, "Chambers")
            elif cell.status == "supported":
                target.comment = Comment(f'Page {cell.page}: "{cell.quote}"', "Chambers")
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    evidence = book.create_sheet("Evidence")
    _write_row(
        evidence,
        1,
        ["Document ID", "Document", "Field", "Value", "Status", "Page", "Quote", "Reviewed"],
    )
    line = 1
    for row in grid.rows:
        for name, title in grid.fields:
            cell = row.cells[name]
            line += 1
            _write_row(
                evidence,
                line,
                [
                    row.document_id,
                    row.title,
                    title,
                    cell.value,
                    cell.status,
                    cell.page,
                    cell.quote,
                    review_mark(cell),
                ],
            )
    for heading in evidence[1]:
        heading.font = Font(bold=True)
    book.save(path)
    return path


def export(grid: Grid, path: Path) -> Path:
    """Write ``grid`` in the format named by ``path``'s suffix (.csv, .xlsx or .json)."""
    kind = path.suffix.lower().lstrip(".")
    if kind == "csv":
        return to_csv(grid, path)
    if kind == "xlsx":
        return to_xlsx(grid, path)
    if kind == "json":
        return to_json(grid, path)
    raise ValueError(f"Unknown export format {path.suffix!r}; use one of {', '.join(FORMATS)}.")
