"""Draft with the real default model over a real encrypted vault, through the CLI.

What must hold whatever the small model writes: a fact goes into the draft only with a
quote that is really in its source and holds the value; anything else is a visible
placeholder; the DOCX opens; the audit record carries counts, never content.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from app.cli import main
from app.engine import Engine
from app.tasks.draft.pipeline import grounded
from app.tasks.draft.render import OPEN
from app.tasks.quotes import find_quote
from app.vault import unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD

CONTRACT = CUAD / "pdf" / "cuad-dev-009.pdf"  # Federated: a short services agreement
NDA_INSTRUCTIONS = (
    "Draft a mutual NDA between Acme Robotics Ltd and Bolt Logistics Inc so that they can "
    "evaluate a joint warehouse automation venture."
)


@pytest.fixture
def cli(
    cli_engine: Engine, qwen_engine: Engine, ready_vault: Ready, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI with the session's model, unlocking by passphrase (after the vault fixtures)."""
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    assert cli_engine is qwen_engine  # the verbs get the session engine


def _docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_facts_nobody_gave_become_placeholders_never_inventions(
    cli: None, ready_vault: Ready, vault_home: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    out = tmp_path / "nda.docx"
    name = ready_vault.info.name
    args = ["draft", name, "--template", "nda", "--instructions", NDA_INSTRUCTIONS]
    assert main([*args, "--out", str(out), "--no-keyring", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    facts = result["facts"]
    # Neither the term nor the governing law is stated anywhere: never filled in.
    for missing in ("term", "governing_law"):
        assert facts[missing]["status"] != "supported", facts[missing]
        assert f"{OPEN}{facts[missing]['title']}" in result["text"]
    for fact in facts.values():
        if fact["status"] == "supported":
            source = fact["source"]
            assert source["document_id"] is None  # no documents were chosen
            assert find_quote(source["quote"], NDA_INSTRUCTIONS) is not None
            assert grounded(fact["value"], source["quote"])
            assert fact["value"] in result["text"]
    text = _docx_text(out)
    assert "Mutual Non-Disclosure Agreement" in text and f"{OPEN}Term" in text

    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    (record,) = [json.loads(line) for line in log.splitlines() if '"task.run"' in line]
    assert record["details"]["kind"] == "draft" and record["outcome"] == "ok"
    assert record["details"]["template"] == "nda" and record["object_ids"] == []
    assert record["details"]["facts"] == 5
    for word in ("Acme", "Bolt", "warehouse", "venture"):
        assert word.lower() not in log.lower()


def test_demand_letter_cites_the_chosen_contract_and_checks_every_quote(
    cli: None, ready_vault: Ready, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = ready_vault.info.name
    assert main(["import", name, str(CONTRACT), "--no-keyring", "--json"]) == 0
    capsys.readouterr()
    instructions = "Our client is owed $48,500 under invoice 2019-114. Give them 14 days."
    out = tmp_path / "demand.docx"
    args = ["draft", name, "--template", "demand-letter", "--instructions", instructions]
    assert main([*args, "--docs", CONTRACT.stem, "--out", str(out), "--no-keyring", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    (document_id,) = result["document_ids"]
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    try:
        pages = {p.page: p.text for p in vault.pages(document_id)}
    finally:
        vault.lock()

    def source_text(source: dict[str, object]) -> str:
        if source["document_id"] is None:
            return instructions
        assert source["document_id"] == document_id  # only the chosen document is cited
        return pages[int(str(source["page"]))]

    supported = [f for f in result["facts"].values() if f["status"] == "supported"]
    for fact in supported:
        assert find_quote(fact["source"]["quote"], source_text(fact["source"])) is not None
        assert grounded(fact["value"], fact["source"]["quote"])
    amount = result["facts"]["amount_owed"]
    assert amount["status"] != "supported" or "48,500" in amount["value"]
    for section in result["sections"].values():
        for sentence in section["sentences"]:
            found = find_quote(sentence["source"]["quote"], source_text(sentence["source"]))
            assert (found is not None) == sentence["source"]["verified"]
    counts = result["counts"]
    assert counts["facts"] == 8 and counts["placeholders"] == 8 - len(supported)
    text = _docx_text(out)
    assert text.count(OPEN) >= counts["placeholders"] and "Sources" in text
    assert "Yours faithfully" in text
