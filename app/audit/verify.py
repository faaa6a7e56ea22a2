"""The verifier: walks the chain, checks signatures, and names the first bad record.

It needs no secret: only the log, ``signing-keys.json`` (public keys) and ``head.json``
(a copy of the latest checkpoint, which is what reveals a log cut short). Damage after
the last valid checkpoint that a crash can cause (a torn last line) is reported as an
unsealed tail, not as tampering. The rules for which sequence number is "first bad" are
spelled out in docs/audit-format.md so that a second verifier agrees with this one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.audit import storage
from app.audit.anchor import Anchor, AnchorError, AnchorStore
from app.audit.keys import KEYS_FILE, load_public_keys, verify_signature
from app.audit.records import (
    CHECKPOINT_ACTION,
    GENESIS_HASH,
    LOG_ID_RE,
    checkpoint_statement,
    line_hash,
    unb64,
)

_FIELDS: dict[str, type | tuple[type, ...]] = {
    "v": int,
    "seq": int,
    "time": str,
    "user": str,
    "action": str,
    "vault_id": (str, type(None)),
    "object_ids": list,
    "outcome": str,
    "app_version": str,
    "model_sha256": (str, type(None)),
    "policy_hash": str,
    "details": dict,
    "prev_hash": str,
}


@dataclass
class VerifyReport:
    """What ``verify`` found; ``ok`` is False exactly when tampering was detected."""

    ok: bool
    status: str  # "ok", "empty" or "tampered"
    records: int  # complete records in the log
    first_bad_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0
    sealed_through: int = 0  # sequence number of the last valid checkpoint record
    unsealed: int = 0  # complete records after it
    torn_tail_bytes: int = 0
    key_ids: list[str] = field(default_factory=list)
    #: "keyring" / "none" (an anchor without a keyring key) / "missing" (no anchor yet).
    anchor: str = "missing"
    anchor_seq: int | None = None
    #: The log's identity from record 1 (None: a log from before log ids, or empty).
    log_id: str | None = None
    #: Plain-language limits of what this check could prove (e.g. no keyring here).
    notes: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """The report in plain language, one finding per line (CLI and demo print these)."""
        if not self.ok:
            where = f" at record {self.first_bad_seq}" if self.first_bad_seq else ""
            lines = [f"TAMPERED{where}: {self.problem}"]
        elif self.status == "empty":
            lines = ["The audit log is empty."]
        else:
            lines = [
                f"OK: {self.records} records, {self.checkpoints} checkpoints, "
                f"sealed through record {self.sealed_through}."
            ]
        if self.unsealed and self.ok:  # after tampering, nothing past it can be counted as sealed
            lines.append(
                f"Unsealed tail: {self.unsealed} records after the last checkpoint "
                "(not covered by a signature yet)."
            )
        if self.torn_tail_bytes and self.ok:
            lines.append(
                f"Torn tail: {self.torn_tail_bytes} bytes of an unfinished write at the end "
                "(left by a crash; not tampering with sealed records)."
            )
        return lines + [f"Note: {note}" for note in self.notes]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_line(line: bytes) -> dict[str, Any] | None:
    """The record on ``line`` if it is a JSON object with every field typed right."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    for name, kind in _FIELDS.items():
        value = record.get(name, ...)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return None
    if "log_id" in record:  # only record 1, and only a well-formed id
        log_id = record["log_id"]
        if record["seq"] != 1 or not isinstance(log_id, str) or not LOG_ID_RE.match(log_id):
            return None
    return record


def read_lines(directory: Path) -> tuple[list[bytes], bytes]:
    """(complete lines without newlines, torn tail bytes)."""
    try:
        data = (directory / storage.LOG_FILE).read_bytes()
    except FileNotFoundError:
        data = b""
    body, torn = storage.split_torn(data)
    return (body[:-1].split(b"\n") if body else []), torn


