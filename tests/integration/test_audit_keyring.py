"""The audit signing key through a real Secret Service keyring (gnome-keyring over D-Bus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import audit
from app.audit import AuditLog, KeyringKeyStore
from app.audit.keys import keyring_entry_name
from app.vault import oskeyring

secret_service = pytest.importorskip(
    "tests.fixtures.secret_service", reason="Secret Service fixture not available"
).secret_service


def test_signing_key_lives_in_the_real_keyring(
    secret_service: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAMBERS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)
    audit.reset()
    writer = AuditLog(tmp_path / "home" / "audit")  # default choice: the keyring
    writer.append("vault.lock", vault_id="v1")
    assert writer.checkpoint() == 2

    name = keyring_entry_name(writer.directory)
    seed = oskeyring.load_secret(name)
    assert seed is not None and len(seed) == 32
    entry = json.loads((writer.directory / "signing-keys.json").read_text())["keys"][0]
    assert entry["storage"] == "keyring"
    assert not (tmp_path / "home" / "keys").exists()  # no file fallback was written
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            assert seed not in path.read_bytes()

    again = AuditLog(writer.directory, key_store=KeyringKeyStore(name))
    again.append("vault.unlock", vault_id="v1")
    again.checkpoint()
    report = audit.verify_log(writer.directory)
    assert report.ok and report.checkpoints == 2 and len(report.key_ids) == 1
    oskeyring.delete_secret(name)
