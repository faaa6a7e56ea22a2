"""Privacy: doctor, generate and the demo work with every outbound connection refused."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "fixtures" / "no_network"


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def run_offline(
    args: list[str], tmp_path: Path, *, unshare: bool = False, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "net.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HARNESS), env.get("PYTHONPATH", "")])
    env["CHAMBERS_NET_LOG"] = str(log)
    command = [sys.executable, "-m", "app.cli", *args]
    if unshare:
        command = ["unshare", "-n", *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"network was attempted: {attempts}"
    return result


def test_harness_really_refuses_connections(tmp_path: Path) -> None:
    probe = "import socket; socket.create_connection(('127.0.0.1', 9), timeout=1)"
    env = dict(os.environ, PYTHONPATH=str(HARNESS), CHAMBERS_NET_LOG=str(tmp_path / "probe.log"))
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "network refused by test harness" in result.stderr


@pytest.mark.model
def test_doctor_and_generate_work_offline(tmp_path: Path, default_model: object) -> None:
    doctor = run_offline(["doctor", "--json"], tmp_path)
    assert doctor.returncode == 0, doctor.stderr
    report = json.loads(doctor.stdout)
    assert report["hardware"]["backend"] in ("CPU", "CUDA", "Metal", "Vulkan")
    generate = run_offline(
        ["generate", "--prompt", "Reply with the single word: ready", "--max-tokens", "8"], tmp_path
    )
    assert generate.returncode == 0, generate.stderr
    assert generate.stdout.strip()


@pytest.mark.model
def test_demo_works_offline(tmp_path: Path, default_model: object) -> None:
    started = time.monotonic()
    # a generous ceiling: about a minute on an idle 2-core machine, several under load
    result = run_offline(["demo"], tmp_path, unshare=_can_unshare(), timeout=1200)
    seconds = time.monotonic() - started
    out = result.stdout
    assert result.returncode == 0, result.stderr
    # the extraction grid: values with their page and verbatim quote
    assert "] Extraction grid: 3 contracts x 3 fields" in out, out
    assert "Governing law: Pennsylvania  (page 1)" in out
    assert '"This Amendment shall be governed by and construed in accordance with the laws' in out
    assert "Governing law: Texas  (page 3)" in out
    # the NDA review: the two deviations the ContractNLI annotators found, with quotes
    assert "] NDA review: nda-smart-chip.txt against the nda playbook" in out
    assert "DEVIATES [nda-2]" in out and "DEVIATES [nda-7]" in out, out
    assert "technical data, marketing, business information," in out
    # the summary's facts header (by rule) and a grounded answer with citations
    assert "] Summary facts header: cuad-dev-016" in out
    assert "- Governing law: Colorado" in out
    assert "] Question: " in out
    assert re.search(r"\n  \[cuad-dev-016, page \d+\]\n", out), out
    assert "read back byte-identical" in out
    assert "\nOK: " in out  # the audit log verifies
    # Without an OS keyring (as here) the records stay unsealed: said once, at the start,
    # and not again at every step or at exit.
    sealed = "Unsealed" not in out
    said = (out + result.stderr).count("audit log kept but not sealed: no OS keyring")
    assert said == (0 if sealed else 1), out + result.stderr
    assert sealed or out.index("audit log kept but not sealed") < out.index("] Hardware")
    assert "Audit checkpoint at exit failed" not in result.stderr
    print(f"demo took {seconds:.0f} s")  # shown with -s; the README quotes it
