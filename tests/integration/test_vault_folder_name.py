"""A vault folder copied under another name is reported, not listed twice as the same vault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.vault import find_vault, list_vaults, unlock
from tests.fixtures.vault import PASSPHRASE, Ready


def test_a_copy_under_another_name_is_reported(
    ready_vault: Ready, capsys: pytest.CaptureFixture[str]
) -> None:
    vid = ready_vault.info.vault_id
    copy = paths.vaults_dir() / "acme-copy"
    shutil.copytree(ready_vault.info.path, copy)

    vaults = list_vaults()
    assert len(vaults) == 2
    good = [v for v in vaults if v.problem is None]
    bad = [v for v in vaults if v.problem is not None]
    assert [v.vault_id for v in good] == [vid]
    assert bad[0].path == copy and vid in str(bad[0].problem)
    assert "under another name" in str(bad[0].problem)
    assert find_vault(vid).path == ready_vault.info.path  # the id finds the real one only

    assert main(["vault", "list"]) == 0
    out = capsys.readouterr().out
    assert f"acme-copy  DAMAGED: The folder {copy} holds vault {vid}" in out

    assert main(["vault", "delete", "acme-copy", "--yes"]) == 0
    assert not copy.exists()
    unlock(find_vault(vid), passphrase=PASSPHRASE).lock()  # the original is untouched


def test_vault_folders_are_private(ready_vault: Ready, vault_home: Path) -> None:
    from app.matters import create_matter

    info, _ = create_matter("Private", passphrase=PASSPHRASE, use_keyring=False)
    assert info.path.stat().st_mode & 0o077 == 0
    for name in ("vault.json", "vault.db"):
        assert (info.path / name).stat().st_mode & 0o077 == 0, name
    assert paths.data_dir().stat().st_mode & 0o077 == 0
    assert (paths.audit_dir() / "audit.jsonl").stat().st_mode & 0o077 == 0
