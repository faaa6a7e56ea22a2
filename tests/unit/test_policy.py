"""Machine policy only tightens: user files, CHAMBERS_POLICY and variables cannot loosen it.

The machine source here is a real folder laid out like /etc/chambers, added through
``policy.EXTRA_MACHINE_SOURCES`` (a module list only code can reach, not a variable).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import audit, policy
from app.config import Settings, load_settings, managed
from app.policy_sources import LinuxPolicyFiles
from tests.fixtures.audit import file_store

SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake /etc/chambers added as a machine source; no user policy file."""
    root = tmp_path / "etc-chambers"
    (root / "policy.d").mkdir(parents=True)
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [LinuxPolicyFiles(root)])
    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)
    yield root


def write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def user_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: object) -> Path:
    path = write(tmp_path / "user-policy.json", doc)
    monkeypatch.setenv("CHAMBERS_POLICY", str(path))
    return path


MACHINE = {
    "audit": {"checkpoint_interval": 50, "allow_file_signing_key": False},
    "models": {"allow_user_trust": False, "allowed_sha256": [SHA_A, SHA_B]},
    "security": {"auto_lock_max_minutes": 10},
    "inference": {
        "servers": [{"base_url": "https://llm.firm.example", "fingerprint": "sha256:" + "0" * 64}]
    },
    "settings": {"threads": 2},
}

LOOSER = {
    "audit": {"checkpoint_interval": 100000, "allow_file_signing_key": True},
    "models": {"allow_user_trust": True, "allowed_sha256": [SHA_A, SHA_B, SHA_C]},
    "security": {"auto_lock_max_minutes": 1440},
    "inference": {
        "servers": [
            {"base_url": "https://llm.firm.example", "fingerprint": "sha256:" + "0" * 64},
            {"base_url": "https://evil.example", "fingerprint": "sha256:" + "1" * 64},
        ]
    },
    "settings": {"threads": 16},
}


def assert_machine_values_hold() -> None:
    assert policy.audit_checkpoint_interval() == 50
    assert policy.allow_file_signing_key() is False
    assert policy.policy_value("models", "allow_user_trust", True) is False
    assert policy.policy_value("models", "allowed_sha256", None) == [SHA_A, SHA_B]
    assert policy.auto_lock_max_minutes() == 10
    assert [s["base_url"] for s in policy.inference_servers()] == ["https://llm.firm.example"]
    assert managed()["threads"] == 2


