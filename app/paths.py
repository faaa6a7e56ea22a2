"""Where Chambers keeps its files.

Everything lives under one data folder so IT can back it up, wipe it, or point it at an
encrypted volume: ``CHAMBERS_HOME`` overrides the platform default. Models may live on a
shared read-only location instead (``CHAMBERS_MODELS_DIR``), as air-gapped fleets often do.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Chambers"

#: The repository root when running from a checkout (editable install).
_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The root data folder (created on first use)."""
    override = os.environ.get("CHAMBERS_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Folder holding installed GGUF model files."""
    override = os.environ.get("CHAMBERS_MODELS_DIR")
    path = Path(override) if override else data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_path() -> Path:
    return data_dir() / "settings.json"


def resource_path(*parts: str) -> Path:
    """A file shipped with the app (catalog, samples, prompts).

    Looks in the source checkout first, then in data bundled next to the package, so the
    same code works from an editable install and from a built wheel.
    """
    for root in (_SOURCE_ROOT, Path(__file__).resolve().parent / "_bundled"):
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    return _SOURCE_ROOT.joinpath(*parts)


def vaults_dir() -> Path:
    """Folder holding one sub-folder per matter vault."""
    path = data_dir() / "vaults"
    path.mkdir(parents=True, exist_ok=True)
    return path


def audit_dir() -> Path:
    """Folder holding the append-only audit log and its checkpoints."""
    path = data_dir() / "audit"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource_files(kind: str, suffix: str = ".json") -> dict[str, Path]:
    """Name -> file of ``resources/<kind>/*<suffix>`` then ``<data dir>/<kind>/``.

    Field sets and draft templates ship built in and a firm may add its own beside them;
    a user file with a built-in's name replaces it.
    """
    found: dict[str, Path] = {}
    for folder in (resource_path("resources", kind), data_dir() / kind):
        if folder.is_dir():
            for path in sorted(folder.glob(f"*{suffix}")):
                found[path.stem] = path
    return found
