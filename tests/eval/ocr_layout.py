"""Layout-aware OCR error rate: each OCR line against the text-layer characters under it.

The plain CER in eval_ocr.py compares two whole-page strings, so it also charges OCR for
*reading order*: a text layer lists a court's ECF stamp, a letterhead, a right-hand
column or the footnotes wherever the producing program wrote them, while Tesseract reads
them top to bottom, left to right. Those order differences are edits of whole lines,
not misread characters, and they dominate the court opinions' plain figure.

Here geometry decides what is compared. Every text-layer character has a box on the
page (pypdfium2's ``get_charbox``) and every OCR word has one too, in the same units
(points from the top-left corner of the rendered crop box). For each OCR line, its
reference is the layer's characters whose centre lies inside the line's box, in x
order, with a space where the layer has whitespace between them. Then:

- CER = (sum of per-line edit distances + layer characters under no OCR line
  (deletions) + characters of OCR lines with no layer characters (insertions)) /
  reference characters. Whitespace inside a line counts; line breaks do not.
- Both sides are NFKC normalised: some layers store ";" as U+037E or "..." as one
  ellipsis character, which print the same.
- Text OCR did not see (a stamp drawn over by an image, white or clipped text) still
  costs a deletion, and OCR noise (a vector seal read as "{ 1 4 .") an insertion, so a
  page cannot score better by losing text. The one exception: an OCR line with no
  layer text under it that lies on a picture (a letterhead, or a whole scanned page
  whose invisible layer came from another OCR) is counted apart as ``unjudged``; the
  layer says nothing about what the picture shows.
- Case: a small-capitals font prints the layer's lower case as capitals, so those
  glyphs are compared upper-cased (``Glyph.printed``); ``Score`` also keeps the
  layer's case as stored and a case-folded count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.ingest.types import OcrWord


@dataclass(frozen=True)
class Glyph:
    """One non-blank text-layer character, its box in points from the top-left corner.

    ``index`` is its position in the layer; ``space_before`` says the layer has
    whitespace (a space or a line break) right before it; ``small_caps`` that its font
    is a small-capitals font, which prints a lower-case letter as a capital.
    """

    char: str
    left: float
    top: float
    right: float
    bottom: float
    index: int
    space_before: bool
    small_caps: bool = False

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    @property
    def printed(self) -> str:
        """The character as printed: a small-caps font's "a" is a capital A on paper."""
        return self.char.upper() if self.small_caps else self.char


