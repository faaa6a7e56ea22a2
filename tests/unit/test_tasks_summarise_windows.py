"""Summarise windowing and helpers, without a model."""

from __future__ import annotations

import pytest

from app.tasks.quote import Quote
from app.tasks.summarise.pipeline import (
    STYLE_SPECS,
    Point,
    date_key,
    format_points,
    make_windows,
    merge_repeats,
    page_block,
    window_schema,
)


def words(text: str) -> int:
    return len(text.split())


def test_consecutive_pages_pack_into_windows_within_budget() -> None:
    pages = [(n, "word " * 10) for n in range(1, 8)]
    windows = make_windows(pages, words, 30)
    assert [w.pages for w in windows] == [(1, 2), (3, 4), (5, 6), (7,)]
    assert all(w.tokens <= 30 for w in windows)
    assert [p for w in windows for p in w.pages] == list(range(1, 8))
    assert windows[0].text == page_block(1, "word " * 10) + "\n\n" + page_block(2, "word " * 10)
    assert windows[0].key == "p1-2" and windows[-1].key == "p7"


def test_a_long_page_is_split_into_parts_that_keep_every_word() -> None:
    long_text = " ".join(f"w{i}" for i in range(100))
    windows = make_windows([(1, "short"), (2, long_text), (3, "short")], words, 30)
    assert windows[0].pages == (1,) and windows[-1].pages == (3,)
    parts = [w for w in windows if w.pages == (2,)]
    assert len(parts) >= 4 and [w.part for w in parts] == list(range(1, len(parts) + 1))
    assert all(w.tokens <= 30 for w in parts)
    assert len({w.key for w in windows}) == len(windows)
    rebuilt = " ".join(w.text.split("\n", 1)[1] for w in parts)
    assert rebuilt.split() == long_text.split()


def test_empty_pages_still_get_a_window() -> None:
    windows = make_windows([(1, ""), (2, "  \n"), (3, "text")], words, 100)
    assert [p for w in windows for p in w.pages] == [1, 2, 3]


def test_a_budget_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        make_windows([(1, "x")], words, 4)


def test_schema_pages_are_the_windows_pages_only() -> None:
    schema = window_schema("brief", [4, 5], STYLE_SPECS["brief"])
    item = schema["properties"]["points"]["items"]
    assert item["properties"]["page"] == {"enum": [4, 5]}
    chrono = window_schema("chronology", [9], STYLE_SPECS["chronology"])
    assert set(chrono["properties"]["events"]["items"]["required"]) == {"date", "event", "page"}


def test_dates_sort_with_partial_dates_first_and_undated_last() -> None:
    dates = ["2020-05-01", None, "2019", "2020-05", "2001-12-31"]
    assert sorted(dates, key=date_key) == ["2001-12-31", "2019", "2020-05", "2020-05-01", None]


def test_every_formatted_point_carries_a_citation() -> None:
    text = format_points([Point("A pays B.", [2, 3])], "Lease", "brief")
    assert text == "A pays B. [Lease, p. 2, 3]"
    chrono = format_points([Point("Signed.", [1], date="2020-01-02")], "Lease", "chronology")
    assert chrono == "2020-01-02: Signed. [Lease, p. 1]"


FILED = Quote("doc-1", 2, 40, 56, "filed separately")


def test_repeated_points_become_one_citing_every_page() -> None:
    points = [
        Point("The redacted portion was filed with the SEC.", [2], cited=[FILED]),
        Point("Tickets.com sponsors MP3.com.", [1]),
        Point("the redacted portion was filed with the SEC", [1]),
        Point("Paid on signing.", [3], date="1999-02"),
        Point("Paid on signing.", [4], date="1999-03"),  # another date: another event
    ]
    merged = merge_repeats(points)
    assert [p.text for p in merged] == [
        "The redacted portion was filed with the SEC.",
        "Tickets.com sponsors MP3.com.",
        "Paid on signing.",
        "Paid on signing.",
    ]
    assert merged[0].pages == [1, 2] and merged[0].quote == "filed separately"
    assert merged[0].cited == [FILED]  # the quote keeps its span through the merge
