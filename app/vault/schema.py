"""The vault database schema, as an ordered list of migrations.

Each migration runs in its own transaction and records its number in ``schema_version``;
opening a vault applies the ones it lacks. Migration 2 adds the FTS5 full-text index over
chunks (inside the encrypted database, so the index leaks nothing either).
"""

from __future__ import annotations

from typing import Any

Migration = tuple[int, tuple[str, ...]]

MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL)",
            """CREATE TABLE documents (
                id TEXT PRIMARY KEY,
                parent_id TEXT REFERENCES documents(id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                mime_type TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size >= 0),
                sha256 TEXT NOT NULL,
                metadata TEXT NOT NULL DEFAULT '{}',
                created TEXT NOT NULL)""",
            "CREATE INDEX documents_parent ON documents(parent_id)",
            """CREATE TABLE document_content (
                document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
                content BLOB NOT NULL)""",
            """CREATE TABLE pages (
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                page INTEGER NOT NULL CHECK (page >= 1),
                text TEXT NOT NULL,
                PRIMARY KEY (document_id, page))""",
            """CREATE TABLE chunks (
                id INTEGER PRIMARY KEY,
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                page INTEGER NOT NULL CHECK (page >= 1),
                char_start INTEGER NOT NULL CHECK (char_start >= 0),
                char_end INTEGER NOT NULL CHECK (char_end >= char_start),
                text TEXT NOT NULL)""",
            "CREATE INDEX chunks_document ON chunks(document_id, page)",
            """CREATE TABLE task_outputs (
                id TEXT PRIMARY KEY,
                task TEXT NOT NULL,
                created TEXT NOT NULL,
                document_ids TEXT NOT NULL DEFAULT '[]',
                model_sha256 TEXT,
                result TEXT NOT NULL)""",
            """CREATE TABLE conversations (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                created TEXT NOT NULL)""",
            """CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                content TEXT NOT NULL,
                citations TEXT NOT NULL DEFAULT '[]',
                created TEXT NOT NULL)""",
            "CREATE INDEX messages_conversation ON messages(conversation_id, id)",
        ),
    ),
)

# Migration 2: the FTS5 index. External content: the index stores postings, not a second
# copy of the text, and triggers keep it in step with ``chunks`` (including the deletes
# cascaded from documents). No stemmer: prefix queries (terminat*) then match what
# lawyers expect, and an exact word finds exactly that word.
MIGRATIONS += (
    (
        2,
        (
            "CREATE INDEX documents_sha256 ON documents(sha256)",
            """CREATE VIRTUAL TABLE chunks_fts USING fts5(
                text, content='chunks', content_rowid='id',
                tokenize='unicode61 remove_diacritics 2')""",
            """CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
                INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END""",
            """CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
                INSERT INTO chunks_fts(chunks_fts, rowid, text)
                VALUES ('delete', old.id, old.text); END""",
            "INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')",
        ),
    ),
)

# Migration 3: duplicate detection that holds under concurrent imports. A top-level
# document's bytes may be stored once (attachments may repeat: the same logo in many
# e-mails). Vaults written before this may already hold duplicates (two imports raced):
# those are kept, visible and deletable, marked ``legacy_duplicate`` so the unique index
# leaves them out; only the oldest copy of each counts.
MIGRATIONS += (
    (
        3,
        (
            "ALTER TABLE documents ADD COLUMN legacy_duplicate INTEGER NOT NULL DEFAULT 0",
            """UPDATE documents SET legacy_duplicate = 1
                WHERE parent_id IS NULL AND rowid NOT IN (
                    SELECT min(rowid) FROM documents WHERE parent_id IS NULL GROUP BY sha256)""",
            """CREATE UNIQUE INDEX documents_unique_sha256 ON documents(sha256)
                WHERE parent_id IS NULL AND legacy_duplicate = 0""",
        ),
    ),
)

# Migration 4: OCR word boxes of scanned pages. One row per OCR'd page: the engine's
# mean confidence, the page size and the words (JSON: text span in the page text and
# box in page units) that let the source viewer outline a quote on the page image.
MIGRATIONS += (
    (
        4,
        (
            """CREATE TABLE page_ocr (
                document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                page INTEGER NOT NULL CHECK (page >= 1),
                engine TEXT NOT NULL,
                languages TEXT NOT NULL,
                confidence REAL NOT NULL,
                width REAL NOT NULL,
                height REAL NOT NULL,
                words TEXT NOT NULL,
                PRIMARY KEY (document_id, page))""",
        ),
    ),
)


def latest_version() -> int:
    """Read at call time, so a migration appended to MIGRATIONS is seen everywhere."""
    return MIGRATIONS[-1][0]


def current_version(conn: Any) -> int:
    """The highest applied migration, 0 for an empty database."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: Any, applied_at: str) -> int:
    """Apply every migration newer than the database; returns the resulting version."""
    version = current_version(conn)
    for number, statements in MIGRATIONS:
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (number, applied_at))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = number
    return version
