"""Nothing content-like or secret can reach the log, and the record bytes are well defined."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from app import audit
from app.audit.records import (
    GENESIS_HASH,
    AuditRecordError,
    DetailValue,
    canonical_bytes,
    check_details,
    line_hash,
)
from tests.fixtures.audit import file_store

PASSPHRASE = "correct horse battery staple 7!"
TITLE = "Settlement offer to Beta Corp re merger"


def test_canonical_bytes_are_sorted_compact_ascii() -> None:
    assert canonical_bytes({"b": 1, "a": "é"}) == b'{"a":"\\u00e9","b":1}'
    with pytest.raises(ValueError):
        canonical_bytes({"x": float("nan")})


def test_line_hash_is_sha256_of_the_stored_bytes() -> None:
    assert line_hash(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert GENESIS_HASH == "0" * 64


@pytest.mark.parametrize(
    "details",
    [
        {"title": "x"},
        {"prompt": "x"},
        {"text": "x"},
        {"passphrase": "x"},
        {"doc_title": "x"},
        {"vault_name": "x"},
        {"recovery_key": "x"},
        {"kind": "x" * 129},
        {"kind": "two\nlines"},
        {"kind": ["a", "b"]},
        {"kind": {"nested": 1}},
        {"kind": b"bytes"},
        {"ratio": float("inf")},
        {"Bad-Key": 1},
        {f"k{i}": i for i in range(17)},
    ],
)
def test_content_like_or_oversized_details_are_refused(details: dict[str, Any]) -> None:
    with pytest.raises(AuditRecordError):
        check_details(details)


def test_short_scalar_details_are_kept() -> None:
    details: dict[str, DetailValue] = {
        "kind": "summarise",
        "duration_ms": 1200,
        "ratio": 0.5,
        "ok": True,
        "x": None,
    }
    assert check_details(details) == details


@pytest.mark.parametrize(
    "kwargs",
    [
        {"object_ids": [TITLE]},
        {"object_ids": "doc-1"},
        {"vault_id": "Acme v Beta"},
        {"model_sha256": "ABC"},
        {"outcome": "Failed badly"},
    ],
)
def test_ids_that_could_carry_titles_are_refused(
    audit_home: Path, kwargs: dict[str, object]
) -> None:
    with pytest.raises(AuditRecordError):
        audit.audit_event("document.open", **kwargs)  # type: ignore[arg-type]
    assert not (audit_home / "audit.jsonl").exists()


def test_badly_named_action_is_refused(audit_home: Path) -> None:
    with pytest.raises(AuditRecordError):
        audit.audit_event("Open document")


def test_no_record_contains_a_secret_or_title(audit_home: Path) -> None:
    """Drive a vault-like session, try to smuggle content in, then grep every file."""
    audit.audit_event("vault.create", vault_id="v-123", details={"slots": 2, "generation": 1})
    audit.audit_event("vault.unlock", vault_id="v-123", outcome="failed", details={"slot": "pass"})
    audit.audit_event("vault.unlock", vault_id="v-123", details={"slot": "keyring"})
    audit.audit_event("document.import", vault_id="v-123", object_ids=["doc-1", "doc-2"])
    for smuggled in ({"passphrase": PASSPHRASE}, {"title": TITLE}, {"note": TITLE}):
        with pytest.raises(AuditRecordError):
            audit.audit_event("document.open", vault_id="v-123", details=smuggled)
    with pytest.raises(AuditRecordError):
        audit.audit_event("document.open", vault_id="v-123", object_ids=[TITLE])
    audit.audit_event(
        "task.run",
        vault_id="v-123",
        object_ids=["doc-1"],
        model_sha256="a" * 64,
        details={"kind": "summarise", "model": "qwen2.5-0.5b", "duration_ms": 812},
    )
    audit.checkpoint()
    home = audit_home.parent
    seed = file_store(audit_home).load()
    assert seed is not None
    needles = [PASSPHRASE.encode(), TITLE.encode(), b"horse battery", b"Settlement"]
    needles += [seed, seed.hex().encode(), base64.b64encode(seed)]
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} found in {path}"
    records = [json.loads(line) for line in (audit_home / "audit.jsonl").read_bytes().splitlines()]
    assert [r["action"] for r in records][-2:] == ["task.run", "audit.checkpoint"]
