"""Scans become searchable: a real scanned court opinion imported into a real vault.

image-pdf.pdf has no text layer at all (two scanned pages of a Supreme Court slip
opinion). After import, a phrase a person reads on page 1 is found by search on page 1,
the word boxes are stored, and the quote maps to boxes where the words are printed.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.cancel import CancelToken
from app.config import ingest_limits
from app.ingest.importer import import_paths
from app.ingest.ocr_boxes import quote_rects
from app.ingest.types import IngestLimits
from app.vault import Vault, unlock
from tests.fixtures.vault import (  # noqa: F401
    Ready,
    ready_vault_fixture,
    vault_home_fixture,
    vault_template_fixture,
)
from tests.shared_data import FILES

SCAN = FILES / "court" / "image-pdf.pdf"
# Printed on page 1 of the scan (the Syllabus note), read by a person, not copied.
PHRASE = "prepared by the Reporter of Decisions for the convenience of the reader"


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened
    opened.lock()


def test_scanned_pdf_is_searchable_with_boxes_and_confidence(vault: Vault) -> None:
    messages: list[str] = []
    summary = import_paths(vault, [SCAN], progress=lambda _f, message: messages.append(message))
    (imported,) = summary.imported
    assert "ocr" in imported.flags and "needs_ocr" in imported.flags
    assert "Recognising text in image-pdf.pdf: page 2 of 2" in messages

    hits = vault.search(f'"{PHRASE}"', limit=5)
    assert hits and hits[0].document_id == imported.document_id and hits[0].page == 1
    assert vault.search('"Oklahoma water laws"', limit=5)[0].page == 2

    text = vault.pages(imported.document_id)[0].text
    record = vault.page_ocr(imported.document_id, 1)
    assert record is not None and record.confidence > 0.85
    assert (record.width, record.height) == (612.0, 792.0)
    for word in record.words:
        assert text[word[1] : word[2]] == word[0]
    info = vault.get_document_info(imported.document_id)
    assert info.metadata["ocr"] == "done" and float(info.metadata["ocr_confidence"]) > 0.85

    start = text.replace("\n", " ").index(PHRASE)
    rects = quote_rects(record, (start, start + len(PHRASE)), image_width=612 * 1.5)
    # Two printed lines ("...has been" / "prepared by the Reporter..."), in the upper
    # part of the page, inside the text column.
    assert 1 <= len(rects) <= 2
    for left, top, right, bottom in rects:
        assert 100 < left < right < 612 * 1.5 - 100
        assert 0 < top < bottom < 792 * 1.5 / 2

    # The source viewer's loader: the page image carries those boxes, and the confidence.
    from app.gui.source_viewer import load_page

    view = load_page(vault, imported.document_id, 1, PHRASE)
    assert view.ocr_confidence == record.confidence
    assert view.rendered is not None
    assert [tuple(round(v) for v in box) for box in view.rendered.highlights] == [
        tuple(round(v) for v in box) for box in rects
    ]


def test_cancel_during_ocr_stores_nothing(vault: Vault) -> None:
    cancel = CancelToken()

    def progress(_fraction: float, message: str) -> None:
        if message.startswith("Recognising text"):
            cancel.cancel()

    summary = import_paths(vault, [SCAN], progress=progress, cancel=cancel)
    assert summary.cancelled and summary.imported == []
    assert vault.list_documents() == []


def test_policy_can_turn_ocr_off(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"ocr": {"enabled": False}}), encoding="utf-8")
    monkeypatch.setenv("CHAMBERS_POLICY", str(policy))
    assert ingest_limits().ocr_enabled is False
    summary = import_paths(vault, [SCAN])
    (imported,) = summary.imported
    assert "needs_ocr" in imported.flags and "ocr" not in imported.flags
    assert vault.page_ocr(imported.document_id, 1) is None
    assert not vault.search(f'"{PHRASE}"', limit=5)


def png(gray: bytes, width: int, height: int, stride: int) -> bytes:
    """A minimal 8-bit greyscale PNG (no imaging library in the app's dependencies)."""
    rows = b"".join(b"\x00" + gray[y * stride : y * stride + width] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def top_third(height: int) -> int:
    """Rows of page 2 down to "Oklahoma water laws" (a third of the OCR time of a page)."""
    return height * 3 // 10


def test_image_document_is_recognised_as_one_page(vault: Vault, tmp_path: Path) -> None:
    document = pdfium.PdfDocument(SCAN)
    try:
        bitmap = document[1].render(scale=200 / 72, grayscale=True)
        image = png(bytes(bitmap.buffer), bitmap.width, top_third(bitmap.height), bitmap.stride)
        width = bitmap.width
    finally:
        document.close()
    path = tmp_path / "exhibit-4.png"
    path.write_bytes(image)
    summary = import_paths(vault, [path], limits=IngestLimits())
    (imported,) = summary.imported
    assert imported.kind == "image" and imported.pages == 1 and "ocr" in imported.flags
    hits = vault.search('"Oklahoma water laws"', limit=5)
    assert hits and hits[0].document_id == imported.document_id
    record = vault.page_ocr(imported.document_id, 1)
    assert record is not None and record.width == width  # image documents: pixel units


def test_docx_holding_only_a_scan_is_recognised(vault: Vault, tmp_path: Path) -> None:
    import docx

    document = pdfium.PdfDocument(SCAN)
    try:
        bitmap = document[1].render(scale=200 / 72, grayscale=True)
        image = png(bytes(bitmap.buffer), bitmap.width, top_third(bitmap.height), bitmap.stride)
    finally:
        document.close()
    (tmp_path / "scan.png").write_bytes(image)
    word = docx.Document()
    word.add_picture(str(tmp_path / "scan.png"))
    path = tmp_path / "pasted-scan.docx"
    word.save(str(path))
    summary = import_paths(vault, [path], limits=IngestLimits())
    (imported,) = summary.imported
    assert imported.kind == "docx" and imported.pages == 1 and "ocr" in imported.flags
    info = vault.get_document_info(imported.document_id)
    assert info.metadata["page_basis"] == "docx-images"
    assert vault.search('"Oklahoma water laws"', limit=5)[0].document_id == imported.document_id
