"""Audit record format: fields, validation, canonical bytes, hashes, checkpoint statement.

The log must never hold client content, so everything that reaches a record is checked
here, at the one place every writer passes through: identifiers must look like
identifiers (no spaces, so a title cannot pass as an id), ``details`` values must be short
scalars, and detail names that suggest content (title, prompt, text, passphrase...) are
refused outright. docs/audit-format.md is the normative description of these bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from app.errors import ChambersError

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
CHECKPOINT_ACTION = "audit.checkpoint"
STATEMENT_PREFIX = "chambers-audit-checkpoint/1"

MAX_DETAIL_STRING = 128
MAX_DETAILS = 16
MAX_OBJECT_IDS = 1000

DetailValue = str | int | float | bool | None

_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$")
_OUTCOME_RE = re.compile(r"^[a-z][a-z_]{0,31}$")
_DETAIL_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
#: A log's identity: 32 lower-case hex, written only in record 1 (``log_id``).
LOG_ID_RE = re.compile(r"^[0-9a-f]{32}$")

#: Detail-name parts (split on "_") that suggest content or secrets; any match is refused.
FORBIDDEN_DETAIL_PARTS = frozenset(
    {
        "title",
        "name",
        "prompt",
        "text",
        "content",
        "body",
        "query",
        "question",
        "answer",
        "response",
        "message",
        "quote",
        "snippet",
        "excerpt",
        "summary",
        "note",
        "comment",
        "subject",
        "filename",
        "path",
        "passphrase",
        "password",
        "secret",
        "key",
        "token",
        "recovery",
        "pin",
    }
)


class AuditRecordError(ChambersError):
    """A caller tried to log something the audit format does not allow (a programming bug)."""

    default_hint = "Log identifiers and short facts only; content never goes in the audit log."


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """UTC, microseconds, ``Z`` suffix: fixed width, so times sort as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(obj: Mapping[str, Any]) -> bytes:
    """The one serialisation writers use: sorted keys, no spaces, ASCII only, no NaN."""
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def line_hash(line: bytes) -> str:
    """A record's hash: SHA-256 of its line exactly as stored, without the newline."""
    return hashlib.sha256(line).hexdigest()


def check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise AuditRecordError(f"{what} {value!r} is not an identifier (letters, digits, ._:@+=-).")
    return value


def check_details(details: Mapping[str, DetailValue] | None) -> dict[str, DetailValue]:
    """Short scalars under harmless names only; anything content-like is refused."""
    if not details:
        return {}
    if len(details) > MAX_DETAILS:
        raise AuditRecordError(f"At most {MAX_DETAILS} details per record.")
    clean: dict[str, DetailValue] = {}
    for key, value in details.items():
        if not isinstance(key, str) or not _DETAIL_KEY_RE.match(key):
            raise AuditRecordError(f"Detail name {key!r} must be lower_snake_case, <= 32 chars.")
        bad = FORBIDDEN_DETAIL_PARTS.intersection(key.split("_"))
        if bad:
            raise AuditRecordError(
                f"Detail {key!r} looks like content or a secret ({', '.join(sorted(bad))}); "
                "the audit log records identifiers only."
            )
        if isinstance(value, str):
            if len(value) > MAX_DETAIL_STRING or _CONTROL_RE.search(value):
                raise AuditRecordError(
                    f"Detail {key!r} must be a single line of at most {MAX_DETAIL_STRING} chars."
                )
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise AuditRecordError(f"Detail {key!r} must be a finite number.")
        elif value is not None and not isinstance(value, int):  # bool is an int
            raise AuditRecordError(f"Detail {key!r} must be a string, number, boolean or null.")
        clean[key] = value
    return clean


def build_record(
    *,
    seq: int,
    time: str,
    user: str,
    action: str,
    vault_id: str | None,
    object_ids: Sequence[str],
    outcome: str,
    app_version: str,
    model_sha256: str | None,
    policy_hash: str,
    details: Mapping[str, DetailValue] | None,
    prev_hash: str,
    checkpoint: Mapping[str, Any] | None = None,
    log_id: str | None = None,
) -> dict[str, Any]:
    """A validated record dict; raises AuditRecordError for anything not allowed."""
    if not _ACTION_RE.match(action):
        raise AuditRecordError(f"Action {action!r} must look like 'noun.verb'.")
    if not _OUTCOME_RE.match(outcome):
        raise AuditRecordError(f"Outcome {outcome!r} must be a short lower-case word.")
    if isinstance(object_ids, str):
        raise AuditRecordError("object_ids must be a sequence of ids, not one string.")
    if len(object_ids) > MAX_OBJECT_IDS:
        raise AuditRecordError(f"At most {MAX_OBJECT_IDS} object ids per record.")
    if model_sha256 is not None and not _SHA256_RE.match(model_sha256):
        raise AuditRecordError("model_sha256 must be 64 lower-case hex digits.")
    record: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "seq": seq,
        "time": time,
        "user": user,
        "action": action,
        "vault_id": None if vault_id is None else check_id(vault_id, "Vault id"),
        "object_ids": [check_id(item, "Object id") for item in object_ids],
        "outcome": outcome,
        "app_version": app_version,
        "model_sha256": model_sha256,
        "policy_hash": policy_hash,
        "details": check_details(details),
        "prev_hash": prev_hash,
    }
    if checkpoint is not None:
        record["checkpoint"] = dict(checkpoint)
    if log_id is not None:
        if seq != 1 or not LOG_ID_RE.match(log_id):
            raise AuditRecordError("Only record 1 carries a log id (32 lower-case hex).")
        record["log_id"] = log_id
    return record


def new_log_id() -> str:
    """A random identity for a new log; it moves with the log wherever it is copied."""
    return secrets.token_hex(16)


def line_log_id(line: bytes) -> str | None:
    """The ``log_id`` on a record's line (record 1), or None: a log from before log ids."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    value = record.get("log_id") if isinstance(record, dict) else None
    return value if isinstance(value, str) and LOG_ID_RE.match(value) else None


def checkpoint_statement(seq: int, record_hash: str, time: str, key_id: str) -> bytes:
    """The exact bytes an Ed25519 checkpoint signature covers."""
    return f"{STATEMENT_PREFIX}\n{seq}\n{record_hash}\n{time}\n{key_id}\n".encode("ascii")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
