"""Documents, pages and chunks inside an unlocked vault's database.

Writes go through :class:`WriteTxn`, which only exists inside ``Vault.write()``, so every
change is part of one transaction that also bumps the vault's generation counter.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.vault.errors import DocumentNotFoundError, VaultIntegrityError
from app.vault.slots import now_iso


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


_INFO_COLUMNS = "id, title, mime_type, size, sha256, metadata, created, parent_id"


def _info(row: tuple[Any, ...]) -> DocumentInfo:
    return DocumentInfo(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])


class WriteTxn:
    """The write half of the vault API; valid only inside ``with vault.write() as txn``."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @property
    def connection(self) -> Any:
        """The raw connection, for later layers' own tables (same transaction)."""
        return self._conn

    def add_document(
        self,
        content: bytes,
        *,
        title: str,
        mime_type: str,
        metadata: Mapping[str, Any] | None = None,
        parent_id: str | None = None,
    ) -> DocumentInfo:
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
        self._conn.execute("INSERT INTO document_content VALUES (?, ?)", (info.id, bytes(content)))
        return info

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
