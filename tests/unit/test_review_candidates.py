"""Candidate sentences are exact spans of their page; a quote off its page trips the check."""

from __future__ import annotations

import pytest

from app.ingest.text import normalise
from app.tasks.candidates.document import Page
from app.tasks.retrieve import build_query
from app.tasks.review import load_playbook
from app.tasks.review.candidates import (
    QuoteNotOnPageError,
    assert_on_page,
    rank_sentences,
    review_sentences,
)
from tests.eval.nli_scoring import load_ndas
from tests.shared_data import SHARED_DATA

DEV = SHARED_DATA / "contractnli" / "dev.json"


def test_every_sentence_of_real_ndas_is_its_pages_own_text() -> None:
    for nda in load_ndas(DEV, 3):
        page = normalise(nda.text)  # what the vault stores for a .txt file
        sentences = review_sentences([Page(1, page)])
        assert len(sentences) > 10
        for s in sentences:
            assert s.text == page[s.start : s.end] and s.text == s.text.strip()
            assert len(s.text) <= 700
            start, end = assert_on_page(s.text, 1, {1: page})
            if "\u2026" not in s.text and "..." not in s.text:  # an ellipsis marks a gap
                assert page[start:end].lower() in s.text.lower()  # edge punctuation aside


def test_a_quote_not_on_its_page_trips_the_check() -> None:
    pages = {1: "The Recipient shall return all materials.", 2: "Governed by the laws of Ohio."}
    assert assert_on_page("shall return all materials", 1, pages) is not None
    with pytest.raises(QuoteNotOnPageError):
        assert_on_page("shall return all materials", 2, pages)  # right words, wrong page
    with pytest.raises(QuoteNotOnPageError):
        assert_on_page("The Recipient may keep all materials.", 1, pages)
    with pytest.raises(QuoteNotOnPageError):
        assert_on_page("anything at all", 3, pages)  # no such page


def test_the_clauses_own_wording_ranks_its_sentence_first() -> None:
    nda = load_ndas(DEV, 1)[0]
    page = normalise(nda.text)
    statement = load_playbook("nda").statement("nda-11")  # no reverse engineering
    ranked = rank_sentences(
        statement, review_sentences([Page(1, page)]), build_query(statement.statement)
    )
    assert ranked[0].entail and "reverse engineer" in ranked[0].sentence.text
    assert not any(c.entail for c in ranked[-5:])