def _checkpoint_problem(
    record: dict[str, Any], seq: int, keys: dict[str, Ed25519PublicKey]
) -> str | None:
    cp = record.get("checkpoint")
    if not isinstance(cp, dict):
        return f"checkpoint {seq} has no signed statement"
    try:
        statement = checkpoint_statement(cp["seq"], cp["hash"], cp["time"], cp["key_id"])
        signature = unb64(cp["signature"])
    except (KeyError, TypeError, ValueError, UnicodeEncodeError):
        return f"checkpoint {seq} is malformed"
    if cp["seq"] != seq - 1 or cp["hash"] != record["prev_hash"]:
        return f"checkpoint {seq} does not seal the record before it"
    public = keys.get(cp["key_id"])
    if public is None:
        return f"checkpoint {seq} is signed by unknown key {cp['key_id']}"
    if not verify_signature(public, signature, statement):
        return f"checkpoint {seq} has a bad signature"
    return None


def _chain_break(lines: list[bytes], index: int, expected_prev: str) -> tuple[int, str]:
    """Blame for a broken link into record ``index + 1``.

    Usually the predecessor was edited (its hash changed under its successor's link). If
    the *next* line links to the predecessor instead, this line is foreign (inserted).
    """
    seq = index + 1
    following = parse_line(lines[index + 1]) if index + 1 < len(lines) else None
    if seq == 1 or (following is not None and following["prev_hash"] == expected_prev):
        return seq, f"record {seq} does not link to the record before it (inserted or altered)"
    return seq - 1, f"record {seq - 1} was altered (record {seq} no longer links to it)"


def _seq_problem(expected: int, found: int) -> tuple[int, str]:
    if found > expected:
        return expected, f"record {expected} is missing (found {found} in its place)"
    if found == expected - 1:
        return found, f"record {found} appears twice (a record was inserted)"
    return expected, f"record {expected} is out of place (found {found} in its place)"


def verify(directory: Path, anchor: AnchorStore | None = None) -> VerifyReport:
    """Check the whole log in ``directory`` (and against its anchor, when given one)."""
    lines, torn = read_lines(directory)
    keys = load_public_keys(directory)
    report = VerifyReport(ok=True, status="ok", records=len(lines), torn_tail_bytes=len(torn))
    report.key_ids = sorted(keys)
    _note_file_keys(directory, report)
    if storage.torn_holds_records(torn):
        report.first_bad_seq = len(lines) + 1
        report.problem = (
            f"records after {len(lines)} were run together into an unterminated tail "
            "(a crash leaves at most one unfinished line)"
        )
    first = parse_line(lines[0]) if lines else None
    report.log_id = first.get("log_id") if first else None
    prev = GENESIS_HASH
    for index, line in enumerate(lines):
        seq = index + 1
        record = parse_line(line)
        problem: tuple[int, str] | None = None
        if record is None:
            problem = seq, f"record {seq} is unreadable or malformed"
        elif record["seq"] != seq:
            problem = _seq_problem(seq, record["seq"])
        elif record["prev_hash"] != prev:
            problem = _chain_break(lines, index, prev)
        elif record["action"] == CHECKPOINT_ACTION:
            message = _checkpoint_problem(record, seq, keys)
            if message:
                problem = seq, message
            else:
                report.checkpoints += 1
                report.sealed_through = seq
        if problem:
            report.first_bad_seq, report.problem = problem
            break
        prev = line_hash(line)
    if report.problem is None:
        _check_head(directory, lines, report)
    if anchor is not None and report.problem is None:
        _check_anchor(anchor, lines, report)
    report.unsealed = max(0, len(lines) - report.sealed_through)
    if report.problem:
        report.ok, report.status = False, "tampered"
    elif not lines:
        report.status = "empty"
    return report


