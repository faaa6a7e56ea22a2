"""Writer behaviour: checkpoints on schedule, generations, sessions, policy and key choice."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app import audit, policy
from app.audit import AuditKeyError, AuditLog, AuditWriteError, generations
from app.audit.keys import WrappedFileKeyStore, load_public_keys
from app.audit.verify import verify


def _records(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (directory / "audit.jsonl").read_bytes().splitlines()]


def _write_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: object) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setenv("CHAMBERS_POLICY", str(path))
    return path


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """Select keyring's own 'no backend' (refused by oskeyring), i.e. a box without one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


def test_record_fields(audit_home: Path) -> None:
    audit.audit_event(
        "task.run",
        vault_id="v1",
        object_ids=["d1"],
        model_sha256="b" * 64,
        details={"kind": "extract", "duration_ms": 5},
    )
    (record,) = _records(audit_home)
    assert set(record) == {
        "v",
        "seq",
        "time",
        "user",
        "action",
        "vault_id",
        "object_ids",
        "outcome",
        "app_version",
        "model_sha256",
        "policy_hash",
        "details",
        "prev_hash",
        "log_id",  # record 1 only: the log's identity, which its anchor is found by
    }
    assert re.fullmatch(r"[0-9a-f]{32}", record["log_id"])
    assert record["seq"] == 1 and record["prev_hash"] == "0" * 64
    assert record["policy_hash"] == "none" and record["app_version"] == "0.1.0"
    assert str(record["time"]).endswith("Z") and record["user"]


def test_checkpoint_every_n_records_from_policy(
    audit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_policy(tmp_path, monkeypatch, {"audit": {"checkpoint_interval": 3}})
    for _ in range(7):
        audit.audit_event("document.open", vault_id="v1")
    actions = [r["action"] for r in _records(audit_home)]
    assert actions.count("audit.checkpoint") == 2
    assert actions[3] == "audit.checkpoint" and actions[7] == "audit.checkpoint"
    assert _records(audit_home)[0]["policy_hash"] == policy.policy_hash() != "none"
    assert len(policy.policy_hash()) == 64 and path.exists()


def test_checkpoint_is_a_no_op_when_nothing_is_unsealed(audit_writer: AuditLog) -> None:
    assert audit_writer.checkpoint() is None
    audit_writer.append("vault.lock", vault_id="v1")
    assert audit_writer.checkpoint() == 2
    assert audit_writer.checkpoint() is None
    assert not audit_writer.dirty


def test_last_vault_generation(audit_home: Path) -> None:
    assert audit.last_vault_generation("v1") is None
    for generation in (1, 5, 3):
        audit.audit_event("vault.commit", vault_id="v1", details={"generation": generation})
    audit.audit_event("vault.commit", vault_id="v2", details={"generation": 9})
    audit.audit_event("vault.commit", vault_id="v1", details={"generation": True})
    assert audit.last_vault_generation("v1") == 5
    audit.audit_event("vault.commit", vault_id="v1", details={"generation": 6})
    assert audit.last_vault_generation("v1") == 6  # incremental scan past the cache
    assert audit.last_vault_generation("v2") == 9
    assert audit.last_vault_generation("nope") is None


def test_generation_cache_is_rebuilt_when_the_log_is_replaced(audit_home: Path) -> None:
    for generation in range(1, 30):
        audit.audit_event("vault.commit", vault_id="v1", details={"generation": generation})
    assert audit.last_vault_generation("v1") == 29
    log = audit_home / "audit.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:5]) + b'{"padding":"' + b"x" * 5000 + b'"}\n')
    assert generations.last_vault_generation(audit_home, "v1") == 5  # the cache follows the log
    assert audit.last_vault_generation("v1") == 29  # the anchor outside the folder does not


def test_session_records_start_and_stop_and_seals(audit_home: Path) -> None:
    with audit.audit_session():
        audit.audit_event("vault.unlock", vault_id="v1")
    actions = [r["action"] for r in _records(audit_home)]
    assert actions == ["app.start", "vault.unlock", "app.stop", "audit.checkpoint"]
    assert verify(audit_home).unsealed == 0


def test_policy_can_forbid_the_file_key_fallback(
    audit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    _write_policy(tmp_path, monkeypatch, {"audit": {"allow_file_signing_key": False}})
    writer = AuditLog(audit_home)  # default key choice
    writer.append("vault.lock", vault_id="v1")
    with pytest.raises(AuditKeyError):
        writer.checkpoint()
    report = verify(audit_home)
    assert report.ok and report.unsealed == 1  # recorded, but visibly unsealed


def test_without_a_keyring_the_wrapped_file_is_used_where_machine_policy_allows(
    audit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    from app.policy_sources import LinuxPolicyFiles

    etc = tmp_path / "etc-chambers"
    etc.mkdir()
    (etc / "policy.json").write_text(json.dumps({"audit": {"allow_file_signing_key": True}}))
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [LinuxPolicyFiles(etc)])
    writer = AuditLog(audit_home)
    writer.append("vault.lock", vault_id="v1")
    assert writer.checkpoint() == 2
    wrapped = audit_home.parent / "keys" / "audit-signing.key"
    assert wrapped.stat().st_mode & 0o077 == 0
    entry = json.loads((audit_home / "signing-keys.json").read_text())["keys"][0]
    assert entry["storage"] == "file" and len(load_public_keys(audit_home)) == 1


def test_without_a_keyring_or_policy_the_file_key_is_off_and_says_so(
    audit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    user = tmp_path / "user-policy.json"  # a user file cannot turn the fallback on
    user.write_text(json.dumps({"audit": {"allow_file_signing_key": True}}))
    monkeypatch.setenv("CHAMBERS_POLICY", str(user))
    writer = AuditLog(audit_home)
    writer.append("vault.lock", vault_id="v1")
    with pytest.raises(AuditKeyError, match="does not allow the on-disk fallback"):
        writer.checkpoint()
    assert not (audit_home.parent / "keys").exists()
    assert verify(audit_home).unsealed == 1


def test_wrapped_key_file_that_was_altered_is_refused(audit_home: Path) -> None:
    store = WrappedFileKeyStore(audit_home.parent / "k.json")
    store.store(b"\x01" * 32)
    assert store.load() == b"\x01" * 32
    blob = json.loads(store.path.read_text())
    blob["ciphertext"] = blob["ciphertext"][::-1]
    store.path.write_text(json.dumps(blob))
    with pytest.raises(AuditKeyError):
        store.load()


def test_invalid_policy_is_an_error_not_a_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_policy(tmp_path, monkeypatch, {"audit": {"checkpoint_interval": "often"}})
    with pytest.raises(policy.PolicyError):
        policy.audit_checkpoint_interval()
    (tmp_path / "policy.json").write_text("{not json")
    with pytest.raises(policy.PolicyError):
        policy.load_policy()
    monkeypatch.setenv("CHAMBERS_POLICY", str(tmp_path / "missing.json"))
    assert policy.policy_hash() == "none" and policy.load_policy() == {}


def test_a_log_that_cannot_be_written_is_a_plain_error(audit_writer: AuditLog) -> None:
    audit_writer.path.mkdir()  # something in the way of the log file
    with pytest.raises(AuditWriteError) as caught:
        audit_writer.append("vault.lock", vault_id="v1")
    assert str(audit_writer.directory) in caught.value.message and caught.value.hint
