"""A read-only vault folder and a full disk are said as what they are (issue 14).

Not "damaged or altered, restore from backup", not a traceback, and no zero-byte
temporary file left behind. Both run the real CLI in a separate process inside a private
mount namespace (``unshare --map-root-user --mount``): a real read-only bind mount over
the vault folder (root ignores file modes, so chmod would prove nothing when tests run
as root) and a real, small tmpfs that fills up. Nothing is mounted outside that
namespace, and it disappears with the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import paths
from tests.fixtures.vault import PASSPHRASE, Ready

REPO = Path(__file__).resolve().parents[2]

_RUN = """
set -u
{setup}
cd "$REPO"
"$PY" -m app.cli import "$VAULT" "$DOC" --no-keyring > "$OUT/import.out" 2> "$OUT/import.err"
echo $? > "$OUT/import.rc"
{fill}
"$PY" -m app.cli docs "$VAULT" --no-keyring > "$OUT/docs.out" 2> "$OUT/docs.err"
echo $? > "$OUT/docs.rc"
find "$HOME_DIR" -type f \\( -size 0 -o -name '*.tmp' \\) ! -name '*.lock' ! -name '*-wal' ! -name '*-shm' | sort > "$OUT/after.list"
"""


def _namespace_available() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run(
        [unshare, "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs none /mnt"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def namespaces() -> None:
    # Linux with user namespaces (this machine, and the CI image). Where a kernel forbids
    # them the test fails with the reason rather than passing without having run.
    assert _namespace_available(), (
        "these tests need `unshare --map-root-user --mount` (user + mount namespaces) "
        "to make a real read-only mount and a real full disk"
    )


def _run(setup: str, env: dict[str, str], out: Path, fill: str = "") -> dict[str, str]:
    out.mkdir()
    full_env = {
        **os.environ,
        **env,
        "CHAMBERS_PASSPHRASE": PASSPHRASE,
        "REPO": str(REPO),
        "PY": sys.executable,
        "OUT": str(out),
    }
    subprocess.run(
        [
            "unshare",
            "--map-root-user",
            "--mount",
            "bash",
            "-c",
            _RUN.format(setup=setup, fill=fill),
        ],
        env=full_env,
        timeout=300,
        check=True,
    )
    return {p.name: p.read_text() for p in out.iterdir()}


def _zero_or_tmp(folder: Path) -> list[str]:
    """Empty or temporary files of ours (lock files are empty by design, and SQLite's own
    -wal / -shm files are SQLite's to recover on the next open)."""
    found = [
        str(p)
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix != ".lock"
        and not p.name.endswith(("-wal", "-shm"))
        and (p.stat().st_size == 0 or p.suffix == ".tmp")
    ]
    return sorted(found)


def test_read_only_vault_folder_is_reported_as_read_only(
    namespaces: None, ready_vault: Ready, tmp_path: Path
) -> None:
    home = paths.data_dir()
    folder = ready_vault.info.path
    doc = tmp_path / "note.txt"
    doc.write_text("An attendance note to import into a read-only vault.\n")
    before = _zero_or_tmp(home)
    setup = 'mount --bind "$VFOLDER" "$VFOLDER" && mount -o remount,bind,ro "$VFOLDER"'
    result = _run(
        setup,
        {
            "VFOLDER": str(folder),
            "VAULT": ready_vault.info.name,
            "DOC": str(doc),
            "HOME_DIR": str(home),
        },
        tmp_path / "out",
    )
    said = result["import.out"] + result["import.err"]
    assert result["import.rc"].strip() != "0"
    assert "read-only" in said, said
    assert "damaged" not in said and "restore" not in said.lower() and "Traceback" not in said
    assert result["after.list"].split() == before
    assert "Traceback" not in result["docs.err"]


def test_full_disk_is_reported_as_full_and_leaves_nothing_behind(
    namespaces: None, ready_vault: Ready, tmp_path: Path
) -> None:
    home = paths.data_dir()
    used = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
    size_kb = used // 1024 + 512  # room for the audit records, not for the document
    doc = tmp_path / "long.txt"
    words = " ".join(f"term{n * 7919 % 100003}" for n in range(400_000))  # ~4 MB, little repeats
    doc.write_text(words)
    mount = tmp_path / "small-disk"
    mount.mkdir()
    setup = (
        f'mount -t tmpfs -o size={size_kb}k tmpfs "$MNT" && cp -a "$SRC/." "$MNT/" && '
        'export CHAMBERS_HOME="$MNT" && '
        'find "$MNT" -type f \\( -size 0 -o -name \'*.tmp\' \\) | sort > "$OUT/before.list"'
    )
    result = _run(
        setup,
        {
            "MNT": str(mount),
            "SRC": str(home),
            "VAULT": ready_vault.info.name,
            "DOC": str(doc),
            "HOME_DIR": str(mount),
        },
        tmp_path / "out",
        # then fill the disk to the last block: the next command must still speak plainly
        fill='dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null; true',
    )
    said = result["import.out"] + result["import.err"]
    assert result["import.rc"].strip() != "0", said
    assert "disk is full" in said or "No space left" in said, said
    assert "damaged" not in said and "Traceback" not in said
    assert result["after.list"] == result["before.list"], (
        result["before.list"],
        result["after.list"],
    )
    assert "long.txt" in said  # the file is accounted for in the summary
    # the next command, on a disk now full to the last block: words, never a traceback
    said = result["docs.out"] + result["docs.err"]
    assert "Traceback" not in said and "damaged" not in said, said
    assert "disk is full" in said, said
