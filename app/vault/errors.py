"""Vault failures, each with a plain-language message and a hint (see app.errors).

Exit codes matter to scripts: a wrong or mistyped secret is 2 (the user can retry), a
damaged or tampered vault is 3 (retrying will not help; restore a backup), anything else 1.
"""

from __future__ import annotations

from app.errors import ChambersError


class VaultError(ChambersError):
    """Base class for vault failures."""


class VaultNotFoundError(VaultError):
    default_hint = "Run `chambers vault list` to see the vaults on this machine."


class VaultExistsError(VaultError):
    default_hint = "Choose another name, or open the existing vault."


class VaultLockedError(VaultError):
    default_hint = "Unlock the vault again."


class WrongSecretError(VaultError):
    """The secret was well-formed but does not open any slot of that type."""

    exit_code = 2


class WrongPassphraseError(WrongSecretError):
    default_hint = (
        "Check the passphrase (it is case-sensitive) and try again, or use the recovery key."
    )


class WrongRecoveryKeyError(WrongSecretError):
    default_hint = (
        "Check that this recovery key belongs to this vault (recovery keys are per vault)."
    )


class MistypedRecoveryKeyError(WrongSecretError):
    default_hint = (
        "The recovery key has a built-in check group; one of its characters is wrong or "
        "missing. Compare it with the printed copy character by character."
    )


class NoUsableSlotError(WrongSecretError):
    default_hint = (
        "Give a passphrase (--passphrase-file or CHAMBERS_PASSPHRASE) or a recovery key "
        "(--recovery-key-file)."
    )


class VaultIntegrityError(VaultError):
    """vault.json or vault.db is damaged or was altered; no data is returned from it."""

    exit_code = 3
    default_hint = (
        "The vault files are damaged or were altered. Restore the vault folder from a backup "
        "(`chambers vault backup` makes one); do not edit vault files by hand."
    )


class WeakKdfParametersError(VaultIntegrityError):
    default_hint = (
        "vault.json asks for weaker passphrase protection than Chambers allows, or for so "
        "much work that unlocking would take minutes; either is what an attacker editing "
        "the file would do. Restore vault.json from a backup."
    )


class SlotError(VaultError):
    default_hint = "Run `chambers vault list` to see the slots of each vault."


class DocumentNotFoundError(VaultError):
    default_hint = "The document may have been deleted; list the documents of the vault."
