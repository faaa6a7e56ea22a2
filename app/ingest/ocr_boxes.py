"""From a quote in a scanned page's text to rectangles on its page image.

OCR (app/ingest/ocr.py) keeps, for every word, its span in the page text and its box on
the page. The source viewer finds a quote in the text, as on any page, and these pure
functions turn that span into the rectangles it outlines. No Qt here: the GUI only
draws what comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from app.ingest.types import OcrWord, PageOcr

if TYPE_CHECKING:  # the parsing worker never imports the vault (nor SQLCipher)
    from app.ingest.render import RenderedPage
    from app.vault.documents import PageOcrRecord


def span_rects(
    words: Sequence[OcrWord], start: int, end: int, scale: float = 1.0
) -> list[tuple[float, float, float, float]]:
    """Rectangles covering the words of text span [start, end), one per line.

    A quote is first found in the page text (as on text PDFs); the words overlapping
    it are merged line by line, so a highlight reads like a marker stroke rather than a
    row of separate boxes. ``scale`` converts page units to the caller's pixels.
    """
    rects: list[list[float]] = []
    last: OcrWord | None = None
    for word in words:
        if word.end <= start or word.start >= end:
            continue
        same_line = last is not None and word.top < last.bottom and word.bottom > last.top
        if same_line and rects and word.left >= rects[-1][0]:
            box = rects[-1]
            box[1], box[2], box[3] = min(box[1], word.top), word.right, max(box[3], word.bottom)
        else:
            rects.append([word.left, word.top, word.right, word.bottom])
        last = word
    return [(a * scale, b * scale, c * scale, d * scale) for a, b, c, d in rects]


def ocr_record(ocr: PageOcr) -> PageOcrRecord:
    """The vault's storage form of a page's OCR (plain tuples, JSON in the database)."""
    from app.vault.documents import PageOcrRecord

    return PageOcrRecord(
        ocr.engine,
        ocr.languages,
        ocr.confidence,
        ocr.width,
        ocr.height,
        tuple(
            (w.text, w.start, w.end, w.left, w.top, w.right, w.bottom, w.confidence)
            for w in ocr.words
        ),
    )


def quote_rects(
    record: PageOcrRecord, span: tuple[int, int] | None, image_width: float
) -> list[tuple[float, float, float, float]]:
    """Boxes in image pixels covering ``span`` of the page text on a page image
    ``image_width`` pixels wide (the viewer's rendering of the scanned page)."""
    if span is None or record.width <= 0:
        return []
    words = [OcrWord(*w) for w in record.words]
    return span_rects(words, span[0], span[1], image_width / record.width)


def ocr_highlights(
    rendered: RenderedPage | None, record: PageOcrRecord | None, span: tuple[int, int] | None
) -> RenderedPage | None:
    """``rendered`` with the quote outlined from OCR word boxes when the page is a scan.

    A text PDF's own highlights (from its text layer) are kept as they are; a scanned
    page has no text layer to search, so its stored word boxes stand in for it.
    """
    if rendered is None or record is None or rendered.highlights or span is None:
        return rendered
    boxes = quote_rects(record, span, rendered.width)
    return replace(rendered, highlights=tuple(boxes))
