"""Where managed policy comes from: one interface, one class per platform's mechanism.

IT manages a fleet with the tool each platform provides: files under ``/etc/chambers`` on
Linux (root-owned, shipped by the .deb or configuration management), Group Policy on
Windows (``HKLM\\SOFTWARE\\Policies\\Chambers``, from the ADMX template in
installer/windows) and a configuration profile on macOS (managed preferences for the
``com.chambers.app`` domain). Each yields *documents*: the raw bytes as deployed (for the
policy hash an auditor recomputes with ``sha256sum``) and the parsed JSON-like object.

Only the Linux source is exercised on a real system here; the Windows and macOS readers
are written to the platforms' documented formats and tested through the same interface
with a fake source (tests/unit/test_policy_sources.py). See README "Managed policy".
"""

from __future__ import annotations

import json
import plistlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: Linux: the root-owned folder the .deb creates for IT's policy files.
LINUX_POLICY_DIR = Path("/etc/chambers")
#: Windows: the Group Policy key (machine-wide, under HKEY_LOCAL_MACHINE).
WINDOWS_POLICY_KEY = r"SOFTWARE\Policies\Chambers"
#: macOS: a configuration profile's payload lands here, root-owned, per domain.
MACOS_MANAGED_PLIST = Path("/Library/Managed Preferences/com.chambers.app.plist")


class SourceError(Exception):
    """A policy document that cannot be read or parsed; ``origin`` names it."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


@dataclass(frozen=True)
class PolicyDocument:
    """One deployed policy document: where it came from, its bytes, its parsed content."""

    origin: str
    raw: bytes
    content: dict[str, Any]


class PolicySource(Protocol):
    """Anything that yields policy documents, in the order they should be applied."""

    def documents(self) -> list[PolicyDocument]: ...


def parse_json_document(origin: str, raw: bytes) -> PolicyDocument:
    """A JSON policy file's bytes as a document; anything but a JSON object is an error."""
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(origin, f"not valid JSON ({exc})") from exc
    if not isinstance(parsed, dict):
        raise SourceError(origin, "must hold a JSON object")
    return PolicyDocument(origin, raw, parsed)


def read_json_file(path: Path) -> PolicyDocument | None:
    """The document in ``path``, or None when the file does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SourceError(str(path), f"cannot be read ({exc.strerror})") from exc
    return parse_json_document(str(path), raw)


@dataclass(frozen=True)
class LinuxPolicyFiles:
    """``<root>/policy.json`` then ``<root>/policy.d/*.json`` in name order (like sudoers.d)."""

    root: Path = LINUX_POLICY_DIR

    def documents(self) -> list[PolicyDocument]:
        paths = [self.root / "policy.json"]
        fragments = self.root / "policy.d"
        if fragments.is_dir():
            paths += sorted(fragments.glob("*.json"))
        return [doc for path in paths if (doc := read_json_file(path)) is not None]


def canonical_bytes(content: dict[str, Any]) -> bytes:
    """A stable serialisation for sources that have no file bytes (the registry)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class WindowsRegistryPolicy:
    """``HKLM\\SOFTWARE\\Policies\\Chambers``: one subkey per section, one value per key.

    REG_DWORD becomes an int (0/1 for the ``allow_*`` switches, turned into booleans by the
    schema), REG_SZ a string (a string starting with ``[`` or ``{`` is parsed as JSON, for
    the list-valued keys), REG_MULTI_SZ a list of strings. Not run here: no Windows box.
    """

    key: str = WINDOWS_POLICY_KEY

    def documents(self) -> list[PolicyDocument]:
        if sys.platform != "win32":
            return []
        import winreg  # pragma: no cover - Windows only (mypy checks it for win32 only)

        origin = f"HKLM\\{self.key}"
        try:
            root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, self.key)
        except OSError:
            return []
        content: dict[str, Any] = {}
        index = 0
        while True:
            try:
                section = winreg.EnumKey(root, index)
            except OSError:
                break
            index += 1
            values: dict[str, Any] = {}
            with winreg.OpenKey(root, section) as sub:
                vindex = 0
                while True:
                    try:
                        name, value, kind = winreg.EnumValue(sub, vindex)
                    except OSError:
                        break
                    vindex += 1
                    values[name] = registry_value(origin, name, value, kind == winreg.REG_SZ)
            content[section] = values
        return [PolicyDocument(origin, canonical_bytes(content), content)] if content else []


def registry_value(origin: str, name: str, value: Any, is_string: bool) -> Any:
    """A registry value as policy JSON: JSON text in a string is parsed (lists, objects)."""
    if isinstance(value, int) and name.startswith("allow_"):
        return bool(value)  # Group Policy switches are REG_DWORD 0/1
    if is_string and isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise SourceError(origin, f"value {name} is not valid JSON ({exc})") from exc
    return value


@dataclass(frozen=True)
class MacManagedPreferences:
    """The managed preferences plist a configuration profile installs (root-owned).

    Its top-level keys are the policy sections, as in policy.json. Not run here: no Mac.
    """

    path: Path = MACOS_MANAGED_PLIST

    def documents(self) -> list[PolicyDocument]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SourceError(str(self.path), f"cannot be read ({exc.strerror})") from exc
        try:
            content = plistlib.loads(raw)
        except (plistlib.InvalidFileException, ValueError) as exc:
            raise SourceError(str(self.path), f"not a valid property list ({exc})") from exc
        if not isinstance(content, dict):
            raise SourceError(str(self.path), "must hold a dictionary")
        # Profiles add bookkeeping keys (PayloadUUID, ...); they are not policy.
        content = {k: v for k, v in content.items() if not k.startswith("Payload")}
        return [PolicyDocument(str(self.path), raw, content)]


def platform_sources() -> tuple[PolicySource, ...]:
    """The machine-wide sources for the running platform (IT's, not the user's)."""
    if sys.platform == "win32":
        return (WindowsRegistryPolicy(),)
    if sys.platform == "darwin":
        return (MacManagedPreferences(),)
    return (LinuxPolicyFiles(),)
