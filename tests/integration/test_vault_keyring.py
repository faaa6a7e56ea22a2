"""Keyring slots against a real Secret Service (gnome-keyring over a private D-Bus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import paths
from app.vault import NoUsableSlotError, create_vault, delete_vault, find_vault, oskeyring, unlock
from app.vault.slots import keyring_entry_name

pytestmark = pytest.mark.usefixtures("secret_service")


@pytest.fixture
def keyring_vault(vault_home: Path) -> tuple[str, str]:
    info, recovery = create_vault("Lease 2024", passphrase=None, use_keyring=True)
    assert [s.type for s in info.slots] == ["keyring", "recovery"]
    return info.vault_id, recovery


def test_keyring_holds_a_device_key_not_the_master_key(keyring_vault: tuple[str, str]) -> None:
    vault_id, _ = keyring_vault
    entry = oskeyring.load_secret(keyring_entry_name(vault_id, 1))
    assert entry is not None and len(entry) == 32
    with unlock(find_vault(vault_id)) as vault:  # no secret given: the keyring opens it
        assert vault.unlocked_with.type == "keyring"
        assert bytes(vault._vmk or b"") != entry
        vault.add_document(b"lease", title="Lease", mime_type="text/plain")
    for path in paths.data_dir().rglob("*"):
        if path.is_file():
            assert entry not in path.read_bytes()


def test_rekey_keeps_the_keyring_slot_working(keyring_vault: tuple[str, str]) -> None:
    vault_id, old_recovery = keyring_vault
    with unlock(find_vault(vault_id)) as vault:
        new_keys = vault.rekey()
    with unlock(find_vault(vault_id)) as vault:
        assert vault.unlocked_with.type == "keyring"
    unlock(find_vault(vault_id), recovery_key=new_keys[2]).lock()
    assert old_recovery != new_keys[2]


def test_removing_the_slot_removes_the_keyring_entry(keyring_vault: tuple[str, str]) -> None:
    vault_id, recovery = keyring_vault
    name = keyring_entry_name(vault_id, 1)
    with unlock(find_vault(vault_id), recovery_key=recovery) as vault:
        vault.remove_slot(1)
    assert oskeyring.load_secret(name) is None
    with pytest.raises(NoUsableSlotError):
        unlock(find_vault(vault_id))


def test_missing_keyring_entry_is_explained(keyring_vault: tuple[str, str]) -> None:
    vault_id, recovery = keyring_vault
    oskeyring.delete_secret(keyring_entry_name(vault_id, 1))
    with pytest.raises(NoUsableSlotError, match="holds no key") as info:
        unlock(find_vault(vault_id))
    assert info.value.exit_code == 2
    unlock(find_vault(vault_id), recovery_key=recovery).lock()


def test_delete_vault_removes_keyring_entries(keyring_vault: tuple[str, str]) -> None:
    vault_id, _ = keyring_vault
    with unlock(find_vault(vault_id)) as vault:
        slot, _ = vault.add_slot("keyring")
    names = [keyring_entry_name(vault_id, 1), keyring_entry_name(vault_id, slot.id)]
    assert all(oskeyring.load_secret(n) is not None for n in names)
    delete_vault(find_vault(vault_id))
    assert all(oskeyring.load_secret(n) is None for n in names)
    assert not (paths.vaults_dir() / vault_id).exists()
