"""Process hardening shared by the app and its parsing worker: no core dumps, no new privileges.

A core dump of the app holds whatever was in memory: the passphrase being typed, the
vault's database key, decrypted pages. ``disable_core_dumps`` sets ``RLIMIT_CORE`` to 0
and marks the process not dumpable (which also keeps other processes of the same user
from attaching a debugger or reading its memory through /proc). ``cli.main`` calls it
first thing. Everything here is best effort on platforms without the facility and
says what it could not do instead of failing: hardening must never stop the app.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import sys

log = logging.getLogger(__name__)

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39


@functools.cache
def libc() -> ctypes.CDLL | None:
    """The C library (already linked into Python) with errno captured; None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def prctl(option: int, arg: int = 0) -> int:
    """``prctl(option, arg, 0, 0, 0)``; -1 where prctl does not exist or fails."""
    lib = libc()
    if lib is None:
        return -1
    zero = ctypes.c_ulong(0)
    return int(lib.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), zero, zero, zero))


def disable_core_dumps() -> list[str]:
    """RLIMIT_CORE 0 and not dumpable; returns what could not be done (empty: all done)."""
    problems: list[str] = []
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError) as exc:
        problems.append(f"core size limit not set ({type(exc).__name__})")
    if sys.platform.startswith("linux"):
        if prctl(PR_SET_DUMPABLE, 0) != 0:
            problems.append(f"not-dumpable flag not set (errno {ctypes.get_errno()})")
    for problem in problems:
        log.warning("Core dumps may hold secrets: %s", problem)
    return problems


def is_dumpable() -> bool | None:
    """Whether this process may dump core / be attached to; None if unknown."""
    if not sys.platform.startswith("linux"):
        return None
    value = prctl(PR_GET_DUMPABLE)
    return None if value < 0 else value != 0


def set_no_new_privs() -> bool:
    """Forbid gaining privileges through exec (setuid binaries, file capabilities)."""
    return sys.platform.startswith("linux") and prctl(PR_SET_NO_NEW_PRIVS, 1) == 0


def core_limit() -> int | None:
    """The soft RLIMIT_CORE (None where rlimits do not exist)."""
    with contextlib.suppress(ImportError):
        import resource

        return resource.getrlimit(resource.RLIMIT_CORE)[0]
    return None
