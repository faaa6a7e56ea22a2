"""Chunker: exact spans, budget respected, no text lost, boundaries at clauses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest import PageText, chunk_pages, chunk_text, estimate_tokens

CONTRACT = """ARTICLE I
DEFINITIONS

1.1 "Agreement" means this agreement and its schedules.
1.2 "Services" means the services described in Schedule 1.

Section 2 Term
2.1 This Agreement begins on the Effective Date and continues for three years.
2.2 Either party may terminate on ninety days' written notice.

ARTICLE V
GOVERNING LAW
12.3 This Agreement is governed by the laws of the State of New York."""


def word_count(text: str) -> int:
    return len(text.split())


def test_spans_are_exact_and_within_one_page() -> None:
    pages = [
        PageText(1, CONTRACT),
        PageText(2, ""),
        PageText(3, "Schedule 1\n\nCleaning services."),
    ]
    chunks = chunk_pages(pages, max_tokens=30)
    assert {c.page for c in chunks} == {1, 3}
    for chunk in chunks:
        assert pages[chunk.page - 1].text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()


def test_chunks_start_at_clause_boundaries() -> None:
    chunks = chunk_text(CONTRACT, max_tokens=16, count_tokens=word_count)
    starts = [CONTRACT[s:e].split("\n", 1)[0] for s, e in chunks]
    assert all(word_count(CONTRACT[s:e]) <= 16 for s, e in chunks)
    # Every chunk begins at a heading or a numbered clause, never mid-clause.
    for first_line in starts:
        assert first_line.startswith(
            ("ARTICLE", "1.", "2.", "12.3", "Section", "GOVERNING", "DEFINITIONS")
        ), first_line
    assert any(line.startswith("12.3") for line in starts)
    # ... and ends at the end of a line, never mid-clause.
    assert all(e == len(CONTRACT) or CONTRACT[e] == "\n" for _, e in chunks)
    assert len(chunks) > 3


def test_clauses_are_packed_together_when_they_fit() -> None:
    chunks = chunk_text(CONTRACT, max_tokens=1000)
    assert chunks == [(0, len(CONTRACT))]


def test_oversized_paragraph_is_cut_at_sentences_then_words() -> None:
    sentence = "The Supplier shall indemnify the Customer against all losses. "
    text = (sentence * 20).strip() + "\n\n" + "x" * 500
    chunks = chunk_text(text, max_tokens=20)
    assert all(estimate_tokens(text[s:e]) <= 20 for s, e in chunks)
    sentence_chunks = [text[s:e] for s, e in chunks if "Supplier" in text[s:e]]
    assert all(c.endswith("losses.") for c in sentence_chunks)
    assert "".join(text[s:e] for s, e in chunks if text[s] == "x") == "x" * 500


def test_engine_style_counter_is_used() -> None:
    calls: list[str] = []

    def counting(text: str) -> int:
        calls.append(text)
        return len(text.split())

    chunks = chunk_pages([PageText(1, CONTRACT)], max_tokens=10, count_tokens=counting)
    assert calls and all(len(c.text.split()) <= 10 for c in chunks)


_ALPHABET = st.sampled_from(
    [
        "word",
        "clause",
        "12.3 ",
        "Section 4 ",
        "ARTICLE V",
        "(a) ",
        " ",
        " ",
        "\n",
        "\n\n",
        ".",
        "é",
        "\t",
        "x" * 30,
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=120).map("".join), st.integers(min_value=1, max_value=40))
def test_chunk_properties(text: str, budget: int) -> None:
    spans = chunk_text(text, max_tokens=budget)
    previous_end = 0
    covered = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)  # ordered, non-overlapping, non-empty
        piece = text[start:end]
        assert piece == piece.strip()
        assert estimate_tokens(piece) <= budget
        covered += sum(1 for ch in piece if not ch.isspace())
        previous_end = end
    # No visible character is lost or duplicated.
    assert covered == sum(1 for ch in text if not ch.isspace())
