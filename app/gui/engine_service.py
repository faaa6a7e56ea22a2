"""The GUI's handle on the engine: load a model and stream answers without blocking.

The engine already owns its model on a dedicated thread; this service only moves results
onto the GUI thread as signals and keeps the status bar's figures (model, backend,
tokens per second) in one place. The speed comes from the engine's own stats feed, so it
moves for every task (each calls the engine directly from its job), not only for
``stream``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.cancel import CancelToken, Progress
from app.config import Settings, load_settings
from app.engine import LoadedModel
from app.engine.chat import Message
from app.engine.loader import load_engine
from app.engine.protocol import EngineHandle
from app.engine.stats import GenerationStats
from app.gui.jobs import Job, JobRunner


class EngineService(QObject):
    loading = Signal(str)  # model id
    loaded = Signal(object)  # LoadedModel
    load_failed = Signal(str, str)
    piece = Signal(str)
    #: GenerationStats while a generation runs (every half second) and when any call ends;
    #: emitted from the engine's thread, delivered queued on the GUI thread.
    stats = Signal(object)
    generation_done = Signal(object)  # GenerationStats
    generation_failed = Signal(str, str)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._engine: EngineHandle | None = None
        self._current: Job | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def engine(self) -> EngineHandle | None:
        return self._engine

    @property
    def model(self) -> LoadedModel | None:
        return self._engine.loaded if self._engine else None

    @property
    def generating(self) -> bool:
        return self._current is not None

    def load(self, model_id: str | None = None, settings: Settings | None = None) -> Job:
        """Load ``model_id`` (default: settings, then catalog) in the background."""
        chosen = settings or load_settings()
        self.loading.emit(model_id or chosen.default_model or "default model")

        def work(progress: Progress, cancel: CancelToken) -> EngineHandle:
            progress(0.1, "Checking and loading the model")
            return load_engine(model_id, settings=chosen)

        job = Job(work, "model load")
        job.signals.done.connect(self._on_loaded)
        job.signals.failed.connect(self.load_failed)
        return self._runner.start(job)

    def use_for_matter(self, matter: Sequence[str]) -> Job | None:
        """Run this matter's tasks where the policy and settings say (app/engine/backend.py).

        The firm server only where the machine policy allows it for this matter; otherwise
        the local model (reloaded only if the previous matter used the server).
        """
        from app.engine.backend import connect_server, placement

        chosen = placement(matter)
        if chosen.server is None:
            return self.load() if getattr(self._engine, "remote", False) else None
        url = str(chosen.server["base_url"])
        self.loading.emit(url)

        def work(progress: Progress, cancel: CancelToken) -> EngineHandle:
            progress(0.1, "Connecting to the firm inference server")
            return connect_server(url, matter=matter)

        job = Job(work, "firm server")
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
        self.loaded.emit(engine.loaded)

    def _publish(self, stats: GenerationStats) -> None:
        self.stats.emit(stats)

    def _release(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def stream(self, messages: Sequence[Message], max_tokens: int = 512, **kwargs: Any) -> Job:
        """Generate in the background; pieces arrive through the ``piece`` signal."""
        engine = self._engine
        if engine is None:
            raise RuntimeError("stream() called before a model was loaded")

        def work(progress: Progress, cancel: CancelToken) -> Any:
            generation = engine.stream(messages, max_tokens=max_tokens, cancel=cancel, **kwargs)
            for piece in generation:
                self.piece.emit(piece)
            return generation.stats

        job = Job(work, "generation")
        job.signals.done.connect(self._on_generated)
        job.signals.failed.connect(self.generation_failed)
        job.signals.finished.connect(self._clear_current)
        self._current = job
        return self._runner.start(job)

    def _on_generated(self, stats: Any) -> None:
        self.generation_done.emit(stats)

    def _clear_current(self) -> None:
        self._current = None

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel()

    def close(self) -> None:
        self.cancel()
        self._release()
