"""Windows installer sources, checked on Linux: MSI (wixl), Authenticode (osslsigncode), ADMX.

Not a Windows run: the MSI holds a placeholder payload and is never installed here; the
ADMX is checked for well-formedness and coverage, not loaded into Group Policy.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from app.config import Settings
from app.policy import KEYS
from app.policy_sources import registry_value

REPO = Path(__file__).resolve().parents[2]
GP = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"


def test_msi_builds_signs_verifies_and_a_flipped_byte_fails(tmp_path: Path) -> None:
    out = tmp_path / "windows"
    result = subprocess.run(
        ["bash", "installer/windows/smoke.sh", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "signed MSI verifies" in result.stdout and "tampered MSI refused" in result.stdout
    assert "Succeeded" in (out / "verify-good.txt").read_text()
    assert "Failed" in (out / "verify-bad.txt").read_text()
    props = subprocess.run(
        ["msiinfo", "export", str(out / "chambers.msi"), "Property"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ALLUSERS\t1" in props  # per-machine install

    admx = ET.parse(out / "admx" / "chambers.admx").getroot()
    adml = ET.parse(out / "admx" / "en-US" / "chambers.adml").getroot()
    names = {p.get("name") for p in admx.iter(f"{GP}policy")}
    expected = {f"{s}_{n}" for s, n in KEYS} | {f"settings_{n}" for n in vars(Settings())}
    assert names == expected
    strings = {s.get("id") for s in adml.iter(f"{GP}string")}
    assert expected <= strings
    keys = {p.get("key") for p in admx.iter(f"{GP}policy")}
    assert all(k and k.startswith("SOFTWARE\\Policies\\Chambers\\") for k in keys)


def test_registry_values_become_policy_values() -> None:
    """What the WindowsRegistryPolicy reader does with each registry type."""
    origin = r"HKLM\SOFTWARE\Policies\Chambers"
    assert registry_value(origin, "allow_user_trust", 0, False) is False
    assert registry_value(origin, "checkpoint_interval", 50, False) == 50
    assert registry_value(origin, "allowed_sha256", '["' + "a" * 64 + '"]', True) == ["a" * 64]
    assert registry_value(origin, "folder", r"\\share\models", True) == r"\\share\models"
