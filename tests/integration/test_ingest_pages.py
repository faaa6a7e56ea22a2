"""Page numbers are right: phrases from known pages of the Supreme Court slip opinion land
on those pages, and chunk provenance points back to them with exact spans."""

from __future__ import annotations

import pytest

from app.ingest import ExtractedDocument, IngestLimits, chunk_pages, extract
from tests.shared_data import FILES

VECTOR = FILES / "court" / "vector-pdf.pdf"
PHRASES = {
    "prepared by the Reporter of Decisions for the convenience of the reader": 1,
    "Congress approved the Compact": 7,
    "Three things persuade us that cross-border rights were": 18,
    "It is so ordered.": 28,
}


@pytest.fixture(scope="module")
def opinion() -> ExtractedDocument:
    return extract(VECTOR, IngestLimits(ocr_enabled=False))  # OCR: test_ocr_import


def test_phrases_are_on_their_pages(opinion: ExtractedDocument) -> None:
    assert len(opinion.pages) == 30
    for phrase, page in PHRASES.items():
        found = [p.number for p in opinion.pages if phrase in p.text]
        assert found == [page], (phrase, found)


def test_chunk_provenance_points_to_the_page(opinion: ExtractedDocument) -> None:
    chunks = chunk_pages(opinion.pages, max_tokens=200)
    for phrase, page in PHRASES.items():
        holding = [c for c in chunks if phrase in c.text]
        assert holding, phrase
        for chunk in holding:
            assert chunk.page == page
            source = opinion.pages[page - 1].text
            assert source[chunk.start : chunk.end] == chunk.text
            offset = source.index(phrase)
            assert chunk.start <= offset and offset + len(phrase) <= chunk.end


def test_image_only_appendix_pages_are_marked_for_ocr(opinion: ExtractedDocument) -> None:
    assert "needs_ocr" in opinion.flags
    assert [p.number for p in opinion.pages if p.needs_ocr] == [29, 30]
