"""A vault folder restored from an older copy is refused until explicitly accepted.

Real SQLCipher vaults, the real audit log and anchor (unkeyed, as without a keyring), and
the real CLI. Before issue 14 the restored copy opened with a warning that faded after
one write.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app import audit
from app.cli import main
from app.matters import RestoredCopyError, lock_matter, open_matter
from app.vault import unlock
from tests.fixtures.vault import Ready


def _records(home: Path) -> list[dict[str, object]]:
    lines = (home / "audit" / "audit.jsonl").read_bytes().splitlines()
    return [json.loads(line) for line in lines]


def _write(ready: Ready, count: int) -> None:
    vault = open_matter(ready.info, recovery_key=ready.recovery_key, use_keyring=False).vault
    for i in range(count):
        vault.add_document(os.urandom(16), title=f"t{i}", mime_type="text/plain")
    lock_matter(vault)


def _restore_old_copy(ready: Ready, tmp_path: Path) -> None:
    """Copy at generation 1, two more writes, then put the old copy back."""
    _write(ready, 1)
    old = tmp_path / "old-copy"
    shutil.copytree(ready.info.path, old)
    _write(ready, 2)
    shutil.rmtree(ready.info.path)
    shutil.copytree(old, ready.info.path)


def test_restored_copy_is_refused_until_accepted(
    ready_vault: Ready, vault_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _restore_old_copy(ready_vault, tmp_path)
    with pytest.raises(RestoredCopyError) as caught:
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)
    assert caught.value.exit_code == 3
    assert "change 1" in caught.value.message and "change 3" in caught.value.message
    assert f"chambers vault accept-restore {ready_vault.info.vault_id}" in caught.value.message
    denied = next(r for r in reversed(_records(vault_home)) if r["action"] == "vault.unlock")
    assert denied["outcome"] == "denied" and denied["details"]["recorded_generation"] == 3  # type: ignore[index]

    # Writing to the copy behind Chambers' back does not clear the condition.
    raw = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    raw.add_document(os.urandom(16), title="s", mime_type="text/plain")
    raw.lock()
    with pytest.raises(RestoredCopyError):
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)
    # Nor does deleting the log's generation cache.
    (vault_home / "audit" / "generations.json").unlink(missing_ok=True)
    with pytest.raises(RestoredCopyError):
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)

    secret = tmp_path / "recovery.txt"  # the recovery key: no Argon2 wait per unlock
    secret.write_text(ready_vault.recovery_key)
    vid = ready_vault.info.vault_id
    args = ["--recovery-key-file", str(secret), "--no-keyring"]
    assert main(["vault", "backup", vid, str(tmp_path / "bk"), *args]) == 3
    assert "accept-restore" in capsys.readouterr().err
    assert main(["vault", "accept-restore", vid, *args]) == 2  # no terminal, no --yes
    assert main(["vault", "accept-restore", vid, "--yes", *args]) == 0
    assert "Accepted the restored copy" in capsys.readouterr().out

    accepted = [r for r in _records(vault_home) if r["action"] == "vault.restore_accept"]
    assert len(accepted) == 1
    assert accepted[0]["details"] == {  # type: ignore[comparison-overlap]
        "generation": 2,
        "recorded_generation": 3,
        "slot_type": "recovery",
        "accepted_by": "user",
    }
    opened = open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)
    assert opened.vault.generation == 2 and not opened.stale
    lock_matter(opened.vault)
    assert main(["vault", "accept-restore", vid, "--yes", *args]) == 0
    assert "nothing to accept" in capsys.readouterr().out
    assert audit.verify_log().ok


def test_rollback_is_caught_by_the_anchor_when_the_log_forgets(
    ready_vault: Ready, vault_home: Path, tmp_path: Path
) -> None:
    """The anchor outside the data folder remembers the generation even if the log cache is
    rebuilt from a cut log; here the cache is poisoned with a low value."""
    _restore_old_copy(ready_vault, tmp_path)
    cache = vault_home / "audit" / "generations.json"
    audit.last_vault_generation(ready_vault.info.vault_id)  # make sure the cache exists
    doc = json.loads(cache.read_text())
    doc["generations"][ready_vault.info.vault_id] = 0
    cache.write_text(json.dumps(doc))
    with pytest.raises(RestoredCopyError):
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)


def test_it_can_keep_the_decision_and_accept_by_machine_policy(
    ready_vault: Ready,
    vault_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app import policy
    from app.policy_sources import LinuxPolicyFiles

    _restore_old_copy(ready_vault, tmp_path)
    vid = ready_vault.info.vault_id
    etc = tmp_path / "etc-chambers"
    etc.mkdir()
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [LinuxPolicyFiles(etc)])
    (etc / "policy.json").write_text(json.dumps({"vault": {"user_may_accept_restore": False}}))
    secret = tmp_path / "recovery.txt"
    secret.write_text(ready_vault.recovery_key)
    args = ["--recovery-key-file", str(secret), "--no-keyring", "--yes"]
    assert main(["vault", "accept-restore", vid, *args]) == 3
    assert "vault.user_may_accept_restore" in capsys.readouterr().err
    user = tmp_path / "user-policy.json"  # a user file cannot accept on IT's behalf
    user.write_text(json.dumps({"vault": {"accepted_restores": [f"{vid}:1"]}}))
    monkeypatch.setenv("CHAMBERS_POLICY", str(user))
    with pytest.raises(RestoredCopyError):
        open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)

    machine = {"vault": {"user_may_accept_restore": False, "accepted_restores": [f"{vid}:1"]}}
    (etc / "policy.json").write_text(json.dumps(machine))
    opened = open_matter(ready_vault.info, recovery_key=ready_vault.recovery_key, use_keyring=False)
    assert opened.vault.generation == 1
    lock_matter(opened.vault)
    accepted = [r for r in _records(vault_home) if r["action"] == "vault.restore_accept"]
    assert [r["details"]["accepted_by"] for r in accepted] == ["policy"]  # type: ignore[index]
