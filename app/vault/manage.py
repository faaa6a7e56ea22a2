"""Creating, finding, unlocking and deleting vaults (the entry points that need no open vault).

A vault is created in a hidden folder and renamed into place when complete, so a crash
during creation never leaves a half-made vault in the list. Unlocking touches nothing on
disk until a slot has opened: a wrong secret leaves every file byte-identical.
"""

from __future__ import annotations

import contextlib
import shutil
import unicodedata
import uuid
from pathlib import Path

from app.paths import link_problem, refuse_link, vaults_dir
from app.vault import crypto, rekey, slots, store
from app.vault.errors import (
    NoUsableSlotError,
    VaultError,
    VaultExistsError,
    VaultIntegrityError,
    VaultNotFoundError,
)
from app.vault.header import (
    DB_FILE,
    HEADER_FILE,
    Header,
    Slot,
    fsync_dir,
    read_header,
    write_atomic,
    write_header,
)
from app.vault.info import VaultInfo
from app.vault.vault import Vault

DEFAULT_AUTO_LOCK_MINUTES = 15
MAX_NAME_CHARS = 200


def _check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip())
    if not name or len(name) > MAX_NAME_CHARS or any(unicodedata.category(c) == "Cc" for c in name):
        raise VaultError(
            f"{name!r} is not a usable vault name.",
            hint=f"Use 1 to {MAX_NAME_CHARS} printable characters.",
        )
    return name


def open_info(folder: Path) -> VaultInfo:
    """The vault in ``folder`` (a vault folder or a backup); raises on a damaged header."""
    return VaultInfo.from_header(read_header(folder), folder)


def list_vaults() -> list[VaultInfo]:
    """Every vault folder, sorted by name; damaged ones are listed with ``problem`` set.

    A folder whose name is not the vault id inside it (a copy made beside the original)
    is listed under its folder name with a problem, never as a second copy of the vault:
    it shares the original's keyring entries, so it must not be opened or deleted as one.
    """
    found: list[VaultInfo] = []
    for folder in sorted(vaults_dir().iterdir()):
        if folder.name.startswith("."):
            continue
        linked = link_problem(folder, "vault folder")
        if linked:  # listed so it is seen, never opened (unlock refuses it too)
            problem = f"{linked} Move the real folder here in place of the link."
            found.append(VaultInfo(folder.name, folder.name, folder, "", 0, (), problem=problem))
            continue
        if not folder.is_dir():
            continue
        try:
            info = open_info(folder)
            if info.vault_id != folder.name:
                raise VaultIntegrityError(
                    f"The folder {folder} holds vault {info.vault_id} ({info.name!r}) under "
                    "another name: a copy of a vault folder. Move it out of the vaults "
                    "folder (restore it with its own name if it is the copy to keep)."
                )
            found.append(info)
        except VaultError as exc:
            found.append(
                VaultInfo(folder.name, folder.name, folder, "", 0, (), problem=exc.message)
            )
    return sorted(found, key=lambda v: (v.name.casefold(), v.vault_id))


