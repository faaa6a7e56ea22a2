"""Privacy: doctor, generate and the demo work with every outbound connection refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "fixtures" / "no_network"


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def run_offline(
    args: list[str], tmp_path: Path, *, unshare: bool = False
) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "net.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HARNESS), env.get("PYTHONPATH", "")])
    env["CHAMBERS_NET_LOG"] = str(log)
    command = [sys.executable, "-m", "app.cli", *args]
    if unshare:
        command = ["unshare", "-n", *command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
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
    result = run_offline(["demo"], tmp_path, unshare=_can_unshare())
    assert result.returncode == 0, result.stderr
    assert "Pennsylvania" in result.stdout
    assert "reused from cache" in result.stdout
    assert "read back byte-identical" in result.stdout
    assert "«governed by»" in result.stdout
    assert "\nOK: " in result.stdout  # the audit log verifies
    # Without an OS keyring (as here) policy keeps the signing key off the disk, so the
    # demo's records stay unsealed: it must say so and why, not fail or claim a seal.
    sealed = "Unsealed" not in result.stdout
    assert sealed or "Not sealed: No usable keyring" in result.stdout, result.stdout
