"""One audit record per task run, the same from the CLI and the desktop app.

``audited_task`` times the run and writes ``task.run`` with the task kind, the documents
read, the model's hash and how it ended, whatever happens inside; the task fills in ids
and counts, never content. ``record_inference_call`` is the listener the engine's owner
gives a firm-server backend: one ``inference.call`` record per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.audit import audit_event
from app.audit.records import DetailValue
from app.cancel import CancelToken, Progress, no_progress
from app.engine.context import ServerCall, calls_for
from app.engine.protocol import EngineLike
from app.errors import CancelledError
from app.tasks.batch import engine_parallel
from app.tasks.draft.pipeline import Draft, draft
from app.tasks.draft.templates import Template
from app.tasks.extract import Cell, Grid, extract_grid
from app.tasks.fieldsets import FieldSet
from app.tasks.summarise.batch import summarise_batch
from app.tasks.summarise.pipeline import Point, Summary, summarise
from app.vault import Vault

if TYPE_CHECKING:  # Ask reaches Review, whose public API is audited here: import it late
    from app.tasks.ask import Answer


@dataclass
class TaskRecord:
    document_ids: list[str] = field(default_factory=list)
    details: dict[str, DetailValue] = field(default_factory=dict)
    outcome: str = "ok"


def record_task_run(
    kind: str,
    vault_id: str,
    engine: EngineLike,
    *,
    document_ids: Sequence[str],
    outcome: str,
    seconds: float,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """The ``task.run`` record every task writes once: ids, model hash, counts, never content."""
    identity = engine.identity
    audit_event(
        "task.run",
        vault_id=vault_id,
        object_ids=list(document_ids),
        outcome=outcome,
        model_sha256=identity.sha256 if identity else None,
        details={"kind": kind, "duration_s": round(seconds, 2), **(details or {})},
    )


def record_inference_call(call: ServerCall) -> None:
    """The ``inference.call`` record of one firm-server request (never its content)."""
    audit_event(
        "inference.call",
        vault_id=call.vault_id,
        outcome=call.outcome,
        model_sha256=call.model_sha256,
        details={
            "host": call.host,
            "port": call.port,
            "model": call.model,
            "task": call.task,
            "endpoint": call.endpoint,
            "bytes_sent": call.bytes_sent,
            "bytes_received": call.bytes_received,
            "duration_s": call.duration_s,
        },
    )


@contextmanager
def audited_task(kind: str, vault: Vault, engine: EngineLike) -> Iterator[TaskRecord]:
    record = TaskRecord()
    start = time.perf_counter()
    try:
        with calls_for(kind, vault.vault_id):  # labels a firm server's inference.call records
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
    engine: EngineLike,
    vault: Vault,
    *,
    document_ids: Sequence[str] | None = None,
    routing: bool = True,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_partial: Callable[[Any], None] | None = None,
) -> Answer:
    """``ask`` with its audit record: the path taken and counts, never the question
    (``on_partial``: each document's and part's answer as it is known, for the panel)."""
    from app.tasks.ask import ask

    with audited_task("ask", vault, engine) as record:
        answer = ask(
            question,
            engine,
            vault,
            document_ids=document_ids,
            routing=routing,
            progress=progress,
            cancel=cancel,
            on_partial=on_partial,
        )
        record.document_ids = answer.document_ids
        record.outcome = "ok" if answer.found else "not_found"
        record.details.update(
            route=answer.path.split(":")[0],
            kind=answer.kind,
            citations=len(answer.citations),
            verified=sum(c.verified for c in answer.citations),
            model_calls=answer.stats.model_calls,
        )
    return answer


def run_column(
    question: str,
    document_ids: Sequence[str],
    engine: EngineLike,
    vault: Vault,
    *,
    cancel: CancelToken | None = None,
) -> dict[str, Cell]:
    """A custom yes/no column over ``document_ids``, with its audit record (counts only)."""
    from app.tasks.columns import column_cells

    with audited_task("column", vault, engine) as record:
        record.document_ids = list(document_ids)
        cells = column_cells(question, document_ids, vault, engine, cancel=cancel)
        values = [c.value for c in cells.values()]
        record.details.update(
            documents=len(cells),
            yes=values.count("Yes"),
            no=values.count("No"),
            not_found=values.count(None),
        )
    return cells


def run_summarise(
    document_id: str,
    engine: EngineLike,
    vault: Vault,
    *,
    style: str = "brief",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_points: Callable[[list[Point]], None] | None = None,
    fieldset: str | None = None,
) -> Summary:
    """``summarise`` with its audit record: style, page and point counts, model calls."""
    with audited_task("summarise", vault, engine) as record:
        record.document_ids = [document_id]
        summary = summarise(
            document_id,
            engine,
            vault,
            style=style,
            progress=progress,
            cancel=cancel,
            on_points=on_points,
            fieldset=fieldset,
        )
        record.details.update(
            style=summary.style,
            pages=summary.total_pages,
            covered=len(summary.covered_pages),
            points=len(summary.points),
            terms=summary.key_terms,
            written=summary.written,
            confirmed=summary.confirmed,
            windows=summary.stats.windows,
            windows_reused=summary.stats.windows_reused,
            model_calls=summary.stats.model_calls,
        )
    return summary


def run_summarise_batch(
    document_ids: Sequence[str],
    engine: EngineLike,
    vault: Vault,
    *,
    style: str = "brief",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_points: Callable[[str, list[Point]], None] | None = None,
    on_summary: Callable[[Summary], None] | None = None,
    fieldset: str | None = None,
) -> list[Summary]:
    """``summarise_batch`` with one audit record for the batch: counts, never content."""
    with audited_task("summarise", vault, engine) as record:
        record.document_ids = list(document_ids)
        parallel = engine_parallel(engine)
        record.details.update(style=style, documents=len(document_ids), parallel=parallel)
        summaries = summarise_batch(
            document_ids,
            engine,
            vault,
            style=style,
            progress=progress,
            cancel=cancel,
            parallel=parallel,
            on_points=on_points,
            on_summary=on_summary,
            fieldset=fieldset,
        )
        stats = [s.stats for s in summaries]
        record.details.update(
            pages=sum(s.total_pages for s in summaries),
            covered=sum(len(s.covered_pages) for s in summaries),
            points=sum(len(s.points) for s in summaries),
            written=sum(s.written for s in summaries),
            confirmed=sum(s.confirmed for s in summaries),
            windows=sum(s.windows for s in stats),
            windows_reused=sum(s.windows_reused for s in stats),
            model_calls=sum(s.model_calls for s in stats),
        )
    return summaries


def run_extract(
    document_ids: Sequence[str],
    fieldset: FieldSet,
    engine: EngineLike,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Grid:
    """``extract_grid`` with its audit record: document and field counts, cell statuses."""
    with audited_task("extract", vault, engine) as record:
        record.document_ids = list(document_ids)
        grid = extract_grid(
            document_ids,
            fieldset,
            engine,
            vault,
            progress=progress,
            cancel=cancel,
        )
        record.details.update(documents=len(grid.rows), fields=len(grid.fields), **grid.counts())
    return grid


def run_draft(
    template: Template,
    instructions: str,
    document_ids: Sequence[str],
    engine: EngineLike,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Draft:
    """``draft`` with its audit record (template name and counts; never the text)."""
    with audited_task("draft", vault, engine) as record:
        record.document_ids = list(document_ids)
        result = draft(
            template, instructions, document_ids, engine, vault, progress=progress, cancel=cancel
        )
        record.details.update(
            template=template.name, model_calls=result.model_calls, **result.counts()
        )
    return result
