"""Unlocking a vault from the command line, shared by every verb that opens one.

Secrets never go on the command line (it is visible to other users in the process list):
they come from files, from the OS keyring, or from environment variables set by a script.
Order: --recovery-key-file, then --passphrase-file, then the keyring (unless
--no-keyring), then CHAMBERS_PASSPHRASE. Each unlock is audited here, including failures
and vaults that look restored from an old copy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.errors import ChambersError, UsageError
from app.matters import lock_matter, record_failed_unlock, record_unlock
from app.vault import NoUsableSlotError, Vault, VaultInfo, find_vault, unlock
from app.vault.oskeyring import KeyringUnavailableError

PASSPHRASE_ENV = "CHAMBERS_PASSPHRASE"


def add_unlock_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("unlocking")
    group.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"read the passphrase from FILE ('-' for standard input); or set {PASSPHRASE_ENV}",
    )
    group.add_argument(
        "--recovery-key-file",
        metavar="FILE",
        help="read the recovery key from FILE ('-' for stdin)",
    )
    group.add_argument(
        "--no-keyring", action="store_true", help="do not use the OS keyring to unlock"
    )


def read_secret_file(path: str) -> str:
    """The file's text without its final line break (editors add one)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"Cannot read {path}: {exc.strerror}.", hint="Check the file path."
        ) from exc
    return text.removesuffix("\n").removesuffix("\r")


def passphrase_from_args(args: argparse.Namespace) -> str | None:
    """The passphrase from --passphrase-file or CHAMBERS_PASSPHRASE, if either is given."""
    if getattr(args, "passphrase_file", None):
        return read_secret_file(args.passphrase_file)
    return os.environ.get(PASSPHRASE_ENV) or None


def unlock_from_args(info: VaultInfo, args: argparse.Namespace) -> Vault:
    """Unlock with the secret the arguments name (no audit record: callers write it)."""
    if getattr(args, "recovery_key_file", None):
        return unlock(info, recovery_key=read_secret_file(args.recovery_key_file))
    if getattr(args, "passphrase_file", None):
        return unlock(info, passphrase=read_secret_file(args.passphrase_file))
    env_passphrase = os.environ.get(PASSPHRASE_ENV) or None
    if not getattr(args, "no_keyring", False) and info.has_slot_type("keyring"):
        try:
            return unlock(info)
        except (NoUsableSlotError, KeyringUnavailableError):
            if env_passphrase is None:
                raise
    if env_passphrase is not None:
        return unlock(info, passphrase=env_passphrase)
    raise NoUsableSlotError(f"No way to unlock vault {info.name!r} was given.")


def open_vault(args: argparse.Namespace, name_or_id: str | None = None) -> Vault:
    """Find the vault named by ``args.vault`` (or ``name_or_id``), unlock it, audit it.

    A vault restored from an old copy is refused (app.matters.RestoredCopyError) until
    `chambers vault accept-restore` accepts it.
    """
    info = find_vault(name_or_id if name_or_id is not None else args.vault)
    try:
        vault = unlock_from_args(info, args)
    except ChambersError as exc:
        record_failed_unlock(info, exc)
        raise
    opened = record_unlock(vault)
    if opened.warning:
        print(f"warning: {opened.warning}", file=sys.stderr)
    return vault


def close_vault(vault: Vault) -> None:
    """Lock, audit and seal the log (DESIGN: a checkpoint at every lock)."""
    warning = lock_matter(vault)
    if warning:
        from app.commands._audit_notice import lock_warning

        lock_warning(warning)  # no keyring: the once-a-day note, not a warning per command
