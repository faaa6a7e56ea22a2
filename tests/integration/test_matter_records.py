"""Vault and audit operations record themselves in the layer that owns them (app/matters.py,
app/audit), so a desktop-app caller that calls them directly, with no CLI in between,
gets the same audit records as ``chambers vault`` / ``chambers audit export``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app import audit, paths
from app.errors import CancelledError
from app.matters import (
    add_matter_slot,
    backup_matter,
    lock_matter,
    open_matter,
    rekey_matter,
    remove_matter_slot,
)
from app.vault import unlock
from tests.fixtures.vault import PASSPHRASE, Ready


def _records() -> list[dict[str, object]]:
    log = paths.audit_dir() / "audit.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _since(before: int, action: str) -> list[dict[str, object]]:
    return [r for r in _records()[before:] if r["action"] == action]


def test_slot_rekey_and_backup_called_directly_are_audited(
    ready_vault: Ready, tmp_path: Path
) -> None:
    vault = open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key).vault
    try:
        start = len(_records())
        slot, key = add_matter_slot(vault, "recovery")
        assert key is not None and slot.type == "recovery"
        (added,) = _since(start, "vault.slot.add")
        assert added["vault_id"] == vault.vault_id and added["outcome"] == "ok"
        assert added["details"] == {
            "generation": vault.generation,
            "slot_id": slot.id,
            "slot_type": "recovery",
        }

        remove_matter_slot(vault, slot.id)
        (removed,) = _since(start, "vault.slot.remove")
        assert removed["details"] == {"generation": vault.generation, "slot_id": slot.id}
        assert slot.id not in [s.id for s in vault.info.slots]

        new_keys = rekey_matter(vault, passphrase=PASSPHRASE)
        (rekeyed,) = _since(start, "vault.rekey")
        assert rekeyed["details"] == {
            "generation": vault.generation,
            "slots_rewrapped": len(vault.info.slots),
        }

        copy = backup_matter(vault, tmp_path / "copy")
        (backed_up,) = _since(start, "vault.backup")
        assert backed_up["details"] == {"generation": vault.generation}
        assert copy.path == tmp_path / "copy"
    finally:
        lock_matter(vault)
    (recovery_key,) = new_keys.values()
    with unlock(copy, recovery_key=recovery_key) as opened:  # the copy opens with the new key
        assert opened.vault_id == vault.vault_id
    assert audit.verify_log().ok


def test_an_export_to_a_stream_or_a_file_is_recorded_once(vault_home: Path) -> None:
    audit.audit_event("app.start", details={"interface": "test"})
    start = len(_records())
    out = io.StringIO()
    count = audit.export_log(out, "json")
    assert count == start and len(json.loads(out.getvalue())["records"]) == count
    target = vault_home / "export.csv"
    assert audit.export_log_file(target, "csv") == start + 1
    exports = _since(start, "audit.export")
    assert [e["details"] for e in exports] == [
        {"format": "json", "records": start},
        {"format": "csv", "records": start + 1},
    ]
    assert target.stat().st_mode & 0o077 == 0
    assert "audit.export" in target.read_text(encoding="utf-8")


def test_an_abandoned_file_export_leaves_no_file_and_no_record(vault_home: Path) -> None:
    audit.audit_event("app.start", details={"interface": "test"})
    start = len(_records())
    target = vault_home / "export.json"

    def cancelled() -> None:
        raise CancelledError("Cancelled.")

    with pytest.raises(CancelledError):
        audit.export_log_file(target, "json", before_replace=cancelled)
    assert list(vault_home.glob("export.json*")) == []
    assert _since(start, "audit.export") == []
