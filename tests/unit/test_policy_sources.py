"""Every machine source behind one interface: a fake source, a macOS plist, the examples."""

from __future__ import annotations

import hashlib
import json
import plistlib
from pathlib import Path

import pytest

from app import policy
from app.policy_sources import (
    LinuxPolicyFiles,
    MacManagedPreferences,
    PolicyDocument,
    canonical_bytes,
)

REPO = Path(__file__).resolve().parents[2]


class FakeRegistry:
    """Stands in for WindowsRegistryPolicy: what it yields for HKLM\\...\\Chambers."""

    def __init__(self, content: dict[str, dict[str, object]]) -> None:
        self.content = content

    def documents(self) -> list[PolicyDocument]:
        origin = r"HKLM\SOFTWARE\Policies\Chambers"
        return [PolicyDocument(origin, canonical_bytes(self.content), self.content)]


@pytest.fixture(autouse=True)
def no_user_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)


def test_fake_source_merges_strictest_with_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "policy.json").write_text(json.dumps({"security": {"auto_lock_max_minutes": 30}}))
    registry = FakeRegistry(
        {"security": {"auto_lock_max_minutes": 10}, "models": {"allow_user_trust": False}}
    )
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [registry, LinuxPolicyFiles(etc)])
    assert policy.auto_lock_max_minutes() == 10
    assert policy.policy_value("models", "allow_user_trust", True) is False
    listing = (
        f"{hashlib.sha256(canonical_bytes(registry.content)).hexdigest()}  "
        "HKLM\\SOFTWARE\\Policies\\Chambers\n"
        f"{hashlib.sha256((etc / 'policy.json').read_bytes()).hexdigest()}  {etc / 'policy.json'}\n"
    )
    assert policy.policy_hash() == hashlib.sha256(listing.encode()).hexdigest()


def test_fake_source_with_a_bad_value_names_its_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        policy, "EXTRA_MACHINE_SOURCES", [FakeRegistry({"models": {"allow_user_trust": 1}})]
    )
    with pytest.raises(policy.PolicyError, match=r"allow_user_trust in HKLM\\SOFTWARE"):
        policy.load_policy()


def test_macos_managed_preferences_plist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plist = tmp_path / "com.chambers.app.plist"
    content = {
        "PayloadUUID": "X",  # profile bookkeeping, not policy
        "models": {"allow_user_trust": False},
        "security": {"auto_lock_max_minutes": 5},
    }
    plist.write_bytes(plistlib.dumps(content))
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [MacManagedPreferences(plist)])
    assert policy.auto_lock_max_minutes() == 5
    assert policy.policy_hash() == hashlib.sha256(plist.read_bytes()).hexdigest()
    plist.write_bytes(b"not a plist")
    with pytest.raises(policy.PolicyError, match="not a valid property list"):
        policy.load_policy()


def test_shipped_examples_are_valid_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    etc = tmp_path / "etc"
    (etc / "policy.d").mkdir(parents=True)
    examples = REPO / "installer" / "examples"
    (etc / "policy.json").write_bytes((examples / "policy.json").read_bytes())
    for name in ("20-airgap.json", "50-firm-servers.json"):
        (etc / "policy.d" / name).write_bytes((examples / name).read_bytes())
    (etc / "policy.d" / "00-models-folder.json").write_bytes(
        (REPO / "installer" / "linux" / "00-models-folder.json").read_bytes()
    )
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [LinuxPolicyFiles(etc)])
    merged = policy.load_policy()
    assert merged["models"]["folder"] == "/var/lib/chambers/models"
    assert policy.allow_file_signing_key() is False  # policy.json's false beats the fragment's true
    assert [s["base_url"] for s in policy.inference_servers()] == ["https://llm.firm.example:8443"]
