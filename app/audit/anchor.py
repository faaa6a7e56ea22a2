"""The anchor: a high-water mark of the audit log kept where the data folder cannot reach.

An anchor is found by the log's own identity, the random ``log_id`` sealed into record 1,
not by the folder's path: a log moved, renamed or reached through a symbolic link still
meets its anchor, so a log cut back and hidden behind a link is caught. Logs written
before log ids keep their anchor under the old path digest. The rule for a log without an
anchor is in ``AnchorStore.find`` (and docs/audit-format.md).

Everything in the data folder (log, ``head.json``, ``signing-keys.json``) can be cut back
consistently by someone who can write that folder, so on its own the log cannot prove
that nothing was removed. The anchor records, outside the data folder, how far the log
got (last sequence number and line hash, plus the one before, so a crash between the
anchor update and the append is not mistaken for a cut), which signing keys exist and
each vault's latest generation. The writer moves it forward *before* each append.

Protection, honestly stated:

- With an OS keyring the anchor carries an HMAC-SHA256 under a random key kept in the
  keyring (``audit-anchor-key/log-<log id>``), so neither the data folder nor the anchor
  folder alone can rewrite it; removing it while the key exists is itself reported.
- Without a keyring the anchor is a plain file outside the data folder. It catches a
  data folder (or vault folder) restored from a copy and edits that forget the anchor,
  but not a user who knows to delete or rewrite it as well.
- Either way the user's own account can in the end rewrite its own files and keyring;
  only a copy the workstation cannot take back (policy ``audit.witness: "syslog"``,
  forwarded by the firm's log collector, see ``witness.py``) holds against that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import paths
from app.audit import storage
from app.audit.keys import KeyringKeyStore, KeyStore, folder_digest
from app.audit.records import LOG_ID_RE
from app.errors import ChambersError
from app.vault import oskeyring

ANCHOR_FORMAT = "chambers-audit-anchor/1"  # logs from before log ids: keyed by path
ANCHOR_FORMAT_LOG_ID = "chambers-audit-anchor/2"  # keyed by the log id in record 1
RESTORE_ACCEPT_ACTION = "vault.restore_accept"

#: Given an anchor's name (``log-<id>`` or a legacy folder digest), its MAC key's store.
AnchorKeyFor = Callable[[str], "KeyStore | None"]

_NAME_RE = re.compile(r"^(log-[0-9a-f]{32}|[0-9a-f]{16})$")


class AnchorError(ChambersError):
    default_hint = (
        "Run `chambers audit verify` and send its report to IT. The audit log no longer "
        "matches the record Chambers keeps of it outside the data folder."
    )


def keyring_anchor_key(name: str) -> KeyStore | None:
    """The default: an anchor's MAC key in the OS keyring, one entry per anchor."""
    return KeyringKeyStore(f"audit-anchor-key/{name}")


def anchor_name(audit_dir: Path, log_id: str | None) -> str:
    """``log-<id>`` for a log with an id; the old path digest for a log from before ids."""
    return f"log-{log_id}" if log_id else folder_digest(audit_dir)


def log_id_of(audit_dir: Path) -> str | None:
    """The log id sealed into record 1 of the log in ``audit_dir`` (None: none there)."""
    from app.audit.records import line_log_id

    return line_log_id(storage.read_first_line(audit_dir / storage.LOG_FILE))


def anchor_path(audit_dir: Path, log_id: str | None = None) -> Path:
    """Where the anchor of the log in ``audit_dir`` lives (its log id read if not given)."""
    name = anchor_name(audit_dir, log_id or log_id_of(audit_dir))
    return paths.anchor_dir() / f"{name}.json"


