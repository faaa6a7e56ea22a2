"""Matters: vault operations together with their audit trail, shared by the CLI and GUI.

The vault package knows nothing of the audit log (it must not depend on it), so the rule
"every vault action is audited, and a vault older than the log says is reported as
restored from an old copy" lives here, once, for every front end.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.audit import audit_event, checkpoint, last_vault_generation
from app.errors import ChambersError
from app.vault import Vault, VaultInfo, create_vault, delete_vault, unlock


@dataclass(frozen=True)
class OpenedMatter:
    vault: Vault
    #: True when the vault's commit counter is behind what the audit log last recorded:
    #: the vault folder was probably restored from an older copy.
    stale: bool
    logged_generation: int | None

    @property
    def warning(self) -> str | None:
        if not self.stale:
            return None
        return (
            f"Matter {self.vault.name!r} is at change {self.vault.generation}, but the audit log "
            f"recorded change {self.logged_generation}: it appears to have been restored from an old "
            "copy. "
            "Work done after that copy is missing."
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
    """Audit a successful unlock and compare the vault's generation with the log."""
    generation = vault.generation
    logged = last_vault_generation(vault.vault_id)
    stale = logged is not None and generation < logged
    audit_event(
        "vault.unlock",
        vault_id=vault.vault_id,
        outcome="stale" if stale else "ok",
        details={
            "generation": generation,
            "slot_type": vault.unlocked_with.type,
            "slot_id": vault.unlocked_with.id,
        },
    )
    return OpenedMatter(vault, stale, logged)


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
) -> OpenedMatter:
    """Unlock with one secret, audit the attempt, and check for a restored old copy."""
    try:
        vault = unlock(
            info, passphrase=passphrase, recovery_key=recovery_key, use_keyring=use_keyring
        )
    except ChambersError as exc:
        record_failed_unlock(info, exc)
        raise
    return record_unlock(vault)


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
