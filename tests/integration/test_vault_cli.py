"""``chambers vault ...`` through app.cli.main: exit codes, printed keys, audit events."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.vault import find_vault, list_vaults
from tests.fixtures.vault import tree_digest


def _events() -> list[dict[str, object]]:
    log = paths.audit_dir() / "audit.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _recovery_key(out: str) -> str:
    lines = out.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("Recovery key"))
    return lines[i + 1].strip()


@pytest.fixture
def files(vault_home: Path) -> dict[str, Path]:
    d = vault_home / "secrets"
    d.mkdir()
    (d / "pass").write_text("pass phrase one\n")
    (d / "wrong").write_text("pass phrase two\n")
    (d / "new").write_text("second passphrase\n")
    return {p.name: p for p in d.iterdir()}


def test_cli_lifecycle(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["vault", "create", "Acme", "--passphrase-file", str(files["pass"]), "--no-keyring"])
        == 0
    )
    recovery = _recovery_key(capsys.readouterr().out)
    (files["pass"].parent / "rk").write_text(recovery + "\n")
    rk = ["--recovery-key-file", str(files["pass"].parent / "rk")]

    assert main(["vault", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [v["name"] for v in listed] == ["Acme"]
    assert [s["type"] for s in listed[0]["slots"]] == ["passphrase", "recovery"]

    before = tree_digest(paths.vaults_dir())
    assert main(["vault", "backup", "Acme", "/x", "--passphrase-file", str(files["wrong"])]) == 2
    err = capsys.readouterr().err
    assert "Wrong passphrase" in err and "Traceback" not in err
    assert tree_digest(paths.vaults_dir()) == before

    assert main(["vault", "add-slot", "Acme", "--type", "recovery", *rk]) == 0
    second = _recovery_key(capsys.readouterr().out)
    assert main(["vault", "remove-slot", "Acme", "1", *rk]) == 0
    assert main(["vault", "remove-slot", "Acme", "2", *rk]) == 0
    capsys.readouterr()
    (files["pass"].parent / "rk").write_text(second)
    assert main(["vault", "remove-slot", "Acme", "3", *rk]) == 1
    assert "last way into" in capsys.readouterr().err

    assert main(["vault", "rekey", "Acme", *rk]) == 0
    third = _recovery_key(capsys.readouterr().out)
    assert main(["vault", "backup", "Acme", str(paths.data_dir() / "copy"), *rk]) == 2
    assert "Wrong recovery key" in capsys.readouterr().err
    (files["pass"].parent / "rk").write_text(third)
    assert main(["vault", "backup", "Acme", str(paths.data_dir() / "copy"), *rk]) == 0
    assert (paths.data_dir() / "copy" / "vault.db").exists()

    assert main(["vault", "delete", "Acme"]) == 2  # no --yes and no terminal to ask on
    assert main(["vault", "delete", "Acme", "--yes"]) == 0
    assert list_vaults() == []

    actions = [(e["action"], e["outcome"]) for e in _events()]
    for expected in [
        ("vault.create", "ok"),
        ("vault.unlock", "failed"),
        ("vault.unlock", "ok"),
        ("vault.slot.add", "ok"),
        ("vault.slot.remove", "ok"),
        ("vault.rekey", "ok"),
        ("vault.backup", "ok"),
        ("vault.lock", "ok"),
        ("vault.delete", "ok"),
    ]:
        assert expected in actions
    assert main(["audit", "verify"]) == 0


def test_mistyped_recovery_key_exits_2(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["vault", "create", "Beta", "--passphrase-file", str(files["pass"]), "--no-keyring"])
        == 0
    )
    recovery = _recovery_key(capsys.readouterr().out)
    bad = files["pass"].parent / "bad-rk"
    bad.write_text(recovery[:-2] + ("AA" if not recovery.endswith("AA") else "BB"))
    assert main(["vault", "backup", "Beta", "/nowhere", "--recovery-key-file", str(bad)]) == 2
    assert "mistyped" in capsys.readouterr().err


def test_stale_copy_is_refused_on_unlock(
    files: dict[str, Path],
    vault_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argparse import Namespace

    from app.commands._unlock import close_vault, open_vault

    assert (
        main(["vault", "create", "Gamma", "--passphrase-file", str(files["pass"]), "--no-keyring"])
        == 0
    )
    recovery = _recovery_key(capsys.readouterr().out)
    key_file = files["pass"].parent / "rk"
    key_file.write_text(recovery)
    folder = find_vault("Gamma").path
    old = vault_home / "old-copy"
    shutil.copytree(folder, old)
    args = Namespace(
        vault="Gamma", recovery_key_file=str(key_file), passphrase_file=None, no_keyring=True
    )
    vault = open_vault(args)
    vault.add_document(b"newer work", title="w", mime_type="text/plain")
    close_vault(vault)  # audit now knows generation 1
    shutil.rmtree(folder)
    shutil.copytree(old, folder)  # restore the generation-0 copy
    capsys.readouterr()
    assert (
        main(
            [
                "vault",
                "backup",
                "Gamma",
                str(vault_home / "b"),
                "--recovery-key-file",
                str(key_file),
            ]
        )
        == 3  # refused, not merely warned about (issue 14; tests/integration/test_rollback_refused.py)
    )
    err = capsys.readouterr().err
    assert "restored from an older copy" in err and "chambers vault accept-restore" in err
    assert ("vault.unlock", "denied") in [(e["action"], e["outcome"]) for e in _events()]
    assert not (vault_home / "b").exists()


@pytest.mark.usefixtures("secret_service")
def test_keyring_vault_unlocks_headless(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["vault", "create", "Delta"]) == 0  # keyring + recovery
    capsys.readouterr()
    monkeypatch.setenv("CHAMBERS_NEW_PASSPHRASE", "added later")
    assert main(["vault", "add-slot", "Delta", "--type", "passphrase"]) == 0
    assert [s.type for s in find_vault("Delta").slots] == ["keyring", "recovery", "passphrase"]
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", "added later")
    assert main(["vault", "rekey", "Delta", "--no-keyring"]) == 0
    assert main(["vault", "delete", "Delta", "--yes"]) == 0
