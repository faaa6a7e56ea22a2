"""Search queries: lawyers' punctuation is quoted, operators survive, nothing crashes."""

from __future__ import annotations

from typing import Any

import pytest
import sqlcipher3
from hypothesis import given, settings
from hypothesis import strategies as st

from app.vault import schema
from app.vault.search import SearchSyntaxError, normalise_query, search, sentence_snippet


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("non-compete", '"non-compete"'),
        ("exclusiv* OR non-compete", 'exclusiv* OR "non-compete"'),
        ('"governed by" NOT Delaware', '"governed by" NOT Delaware'),
        ("NEAR(insurance coverage, 5)", "NEAR(insurance coverage, 5)"),
        ("§ 5.05(b)", '"5.05(b)"'),
        ("(assign* OR transfer*) AND consent", "( assign* OR transfer* ) AND consent"),
        ("(unbalanced OR group", "( unbalanced OR group )"),
        ('"unterminated phrase', '"unterminated phrase"'),
    ],
)
def test_normalise_query(typed: str, sent: str) -> None:
    assert normalise_query(typed) == sent


@pytest.fixture(scope="module")
def conn() -> Any:
    db = sqlcipher3.connect(":memory:")
    schema.migrate(db, "2026-01-01T00:00:00Z")
    db.execute(
        "INSERT INTO documents (id, parent_id, title, mime_type, size, sha256, metadata, created)"
        " VALUES ('d1', NULL, 'T', 'text/plain', 1, 'x', '{}', 'now')"
    )
    text = "This Agreement is non-compete and governed by the laws of § 5.05(b) Delaware."
    db.execute(
        "INSERT INTO chunks (document_id, page, char_start, char_end, text) VALUES ('d1', 1, 0, ?, ?)",
        (len(text), text),
    )
    db.commit()
    return db


def test_hyphenated_and_section_queries_find_the_clause(conn: Any) -> None:
    assert search(conn, "non-compete")[0].page == 1
    assert search(conn, "§ 5.05(b)")
    assert "«governed by»" in search(conn, '"governed by"')[0].snippet


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab -*"()§,.:^+ANDORNOTNEAR5')), max_size=30))
def test_any_typed_query_answers_or_explains(conn: Any, typed: str) -> None:
    try:
        search(conn, typed)
    except SearchSyntaxError as exc:
        assert exc.hint


def test_a_snippet_is_the_hits_sentence_cut_around_the_hit() -> None:
    marked = (
        "Definitions apply. "
        + "The Licensee shall pay fees as set out in Schedule A, " * 3
        + "and this Agreement is «governed» «by» the laws of Delaware. Notices go by post."
    )
    shown = sentence_snippet(marked)
    assert shown.startswith("The Licensee shall pay") and shown.endswith("of Delaware.")
    assert "Definitions" not in shown and "Notices" not in shown
    long = "word " * 200 + "the «hit» is here " + "more " * 200
    cut = sentence_snippet(long, limit=120)
    assert cut.startswith("…") and cut.endswith("…") and "«hit»" in cut and len(cut) <= 124
    assert sentence_snippet("x " * 100 + "«open " + "y " * 300, limit=60).count("»") == 1
