"""Reading the small files a firm edits by hand: playbooks, field sets, draft templates.

Such a file is named by the user or found in ``<data dir>/<kind>/``, so it can be
anything with a ``.json`` name: a FIFO (reading it blocks the task forever), a device,
or hundreds of megabytes (a 400 MB playbook took the app to 7.2 GB while being
parsed). ``read_small_text`` refuses each before reading: only regular files, looked at
before opening and again on the open descriptor, opened without blocking, and at most
``MAX_TEXT_FILE_BYTES``. The loaders turn the refusal into their own error naming the
file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: A hand-written playbook, field set or template is a few kilobytes; the largest
#: built-in is under 20 KB.
MAX_TEXT_FILE_BYTES = 2 * 2**20

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class FileRefusedError(Exception):
    """The file is not one to read: says why, without the path (the caller names it)."""


def _check(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise FileRefusedError(f"it is {kind}, not a regular file")
    if info.st_size > limit:
        raise FileRefusedError(
            f"it is {info.st_size / 2**20:.1f} MiB, over the limit of {limit / 2**20:g} MiB"
        )


def read_small_text(path: Path, limit: int = MAX_TEXT_FILE_BYTES) -> str:
    """The UTF-8 text of a small regular file; FileRefusedError if it is not one.

    OSError (missing, unreadable) and UnicodeDecodeError pass through unchanged.
    """
    _check(os.stat(path), limit)  # a device or FIFO is refused before it is opened
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(path, flags | getattr(os, "O_BINARY", 0)), "rb") as handle:
        _check(os.fstat(handle.fileno()), limit)  # swapped in since the first look
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefusedError(f"it is larger than the limit of {limit / 2**20:g} MiB")
    return data.decode("utf-8")
