"""The ``chambers audit`` verbs, several writer processes at once, and the exit checkpoint."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import audit
from app.cli import main
from app.commands.audit import EXIT_TAMPERED

REPO = Path(__file__).resolve().parents[2]

#: A child process: file key store (never the real keyring), N events, then normal exit.
CHILD = """
import sys
from app import audit
from tests.fixtures.audit import file_store, no_anchor_key
audit.configure(key_store_factory=file_store, checkpoint_interval=int(sys.argv[2]),
                anchor_key_factory=no_anchor_key)
for i in range(int(sys.argv[1])):
    audit.audit_event("document.open", vault_id="v1", object_ids=[f"doc-{i}"],
                      details={"generation": i})
"""


def _run_child(count: int, interval: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(count), str(interval)], cwd=REPO, env=env
    )


def _verify_json(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_verify_empty_then_ok_then_tampered(
    audit_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _verify_json(capsys)
    assert code == 0 and report["status"] == "empty"
    for i in range(4):
        audit.audit_event("document.import", vault_id="v1", object_ids=[f"d{i}"])
    assert main(["audit", "checkpoint"]) == 0
    assert "record 5" in capsys.readouterr().out
    audit.audit_event("vault.lock", vault_id="v1")
    code, report = _verify_json(capsys)
    assert code == 0 and report["ok"] is True
    assert (report["sealed_through"], report["unsealed"]) == (5, 1)

    log = audit_home / "audit.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:1] + lines[2:]))
    code, report = _verify_json(capsys)
    assert code == EXIT_TAMPERED and report["first_bad_seq"] == 2
    assert main(["audit", "verify"]) == EXIT_TAMPERED
    assert "TAMPERED at record 2" in capsys.readouterr().out


def test_verify_text_mentions_unsealed_and_torn_tail(
    audit_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit.audit_event("vault.unlock", vault_id="v1")
    with open(audit_home / "audit.jsonl", "ab") as handle:
        handle.write(b'{"half":')
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "Unsealed tail: 1" in out and "Torn tail: 8 bytes" in out


def test_export_csv_and_json(
    audit_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit.audit_event("document.import", vault_id="v1", object_ids=["d1", "d2"])
    audit.audit_event("settings.change", details={"setting": "=cmd", "old": 1, "new": 2})
    out = tmp_path / "audit.csv"
    assert (
        main(["audit", "export", "--since", "2000-01-01", "--format", "csv", "--out", str(out)])
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["action"] for r in rows] == ["document.import", "settings.change"]
    assert rows[0]["object_ids"] == "d1;d2" and rows[1]["details"].startswith("{")
    assert main(["audit", "export", "--since", "2999-01-01", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["records"] == [] and doc["verification"]["ok"] is True
    assert main(["audit", "export", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in doc["records"]][-1] == "audit.export"  # exports are logged
    assert main(["audit", "export", "--since", "yesterday"]) == 2


def test_several_processes_append_without_breaking_the_chain(audit_home: Path) -> None:
    children = [_run_child(40, 25) for _ in range(4)]
    assert [child.wait(timeout=120) for child in children] == [0, 0, 0, 0]
    report = audit.verify_log()
    assert report.ok, report
    actions = [
        json.loads(line)["action"]
        for line in (audit_home / "audit.jsonl").read_bytes().splitlines()
    ]
    assert actions.count("document.open") == 160
    assert report.unsealed == 0  # every child sealed its records at exit
    assert audit.last_vault_generation("v1") == 39


def test_process_exit_writes_a_checkpoint(audit_home: Path) -> None:
    assert _run_child(3, 1000).wait(timeout=60) == 0
    report = audit.verify_log()
    assert report.ok and report.checkpoints == 1 and report.unsealed == 0
    assert report.records == 4
