"""Say "read-only", "disk full" and "not readable" as what they are.

A full disk or a folder that cannot be written is not damage: telling a lawyer their
vault is "damaged or altered, restore from backup" when the USB stick is write-protected
sends them to restore a good vault, and a traceback tells them nothing. SQLite reports
these conditions in words ("attempt to write a readonly database", "database or disk is
full"), the OS by errno; ``classify`` recognises both and returns a ``StorageError``
naming the place and the fix, or None for anything else (which keeps its own handling).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.errors import ChambersError

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL_WORDS = ("database or disk is full", "no space left", "disk quota exceeded")
_READ_ONLY_WORDS = ("readonly database", "read-only file system", "readonly directory")


class StorageError(ChambersError):
    """A write the disk refused: full, or read-only / not permitted."""


class DiskFullError(StorageError):
    default_hint = (
        "Free some space on that disk (or move the Chambers data folder to one with room), "
        "then run the command again; nothing was half-written."
    )


class UnreadableError(StorageError):
    """A file or folder this account may not read: a permission, not damage and not a
    read-only disk (a bundle or model copied from someone's private folder keeps 0600)."""

    default_hint = (
        "Ask whoever owns it (or IT) to make it readable for your account, for example "
        "`chmod a+r` on the file (and `a+rx` on its folders), or copy it to a folder you "
        "can read; then run the command again."
    )


class ReadOnlyStorageError(StorageError):
    default_hint = (
        "Make the folder writable (a write-protected drive, a read-only mount or missing "
        "permission), or copy the vault to a writable place; the vault itself is intact."
    )


def classify(exc: BaseException, where: Path | str | None = None) -> StorageError | None:
    """The ``StorageError`` that ``exc`` really is, or None if it is something else."""
    place = f" ({where})" if where else ""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    # SQLite cannot grow the WAL index on a full disk: a bare "disk I/O error".
    no_room = where is not None and "disk i/o error" in text and _full(Path(where))
    if no_room or code in _FULL_ERRNOS or any(words in text for words in _FULL_WORDS):
        return DiskFullError(f"The disk is full: Chambers could not write{place}.")
    if code in (errno.EACCES, errno.EPERM) and where is not None and _unreadable(Path(where)):
        return UnreadableError(f"Permission denied: Chambers may not read {where}.")
    # SQLite cannot create a WAL index (-shm) in a read-only folder: "unable to open".
    unwritable = where is not None and "unable to open" in text and _unwritable(Path(where))
    if unwritable or code in _READ_ONLY_ERRNOS or any(w in text for w in _READ_ONLY_WORDS):
        return ReadOnlyStorageError(
            f"The folder is read-only or not writable: Chambers could not write{place}."
        )
    return None


def _unreadable(path: Path) -> bool:
    """``path`` exists and this account may not read it (or list it, for a folder)."""
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError:  # a folder above it may not be entered
        return True
    mode = os.R_OK | os.X_OK if is_dir else os.R_OK
    return exists and not os.access(path, mode)


def _unwritable(folder: Path) -> bool:
    folder = folder if folder.is_dir() else folder.parent
    return folder.exists() and not os.access(folder, os.W_OK)


def _full(folder: Path) -> bool:
    """Less than 1 MiB left for unprivileged writers on ``folder``'s filesystem."""
    folder = folder if folder.is_dir() else folder.parent
    try:
        stats = os.statvfs(folder)
    except (AttributeError, OSError):  # no statvfs (Windows) or no such folder
        return False
    return stats.f_bavail * stats.f_frsize < 2**20
