"""Hiding a cut audit log and a rolled-back vault behind a link or a moved data folder.

Issue 25: cut the log back, restore an older copy of a vault, move the cut log to
``<data>/audit.x`` and make ``<data>/audit`` a symbolic link to it. The anchor used to be
looked up by the resolved folder path, so verify said OK and the old vault opened. Now
the anchor is found by the log id sealed into record 1, links are refused, and a log with
records but no anchor, while other anchors exist, is tampering. Real SQLCipher vaults, the
real audit log and anchor (unkeyed, as without a keyring), and the real CLI.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app import audit, paths
from app.audit import AuditLog
from app.audit.anchor import AnchorError, anchor_path
from app.audit.keys import folder_digest
from app.audit.records import canonical_bytes, line_hash
from app.cli import main
from app.commands.audit import EXIT_TAMPERED
from app.errors import ChambersError, LinkedFolderError
from app.matters import RestoredCopyError, lock_matter, open_matter
from app.vault import list_vaults, unlock
from tests.fixtures.audit import file_store
from tests.fixtures.vault import Ready


def _write(ready: Ready, count: int) -> None:
    vault = open_matter(ready.info, recovery_key=ready.recovery_key, use_keyring=False).vault
    for i in range(count):
        vault.add_document(os.urandom(16), title=f"t{i}", mime_type="text/plain")
    lock_matter(vault)


def _snapshot_then_work(ready: Ready, home: Path, tmp_path: Path) -> Path:
    """A consistent copy of the data folder at change 1, then two more changes; the copy."""
    _write(ready, 1)
    snapshot = tmp_path / "snapshot"
    shutil.copytree(home, snapshot, symlinks=True)
    _write(ready, 2)
    return snapshot


def _verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    code = main(["audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_cut_log_behind_a_symlinked_audit_folder_is_tampering(
    ready_vault: Ready, vault_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = _snapshot_then_work(ready_vault, vault_home, tmp_path)
    vault_dir = ready_vault.info.path
    # The attack: the old vault copy and the cut log back, the log behind a link.
    shutil.rmtree(vault_dir)
    shutil.copytree(snapshot / "vaults" / vault_dir.name, vault_dir)
    shutil.copytree(vault_home / "audit", tmp_path / "full-audit")
    shutil.rmtree(vault_home / "audit")
    shutil.copytree(snapshot / "audit", vault_home / "audit.x")
    (vault_home / "audit").symlink_to(vault_home / "audit.x")

    code, report = _verify(capsys)
    assert code == EXIT_TAMPERED and report["status"] == "tampered"
    assert "records were removed" in str(report["problem"])  # the cut, found by log id
    assert any("symbolic link" in note for note in report["notes"])  # type: ignore[union-attr]
    assert main(["audit", "verify"]) == EXIT_TAMPERED
    assert "TAMPERED" in capsys.readouterr().out

    with pytest.raises(LinkedFolderError) as refused:
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)
    assert refused.value.exit_code == 3
    assert str(vault_home / "audit") in refused.value.message
    assert "move the real folder back" in refused.value.hint

    # Only the link left (the log itself intact): still reported, and still refused.
    (vault_home / "audit").unlink()
    shutil.rmtree(vault_home / "audit.x")
    (vault_home / "audit").symlink_to(tmp_path / "full-audit")
    code, report = _verify(capsys)
    assert code == EXIT_TAMPERED and "symbolic link" in str(report["problem"])


def test_a_cut_copy_of_the_data_folder_run_from_elsewhere_is_caught(
    ready_vault: Ready,
    vault_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole data folder at change 1, started from another path (CHAMBERS_HOME)."""
    snapshot = _snapshot_then_work(ready_vault, vault_home, tmp_path)
    monkeypatch.setenv("CHAMBERS_HOME", str(snapshot))
    code, report = _verify(capsys)
    assert code == EXIT_TAMPERED and "records were removed" in str(report["problem"])
    old = list_vaults()[0]
    with pytest.raises(ChambersError):  # the anchor refuses to extend the cut log
        open_matter(old, recovery_key=ready_vault.recovery_key, use_keyring=False)


