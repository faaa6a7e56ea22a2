"""Cutting or forging audit history without any key: each attack from issue 14 now fails.

These run with an *unkeyed* anchor (as on a machine without a keyring): the anchor file
outside the data folder is what catches a data folder cut back consistently. The keyed
anchor is tested against the real Secret Service in tests/integration.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import audit
from app.audit import AuditKeyError, AuditLog, AuditLogDamagedError
from app.audit.anchor import AnchorError, anchor_path
from app.audit.keys import KEYS_FILE, key_id
from app.audit.records import canonical_bytes, line_hash
from app.cli import main
from app.commands.audit import EXIT_TAMPERED
from tests.fixtures.audit import file_store


def _writer(folder: Path) -> AuditLog:
    """A fresh writer, as the next session would have (no state carried over)."""
    return AuditLog(
        folder, key_store=file_store(folder), checkpoint_interval=10_000, anchor_key=None
    )


def _history(folder: Path) -> list[bytes]:
    """Records 1-3, checkpoint 4, records 5-6, checkpoint 7; the log's lines."""
    writer = _writer(folder)
    for i in range(3):
        writer.append("document.open", vault_id="v1", object_ids=[f"d{i}"])
    assert writer.checkpoint() == 4
    writer.append("document.export", vault_id="v1", object_ids=["d1"])
    writer.append("document.delete", vault_id="v1", object_ids=["d1"])
    assert writer.checkpoint() == 7
    assert audit.verify_log(folder).ok
    return (folder / "audit.jsonl").read_bytes().splitlines(keepends=True)


def _verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_head_rebuilt_from_an_earlier_checkpoint_is_caught(
    audit_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _history(audit_home)
    (audit_home / "audit.jsonl").write_bytes(b"".join(lines[:4]))
    cp = json.loads(lines[3])["checkpoint"]
    head = {"format": "chambers-audit-head/1", "record_seq": 4, "checkpoint": cp}
    (audit_home / "head.json").write_text(json.dumps(head))

    code, report = _verify_cli(capsys)
    assert code == EXIT_TAMPERED and report["status"] == "tampered"
    assert report["first_bad_seq"] == 5
    assert "Chambers had written 7 records" in str(report["problem"])
    with pytest.raises(AnchorError, match="ends at record 4"):
        _writer(audit_home).append("vault.unlock", vault_id="v1")


def test_a_deleted_audit_folder_is_not_empty(
    audit_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _history(audit_home)
    shutil.rmtree(audit_home)
    code, report = _verify_cli(capsys)
    assert code == EXIT_TAMPERED and report["status"] == "tampered"
    assert "audit log is missing" in str(report["problem"])
    assert main(["audit", "verify"]) == EXIT_TAMPERED
    assert "TAMPERED" in capsys.readouterr().out


def test_deleted_signing_keys_are_not_rewritten_and_stay_reported(audit_home: Path) -> None:
    _history(audit_home)
    (audit_home / KEYS_FILE).unlink()
    writer = _writer(audit_home)
    writer.append("vault.unlock", vault_id="v1")
    with pytest.raises(AuditKeyError, match=r"signing-keys\.json"):
        writer.checkpoint()
    assert not (audit_home / KEYS_FILE).exists()
    report = audit.verify_log(audit_home)
    assert not report.ok and report.status == "tampered"


def test_a_foreign_key_added_to_signing_keys_is_reported(audit_home: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.audit.records import b64

    _history(audit_home)
    public = Ed25519PrivateKey.generate().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    doc = json.loads((audit_home / KEYS_FILE).read_text())
    entry = {"key_id": key_id(public), "algorithm": "ed25519", "public_key": b64(raw)}
    doc["keys"].append({**entry, "created": "2026-01-01T00:00:00.000000Z", "storage": "file"})
    (audit_home / KEYS_FILE).write_text(json.dumps(doc))
    report = audit.verify_log(audit_home)
    assert not report.ok and "not added by Chambers" in str(report.problem)


def test_sealed_records_squeezed_together_are_not_a_torn_tail(audit_home: Path) -> None:
    lines = _history(audit_home)
    squeezed = b"".join(lines[:5]) + b"".join(line.rstrip(b"\n") for line in lines[5:])
    (audit_home / "audit.jsonl").write_bytes(squeezed)
    report = audit.verify_log(audit_home)
    assert not report.ok and report.status == "tampered"
    assert "run together" in str(report.problem)
    assert all(
        "harmless" not in line and "Torn tail" not in line for line in report.summary_lines()
    )
    with pytest.raises((AnchorError, AuditLogDamagedError)):
        _writer(audit_home).append("vault.unlock", vault_id="v1")


def test_squeezed_records_are_caught_without_any_anchor(audit_home: Path) -> None:
    lines = _history(audit_home)
    anchor_path(audit_home).unlink()
    joined = b"".join(lines[:5]) + lines[5].rstrip(b"\n") + lines[6].rstrip(b"\n")
    (audit_home / "audit.jsonl").write_bytes(joined)
    report = audit.verify_log(audit_home)
    assert not report.ok and "run together" in str(report.problem)


def test_a_forged_unsealed_record_is_never_signed(audit_home: Path) -> None:
    lines = _history(audit_home)
    last = json.loads(lines[-1])
    forged = {**last, "seq": 8, "action": "document.delete", "prev_hash": line_hash(lines[-1][:-1])}
    forged.pop("checkpoint")
    with open(audit_home / "audit.jsonl", "ab") as handle:
        handle.write(canonical_bytes(forged) + b"\n")

    report = audit.verify_log(audit_home)
    assert not report.ok and report.first_bad_seq == 8
    assert "not written by Chambers" in str(report.problem)
    writer = _writer(audit_home)
    with pytest.raises(AnchorError, match="did not write"):
        writer.checkpoint()
    with pytest.raises(AnchorError):
        writer.append("vault.unlock", vault_id="v1")
    assert len((audit_home / "audit.jsonl").read_bytes().splitlines()) == 8  # nothing signed


def test_removing_only_the_last_record_is_caught(audit_home: Path) -> None:
    writer = _writer(audit_home)
    writer.append("vault.unlock", vault_id="v1")
    writer.append("document.export", vault_id="v1", object_ids=["d1"])
    log = audit_home / "audit.jsonl"
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:1]))
    report = audit.verify_log(audit_home)
    assert not report.ok and report.first_bad_seq == 2


