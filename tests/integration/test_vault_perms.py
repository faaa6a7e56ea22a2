"""Another local user cannot read matter names, key slots or the audit log.

Runs the app as root in a folder other users can reach, then tries to read its files as
an ordinary user (``chtest``, created if missing) with ``runuser``. Needs root to switch
users: as any other user it is skipped, saying so. Before issue 14 the data folder and
its files were 0755/0644, so ``chtest`` could read vault.json (passphrase slots for
offline guessing) and the whole audit log.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import audit, paths
from app.matters import create_matter
from tests.fixtures.audit import file_store, no_anchor_key
from tests.fixtures.vault import PASSPHRASE

OTHER = "chtest"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root to run commands as another user (runuser); run the suite as root",
)


def _as_other(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["runuser", "-u", OTHER, "--", *argv], capture_output=True, timeout=30, check=False
    )


@pytest.fixture(name="shared_home")
def shared_home_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder under a 0755 folder in /tmp (pytest's own tmp is 0700 for root)."""
    if shutil.which("runuser") is None or shutil.which("useradd") is None:
        pytest.fail("runuser/useradd missing (util-linux, passwd)")
    if subprocess.run(["id", OTHER], capture_output=True, check=False).returncode != 0:
        subprocess.run(["useradd", "-m", OTHER], check=True, capture_output=True)
    base = Path(tempfile.mkdtemp(prefix="chambers-perms-", dir="/tmp"))
    base.chmod(0o755)
    home = base / "home"
    monkeypatch.setenv("CHAMBERS_HOME", str(home))
    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)
    audit.configure(key_store_factory=file_store, anchor_key_factory=no_anchor_key)
    yield home
    audit.reset()
    shutil.rmtree(base)


def test_another_user_cannot_read_vault_or_audit_files(shared_home: Path) -> None:
    # An older install left everything world-readable.
    (shared_home / "audit").mkdir(parents=True, mode=0o755)
    shared_home.chmod(0o755)
    old = shared_home / "audit" / "audit.jsonl"
    old.write_bytes(b"")
    old.chmod(0o644)
    control = shared_home.parent / "control.txt"
    control.write_text("readable")
    control.chmod(0o644)
    assert _as_other("cat", str(control)).returncode == 0  # the other user reaches /tmp

    paths._secured.discard(shared_home)  # as a fresh process would: fix on start
    info, _ = create_matter("Smith v Jones", passphrase=PASSPHRASE, use_keyring=False)
    audit.checkpoint()

    for path in [shared_home, shared_home / "audit", shared_home / "vaults", info.path]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in [info.path / "vault.json", info.path / "vault.db", old]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (shared_home / "audit").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path

    for target in [info.path / "vault.json", shared_home / "audit" / "audit.jsonl"]:
        result = _as_other("cat", str(target))
        assert result.returncode != 0 and b"Permission denied" in result.stderr
    assert _as_other("ls", str(shared_home / "vaults")).returncode != 0  # names hidden too
