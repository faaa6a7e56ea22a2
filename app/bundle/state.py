"""Where the machine keeps its bundle trust state: root-owned, outside the user's reach.

The TUF client state (the trusted root history and the newest timestamp, snapshot and
targets seen) must survive the user, or a user could replay an older, still validly
signed bundle. It lives in a root-owned folder, and the trust root installed by the
package lives under /usr/share. Tests point these module constants at temporary folders
(monkeypatch); nothing a user sets at run time (no variable, no file) can move them.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _state_default() -> Path:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return Path(r"C:\ProgramData\Chambers")  # fixed: a variable could be redirected
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return Path("/Library/Application Support/Chambers")
    return Path("/var/lib/chambers")


#: Root-owned machine state: ``trust/`` (TUF client metadata) and ``catalog.json``.
STATE_DIR = _state_default()


def _root_default() -> Path:
    if sys.platform == "win32":  # pragma: no cover - Windows only (installer/windows)
        return Path(r"C:\Program Files\Chambers\trust\root.json")
    if sys.platform == "darwin":  # pragma: no cover - macOS only (installer/macos)
        return Path("/Applications/Chambers.app/Contents/Resources/trust/root.json")
    return Path("/usr/share/chambers/trust/root.json")


#: The trust root the package installed (a bundle never supplies its own).
INSTALLED_ROOT = _root_default()


def trust_dir() -> Path:
    return STATE_DIR / "trust"


def imported_catalog() -> Path:
    """The model catalog written by the last ``chambers bundle import`` (may not exist)."""
    return STATE_DIR / "catalog.json"


def installed_root() -> Path:
    return INSTALLED_ROOT


#: Written beside the root by installer/linux/build.sh when it ships the throw-away test
#: root (no TRUST_ROOT given), so `chambers doctor` can warn that the package is not for use.
TEST_ROOT_MARKER = "TEST-ROOT"


def installed_root_status() -> dict[str, object]:
    """For `chambers doctor`: whether a trust root is installed and if it is the test one."""
    root = installed_root()
    return {
        "path": str(root),
        "installed": root.is_file(),
        "test_root": (root.parent / TEST_ROOT_MARKER).is_file(),
    }
