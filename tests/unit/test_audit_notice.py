"""The CLI says "audit log kept but not sealed: no OS keyring" once a day per data folder.

Before issue 24 every CLI command on a machine without a keyring ended with the same
two-line warning; a script saw it hundreds of times. Now the exit notice is said once per
data folder per day (a 0600 marker file holds the date), can be silenced by a setting or
an environment variable, and `doctor` and `audit verify` still say it every time.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app import audit, paths
from app.audit import AuditKeyError, NoKeyringError
from app.commands import _audit_notice as notice

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 12, 7)
NEXT_DAY = date(2026, 12, 8)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """keyring's own 'no backend' (refused by oskeyring): a machine without a keyring."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    audit.reset()
    yield
    audit.reset()
    keyring.set_keyring(previous)


def _no_keyring_error() -> NoKeyringError:
    return NoKeyringError("No usable keyring for the audit signing key (test).")


def test_due_once_per_folder_per_day_with_a_private_marker(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    assert notice.due_today(first, DAY)
    assert not notice.due_today(first, DAY)
    assert notice.due_today(second, DAY)  # another data folder has its own day
    assert notice.due_today(first, NEXT_DAY)
    assert not notice.due_today(first, NEXT_DAY)
    marker = first / notice.MARKER
    assert stat.S_IMODE(marker.stat().st_mode) == 0o600
    assert marker.read_text() == "2026-12-08\n"


def test_an_old_loose_marker_becomes_private(tmp_path: Path) -> None:
    marker = tmp_path / notice.MARKER
    marker.write_text("2020-01-01\n")
    marker.chmod(0o644)
    assert notice.due_today(tmp_path, DAY)
    assert stat.S_IMODE(marker.stat().st_mode) == 0o600


def test_report_says_no_keyring_once_a_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(notice.QUIET_ENV, raising=False)
    audit_dir = paths.audit_dir()
    for today in (DAY, DAY, DAY, NEXT_DAY, NEXT_DAY):
        notice.report(audit_dir, _no_keyring_error(), today=today)
    said = capsys.readouterr().err
    assert said.count(notice.SHORT) == 2, said  # once on each day
    assert "chambers doctor" in said and notice.QUIET_ENV in said
    assert (paths.data_dir() / notice.MARKER).exists()


def test_env_var_silences_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notice.QUIET_ENV, "1")
    notice.report(paths.audit_dir(), _no_keyring_error(), today=DAY)
    assert capsys.readouterr().err == ""
    assert not (paths.data_dir() / notice.MARKER).exists()  # nothing was said, nothing noted


def test_setting_silences_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(notice.QUIET_ENV, raising=False)
    paths.settings_path().write_text(json.dumps({"quiet_unsealed_audit": True}))
    notice.report(paths.audit_dir(), _no_keyring_error(), today=DAY)
    assert capsys.readouterr().err == ""
    paths.settings_path().write_text(json.dumps({"quiet_unsealed_audit": False}))
    notice.report(paths.audit_dir(), _no_keyring_error(), today=DAY)
    assert notice.SHORT in capsys.readouterr().err


def test_other_checkpoint_failures_are_warned_every_time(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notice.QUIET_ENV, "1")  # silences the keyring notice only
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            notice.report(paths.audit_dir(), AuditKeyError("the signing key file is damaged"))
    assert [r.getMessage().count("damaged") for r in caplog.records] == [1, 1]


def test_sealing_line_names_the_missing_keyring(no_keyring: None) -> None:
    line = notice.sealing_line()
    assert line is not None and line.startswith(f"Sealing: {notice.SHORT}.")
    assert "No usable keyring" in line


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_cli_says_it_once_and_verify_and_doctor_every_time(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.pop(notice.QUIET_ENV, None)
    env.pop("CHAMBERS_POLICY", None)
    exports = [_cli("audit", "export", "--format", "json", env=env) for _ in range(3)]
    assert [r.returncode for r in exports] == [0, 0, 0]
    assert [r.stderr.count(notice.SHORT) for r in exports] == [1, 0, 0], exports[0].stderr
    assert "Audit checkpoint at exit failed" not in "".join(r.stderr for r in exports)
    for _ in range(2):
        verify = _cli("audit", "verify", env=env)
        assert verify.returncode == 0, verify.stderr
        # the unsealed tail is counted in full, and the reason is given every time
        assert "Unsealed tail: 3 records" in verify.stdout, verify.stdout
        assert f"Sealing: {notice.SHORT}" in verify.stdout
    as_json = json.loads(_cli("audit", "verify", "--json", env=env).stdout)
    assert as_json["unsealed"] == 3 and notice.SHORT in as_json["sealing"]
    doctor = _cli("doctor", env=env)
    assert doctor.returncode == 0, doctor.stderr
    assert f"Sealing: {notice.SHORT}" in doctor.stdout


def test_commands_that_lock_a_matter_say_it_once_too(tmp_path: Path) -> None:
    """Locking at the end of a vault verb seals the log: without a keyring that failure
    goes through the same once-a-day note, not a warning of its own after every command."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "CHAMBERS_PASSPHRASE": "correct horse battery staple",
    }
    env.pop(notice.QUIET_ENV, None)
    env.pop("CHAMBERS_POLICY", None)
    sample = REPO / "resources" / "samples" / "nda-smart-chip.txt"
    created = _cli("vault", "create", "Notice test", "--no-keyring", env=env)
    assert created.returncode == 0, created.stderr
    runs = [_cli("import", "Notice test", str(sample), env=env) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    said = [created.stderr, *(r.stderr for r in runs)]
    assert [s.count(notice.SHORT) for s in said] == [1, 0, 0], said
    assert not any("could not be sealed" in s for s in said), said
