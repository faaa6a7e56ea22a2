"""The writer: appends hash-chained records and signs checkpoints, safely across processes.

Every append happens under an exclusive file lock and reads the chain's tail from the file
itself (not from memory), because other processes may have appended since. Each line is
fsynced before the call returns, so a record the app reported as written survives a power
cut. Checkpoints are written every N records, on ``checkpoint()`` (vault lock, app stop)
and at process exit; a checkpoint that cannot be signed (no key available) leaves the
tail unsealed rather than stopping the app, and ``verify`` reports that tail.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from app import __version__, policy
from app.audit import storage, witness
from app.audit.anchor import (
    Anchor,
    AnchorError,
    AnchorKeyFor,
    AnchorStore,
    keyring_anchor_key,
    log_id_of,
)
from app.audit.filelock import locked
from app.audit.keys import (
    KeyStore,
    default_key_store,
    folder_digest,
    load_public_keys,
    signing_key,
)
from app.audit.records import (
    CHECKPOINT_ACTION,
    GENESIS_HASH,
    DetailValue,
    b64,
    build_record,
    canonical_bytes,
    checkpoint_statement,
    format_time,
    line_hash,
    line_log_id,
    new_log_id,
    utc_now,
)
from app.errors import ChambersError

log = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_INTERVAL = 100


def current_user() -> str:
    """The OS account that runs the process.

    On POSIX this comes from the password database, not from $USER/$LOGNAME, which any
    user can set to another name before starting the app.
    """
    if hasattr(os, "getuid"):
        try:
            import pwd

            return pwd.getpwuid(os.getuid()).pw_name
        except (ImportError, KeyError):
            return f"uid:{os.getuid()}"
    try:
        return getpass.getuser()
    except Exception:  # no user name available at all
        return "unknown"


def _policy_hash() -> str:
    try:
        return policy.policy_hash()
    except ChambersError:
        return "unreadable"


class AuditWriteError(ChambersError):
    default_hint = (
        "Check free disk space and that the Chambers data folder is writable; actions are "
        "refused while they cannot be recorded."
    )


class AuditLogDamagedError(ChambersError):
    default_hint = "Run `chambers audit verify` and send its report to IT."


def _parse_last(line: bytes, path: Path) -> dict[str, Any]:
    """The last record; refusing to extend a chain whose end cannot be read (fail closed)."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("seq"), int):
        raise AuditLogDamagedError(f"The last record in {path} is unreadable; not appending.")
    return record


