"""Export records for IT as CSV (for a spreadsheet) or JSON (with the verification report).

The JSON export carries the verifier's verdict alongside the records, so a reviewer who
receives only the export still sees whether the log it came from was intact. CSV cells
that a spreadsheet would run as a formula are prefixed with a quote.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from app.audit.records import format_time, utc_now
from app.audit.verify import parse_line, read_lines, verify
from app.errors import UsageError

CSV_COLUMNS = (
    "seq",
    "time",
    "user",
    "action",
    "vault_id",
    "object_ids",
    "outcome",
    "app_version",
    "model_sha256",
    "policy_hash",
    "details",
    "prev_hash",
)
EXPORT_FORMAT = "chambers-audit-export/1"


def parse_since(text: str) -> datetime:
    """``YYYY-MM-DD`` or an ISO 8601 time; times without a zone are taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--since {text!r} is not a date.", "Use YYYY-MM-DD or 2026-01-31T09:00:00Z."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def select_records(directory: Path, since: datetime | None = None) -> list[dict[str, Any]]:
    """Readable records at or after ``since`` (unreadable lines are left to the verifier)."""
    chosen: list[dict[str, Any]] = []
    lines, _ = read_lines(directory)
    for line in lines:
        record = parse_line(line)
        if record is None:
            continue
        if since is not None:
            try:
                if datetime.fromisoformat(record["time"]) < since:
                    continue
            except ValueError:
                pass  # an unparseable time is suspicious: keep it visible
        chosen.append(record)
    return chosen


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = ";".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, separators=(",", ":")) if value else ""
    else:
        text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export(directory: Path, out: TextIO, fmt: str, since: datetime | None = None) -> int:
    """Write the export to ``out``; returns how many records it holds."""
    records = select_records(directory, since)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in records:
            writer.writerow([_cell(record.get(column)) for column in CSV_COLUMNS])
    elif fmt == "json":
        doc = {
            "format": EXPORT_FORMAT,
            "exported_at": format_time(utc_now()),
            "since": None if since is None else format_time(since),
            "verification": verify(directory).to_dict(),
            "records": records,
        }
        json.dump(doc, out, indent=2, sort_keys=True)
        out.write("\n")
    else:
        raise UsageError(f"Unknown export format {fmt!r}.", "Use --format csv or --format json.")
    return len(records)
