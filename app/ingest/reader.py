"""Dispatch bytes to the right reader and assemble an ``ExtractedDocument``.

``read_bytes`` is the whole of extraction as a pure function of (bytes, name, limits):
no files, no processes, no vault. It runs inside the sandboxed worker for isolation,
and directly in tests and tools. Attachments recurse through the same function, with
a depth cap so a message nested in itself cannot recurse forever.
"""

from __future__ import annotations

import hashlib

from app.ingest.detect import MIME_TYPES, detect_kind, image_mime
from app.ingest.errors import EmptyFileError, IngestError, TooLargeError
from app.ingest.types import ExtractedDocument, IngestLimits, PageText


def read_bytes(data: bytes, name: str, limits: IngestLimits, depth: int = 0) -> ExtractedDocument:
    """Read one file's bytes into pages, or raise an ``IngestError`` naming ``name``."""
    if len(data) > limits.max_bytes:
        raise TooLargeError(
            name,
            f"it is {len(data) / 2**20:.1f} MiB, more than the limit of {limits.max_bytes / 2**20:.0f} MiB",
        )
    kind = detect_kind(data, name)
    title = ""
    children: list[ExtractedDocument] = []
    flags: set[str] = set()
    mime = MIME_TYPES.get(kind, "application/octet-stream")

    def read_child(payload: bytes, filename: str) -> ExtractedDocument:
        return _read_attachment(payload, filename, limits, depth + 1)

    if kind == "pdf":
        from app.ingest.pdf import read_pdf

        pages, metadata, title = read_pdf(data, name, limits)
    elif kind == "docx":
        from app.ingest.docx import read_docx

        pages, metadata, title = read_docx(data, name, limits)
        if limits.ocr_enabled and not any(page.text.strip() for page in pages):
            from app.ingest.ocr import ocr_docx_images  # a scan pasted into Word

            pages = ocr_docx_images(data, name, limits, metadata) or pages
    elif kind == "eml":
        from app.ingest.mail import read_eml

        pages, metadata, title, children = read_eml(data, name, read_child)
    elif kind == "msg":
        from app.ingest.mail import read_msg

        pages, metadata, title, children = read_msg(data, name, read_child)
    elif kind == "html":
        from app.ingest.htmltext import read_html

        pages, metadata, title = read_html(data)
    elif kind == "rtf":
        from app.ingest.text import read_rtf

        pages, metadata = read_rtf(data, name)
    elif kind == "image":
        from app.ingest.images import check_image
        from app.ingest.ocr import ocr_image_pages

        check_image(data, name, limits)  # truncated, empty, bomb: refused before OCR
        metadata, mime = {"page_basis": "none"}, image_mime(data)
        pages = ocr_image_pages(data, name, limits, metadata)
        flags.add("needs_ocr")
    else:
        from app.ingest.text import read_text

        pages, metadata = read_text(data)

    if any(page.needs_ocr for page in pages):
        flags.add("needs_ocr")
    if any(page.ocr is not None for page in pages):
        flags.add("ocr")
    if (
        kind != "image"
        and not any(page.text.strip() for page in pages)
        and "needs_ocr" not in flags
    ):
        raise EmptyFileError(name, "it contains no text")
    if children:
        flags.add("has_attachments")
    return ExtractedDocument(
        name=name,
        title=title or _stem(name),
        kind=kind,
        mime_type=mime,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=tuple(pages),
        flags=frozenset(flags),
        metadata=metadata,
        children=tuple(children),
        content=data,
    )


def warm_up() -> None:
    """Import the common readers now (the worker calls this before taking files).

    extract_msg is left to the first .msg file: it alone takes ~0.4 s to import, longer
    than reading a typical PDF, and most imports never see an Outlook message.
    """
    import docx  # noqa: F401
    import pypdfium2  # noqa: F401
    import striprtf.striprtf  # noqa: F401

    import app.ingest.docx
    import app.ingest.htmltext
    import app.ingest.mail
    import app.ingest.pdf
    import app.ingest.text  # noqa: F401


def _read_attachment(data: bytes, name: str, limits: IngestLimits, depth: int) -> ExtractedDocument:
    """An attachment that cannot be read is kept (its bytes matter) but flagged, with the
    refusal's reason keyword, instead of failing the whole message."""
    try:
        if depth > limits.max_attachment_depth:
            raise TooLargeError(name, "attachments are nested too deeply")
        return read_bytes(data, name, limits, depth)
    except IngestError as exc:
        return ExtractedDocument(
            name=name,
            title=_stem(name),
            kind="binary",
            mime_type="application/octet-stream",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            pages=(),
            flags=frozenset({"unreadable"}),
            metadata={"refused": exc.reason},
            content=data,
        )


def _stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


__all__ = ["PageText", "read_bytes"]
