"""The GUI's handle on the engine: load or connect one in the background, report its figures.

The engine already owns its model on a dedicated thread, and every task calls it directly
from its own job (MainWindow.run_task); this service only chooses when to (re)load, asks
app.engine.backend.open_backend (the one place that picks this computer or the firm
server) for the engine, and moves its figures onto the GUI thread as signals for the
status bar (model, backend, tokens per second from the engine's own stats feed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from app.cancel import CancelToken, Progress
from app.config import Settings, load_settings
from app.engine.backend import open_backend, placement
from app.engine.identity import ModelIdentity
from app.engine.protocol import EngineHandle
from app.engine.stats import GenerationStats
from app.gui.jobs import Job, JobRunner
from app.tasks.audited import record_inference_call


class EngineService(QObject):
    loading = Signal(str)  # model id, or the server's URL
    loaded = Signal(object)  # EngineHandle
    load_failed = Signal(str, str)
    #: GenerationStats while a generation runs (every half second) and when any call ends;
    #: emitted from the engine's thread, delivered queued on the GUI thread.
    stats = Signal(object)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._engine: EngineHandle | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def engine(self) -> EngineHandle | None:
        return self._engine

    @property
    def model(self) -> ModelIdentity | None:
        return self._engine.identity if self._engine else None

    def load(self, model_id: str | None = None, settings: Settings | None = None) -> Job:
        """Load ``model_id`` (default: settings, then catalog) on this computer, in the
        background (no matter is open yet, so nothing goes to a server)."""
        chosen = settings or load_settings()
        self.loading.emit(model_id or chosen.default_model or "default model")

        def work(progress: Progress, cancel: CancelToken) -> EngineHandle:
            progress(0.1, "Checking and loading the model")
            return open_backend(
                model_id, settings=chosen, local_only=True, on_call=record_inference_call
            )

        return self._start(Job(work, "model load"))

    def use_for_matter(self, matter: Sequence[str]) -> Job | None:
        """Run this matter's tasks where the policy and settings say (app/engine/backend.py).

        The firm server only where the machine policy allows it for this matter; otherwise
        the local model (reloaded only if the previous matter used the server).
        """
        chosen = placement(matter)
        if chosen.server is None:
            remote = self._engine is not None and self._engine.capabilities.remote
            return self.load() if remote else None
        self.loading.emit(str(chosen.server["base_url"]))

        def work(progress: Progress, cancel: CancelToken) -> EngineHandle:
            progress(0.1, "Connecting to the firm inference server")
            return open_backend(matter=matter, on_call=record_inference_call)

        return self._start(Job(work, "firm server"))

    def _start(self, job: Job) -> Job:
        job.signals.done.connect(self._on_loaded)
        job.signals.failed.connect(self.load_failed)
        return self._runner.start(job)

    def adopt(self, engine: EngineHandle) -> None:
        """Use an engine loaded elsewhere (the test session's, shared by many windows)."""
        self._on_loaded(engine)

    def _on_loaded(self, engine: EngineHandle) -> None:
        self._release()
        self._engine = engine
        self._unsubscribe = engine.stats_feed.subscribe(self._publish)
        self.loaded.emit(engine)

    def _publish(self, stats: GenerationStats) -> None:
        self.stats.emit(stats)

    def _release(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def close(self) -> None:
        self._release()
