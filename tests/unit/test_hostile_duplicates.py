"""Duplicate detection is a constraint, not a check made before the transaction
(issue 14): migration 3 on a vault that already holds duplicates, and insert-or-detect."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlcipher3

from app.vault import schema
from app.vault.documents import DuplicateDocumentError, WriteTxn

NOW = "2026-01-01T00:00:00Z"


def _insert(conn: Any, doc_id: str, content: bytes, parent: str | None = None) -> None:
    conn.execute(
        "INSERT INTO documents (id, parent_id, title, mime_type, size, sha256, created)"
        " VALUES (?, ?, 't', 'text/plain', ?, ?, ?)",
        (doc_id, parent, len(content), hashlib.sha256(content).hexdigest(), NOW),
    )


def _version_2_database() -> Any:
    """A database as Chambers wrote it before migration 3 (plain SQLite: no key needed)."""
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
    for number, statements in schema.MIGRATIONS:
        if number > 2:
            break
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, ?)", (number, NOW))
    return conn


def test_migration_keeps_existing_duplicates_and_refuses_new_ones() -> None:
    conn = _version_2_database()
    _insert(conn, "a1", b"same bytes")
    _insert(conn, "a2", b"same bytes")  # two imports raced before the constraint existed
    _insert(conn, "c1", b"logo", parent="a1")
    _insert(conn, "c2", b"logo", parent="a2")
    assert schema.migrate(conn, NOW) == schema.latest_version()

    rows = dict(conn.execute("SELECT id, legacy_duplicate FROM documents").fetchall())
    assert rows == {"a1": 0, "a2": 1, "c1": 0, "c2": 0}  # nothing deleted, the later one marked
    with pytest.raises(sqlcipher3.IntegrityError):
        _insert(conn, "a3", b"same bytes")
    _insert(conn, "c3", b"logo", parent="a1")  # attachments may repeat


def test_add_document_detects_a_duplicate_inside_the_transaction() -> None:
    conn = _version_2_database()
    schema.migrate(conn, NOW)
    txn = WriteTxn(conn)
    conn.execute("BEGIN IMMEDIATE")
    first = txn.add_document(b"contract", title="Lease", mime_type="text/plain")
    with pytest.raises(DuplicateDocumentError) as caught:
        txn.add_document(b"contract", title="Lease (copy)", mime_type="text/plain")
    assert caught.value.existing_id == first.id
    child = txn.add_document(b"contract", title="Lease", mime_type="text/plain", parent_id=first.id)
    conn.execute("COMMIT")
    assert child.parent_id == first.id
    count = conn.execute("SELECT count(*) FROM documents WHERE parent_id IS NULL").fetchone()[0]
    assert count == 1
