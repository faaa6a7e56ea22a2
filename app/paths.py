"""Where Chambers keeps its files.

Everything lives under one data folder so IT can back it up, wipe it, or point it at an
encrypted volume: ``CHAMBERS_HOME`` overrides the platform default. Models may live on a
shared read-only location instead (``CHAMBERS_MODELS_DIR``), as air-gapped fleets often do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from app.errors import LinkedFolderError

APP_NAME = "Chambers"

#: The repository root when running from a checkout (editable install).
_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The root data folder (created on first use, private to this user: see secure_tree)."""
    override = os.environ.get("CHAMBERS_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path not in _secured:
        secure_tree(path)
        _secured.add(path)
    return path


#: Data folders already made private by this process (the walk runs once per folder).
_secured: set[Path] = set()


def secure_tree(root: Path) -> None:
    """Folders 0700 and files 0600 under ``root``, fixing what older versions left readable.

    Matter names, key slots (offline passphrase guessing) and the audit log are nobody
    else's business on a shared machine. Links are not followed; files this user does not
    own are left alone (chmod would fail anyway).
    """
    if os.name != "posix":
        return
    for folder, dirs, files in os.walk(root):
        for name, mode in [(folder, 0o700)] + [(os.path.join(folder, f), 0o600) for f in files]:
            try:
                info = os.lstat(name)
                if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
                    continue
                if stat.S_IMODE(info.st_mode) & 0o077:
                    os.chmod(name, stat.S_IMODE(info.st_mode) & mode)
            except OSError:
                continue
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]


def anchor_dir() -> Path:
    """Where audit anchors live: deliberately *outside* the data folder (app/audit/anchor.py).

    ``CHAMBERS_ANCHOR_DIR`` overrides it (tests; fleets that keep it on another volume).
    """
    override = os.environ.get("CHAMBERS_ANCHOR_DIR")
    if override:
        return Path(override)
    path = Path(platformdirs.user_state_dir(APP_NAME, False)) / "audit-anchors"
    if path.is_relative_to(data_dir()):  # macOS and Windows: state folder == data folder
        path = Path(platformdirs.user_state_dir(f"{APP_NAME}-audit", False)) / "anchors"
    return path


def models_dir() -> Path:
    """Folder holding installed GGUF model files (IT's policy folder wins over the variable)."""
    from app.policy import models_folder  # late import: the policy reads data_dir()

    managed = models_folder()
    override = os.environ.get("CHAMBERS_MODELS_DIR")
    path = managed or (Path(override) if override else data_dir() / "models")
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


def link_problem(path: Path, what: str) -> str | None:
    """A plain-language refusal if ``path`` itself is a symbolic link (None if not)."""
    if not path.is_symlink():
        return None
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return (
        f"The {what} {path} is a symbolic link (to {target}). Chambers never makes one and "
        "refuses it: a link can put another, older or cut-back copy in place of the real "
        "folder."
    )


def refuse_link(path: Path, what: str) -> None:
    """Raise LinkedFolderError naming ``path`` and the fix if it is a symbolic link."""
    problem = link_problem(path, what)
    if problem:
        raise LinkedFolderError(
            problem,
            hint=f"Remove the link and move the real folder back to {path}, or point "
            "CHAMBERS_HOME at the data folder that holds it; then run `chambers audit verify`.",
        )


def vaults_dir() -> Path:
    """Folder holding one sub-folder per matter vault (a symbolic link is refused)."""
    path = data_dir() / "vaults"
    refuse_link(path, "vaults folder")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def audit_dir() -> Path:
    """Folder holding the append-only audit log and its checkpoints (a link is refused)."""
    path = data_dir() / "audit"
    refuse_link(path, "audit folder")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
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
