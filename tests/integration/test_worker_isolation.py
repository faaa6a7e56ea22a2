"""The parsing worker is confined (issue 14): what a parser exploited by a hostile file
could do is asked of the running worker itself, and the app process cannot dump core."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.ingest import Extractor
from app.ingest.sandbox import ENV_ALLOW, landlock_abi
from app.ingest.worker import ExtractionWorker
from tests.shared_data import FILES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> dict[str, object]:
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", "hunter2 hunter2")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
    caplog.set_level(logging.WARNING)
    outside = tmp_path / "outside"
    outside.mkdir()
    worker = ExtractionWorker(2048)
    try:
        found = worker.probe(outside)
    finally:
        worker.close()
    found["outside_files"] = sorted(p.name for p in outside.iterdir())
    found["log"] = caplog.text
    return found


def test_worker_environment_holds_no_secret(report: dict[str, object]) -> None:
    env = report["env"]
    assert isinstance(env, list)
    assert "CHAMBERS_PASSPHRASE" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert set(env) <= {*ENV_ALLOW, "PATH", "HOME", "TMPDIR", "TMP", "TEMP"}


def test_worker_cannot_open_network_sockets(report: dict[str, object]) -> None:
    assert report["no_new_privs"] is True
    assert str(report["inet_socket"]).startswith("refused"), report


def test_worker_writes_only_to_its_scratch_folder(report: dict[str, object]) -> None:
    assert report["write_scratch"] == "written"
    if landlock_abi() >= 1:  # Linux >= 5.13 with Landlock enabled (this machine: yes)
        assert str(report["write_outside"]).startswith("refused"), report
        assert report["outside_files"] == []
    else:  # the fallback is said, with its reason
        assert "writes not confined" in str(report["log"]) and "Landlock" in str(report["log"])


def test_confined_worker_still_reads_documents() -> None:
    with Extractor() as extractor:
        document = extractor.extract(FILES / "court" / "ca2_1-1.pdf")
    assert document.kind == "pdf" and document.pages and document.pages[0].text.strip()


_DUMPABLE = """
import json, sys
from app.cli import main
from app.hardening import core_limit, is_dumpable
before = is_dumpable()
code = main([])
print(json.dumps({"before": before, "after": is_dumpable(), "core": core_limit(), "code": code}))
"""


def test_app_process_is_not_dumpable() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-c", _DUMPABLE],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state == {"before": True, "after": False, "core": 0, "code": 0}
