"""A real non-root user cannot loosen a root-owned machine policy, nor import a bundle.

As root (CI), the test creates an unprivileged user (useradd) and runs a small program as
that user (runuser -u); as a non-root developer it runs the program as themselves. The
program stands in for the app on a workstation: it reads the machine policy from a
root-owned folder laid out like /etc/chambers (the process adds it as a machine source,
as the tests do), tries to change it, and tries every user-side way to loosen it.

The other user never reads the checkout or its virtualenv: a clone inside a 0700 folder
(``mktemp -d``, or a Debian home) is closed to it. The tests copy the ``app`` package and
the third-party packages the programs import into a world-readable folder in /tmp and
run from there; the last test proves it by running this file from a 0700 copy of the
checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "chambers-policy-test"
REPO = Path(__file__).resolve().parents[2]
#: What the programs below import; the staged copy holds these and what they pull in.
IMPORTS = "app.policy, app.policy_sources, app.bundle.state, app.bundle.verify, app.storage_errors"
#: Set in the nested run of the last test, so it does not start itself again.
NESTED = "CHAMBERS_NONROOT_NESTED"

PROGRAM = r"""
import json, os, sys
from pathlib import Path
from app import policy
from app.policy_sources import LinuxPolicyFiles
from app.bundle import state
from app.bundle.verify import BundleError, verify_bundle

etc, var, home = (Path(p) for p in sys.argv[1:4])
policy.EXTRA_MACHINE_SOURCES.append(LinuxPolicyFiles(etc))
state.STATE_DIR = var
out = {}
for action in ("write", "unlink", "fragment"):
    try:
        if action == "write":
            (etc / "policy.json").write_text("{}")
        elif action == "unlink":
            (etc / "policy.json").unlink()
        else:
            (etc / "policy.d" / "99-mine.json").write_text("{}")
        out[action] = "allowed"
    except PermissionError:
        out[action] = "denied"
mine = home / "loose.json"
mine.write_text(json.dumps({"models": {"allow_user_trust": True},
                            "audit": {"allow_file_signing_key": True, "checkpoint_interval": 100000}}))
os.environ["CHAMBERS_POLICY"] = str(mine)
os.environ["CHAMBERS_MODELS_DIR"] = str(home / "models")
os.environ["CHAMBERS_HOME"] = str(home / "data")
out["allow_user_trust"] = policy.policy_value("models", "allow_user_trust", True)
out["allow_file_signing_key"] = policy.allow_file_signing_key()
out["checkpoint_interval"] = policy.audit_checkpoint_interval()
out["models_folder"] = str(policy.models_folder())
try:
    policy.require_user_trust_allowed()
    out["trust"] = "allowed"
except policy.PolicyForbidsError as exc:
    out["trust"] = exc.message
try:
    verify_bundle(Path(sys.argv[4]), persist=True)
    out["import"] = "allowed"
except BundleError as exc:
    out["import"] = exc.message
print(json.dumps(out))
"""


@pytest.fixture
def machine_dirs() -> Iterator[tuple[Path, Path, Path]]:
    """Root-owned (when root) 0755 folders: a fake /etc/chambers, /var/lib/chambers, a bundle."""
    base = Path(tempfile.mkdtemp(prefix="chambers-machine-"))
    base.chmod(0o755)
    etc, var, bundle = base / "etc", base / "var", base / "bundle"
    for folder in (etc / "policy.d", var / "trust", bundle / "metadata", bundle / "targets"):
        folder.mkdir(parents=True)
    machine = {
        "models": {"allow_user_trust": False, "folder": str(base / "models")},
        "audit": {"allow_file_signing_key": False, "checkpoint_interval": 25},
    }
    (etc / "policy.json").write_text(json.dumps(machine))
    for path in (base, *base.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield etc, var, bundle
    shutil.rmtree(base)


def _public_tmp() -> str:
    """A temporary folder others may enter: $TMPDIR when it is one, else /tmp."""
    default = Path(tempfile.gettempdir())
    return str(default) if _world_executable(default) else "/tmp"


def _site_dirs() -> list[Path]:
    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return [Path(d).resolve() for d in dirs if Path(d).is_dir()]


def _third_party_tops() -> set[Path]:
    """Top-level site-packages entries (package folders, single modules) the programs load.

    Found by importing the programs' modules in a child and reading its ``sys.modules``,
    so a new dependency of app.policy or app.bundle is staged without editing a list.
    """
    probe = (
        f"import json, sys; import {IMPORTS}\n"
        "print(json.dumps([getattr(m, '__file__', None) for m in list(sys.modules.values())]))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    tops: set[Path] = set()
    for name in json.loads(listed.stdout.strip().splitlines()[-1]):
        if not name:
            continue
        file = Path(name).resolve()
        for root in _site_dirs():
            if file.is_relative_to(root):
                tops.add(root / file.relative_to(root).parts[0])
    return tops


def _stage() -> Path:
    """A world-readable folder holding ``app`` and its imported third-party packages."""
    base = Path(tempfile.mkdtemp(prefix="chambers-nonroot-", dir=_public_tmp()))
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "app", base / "app", ignore=skip)
    site_copy = base / "site"
    site_copy.mkdir()
    for top in _third_party_tops():
        if top.is_dir():
            shutil.copytree(top, site_copy / top.name, ignore=skip)
        else:
            shutil.copy2(top, site_copy / top.name)
        # auditwheel keeps a package's bundled shared libraries beside it
        for libs in top.parent.glob(f"{top.name.split('.')[0]}*.libs"):
            shutil.copytree(libs, site_copy / libs.name, dirs_exist_ok=True)
    for path in (base, *base.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return base


@pytest.fixture(scope="module")
def staged() -> Iterator[Path]:
    """The programs' code, readable by the unprivileged user whatever the checkout's mode."""
    base = _stage()
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _env(staged: Path, home: Path) -> dict[str, str]:
    pythonpath = os.pathsep.join([str(staged), str(staged / "site")])
    return {"PATH": os.environ["PATH"], "PYTHONPATH": pythonpath, "HOME": str(home)}


def _world_executable(path: Path) -> bool:
    """Whether any user can run ``path`` (it and every folder above it allow others in)."""
    try:
        return bool(path.stat().st_mode & 0o001) and all(
            p.stat().st_mode & 0o001 for p in path.parents
        )
    except OSError:
        return False


def _interpreter() -> str:
    """This Python, or the system's of the same version when ours sits under /root (pyenv).

    Only the interpreter and its standard library are used in place; the packages come
    from the staged copy (see ``staged``).
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.executable).resolve(), Path(f"/usr/bin/python{version}")):
        if _world_executable(candidate):
            return str(candidate)
    pytest.fail(f"No Python {version} that an unprivileged user may run (install python{version}).")