@dataclass
class Anchor:
    """What the anchor says about one audit log."""

    seq: int = 0
    hash: str = ""
    prev_seq: int = 0
    prev_hash: str = ""
    key_ids: list[str] = field(default_factory=list)
    vaults: dict[str, int] = field(default_factory=dict)
    protection: str = "none"  # "keyring" when MAC'd under a keyring key
    #: The log's id (None for a legacy, path-keyed anchor) and the audit folder it was
    #: last written in: the data-folder identity that finds a log that went missing.
    log_id: str | None = None
    audit_dir: str = ""
    #: Vaults whose restored copy this log accepted (``vault.restore_accept``), at which
    #: generation: for them, what other logs' anchors remember no longer counts.
    accepted: dict[str, int] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": ANCHOR_FORMAT_LOG_ID if self.log_id else ANCHOR_FORMAT,
            "audit_dir": self.audit_dir,
            "seq": self.seq,
            "hash": self.hash,
            "prev_seq": self.prev_seq,
            "prev_hash": self.prev_hash,
            "key_ids": sorted(self.key_ids),
            "vaults": dict(sorted(self.vaults.items())),
            "protection": self.protection,
        }
        if self.log_id:
            doc["log_id"] = self.log_id
            doc["accepted"] = dict(sorted(self.accepted.items()))
        return doc

    def matches_end(self, seq: int, line_hash: str) -> bool:
        """Whether a log ending at (seq, hash) is where the anchor says (or one write short)."""
        if seq == self.seq and line_hash == self.hash:
            return True
        return seq == self.prev_seq and (seq == 0 or line_hash == self.prev_hash)


def _mac(key: bytes, body: Mapping[str, Any]) -> str:
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


