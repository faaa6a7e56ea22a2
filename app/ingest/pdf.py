"""PDF reader (pypdfium2): one ``PageText`` per page, scanned pages detected.

A page whose content is a full-page image with next to no text layer is a scan: it is
marked ``needs_ocr`` and the document flagged, so a scanned exhibit never sits in the
vault looking imported but unsearchable. PDFium recovers silently from a missing tail,
so truncation is checked on the bytes (no ``%%EOF`` near the end) before opening.
"""

from __future__ import annotations

from app.ingest.errors import (
    CorruptFileError,
    EncryptedFileError,
    TooLargeError,
    TruncatedFileError,
)
from app.ingest.text import normalise
from app.ingest.types import IngestLimits, PageText

# A page with fewer visible characters than this, under an image covering most of the
# page, is a scan carrying only a stamp (e.g. a court's ECF header line).
OCR_TEXT_CHARS = 200
OCR_IMAGE_COVER = 0.5


def read_pdf(
    data: bytes, name: str, limits: IngestLimits
) -> tuple[list[PageText], dict[str, str], str]:
    """Pages, metadata and title of a PDF held in memory."""
    import pypdfium2 as pdfium

    if b"%%EOF" not in data[-2048:]:
        raise TruncatedFileError(
            name, "the PDF ends before its end-of-file marker, so part of it is missing"
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise EncryptedFileError(name, "the PDF is protected with a password") from None
        raise CorruptFileError(name, "the PDF is damaged and cannot be read") from None
    try:
        count = len(document)
        if count == 0:
            raise CorruptFileError(name, "the PDF has no pages")
        if count > limits.max_pages:
            raise TooLargeError(
                name, f"it has {count} pages, more than the limit of {limits.max_pages}"
            )
        pages = [_read_page(document, index) for index in range(count)]
        title = _title(document)
        ocr_pages = [page.number for page in pages if page.needs_ocr]
        metadata = {"page_basis": "pdf", "page_count": str(count)}
        if ocr_pages:
            metadata["ocr_pages"] = str(len(ocr_pages))
        if ocr_pages and limits.ocr_enabled:
            from app.ingest.ocr import ocr_pdf_pages

            pages = ocr_pdf_pages(document, pages, name, limits, metadata)
    finally:
        document.close()
    return pages, metadata, title


def _read_page(document: object, index: int) -> PageText:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw

    assert isinstance(document, pdfium.PdfDocument)
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = normalise(textpage.get_text_range())
        finally:
            textpage.close()
        needs_ocr = False
        visible = len("".join(text.split()))  # C speed: this runs for every page
        if visible < OCR_TEXT_CHARS:
            width, height = page.get_size()
            area = max(width * height, 1.0)
            cover = 0.0
            for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=4):
                left, bottom, right, top = obj.get_bounds()
                cover = max(cover, (right - left) * (top - bottom) / area)
            needs_ocr = cover >= OCR_IMAGE_COVER
    finally:
        page.close()
    return PageText(number=index + 1, text=text, needs_ocr=needs_ocr)


def _title(document: object) -> str:
    import pypdfium2 as pdfium

    assert isinstance(document, pdfium.PdfDocument)
    try:
        value = document.get_metadata_value("Title")
    except Exception:
        return ""
    return " ".join(str(value).split())[:300]
