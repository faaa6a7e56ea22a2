"""Background jobs with progress and Cancel, reported back to the GUI thread by signals.

A job is a plain core function ``fn(progress, cancel) -> result``: the same functions the
CLI calls. The runner executes it on a thread pool and turns its outcome into queued
signals, so widgets never touch a worker thread and core code never touches Qt. Progress
updates are throttled so a chatty loop cannot flood the event queue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.cancel import CancelToken, Progress
from app.errors import CancelledError, ChambersError

log = logging.getLogger(__name__)

JobFn = Callable[[Progress, CancelToken], Any]
PROGRESS_INTERVAL_S = 0.05


class JobSignals(QObject):
    progress = Signal(float, str)
    #: Partial results as they are produced (a task's ``on_...`` callback emits it).
    partial = Signal(object)
    done = Signal(object)
    failed = Signal(str, str)  # message, hint
    cancelled = Signal()
    finished = Signal()  # after any of done / failed / cancelled


class Job(QRunnable):
    """One unit of background work; ``signals`` lives in the thread that created the job."""

    def __init__(self, fn: JobFn, name: str = "job") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.name = name
        self.cancel_token = CancelToken()
        self.signals = JobSignals()
        self._last_progress = 0.0

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.signals.progress.emit(max(0.0, min(1.0, fraction)), message)

    def run(self) -> None:
        try:
            result = self.fn(self._progress, self.cancel_token)
        except CancelledError:
            self.signals.cancelled.emit()
        except ChambersError as exc:
            self.signals.failed.emit(exc.message, exc.hint)
        except Exception as exc:  # a bug: say so plainly, keep the details out of the UI
            log.exception("Job %s failed", self.name)
            self.signals.failed.emit(
                f"Something went wrong while running {self.name} ({type(exc).__name__}).",
                "Try again. If it keeps happening, run `chambers doctor` and send the output to IT.",
            )
        else:
            if self.cancel_token.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.done.emit(result)
        self.signals.finished.emit()


class JobRunner(QObject):
    """Starts jobs on a private pool and keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[Job] = set()

    def start(self, job: Job) -> Job:
        self._running.add(job)
        job.signals.finished.connect(lambda: self._running.discard(job))
        self._pool.start(job)
        return job

    def run(self, fn: JobFn, name: str = "job") -> Job:
        return self.start(Job(fn, name))

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def cancel_all(self) -> None:
        for job in list(self._running):
            job.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        return bool(self._pool.waitForDone(timeout_ms))
