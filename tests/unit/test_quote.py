"""The one quote type: cut from its page, kept in each result's JSON under the old names,
read back, and located by its span (only text kept without a span is searched for)."""

from __future__ import annotations

import json

import pytest

from app.tasks.ask import Citation
from app.tasks.quote import Quote, span_on_page
from app.tasks.review import ReviewRow
from app.tasks.summarise.parts import Point

PAGE = (
    "The Supplier shall deliver monthly. Late delivery costs 2%.\n"
    "The Supplier shall deliver monthly. This Agreement is governed by Ohio law."
)
SECOND = PAGE.rindex("The Supplier shall deliver monthly.")


def second() -> Quote:
    return Quote.cut("doc-1", 2, PAGE, SECOND, SECOND + len("The Supplier shall deliver monthly."))


def test_a_quote_is_cut_from_its_page_and_a_span_off_the_page_names_the_document() -> None:
    quote = second()
    assert quote.text == PAGE[quote.start : quote.end] and quote.on(PAGE)
    with pytest.raises(ValueError, match="doc-1"):
        Quote.cut("doc-1", 2, PAGE, 10, len(PAGE) + 5)
    assert Quote.locate("doc-1", 2, PAGE, "governed  by OHIO law") == Quote.cut(
        "doc-1", 2, PAGE, PAGE.index("governed"), PAGE.index(" law.") + 4
    )
    assert Quote.locate("doc-1", 2, PAGE, "governed by Texas law") is None


def test_the_span_is_marked_not_the_first_match_and_text_without_one_is_searched() -> None:
    quote = second()
    assert span_on_page(quote, 2, PAGE) == (quote.start, quote.end)  # not the first match
    assert span_on_page(quote.text, 2, PAGE) == (0, len("The Supplier shall deliver monthly"))
    assert span_on_page(quote, 3, PAGE) is None  # another page
    moved = "Recitals.\n" + PAGE  # the page read again: the span no longer holds the words
    assert span_on_page(quote, 2, moved) == (10, 10 + len("The Supplier shall deliver monthly"))


def test_citations_and_review_rows_keep_their_json_names_and_read_back() -> None:
    cite = Citation("Supply", second(), True)
    data = json.loads(json.dumps(cite.to_json()))
    assert data == {"document_id": "doc-1", "title": "Supply", "page": 2,
                    "quote": "The Supplier shall deliver monthly.", "char_start": SECOND,
                    "char_end": SECOND + 35, "verified": True}  # fmt: skip
    assert Citation.from_json(data) == cite
    with pytest.raises(ValueError):  # kept by an older version without its span
        Citation.from_json(data | {"char_start": None})

    row = ReviewRow("s-1", "It delivers.", "Entailment", second(), 0.9, True, "rule")
    kept = json.loads(json.dumps(row.to_json()))
    assert {"page", "quote", "char_start", "char_end"} <= set(kept) and "cited" not in kept
    assert ReviewRow.from_json(kept, "doc-1") == row
    silent = ReviewRow.from_json(kept | {"char_start": None, "char_end": None}, "doc-1")
    assert silent.cited is None and silent.quote is None  # no span: nothing marked wrongly


def test_a_point_kept_before_quotes_held_their_text_shows_its_quote_unplaced() -> None:
    point = Point("Delivery is monthly.", [2], cited=[second()])
    assert Point.from_json(json.loads(json.dumps(point.to_json())), "doc-1") == point
    legacy = {"text": "Delivery is monthly.", "pages": [2], "quote": "deliver monthly",
              "cited": [{"page": 2, "start": 4, "end": 19}]}  # fmt: skip
    older = Point.from_json(legacy, "doc-1")
    assert older.cited == [] and older.unplaced == "deliver monthly" == older.quote
