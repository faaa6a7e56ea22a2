"""An exclusive inter-process lock on a file, so several Chambers processes can append.

The GUI, a CLI verb run by IT and a background import may all append at once; without a
lock two writers could read the same tail and both write sequence number N+1, which a
verifier would rightly call tampering. POSIX uses ``fcntl.flock``; Windows uses
``msvcrt.locking``; anything else falls back to an ``O_EXCL`` marker file with a timeout.
A ``threading.Lock`` is held too, since a process's threads share one lock owner on some
platforms.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import ChambersError

_thread_locks: dict[str, threading.Lock] = {}
_registry_guard = threading.Lock()


class AuditLockError(ChambersError):
    default_hint = "Another Chambers process holds the audit log; try again in a moment."


def _thread_lock(path: Path) -> threading.Lock:
    with _registry_guard:
        return _thread_locks.setdefault(str(path), threading.Lock())


@contextmanager
def locked(path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` body."""
    with _thread_lock(path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _acquire(fd, path, timeout)
            try:
                yield
            finally:
                _release(fd, path)
        finally:
            os.close(fd)


def _acquire(fd: int, path: Path, timeout: float) -> None:
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    try:
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise AuditLockError(f"Timed out waiting for {path}.") from None
                time.sleep(0.01)
    except ImportError:
        pass
    marker = path.with_suffix(".held")
    while True:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return
        except FileExistsError:
            if time.monotonic() > deadline:
                raise AuditLockError(f"Timed out waiting for {marker}.") from None
            time.sleep(0.01)


def _release(fd: int, path: Path) -> None:
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return
    try:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        path.with_suffix(".held").unlink(missing_ok=True)
