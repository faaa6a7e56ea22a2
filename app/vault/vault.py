"""An unlocked vault: the open database connection and the master key, until lock().

One object per unlocked matter. Every method takes an internal re-entrant lock, so the
GUI's worker threads may share it; after ``lock()`` every method raises VaultLockedError.
Time is passed in (``now``) wherever behaviour depends on it, so idle time is testable; the
idle auto-lock policy itself is the app's (Settings), not the vault's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from app.storage_errors import classify
from app.vault import admin, crypto, documents, rekey, search, store, task_outputs
from app.vault.documents import Chunk, Document, DocumentInfo, Page, WriteTxn
from app.vault.errors import VaultError, VaultLockedError
from app.vault.header import Header, SlotType
from app.vault.info import SlotInfo, VaultInfo
from app.vault.search import SearchHit


class Vault:
    def __init__(
        self, folder: Path, header: Header, vmk: bytearray, conn: Any, slot_id: int
    ) -> None:
        self._folder = folder
        self._header = header
        self._vmk: bytearray | None = vmk
        self._conn: Any = conn
        slot = header.slot(slot_id)
        assert slot is not None
        self._unlocked_with = SlotInfo(slot.id, slot.type, slot.created)
        self._mutex = threading.RLock()
        self._txn: WriteTxn | None = None
        self._last_activity = time.monotonic()

    # -- identity and state -------------------------------------------------------------

    @property
    def info(self) -> VaultInfo:
        return VaultInfo.from_header(self._header, self._folder)

    @property
    def vault_id(self) -> str:
        return self._header.vault_id

    @property
    def name(self) -> str:
        return self._header.name

    @property
    def unlocked_with(self) -> SlotInfo:
        """The slot this session was unlocked through (it may since have been removed)."""
        return self._unlocked_with

    @property
    def is_locked(self) -> bool:
        return self._conn is None

    def _require(self) -> Any:
        if self._conn is None:
            raise VaultLockedError(f"Vault {self.name!r} is locked.")
        self._last_activity = time.monotonic()
        return self._conn

    @property
    def generation(self) -> int:
        """Commit counter, +1 per write transaction; compared with the audit log on unlock."""
        with self._mutex:
            row = (
                self._require()
                .execute("SELECT value FROM meta WHERE key = 'generation'")
                .fetchone()
            )
            return int(row[0])

    def lock(self) -> None:
        """Close the database and overwrite the master key; idempotent."""
        with self._mutex:
            if self._conn is not None:
                store.close_quietly(self._conn)
                self._conn = None
            crypto.wipe(self._vmk)
            self._vmk = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    # -- idle time (the auto-lock policy is in Settings) -------------------------------

    def touch(self, now: float | None = None) -> None:
        """Record user activity (``now`` is a time.monotonic() value)."""
        self._last_activity = time.monotonic() if now is None else now

    def idle_seconds(self, now: float | None = None) -> float:
        return max(0.0, (time.monotonic() if now is None else now) - self._last_activity)

    # -- transactions and documents ----------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[WriteTxn]:
        """One transaction: all of it commits (and the generation goes up by one) or none."""
        with self._mutex:
            if self._txn is not None:  # nested: part of the outer transaction
                yield self._txn
                return
            conn = self._require()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlcipher3.Error as exc:
                raise classify(exc, self.info.path) or VaultError(
                    f"Could not start writing to vault {self.name!r}: {exc}"
                ) from exc
            self._txn = txn = WriteTxn(conn)
            try:
                yield txn
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlcipher3.Error):
                    raise classify(exc, self.info.path) or VaultError(
                        f"Could not write to vault {self.name!r}: {exc}"
                    ) from exc
                raise
            finally:
                self._txn = None
                self._last_activity = time.monotonic()

    def add_document(
        self,
        content: bytes,
        *,
        title: str,
        mime_type: str,
        metadata: Mapping[str, Any] | None = None,
        parent_id: str | None = None,
    ) -> DocumentInfo:
        with self.write() as txn:
            return txn.add_document(
                content, title=title, mime_type=mime_type, metadata=metadata, parent_id=parent_id
            )

    def delete_document(self, document_id: str) -> None:
        with self.write() as txn:
            txn.delete_document(document_id)

    def get_document(self, document_id: str) -> Document:
        with self._mutex:
            return documents.get_document(self._require(), document_id)

    def get_document_info(self, document_id: str) -> DocumentInfo:
        with self._mutex:
            return documents.get_document_info(self._require(), document_id)

    def list_documents(self) -> list[DocumentInfo]:
        with self._mutex:
            return documents.list_documents(self._require())

    def pages(self, document_id: str) -> list[Page]:
        with self._mutex:
            return documents.get_pages(self._require(), document_id)

    def chunks(self, document_id: str) -> list[Chunk]:
        with self._mutex:
            return documents.get_chunks(self._require(), document_id)

    def page_ocr(self, document_id: str, page: int) -> documents.PageOcrRecord | None:
        """The OCR word boxes and confidence of a scanned page, None if not OCR'd."""
        with self._mutex:
            return documents.get_page_ocr(self._require(), document_id, page)

    def search(
        self, query: str, *, limit: int = 20, document_ids: Sequence[str] | None = None
    ) -> list[SearchHit]:
        """Ranked passages of this vault only (see app/vault/search.py for the syntax)."""
        with self._mutex:
            return search.search(self._require(), query, limit=limit, document_ids=document_ids)

    def document_ids_by_sha256(self) -> dict[str, str]:
        """sha256 -> id of every top-level document, for de-duplication and resume."""
        with self._mutex:
            rows = (
                self._require()
                .execute("SELECT sha256, id FROM documents WHERE parent_id IS NULL")
                .fetchall()
            )
            return {sha: doc_id for sha, doc_id in rows}

    # -- task outputs (app/vault/task_outputs.py) ---------------------------------------

    def get_task_output(self, output_id: str) -> task_outputs.TaskOutput | None:
        with self._mutex:
            return task_outputs.get(self._require(), output_id)

    def list_task_outputs(
        self, task: str, *, document_ids: Sequence[str] | None = None
    ) -> list[task_outputs.TaskOutput]:
        """``task``'s outputs, oldest first; a read, so the generation stays as it is."""
        with self._mutex:
            return task_outputs.list_outputs(self._require(), task, document_ids)

    def put_task_output(
        self,
        task: str,
        output_id: str,
        result: Mapping[str, Any],
        *,
        document_ids: Sequence[str] = (),
        model_sha256: str | None = None,
        created: str | None = None,
    ) -> task_outputs.TaskOutput:
        """Store (or replace, by id) one output in its own write transaction."""
        with self.write() as txn:
            return txn.put_task_output(
                task,
                output_id,
                result,
                document_ids=document_ids,
                model_sha256=model_sha256,
                created=created,
            )

    def delete_task_output(self, output_id: str) -> bool:
        """Remove one output (a review undone) in its own write transaction."""
        with self.write() as txn:
            return txn.delete_task_output(output_id)

    # -- keys, slots, backup -----------------------------------------------------------

    def _keys(self) -> tuple[Any, bytearray]:
        conn = self._require()
        if self._txn is not None:
            raise VaultError("Finish the current write before changing keys.")
        assert self._vmk is not None
        return conn, self._vmk

    def add_slot(
        self, slot_type: SlotType, *, passphrase: str | None = None
    ) -> tuple[SlotInfo, str | None]:
        """Add a slot; for a recovery slot, also returns the new recovery key (show it once)."""
        with self._mutex:
            _, vmk = self._keys()
            self._header, slot, text = admin.add_slot(
                self._folder, self._header, vmk, slot_type, passphrase
            )
            return SlotInfo(slot.id, slot.type, slot.created), text

    def remove_slot(self, slot_id: int) -> None:
        """Remove a slot (never the last one) and its keyring entry, if any."""
        with self._mutex:
            _, vmk = self._keys()
            self._header = admin.remove_slot(self._folder, self._header, vmk, slot_id)

    def rekey(self, *, passphrase: str | None = None) -> dict[int, str]:
        """New master key and database key; keyring and passphrase slots keep their secrets,
        recovery slots get new recovery keys (returned by slot id, to be shown once)."""
        with self._mutex:
            conn, vmk = self._keys()
            try:
                self._header, new_vmk, recovery = rekey.rekey(
                    self._folder, self._header, vmk, conn, passphrase
                )
            except sqlcipher3.Error as exc:
                self.lock()
                raise VaultError(
                    f"Rekeying vault {self.name!r} failed: {exc}; it was locked.",
                    hint="Unlock it again; the interrupted rekey is rolled back.",
                ) from exc
            crypto.wipe(vmk)
            self._vmk = new_vmk
            return recovery

    def backup(self, dest: Path) -> VaultInfo:
        """An encrypted, consistent copy in the new folder ``dest``, openable by the same slots."""
        with self._mutex:
            conn, _ = self._keys()
            return admin.backup(self._folder, self._header, conn, dest)
