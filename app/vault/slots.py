"""Key slots: wrap the vault master key (VMK) under a key-encryption key (KEK), and back.

Each slot type gets its KEK differently (docs/vault-format.md): a random device key held
in the OS keyring, Argon2id over a passphrase, or HKDF over a 160-bit recovery key. The
unwrap is AES-256-GCM whose associated data binds the slot to this vault and to its own
parameters, so a slot copied from another vault or edited in place does not open.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime

from app.vault import crypto, oskeyring, recovery_key
from app.vault.errors import (
    NoUsableSlotError,
    VaultIntegrityError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
)
from app.vault.header import Header, Slot


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def keyring_entry_name(vault_id: str, slot_id: int) -> str:
    return f"vault/{vault_id}/slot/{slot_id}"


def wrap(slot: Slot, vault_id: str, kek: bytes | bytearray, vmk: bytes | bytearray) -> Slot:
    """The slot with a fresh nonce and ``vmk`` sealed under ``kek``."""
    nonce, sealed = crypto.seal(kek, vmk, slot.aad(vault_id))
    return replace(slot, nonce=nonce, wrapped_vmk=sealed)


def unwrap(slot: Slot, vault_id: str, kek: bytes | bytearray) -> bytearray:
    """The VMK; raises crypto.UnwrapFailed if the KEK is wrong or the slot was altered."""
    return crypto.open_sealed(kek, slot.nonce, slot.wrapped_vmk, slot.aad(vault_id))


def new_keyring_slot(vault_id: str, slot_id: int, vmk: bytes | bytearray) -> Slot:
    """Store a fresh random device key in the OS keyring and wrap the VMK under it."""
    entry = keyring_entry_name(vault_id, slot_id)
    device_key = crypto.random_key()
    try:
        oskeyring.store_secret(entry, bytes(device_key))
        kek = crypto.hkdf(device_key, crypto.INFO_KEYRING_KEK)
    finally:
        crypto.wipe(device_key)
    slot = Slot(slot_id, "keyring", now_iso(), b"", b"", keyring_entry=entry)
    try:
        return wrap(slot, vault_id, kek, vmk)
    finally:
        crypto.wipe(kek)


def new_passphrase_slot(
    vault_id: str, slot_id: int, vmk: bytes | bytearray, passphrase: str
) -> Slot:
    if not passphrase:
        raise WrongPassphraseError(
            "An empty passphrase cannot protect a vault.", hint="Choose a passphrase."
        )
    salt = os.urandom(crypto.SALT_BYTES)
    params, kek = crypto.tuned_argon2id(passphrase, salt)
    slot = Slot(slot_id, "passphrase", now_iso(), b"", b"", salt=salt, argon2=params)
    try:
        return wrap(slot, vault_id, kek, vmk)
    finally:
        crypto.wipe(kek)


def new_recovery_slot(vault_id: str, slot_id: int, vmk: bytes | bytearray) -> tuple[Slot, str]:
    """A recovery slot and the printable recovery key (shown once, never stored)."""
    raw, printable = recovery_key.new_key()
    salt = os.urandom(crypto.SALT_BYTES)
    kek = crypto.hkdf(raw, crypto.INFO_RECOVERY_KEK, salt)
    crypto.wipe(raw)
    slot = Slot(slot_id, "recovery", now_iso(), b"", b"", salt=salt)
    try:
        return wrap(slot, vault_id, kek, vmk), printable
    finally:
        crypto.wipe(kek)


def passphrase_kek(slot: Slot, passphrase: str) -> bytearray:
    assert slot.salt is not None and slot.argon2 is not None
    return crypto.argon2id(passphrase, slot.salt, slot.argon2)


def keyring_kek(slot: Slot) -> bytearray | None:
    """The KEK from the device key in the keyring, or None if the entry is missing."""
    assert slot.keyring_entry is not None
    device_key = oskeyring.load_secret(slot.keyring_entry)
    if device_key is None:
        return None
    buf = bytearray(device_key)
    try:
        return crypto.hkdf(buf, crypto.INFO_KEYRING_KEK)
    finally:
        crypto.wipe(buf)


def _try(header: Header, slot: Slot, kek: bytearray) -> bytearray | None:
    try:
        return unwrap(slot, header.vault_id, kek)
    except crypto.UnwrapFailed:
        return None
    finally:
        crypto.wipe(kek)


def open_with_passphrase(header: Header, passphrase: str) -> tuple[Slot, bytearray]:
    candidates = [s for s in header.slots if s.type == "passphrase"]
    if not candidates:
        raise NoUsableSlotError(
            f"Vault {header.name!r} has no passphrase slot.",
            hint="Unlock it with the keyring or the recovery key.",
        )
    for slot in candidates:
        vmk = _try(header, slot, passphrase_kek(slot, passphrase))
        if vmk is not None:
            return slot, vmk
    raise WrongPassphraseError(f"Wrong passphrase for vault {header.name!r}.")


def open_with_recovery_key(header: Header, text: str) -> tuple[Slot, bytearray]:
    raw = recovery_key.parse_key(text)  # raises MistypedRecoveryKeyError before any key is tried
    candidates = [s for s in header.slots if s.type == "recovery"]
    if not candidates:
        crypto.wipe(raw)
        raise NoUsableSlotError(
            f"Vault {header.name!r} has no recovery slot.",
            hint="Unlock it with the keyring or the passphrase.",
        )
    try:
        for slot in candidates:
            assert slot.salt is not None
            vmk = _try(header, slot, crypto.hkdf(raw, crypto.INFO_RECOVERY_KEK, slot.salt))
            if vmk is not None:
                return slot, vmk
    finally:
        crypto.wipe(raw)
    raise WrongRecoveryKeyError(
        f"Wrong recovery key for vault {header.name!r}: it is well-formed but does not "
        "open this vault."
    )


def open_with_keyring(header: Header) -> tuple[Slot, bytearray]:
    candidates = [s for s in header.slots if s.type == "keyring"]
    if not candidates:
        raise NoUsableSlotError(f"Vault {header.name!r} has no keyring slot.")
    for slot in candidates:
        kek = keyring_kek(slot)
        if kek is None:
            continue
        vmk = _try(header, slot, kek)
        if vmk is not None:
            return slot, vmk
        raise VaultIntegrityError(
            f"The keyring key for vault {header.name!r} does not open slot {slot.id}: the slot "
            "or the keyring entry was altered."
        )
    raise NoUsableSlotError(
        f"The OS keyring holds no key for vault {header.name!r} (it was created on another "
        "machine or under another user, or the keyring entry was removed)."
    )


def forget_keyring_entry(slot: Slot) -> None:
    if slot.type == "keyring" and slot.keyring_entry:
        oskeyring.delete_secret(slot.keyring_entry)
