"""The anchor: a high-water mark of the audit log kept where the data folder cannot reach.

Everything in the data folder (log, ``head.json``, ``signing-keys.json``) can be cut back
consistently by someone who can write that folder, so on its own the log cannot prove
that nothing was removed. The anchor records, outside the data folder, how far the log
got (last sequence number and line hash, plus the one before, so a crash between the
anchor update and the append is not mistaken for a cut), which signing keys exist and
each vault's latest generation. The writer moves it forward *before* each append.

Protection, honestly stated:

- With an OS keyring the anchor carries an HMAC-SHA256 under a random key kept in the
  keyring (``audit-anchor-key/<folder digest>``), so neither the data folder nor the anchor
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import paths
from app.audit import storage
from app.audit.keys import KeyringKeyStore, KeyStore, folder_digest
from app.errors import ChambersError
from app.vault import oskeyring

ANCHOR_FORMAT = "chambers-audit-anchor/1"
RESTORE_ACCEPT_ACTION = "vault.restore_accept"

#: Given the audit folder, where the anchor's MAC key lives (None: no keyed anchor).
AnchorKeyFactory = Callable[[Path], "KeyStore | None"]


class AnchorError(ChambersError):
    default_hint = (
        "Run `chambers audit verify` and send its report to IT. The audit log no longer "
        "matches the record Chambers keeps of it outside the data folder."
    )


def keyring_anchor_key(audit_dir: Path) -> KeyStore | None:
    """The default: the anchor's MAC key in the OS keyring."""
    return KeyringKeyStore(f"audit-anchor-key/{folder_digest(audit_dir)}")


def anchor_path(audit_dir: Path) -> Path:
    return paths.anchor_dir() / f"{folder_digest(audit_dir)}.json"


@dataclass
class Anchor:
    """What the anchor says about one audit folder."""

    seq: int = 0
    hash: str = ""
    prev_seq: int = 0
    prev_hash: str = ""
    key_ids: list[str] = field(default_factory=list)
    vaults: dict[str, int] = field(default_factory=dict)
    protection: str = "none"  # "keyring" when MAC'd under a keyring key

    def body(self, audit_dir: Path) -> dict[str, Any]:
        return {
            "format": ANCHOR_FORMAT,
            "audit_dir": str(audit_dir),
            "seq": self.seq,
            "hash": self.hash,
            "prev_seq": self.prev_seq,
            "prev_hash": self.prev_hash,
            "key_ids": sorted(self.key_ids),
            "vaults": dict(sorted(self.vaults.items())),
            "protection": self.protection,
        }

    def matches_end(self, seq: int, line_hash: str) -> bool:
        """Whether a log ending at (seq, hash) is where the anchor says (or one write short)."""
        if seq == self.seq and line_hash == self.hash:
            return True
        return seq == self.prev_seq and (seq == 0 or line_hash == self.prev_hash)


def _mac(key: bytes, body: Mapping[str, Any]) -> str:
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


class AnchorStore:
    """Reads and moves the anchor of one audit folder. Holds the MAC key once loaded."""

    def __init__(self, audit_dir: Path, key_store: KeyStore | None) -> None:
        self.audit_dir = audit_dir.resolve()  # the MAC covers it: one spelling only
        self.path = anchor_path(audit_dir)
        self._key_store = key_store
        self._key: bytes | None = None
        self._key_state = "unknown"  # "unknown", "present", "absent", "unavailable"

    # -- key --------------------------------------------------------------------------

    def _load_key(self) -> bytes | None:
        if self._key_state == "unknown":
            if self._key_store is None:
                self._key_state = "unavailable"
            else:
                try:
                    self._key = self._key_store.load()
                    self._key_state = "present" if self._key else "absent"
                except oskeyring.KeyringUnavailableError:
                    self._key_state = "unavailable"
        return self._key

    def _ensure_key(self) -> bytes | None:
        key = self._load_key()
        if key is None and self._key_state == "absent" and self._key_store is not None:
            key = os.urandom(32)
            self._key_store.store(key)
            self._key, self._key_state = key, "present"
        return key

    # -- read -------------------------------------------------------------------------

    def load(self) -> Anchor | None:
        """The anchor, checked; None if there is none. Raises AnchorError if it was altered."""
        doc = storage.read_json(self.path)
        if doc is None and self.path.exists():
            # Another process may have created it between our read and the check; files
            # are written whole (replaced atomically), so a second read settles it.
            doc = storage.read_json(self.path)
        key = self._load_key()
        if doc is None:
            if self.path.exists():
                raise AnchorError(f"The audit anchor {self.path} is unreadable.")
            if key is not None:
                raise AnchorError(
                    f"The audit anchor {self.path} was removed (its key is still in the "
                    "OS keyring): the record of how far the audit log got is gone."
                )
            return None
        try:
            anchor = _parse(doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise AnchorError(f"The audit anchor {self.path} is malformed ({exc}).") from exc
        if doc.get("audit_dir") != str(self.audit_dir):
            raise AnchorError(f"The audit anchor {self.path} belongs to another audit folder.")
        if anchor.protection == "keyring":
            if key is None:
                where = "is not available" if self._key_state == "unavailable" else "lost it"
                raise AnchorError(
                    f"The audit anchor {self.path} is protected by a key in the OS keyring, "
                    f"but the keyring {where}; the anchor cannot be checked.",
                    hint="Unlock the OS keyring and run `chambers audit verify` again.",
                )
            if not hmac.compare_digest(str(doc.get("mac")), _mac(key, anchor.body(self.audit_dir))):
                raise AnchorError(f"The audit anchor {self.path} was altered (MAC mismatch).")
        elif key is not None:
            raise AnchorError(
                f"The audit anchor {self.path} lost its keyring protection (downgraded)."
            )
        return anchor

    # -- write ------------------------------------------------------------------------

    def save(self, anchor: Anchor, durable: bool = True) -> None:
        key = self._ensure_key()
        anchor.protection = "keyring" if key is not None else "none"
        doc = anchor.body(self.audit_dir)
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
        new.vaults = dict(new.vaults)
        new.prev_seq, new.prev_hash = seq - 1, str(record.get("prev_hash", ""))
        new.seq, new.hash = seq, line_hash
        new.key_ids = sorted(set(new.key_ids) | set(key_ids))
        vault = record.get("vault_id")
        details = record.get("details") or {}
        generation = details.get("generation") if isinstance(details, dict) else None
        if isinstance(vault, str) and isinstance(generation, int):
            if record.get("action") == RESTORE_ACCEPT_ACTION:
                new.vaults[vault] = generation
            elif not isinstance(generation, bool):
                new.vaults[vault] = max(generation, new.vaults.get(vault, generation))
        self.save(new)
        return new


def _parse(doc: Mapping[str, Any]) -> Anchor:
    if doc.get("format") != ANCHOR_FORMAT:
        raise ValueError("unknown format")
    ints = {name: doc[name] for name in ("seq", "prev_seq")}
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in ints.values()):
        raise ValueError("sequence numbers must be whole numbers")
    vaults = doc["vaults"]
    if not isinstance(vaults, dict) or not all(isinstance(v, int) for v in vaults.values()):
        raise ValueError("vaults must map ids to generations")
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
    )