def test_machine_policy_applies_and_user_file_cannot_loosen_it(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(etc / "policy.json", MACHINE)
    assert_machine_values_hold()
    user_policy(tmp_path, monkeypatch, LOOSER)
    assert_machine_values_hold()
    # The user file may still add a restriction the machine did not set.
    user_policy(
        tmp_path,
        monkeypatch,
        {"models": {"allowed_sha256": [SHA_A]}, "settings": {"context": 2048}},
    )
    assert policy.policy_value("models", "allowed_sha256", None) == [SHA_A]
    assert managed() == {"threads": 2, "context": 2048}


def test_empty_user_policy_file_does_not_drop_machine_policy(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(etc / "policy.json", MACHINE)
    user_policy(tmp_path, monkeypatch, {})
    assert_machine_values_hold()
    (tmp_path / "user-policy.json").write_bytes(b"")  # not JSON: an error, never a default
    with pytest.raises(policy.PolicyError, match=r"user-policy\.json"):
        policy.load_policy()


def test_user_file_cannot_grant_what_only_the_machine_may(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, etc: Path
) -> None:
    """No machine policy: inference servers default to none, and a user file cannot add one."""
    user_policy(tmp_path, monkeypatch, LOOSER)
    assert policy.inference_servers() == []
    assert policy.audit_checkpoint_interval() == 100  # the default, not the user's 100000


def test_environment_variables_cannot_loosen(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import paths

    share = tmp_path / "share"
    share.mkdir()
    write(etc / "policy.json", {**MACHINE, "models": {"folder": str(share)}})
    monkeypatch.setenv("CHAMBERS_MODELS_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("CHAMBERS_POLICY", str(tmp_path / "does-not-exist.json"))
    assert paths.models_dir() == share
    assert policy.audit_checkpoint_interval() == 50


def test_fragments_merge_strictest_wins(etc: Path) -> None:
    write(etc / "policy.json", MACHINE)
    write(
        etc / "policy.d" / "10-tighter.json",
        {
            "audit": {"checkpoint_interval": 20, "allow_file_signing_key": True},
            "models": {"allowed_sha256": [SHA_B, SHA_C]},
            "security": {"auto_lock_max_minutes": 5},
            "settings": {"threads": 8, "auto_lock_minutes": 3},
        },
    )
    write(etc / "policy.d" / "20-lock.json", {"settings": {"auto_lock_minutes": 7}})
    assert policy.audit_checkpoint_interval() == 20
    assert policy.allow_file_signing_key() is False
    assert policy.policy_value("models", "allowed_sha256", None) == [SHA_B]
    assert policy.auto_lock_max_minutes() == 5
    assert managed() == {"threads": 2, "auto_lock_minutes": 3}


def test_unknown_keys_and_wrong_types_name_the_file(etc: Path) -> None:
    fragment = write(etc / "policy.d" / "50-typo.json", {"models": {"allow_user_trusts": False}})
    with pytest.raises(policy.PolicyError, match=r"models\.allow_user_trusts in .*50-typo\.json"):
        policy.load_policy()
    write(fragment, {"security": {"auto_lock_max_minutes": "ten"}})
    with pytest.raises(policy.PolicyError, match=r"auto_lock_max_minutes in .*50-typo\.json"):
        policy.load_policy()
    write(fragment, {"inference": {"servers": [{"base_url": "https://x.example"}]}})
    with pytest.raises(policy.PolicyError, match="ca_cert or fingerprint"):
        policy.load_policy()
    write(fragment, {"settings": {"auto_lock": 5}})
    with pytest.raises(policy.PolicyError, match=r"settings\.auto_lock in .*50-typo\.json"):
        managed()


def test_policy_hash_is_sha256sum_of_the_file_or_of_the_listing(etc: Path) -> None:
    main = write(etc / "policy.json", MACHINE)
    out = subprocess.run(["sha256sum", str(main)], capture_output=True, text=True, check=True)
    assert policy.policy_hash() == out.stdout.split()[0]
    frag = write(etc / "policy.d" / "10-a.json", {"security": {"auto_lock_max_minutes": 5}})
    listing = subprocess.run(
        ["sha256sum", str(main), str(frag)], capture_output=True, check=True
    ).stdout
    assert policy.policy_hash() == hashlib.sha256(listing).hexdigest()


def test_audit_record_carries_the_machine_policy_hash(etc: Path) -> None:
    main = write(etc / "policy.json", {"audit": {"checkpoint_interval": 7}})
    audit.configure(key_store_factory=file_store)
    try:
        audit.audit_event("settings.change", details={"changed": "threads"})
    finally:
        audit.reset()
    from app.paths import audit_dir

    (record,) = [
        json.loads(line) for line in (audit_dir() / "audit.jsonl").read_text().splitlines()
    ]
    expected = subprocess.run(["sha256sum", str(main)], capture_output=True, text=True, check=True)
    assert record["policy_hash"] == expected.stdout.split()[0]


def test_auto_lock_limit_caps_the_user_setting(etc: Path, chambers_home: Path) -> None:
    from app.paths import settings_path

    settings_path().write_text(json.dumps({"auto_lock_minutes": 0}))  # "never"
    assert load_settings().auto_lock_minutes == 0  # no policy: the user's choice stands
    write(etc / "policy.json", {"security": {"auto_lock_max_minutes": 10}})
    assert load_settings().auto_lock_minutes == 10
    settings_path().write_text(json.dumps({"auto_lock_minutes": 4}))
    assert load_settings().auto_lock_minutes == 4  # sooner is allowed
    assert isinstance(load_settings(), Settings)


@pytest.fixture
def private_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "models"
    monkeypatch.setenv("CHAMBERS_MODELS_DIR", str(folder))
    audit.configure(key_store_factory=file_store)
    yield folder
    audit.reset()


def test_forbidden_trust_import_and_allow_list(
    etc: Path, tiny_gguf: Path, capsys: pytest.CaptureFixture[str], private_models: Path
) -> None:
    from app.cli import main
    from app.models.store import import_model

    write(etc / "policy.json", {"models": {"allow_user_trust": False}})
    assert main(["models", "import", "--trust", str(tiny_gguf)]) == 3
    err = capsys.readouterr().err
    assert "models.allow_user_trust" in err and str(etc / "policy.json") in err
    write(etc / "policy.json", {"models": {"allowed_sha256": [SHA_A]}})
    with pytest.raises(policy.PolicyForbidsError, match="allow-list"):
        import_model(tiny_gguf, trust=True)
    write(etc / "policy.json", {})
    assert import_model(tiny_gguf, trust=True).spec.trusted_by == "user"