@dataclass(frozen=True)
class Line:
    """One OCR line: its words joined by spaces, and the union of their boxes."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Score:
    """A page's errors against its reference characters, three ways of treating case.

    ``errors`` compares with the layer's characters as printed (small capitals as
    capitals); ``stored`` with the layer's case as stored; ``folded`` ignores case.
    ``unjudged`` counts OCR characters over pictures where the layer has no text.
    """

    errors: int
    stored: int
    folded: int
    chars: int
    deleted: int  # layer characters under no OCR line
    inserted: int  # characters of OCR lines over no layer character (nor picture)
    unjudged: int


Box = tuple[float, float, float, float]
#: Font names of small-capitals faces ("EquityCapsA", "Minion-SC", "GaramondSmallCaps").
SMALL_CAPS = re.compile(r"Caps|SmallCap|[-_+]SC(?![a-z])|SC$")


def _frame(page: object) -> Callable[[float, float, float, float], Box]:
    """PDF user space (left, bottom, right, top) to the rendered page's frame.

    The page image is the crop box, origin top-left, turned by the page's rotation
    (clockwise, as PDFium renders it).
    """
    left0, bottom0, right0, top0 = page.get_cropbox()  # type: ignore[attr-defined]
    rotation = page.get_rotation()  # type: ignore[attr-defined]
    width, height = right0 - left0, top0 - bottom0

    def convert(a: float, b: float, c: float, d: float) -> Box:
        x0, x1, y0, y1 = a - left0, c - left0, top0 - d, top0 - b
        if rotation == 90:
            x0, x1, y0, y1 = height - y1, height - y0, x0, x1
        elif rotation == 180:
            x0, x1, y0, y1 = width - x1, width - x0, height - y1, height - y0
        elif rotation == 270:
            x0, x1, y0, y1 = y0, y1, width - x1, width - x0
        return x0, y0, x1, y1

    return convert


def layer_glyphs(page: object) -> list[Glyph]:
    """The text layer of a pypdfium2 page as glyphs in the rendered image's frame.

    A soft hyphen PDFium marks at a line end (U+0002) becomes "-", as
    ``app.ingest.text.normalise`` does for the page text.
    """
    import ctypes

    import pypdfium2.raw as raw

    convert = _frame(page)
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    glyphs: list[Glyph] = []
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    try:
        blank = True
        for index in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage.raw, index)
            char = "-" if code == 2 else chr(code)
            if char.isspace():
                blank = True
                continue
            if code < 32 or code in (0xFEFF, 0xFFFE, 0xFFFF):
                continue
            raw.FPDFText_GetFontInfo(textpage.raw, index, name, 256, ctypes.byref(flags))
            caps = bool(SMALL_CAPS.search(name.value.decode("latin-1")))
            box = convert(*textpage.get_charbox(index))
            glyphs.append(Glyph(char, *box, index=index, space_before=blank, small_caps=caps))
            blank = False
    finally:
        textpage.close()
    return glyphs


def picture_boxes(page: object) -> list[Box]:
    """Boxes of the page's images (a letterhead, a stamp, a whole scanned page).

    Text printed inside a picture has no text layer to judge OCR by: OCR lines there
    with no layer characters under them are counted apart, not as insertions.
    """
    import pypdfium2.raw as raw

    convert = _frame(page)
    objects = page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4)  # type: ignore[attr-defined]
    boxes = []
    for obj in objects:
        left, bottom, right, top = obj.get_bounds()
        boxes.append(convert(left, bottom, right, top))
    return boxes


def ocr_lines(text: str, words: Sequence[OcrWord]) -> list[Line]:
    """OCR words grouped into lines: words of a line are one space apart in the text
    (app/ingest/ocr.py joins lines with a newline, paragraphs with a blank line)."""
    lines: list[Line] = []
    group: list[OcrWord] = []
    for word in words:
        if group and text[group[-1].end : word.start] != " ":
            lines.append(_line(group))
            group = []
        group.append(word)
    if group:
        lines.append(_line(group))
    return lines


def _line(words: list[OcrWord]) -> Line:
    return Line(
        " ".join(w.text for w in words),
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.right for w in words),
        max(w.bottom for w in words),
    )


def assign(glyphs: Sequence[Glyph], lines: Sequence[Line]) -> list[list[Glyph]]:
    """The glyphs under each line (a glyph goes to the line whose middle is nearest,
    among those whose box holds its centre, widened by a quarter of the line's height
    so a full stop OCR dropped at a line's end still belongs to that line)."""
    under: list[list[Glyph]] = [[] for _ in lines]
    for glyph in glyphs:
        x, y = glyph.centre
        best, distance = -1, float("inf")
        for number, line in enumerate(lines):
            pad = (line.bottom - line.top) / 4
            inside_x = line.left - pad <= x <= line.right + pad
            if inside_x and line.top - pad <= y <= line.bottom + pad:
                off = abs(y - (line.top + line.bottom) / 2)
                if off < distance:
                    best, distance = number, off
        if best >= 0:
            under[best].append(glyph)
    return under


def reference(glyphs: Sequence[Glyph], printed: bool = True) -> str:
    """The glyphs of one line in x order, a space where the layer has whitespace.

    When x order jumps in the layer (a second column, a stamp over the line), the gap
    on the page decides: wider than a third of the glyphs' height is a space.
    ``printed``: small capitals as capitals (else the layer's case as stored).
    """
    ordered = sorted(glyphs, key=lambda g: g.centre[0])
    parts: list[str] = []
    previous: Glyph | None = None
    for glyph in ordered:
        if previous is not None:
            if glyph.index == previous.index + 1:
                space = False
            elif glyph.index > previous.index and glyph.space_before:
                space = True
            else:
                tall = min(glyph.bottom - glyph.top, previous.bottom - previous.top)
                space = glyph.left - previous.right > max(tall, 1.0) / 3
            if space:
                parts.append(" ")
        parts.append(glyph.printed if printed else glyph.char)
        previous = glyph
    return "".join(parts)


def _nfkc(text: str) -> str:
    """Compatibility forms folded: a layer's U+037E is the ";" OCR reads, "\u2026" is "..."."""
    return unicodedata.normalize("NFKC", text)


def _over_picture(line: Line, pictures: Sequence[Box]) -> bool:
    x, y = (line.left + line.right) / 2, (line.top + line.bottom) / 2
    return any(a <= x <= c and b <= y <= d for a, b, c, d in pictures)


def score(
    glyphs: Sequence[Glyph], lines: Sequence[Line], pictures: Sequence[Box] = ()
) -> tuple[Score, list[tuple[str, str]]]:
    """The page's layout-aware errors, and the (reference, OCR) pairs per line."""
    from tests.eval.eval_ocr import edit_distance

    under = assign(glyphs, lines)
    pairs = [
        (_nfkc(reference(group)), _nfkc(line.text))
        for group, line in zip(under, lines, strict=True)
    ]
    stored = [_nfkc(reference(group, printed=False)) for group in under]
    judged = [
        bool(ref) or not _over_picture(line, pictures)
        for (ref, _), line in zip(pairs, lines, strict=True)
    ]
    deleted = len(glyphs) - sum(len(group) for group in under)
    inserted = sum(len(ocr) for (ref, ocr), ok in zip(pairs, judged, strict=True) if ok and not ref)
    unjudged = sum(len(ocr) for (_, ocr), ok in zip(pairs, judged, strict=True) if not ok)
    scored = [(ref, raw, ocr) for (ref, ocr), raw in zip(pairs, stored, strict=True) if ref]
    errors = sum(edit_distance(ref, ocr) for ref, _, ocr in scored)
    as_stored = sum(edit_distance(raw, ocr) for _, raw, ocr in scored)
    folded = sum(edit_distance(ref.casefold(), ocr.casefold()) for ref, _, ocr in scored)
    chars = sum(len(ref) for ref, _, _ in scored) + deleted
    missing = deleted + inserted
    return (
        Score(
            errors + missing,
            as_stored + missing,
            folded + missing,
            chars,
            deleted,
            inserted,
            unjudged,
        ),
        pairs,
    )
