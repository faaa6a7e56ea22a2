"""One audit record per task run, the same from the CLI and the desktop app.

``audited_task`` times the run and writes ``task.run`` with the task kind, the documents
read, the model's hash and how it ended, whatever happens inside; the task fills in ids
and counts, never content.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.audit import audit_event
from app.audit.records import DetailValue
from app.cancel import CancelToken, Progress, no_progress
from app.engine import Engine
from app.errors import CancelledError
from app.tasks.ask import Answer, ask
from app.vault import Vault


@dataclass
class TaskRecord:
    document_ids: list[str] = field(default_factory=list)
    details: dict[str, DetailValue] = field(default_factory=dict)
    outcome: str = "ok"


def record_task_run(
    kind: str,
    vault_id: str,
    engine: Engine,
    *,
    document_ids: Sequence[str],
    outcome: str,
    seconds: float,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """The ``task.run`` record every task writes once: ids, model hash, counts, never content."""
    loaded = engine.loaded
    audit_event(
        "task.run",
        vault_id=vault_id,
        object_ids=list(document_ids),
        outcome=outcome,
        model_sha256=loaded.model.spec.sha256 if loaded else None,
        details={"kind": kind, "duration_s": round(seconds, 2), **(details or {})},
    )


@contextmanager
def audited_task(kind: str, vault: Vault, engine: Engine) -> Iterator[TaskRecord]:
    record = TaskRecord()
    start = time.perf_counter()
    try:
        yield record
    except CancelledError:
        record.outcome = "cancelled"
        raise
    except BaseException:
        record.outcome = "error"
        raise
    finally:
        record_task_run(
            kind,
            vault.vault_id,
            engine,
            document_ids=record.document_ids,
            outcome=record.outcome,
            seconds=time.perf_counter() - start,
            details=record.details,
        )


def run_ask(
    question: str,
    engine: Engine,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    max_passages: int = 6,
) -> Answer:
    """``ask`` with its audit record."""
    with audited_task("ask", vault, engine) as record:
        answer = ask(
            question, engine, vault, progress=progress, cancel=cancel, max_passages=max_passages
        )
        record.document_ids = answer.document_ids
        record.outcome = "ok" if answer.found else "not_found"
        record.details.update(
            passages=len(answer.passages),
            citations=len(answer.citations),
            verified=sum(c.verified for c in answer.citations),
            model_called=answer.stats.model_called,
        )
    return answer
