"""Extract over a real encrypted vault of CUAD contracts with the real default model.

Expected values are CUAD's labels (/work/shared/data/cuad/labels.csv) for cuad-dev-009:
Governing Law "Pennsylvania", Agreement Date 3/30/2009. Kept to one short contract and
few fields so it runs in about a minute on a laptop CPU.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from app.cli import main
from app.engine import Engine
from app.ingest.importer import import_paths
from app.tasks.corrections import export_corrections_jsonl, load_corrections, save_correction
from app.tasks.extract import Cell, candidate_passages, extract_grid
from app.tasks.fieldsets import load_fieldset
from app.tasks.quotes import find_quote
from app.vault import Vault, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD

SHORT = "cuad-dev-009"  # Federated: Pennsylvania law, 3/30/2009
OTHER = "cuad-dev-005"  # PFS Funds: Massachusetts law


def _pdf(name: str) -> Path:
    return CUAD / "pdf" / f"{name}.pdf"


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    import_paths(opened, [_pdf(SHORT), _pdf(OTHER)])
    yield opened
    opened.lock()


def _ids(vault: Vault) -> dict[str, str]:
    return {d.title: d.id for d in vault.list_documents() if d.parent_id is None}


def test_candidate_passages_come_only_from_the_document_in_question(vault: Vault) -> None:
    fieldset = load_fieldset("commercial-contract")
    ids = _ids(vault)
    for title in (SHORT, OTHER):
        for item in fieldset.fields:
            found = candidate_passages(
                item, ids[title], vault, count_tokens=lambda text: len(text) // 4
            )
            assert {p.document_id for p in found} <= {ids[title]}
            pages = {p.page: p.text for p in vault.pages(ids[title])}
            for passage in found:
                assert pages[passage.page][passage.char_start : passage.char_end] == passage.text
    law = candidate_passages(
        fieldset.field("governing_law"), ids[OTHER], vault, count_tokens=lambda t: len(t) // 4
    )
    assert any("Massachusetts" in p.text for p in law)


def test_extract_fills_cells_with_page_and_verified_quote(
    qwen_engine: Engine, vault: Vault
) -> None:
    fieldset = load_fieldset("commercial-contract").subset(["governing_law", "agreement_date"])
    steps: list[float] = []
    grid = extract_grid(
        [_ids(vault)[SHORT]], fieldset, qwen_engine, vault, progress=lambda f, _: steps.append(f)
    )
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    (row,) = grid.rows
    assert row.title == SHORT and set(row.cells) == {"governing_law", "agreement_date"}
    pages = {p.page: p.text for p in vault.pages(row.document_id)}
    for cell in row.cells.values():
        assert cell.status in ("supported", "unsupported", "not_found")
        if cell.status != "not_found":
            assert cell.page in pages and cell.quote and cell.value
        if cell.status == "supported":
            assert cell.page is not None and find_quote(cell.quote, pages[cell.page])
        if cell.status == "unsupported":
            assert cell.page is not None and find_quote(cell.quote, pages[cell.page]) is None
    law = row.cells["governing_law"]
    assert law.value is not None and "Pennsylvania" in law.value, law


def test_cli_extract_to_xlsx_with_one_audit_record_without_content(
    cli_engine: Engine,
    qwen_engine: Engine,
    ready_vault: Ready,
    vault_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    assert cli_engine is qwen_engine  # the verbs get the session engine
    name = ready_vault.info.name
    assert main(["import", name, str(_pdf(SHORT)), "--no-keyring", "--json"]) == 0
    capsys.readouterr()
    out = tmp_path / "grid.xlsx"
    args = ["--fieldset", "commercial-contract", "--fields", "governing_law", "--no-keyring"]
    assert main(["extract", name, SHORT, *args, "--out", str(out)]) == 0
    assert "1 document(s) x 1 field(s)" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out)["Grid"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Document ID", "Document", "Governing law"] and rows[1][1] == SHORT
    assert main(["extract", name, *args, "--out", str(tmp_path / "grid.pdf")]) == 2

    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in log.splitlines() if '"task.run"' in line]
    assert len(records) == 1
    record = records[0]
    assert record["details"]["kind"] == "extract" and record["outcome"] == "ok"
    assert record["object_ids"] == [rows[1][0]]
    assert record["details"]["fields"] == 1 and record["details"]["documents"] == 1
    for word in ("Pennsylvania", "governed", "Federated", "commercial-contract"):
        assert word.lower() not in log.lower()


def test_reviewed_corrections_are_kept_in_the_vault_and_exported(
    vault: Vault, tmp_path: Path
) -> None:
    doc = _ids(vault)[SHORT]
    pages = {p.page: p.text for p in vault.pages(doc)}
    page = next(n for n, text in pages.items() if "Pennsylvania" in text)
    start = pages[page].index("Pennsylvania")
    cell = Cell("Delaware", "laws of Delaware", page, "unsupported")
    save_correction(vault, doc, "governing_law", "Delaware", fieldset="cc", original=cell)
    save_correction(
        vault, doc, "governing_law", "Pennsylvania", fieldset="cc", original=cell,
        page=page, char_start=start, char_end=start + len("Pennsylvania"),
    )  # fmt: skip
    (kept,) = load_corrections(vault)  # the later correction replaced the earlier one
    assert kept.value == "Pennsylvania" and kept.original == "Delaware"
    assert export_corrections_jsonl(vault, tmp_path / "c.jsonl") == 1
    line = json.loads((tmp_path / "c.jsonl").read_text(encoding="utf-8"))
    assert line["text"] == "Pennsylvania" and line["field"] == "governing_law"
    assert line["value"] == "Pennsylvania" and line["document_id"] == doc


def test_every_commercial_field_quotes_its_page_verbatim(qwen_engine: Engine, vault: Vault) -> None:
    """The whole built-in set on one contract: each shown quote is a sentence of its page."""
    fieldset = load_fieldset("commercial-contract")
    grid = extract_grid([_ids(vault)[SHORT]], fieldset, qwen_engine, vault)
    (row,) = grid.rows
    pages = {p.page: p.text for p in vault.pages(row.document_id)}
    shown = [c for c in row.cells.values() if c.quote]
    assert len(shown) >= 4
    for cell in shown:
        assert cell.status == "supported" and cell.page is not None, cell
        span = find_quote(cell.quote, pages[cell.page])
        assert span is not None and cell.char_start is not None and cell.char_end is not None
        # The cell's span is its sentence's (one Quote): the quote is that span on one line.
        assert cell.char_start <= span[0] and span[1] <= cell.char_end
        assert " ".join(pages[cell.page][cell.char_start : cell.char_end].split()) == cell.quote
        assert cell.decided_by in ("rule", "model")
    assert row.cells["governing_law"].value == "Pennsylvania"
    assert row.cells["agreement_date"].value == "March 30, 2009"


def test_a_users_own_field_set_is_answered_by_retrieve_choose_and_check(
    qwen_engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    """No typed generator: the model picks a sentence by option scores, then the value."""
    custom = {
        "type": "object",
        "properties": {
            "fee_basis": {
                "type": "string", "maxLength": 120,
                "description": "How the adviser is paid for its services.",
                "x-search": ["compensation", "fee", "pay"],
            },
            "pennsylvania_law": {
                "enum": ["Yes", "No"],
                "description": "Yes if the agreement is governed by Pennsylvania law.",
                "x-search": ["governed by", "laws of"],
            },
        },
    }  # fmt: skip
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(custom), encoding="utf-8")
    grid = extract_grid([_ids(vault)[SHORT]], load_fieldset(path), qwen_engine, vault)
    (row,) = grid.rows
    pages = {p.page: p.text for p in vault.pages(row.document_id)}
    for cell in row.cells.values():
        if cell.status == "not_found":
            continue
        assert cell.page is not None and find_quote(cell.quote, pages[cell.page]) is not None
        assert cell.decided_by in ("model", "generated")
    law = row.cells["pennsylvania_law"]
    assert law.value in ("Yes", "No")
