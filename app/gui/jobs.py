"""Background jobs with progress and Cancel, reported back to the GUI thread by signals.

A job is a plain core function ``fn(progress, cancel) -> result``: the same functions the
CLI calls. The runner executes it on a thread pool and turns its outcome into queued
signals, so widgets never touch a worker thread and core code never touches Qt. Progress
updates are throttled so a chatty loop cannot flood the event queue, but never lost: an
update that comes too soon is kept and sent a moment later by a timer on the GUI thread
(so a step that then runs for minutes is on screen while it runs), and before the job's
outcome, so the last progress message of a job is always shown.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from app.cancel import CancelToken, Progress
from app.errors import CancelledError, ChambersError

log = logging.getLogger(__name__)

JobFn = Callable[[Progress, CancelToken], Any]
PROGRESS_INTERVAL_S = 0.05
#: How often the GUI thread sends on an update the throttle held back.
FLUSH_INTERVAL_MS = 150


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
        #: The newest update the throttle held back, sent by ``flush``.
        self._pending: tuple[float, str] | None = None
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _progress(self, fraction: float, message: str) -> None:
        fraction = max(0.0, min(1.0, fraction))
        with self._lock:
            now = time.monotonic()
            if fraction < 1.0 and now - self._last_progress < PROGRESS_INTERVAL_S:
                # Too soon: keep the newest, with the last message said (a bare fraction
                # must not hide the step it belongs to).
                held = self._pending
                self._pending = (fraction, message or (held[1] if held else ""))
                return
            self._last_progress, self._pending = now, None
        self.signals.progress.emit(fraction, message)

    def flush(self) -> None:
        """Send the update the throttle held back, if any (timer, and before the outcome)."""
        with self._lock:
            pending, self._pending = self._pending, None
            if pending is not None:
                self._last_progress = time.monotonic()
        if pending is not None:
            self.signals.progress.emit(*pending)

    def run(self) -> None:
        try:
            try:
                result = self.fn(self._progress, self.cancel_token)
            finally:
                self.flush()  # the last message, before the outcome
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
        flusher = QTimer(self)
        flusher.setInterval(FLUSH_INTERVAL_MS)
        flusher.timeout.connect(job.flush)
        flusher.start()

        def finished() -> None:
            flusher.stop()
            flusher.deleteLater()
            self._running.discard(job)

        job.signals.finished.connect(finished)
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