class AnchorStore:
    """Finds, checks and moves the anchor of one audit log. Caches MAC keys once loaded.

    ``bind`` says which log (by id) the store speaks for; the writer and the verifier
    bind it after reading record 1, through ``find``.
    """

    def __init__(self, audit_dir: Path, key_for: AnchorKeyFor | None) -> None:
        self.audit_dir = audit_dir.resolve()  # the data-folder identity: one spelling only
        self._key_for = key_for
        self.log_id: str | None = None
        self._keys: dict[str, tuple[str, bytes | None]] = {}  # name -> (state, key)

    def bind(self, log_id: str | None) -> None:
        self.log_id = log_id

    @property
    def name(self) -> str:
        return anchor_name(self.audit_dir, self.log_id)

    @property
    def path(self) -> Path:
        return paths.anchor_dir() / f"{self.name}.json"

    # -- key --------------------------------------------------------------------------

    def _load_key(self, name: str) -> tuple[str, bytes | None]:
        """(state, key) with state "present", "absent" or "unavailable"."""
        if name not in self._keys:
            store = self._key_for(name) if self._key_for else None
            if store is None:
                self._keys[name] = ("unavailable", None)
            else:
                try:
                    key = store.load()
                    self._keys[name] = ("present" if key else "absent", key)
                except oskeyring.KeyringUnavailableError:
                    self._keys[name] = ("unavailable", None)
        return self._keys[name]

    def _ensure_key(self, name: str) -> bytes | None:
        state, key = self._load_key(name)
        store = self._key_for(name) if self._key_for else None
        if key is None and state == "absent" and store is not None:
            key = os.urandom(32)
            store.store(key)
            self._keys[name] = ("present", key)
        return key

    # -- read -------------------------------------------------------------------------

    def load(self) -> Anchor | None:
        """The bound log's anchor, checked; None if none. AnchorError if it was altered."""
        return self._load_named(self.name, self.log_id)

    def _load_named(self, name: str, log_id: str | None) -> Anchor | None:
        path = paths.anchor_dir() / f"{name}.json"
        doc = storage.read_json(path)
        if doc is None and path.exists():
            # Another process may have created it between our read and the check; files
            # are written whole (replaced atomically), so a second read settles it.
            doc = storage.read_json(path)
        state, key = self._load_key(name)
        if doc is None:
            if path.exists():
                raise AnchorError(f"The audit anchor {path} is unreadable.")
            if key is not None:
                raise AnchorError(
                    f"The audit anchor {path} was removed (its key is still in the "
                    "OS keyring): the record of how far the audit log got is gone."
                )
            return None
        try:
            anchor = _parse(doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise AnchorError(f"The audit anchor {path} is malformed ({exc}).") from exc
        if anchor.log_id != log_id or name != anchor_name(self.audit_dir, log_id):
            raise AnchorError(f"The audit anchor {path} belongs to another audit log.")
        if log_id is None and anchor.audit_dir != str(self.audit_dir):
            raise AnchorError(f"The audit anchor {path} belongs to another audit folder.")
        if anchor.protection == "keyring":
            if key is None:
                where = "is not available" if state == "unavailable" else "lost it"
                raise AnchorError(
                    f"The audit anchor {path} is protected by a key in the OS keyring, "
                    f"but the keyring {where}; the anchor cannot be checked.",
                    hint="Unlock the OS keyring and run `chambers audit verify` again.",
                )
            if not hmac.compare_digest(str(doc.get("mac")), _mac(key, anchor.body())):
                raise AnchorError(f"The audit anchor {path} was altered (MAC mismatch).")
        elif key is not None:
            raise AnchorError(f"The audit anchor {path} lost its keyring protection (downgraded).")
        return anchor

    def _all(self) -> list[Path]:
        """Every anchor this user has (in the anchor folder), by file."""
        try:
            found = sorted(paths.anchor_dir().glob("*.json"))
        except OSError:
            return []
        return [p for p in found if _NAME_RE.match(p.stem)]

    def _others(self) -> list[Path]:
        return [p for p in self._all() if p.stem != self.name]

    def _claiming(self) -> Anchor | None:
        """The anchor (checked) that last saw a log in this folder; the furthest if several."""
        best: Anchor | None = None
        for path in self._all():
            doc = storage.read_json(path)
            if doc is None or doc.get("audit_dir") != str(self.audit_dir):
                continue
            log_id = doc.get("log_id")
            found = self._load_named(path.stem, log_id if isinstance(log_id, str) else None)
            if found is not None and (best is None or found.seq > best.seq):
                best = found
        return best

    def find(self, log_id: str | None, records: int) -> Anchor | None:
        """The anchor of a log with ``records`` complete records whose record 1 has ``log_id``.

        The rule (docs/audit-format.md, "Finding the anchor"):

        - An empty or missing log: the anchor that last saw a log *in this folder*, if any
          (so a deleted log is still noticed); none means a genuinely new log.
        - Otherwise the anchor named by the log id (by the folder for a legacy log).
          None found while this user has other anchors is an alarm: every log Chambers
          writes has its anchor before its first record, so a log that has none was made
          elsewhere, put here behind Chambers' back, or had its anchor removed.
          None found and no anchors at all: a first run, or a data folder brought to a
          new machine or account; reported as a note, the log cannot prove its length.
        """
        if records == 0:
            claimed = self._claiming()
            self.bind(claimed.log_id if claimed else log_id)
            return claimed
        self.bind(log_id)
        found = self.load()
        if found is None:
            others = self._others()
            if others:
                log_path = self.audit_dir / storage.LOG_FILE
                raise AnchorError(
                    f"The audit log {log_path} has {records} records but no anchor "
                    f"({self.path}), although this user has anchors for {len(others)} other "
                    f"audit log(s) in {paths.anchor_dir()}: the log was replaced, copied in "
                    "from elsewhere or reached through a link, or its anchor was removed."
                )
        return found

    def elsewhere(self, vault_id: str) -> int | None:
        """The largest generation any *other* log's anchor of this user recorded for a vault.

        A vault copied into a new data folder (or one whose log was replaced) would
        otherwise be judged only by a log that never saw it, so an old copy would open.
        Anchors that do not check out are left out here (``find`` reports them for their
        own logs): a forged one could only refuse a vault, never open one.
        """
        found: list[int] = []
        for path in self._others():
            doc = storage.read_json(path)
            if doc is None:
                continue
            log_id = doc.get("log_id") if isinstance(doc.get("log_id"), str) else None
            where = Path(str(doc.get("audit_dir", "")))
            store = self if log_id else AnchorStore(where, self._key_for)
            try:
                other = store._load_named(path.stem, log_id)
            except AnchorError:
                continue
            if other is not None and vault_id in other.vaults:
                found.append(other.vaults[vault_id])
        return max(found) if found else None

    # -- write ------------------------------------------------------------------------

    def save(self, anchor: Anchor, durable: bool = True) -> None:
        key = self._ensure_key(self.name)
        anchor.protection = "keyring" if key is not None else "none"
        anchor.log_id, anchor.audit_dir = self.log_id, str(self.audit_dir)
        doc = anchor.body()
        if key is not None:
            doc["mac"] = _mac(key, doc)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        storage.write_json_atomic(self.path, doc, durable=durable)

    def confirm(self, anchor: Anchor) -> Anchor:
        """After the append: the log must now end exactly here (no one-record allowance).

        Not fsynced: if a crash loses it, the anchor merely still allows the one record
        it allowed before.
        """
        done = Anchor(**{**anchor.__dict__, "prev_seq": anchor.seq, "prev_hash": anchor.hash})
        self.save(done, durable=False)
        return done

    def advance(
        self,
        anchor: Anchor | None,
        seq: int,
        line_hash: str,
        record: Mapping[str, Any],
        key_ids: list[str],
    ) -> Anchor:
        """The anchor moved to a record about to be appended (saved before the append)."""
        new = Anchor() if anchor is None else Anchor(**{**anchor.__dict__})
        new.vaults, new.accepted = dict(new.vaults), dict(new.accepted)
        new.prev_seq, new.prev_hash = seq - 1, str(record.get("prev_hash", ""))
        new.seq, new.hash = seq, line_hash
        new.key_ids = sorted(set(new.key_ids) | set(key_ids))
        vault = record.get("vault_id")
        details = record.get("details") or {}
        generation = details.get("generation") if isinstance(details, dict) else None
        if isinstance(vault, str) and isinstance(generation, int):
            if record.get("action") == RESTORE_ACCEPT_ACTION:
                new.vaults[vault] = new.accepted[vault] = generation
            elif not isinstance(generation, bool):
                new.vaults[vault] = max(generation, new.vaults.get(vault, generation))
        self.save(new)
        return new


def _parse(doc: Mapping[str, Any]) -> Anchor:
    fmt = doc.get("format")
    if fmt not in (ANCHOR_FORMAT, ANCHOR_FORMAT_LOG_ID):
        raise ValueError("unknown format")
    log_id = doc.get("log_id") if fmt == ANCHOR_FORMAT_LOG_ID else None
    if fmt == ANCHOR_FORMAT_LOG_ID and not (isinstance(log_id, str) and LOG_ID_RE.match(log_id)):
        raise ValueError("log_id must be 32 lower-case hex")
    if fmt == ANCHOR_FORMAT and "log_id" in doc:
        raise ValueError("a path-keyed anchor has no log_id")
    ints = {name: doc[name] for name in ("seq", "prev_seq")}
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in ints.values()):
        raise ValueError("sequence numbers must be whole numbers")
    vaults, accepted = doc["vaults"], doc.get("accepted", {})
    for mapping in (vaults, accepted):
        if not isinstance(mapping, dict) or not all(isinstance(v, int) for v in mapping.values()):
            raise ValueError("vaults and accepted must map ids to generations")
    keys = doc["key_ids"]
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError("key_ids must be a list of strings")
    if doc["protection"] not in ("keyring", "none"):
        raise ValueError("unknown protection")
    return Anchor(
        seq=ints["seq"],
        hash=str(doc["hash"]),
        prev_seq=ints["prev_seq"],
        prev_hash=str(doc["prev_hash"]),
        key_ids=list(keys),
        vaults={str(k): int(v) for k, v in vaults.items()},
        protection=str(doc["protection"]),
        log_id=log_id,
        audit_dir=str(doc["audit_dir"]),
        accepted={str(k): int(v) for k, v in accepted.items()},
    )