class AuditLog:
    """One audit folder. Cheap to construct; holds no open files or keys between calls."""

    def __init__(
        self,
        directory: Path,
        *,
        key_store: KeyStore | None = None,
        checkpoint_interval: int | None = None,
        clock: Callable[[], datetime] = utc_now,
        user: str | None = None,
        anchor_key: KeyStore | str | None = "keyring",
    ) -> None:
        self.directory = directory
        self.path = directory / storage.LOG_FILE
        self._lock_path = directory / storage.LOCK_FILE
        self._key_store = key_store
        self._interval = checkpoint_interval
        self._clock = clock
        self._user = user
        #: The high-water mark outside the data folder, found by the log id in record 1; its
        #: MAC keys in the keyring by default (``anchor_key=None``: an unkeyed anchor, as on
        #: a machine without a keyring; a KeyStore: that one key for every anchor).
        key_for: AnchorKeyFor | None
        if anchor_key == "keyring":
            key_for = keyring_anchor_key
        elif anchor_key is None or isinstance(anchor_key, str):
            key_for = None
        else:
            fixed: KeyStore = anchor_key
            key_for = lambda _name: fixed  # noqa: E731
        self.anchor = AnchorStore(directory, key_for)
        self._anchor_state: Anchor | None = None
        #: True while this process has appended records not yet covered by a checkpoint.
        self.dirty = False

    # -- public -----------------------------------------------------------------------

    def append(
        self,
        action: str,
        *,
        vault_id: str | None = None,
        object_ids: Sequence[str] = (),
        outcome: str = "ok",
        model_sha256: str | None = None,
        details: Mapping[str, DetailValue] | None = None,
    ) -> int:
        """Append one record and return its sequence number (checkpointing when due)."""
        with self._writing():
            seq, prev, _ = self._tail()
            record = self._record(
                seq + 1,
                prev,
                action,
                vault_id=vault_id,
                object_ids=object_ids,
                outcome=outcome,
                model_sha256=model_sha256,
                details=details,
            )
            digest = self._commit(seq + 1, record)
            self.dirty = True
            if seq + 1 - self._last_checkpoint_seq() >= self.interval():
                self._checkpoint_best_effort(seq + 1, digest)
        return seq + 1

    def checkpoint(self) -> int | None:
        """Seal every record so far; the checkpoint's sequence number, or None if none needed.

        Raises AuditKeyError (or KeyringUnavailableError) when no signing key is usable.
        """
        with self._writing():
            seq, prev, last = self._tail()
            if seq == 0 or (last is not None and last.get("action") == CHECKPOINT_ACTION):
                self.dirty = False
                return None
            return self._write_checkpoint(seq, prev)

    def interval(self) -> int:
        if self._interval is not None:
            return self._interval
        try:
            return policy.audit_checkpoint_interval(DEFAULT_CHECKPOINT_INTERVAL)
        except ChambersError:
            return DEFAULT_CHECKPOINT_INTERVAL

    def head(self) -> dict[str, Any] | None:
        """The latest checkpoint as copied to ``head.json`` (None before the first)."""
        return storage.read_json(self.directory / storage.HEAD_FILE)

    # -- internals --------------------------------------------------------------------

    def anchored_generations(self) -> dict[str, int]:
        """Vault generations the anchor (outside the data folder) recorded."""
        found = self._find_anchor()
        return dict(found.vaults) if found else {}

    def anchored_generation(self, vault_id: str) -> int | None:
        """The vault's generation per this log's anchor and, unless this log accepted a
        restored copy of it, the anchors of this user's other logs (the largest)."""
        found = self._find_anchor()
        values = [found.vaults[vault_id]] if found and vault_id in found.vaults else []
        if found is None or vault_id not in found.accepted:
            other = self.anchor.elsewhere(vault_id)
            values += [] if other is None else [other]
        return max(values) if values else None

    def _find_anchor(self) -> Anchor | None:
        first = storage.read_first_line(self.path)
        return self.anchor.find(line_log_id(first), 1 if first else 0)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the folder's lock; a failed write becomes a plain-language error."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            with locked(self._lock_path):
                yield
        except OSError as exc:
            raise AuditWriteError(
                f"Could not write the audit log in {self.directory}: {exc}"
            ) from exc

    def _commit(self, seq: int, record: dict[str, Any], key_ids: Sequence[str] = ()) -> str:
        """Tell the syslog witness, move the anchor, then append; the line's hash.

        Anchor before the append: a crash in between leaves the anchor one record ahead,
        which it allows for (``prev_seq``); the other order would leave a record the
        anchor never saw, indistinguishable from a forged one. The witness goes first so
        a failure to send refuses the record before anything changed.
        """
        line = canonical_bytes(record)
        digest = line_hash(line)
        witness.send(witness.witness_message(folder_digest(self.directory), seq, digest, record))
        if self._anchor_state is None:  # a new anchor adopts the keys already listed
            key_ids = [*key_ids, *load_public_keys(self.directory)]
        self._anchor_state = self.anchor.advance(
            self._anchor_state, seq, digest, record, list(key_ids)
        )
        storage.append_line(self.path, line)
        self._anchor_state = self.anchor.confirm(self._anchor_state)
        return digest

    def _record(self, seq: int, prev: str, action: str, **fields: Any) -> dict[str, Any]:
        """A record; record 1 carries the log's id (``_check_anchor`` chose it)."""
        return build_record(
            seq=seq,
            time=format_time(self._clock()),
            user=self._user or current_user(),
            action=action,
            vault_id=fields.get("vault_id"),
            object_ids=fields.get("object_ids", ()),
            outcome=fields.get("outcome", "ok"),
            app_version=__version__,
            model_sha256=fields.get("model_sha256"),
            policy_hash=_policy_hash(),
            details=fields.get("details"),
            prev_hash=prev,
            checkpoint=fields.get("checkpoint"),
            log_id=self.anchor.log_id if seq == 1 else None,
        )

    def _tail(self) -> tuple[int, str, dict[str, Any] | None]:
        """(last seq, its hash, last record), repairing a torn tail first (lock held)."""
        if not self.path.exists():
            self._check_anchor(0, GENESIS_HASH, None)
            return 0, GENESIS_HASH, None
        with open(self.path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            start, window = storage.read_tail_window(handle, size)
        body, torn = storage.split_torn(window)
        last_line = body[body.rfind(b"\n", 0, len(body) - 1) + 1 : -1] if body else b""
        if not last_line:
            seq, prev, last = 0, GENESIS_HASH, None
        else:
            last = _parse_last(last_line, self.path)
            seq, prev = last["seq"], line_hash(last_line)
        self._check_anchor(seq, prev, log_id_of(self.directory) if seq else None)
        if torn:
            if storage.torn_holds_records(torn):
                raise AuditLogDamagedError(
                    f"The end of {self.path} holds whole records run together, which a crash "
                    "does not leave; not repairing it."
                )
            storage.quarantine_torn(self.path, start + len(body), torn)
            log.warning("Audit log had a torn tail of %d bytes; moved aside.", len(torn))
            record = self._record(
                seq + 1, prev, "audit.recovered", details={"torn_bytes": len(torn)}
            )
            prev = self._commit(seq + 1, record)
            seq, last = seq + 1, record
        return seq, prev, last

    def _check_anchor(self, seq: int, last_hash: str, log_id: str | None) -> None:
        """Refuse to extend (and later sign) a log that is not where the anchor says.

        A shorter log was cut; a longer one holds records Chambers did not write (a forged
        record appended by hand would otherwise get a genuine signature at the next
        checkpoint); a different hash means history was rewritten; a log with records but
        no anchor, while this user has others, was put here behind Chambers' back. A new
        log gets a fresh random id, written into its record 1.
        """
        self._anchor_state = self.anchor.find(log_id, seq)
        anchor = self._anchor_state
        if seq == 0 and self.anchor.log_id is None:
            self.anchor.bind(new_log_id())
        if anchor is None or anchor.matches_end(seq, last_hash):
            return
        if seq < anchor.prev_seq:
            what = f"ends at record {seq}, but Chambers had written {anchor.seq} records"
        elif seq > anchor.seq:
            what = f"has records after {anchor.seq} that Chambers did not write"
        else:
            what = f"no longer ends with the record {seq} that Chambers wrote"
        raise AnchorError(f"The audit log {self.path} {what} (checked against {self.anchor.path}).")

    def _last_checkpoint_seq(self) -> int:
        head = self.head()
        value = head.get("record_seq") if head else None
        return value if isinstance(value, int) else 0

    def key_store(self) -> KeyStore:
        """The signing-key store, resolved now; raises AuditKeyError where none is usable."""
        return self._resolve_key_store()

    def _resolve_key_store(self) -> KeyStore:
        if self._key_store is None:
            keys_dir = self.directory.parent / "keys"
            self._key_store = default_key_store(self.directory, keys_dir / "audit-signing.key")
        return self._key_store

    def _write_checkpoint(self, seq: int, record_hash: str) -> int:
        now = format_time(self._clock())
        private, kid = signing_key(self.directory, self._resolve_key_store(), now)
        signature = private.sign(checkpoint_statement(seq, record_hash, now, kid))
        statement = {
            "seq": seq,
            "hash": record_hash,
            "time": now,
            "key_id": kid,
            "signature": b64(signature),
        }
        record = self._record(seq + 1, record_hash, CHECKPOINT_ACTION, checkpoint=statement)
        self._commit(seq + 1, record, [kid])
        head = {"format": storage.HEAD_FORMAT, "record_seq": seq + 1, "checkpoint": statement}
        storage.write_json_atomic(self.directory / storage.HEAD_FILE, head)
        self.dirty = False
        return seq + 1

    def _checkpoint_best_effort(self, seq: int, record_hash: str) -> None:
        try:
            self._write_checkpoint(seq, record_hash)
        except ChambersError as exc:
            log.warning("Audit checkpoint skipped; the log tail stays unsealed: %s", exc.message)
