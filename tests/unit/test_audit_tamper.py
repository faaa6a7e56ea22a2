"""Tampering with records and checkpoints is caught, and the first bad record is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.audit import AuditLog
from app.audit.records import b64, canonical_bytes, checkpoint_statement, line_hash
from app.audit.verify import VerifyReport, verify


def _build(writer: AuditLog) -> None:
    """Records 1-10, checkpoint 11, records 12-16, checkpoint 17, unsealed 18-20."""
    for i in range(10):
        writer.append("document.open", vault_id="vault-a", object_ids=[f"doc-{i}"])
    assert writer.checkpoint() == 11
    for i in range(5):
        writer.append("task.run", vault_id="vault-a", details={"kind": "summarise", "n": i})
    assert writer.checkpoint() == 17
    for _ in range(3):
        writer.append("vault.lock", vault_id="vault-a")


def _lines(directory: Path) -> list[bytes]:
    return (directory / "audit.jsonl").read_bytes().splitlines()


def _write(directory: Path, lines: list[bytes]) -> None:
    (directory / "audit.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))


def _edit(directory: Path, seq: int, **changes: object) -> None:
    lines = _lines(directory)
    record = json.loads(lines[seq - 1])
    record.update(changes)
    lines[seq - 1] = canonical_bytes(record)
    _write(directory, lines)


def _bad(directory: Path) -> VerifyReport:
    report = verify(directory)
    assert not report.ok and report.status == "tampered", report
    return report


@pytest.fixture
def log_dir(audit_writer: AuditLog) -> Path:
    _build(audit_writer)
    return audit_writer.directory


def test_intact_log_verifies_and_reports_unsealed_tail(log_dir: Path) -> None:
    report = verify(log_dir)
    assert report.ok and report.status == "ok"
    assert (report.records, report.checkpoints, report.sealed_through) == (20, 2, 17)
    assert report.unsealed == 3 and report.first_bad_seq is None
    assert len(report.key_ids) == 1


@pytest.mark.parametrize("seq", [1, 5, 10, 16])
def test_edited_record_is_named(log_dir: Path, seq: int) -> None:
    _edit(log_dir, seq, outcome="failed")
    assert _bad(log_dir).first_bad_seq == seq


def test_edited_prev_hash_of_first_record(log_dir: Path) -> None:
    _edit(log_dir, 1, prev_hash="1" * 64)
    assert _bad(log_dir).first_bad_seq == 1


def test_edited_unsealed_record_is_still_caught_by_the_chain(log_dir: Path) -> None:
    _edit(log_dir, 18, outcome="failed")
    report = _bad(log_dir)
    assert report.first_bad_seq == 18 and report.sealed_through == 17


def test_editing_the_very_last_unsealed_record_is_only_reported_as_unsealed(
    log_dir: Path,
) -> None:
    """The documented limit: nothing seals the newest record until a checkpoint does."""
    _edit(log_dir, 20, outcome="failed")
    report = verify(log_dir)
    assert report.ok and report.unsealed == 3


@pytest.mark.parametrize("seq", [2, 5, 12])
def test_deleted_record_is_named(log_dir: Path, seq: int) -> None:
    lines = _lines(log_dir)
    del lines[seq - 1]
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == seq


def test_reordered_records_are_named(log_dir: Path) -> None:
    lines = _lines(log_dir)
    lines[4], lines[5] = lines[5], lines[4]
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 5


def test_forged_insertion_that_links_correctly_is_named(log_dir: Path) -> None:
    lines = _lines(log_dir)
    forged = json.loads(lines[5])  # a record 6 look-alike linking to record 5
    forged["object_ids"] = ["doc-forged"]
    lines.insert(5, canonical_bytes(forged))
    _write(log_dir, lines)
    report = _bad(log_dir)
    assert report.first_bad_seq == 6 and "twice" in (report.problem or "")


def test_naive_insertion_is_named(log_dir: Path) -> None:
    lines = _lines(log_dir)
    lines.insert(5, lines[2])  # a copy of record 3 placed as the 6th line
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 6


def test_inserted_record_with_broken_link_is_named(log_dir: Path) -> None:
    lines = _lines(log_dir)
    foreign = json.loads(lines[5])
    foreign["prev_hash"] = "2" * 64
    lines.insert(5, canonical_bytes(foreign))
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 6


@pytest.mark.parametrize(("keep", "first_bad"), [(16, 17), (12, 13), (8, 9), (0, 1)])
def test_truncation_up_to_the_last_checkpoint_is_caught(
    log_dir: Path, keep: int, first_bad: int
) -> None:
    _write(log_dir, _lines(log_dir)[:keep])
    report = _bad(log_dir)
    assert report.first_bad_seq == first_bad and "cut short" in (report.problem or "")


def test_truncating_only_the_unsealed_tail_is_not_detectable(log_dir: Path) -> None:
    _write(log_dir, _lines(log_dir)[:17])
    report = verify(log_dir)
    assert report.ok and report.unsealed == 0


def test_truncation_plus_deleted_head_is_still_flagged(log_dir: Path) -> None:
    _write(log_dir, _lines(log_dir)[:8])
    (log_dir / "head.json").unlink()
    report = _bad(log_dir)
    assert "head.json" in (report.problem or "")


def test_altered_head_copy_is_caught(log_dir: Path) -> None:
    head = json.loads((log_dir / "head.json").read_text())
    head["checkpoint"]["time"] = "2000-01-01T00:00:00.000000Z"
    (log_dir / "head.json").write_text(json.dumps(head))
    assert _bad(log_dir).first_bad_seq == 17


def test_deleted_checkpoint_is_named(log_dir: Path) -> None:
    lines = _lines(log_dir)
    del lines[10]
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 11


def test_reordered_checkpoint_is_named(log_dir: Path) -> None:
    lines = _lines(log_dir)
    lines[9], lines[10] = lines[10], lines[9]
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 10


def test_checkpoint_with_bad_signature_is_caught(log_dir: Path) -> None:
    lines = _lines(log_dir)
    record = json.loads(lines[10])
    signature = bytearray(record["checkpoint"]["signature"].encode())
    signature[5] = ord("A") if signature[5] != ord("A") else ord("B")
    record["checkpoint"]["signature"] = signature.decode()
    lines[10] = canonical_bytes(record)
    _write(log_dir, lines)
    report = _bad(log_dir)
    assert report.first_bad_seq == 11 and "signature" in (report.problem or "")


def test_checkpoint_with_edited_signed_field_is_caught(log_dir: Path) -> None:
    lines = _lines(log_dir)
    record = json.loads(lines[16])
    record["checkpoint"]["time"] = "2000-01-01T00:00:00.000000Z"
    lines[16] = canonical_bytes(record)
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 17


def test_checkpoint_re_signed_by_an_unknown_key_is_caught(log_dir: Path) -> None:
    """An attacker who rewrites record 5 and re-seals with their own key is still caught."""
    lines = _lines(log_dir)
    record = json.loads(lines[4])
    record["outcome"] = "failed"
    lines[4] = canonical_bytes(record)
    prev = line_hash(lines[4])
    for i in range(5, 11):  # re-chain records 6..11 and re-sign checkpoint 11
        current = json.loads(lines[i])
        current["prev_hash"] = prev
        if i == 10:
            forger = Ed25519PrivateKey.generate()
            cp = current["checkpoint"]
            cp["hash"], cp["key_id"] = prev, "f" * 32
            statement = checkpoint_statement(cp["seq"], prev, cp["time"], cp["key_id"])
            cp["signature"] = b64(forger.sign(statement))
        lines[i] = canonical_bytes(current)
        prev = line_hash(lines[i])
    _write(log_dir, lines)
    report = _bad(log_dir)
    assert report.first_bad_seq == 11 and "unknown key" in (report.problem or "")


def test_torn_last_line_is_reported_as_torn_not_tampering(log_dir: Path) -> None:
    with open(log_dir / "audit.jsonl", "ab") as handle:
        handle.write(b'{"action":"document.open","app_version":"0.1')
    report = verify(log_dir)
    assert report.ok and report.torn_tail_bytes > 0 and report.unsealed == 3


def test_nul_filled_tail_after_crash_is_torn_not_tampering(log_dir: Path) -> None:
    with open(log_dir / "audit.jsonl", "ab") as handle:
        handle.write(b"\x00" * 300 + b"\n" + b"\x00" * 20)
    report = verify(log_dir)
    assert report.ok and report.torn_tail_bytes == 321


def test_writer_moves_a_torn_tail_aside_and_records_it(
    log_dir: Path, audit_writer: AuditLog
) -> None:
    torn = b'{"action":"document.open","app_ver'
    with open(log_dir / "audit.jsonl", "ab") as handle:
        handle.write(torn)
    seq = audit_writer.append("document.open", vault_id="vault-a")
    records = [json.loads(line) for line in _lines(log_dir)]
    assert seq == 22 and records[20]["action"] == "audit.recovered"
    assert records[20]["details"] == {"torn_bytes": len(torn)}
    assert torn in (log_dir / "audit.jsonl.torn").read_bytes()
    report = verify(log_dir)
    assert report.ok and report.torn_tail_bytes == 0


def test_garbage_line_in_the_middle_is_tampering(log_dir: Path) -> None:
    lines = _lines(log_dir)
    lines[3] = b"not json at all"
    _write(log_dir, lines)
    assert _bad(log_dir).first_bad_seq == 4
