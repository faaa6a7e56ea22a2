"""The NDA review over a real NDA (ContractNLI dev, first document) in a real vault.

The NDA is imported as a .txt file into an encrypted vault, as a lawyer would drop it
in. One test decides from the playbook's cues alone (no model, seconds); the other runs
the real default model with its audit record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.engine import Engine
from app.ingest.importer import import_paths
from app.tasks.quotes import find_quote
from app.tasks.review import (
    LABELS,
    Playbook,
    Statement,
    load_playbook,
    review_document,
    run_review,
)
from app.tasks.review.review import ReviewRow
from app.vault import Vault, unlock
from tests.eval.nli_scoring import Nda, load_ndas
from tests.fixtures.vault import Ready
from tests.shared_data import SHARED_DATA


@pytest.fixture(scope="module")
def first_nda() -> Nda:
    return load_ndas(SHARED_DATA / "contractnli" / "dev.json", 1)[0]


@pytest.fixture
def nda(ready_vault: Ready, tmp_path: Path, first_nda: Nda) -> Iterator[tuple[Vault, str]]:
    source = tmp_path / "oisair-nda.txt"
    source.write_text(first_nda.text, encoding="utf-8")
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield vault, import_paths(vault, [source]).imported[0].document_id
    vault.lock()


def _check_quotes(rows: list[ReviewRow], vault: Vault, document_id: str) -> None:
    pages = {p.page: p.text for p in vault.pages(document_id)}
    for row in rows:
        assert row.label in LABELS
        if row.label == "NotMentioned":
            continue
        assert row.quote and row.page in pages and row.verified
        assert row.char_start is not None and row.char_end is not None
        assert find_quote(row.quote, pages[row.page][row.char_start : row.char_end])


def test_a_review_without_a_model_quotes_the_clauses_on_their_pages(
    nda: tuple[Vault, str], first_nda: Nda
) -> None:
    vault, document_id = nda
    seen: list[str] = []
    result = review_document(
        None, vault, document_id, "nda", on_row=lambda r: seen.append(r.statement_id)
    )
    book = load_playbook("nda")
    assert [r.statement_id for r in result.rows] == [s.id for s in book.statements] == seen
    assert all(r.decided_by == "rule" for r in result.rows)  # the fitted cue stage
    assert any("No model" in n for n in result.notes)
    _check_quotes(result.rows, vault, document_id)
    reverse = next(r for r in result.rows if r.statement_id == "nda-11")
    assert reverse.label == "Entailment" and reverse.quote and "reverse engineer" in reverse.quote
    gold = {p.key: p.gold for p in first_nda.pairs}
    right = sum(r.label == gold[r.statement_id] for r in result.rows)
    assert right >= 10, f"{right}/17 from the cues alone"


@pytest.mark.model
def test_a_review_with_the_real_model_has_verbatim_quotes_and_one_content_free_record(
    qwen_engine: Engine, nda: tuple[Vault, str], vault_home: Path
) -> None:
    vault, document_id = nda
    result = run_review(qwen_engine, vault, document_id, "nda")
    assert len(result.rows) == 17
    assert any(r.label != "NotMentioned" for r in result.rows)
    _check_quotes(result.rows, vault, document_id)
    data = result.to_json()
    assert all({"label", "page", "quote", "decided_by"} <= set(row) for row in data["rows"])
    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    (record,) = [json.loads(x) for x in log.splitlines() if '"task.run"' in x]
    details: dict[str, Any] = record["details"]
    assert details["kind"] == "review" and details["statements"] == 17
    assert record["object_ids"] == [document_id] and record["outcome"] == "ok"
    for word in ("reverse", "employees", "Receiving"):
        assert word.lower() not in log.lower()


@pytest.mark.model
def test_a_playbook_without_fitted_weights_asks_the_model_by_option_scores(
    qwen_engine: Engine, nda: tuple[Vault, str]
) -> None:
    vault, document_id = nda
    book = load_playbook("nda")
    plain = Playbook(  # the same statements, no cues and no weights: a firm's first draft
        "firm-draft", "Draft", tuple(Statement(s.id, s.statement) for s in book.statements[:6])
    )
    result = review_document(qwen_engine, vault, document_id, plain)
    assert [r.decided_by for r in result.rows] == ["default"] * 6
    assert any("No review weights" in n for n in result.notes)
    asked = [r for r in result.rows if r.model_seconds > 0]
    assert asked, "the model read the best sentences of at least one statement"
    _check_quotes(result.rows, vault, document_id)