def test_a_crash_between_anchor_and_append_is_not_tampering(audit_home: Path) -> None:
    writer = _writer(audit_home)
    writer.append("vault.unlock", vault_id="v1")
    state = writer.anchor.load()
    record = {"action": "vault.lock", "vault_id": "v1", "prev_hash": state.hash if state else ""}
    writer.anchor.advance(state, 2, "f" * 64, record, [])  # anchor moved, line never written
    report = audit.verify_log(audit_home)
    assert report.ok, report.problem
    assert _writer(audit_home).append("vault.lock", vault_id="v1") == 2
    assert audit.verify_log(audit_home).ok


def test_a_rewritten_record_at_the_anchor_is_caught(audit_home: Path) -> None:
    writer = _writer(audit_home)
    writer.append("vault.unlock", vault_id="v1")
    log = audit_home / "audit.jsonl"
    record = json.loads(log.read_bytes())
    record["action"] = "vault.lock"
    log.write_bytes(canonical_bytes(record) + b"\n")
    report = audit.verify_log(audit_home)
    assert not report.ok and "history rewritten" in str(report.problem)


def test_without_a_keyring_verify_says_what_protection_remains(audit_home: Path) -> None:
    _writer(audit_home).append("vault.unlock", vault_id="v1")
    report = audit.verify_log(audit_home)
    assert report.ok and report.anchor == "none" and report.anchor_seq == 1
    text = " ".join(report.summary_lines())
    assert "no OS keyring" in text and "syslog" in text
    assert "a signing key is kept in a file" not in text  # no checkpoint yet, no key
    _writer(audit_home).checkpoint()
    assert "kept in a file" in " ".join(audit.verify_log(audit_home).summary_lines())


def test_anchor_lives_outside_the_data_folder(audit_home: Path) -> None:
    _writer(audit_home).append("vault.unlock", vault_id="v1", details={"generation": 4})
    where = anchor_path(audit_home)
    assert where.exists() and audit_home.parent not in where.parents
    doc = json.loads(where.read_text())
    assert doc["seq"] == 1 and doc["vaults"] == {"v1": 4} and doc["protection"] == "none"
    assert where.stat().st_mode & 0o077 == 0
