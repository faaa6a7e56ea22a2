"""``last_vault_generation``: the highest vault generation the log has recorded, fast.

A vault restored from an old copy has a lower generation than the log last saw, which is
how a rollback is noticed. Scanning the whole log on every unlock would grow with the
log, so ``generations.json`` caches the answer together with the byte offset it covers
and the hash of the line that ends there. A query scans only lines appended since; if
the log was cut or replaced below the offset, the anchor no longer matches and the
cache is rebuilt from the start. The cache is a speed-up, not a source of truth: the
log is, and ``chambers audit verify`` checks the log.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.audit import storage
from app.audit.anchor import RESTORE_ACCEPT_ACTION
from app.audit.filelock import locked
from app.audit.records import line_hash

INDEX_FILE = "generations.json"
INDEX_FORMAT = "chambers-audit-generations/1"
_MARKER = b'"generation":'


def _anchor_ok(log_path: Path, offset: int, anchor: str) -> bool:
    if offset == 0:
        return True
    with open(log_path, "rb") as handle:
        _, window = storage.read_tail_window(handle, offset)
    if not window.endswith(b"\n"):
        return False
    last = window[window.rfind(b"\n", 0, len(window) - 1) + 1 : -1]
    return line_hash(last) == anchor


def _scan(data: bytes, generations: dict[str, int]) -> str | None:
    """Fold the records in ``data`` (complete lines) into ``generations``; last line's hash."""
    last: bytes | None = None
    for line in data.splitlines():
        if not line.strip(b"\x00"):
            continue
        last = line
        if _MARKER not in line:
            continue
        try:
            record = json.loads(line)
            vault, value = record.get("vault_id"), record.get("details", {}).get("generation")
        except (ValueError, AttributeError):
            continue
        if isinstance(vault, str) and isinstance(value, int) and not isinstance(value, bool):
            if record.get("action") == RESTORE_ACCEPT_ACTION:  # a restored copy, accepted
                generations[vault] = value
            else:
                generations[vault] = max(value, generations.get(vault, value))
    return None if last is None else line_hash(last)


def refresh(directory: Path) -> dict[str, int]:
    """All vault generations, updating the cache for lines appended since it was written."""
    log_path = directory / storage.LOG_FILE
    index_path = directory / INDEX_FILE
    if not log_path.exists():
        return {}
    with locked(directory / storage.LOCK_FILE):
        doc = storage.read_json(index_path) or {}
        offset, anchor = doc.get("offset", 0), doc.get("anchor", "")
        generations = doc.get("generations", {})
        size = log_path.stat().st_size
        valid = (
            doc.get("format") == INDEX_FORMAT
            and isinstance(offset, int)
            and isinstance(generations, dict)
            and 0 <= offset <= size
            and isinstance(anchor, str)
            and _anchor_ok(log_path, offset, anchor)
        )
        if not valid:
            offset, anchor, generations = 0, "", {}
        with open(log_path, "rb") as handle:
            handle.seek(offset)
            body, _ = storage.split_torn(handle.read(size - offset))
        if body:
            anchor = _scan(body, generations) or anchor
            offset += len(body)
            new = {
                "format": INDEX_FORMAT,
                "offset": offset,
                "anchor": anchor,
                "generations": generations,
            }
            storage.write_json_atomic(index_path, new, durable=False)
        elif not valid and os.path.exists(index_path):
            os.unlink(index_path)
    return {str(k): int(v) for k, v in generations.items()}


def last_vault_generation(directory: Path, vault_id: str) -> int | None:
    return refresh(directory).get(vault_id)
