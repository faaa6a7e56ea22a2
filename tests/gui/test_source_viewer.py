"""The source viewer shows an imported image document as its page, the quote outlined.

A PNG cut from the scanned court opinion (image-pdf.pdf, page 2, down to "Oklahoma
water laws") is imported into a real vault, so real Tesseract recognises it in the
sandboxed worker; the viewer then opens it with that phrase as the quote. The page
pixmap must be there, narrowed to the viewer's page width, and the outline must be
drawn where OCR found the phrase: the pen's colour on the box's edge, paper inside
a margin away from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from app.gui.source_viewer import IMAGE_WIDTH, SourceViewer, load_page, render_image
from app.ingest.importer import import_paths
from app.ingest.types import IngestLimits
from app.tasks.quote import Quote
from app.vault import Vault, unlock
from tests.fixtures.vault import Ready
from tests.shared_data import FILES

SCAN = FILES / "court" / "image-pdf.pdf"
PHRASE = "Oklahoma water laws"  # printed on page 2 of the scan, near the top
PEN = QColor(200, 120, 0)  # the viewer's outline colour


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened
    opened.lock()


def scan_image(fmt: str) -> bytes:
    """The top 30 % of page 2 of the scan at 200 dpi, encoded by Qt as ``fmt``."""
    document = pdfium.PdfDocument(SCAN)
    try:
        bitmap = document[1].render(scale=200 / 72, grayscale=True)
        image = QImage(
            bytes(bitmap.buffer),
            bitmap.width,
            bitmap.height * 3 // 10,
            bitmap.stride,
            QImage.Format.Format_Grayscale8,
        ).copy()
        bitmap.close()
    finally:
        document.close()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, fmt)
    return bytes(data.data())


def near(color: QColor, other: QColor, tolerance: int = 40) -> bool:
    return all(
        abs(a - b) <= tolerance for a, b in zip(color.getRgb()[:3], other.getRgb()[:3], strict=True)
    )


def test_image_document_page_is_drawn_with_the_quote_outlined(
    qtbot, vault: Vault, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "exhibit-4.png"
    path.write_bytes(scan_image("PNG"))
    (imported,) = import_paths(vault, [path], limits=IngestLimits()).imported
    assert imported.kind == "image" and "ocr" in imported.flags

    viewer = SourceViewer()
    qtbot.addWidget(viewer)
    viewer.resize(1100, 800)
    viewer.show()
    viewer.show_page(vault, imported.document_id, 1, PHRASE)
    assert viewer.shown == (imported.document_id, 1)
    assert "scanned page" in viewer.title.text()

    pixmap = viewer.image.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    assert pixmap.width() == IMAGE_WIDTH  # a 1,700 px scan narrowed to the page width
    assert "[Oklahoma water laws]" in viewer.text.toPlainText()

    view = load_page(vault, imported.document_id, 1, PHRASE)
    assert view.rendered is not None
    (box,) = view.rendered.highlights  # one printed line
    left, top, right, bottom = box
    # Three words at about 11 px per character on a 918 px page, in the upper part.
    assert 100 < right - left < 400 and 5 < bottom - top < 40
    assert 0 < left < right < IMAGE_WIDTH and 0 < top < bottom < pixmap.height()

    image = pixmap.toImage()
    # The outline is drawn 2 px outside the word box, with a 2 px pen.
    edge = [(int(x), int(top) - 2) for x in range(int(left) + 4, int(right) - 4, 7)]
    assert all(near(image.pixelColor(x, y), PEN) for x, y in edge)
    outside = [(int(x), int(top) - 12) for x in range(int(left) + 4, int(right) - 4, 7)]
    assert not any(near(image.pixelColor(x, y), PEN) for x, y in outside)

    if shot := os.environ.get("CHAMBERS_SCREENSHOT"):  # for a person to look at
        assert viewer.grab().save(shot)


def test_render_image_reads_jpeg_and_keeps_small_images_as_they_are(qapp) -> None:  # type: ignore[no-untyped-def]
    wide = render_image(scan_image("JPG"))
    assert wide is not None and wide.width == IMAGE_WIDTH and wide.highlights == ()
    assert len(wide.bgr) == wide.stride * wide.height and wide.stride >= wide.width * 3

    small = QImage(300, 200, QImage.Format.Format_RGB32)
    small.fill(QColor(255, 255, 255))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert small.save(buffer, "PNG")
    page = render_image(bytes(data.data()))
    assert page is not None and (page.width, page.height) == (300, 200)
    assert page.bgr[:3] == b"\xff\xff\xff"
    assert render_image(b"not an image") is None


VECTOR = FILES / "court" / "vector-pdf.pdf"
TWICE = "Alabama v. North Carolina, 560"  # twice on page 3 of the opinion


def test_the_viewer_marks_a_quotes_own_span_not_the_first_match(qtbot, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    """A Quote of the second of two identical phrases is marked there, in text and image;
    only text kept without a span (an older stored result) is searched for."""
    (imported,) = import_paths(vault, [VECTOR], limits=IngestLimits()).imported
    text = next(p.text for p in vault.pages(imported.document_id) if p.page == 3)
    first = text.index(TWICE)
    second = text.index(TWICE, first + 1)
    quote = Quote.cut(imported.document_id, 3, text, second, second + len(TWICE))
    assert quote.text == TWICE == text[quote.start : quote.end]

    viewer = SourceViewer()
    qtbot.addWidget(viewer)
    viewer.resize(1100, 800)
    viewer.show()
    viewer.show_page(vault, imported.document_id, 3, quote)
    assert viewer.view is not None and viewer.view.span == (second, second + len(TWICE))
    shown = viewer.text.toPlainText()
    assert shown.count(f"[{TWICE}]") == 1
    before = shown[: shown.index(f"[{TWICE}]")].split()
    assert before[-6:] == text[:second].split()[-6:]  # the words before the second one

    searched = load_page(vault, imported.document_id, 3, TWICE)  # text without a span
    assert searched.span == (first, first + len(TWICE))
    by_span = load_page(vault, imported.document_id, 3, quote)
    assert by_span.rendered is not None and searched.rendered is not None
    assert by_span.rendered.highlights and searched.rendered.highlights
    # The page image outlines the second match: lower on the page than the first.
    assert by_span.rendered.highlights[0][1] > searched.rendered.highlights[0][1] + 5

    if shot := os.environ.get("CHAMBERS_SCREENSHOT"):  # for a person to look at
        qtbot.wait(50)
        assert viewer.grab().save(shot)
