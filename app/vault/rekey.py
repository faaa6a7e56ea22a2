"""Replacing the vault master key, crash-safely.

A rekey changes two files (vault.db is re-encrypted, vault.json re-wrapped) that cannot be
replaced in one atomic step. A small journal, rekey.json, written before the database is
touched, holds the new VMK sealed under the old one. The commit point is the atomic
replacement of vault.json. If we crash before it, the next unlock (with any old secret)
finds the journal and rolls the database back to the old key; after it, the journal is
simply removed. Either way every slot of whichever vault.json is on disk opens the vault.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.vault import crypto, slots, store
from app.vault.errors import NoUsableSlotError, SlotError, VaultIntegrityError, WrongPassphraseError
from app.vault.header import (
    DB_FILE,
    HEADER_FILE,
    Header,
    Slot,
    b64,
    file_json,
    fsync_dir,
    write_atomic,
    write_header,
)

JOURNAL_FILE = "rekey.json"
JOURNAL_FORMAT = "chambers-vault-rekey"


def _aad(vault_id: str, old_sha: str, new_sha: str) -> bytes:
    return crypto.encode_aad([JOURNAL_FORMAT, "1", vault_id, old_sha, new_sha])


def _rekey_db(conn: Any, key: bytes | bytearray) -> None:
    conn.execute(f"PRAGMA rekey = \"x'{bytes(key).hex()}'\"")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _rewrap(
    header: Header, slot: Slot, old_vmk: bytearray, new_vmk: bytearray, passphrase: str | None
) -> tuple[Slot, str | None]:
    """The slot re-wrapped under the new VMK (recovery slots get a new key: returned)."""
    vid = header.vault_id
    if slot.type == "recovery":
        return slots.new_recovery_slot(vid, slot.id, new_vmk)
    if slot.type == "keyring":
        kek = slots.keyring_kek(slot)
        if kek is None:
            raise NoUsableSlotError(
                f"The OS keyring holds no key for keyring slot {slot.id}, so it cannot be "
                "re-wrapped.",
                hint=f"Remove that slot first (`chambers vault remove-slot VAULT {slot.id}`).",
            )
    else:
        if passphrase is None:
            raise SlotError(
                f"Rekeying re-wraps passphrase slot {slot.id}, which needs its passphrase.",
                hint="Give the passphrase (--passphrase-file or CHAMBERS_PASSPHRASE).",
            )
        kek = slots.passphrase_kek(slot, passphrase)
    try:
        check = slots.unwrap(slot, vid, kek)
    except crypto.UnwrapFailed:
        crypto.wipe(kek)
        if slot.type == "passphrase":
            raise WrongPassphraseError(
                f"The passphrase does not open passphrase slot {slot.id}.",
                hint="Every passphrase slot must share the passphrase given, "
                "or be removed before rekeying.",
            ) from None
        raise VaultIntegrityError(
            f"Keyring slot {slot.id} no longer opens with its keyring key."
        ) from None
    ok = check == old_vmk
    crypto.wipe(check)
    if not ok:
        crypto.wipe(kek)
        raise VaultIntegrityError(f"Slot {slot.id} wraps a different master key.")
    try:
        return slots.wrap(slot, vid, kek, new_vmk), None
    finally:
        crypto.wipe(kek)


def rekey(
    folder: Path, header: Header, old_vmk: bytearray, conn: Any, passphrase: str | None
) -> tuple[Header, bytearray, dict[int, str]]:
    """New VMK, database re-encrypted, every slot re-wrapped. Returns the new recovery keys."""
    new_vmk = crypto.random_key()
    new_slots: list[Slot] = []
    recovery: dict[int, str] = {}
    try:
        for slot in header.slots:
            new_slot, text = _rewrap(header, slot, old_vmk, new_vmk, passphrase)
            new_slots.append(new_slot)
            if text is not None:
                recovery[slot.id] = text
    except BaseException:
        crypto.wipe(new_vmk)
        raise
    new_header = replace(header, slots=tuple(new_slots)).signed(new_vmk)
    old_sha = hashlib.sha256((folder / HEADER_FILE).read_bytes()).hexdigest()
    new_sha = hashlib.sha256(new_header.to_bytes()).hexdigest()
    jkek = crypto.hkdf(old_vmk, crypto.INFO_REKEY_KEK)
    nonce, sealed = crypto.seal(jkek, new_vmk, _aad(header.vault_id, old_sha, new_sha))
    crypto.wipe(jkek)
    journal = {
        "format": JOURNAL_FORMAT,
        "version": 1,
        "vault_id": header.vault_id,
        "old_header_sha256": old_sha,
        "new_header_sha256": new_sha,
        "nonce": b64(nonce),
        "wrapped_new_vmk": b64(sealed),
    }
    write_atomic(folder / JOURNAL_FILE, file_json(journal))
    new_key = store.db_key(new_vmk)
    try:
        _rekey_db(conn, new_key)
    finally:
        crypto.wipe(new_key)
    write_header(folder, new_header)  # the commit point
    (folder / JOURNAL_FILE).unlink()
    fsync_dir(folder)
    return new_header, new_vmk, recovery


def _read_journal(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_bytes().decode("ascii"))
        if not isinstance(obj, dict) or obj.get("format") != JOURNAL_FORMAT:
            raise ValueError("not a rekey journal")
        return obj
    except (UnicodeDecodeError, ValueError) as exc:
        raise VaultIntegrityError(f"{path} (an interrupted rekey) is damaged.") from exc


def resolve_pending(folder: Path, header: Header, vmk: bytearray) -> None:
    """Finish or roll back an interrupted rekey; a no-op when there is no journal."""
    path = folder / JOURNAL_FILE
    if not path.exists():
        return
    j = _read_journal(path)
    current = hashlib.sha256((folder / HEADER_FILE).read_bytes()).hexdigest()
    if current == j.get("new_header_sha256"):
        path.unlink()
        fsync_dir(folder)
        return
    if current != j.get("old_header_sha256") or j.get("vault_id") != header.vault_id:
        raise VaultIntegrityError(f"{path} does not belong to this vault.json.")
    old_key = store.db_key(vmk)
    try:
        try:
            store.connect(folder / DB_FILE, old_key).close()
        except store.WrongDatabaseKey:
            _roll_back(folder, header, vmk, j, old_key)
    finally:
        crypto.wipe(old_key)
    path.unlink()
    fsync_dir(folder)


def _roll_back(
    folder: Path, header: Header, vmk: bytearray, j: dict[str, Any], old_key: bytearray
) -> None:
    import base64

    jkek = crypto.hkdf(vmk, crypto.INFO_REKEY_KEK)
    try:
        new_vmk = crypto.open_sealed(
            jkek,
            base64.b64decode(str(j["nonce"])),
            base64.b64decode(str(j["wrapped_new_vmk"])),
            _aad(header.vault_id, str(j["old_header_sha256"]), str(j["new_header_sha256"])),
        )
    except (crypto.UnwrapFailed, KeyError, ValueError) as exc:
        raise VaultIntegrityError(
            f"{folder / JOURNAL_FILE} (an interrupted rekey) is damaged."
        ) from exc
    finally:
        crypto.wipe(jkek)
    new_key = store.db_key(new_vmk)
    crypto.wipe(new_vmk)
    try:
        conn = store.connect(folder / DB_FILE, new_key)
    except store.WrongDatabaseKey as exc:
        raise VaultIntegrityError(
            f"The vault database in {folder} opens with neither key."
        ) from exc
    finally:
        crypto.wipe(new_key)
    try:
        _rekey_db(conn, old_key)
    finally:
        conn.close()
