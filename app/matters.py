"""Matters: vault operations together with their audit trail, shared by the CLI and GUI.

The vault package knows nothing of the audit log (it must not depend on it), so the rule
"every vault action is audited (create, unlock, key slots, rekey, backup, lock, delete),
and a vault older than the log says is reported as restored from an old copy" lives
here, once, for every front end: a caller that goes to ``Vault`` directly for one of
these records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app import policy
from app.audit import audit_event, checkpoint, last_vault_generation
from app.audit.anchor import RESTORE_ACCEPT_ACTION
from app.errors import ChambersError
from app.vault import SlotInfo, Vault, VaultInfo, create_vault, delete_vault, unlock
from app.vault.header import SlotType


class RestoredCopyError(ChambersError):
    """The vault is older than the audit log (or its anchor) last saw: refused until accepted.

    Opening it for work would silently drop everything done after the copy was made, and
    writing to it would soon hide that it ever happened, so the user (or IT) must accept
    the restored copy explicitly; that acceptance is itself an audit record.
    """

    exit_code = 3
    #: What happened, without the command-line instruction (the desktop app asks instead).
    situation: str = ""


@dataclass(frozen=True)
class OpenedMatter:
    vault: Vault
    #: Always False now: a vault behind the recorded generation is refused
    #: (RestoredCopyError) rather than opened with a warning. Kept for front ends.
    stale: bool
    logged_generation: int | None

    @property
    def warning(self) -> str | None:
        return None


def restored_copy_situation(name: str, generation: int, recorded: int) -> str:
    return (
        f"Matter {name!r} is at change {generation}, but Chambers recorded change {recorded}: "
        "this folder was restored from an older copy, and the work done after that copy is "
        "missing."
    )


def restored_copy_message(name: str, vault_id: str, generation: int, recorded: int) -> str:
    return (
        f"{restored_copy_situation(name, generation, recorded)} It will not open for work "
        "until you accept the restored copy with "
        f"`chambers vault accept-restore {vault_id}` (recorded in the audit log)."
    )


def create_matter(name: str, *, passphrase: str | None, use_keyring: bool) -> tuple[VaultInfo, str]:
    """A new vault and its recovery key (show it once; it is stored nowhere)."""
    info, recovery_key = create_vault(name, passphrase=passphrase, use_keyring=use_keyring)
    audit_event(
        "vault.create",
        vault_id=info.vault_id,
        details={"generation": 0, "slot_types": ",".join(s.type for s in info.slots)},
    )
    return info, recovery_key


def record_unlock(vault: Vault) -> OpenedMatter:
    """Audit a successful unlock; refuse (and lock) a vault older than recorded.

    Raises RestoredCopyError when the vault's generation is behind the audit log or its
    anchor: the vault is locked again and the refusal recorded (outcome ``denied``).
    """
    generation = vault.generation
    logged = last_vault_generation(vault.vault_id)
    details = {
        "generation": generation,
        "slot_type": vault.unlocked_with.type,
        "slot_id": vault.unlocked_with.id,
    }
    if (
        logged is not None
        and generation < logged
        and policy.restore_accepted_by_policy(vault.vault_id, generation)
    ):
        _record_acceptance(vault, generation, logged, by="policy")
    elif logged is not None and generation < logged:
        name = vault.name
        vault.lock()
        audit_event(
            "vault.unlock",
            vault_id=vault.vault_id,
            outcome="denied",
            details={**details, "recorded_generation": logged, "reason": "restored_copy"},
        )
        error = RestoredCopyError(
            restored_copy_message(name, vault.vault_id, generation, logged),
            hint=f"Run `chambers vault accept-restore {vault.vault_id}` if this copy is "
            "the one to keep; otherwise put the newer copy back.",
        )
        error.situation = restored_copy_situation(name, generation, logged)
        raise error
    audit_event("vault.unlock", vault_id=vault.vault_id, details=details)
    return OpenedMatter(vault, False, logged)


def accept_restored_copy(vault: Vault) -> tuple[int, int] | None:
    """Accept an unlocked vault as it is now: (recorded, current) generation, or None.

    None means nothing to accept (the vault is not behind). Otherwise an audit record
    ``vault.restore_accept`` names both generations, and from then on this generation is
    the one the log (and its anchor) expect.
    """
    generation = vault.generation
    logged = last_vault_generation(vault.vault_id)
    if logged is None or generation >= logged:
        return None
    policy.require_user_may_accept_restore()
    _record_acceptance(vault, generation, logged, by="user")
    return logged, generation


def _record_acceptance(vault: Vault, generation: int, logged: int, *, by: str) -> None:
    audit_event(
        RESTORE_ACCEPT_ACTION,
        vault_id=vault.vault_id,
        details={
            "generation": generation,
            "recorded_generation": logged,
            "slot_type": vault.unlocked_with.type,
            "accepted_by": by,
        },
    )


def record_failed_unlock(info: VaultInfo, error: Exception) -> None:
    audit_event(
        "vault.unlock",
        vault_id=info.vault_id,
        outcome="failed",
        details={"reason": type(error).__name__},
    )


def open_matter(
    info: VaultInfo,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    use_keyring: bool = True,
    accept_restored: bool = False,
) -> OpenedMatter:
    """Unlock with one secret, audit the attempt, and check for a restored old copy.

    ``accept_restored`` is the desktop app's answer to RestoredCopyError after the user
    confirmed "Keep this copy": the same secret proves the right to the vault,
    ``accept_restored_copy`` records the acceptance (or policy refuses it, and the vault
    is locked again), then the unlock is audited as usual.
    """
    try:
        vault = unlock(
            info, passphrase=passphrase, recovery_key=recovery_key, use_keyring=use_keyring
        )
    except ChambersError as exc:
        record_failed_unlock(info, exc)
        raise
    try:
        if accept_restored:
            accept_restored_copy(vault)
        return record_unlock(vault)
    except BaseException:  # refused or unrecordable (a cut or linked audit log): locked again
        if not vault.is_locked:
            vault.lock()
        raise


def lock_matter(vault: Vault, *, reason: str = "user") -> str | None:
    """Drop the keys, record the lock with the final generation, and seal the log.

    Returns a warning when the log could not be sealed: the vault is locked and the record
    appended either way, and the next checkpoint (at exit at the latest) covers it.
    """
    if vault.is_locked:
        return None
    generation = vault.generation
    vault.lock()
    audit_event(
        "vault.lock", vault_id=vault.vault_id, details={"generation": generation, "reason": reason}
    )
    try:
        checkpoint()
    except ChambersError as exc:
        return f"The audit log could not be sealed: {exc.message}"
    return None


def delete_matter(info: VaultInfo) -> None:
    """Destroy every key slot and the database, and record it."""
    delete_vault(info)
    audit_event("vault.delete", vault_id=info.vault_id)


def add_matter_slot(
    vault: Vault, slot_type: SlotType, *, passphrase: str | None = None
) -> tuple[SlotInfo, str | None]:
    """Add a way to unlock an unlocked vault, and record it (``vault.slot.add``).

    Returns the slot and, for a recovery slot, its recovery key (show it once).
    """
    slot, recovery = vault.add_slot(slot_type, passphrase=passphrase)
    audit_event(
        "vault.slot.add",
        vault_id=vault.vault_id,
        details={"generation": vault.generation, "slot_id": slot.id, "slot_type": slot.type},
    )
    return slot, recovery


def remove_matter_slot(vault: Vault, slot_id: int) -> None:
    """Remove a way to unlock (never the last), and record it (``vault.slot.remove``)."""
    vault.remove_slot(slot_id)
    audit_event(
        "vault.slot.remove",
        vault_id=vault.vault_id,
        details={"generation": vault.generation, "slot_id": slot_id},
    )


def rekey_matter(vault: Vault, *, passphrase: str | None = None) -> dict[int, str]:
    """A new master key, recorded (``vault.rekey``); returns the new recovery keys by slot."""
    recovery = vault.rekey(passphrase=passphrase)
    audit_event(
        "vault.rekey",
        vault_id=vault.vault_id,
        details={"generation": vault.generation, "slots_rewrapped": len(vault.info.slots)},
    )
    return recovery


def backup_matter(vault: Vault, dest: Path) -> VaultInfo:
    """An encrypted copy of the vault in the new folder ``dest``, recorded (``vault.backup``)."""
    copy = vault.backup(dest)
    audit_event("vault.backup", vault_id=vault.vault_id, details={"generation": vault.generation})
    return copy