def find_vault(name_or_id: str) -> VaultInfo:
    """By exact id, by name (case-insensitive), or by a unique id prefix of 4+ characters."""
    vaults = list_vaults()
    for matches in (
        [v for v in vaults if v.vault_id == name_or_id],
        [
            v
            for v in vaults
            if v.problem is None and v.name.casefold() == name_or_id.strip().casefold()
        ],
        [v for v in vaults if len(name_or_id) >= 4 and v.vault_id.startswith(name_or_id)],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise VaultNotFoundError(
                f"{name_or_id!r} matches several vaults: "
                + ", ".join(v.vault_id for v in matches)
                + ".",
                hint="Give the full vault id.",
            )
    raise VaultNotFoundError(f"No vault called {name_or_id!r}.")


def create_vault(
    name: str,
    *,
    passphrase: str | None,
    use_keyring: bool,
    auto_lock_minutes: int = DEFAULT_AUTO_LOCK_MINUTES,
) -> tuple[VaultInfo, str]:
    """A new empty vault with keyring and/or passphrase slots plus a recovery slot.

    Returns the vault and its recovery key, which is not stored anywhere: show it once.
    """
    name = _check_name(name)
    if not passphrase and not use_keyring:
        raise VaultError(
            "A vault needs a passphrase or the OS keyring to unlock it day to day.",
            hint="Give a passphrase, or allow the keyring.",
        )
    if any(v.name.casefold() == name.casefold() for v in list_vaults()):
        raise VaultExistsError(f"A vault called {name!r} already exists.")
    vault_id = uuid.uuid4().hex
    partial = vaults_dir() / f".{vault_id}.creating"
    partial.mkdir(mode=0o700)
    vmk = crypto.random_key()
    made: list[Slot] = []
    try:
        if use_keyring:
            made.append(slots.new_keyring_slot(vault_id, len(made) + 1, vmk))
        if passphrase:
            made.append(slots.new_passphrase_slot(vault_id, len(made) + 1, vmk, passphrase))
        recovery, text = slots.new_recovery_slot(vault_id, len(made) + 1, vmk)
        made.append(recovery)
        created = slots.now_iso()
        header = Header(
            vault_id, name, created, auto_lock_minutes, len(made) + 1, tuple(made)
        ).signed(vmk)
        key = store.db_key(vmk)
        try:
            store.open_database(
                partial / DB_FILE, key, vault_id=vault_id, created=created, create=True
            ).close()
        finally:
            crypto.wipe(key)
        write_header(partial, header)
        final = vaults_dir() / vault_id
        partial.rename(final)
        fsync_dir(final.parent)
    except BaseException:
        for slot in made:
            with contextlib.suppress(Exception):
                slots.forget_keyring_entry(slot)
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        crypto.wipe(vmk)
    return VaultInfo.from_header(header, final), text


def unlock(
    info: VaultInfo,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    use_keyring: bool = True,
) -> Vault:
    """Open the vault with the first secret given: recovery key, then passphrase, then keyring.

    An explicit secret that fails raises its own error (no silent fallback to another slot).
    """
    folder = info.path
    refuse_link(folder, "vault folder")
    header = read_header(folder)
    if recovery_key is not None:
        slot, vmk = slots.open_with_recovery_key(header, recovery_key)
    elif passphrase is not None:
        slot, vmk = slots.open_with_passphrase(header, passphrase)
    elif use_keyring:
        slot, vmk = slots.open_with_keyring(header)
    else:
        raise NoUsableSlotError(
            f"No passphrase or recovery key was given for vault {header.name!r}."
        )
    try:
        if not header.mac_ok(vmk):
            raise VaultIntegrityError(
                f"{folder / HEADER_FILE} was altered (its MAC does not verify)."
            )
        rekey.resolve_pending(folder, header, vmk)
        key = store.db_key(vmk)
        try:
            conn = store.open_database(
                folder / DB_FILE, key, vault_id=header.vault_id, created=header.created
            )
        finally:
            crypto.wipe(key)
    except BaseException:
        crypto.wipe(vmk)
        raise
    return Vault(folder, header, vmk, conn, slot.id)


def delete_vault(info: VaultInfo) -> None:
    """Crypto-shred, then remove: vault.json is first replaced by a slot-less tombstone (so
    the master key is unrecoverable from this folder even if the rest is interrupted), then
    keyring entries and the database files are removed. Backups made earlier still open."""
    folder = info.path
    try:
        header = read_header(folder)
        # A misnamed copy shares the original's keyring entries: leave those alone.
        entries = [s for s in header.slots if s.type == "keyring"]
        entries = entries if header.vault_id == folder.name else []
    except VaultError:
        entries = []
    if (folder / HEADER_FILE).exists():
        write_atomic(folder / HEADER_FILE, b'{"format": "chambers-vault", "deleted": true}\n')
    for slot in entries:
        slots.forget_keyring_entry(slot)
    for child in sorted(folder.iterdir()):
        if child.name == HEADER_FILE:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    (folder / HEADER_FILE).unlink(missing_ok=True)
    folder.rmdir()
    fsync_dir(folder.parent)
