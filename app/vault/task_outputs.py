"""What tasks keep in a vault: finished parts, results, reviewed corrections.

Tasks store JSON results in the vault's ``task_outputs`` table through this API only; the
raw connection stays inside app/vault. A read takes the vault's lock but no write
transaction, so it does not bump the generation counter that unlock compares with the
audit log (a resumed summary that only reads its finished parts changes nothing on disk).
A put is one write transaction, or part of the caller's when one is open.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.vault.slots import now_iso


@dataclass(frozen=True)
class TaskOutput:
    id: str
    #: The kind of output, e.g. "summary", "summary.partial", "extract.correction".
    task: str
    created: str
    document_ids: list[str]
    model_sha256: str | None
    result: dict[str, Any]


_COLUMNS = "id, task, created, document_ids, model_sha256, result"


def _output(row: tuple[Any, ...]) -> TaskOutput:
    return TaskOutput(
        str(row[0]), str(row[1]), str(row[2]), json.loads(row[3]), row[4], json.loads(row[5])
    )


def get(conn: Any, output_id: str) -> TaskOutput | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM task_outputs WHERE id = ?", (output_id,)).fetchone()
    return _output(row) if row is not None else None


def list_outputs(
    conn: Any, task: str, document_ids: Sequence[str] | None = None
) -> list[TaskOutput]:
    """Outputs of ``task`` (only those for exactly ``document_ids`` when given), oldest first."""
    sql = f"SELECT {_COLUMNS} FROM task_outputs WHERE task = ?"
    args: list[Any] = [task]
    if document_ids is not None:
        sql += " AND document_ids = ?"
        args.append(json.dumps(list(document_ids)))
    return [_output(row) for row in conn.execute(sql + " ORDER BY created, id", args).fetchall()]


def put(
    conn: Any,
    task: str,
    output_id: str,
    result: Mapping[str, Any],
    *,
    document_ids: Sequence[str] = (),
    model_sha256: str | None = None,
    created: str | None = None,
) -> TaskOutput:
    """Store (or replace, by id) one output; call inside a write transaction."""
    output = TaskOutput(
        output_id, task, created or now_iso(), list(document_ids), model_sha256, dict(result)
    )
    conn.execute(
        f"INSERT OR REPLACE INTO task_outputs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        (
            output.id,
            output.task,
            output.created,
            json.dumps(output.document_ids),
            output.model_sha256,
            json.dumps(output.result),
        ),
    )
    return output


def delete(conn: Any, output_id: str) -> bool:
    """Remove one output by id (a review undone); call inside a write transaction."""
    return bool(conn.execute("DELETE FROM task_outputs WHERE id = ?", (output_id,)).rowcount)
