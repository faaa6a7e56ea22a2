"""The keyed anchor through a real Secret Service (gnome-keyring over D-Bus).

With a keyring, the anchor outside the data folder carries an HMAC under a key kept in
the keyring: rewriting it to match a cut log, deleting it, or stripping its protection
is reported, not just editing the data folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import audit
from app.audit.anchor import anchor_path
from app.errors import LinkedFolderError
from app.vault import oskeyring
from tests.fixtures.audit import file_store

secret_service = pytest.importorskip(
    "tests.fixtures.secret_service", reason="Secret Service fixture not available"
).secret_service


def test_keyed_anchor_resists_rewrite_removal_and_downgrade(
    secret_service: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAMBERS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)
    audit.configure(key_store_factory=file_store)  # anchor key: the real keyring (default)
    log_id: str | None = None
    try:
        for i in range(3):
            audit.audit_event("document.open", vault_id="v1", details={"generation": i})
        audit.checkpoint()
        audit.audit_event("vault.lock", vault_id="v1", details={"generation": 2})
        report = audit.verify_log()
        assert report.ok and report.anchor == "keyring" and report.anchor_seq == 5
        assert not any("no OS keyring" in note for note in report.notes)

        folder = audit.audit_log().directory
        where = anchor_path(folder)
        saved = where.read_bytes()
        log_id = report.log_id
        assert log_id and where.name == f"log-{log_id}.json"
        key = oskeyring.load_secret(f"audit-anchor-key/log-{log_id}")
        assert key is not None and len(key) == 32
        for path in (tmp_path / "home").rglob("*"):
            if path.is_file():
                assert key not in path.read_bytes()

        # Cut the log to the checkpoint and rewrite the anchor to match, without the key.
        lines = (folder / "audit.jsonl").read_bytes().splitlines(keepends=True)
        (folder / "audit.jsonl").write_bytes(b"".join(lines[:4]))
        doc = json.loads(saved)
        doc.update(seq=4, prev_seq=4, hash=doc["prev_hash"], prev_hash=doc["prev_hash"])
        where.write_text(json.dumps(doc))
        report = audit.verify_log()
        assert not report.ok and "MAC mismatch" in str(report.problem)

        where.unlink()
        report = audit.verify_log()
        assert not report.ok and "was removed" in str(report.problem)

        doc.pop("mac")
        doc["protection"] = "none"
        where.write_text(json.dumps(doc))
        report = audit.verify_log()
        assert not report.ok and "downgraded" in str(report.problem)

        shutil.rmtree(folder)  # the whole audit folder gone, the genuine anchor back
        where.write_bytes(saved)
        report = audit.verify_log()
        assert not report.ok and "audit log is missing" in str(report.problem)
    finally:
        if log_id:
            oskeyring.delete_secret(f"audit-anchor-key/log-{log_id}")
        audit.reset()


def test_keyed_anchor_catches_a_cut_log_behind_a_link_and_elsewhere(
    secret_service: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 25's attack with a keyring present: the cut log moved behind a symbolic link,
    then the same cut log started from another data folder; the anchor and keyring are not
    touched. Both are tampering, found by the log id in record 1."""
    home = tmp_path / "home"
    monkeypatch.setenv("CHAMBERS_HOME", str(home))
    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)
    audit.configure(key_store_factory=file_store)
    log_id: str | None = None
    try:
        audit.audit_event("vault.unlock", vault_id="v1", details={"generation": 1})
        audit.checkpoint()
        folder = audit.audit_log().directory
        shutil.copytree(folder, tmp_path / "cut")  # a consistent cut, head.json and all
        audit.audit_event("vault.lock", vault_id="v1", details={"generation": 3})
        audit.checkpoint()
        log_id = audit.verify_log().log_id
        assert log_id and audit.verify_log().anchor == "keyring"

        shutil.rmtree(folder)
        shutil.copytree(tmp_path / "cut", home / "audit.x")
        (home / "audit").symlink_to(home / "audit.x")
        report = audit.verify_log()
        assert not report.ok and "records were removed" in str(report.problem)
        with pytest.raises(LinkedFolderError):
            audit.last_vault_generation("v1")

        other = tmp_path / "other-home"  # the cut log run as another data folder
        shutil.copytree(tmp_path / "cut", other / "audit")
        monkeypatch.setenv("CHAMBERS_HOME", str(other))
        report = audit.verify_log()
        assert not report.ok and "records were removed" in str(report.problem)
        assert report.anchor == "keyring" and report.log_id == log_id
        assert audit.last_vault_generation("v1") == 3  # the anchor still remembers change 3
    finally:
        if log_id:
            oskeyring.delete_secret(f"audit-anchor-key/log-{log_id}")
        audit.reset()
