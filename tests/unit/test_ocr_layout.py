"""The layout-aware OCR comparison (tests/eval/ocr_layout.py) scores reading, not order.

Synthetic pages pin each rule (columns listed out of order, deletions, insertions, text
on pictures, small capitals, the layer's spaces); a real court notice whose text layer
lists its two header columns differently from how OCR reads them checks the whole path:
PDFium's character boxes and Tesseract's word boxes land in the same frame.
"""

from __future__ import annotations

import pypdfium2 as pdfium

from app.ingest.ocr import ocr_pdf_page
from tests.eval.eval_ocr import edit_distance, flat
from tests.eval.ocr_layout import (
    Glyph,
    Line,
    layer_glyphs,
    ocr_lines,
    picture_boxes,
    reference,
    score,
)
from tests.shared_data import FILES


def glyphs_of(text: str, left: float, top: float, start: int, caps: bool = False) -> list[Glyph]:
    """A printed run: 5 pt per character, 10 pt tall; layer indices from ``start``."""
    out: list[Glyph] = []
    blank = True
    for offset, char in enumerate(text):
        if char == " ":
            blank = True
            continue
        x = left + 5 * offset
        out.append(Glyph(char, x, top, x + 4, top + 10, start + offset, blank, caps))
        blank = False
    return out


def line(text: str, left: float, top: float) -> Line:
    return Line(text, left, top - 1, left + 5 * len(text), top + 11)


def test_columns_listed_in_another_order_cost_nothing() -> None:
    # The layer lists the right column first; OCR reads across, line by line.
    right = glyphs_of("Clerk of Court", 300, 100, 0)
    left = glyphs_of("Chief Judge", 50, 100, 20)
    lines = [line("Chief Judge", 50, 100), line("Clerk of Court", 300, 100)]
    result, pairs = score(right + left, lines)
    assert result.errors == 0 and result.chars == len("Chief Judge") + len("Clerk of Court")
    assert pairs == [("Chief Judge", "Chief Judge"), ("Clerk of Court", "Clerk of Court")]
    layer = "Clerk of Court Chief Judge"
    assert edit_distance(layer, "Chief Judge Clerk of Court") > 10  # what plain CER charges


def test_misreads_deletions_and_insertions_are_counted() -> None:
    glyphs = glyphs_of("Section 12.3", 50, 100, 0) + glyphs_of("Page 4", 50, 700, 20)
    lines = [line("Secti0n 12.3", 50, 100), line("noise", 400, 400)]
    result, _ = score(glyphs, lines)
    assert result.deleted == len("Page4")  # the footer OCR never saw
    assert result.inserted == len("noise")
    assert result.errors == 1 + len("Page4") + len("noise")
    assert result.chars == len("Section 12.3") + len("Page4")


def test_ocr_text_on_a_picture_without_layer_text_is_not_judged() -> None:
    glyphs = glyphs_of("Dear Sir", 50, 200, 0)
    lines = [line("LAW OFFICES OF", 50, 50), line("Dear Sir", 50, 200)]
    letterhead = [(40.0, 40.0, 200.0, 70.0)]
    result, _ = score(glyphs, lines, letterhead)
    assert (result.errors, result.inserted, result.unjudged) == (0, 0, len("LAW OFFICES OF"))
    assert score(glyphs, lines)[0].inserted == len("LAW OFFICES OF")  # no picture there


def test_small_capitals_are_compared_as_printed() -> None:
    glyphs = glyphs_of("Per Curiam", 50, 100, 0, caps=True)
    result, pairs = score(glyphs, [line("PER CURIAM", 50, 100)])
    assert pairs == [("PER CURIAM", "PER CURIAM")]
    assert (result.errors, result.stored, result.folded) == (
        0,
        sum(c.islower() for c in "Per Curiam"),
        0,
    )
    plain = glyphs_of("Per Curiam", 50, 100, 0)
    assert score(plain, [line("PER CURIAM", 50, 100)])[0].errors == sum(
        c.islower() for c in "Per Curiam"
    )


def test_reference_spaces_follow_the_layer_and_the_gap() -> None:
    assert reference(glyphs_of("a bc", 0, 0, 0)) == "a bc"
    # Out of layer order: the gap decides (5 pt pitch, 4 pt glyphs: 1 pt is no space).
    jumbled = glyphs_of("ab", 0, 0, 10) + glyphs_of("cd", 10, 0, 0)
    assert reference(jumbled) == "abcd"
    apart = glyphs_of("ab", 0, 0, 10) + glyphs_of("cd", 30, 0, 0)
    assert reference(apart) == "ab cd"


def test_ocr_lines_follow_the_page_text() -> None:
    from app.ingest.types import OcrWord

    text = "two words\nnext"
    words = [
        OcrWord("two", 0, 3, 10, 10, 30, 20, 0.9),
        OcrWord("words", 4, 9, 35, 11, 70, 21, 0.9),
        OcrWord("next", 10, 14, 10, 30, 40, 40, 0.9),
    ]
    assert ocr_lines(text, words) == [
        Line("two words", 10, 10, 70, 21),
        Line("next", 10, 30, 40, 40),
    ]


def test_real_notice_scores_reading_not_order() -> None:
    """ca2_1-1.pdf page 1: a two-column header (judge | clerk) and a red ECF stamp."""
    document = pdfium.PdfDocument(FILES / "court" / "ca2_1-1.pdf")
    try:
        page = document[0]
        glyphs = layer_glyphs(page)
        textpage = page.get_textpage()
        layer = flat(textpage.get_text_range())
        textpage.close()
        width, height = page.get_size()
        assert len(glyphs) == len("".join(layer.split()))
        assert all(
            0 <= g.left < g.right <= width and 0 <= g.top < g.bottom <= height for g in glyphs
        )
        assert picture_boxes(page) == []  # a born-digital notice: no pictures
        text, result = ocr_pdf_page(page, "ca2_1-1.pdf", languages="eng", dpi=200)
        page.close()
    finally:
        document.close()
    layout, pairs = score(glyphs, ocr_lines(text, result.words))
    assert layout.errors / layout.chars < 0.01
    assert layout.deleted == 0 and layout.inserted == 0
    assert ("ROBERT A. KATZMANN CATHERINE O'HAGAN WOLFE",) * 2 in pairs
    assert edit_distance(layer, flat(text)) / len(layer) > 0.05  # the plain CER's order cost
