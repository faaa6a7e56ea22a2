"""Documents, pages and chunks inside an unlocked vault's database.

Writes go through :class:`WriteTxn`, which only exists inside ``Vault.write()``, so every
change is part of one transaction that also bumps the vault's generation counter.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.vault import task_outputs
from app.vault.errors import DocumentNotFoundError, VaultError, VaultIntegrityError
from app.vault.slots import now_iso
from app.vault.task_outputs import TaskOutput


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    title: str
    mime_type: str
    size: int
    sha256: str
    metadata: dict[str, Any]
    created: str
    parent_id: str | None


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    content: bytes


@dataclass(frozen=True)
class Page:
    document_id: str
    page: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A passage with provenance: ``text == page_text[char_start:char_end]`` of its page."""

    id: int
    document_id: str
    page: int
    char_start: int
    char_end: int
    text: str


class DuplicateDocumentError(VaultError):
    """The same bytes are already stored as a top-level document (``existing_id``).

    Raised inside the write transaction, so the caller's transaction rolls back; two
    imports racing on the same file thus end with one document and one "duplicate".
    """

    def __init__(self, existing_id: str) -> None:
        super().__init__(f"These bytes are already in the vault as document {existing_id}.")
        self.existing_id = existing_id


@dataclass(frozen=True)
class PageOcrRecord:
    """A page's OCR as stored: each word is (text, start, end, left, top, right,
    bottom, confidence), its span in the page text and its box in page units (PDF
    points for PDFs, pixels for images) from the top-left; ``width``/``height`` are the
    page's size in those units, so boxes scale to any rendering."""

    engine: str
    languages: str
    confidence: float
    width: float
    height: float
    words: tuple[tuple[str, int, int, float, float, float, float, float], ...]


_INFO_COLUMNS = "id, title, mime_type, size, sha256, metadata, created, parent_id"


def _info(row: tuple[Any, ...]) -> DocumentInfo:
    return DocumentInfo(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])


class WriteTxn:
    """The write half of the vault API; valid only inside ``with vault.write() as txn``."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def put_task_output(
        self,
        task: str,
        output_id: str,
        result: Mapping[str, Any],
        *,
        document_ids: Sequence[str] = (),
        model_sha256: str | None = None,
        created: str | None = None,
    ) -> TaskOutput:
        """Store (or replace) a task's output in this transaction (app/vault/task_outputs.py)."""
        return task_outputs.put(
            self._conn,
            task,
            output_id,
            result,
            document_ids=document_ids,
            model_sha256=model_sha256,
            created=created,
        )

    def delete_task_output(self, output_id: str) -> bool:
        """Remove one task output in this transaction; True if there was one."""
        return task_outputs.delete(self._conn, output_id)

    def add_document(
        self,
        content: bytes,
        *,
        title: str,
        mime_type: str,
        metadata: Mapping[str, Any] | None = None,
        parent_id: str | None = None,
    ) -> DocumentInfo:
        """Store one document; a top-level one whose bytes are already stored raises
        ``DuplicateDocumentError`` (insert-or-detect under the write lock, backed by the
        unique index of schema migration 3, not a check made before the transaction)."""
        info = DocumentInfo(
            id=uuid.uuid4().hex,
            title=title,
            mime_type=mime_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            metadata=dict(metadata or {}),
            created=now_iso(),
            parent_id=parent_id,
        )
        if parent_id is None:
            self._refuse_duplicate(info.sha256)
        try:
            self._insert(info)
        except Exception as exc:  # the driver's IntegrityError: the unique index caught it
            if parent_id is None and "UNIQUE" in str(exc):
                self._refuse_duplicate(info.sha256)
            raise
        self._conn.execute("INSERT INTO document_content VALUES (?, ?)", (info.id, bytes(content)))
        return info

    def _refuse_duplicate(self, sha256: str) -> None:
        row = self._conn.execute(
            "SELECT id FROM documents WHERE sha256 = ? AND parent_id IS NULL"
            " ORDER BY created, id LIMIT 1",
            (sha256,),
        ).fetchone()
        if row is not None:
            raise DuplicateDocumentError(str(row[0]))

    def _insert(self, info: DocumentInfo) -> None:
        self._conn.execute(
            f"INSERT INTO documents ({_INFO_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                info.id,
                info.title,
                info.mime_type,
                info.size,
                info.sha256,
                json.dumps(info.metadata, sort_keys=True),
                info.created,
                info.parent_id,
            ),
        )

    def add_pages(self, document_id: str, pages: Iterable[tuple[int, str]]) -> None:
        """Pages are numbered from 1 in reading order."""
        self._conn.executemany(
            "INSERT INTO pages (document_id, page, text) VALUES (?, ?, ?)",
            ((document_id, number, text) for number, text in pages),
        )

    def add_chunks(self, document_id: str, chunks: Iterable[tuple[int, int, int, str]]) -> None:
        """Each chunk is (page, char_start, char_end, text), offsets into that page's text."""
        self._conn.executemany(
            "INSERT INTO chunks (document_id, page, char_start, char_end, text)"
            " VALUES (?, ?, ?, ?, ?)",
            ((document_id, page, start, end, text) for page, start, end, text in chunks),
        )

    def add_page_ocr(self, document_id: str, page: int, ocr: PageOcrRecord) -> None:
        """OCR word boxes of one page (schema migration 4); replaces an earlier record."""
        self._conn.execute(
            "INSERT OR REPLACE INTO page_ocr"
            " (document_id, page, engine, languages, confidence, width, height, words)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                page,
                ocr.engine,
                ocr.languages,
                ocr.confidence,
                ocr.width,
                ocr.height,
                json.dumps([list(w) for w in ocr.words], separators=(",", ":")),
            ),
        )

    def delete_document(self, document_id: str) -> None:
        """Deletes the document, its children, pages and chunks (secure_delete zeroes them)."""
        cur = self._conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        if cur.rowcount == 0:
            raise DocumentNotFoundError(f"No document with id {document_id} in this vault.")


