"""The SQLCipher connection: keying, integrity check, pragmas, migrations.

The database key is a raw 256-bit key (SQLCipher skips its own PBKDF2 for raw keys, since
ours already comes from HKDF over a random master key). The journal is WAL with
synchronous=FULL: a commit is durable once it returns, a crash at any point leaves the
last committed state, and readers do not block the writer.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import sqlcipher3

from app.storage_errors import classify
from app.vault import crypto, schema
from app.vault.errors import VaultIntegrityError

#: Pragmas set right after the key; they pin SQLCipher 4 defaults explicitly.
_CIPHER_PRAGMAS = (
    "PRAGMA cipher_compatibility = 4",
    "PRAGMA cipher_page_size = 4096",
    "PRAGMA cipher_hmac_algorithm = HMAC_SHA512",
    "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512",
)
_SESSION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = FULL",
)

DatabaseError = sqlcipher3.DatabaseError


class WrongDatabaseKey(Exception):
    """The key does not open the file (or page 1 is damaged); callers decide which."""


def db_key(vmk: bytes | bytearray) -> bytearray:
    return crypto.hkdf(vmk, crypto.INFO_DB_KEY)


def _damaged(path: Path, why: str) -> VaultIntegrityError:
    return VaultIntegrityError(f"The vault database {path} is damaged or was altered ({why}).")


def connect(path: Path, key: bytes | bytearray) -> Any:
    """An open, keyed connection; raises WrongDatabaseKey if page 1 does not authenticate."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{bytes(key).hex()}'\"")
        for pragma in _CIPHER_PRAGMAS:
            conn.execute(pragma)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        storage = classify(exc, path.parent)  # read-only folder, full disk: not a wrong key
        if storage is not None:
            raise storage from exc
        raise WrongDatabaseKey(str(exc)) from exc
    return conn


def check_integrity(conn: Any, path: Path) -> None:
    """Every page's HMAC (cipher_integrity_check), then SQLite's own structure check."""
    try:
        problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if problems:
            raise _damaged(path, str(problems[0][0]))
        result = conn.execute("PRAGMA quick_check").fetchone()
    except sqlcipher3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from exc
    if result is None or result[0] != "ok":
        raise _damaged(path, "structure check failed")


def open_database(
    path: Path, key: bytes | bytearray, *, vault_id: str, created: str, create: bool = False
) -> Any:
    """Open (or, with ``create``, make) the vault database, verified and migrated."""
    is_new = create
    if create == path.exists():
        raise _damaged(path, "it already exists" if create else "the file is missing")
    if create:  # owner only; SQLite gives the -wal and -shm files the same mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        conn = connect(path, key)
    except WrongDatabaseKey as exc:
        raise _damaged(path, "it does not decrypt with this vault's key") from exc
    try:
        if not is_new:
            check_integrity(conn, path)
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        for pragma in _SESSION_PRAGMAS:
            conn.execute(pragma)
        version = schema.current_version(conn)
        if version > schema.latest_version():
            raise VaultIntegrityError(
                f"The vault database {path} has schema version {version}; this Chambers "
                f"knows up to {schema.latest_version()}.",
                hint="Open the vault with a newer Chambers.",
            )
        if is_new:
            schema.migrate(conn, created)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO meta VALUES ('vault_id', ?), ('generation', 0)", (vault_id,))
            conn.execute("COMMIT")
        elif version == 0:
            raise _damaged(path, "it holds no vault schema")
        else:
            schema.migrate(conn, created)
        row = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
        if row is None or row[0] != vault_id:
            raise _damaged(path, "it belongs to another vault")
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise (classify(exc, path.parent) or _damaged(path, str(exc))) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def close_quietly(conn: Any) -> None:
    with contextlib.suppress(sqlcipher3.Error):
        conn.close()
