"""Extract without a model: field sets, the cell verifier, and CSV/JSON/XLSX exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from app import paths
from app.tasks.corrections import Correction, apply_corrections
from app.tasks.export import export, to_csv, to_json, to_xlsx
from app.tasks.extract import Cell, Grid, Row, search_query, verify_cell
from app.tasks.fieldsets import FieldSetError, list_fieldsets, load_fieldset

PAGE = (
    "12. Miscellaneous.\nThis Agreement shall be governed by and construed in accordance with "
    "the laws of the\u00a0State of Oklahoma. Neither party may assign this Agreement."
)
COMMERCIAL = [
    "document_name", "parties", "agreement_date", "effective_date", "expiration_date",
    "renewal_term", "notice_period_to_terminate_renewal", "governing_law", "anti_assignment",
    "change_of_control", "exclusivity", "non_compete", "termination_for_convenience",
    "cap_on_liability", "audit_rights",
]  # fmt: skip


def test_builtin_field_sets_load_with_descriptions_and_search_terms() -> None:
    assert {"commercial-contract", "nda", "lease", "employment"} <= set(list_fieldsets())
    for name in ("commercial-contract", "nda", "lease", "employment"):
        fieldset = load_fieldset(name)
        assert fieldset.fields
        for item in fieldset.fields:
            assert item.description and item.search
            assert item.schema.get("enum") == ["Yes", "No"] or item.schema["maxLength"] <= 600
    commercial = load_fieldset("commercial-contract")
    assert [f.name for f in commercial.fields] == COMMERCIAL
    law = commercial.field("governing_law")
    assert "governed by" in law.search and law.where == "end"
    assert '"governed by"' in search_query(law).fts


def test_a_user_field_set_is_found_and_a_malformed_one_is_refused_naming_the_file() -> None:
    folder = paths.data_dir() / "fieldsets"
    folder.mkdir()
    good = {
        "type": "object",
        "properties": {"court": {"type": "string", "maxLength": 80, "description": "The court."}},
    }
    (folder / "pleading.json").write_text(json.dumps(good), encoding="utf-8")
    assert "pleading" in list_fieldsets()
    assert load_fieldset("pleading").fields[0].name == "court"

    bad_cases = {
        "broken.json": "{not json",
        "unbounded.json": json.dumps(
            {"type": "object", "properties": {"x": {"type": "string", "description": "X"}}}
        ),
        "nodesc.json": json.dumps(
            {"type": "object", "properties": {"x": {"type": "string", "maxLength": 9}}}
        ),
        "badschema.json": json.dumps({"type": "object", "properties": {"x": {"type": 7}}}),
        "badsearch.json": json.dumps(
            {
                "type": "object",
                "properties": {"x": {"enum": ["A"], "description": "X", "x-search": "governed"}},
            }
        ),
    }
    for name, text in bad_cases.items():
        (folder / name).write_text(text, encoding="utf-8")
        with pytest.raises(FieldSetError) as caught:
            load_fieldset(name.removesuffix(".json"))
        assert name in caught.value.message
    with pytest.raises(FieldSetError, match="no field set named"):
        load_fieldset("no-such-set")


def test_cell_verifier_supports_real_quotes_and_flags_fabricated_ones() -> None:
    real = verify_cell(
        "Oklahoma", "governed by and construed in accordance with the laws of the State of "
        "Oklahoma", 13, PAGE, PAGE,
    )  # fmt: skip
    assert real.status == "supported" and real.page == 13
    assert real.char_start is not None and real.char_end is not None
    assert "Oklahoma" in PAGE[real.char_start : real.char_end]
    fabricated = verify_cell(
        "Texas", "This Agreement shall be governed by the laws of the State of Texas.", 13,
        PAGE, PAGE,
    )  # fmt: skip
    assert fabricated.status == "unsupported" and fabricated.value == "Texas"
    assert fabricated.char_start is None
    assert verify_cell("Yes", "", 13, PAGE, PAGE).status == "unsupported"


def _grid() -> Grid:
    return Grid(
        "commercial-contract",
        [("governing_law", "Governing law"), ("anti_assignment", "Anti-assignment"),
         ("parties", "Parties")],
        [
            Row("doc-1", "Outsourcing Agreement", {
                "governing_law": Cell("Oklahoma", "laws of the State of Oklahoma", 13,
                                      "supported", 10, 40),
                "anti_assignment": Cell("Yes", "may not assign, \"ever\"", 2, "unsupported"),
                "parties": Cell(None, "", None, "not_found"),
            }),
        ],
    )  # fmt: skip


def test_exports_round_trip(tmp_path: Path) -> None:
    grid = _grid()
    with to_csv(grid, tmp_path / "g.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["document_id"] == "doc-1"
    assert rows[0]["Governing law"] == "Oklahoma" and rows[0]["Governing law page"] == "13"
    assert rows[0]["Anti-assignment status"] == "unsupported"
    assert rows[0]["Anti-assignment quote"] == 'may not assign, "ever"'
    assert rows[0]["Parties"] == "" and rows[0]["Parties status"] == "not_found"

    data = json.loads(to_json(grid, tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data == grid.to_json()
    assert data["rows"][0]["cells"]["governing_law"]["quote"] == "laws of the State of Oklahoma"

    book = openpyxl.load_workbook(to_xlsx(grid, tmp_path / "g.xlsx"))
    sheet = book["Grid"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Document ID", "Document", "Governing law", "Anti-assignment", "Parties"]
    assert values[1] == ["doc-1", "Outsourcing Agreement", "Oklahoma", "Yes", None]
    flagged = sheet.cell(2, 4)
    assert flagged.comment is not None and flagged.comment.text.startswith("UNSUPPORTED")
    assert flagged.fill.start_color.rgb.endswith("FFF2CC")
    supported = sheet.cell(2, 3).comment
    assert supported is not None and "Page 13" in supported.text
    evidence = [[c.value for c in row] for row in book["Evidence"].iter_rows()]
    assert evidence[2][2:] == [
        "Anti-assignment", "Yes", "unsupported", 2, 'may not assign, "ever"', None
    ]  # fmt: skip

    with pytest.raises(ValueError):
        export(grid, tmp_path / "g.txt")


def test_reviewed_values_replace_the_models_and_are_marked_in_every_export(
    tmp_path: Path,
) -> None:
    grid = _grid()
    corrections = [
        Correction("doc-1", "commercial-contract", "anti_assignment", "No", "Yes", 2, None, None),
        Correction("doc-1", "commercial-contract", "governing_law", "Oklahoma", "Oklahoma",
                   13, 10, 40),
        Correction("doc-1", "other-set", "parties", "Acme", None, None, None, None),
        Correction("doc-2", "commercial-contract", "parties", "Beta", None, None, None, None),
    ]  # fmt: skip
    reviewed = apply_corrections(grid, corrections)
    cells = reviewed.rows[0].cells
    assert cells["anti_assignment"].value == "No" and cells["anti_assignment"].reviewed
    assert cells["anti_assignment"].status == "unsupported"  # the model's evidence is kept
    assert cells["governing_law"].reviewed and cells["governing_law"].char_start == 10
    assert not cells["parties"].reviewed and cells["parties"].value is None
    assert not grid.rows[0].cells["anti_assignment"].reviewed  # the input is unchanged
    assert apply_corrections(grid, []) is grid

    with to_csv(reviewed, tmp_path / "g.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["Anti-assignment"] == "No" and row["Anti-assignment reviewed"] == "yes"
    assert row["Parties reviewed"] == ""
    data = json.loads(to_json(reviewed, tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data["rows"][0]["cells"]["anti_assignment"]["reviewed"] is True
    sheet = openpyxl.load_workbook(to_xlsx(reviewed, tmp_path / "g.xlsx"))["Grid"]
    flagged = sheet.cell(2, 4)
    assert flagged.value == "No" and flagged.comment is not None
    assert flagged.comment.text.startswith("REVIEWED")
