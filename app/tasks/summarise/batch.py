"""Summaries of several documents at once: a data room on the firm's server, resumable.

Each document goes through the one-document pipeline (app/tasks/summarise/pipeline.py),
which already keeps every finished part (the narrative's model call, a chronology
window) in the vault. What this adds is the schedule (app/tasks/batch.py): on a firm inference server up
to ``server_parallel`` documents are in flight, so a server with continuous batching
serves them together; on the local engine they run one after another (one model, one
thread). When the server goes away the documents in flight stop, the error says how many
summaries were finished, and a rerun reuses every stored part: a finished document costs
no model call the second time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from app.cancel import CancelToken, Progress, no_progress
from app.engine.protocol import EngineLike
from app.engine.server_link import ServerUnavailableError
from app.tasks.batch import engine_parallel, monotonic, run_bounded
from app.tasks.fieldsets import FieldSet
from app.tasks.summarise.parts import Point, Summary
from app.tasks.summarise.pipeline import summarise
from app.vault import Vault


def summarise_batch(
    document_ids: Sequence[str],
    engine: EngineLike,
    vault: Vault,
    *,
    style: str = "brief",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    parallel: int | None = None,
    store: bool = True,
    window_tokens: int | None = None,
    max_points: int | None = None,
    max_chars: int | None = None,
    fieldset: FieldSet | str | None = None,
    on_points: Callable[[str, list[Point]], None] | None = None,
    on_summary: Callable[[Summary], None] | None = None,
) -> list[Summary]:
    """Summarise ``document_ids`` (results in that order), parts stored as they finish.

    ``parallel`` defaults to the engine's bound (app.tasks.batch.engine_parallel): the
    settings' ``server_parallel`` on a firm server, 1 locally. ``on_points`` gets
    (document id, lines as they exist: the rule-built ones, then the model's), ``on_summary`` each finished summary, both
    from worker threads. Raises ServerUnavailableError naming how many summaries were
    finished when the server stops answering, CancelledError when cancelled. ``store``
    False keeps nothing (no resume), as for one document.
    """
    cancel = cancel or CancelToken()
    parallel = engine_parallel(engine, parallel)
    count = max(1, len(document_ids))
    if parallel > 1:
        progress = monotonic(progress)
    progress(0.0, f"Summarising {len(document_ids)} document(s), {parallel} at a time")
    finished: list[str] = []
    lock = threading.Lock()

    def one(n: int, document_id: str) -> Summary:
        title = vault.get_document_info(document_id).title

        def scaled(fraction: float, message: str) -> None:
            progress(min(0.999, (n + fraction) / count), f"{title}: {message}")

        points = (lambda found: on_points(document_id, found)) if on_points else None
        summary = summarise(
            document_id,
            engine,
            vault,
            style=style,
            progress=scaled,
            cancel=cancel,
            store=store,
            window_tokens=window_tokens,
            max_points=max_points,
            max_chars=max_chars,
            fieldset=fieldset,
            on_points=points,
        )
        kept = summary.stats.model_calls == 0 and summary.stats.windows_reused > 0
        scaled(1.0, "kept from the last run" if kept else "done")
        with lock:
            finished.append(document_id)
        if on_summary is not None:
            on_summary(summary)
        return summary

    try:
        summaries = run_bounded(one, document_ids, parallel)
    except ServerUnavailableError as exc:
        raise ServerUnavailableError(
            f"{exc.message} {len(finished)} of {len(document_ids)} summaries were finished "
            "before it stopped; they and the finished parts of the others are kept in the "
            "matter.",
            exc.hint,
        ) from exc
    progress(1.0, "Done")
    return summaries
