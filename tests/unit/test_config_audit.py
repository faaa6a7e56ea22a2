"""Settings and model checks leave audit records, with names only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import audit
from app.config import load_settings, save_settings
from app.paths import audit_dir
from tests.fixtures.audit import file_store


@pytest.fixture(autouse=True)
def file_signed_audit() -> Iterator[None]:
    audit.configure(key_store_factory=file_store)
    yield
    audit.reset()


def records() -> list[dict[str, object]]:
    log = audit_dir() / "audit.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_settings_change_records_names_not_values(chambers_home: Path) -> None:
    settings = load_settings()
    settings.threads = 7
    settings.auto_lock_minutes = 42
    save_settings(settings)
    save_settings(settings)  # unchanged: no second record
    changes = [r for r in records() if r["action"] == "settings.change"]
    assert len(changes) == 1
    assert changes[0]["details"] == {"changed": "auto_lock_minutes,threads"}
    # The values never go in. Times and hex digests are blanked first: "22:22:42" or a
    # hash may hold "42" by chance (a failure seen once in a few runs).
    text = re.sub(r"[0-9a-f]{16,}|\d{4}-\d\d-\d\dT[\d:.]+Z?", "", json.dumps(changes[0]))
    assert "42" not in text
