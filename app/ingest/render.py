"""Render a stored PDF page for the source viewer, and find a quote's boxes on it.

Only documents already imported (and so already parsed once in the sandbox) are
rendered, in-process, one page at a time. Pixels come back as raw 24-bit BGR rows so
the GUI can wrap them without an imaging library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedPage:
    #: 24-bit BGR pixels, ``stride`` bytes per row.
    bgr: bytes
    width: int
    height: int
    stride: int
    #: Rectangles (left, top, right, bottom) in image pixels that cover the quote.
    highlights: tuple[tuple[float, float, float, float], ...]


def render_pdf_page(
    content: bytes, page: int, *, scale: float = 1.5, quote: str = ""
) -> RenderedPage:
    """Page ``page`` (1-based) of a PDF held in memory, with ``quote`` located if given."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        pdf_page = document[page - 1]
        _, height = pdf_page.get_size()
        bitmap = pdf_page.render(scale=scale, rev_byteorder=False)
        boxes = _quote_boxes(pdf_page, quote, height, scale) if quote.strip() else ()
        rendered = RenderedPage(
            bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, boxes
        )
        bitmap.close()
        pdf_page.close()
        return rendered
    finally:
        document.close()


def _quote_boxes(
    pdf_page: object, quote: str, page_height: float, scale: float
) -> tuple[tuple[float, float, float, float], ...]:
    """Boxes of the first match of the quote (or of its opening words, across line breaks)."""
    textpage = pdf_page.get_textpage()  # type: ignore[attr-defined]
    try:
        words = quote.split()
        for size in (len(words), 12, 6):
            probe = " ".join(words[:size])
            if not probe:
                continue
            searcher = textpage.search(probe, match_case=False)
            found = searcher.get_next()
            searcher.close()
            if found:
                index, count = found
                boxes = []
                for i in range(textpage.count_rects(index, count)):
                    left, bottom, right, top = textpage.get_rect(i)
                    boxes.append(
                        (
                            left * scale,
                            (page_height - top) * scale,
                            right * scale,
                            (page_height - bottom) * scale,
                        )
                    )
                return tuple(boxes)
        return ()
    finally:
        textpage.close()
