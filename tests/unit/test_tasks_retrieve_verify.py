"""Ask's pure parts: question -> FTS5 query, and the quote verifier (no model, no vault)."""

from __future__ import annotations

import pytest

from app.tasks.candidates.document import closest_sentence, sentence_spans
from app.tasks.quotes import find_quote
from app.tasks.retrieve import build_query

PAGE = (
    "G.\u00a0CHOICE\u00a0OF\u00a0LAW.\u00a0This\u00a0Agreement\u00a0and\u00a0performance\n"
    "hereunder shall be governed by the laws of the State of Oklahoma without regard to "
    "conflict of laws. Subject to the requirement for arbitration under paragraph 16(C)."
)


def test_question_words_are_dropped_and_longer_words_become_prefixes() -> None:
    query = build_query("Which state's law governs the outsourcing agreement?")
    assert query.fts == "state* OR (law OR laws) OR govern* OR outsourc* OR agree*"


def test_quoted_phrases_are_kept_whole() -> None:
    query = build_query('Where does it say "choice of law"? What about termination?')
    assert query.fts == '"choice of law" OR termin*'
    assert query.coverage("G. CHOICE\u00a0OF LAW. It terminates.") == 1.0


def test_a_question_of_only_stopwords_gives_no_query() -> None:
    assert build_query("What is this about?").terms == ()


def test_exact_quote_is_found_despite_case_whitespace_and_nbsp() -> None:
    quote = "choice of law. this agreement and performance hereunder shall be governed"
    span = find_quote(quote, PAGE)
    assert span is not None
    assert PAGE[span[0] : span[1]].startswith("CHOICE\u00a0OF")
    assert PAGE[span[0] : span[1]].endswith("governed")


def test_ellipsis_parts_must_appear_in_order() -> None:
    assert find_quote("This Agreement … laws of the State of Oklahoma", PAGE) is not None
    assert find_quote("laws of the State of Oklahoma ... This Agreement", PAGE) is None


def test_a_word_broken_at_a_line_end_is_found_joined_or_as_printed() -> None:
    page = "Tarrant filed suit in federal court simultaneous-\nly with its permit application."
    joined = find_quote("filed suit in federal court simultaneously with", page)
    assert joined is not None and page[joined[0] : joined[1]].endswith("simultaneous-\nly with")
    assert find_quote("court simultaneous- ly with its permit", page) is not None
    assert find_quote("filed suit in federal court simultaneous with", page) is None


@pytest.mark.parametrize(
    "quote",
    [
        "governed by the laws of the State of Texas",  # one word changed
        "The parties agree to binding arbitration in London.",  # invented
        "law",  # too short to prove anything
        "",
    ],
)
def test_fabricated_or_trivial_quotes_are_not_verified(quote: str) -> None:
    assert find_quote(quote, PAGE) is None


def test_closest_sentence_needs_real_overlap() -> None:
    assert closest_sentence("bananas delivered late", PAGE) is None


def test_the_closest_sentence_is_one_of_the_one_splitters_sentences() -> None:
    closest = closest_sentence("governed by the laws of the State of Texas", PAGE)
    sentences = [" ".join(PAGE[s:e].split()) for s, e in sentence_spans(PAGE)]
    assert closest in sentences and "State of Oklahoma" in closest


def test_overlapping_terms_at_one_position_do_not_break_the_window() -> None:
    from app.tasks.retrieve import best_window, build_query

    query = build_query('Is it "governed by" the laws, governed?')
    text = ("x " * 800) + "This Agreement shall be governed by the laws of Texas. " + ("y " * 800)
    start, end = best_window(text, query, 300)
    assert start <= text.index("governed by") < end