def get_document_info(conn: Any, document_id: str) -> DocumentInfo:
    row = conn.execute(
        f"SELECT {_INFO_COLUMNS} FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    if row is None:
        raise DocumentNotFoundError(f"No document with id {document_id} in this vault.")
    return _info(row)


def get_document(conn: Any, document_id: str) -> Document:
    """The document with its original bytes, checked against the stored SHA-256."""
    info = get_document_info(conn, document_id)
    row = conn.execute(
        "SELECT content FROM document_content WHERE document_id = ?", (document_id,)
    ).fetchone()
    content = bytes(row[0]) if row is not None else b""
    if row is None or hashlib.sha256(content).hexdigest() != info.sha256:
        raise VaultIntegrityError(
            f"The stored bytes of document {document_id} do not match its hash."
        )
    return Document(info, content)


def list_documents(conn: Any) -> list[DocumentInfo]:
    rows = conn.execute(f"SELECT {_INFO_COLUMNS} FROM documents ORDER BY created, id").fetchall()
    return [_info(row) for row in rows]


def get_pages(conn: Any, document_id: str) -> list[Page]:
    rows = conn.execute(
        "SELECT page, text FROM pages WHERE document_id = ? ORDER BY page", (document_id,)
    ).fetchall()
    return [Page(document_id, page, text) for page, text in rows]


def get_chunks(conn: Any, document_id: str) -> list[Chunk]:
    rows = conn.execute(
        "SELECT id, page, char_start, char_end, text FROM chunks"
        " WHERE document_id = ? ORDER BY page, char_start, id",
        (document_id,),
    ).fetchall()
    return [Chunk(r[0], document_id, r[1], r[2], r[3], r[4]) for r in rows]


def get_page_ocr(conn: Any, document_id: str, page: int) -> PageOcrRecord | None:
    """The page's OCR record, or None for a page that was not OCR'd (or a vault from
    before schema migration 4)."""
    try:
        row = conn.execute(
            "SELECT engine, languages, confidence, width, height, words FROM page_ocr"
            " WHERE document_id = ? AND page = ?",
            (document_id, page),
        ).fetchone()
    except Exception as exc:  # the driver's OperationalError: no such table (old schema)
        if "no such table" in str(exc):
            return None
        raise
    if row is None:
        return None
    words = tuple(
        (
            str(w[0]),
            int(w[1]),
            int(w[2]),
            float(w[3]),
            float(w[4]),
            float(w[5]),
            float(w[6]),
            float(w[7]),
        )
        for w in json.loads(row[5])
    )
    return PageOcrRecord(row[0], row[1], float(row[2]), float(row[3]), float(row[4]), words)
