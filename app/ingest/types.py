"""The values ingestion hands to the rest of the app.

They are plain frozen dataclasses so they cross the worker-process boundary by pickling
and so the importer can store them in the vault field by field without knowing any reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IngestLimits:
    """Caps applied to every file; IT policy may tighten them.

    ``max_uncompressed`` and ``max_ratio`` guard archive formats (DOCX) before anything
    is inflated; ``timeout_s`` and ``memory_mb`` bound the parser process itself, so a
    hostile file costs at most that much time and address space.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 5000
    max_uncompressed: int = 512 * 1024 * 1024
    max_ratio: float = 200.0
    timeout_s: float = 120.0
    memory_mb: int = 2048
    max_attachment_depth: int = 3
    #: OCR of scanned pages and image documents (app/ingest/ocr.py). ``timeout_s``
    #: bounds the time between two recognised pages, so a long scan is not cut off.
    ocr_enabled: bool = True
    ocr_languages: str = "eng"
    ocr_dpi: int = 300


@dataclass(frozen=True)
class OcrWord:
    """One recognised word: ``text == page_text[start:end]``, and where it sits.

    The box (left, top, right, bottom) is in page units measured from the top-left
    corner: PDF points for a PDF page, pixels for an image document. ``confidence`` is
    the engine's 0..1 certainty for this word.
    """

    text: str
    start: int
    end: int
    left: float
    top: float
    right: float
    bottom: float
    confidence: float


@dataclass(frozen=True)
class PageOcr:
    """What OCR recognised on one page: word boxes, their overall confidence, page size.

    ``width`` and ``height`` are the page's size in the same units as the boxes, so a
    viewer scales boxes by (rendered width / ``width``) whatever the units are.
    """

    engine: str
    languages: str
    confidence: float
    width: float
    height: float
    words: tuple[OcrWord, ...]


@dataclass(frozen=True)
class PageText:
    """One page as the user would cite it: 1-based ``number`` and its full text.

    ``needs_ocr`` marks a page whose visible content is an image with (almost) no text
    layer, so a blank page is never mistaken for an empty one. It stays set after OCR
    (the page *is* a scan); ``ocr`` then holds the word boxes behind ``text``.
    """

    number: int
    text: str
    needs_ocr: bool = False
    ocr: PageOcr | None = None


@dataclass(frozen=True)
class ExtractedDocument:
    """Everything read from one file (or one e-mail attachment).

    ``metadata`` holds short technical facts only (page basis, charset, counts): never
    document content, because metadata may end up in logs. ``children`` are the
    attachments of an e-mail, each a full document of its own. ``content`` is the
    original bytes, and ``sha256`` their hash, which is the document's identity: the
    same bytes imported twice are one document.
    """

    name: str
    title: str
    kind: str
    mime_type: str
    sha256: str
    size: int
    pages: tuple[PageText, ...]
    flags: frozenset[str] = frozenset()
    metadata: dict[str, str] = field(default_factory=dict)
    children: tuple[ExtractedDocument, ...] = ()
    content: bytes = field(default=b"", repr=False)

    @property
    def text(self) -> str:
        """All pages joined by blank lines (for display; cite through ``pages``)."""
        return "\n\n".join(page.text for page in self.pages)

    @property
    def needs_ocr(self) -> bool:
        return "needs_ocr" in self.flags


@dataclass(frozen=True)
class ChunkSpan:
    """A retrievable passage: ``text == page_text[start:end]`` on page ``page``."""

    page: int
    start: int
    end: int
    text: str
