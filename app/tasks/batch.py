"""Many documents through one task, concurrently on a firm server, one at a time locally.

Shared by the extraction grid (app/tasks/extract/pipeline.py) and batch summaries
(app/tasks/summarise/batch.py). The local engine owns one model on one thread, so sending
it several documents at once only interleaves them; an inference server with continuous
batching serves several requests at once, so there up to ``server_parallel`` documents
(settings, policy) are in flight. Each task keeps its own finished work in the vault; this
module only schedules and reports.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

from app.cancel import Progress
from app.engine.protocol import EngineLike

T = TypeVar("T")


class _Skipped(Exception):
    """A document not started because another one had already failed."""


def engine_parallel(engine: EngineLike, parallel: int | None = None) -> int:
    """How many documents to send at once: ``parallel`` if given, else the engine's own
    bound on a firm server (``capabilities.parallel``, from settings.server_parallel),
    else 1 (the local engine runs one model, one call at a time)."""
    if parallel is not None:
        return max(1, parallel)
    capabilities = engine.capabilities
    if not capabilities.remote:
        return 1
    return max(1, capabilities.parallel)


def run_bounded(
    work: Callable[[int, str], T], document_ids: Sequence[str], parallel: int
) -> list[T]:
    """``work(n, document_id)`` over the documents, at most ``parallel`` at once, results in
    input order.

    When one document fails (a server that went away, a cancel), the documents already
    started still finish and store what they finished before the error is raised, so a
    rerun resumes with as little as possible left to do; documents not yet started are
    not started. The error raised is the first real one in input order.
    """
    if parallel <= 1:
        return [work(n, document_id) for n, document_id in enumerate(document_ids)]
    failed = threading.Event()

    def guarded(n: int, document_id: str) -> T:
        if failed.is_set():
            raise _Skipped(document_id)
        try:
            return work(n, document_id)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="chambers-batch") as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, guarded, n, document_id)
            for n, document_id in enumerate(document_ids)
        ]
        wait(futures)
    errors = [f.exception() for f in futures]
    first = next((e for e in errors if e is not None and not isinstance(e, _Skipped)), None)
    if first is not None:
        raise first
    return [future.result() for future in futures]


def monotonic(progress: Progress) -> Progress:
    """``progress`` that never goes backwards when documents report from several threads."""
    lock = threading.Lock()
    best = [0.0]

    def report(fraction: float, message: str) -> None:
        with lock:
            best[0] = max(best[0], fraction)
            progress(best[0], message)

    return report
