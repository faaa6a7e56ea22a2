"""Low-level file handling for the log: durable appends, the torn tail, atomic JSON files.

A crash can leave half a line (or, on some filesystems, a run of NUL bytes) at the end of
the log. That is damage to unsealed data, not tampering, and must be told apart from
tampering by writer and verifier alike, so both use ``split_torn``.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

LOG_FILE = "audit.jsonl"
LOCK_FILE = "audit.lock"
HEAD_FILE = "head.json"
TORN_FILE = "audit.jsonl.torn"
HEAD_FORMAT = "chambers-audit-head/1"


def split_torn(data: bytes) -> tuple[bytes, bytes]:
    """(complete lines, torn tail): bytes after the last newline, plus trailing NUL lines."""
    cut = data.rfind(b"\n") + 1
    body, torn = data[:cut], data[cut:]
    while body:
        start = body.rfind(b"\n", 0, len(body) - 1) + 1
        if body[start:-1].strip(b"\x00") != b"":
            break
        torn = body[start:] + torn
        body = body[:start]
    return body, torn


def torn_holds_records(torn: bytes) -> bool:
    """Whether a "torn tail" holds more than the start of one record.

    A crash leaves at most one unfinished line. Several records run together (line breaks
    squeezed out of sealed records) would otherwise pass as harmless crash damage.
    Canonical records begin with ``{"action":`` (sorted keys).
    """
    return torn.replace(b"\x00", b"").count(b'{"action":') > 1


def read_tail_window(handle: BinaryIO, size: int, window: int = 64 * 1024) -> tuple[int, bytes]:
    """(offset, bytes) from a line boundary near the end that holds the last complete line.

    Reading only the end keeps appends O(1) in the log's length.
    """
    while True:
        start = max(0, size - window)
        handle.seek(start)
        data = handle.read(size - start)
        if start > 0:
            first_nl = data.find(b"\n")
            if first_nl < 0:
                window *= 4
                continue
            start, data = start + first_nl + 1, data[first_nl + 1 :]
        body, _ = split_torn(data)
        if body or start == 0:
            return start, data
        window *= 4


def read_first_line(path: Path, limit: int = 1024 * 1024) -> bytes:
    """The log's first complete line without its newline (b"" if none within ``limit``).

    Record 1 carries the log's identity (``log_id``); reading only the start keeps the
    anchor lookup cheap however long the log is.
    """
    data = b""
    try:
        with open(path, "rb") as handle:
            while len(data) < limit and b"\n" not in data:
                chunk = handle.read(min(8192, limit - len(data)))
                if not chunk:
                    break
                data += chunk
    except FileNotFoundError:
        return b""
    end = data.find(b"\n")
    return data[:end] if end > 0 else b""


def append_line(path: Path, line: bytes) -> None:
    """Append one line and fsync it; fsync the folder too when the file is new."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        payload = line + b"\n"
        written = 0
        while written < len(payload):
            written += os.write(fd, payload[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        fsync_dir(path.parent)


def quarantine_torn(path: Path, keep: int, torn: bytes) -> None:
    """Move a torn tail into ``audit.jsonl.torn`` (for inspection) and cut it from the log."""
    append_line(path.parent / TORN_FILE, torn.replace(b"\n", b"\\n"))
    with open(path, "r+b") as handle:
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, doc: dict[str, Any], durable: bool = True) -> None:
    """Replace ``path`` with ``doc`` so readers see the old or the new file, never half."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk must not leave an empty temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None if missing or unreadable."""
    try:
        doc = json.loads(path.read_text("ascii"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
