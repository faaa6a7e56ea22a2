"""One quote type: every result shape quotes ``page_text[start:end]`` of a real PDF.

A CUAD contract (a real PDF, read by the real importer into a real encrypted vault) is
run through every task that cites the page: Ask (routed and retrieved), Extract,
Review, Summarise (key facts and key terms) and Draft (typed facts and a model's quote
located on its passage). Each shape's quote is the one ``Quote`` of app/tasks/quote.py,
and its text must be the page's own characters at its span: verbatim by construction,
never searched for again. The model's part is scripted (tests/fixtures/fake_engine.py);
the real model runs in the tasks' own integration tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

import pytest

from app.ingest.importer import import_paths
from app.tasks.ask import ask
from app.tasks.candidates import Extractors
from app.tasks.draft.facts import typed_value
from app.tasks.draft.pipeline import _Sources
from app.tasks.extract import document_text, extract_document
from app.tasks.fieldsets import load_fieldset
from app.tasks.quote import Quote
from app.tasks.retrieve import Passage
from app.tasks.review import review_document
from app.tasks.summarise.facts import facts_header
from app.tasks.summarise.key_terms import key_terms
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import Ready
from tests.shared_data import CUAD

CONTRACT = CUAD / "pdf" / "cuad-dev-010.pdf"  # two pages: a sponsorship agreement


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    import_paths(opened, [CONTRACT])
    yield opened
    opened.lock()


def first_option(prompt: str, labels: Sequence[str]) -> list[float]:
    return [5.0 if i == 0 else 0.0 for i in range(len(labels))]


def writer(answer: str) -> Callable[[str], str]:
    return lambda prompt: json.dumps({"answer": answer})


def verbatim(quote: Quote | None, pages: dict[int, str], document_id: str) -> Quote:
    assert quote is not None
    assert quote.document_id == document_id
    assert quote.text == pages[quote.page][quote.start : quote.end], quote
    assert quote.text.strip() and quote.start < quote.end
    return quote


def test_every_shape_quotes_the_pages_own_text_at_its_span(vault: Vault) -> None:
    (info,) = vault.list_documents()
    document_id = info.id
    pages = {p.page: p.text for p in vault.pages(document_id)}
    engine = ScriptedEngine(first_option, writer=writer("California"))
    seen: dict[str, int] = {}

    # Ask: a question routed to the governing-law rule, and one the model answers from
    # retrieved sentences (it only chooses a sentence by number).
    for question, routing in (("Which law governs this agreement?", True),
                              ("What does the sponsor receive?", False)):  # fmt: skip
        answer = ask(question, engine, vault, routing=routing)
        for cite in [*answer.citations, *answer.closest]:
            verbatim(cite.cited, pages, document_id)
            assert cite.quote == cite.cited.flat
            seen["ask"] = seen.get("ask", 0) + 1

    # Extract: every supported cell, read back as a Quote (its stored quote is one line).
    row = extract_document(document_id, load_fieldset("commercial-contract"), engine, vault)
    for cell in row.cells.values():
        cited = cell.cited(document_id)
        if cited is None:
            continue
        page = pages[cited.page]
        assert " ".join(page[cited.start : cited.end].split()) == cell.quote
        seen["extract"] = seen.get("extract", 0) + 1

    # Review: each row's quote is the sentence that carries the deciding cue.
    result = review_document(None, vault, document_id, "nda")
    for review_row in result.rows:
        if review_row.cited is not None:
            verbatim(review_row.cited, pages, document_id)
            assert review_row.quote == review_row.cited.flat
            seen["review"] = seen.get("review", 0) + 1

    # Summarise: the key facts and key terms cite their sentences.
    doc = document_text(vault, document_id)
    points = facts_header(doc) + key_terms(Extractors(doc), load_fieldset("commercial-contract"))[0]
    for point in points:
        for cited in point.cited:
            verbatim(cited, pages, document_id)
            seen["summarise"] = seen.get("summarise", 0) + 1
        assert point.cited and point.quote == point.cited[0].flat, point

    # Draft: a typed fact's sentence, and a model's quote located on its passage.
    fact = typed_value("agreement_date", "", [(document_id, doc)])
    assert fact is not None
    verbatim(fact.cited, pages, document_id)
    page = pages[1]
    words = " ".join(page[200:320].split()[1:-1])  # a model's retyping of part of the page
    passage = Passage(document_id, info.title, 1, 0, len(page), page, 1.0, 1.0)
    source = _Sources(vault, "").cite(passage, words)
    located = verbatim(source.cited, pages, document_id)
    assert source.verified and " ".join(located.text.split()) == words
    seen["draft"] = 2

    assert set(seen) == {"ask", "extract", "review", "summarise", "draft"}, seen
    assert seen["extract"] >= 5 and seen["summarise"] >= 3, seen