def _as_user(args: list[str], home: Path) -> list[str]:
    if os.geteuid() != 0:
        return args  # already unprivileged
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", USER], check=True)
    return ["runuser", "-u", USER, "--", *args]


def test_unprivileged_user_cannot_loosen_machine_policy(
    machine_dirs: tuple[Path, Path, Path], staged: Path
) -> None:
    etc, var, bundle = machine_dirs
    home = Path(tempfile.mkdtemp(prefix="chambers-user-"))
    try:
        if os.geteuid() == 0:
            _as_user(["true"], home)  # make sure the user exists before chown
            shutil.chown(home, USER)
        args = [_interpreter(), "-c", PROGRAM, str(etc), str(var), str(home), str(bundle)]
        result = subprocess.run(
            _as_user(args, home),
            cwd=staged,
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(staged, home),
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["write"] == out["unlink"] == out["fragment"] == "denied"
    assert out["allow_user_trust"] is False and out["allow_file_signing_key"] is False
    assert out["checkpoint_interval"] == 25
    assert out["models_folder"] == str(etc.parent / "models")
    assert "models.allow_user_trust" in out["trust"] and str(etc / "policy.json") in out["trust"]
    assert f"{var / 'trust'} is not writable" in out["import"]


UNREADABLE = r"""
import json, sys
from app.storage_errors import classify
out = {}
for path in sys.argv[1:]:
    try:
        open(path, "rb").close()
        out[path] = "read"
    except OSError as exc:
        error = classify(exc, exc.filename)
        out[path] = [type(error).__name__, error.message, error.hint] if error else repr(exc)
print(json.dumps(out))
"""


def test_a_file_the_user_may_not_read_is_reported_as_unreadable_not_read_only(
    machine_dirs: tuple[Path, Path, Path], staged: Path
) -> None:
    """A model copied out of someone's private folder keeps mode 0600: the error must say
    the file is not readable and how to fix that, not blame a read-only disk."""
    _, _, bundle = machine_dirs
    private, public = bundle / "targets" / "model.gguf", bundle / "targets" / "catalog.json"
    private.write_bytes(b"GGUF")
    public.write_text("{}")
    private.chmod(0o600 if os.geteuid() == 0 else 0o000)
    public.chmod(0o644)
    home = Path(tempfile.mkdtemp(prefix="chambers-user-"))
    try:
        args = [_interpreter(), "-c", UNREADABLE, str(private), str(public)]
        result = subprocess.run(
            _as_user(args, home), cwd=staged, capture_output=True, text=True, timeout=120,
            env=_env(staged, home),
        )  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    kind, message, hint = out[str(private)]
    assert kind == "UnreadableError"
    assert str(private) in message and "read" in message
    assert "chmod a+r" in hint
    assert out[str(public)] == "read"


@pytest.mark.skipif(
    os.environ.get(NESTED) == "1" or not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="the nested run itself; or not root, so a 0700 checkout is still readable to us",
)
def test_the_non_root_tests_pass_from_a_private_checkout() -> None:
    """Run this file from a copy of the checkout inside a 0700 folder, as a fresh clone
    made with ``mktemp -d`` (or into a Debian home folder) would be."""
    private = Path(tempfile.mkdtemp(prefix="chambers-private-checkout-"))
    try:
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        checkout = private / "chambers"
        skip = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*_cache", "dist", "build")
        shutil.copytree(REPO, checkout, ignore=skip)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/unit/test_policy_nonroot.py"],
            cwd=checkout, capture_output=True, text=True, timeout=600,
            env={**os.environ, NESTED: "1", "PYTHONPATH": str(checkout)},
        )  # fmt: skip
    finally:
        shutil.rmtree(private, ignore_errors=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed, 1 skipped" in result.stdout, result.stdout[-3000:]
