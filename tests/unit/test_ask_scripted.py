"""Ask's retrieval path on the scripted engine, in a real encrypted vault.

The scripted engine stands in for the model *under* the logic tested here: which
sentence it chooses and what short answer it writes are scripted, so a test can prove
that an answer holding a fact its sentence does not state is never shown as a finding,
that "none of these" gives "not stated", and that citations are the page's own text.
The real model runs in tests/integration/test_ask.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

import pytest

from app.tasks.ask import NOT_STATED, UNCONFIRMED, ask
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import Ready

PAGE_1 = (
    "NOTICES. All notices under this Agreement shall be sent by courier to the Buyer at "
    "12 Harbour Street, Leith, and to the Seller at 4 Mill Lane, Bristol.\n\n"
    "The Seller shall deliver the goods within thirty (30) days of each order."
)
PAGE_2 = "Late deliveries incur a credit of two percent (2%) of the order price per week."


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    with opened.write() as txn:
        info = txn.add_document(b"supply", title="Supply Agreement", mime_type="text/plain")
        txn.add_pages(info.id, [(1, PAGE_1), (2, PAGE_2)])
    yield opened
    opened.lock()


def chooser(pick: str) -> Callable[[str, Sequence[str]], list[float]]:
    """Scores that make ``pick`` (a letter, or the last option for "none") win."""

    def score(prompt: str, labels: Sequence[str]) -> list[float]:
        if "N/A" in prompt:  # the content-free prompt: no preference
            return [0.0] * len(labels)
        target = labels[-1] if pick == "none" else pick
        return [5.0 if label == target else 0.0 for label in labels]

    return score


def writer(answer: str) -> Callable[[str], str]:
    return lambda prompt: json.dumps({"answer": answer})


def page_span_is_the_quote(vault: Vault, answer_citations: list) -> None:  # type: ignore[type-arg]
    for cite in answer_citations:
        page = {p.page: p.text for p in vault.pages(cite.document_id)}[cite.page]
        assert " ".join(page[cite.char_start : cite.char_end].split()) == cite.quote


def test_a_grounded_short_answer_is_confirmed_with_its_sentence(vault: Vault) -> None:
    engine = ScriptedEngine(chooser("A"), writer=writer("within 30 days of each order"))
    answer = ask("How soon must the goods be delivered?", engine, vault, routing=False)
    assert answer.kind == "confirmed" and answer.text == "within 30 days of each order"
    assert answer.path == "retrieval" and len(answer.citations) == 1
    assert "thirty (30) days" in answer.citations[0].quote
    page_span_is_the_quote(vault, answer.citations)


def test_an_invented_fact_is_never_shown_as_the_answer(vault: Vault) -> None:
    engine = ScriptedEngine(chooser("A"), writer=writer("within 45 days, by December 31, 2023"))
    answer = ask("How soon must the goods be delivered?", engine, vault, routing=False)
    assert answer.kind == "unconfirmed" and answer.text == UNCONFIRMED
    assert "December 31, 2023" in answer.unsupported and "45 days" in answer.unsupported
    assert answer.citations and "thirty (30) days" in answer.citations[0].quote
    page_span_is_the_quote(vault, answer.citations)


def test_none_of_these_is_not_stated_with_the_closest_sentences(vault: Vault) -> None:
    engine = ScriptedEngine(chooser("none"), writer=writer("never written"))
    answer = ask("How soon must the goods be delivered?", engine, vault, routing=False)
    assert answer.kind == "not_stated" and answer.text == NOT_STATED
    assert answer.citations == [] and answer.closest
    assert engine.generations == []  # nothing was written once "none" won
    page_span_is_the_quote(vault, answer.closest)


def test_a_yes_or_no_question_is_read_from_the_chosen_sentence(vault: Vault) -> None:
    def script(prompt: str, labels: Sequence[str]) -> list[float]:
        if "N/A" in prompt:
            return [0.0] * len(labels)
        if list(labels) == ["A", "B"] and "SENTENCE:" in prompt:  # Yes (A) or No (B)
            return [3.0, 0.0]
        return [5.0 if label == "A" else 0.0 for label in labels]

    engine = ScriptedEngine(script)
    answer = ask("Do late deliveries incur a credit?", engine, vault, routing=False)
    assert answer.kind == "confirmed" and answer.yes_no == "Yes" and answer.text == "Yes."
    assert "two percent (2%)" in answer.citations[0].quote and answer.citations[0].page == 2


def test_an_unsure_yes_or_no_is_not_a_finding(vault: Vault) -> None:
    def script(prompt: str, labels: Sequence[str]) -> list[float]:
        if "N/A" in prompt:
            return [0.0] * len(labels)
        if list(labels) == ["A", "B"] and "SENTENCE:" in prompt:
            return [0.3, 0.0]  # below the margin
        return [5.0 if label == "A" else 0.0 for label in labels]

    answer = ask("Do late deliveries incur a credit?", ScriptedEngine(script), vault,
                 routing=False)  # fmt: skip
    assert answer.kind == "unconfirmed" and answer.yes_no is None and answer.citations


def test_words_found_nowhere_never_reach_the_model(vault: Vault) -> None:
    engine = ScriptedEngine(chooser("A"), writer=writer("x"))
    answer = ask("What is the price of bananas?", engine, vault)
    assert answer.kind == "not_stated" and engine.prompts == [] and engine.generations == []
