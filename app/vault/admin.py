"""Slot management and backup for an unlocked vault.

Ordering is chosen for crashes: a new keyring entry is stored before vault.json names it,
and a removed slot's keyring entry is deleted only after vault.json stops naming it, so a
crash leaves at worst an orphaned keyring entry, never a slot without its key.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.vault import slots
from app.vault.errors import SlotError, VaultError, VaultExistsError
from app.vault.header import DB_FILE, HEADER_FILE, SLOT_TYPES, Header, Slot, fsync_dir, write_header
from app.vault.info import VaultInfo


def add_slot(
    folder: Path, header: Header, vmk: bytearray, slot_type: str, passphrase: str | None
) -> tuple[Header, Slot, str | None]:
    if slot_type not in SLOT_TYPES:
        raise SlotError(f"Unknown slot type {slot_type!r}; use one of {', '.join(SLOT_TYPES)}.")
    sid = header.next_slot_id
    text: str | None = None
    if slot_type == "keyring":
        slot = slots.new_keyring_slot(header.vault_id, sid, vmk)
    elif slot_type == "passphrase":
        if not passphrase:
            raise SlotError(
                "A passphrase slot needs a passphrase.",
                hint="Give it with --new-passphrase-file or CHAMBERS_NEW_PASSPHRASE.",
            )
        slot = slots.new_passphrase_slot(header.vault_id, sid, vmk, passphrase)
    else:
        slot, text = slots.new_recovery_slot(header.vault_id, sid, vmk)
    new = replace(header, slots=(*header.slots, slot), next_slot_id=sid + 1).signed(vmk)
    try:
        write_header(folder, new)
    except BaseException:
        with contextlib.suppress(Exception):
            slots.forget_keyring_entry(slot)
        raise
    return new, slot, text


def remove_slot(folder: Path, header: Header, vmk: bytearray, slot_id: int) -> Header:
    slot = header.slot(slot_id)
    if slot is None:
        raise SlotError(f"Vault {header.name!r} has no slot {slot_id}.")
    if len(header.slots) == 1:
        raise SlotError(
            f"Slot {slot_id} is the last way into vault {header.name!r}; it cannot be removed.",
            hint="Add another slot first (`chambers vault add-slot`).",
        )
    new = replace(header, slots=tuple(s for s in header.slots if s.id != slot_id)).signed(vmk)
    write_header(folder, new)
    slots.forget_keyring_entry(slot)
    return new


def backup(folder: Path, header: Header, conn: Any, dest: Path) -> VaultInfo:
    """VACUUM INTO a fresh file (same key, compacted: freed pages are not copied), plus
    vault.json; assembled in a hidden sibling folder and renamed into place at the end."""
    dest = dest.absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise VaultExistsError(
            f"{dest} already exists and is not an empty folder.",
            hint="Choose a new folder name for the backup.",
        )
    if not dest.parent.is_dir():
        raise VaultError(f"The folder {dest.parent} does not exist.", hint="Create it first.")
    partial = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        conn.execute("VACUUM INTO ?", (str(partial / DB_FILE),))
        with open(partial / DB_FILE, "rb+") as fh:
            os.fsync(fh.fileno())
        (partial / HEADER_FILE).write_bytes((folder / HEADER_FILE).read_bytes())
        with open(partial / HEADER_FILE, "rb+") as fh:
            os.fsync(fh.fileno())
        fsync_dir(partial)
        if dest.exists():
            dest.rmdir()
        partial.rename(dest)
        fsync_dir(dest.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return VaultInfo.from_header(header, dest)
