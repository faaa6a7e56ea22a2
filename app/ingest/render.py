"""Render a stored PDF page for the source viewer, and find a quote's boxes on it.

Only documents already imported (and so already parsed once in the sandbox) are
rendered, in-process, one page at a time. Pixels come back as raw 24-bit BGR rows so
the GUI can wrap them without an imaging library.

The rendered size is capped by pixels (``MAX_PIXELS``), not by the page's own size: a
665-byte PDF can declare a 14,400-point page, which at the viewer's scale is 466 million
pixels (gigabytes, and seconds per view). Such a page is drawn reduced to the cap, and
said to be (``reduced``); a page that would be smaller than ``MIN_SCALE`` of its size
even then is not drawn at all (``too_large``), its text is still shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Most pixels one rendered page may have: 16 MP is 48 MB of BGR, about a Letter page at
#: 400 dpi; an ordinary page at the viewer's scale (1.5) is about 1.1 MP.
MAX_PIXELS = 16_000_000
#: Below this scale (points to pixels) a page is too large to draw legibly at all.
MIN_SCALE = 0.02


@dataclass(frozen=True)
class RenderedPage:
    #: 24-bit BGR pixels, ``stride`` bytes per row.
    bgr: bytes
    width: int
    height: int
    stride: int
    #: Rectangles (left, top, right, bottom) in image pixels that cover the quote.
    highlights: tuple[tuple[float, float, float, float], ...]
    #: The page was drawn smaller than asked, to stay within MAX_PIXELS.
    reduced: bool = False
    #: The page is too large to draw at all (no pixels): (width, height) in points.
    too_large: tuple[float, float] | None = None
    #: The page's size in points.
    page_size: tuple[float, float] = (0.0, 0.0)


def capped_scale(width: float, height: float, scale: float, max_pixels: int = MAX_PIXELS) -> float:
    """``scale``, lowered so that the page rendered is at most ``max_pixels``."""
    area = max(1.0, width * scale) * max(1.0, height * scale)
    return scale if area <= max_pixels else scale * math.sqrt(max_pixels / area)


def render_pdf_page(
    content: bytes, page: int, *, scale: float = 1.5, quote: str = "", at: float | None = None
) -> RenderedPage:
    """Page ``page`` (1-based) of a PDF held in memory, with ``quote`` located if given.

    ``at`` is where the quote starts, as a share of the page text (a quote's span says
    where it is; the same words may come twice on a page): of several matches, the one
    nearest that point is outlined. None: the first match."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        pdf_page = document[page - 1]
        width, height = pdf_page.get_size()
        drawn = capped_scale(width, height, scale)
        if drawn < MIN_SCALE:
            pdf_page.close()
            return RenderedPage(b"", 0, 0, 0, (), True, (width, height), (width, height))
        bitmap = pdf_page.render(scale=drawn, rev_byteorder=False)
        boxes = _quote_boxes(pdf_page, quote, height, drawn, at) if quote.strip() else ()
        rendered = RenderedPage(
            bytes(bitmap.buffer),
            bitmap.width,
            bitmap.height,
            bitmap.stride,
            boxes,
            drawn < scale,
            None,
            (width, height),
        )
        bitmap.close()
        pdf_page.close()
        return rendered
    finally:
        document.close()


def _quote_boxes(
    pdf_page: object, quote: str, page_height: float, scale: float, at: float | None = None
) -> tuple[tuple[float, float, float, float], ...]:
    """Boxes of the match of the quote (or of its opening words, across line breaks)
    nearest ``at`` (a share of the page's characters), or the first match."""
    textpage = pdf_page.get_textpage()  # type: ignore[attr-defined]
    try:
        words = quote.split()
        for size in (len(words), 12, 6):
            probe = " ".join(words[:size])
            if not probe:
                continue
            searcher = textpage.search(probe, match_case=False)
            matches: list[tuple[int, int]] = []
            while (match := searcher.get_next()) and (at is not None or not matches):
                matches.append(match)
            searcher.close()
            # The page text drops PDFium's line-end characters, so a share of it points
            # near, not exactly at, the character PDFium counts.
            target = (at or 0.0) * textpage.count_chars()
            found = min(matches, key=lambda m: abs(m[0] - target)) if matches else None
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
