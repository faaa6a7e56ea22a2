"""Ingestion: files -> pages -> chunks, with provenance, in a sandbox. No vault here.

API (app/ingest/importer.py stores the results in a vault; nothing here touches one)::

    from app.ingest import extract, extract_many, chunk_pages, IngestLimits

    doc = extract(Path("contract.pdf"))          # ExtractedDocument or IngestError
    doc.sha256, doc.kind, doc.mime_type, doc.size, doc.title
    doc.pages      # tuple[PageText(number, text, needs_ocr, ocr)], numbers 1-based;
                   # ocr: PageOcr(confidence, word boxes) of a scan read by app/ingest/ocr.py
    doc.flags      # frozenset: "needs_ocr" (scans found), "ocr" (and recognised),
                   # "has_attachments"; children may be "unreadable"
    doc.metadata   # short technical strings only (page_basis, page_count, charset...)
    doc.children   # e-mail attachments, each a full ExtractedDocument
    doc.content    # the original bytes (hash of these == sha256)

    chunks = chunk_pages(doc.pages, max_tokens=512, count_tokens=engine.count_tokens)
    # ChunkSpan(page, start, end, text) with text == doc.pages[page-1].text[start:end]

    with Extractor(limits) as ex:                # one reusable worker for many files
        doc = ex.extract(path, cancel=token)
    for outcome in extract_many(paths, limits, progress, cancel, known_sha256=stored):
        outcome.document / outcome.error / outcome.duplicate_of

Every refusal is an ``IngestError`` (an ``app.errors.ChambersError``) whose message
names the file and the reason, with ``reason`` a stable keyword and a ``hint``.
Parsers run in a spawned child process under ``IngestLimits.memory_mb`` (RLIMIT_AS)
and ``timeout_s``; ``read_bytes`` is the same extraction in-process, for tests/tools.
Page numbers: PDF pages are physical pages; DOCX pages follow the breaks recorded in
the file (``metadata["page_basis"] == "docx-breaks"``); e-mail, HTML, text, RTF are one
page each.
"""

from __future__ import annotations

from app.ingest.api import (
    Extractor,
    FileNotReadableError,
    IngestOutcome,
    extract,
    extract_many,
    read_file,
)
from app.ingest.chunk import DEFAULT_MAX_TOKENS, chunk_pages, chunk_text, estimate_tokens
from app.ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    IngestError,
    ParserCrashError,
    ParserMemoryError,
    ParserTimeoutError,
    TooLargeError,
    TruncatedFileError,
    UnsupportedFormatError,
    WrongTypeError,
    ZipBombError,
)
from app.ingest.reader import read_bytes
from app.ingest.types import ChunkSpan, ExtractedDocument, IngestLimits, PageText

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "ChunkSpan",
    "CorruptFileError",
    "EmptyFileError",
    "EncryptedFileError",
    "ExtractedDocument",
    "Extractor",
    "FileNotReadableError",
    "IngestError",
    "IngestLimits",
    "IngestOutcome",
    "PageText",
    "ParserCrashError",
    "ParserMemoryError",
    "ParserTimeoutError",
    "TooLargeError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "WrongTypeError",
    "ZipBombError",
    "chunk_pages",
    "chunk_text",
    "estimate_tokens",
    "extract",
    "extract_many",
    "read_bytes",
    "read_file",
]