def _check_head(directory: Path, lines: list[bytes], report: VerifyReport) -> None:
    """Truncation: the log must still hold the latest checkpoint copied to head.json."""
    head = storage.read_json(directory / storage.HEAD_FILE)
    if head is None:
        if report.checkpoints or report.key_ids:  # a key exists only once a checkpoint did
            report.problem = "head.json (the copy of the latest checkpoint) is missing"
        return
    target = head.get("record_seq")
    if not isinstance(target, int) or target < 1:
        report.problem = "head.json is malformed"
        return
    if target > len(lines):
        report.first_bad_seq = len(lines) + 1
        report.problem = (
            f"the log was cut short: checkpoint {target} is recorded in head.json but the log "
            f"ends at record {len(lines)}"
        )
        return
    record = parse_line(lines[target - 1])
    if record is None or record.get("checkpoint") != head.get("checkpoint"):
        report.first_bad_seq = target
        report.problem = f"checkpoint {target} differs from the copy in head.json"


def _note_file_keys(directory: Path, report: VerifyReport) -> None:
    try:
        entries = json.loads((directory / KEYS_FILE).read_text("ascii"))["keys"]
        stored = {entry.get("storage") for entry in entries if isinstance(entry, dict)}
    except (OSError, ValueError, KeyError, TypeError):
        return
    if "file" in stored:
        report.notes.append(
            "a signing key is kept in a file on this machine (no keyring); anyone who can "
            "run programs as this user here could forge its checkpoints and, the anchor "
            "being unkeyed without a keyring, rewrite the log and its anchor both."
        )


def _check_anchor(store: AnchorStore, lines: list[bytes], report: VerifyReport) -> None:
    """Compare with the high-water mark kept outside the data folder (app/audit/anchor)."""
    try:
        anchor = store.find(report.log_id, len(lines))
    except AnchorError as exc:
        report.problem = exc.message
        return
    if anchor is None:
        report.notes.append(
            "no anchor outside the data folder for this log (a new log, one from before "
            "anchors, or a data folder brought from another computer or account): a log "
            "cut back consistently with head.json would not be noticed."
        )
        return
    if anchor.log_id and anchor.audit_dir != str(store.audit_dir):
        report.notes.append(
            f"this log was last written in {anchor.audit_dir}; its anchor follows it here "
            "(found by the log id in record 1)."
        )
    report.anchor, report.anchor_seq = anchor.protection, anchor.seq
    if anchor.protection == "none":
        report.notes.append(
            "no OS keyring: the anchor outside the data folder is not keyed, so someone "
            "who knows to rewrite it as well could cut the log unnoticed. Only a syslog "
            "copy held by IT (policy audit.witness) protects against that."
        )
    count = len(lines)
    last = line_hash(lines[-1]) if lines else ""
    if anchor.matches_end(count, last):
        pass
    elif count < anchor.prev_seq or (count < anchor.seq and count != anchor.prev_seq):
        report.first_bad_seq = count + 1
        report.problem = (
            "the audit log is missing, but Chambers had written "
            f"{anchor.seq} records (anchor {store.path})"
            if count == 0
            else f"the log ends at record {count}, but Chambers had written {anchor.seq} "
            f"records (anchor {store.path}): records were removed"
        )
        return
    elif count > anchor.seq:
        report.first_bad_seq = anchor.seq + 1
        report.problem = (
            f"records after {anchor.seq} were not written by Chambers (anchor {store.path})"
        )
        return
    else:
        report.first_bad_seq = count
        report.problem = f"record {count} differs from the one Chambers wrote (history rewritten)"
        return
    _check_anchor_keys(anchor, report)


def _check_anchor_keys(anchor: Anchor, report: VerifyReport) -> None:
    missing = sorted(set(anchor.key_ids) - set(report.key_ids))
    foreign = sorted(set(report.key_ids) - set(anchor.key_ids))
    if missing:
        report.problem = (
            f"signing-keys.json was rewritten: key {', '.join(missing)} that signed "
            "checkpoints is gone"
        )
    elif foreign and anchor.key_ids:
        report.problem = (
            f"signing-keys.json was rewritten: key {', '.join(foreign)} was not added by Chambers"
        )
