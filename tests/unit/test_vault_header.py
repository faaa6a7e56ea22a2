"""vault.json is read strictly: damage, weakened KDF parameters and edits are refused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.vault import WeakKdfParametersError, open_info, unlock
from app.vault.errors import VaultIntegrityError
from app.vault.header import canonical_json, file_json, read_header
from tests.fixtures.vault import PASSPHRASE, Ready


def _rewrite(path: Path, edit: object) -> None:
    """Apply ``edit`` to the parsed header and re-seal the checksum like an attacker would."""
    obj = json.loads(path.read_text())
    edit(obj)  # type: ignore[operator]
    obj.pop("checksum")
    obj["checksum"] = hashlib.sha256(canonical_json(obj)).hexdigest()
    path.write_bytes(file_json(obj))


def test_header_round_trips_byte_for_byte(ready_vault: Ready) -> None:
    path = ready_vault.info.path / "vault.json"
    assert read_header(ready_vault.info.path).to_bytes() == path.read_bytes()
    obj = json.loads(path.read_text())
    assert obj["format"] == "chambers-vault" and obj["version"] == 1
    kdf = next(s for s in obj["slots"] if s["type"] == "passphrase")["kdf"]
    assert kdf["algorithm"] == "argon2id" and kdf["memory_kib"] >= 262144


def test_weakened_argon2_parameters_are_refused_on_read(ready_vault: Ready) -> None:
    path = ready_vault.info.path / "vault.json"

    def weaken(obj: dict) -> None:  # type: ignore[type-arg]
        for slot in obj["slots"]:
            if slot["type"] == "passphrase":
                slot["kdf"]["memory_kib"] = 1024
                slot["kdf"]["iterations"] = 1

    _rewrite(path, weaken)
    with pytest.raises(WeakKdfParametersError) as info:
        open_info(ready_vault.info.path)
    assert "floor" in info.value.message and info.value.exit_code == 3


def test_edited_name_with_fixed_checksum_fails_the_header_mac(ready_vault: Ready) -> None:
    path = ready_vault.info.path / "vault.json"
    _rewrite(path, lambda obj: obj.update(name="Other Matter"))
    info = open_info(ready_vault.info.path)  # readable without keys...
    with pytest.raises(VaultIntegrityError, match="MAC"):  # ...but refused on unlock
        unlock(info, recovery_key=ready_vault.recovery_key)


def test_edited_slot_parameters_do_not_unwrap(ready_vault: Ready) -> None:
    path = ready_vault.info.path / "vault.json"

    def bump(obj: dict) -> None:  # type: ignore[type-arg]
        for slot in obj["slots"]:
            slot["created"] = "2000-01-01T00:00:00Z"

    _rewrite(path, bump)
    with pytest.raises(Exception) as info:
        unlock(open_info(ready_vault.info.path), recovery_key=ready_vault.recovery_key)
    assert getattr(info.value, "exit_code", None) in (2, 3)


def test_newer_format_version_is_named(ready_vault: Ready) -> None:
    _rewrite(ready_vault.info.path / "vault.json", lambda obj: obj.update(version=2))
    with pytest.raises(VaultIntegrityError, match="version 2"):
        open_info(ready_vault.info.path)


def test_non_canonical_whitespace_is_refused(ready_vault: Ready) -> None:
    path = ready_vault.info.path / "vault.json"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 1))
    with pytest.raises(VaultIntegrityError, match="canonical"):
        open_info(ready_vault.info.path)


def test_passphrase_unlock_uses_the_enforced_slot(ready_vault: Ready) -> None:
    with unlock(ready_vault.info, passphrase=PASSPHRASE) as vault:
        assert vault.unlocked_with.type == "passphrase"