def test_a_renamed_data_folder_keeps_its_anchor(
    ready_vault: Ready,
    vault_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write(ready_vault, 2)
    moved = tmp_path / "renamed-home"
    vault_home.rename(moved)
    monkeypatch.setenv("CHAMBERS_HOME", str(moved))
    code, report = _verify(capsys)
    assert code == 0, report["problem"]
    assert report["anchor"] == "none" and report["anchor_seq"] == report["records"]
    assert any("last written in" in note for note in report["notes"])  # type: ignore[union-attr]

    info = list_vaults()[0]
    _write(Ready(info, ready_vault.recovery_key), 1)  # the log goes on in its new place
    where = anchor_path(moved / "audit")
    doc = json.loads(where.read_text())
    assert doc["audit_dir"] == str((moved / "audit").resolve())
    assert doc["log_id"] == report["log_id"] and where.name == f"log-{report['log_id']}.json"
    assert audit.verify_log().ok

    # Cut back (consistently) in the new place: caught, as it would have been in the old one.
    shutil.copytree(moved / "audit", tmp_path / "audit-then")
    _write(Ready(info, ready_vault.recovery_key), 1)
    shutil.rmtree(moved / "audit")
    shutil.copytree(tmp_path / "audit-then", moved / "audit")
    code, report = _verify(capsys)
    assert code == EXIT_TAMPERED and "records were removed" in str(report["problem"])


def test_a_log_without_its_anchor_is_tampering_while_others_exist(
    audit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = AuditLog(audit_home, key_store=file_store(audit_home), anchor_key=None)
    writer.append("vault.unlock", vault_id="v1")
    writer.append("vault.lock", vault_id="v1")
    report = audit.verify_log(audit_home)
    assert report.ok and report.log_id and report.anchor_seq == 2

    # A genuinely new data folder for the same user starts a fresh, separate anchor.
    monkeypatch.setenv("CHAMBERS_HOME", str(tmp_path / "second-home"))
    second = paths.audit_dir()
    assert audit.verify_log(second).status == "empty"
    fresh = AuditLog(second, key_store=file_store(second), anchor_key=None)
    fresh.append("vault.unlock", vault_id="v2")
    second_report = audit.verify_log(second)
    assert second_report.ok and second_report.log_id not in (None, report.log_id)

    # The first log's anchor removed: no longer a silent fresh start.
    anchor_path(audit_home).unlink()
    report = audit.verify_log(audit_home)
    assert not report.ok and report.status == "tampered"
    assert "no anchor" in str(report.problem) and "1 other audit log" in str(report.problem)
    with pytest.raises(AnchorError, match="no anchor"):
        AuditLog(audit_home, key_store=file_store(audit_home), anchor_key=None).append(
            "vault.unlock", vault_id="v1"
        )

    # With no anchors at all (a data folder brought to a new account): a note, not an alarm.
    shutil.rmtree(paths.anchor_dir())
    report = audit.verify_log(audit_home)
    assert report.ok and any("no anchor outside the data folder" in n for n in report.notes)


def test_a_deleted_log_is_still_missing_though_anchors_are_keyed_by_id(
    audit_home: Path,
) -> None:
    writer = AuditLog(audit_home, key_store=file_store(audit_home), anchor_key=None)
    for _ in range(3):
        writer.append("vault.unlock", vault_id="v1")
    (audit_home / "audit.jsonl").unlink()
    report = audit.verify_log(audit_home)
    assert not report.ok and "audit log is missing" in str(report.problem)
    with pytest.raises(AnchorError, match="ends at record 0"):
        writer.append("vault.unlock", vault_id="v1")


def _legacy_log(folder: Path, count: int) -> list[bytes]:
    """A log as written before log ids (no log_id in record 1) and its path-keyed anchor."""
    writer = AuditLog(folder, key_store=file_store(folder), anchor_key=None)
    for i in range(count):
        writer.append("document.open", vault_id="v1", object_ids=[f"d{i}"])
    lines, prev = [], "0" * 64
    for raw in (folder / "audit.jsonl").read_bytes().splitlines():
        record = json.loads(raw)
        record.pop("log_id", None)
        record["prev_hash"] = prev
        line = canonical_bytes(record)
        lines.append(line)
        prev = line_hash(line)
    (folder / "audit.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    shutil.rmtree(paths.anchor_dir())
    paths.anchor_dir().mkdir(mode=0o700)
    legacy = {
        "format": "chambers-audit-anchor/1", "audit_dir": str(folder.resolve()),
        "seq": count, "hash": prev, "prev_seq": count, "prev_hash": prev,
        "key_ids": [], "vaults": {}, "protection": "none",
    }  # fmt: skip
    (paths.anchor_dir() / f"{folder_digest(folder)}.json").write_text(json.dumps(legacy))
    return lines


def test_a_log_from_before_log_ids_keeps_verifying_by_path(audit_home: Path) -> None:
    lines = _legacy_log(audit_home, 3)
    report = audit.verify_log(audit_home)
    assert report.ok and report.log_id is None and report.anchor_seq == 3
    writer = AuditLog(audit_home, key_store=file_store(audit_home), anchor_key=None)
    assert writer.append("vault.lock", vault_id="v1") == 4
    assert writer.checkpoint() == 5
    assert anchor_path(audit_home).name == f"{folder_digest(audit_home)}.json"
    assert json.loads(anchor_path(audit_home).read_text())["seq"] == 5
    assert audit.verify_log(audit_home).ok

    (audit_home / "audit.jsonl").write_bytes(b"".join(line + b"\n" for line in lines[:2]))
    (audit_home / "head.json").unlink()  # cut consistently: head and key list too
    (audit_home / "signing-keys.json").unlink()
    report = audit.verify_log(audit_home)
    assert not report.ok and "records were removed" in str(report.problem)


def test_a_log_id_anywhere_but_record_one_is_refused(audit_home: Path) -> None:
    writer = AuditLog(audit_home, key_store=file_store(audit_home), anchor_key=None)
    writer.append("vault.unlock", vault_id="v1")
    writer.append("vault.lock", vault_id="v1")
    log = audit_home / "audit.jsonl"
    first, second = log.read_bytes().splitlines()
    record = json.loads(second)
    record["log_id"] = json.loads(first)["log_id"]
    log.write_bytes(first + b"\n" + canonical_bytes(record) + b"\n")
    report = audit.verify_log(audit_home)
    assert not report.ok and report.first_bad_seq == 2 and "malformed" in str(report.problem)


def test_a_symlinked_vault_folder_is_refused(
    ready_vault: Ready, vault_home: Path, tmp_path: Path
) -> None:
    _write(ready_vault, 1)
    real = tmp_path / "outside" / ready_vault.info.vault_id
    real.parent.mkdir()
    ready_vault.info.path.rename(real)
    ready_vault.info.path.symlink_to(real)

    listed = list_vaults()
    assert len(listed) == 1 and "symbolic link" in str(listed[0].problem)
    with pytest.raises(LinkedFolderError) as refused:
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)
    assert str(ready_vault.info.path) in refused.value.message and refused.value.exit_code == 3
    with pytest.raises(LinkedFolderError):
        unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)

    # The whole vaults folder behind a link: refused the same way, naming it.
    ready_vault.info.path.unlink()
    real.rename(ready_vault.info.path)
    vaults = vault_home / "vaults"
    vaults.rename(tmp_path / "vaults-elsewhere")
    vaults.symlink_to(tmp_path / "vaults-elsewhere")
    with pytest.raises(LinkedFolderError, match="vaults folder"):
        list_vaults()


def test_an_old_vault_copy_in_a_new_data_folder_is_refused_until_accepted(
    ready_vault: Ready,
    vault_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fresh data folder has a fresh log, but the user's other anchors remember the vault."""
    _write(ready_vault, 1)
    old = tmp_path / "old-copy"
    shutil.copytree(ready_vault.info.path, old)
    _write(ready_vault, 2)  # the first data folder's anchor now records change 3

    monkeypatch.setenv("CHAMBERS_HOME", str(tmp_path / "new-home"))
    shutil.copytree(old, paths.vaults_dir() / ready_vault.info.vault_id)
    info = list_vaults()[0]
    for _ in range(2):  # the refusal it records does not lower what counts next time
        with pytest.raises(RestoredCopyError, match="change 3"):
            open_matter(info, recovery_key=ready_vault.recovery_key, use_keyring=False)

    opened = open_matter(
        info, recovery_key=ready_vault.recovery_key, use_keyring=False, accept_restored=True
    )
    assert opened.vault.generation == 1
    lock_matter(opened.vault)
    lock_matter(  # accepted in this log: the old data folder's anchor no longer counts here
        open_matter(info, recovery_key=ready_vault.recovery_key, use_keyring=False).vault
    )
    assert audit.verify_log().ok
