"""The clause check without a model: schema, prompt, retrieval gate, on a real NDA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from app.engine import Engine
from app.engine.structured import bound_schema, token_budget
from app.ingest.chunk import estimate_tokens
from app.ingest.importer import import_paths
from app.tasks.clauses import (
    LABELS,
    MAX_QUOTE_CHARS,
    MAX_QUOTES,
    MODEL_LABELS,
    build_messages,
    check_clause,
    clause_passages,
    clause_query,
    clause_schema,
    quote_options,
)
from app.tasks.verify import MIN_QUOTE_CHARS, find_quote
from app.vault import Vault, unlock
from tests.eval.nli_scoring import load_ndas
from tests.fixtures.vault import (  # noqa: F401
    Ready,
    ready_vault_fixture,
    vault_home_fixture,
    vault_template_fixture,
)
from tests.shared_data import SHARED_DATA

REVERSE = (
    "Receiving Party shall not reverse engineer any objects which embody Disclosing Party's "
    "Confidential Information."
)
ABSENT = "The Receiving Party shall deliver three tonnes of bananas to the Disclosing Party."


class NoModel:
    """Counts tokens like the engine would; fails the test if the model is asked."""

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model must not be called")


@pytest.fixture
def nda(ready_vault: Ready, tmp_path: Path) -> Iterator[tuple[Vault, str]]:
    """The first NDA of ContractNLI dev, imported as a .txt file."""
    first = load_ndas(SHARED_DATA / "contractnli" / "dev.json", 1)[0]
    source = tmp_path / "oisair-nda.txt"
    source.write_text(first.text, encoding="utf-8")
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    document_id = import_paths(vault, [source]).imported[0].document_id
    yield vault, document_id
    vault.lock()


def test_the_schema_offers_only_shown_sentences_and_the_three_answers() -> None:
    schema = bound_schema(clause_schema(["First sentence.", "Second one."]))
    props = schema["properties"]
    assert props["quote"]["enum"] == ["First sentence.", "Second one."]
    assert props["answer"]["enum"] == list(MODEL_LABELS)
    assert list(props) == ["quote", "answer"]  # evidence before the verdict
    assert token_budget(schema) < 100
    assert sorted(set(MODEL_LABELS.values())) == sorted(LABELS)


def test_words_every_clause_uses_weigh_less_than_the_statements_own(
    nda: tuple[Vault, str],
) -> None:
    vault, document_id = nda
    query = clause_query(REVERSE, document_id, vault)
    weights = {term.fts: term.weight for term in query.terms}
    assert weights["revers*"] > weights["confidential*"]


def test_passages_come_from_the_one_document_and_hold_the_clause(nda: tuple[Vault, str]) -> None:
    vault, document_id = nda
    passages = clause_passages(REVERSE, document_id, vault, count_tokens=estimate_tokens)
    assert passages and {p.document_id for p in passages} == {document_id}
    assert any("reverse engineer" in p.text for p in passages)
    page = {p.page: p.text for p in vault.pages(document_id)}
    for passage in passages:
        assert page[passage.page][passage.char_start : passage.char_end] == passage.text
    options = quote_options(passages, clause_query(REVERSE, document_id, vault))
    assert 0 < len(options) <= MAX_QUOTES
    for number, sentence in options:  # every option is real text of its passage's page
        assert MIN_QUOTE_CHARS <= len(sentence) <= MAX_QUOTE_CHARS
        assert find_quote(sentence, page[passages[number - 1].page]) is not None
    assert "reverse engineer" in options[0][1]  # the best-matching sentence comes first
    messages = build_messages(REVERSE, "oisair-nda", passages, [s for _, s in options])
    assert messages[0]["role"] == "system" and "JSON" in messages[0]["content"]
    user = messages[1]["content"]
    assert REVERSE in user and "[1] page 1:" in user and '"not mentioned"' in user
    assert f"- {options[0][1]}" in user  # the candidates, best first


def test_a_statement_the_document_never_words_is_not_mentioned_without_the_model(
    nda: tuple[Vault, str],
) -> None:
    vault, document_id = nda
    finding = check_clause(ABSENT, document_id, cast(Engine, NoModel()), vault)
    assert finding.label == "NotMentioned" and not finding.model_called
    assert finding.passages == () and finding.quote == "" and not finding.cited
    assert finding.page is None and finding.to_json()["label"] == "NotMentioned"
