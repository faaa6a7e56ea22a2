"""``chambers vault``: create, list, re-key, back up and delete matter vaults, headless.

Every verb that opens a vault unlocks it through app.commands._unlock (keyring, passphrase
file, CHAMBERS_PASSPHRASE or recovery key file), does one thing, and locks it again; each
step is recorded in the audit log with the vault's generation (by app/matters.py, so the
desktop app's calls record the same). Exit codes: 0 done, 1 error,
2 wrong/mistyped secret or bad usage, 3 vault damaged or altered.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.commands._output import print_json
from app.commands._unlock import (
    add_unlock_arguments,
    close_vault,
    open_vault,
    passphrase_from_args,
    read_secret_file,
    unlock_from_args,
)
from app.errors import ChambersError, UsageError
from app.matters import (
    accept_restored_copy,
    add_matter_slot,
    backup_matter,
    create_matter,
    delete_matter,
    record_failed_unlock,
    rekey_matter,
    remove_matter_slot,
)
from app.vault import VaultInfo, find_vault, list_vaults

NEW_PASSPHRASE_ENV = "CHAMBERS_NEW_PASSPHRASE"
SLOT_TYPE_CHOICES = ("passphrase", "keyring", "recovery")


def register(sub: Any) -> None:
    parser = sub.add_parser("vault", help="create and manage encrypted matter vaults")
    verbs = parser.add_subparsers(dest="vault_verb", metavar="ACTION", required=True)

    p = verbs.add_parser("create", help="create a vault and print its recovery key once")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="add a passphrase slot, passphrase read from FILE (or CHAMBERS_PASSPHRASE)",
    )
    p.add_argument("--no-keyring", action="store_true", help="do not add an OS-keyring slot")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_create)

    p = verbs.add_parser("list", help="list the vaults on this machine")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=_list)

    p = verbs.add_parser("add-slot", help="add a way to unlock a vault")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("--type", required=True, choices=SLOT_TYPE_CHOICES, dest="slot_type")
    p.add_argument(
        "--new-passphrase-file",
        metavar="FILE",
        help=f"passphrase for a new passphrase slot (or set {NEW_PASSPHRASE_ENV})",
    )
    add_unlock_arguments(p)
    p.set_defaults(func=_add_slot)

    p = verbs.add_parser("remove-slot", help="remove a way to unlock a vault (never the last)")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("slot_id", metavar="SLOT_ID", type=int)
    add_unlock_arguments(p)
    p.set_defaults(func=_remove_slot)

    p = verbs.add_parser("rekey", help="replace the vault's master key and re-encrypt it")
    p.add_argument("vault", metavar="VAULT")
    add_unlock_arguments(p)
    p.set_defaults(func=_rekey)

    p = verbs.add_parser("backup", help="write an encrypted copy of a vault to a new folder")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("dest", metavar="DEST", type=Path)
    add_unlock_arguments(p)
    p.set_defaults(func=_backup)

    p = verbs.add_parser(
        "accept-restore",
        help="accept a vault restored from an older copy (recorded in the audit log)",
    )
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_unlock_arguments(p)
    p.set_defaults(func=_accept_restore)

    p = verbs.add_parser("delete", help="destroy a vault's keys and delete its files")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=_delete)


def _info_json(info: VaultInfo) -> dict[str, Any]:
    data = asdict(info)
    data["path"] = str(info.path)
    return data


def _print_recovery_key(key: str, slot_id: int) -> None:
    print(f"Recovery key (slot {slot_id}) - write it down and keep it safe; it is shown only once:")
    print(f"    {key}")


def _create(args: argparse.Namespace) -> int:
    passphrase = passphrase_from_args(args)
    info, recovery = create_matter(
        args.name, passphrase=passphrase, use_keyring=not args.no_keyring
    )
    slot_types = ",".join(s.type for s in info.slots)
    recovery_slot = next(s.id for s in info.slots if s.type == "recovery")
    if args.json:
        print_json({**_info_json(info), "recovery_key": recovery})
    else:
        print(f"Created vault {info.name!r} ({info.vault_id}) with slots: {slot_types}.")
        _print_recovery_key(recovery, recovery_slot)
    return 0


def _list(args: argparse.Namespace) -> int:
    vaults = list_vaults()
    if args.json:
        print_json([_info_json(v) for v in vaults])
        return 0
    if not vaults:
        print("No vaults yet. Create one with `chambers vault create NAME`.")
    for v in vaults:
        if v.problem:
            print(f"{v.vault_id}  DAMAGED: {v.problem}")
            continue
        slots = ", ".join(f"{s.id}:{s.type}" for s in v.slots)
        print(f"{v.vault_id}  {v.name}  (created {v.created}; slots {slots})")
    return 0


def _add_slot(args: argparse.Namespace) -> int:
    new_passphrase: str | None = None
    if args.slot_type == "passphrase":
        if args.new_passphrase_file:
            new_passphrase = read_secret_file(args.new_passphrase_file)
        else:
            new_passphrase = os.environ.get(NEW_PASSPHRASE_ENV) or None
        if not new_passphrase:
            raise UsageError(
                "A passphrase slot needs the new passphrase.",
                hint=f"Give --new-passphrase-file FILE or set {NEW_PASSPHRASE_ENV}.",
            )
    vault = open_vault(args)
    try:
        slot, recovery = add_matter_slot(vault, args.slot_type, passphrase=new_passphrase)
    finally:
        close_vault(vault)
    print(f"Added {slot.type} slot {slot.id} to vault {vault.name!r}.")
    if recovery is not None:
        _print_recovery_key(recovery, slot.id)
    return 0


def _remove_slot(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        remove_matter_slot(vault, args.slot_id)
    finally:
        close_vault(vault)
    print(f"Removed slot {args.slot_id} from vault {vault.name!r}.")
    return 0


def _rekey(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        recovery = rekey_matter(vault, passphrase=passphrase_from_args(args))
    finally:
        close_vault(vault)
    print(f"Vault {vault.name!r} has a new master key; keyring and passphrase slots are unchanged.")
    for slot_id, key in sorted(recovery.items()):
        print("The old recovery key no longer works.")
        _print_recovery_key(key, slot_id)
    return 0


def _backup(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        copy = backup_matter(vault, args.dest)
    finally:
        close_vault(vault)
    print(f"Backed up vault {vault.name!r} to {copy.path} (opens with the same slots).")
    return 0


def _delete(args: argparse.Namespace) -> int:
    info = find_vault(args.vault)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(
                f"Deleting vault {info.name!r} destroys its keys and cannot be undone.",
                hint="Add --yes to confirm.",
            )
        answer = input(f"Type the vault name ({info.name}) to delete it for good: ")
        if answer.strip() != info.name:
            print("Not deleted.")
            return 1
    delete_matter(info)
    print(f"Deleted vault {info.name!r} ({info.vault_id}).")
    return 0


def _accept_restore(args: argparse.Namespace) -> int:
    """Unlock (proving the secret), then record that this older copy is the one to keep."""
    info = find_vault(args.vault)
    try:
        vault = unlock_from_args(info, args)
    except ChambersError as exc:
        record_failed_unlock(info, exc)
        raise
    try:
        if not args.yes and not _confirm_restore(info):
            print("Not accepted; the vault stays refused.")
            return 1
        accepted = accept_restored_copy(vault)
    finally:
        close_vault(vault)
    if accepted is None:
        print(f"Vault {info.name!r} is not behind the audit log; nothing to accept.")
        return 0
    recorded, generation = accepted
    print(
        f"Accepted the restored copy of {info.name!r} at change {generation} (Chambers had "
        f"recorded change {recorded}); the acceptance is in the audit log."
    )
    return 0


def _confirm_restore(info: VaultInfo) -> bool:
    if not sys.stdin.isatty():
        raise UsageError(
            f"Accepting the restored copy of {info.name!r} gives up the work done after it.",
            hint="Add --yes to confirm.",
        )
    answer = input(f"Type the vault name ({info.name}) to accept this older copy: ")
    return answer.strip() == info.name
