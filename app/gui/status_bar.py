"""The status bar: model, where it runs, speed while generating, and the Offline badge."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from app.engine.protocol import EngineHandle
from app.engine.stats import GenerationStats


class ChambersStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_label = QLabel(self.tr("No model loaded"))
        self.backend_label = QLabel("")
        self.speed_label = QLabel("")
        # Text and a symbol, never colour alone: readable in any theme and to screen readers.
        self.offline_label = QLabel(self.tr("Offline ✓"))
        self.offline_label.setToolTip(
            self.tr(
                "Chambers opens no network connections: your documents never leave this machine."
            )
        )
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel("")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the running task"))
        for widget, name in (
            (self.model_label, "Model"),
            (self.backend_label, "Device"),
            (self.speed_label, "Generation speed"),
            (self.offline_label, "Network status"),
        ):
            widget.setAccessibleName(self.tr(name))
        # Permanent widgets stay visible while showMessage() shows a notice on the left.
        for permanent in (
            self.model_label,
            self.backend_label,
            self.speed_label,
            self.offline_label,
            self.progress_label,
            self.progress,
            self.cancel_button,
        ):
            self.addPermanentWidget(permanent)
        self.setStyleSheet("QStatusBar QLabel { padding: 0 6px; }")
        self.show_progress(None)

    def show_loading(self, model_id: str) -> None:
        self.model_label.setText(self.tr("Loading {0}…").format(model_id))
        self.backend_label.setText("")

    def show_model(self, engine: EngineHandle) -> None:
        identity, plan = engine.identity, engine.plan
        self.model_label.setText(identity.name if identity else "")
        server = engine.capabilities.server
        if engine.capabilities.remote:  # app/engine/remote.py: the firm's inference server
            host = urlsplit(server).hostname or server
            self.backend_label.setText(self.tr("Firm server: {0}").format(host))
            self.backend_label.setToolTip(server)
            self.offline_label.setText(self.tr("Firm network"))
            self.offline_label.setToolTip(
                self.tr(
                    "Documents of this matter go to the firm's own inference server, as IT's policy allows."
                )
            )
            return
        if plan is None:  # a backend with no memory plan of its own
            where, tip = "", ""
        elif plan.on_gpu:
            where = self.tr("{0} {1}/{2} layers").format(
                plan.backend, min(plan.n_gpu_layers, plan.n_layers), plan.n_layers
            )
            tip = "\n".join([plan.summary(), *plan.notes])
        else:
            where = self.tr("CPU · {0} threads").format(plan.n_threads)
            tip = "\n".join([plan.summary(), *plan.notes])
        self.backend_label.setText(self.tr("On this computer · {0}").format(where).rstrip(" ·"))
        self.backend_label.setToolTip(tip)
        self.offline_label.setText(self.tr("Offline ✓"))

    def show_speed(self, tokens_per_second: float | None) -> None:
        self.speed_label.setText(
            "" if tokens_per_second is None else self.tr("{0:.1f} tok/s").format(tokens_per_second)
        )

    def show_stats(self, stats: GenerationStats) -> None:
        """The engine's latest figures: generation speed, or for a call that only reads
        (option scoring, a prompt still being read) the reading speed."""
        if stats.generated_tokens > 1:
            self.show_speed(stats.tokens_per_second)
            self.speed_label.setToolTip(self.tr("Generation speed of the model"))
        elif stats.prompt_tokens_per_second > 0:
            self.speed_label.setText(
                self.tr("read {0:.0f} tok/s").format(stats.prompt_tokens_per_second)
            )
            self.speed_label.setToolTip(self.tr("How fast the model reads the documents"))

    def show_progress(self, fraction: float | None, message: str = "") -> None:
        """None hides the progress area; otherwise show the bar, the message and Cancel."""
        visible = fraction is not None
        for widget in (self.progress, self.progress_label, self.cancel_button):
            widget.setVisible(visible)
        if visible:
            self.progress.setValue(int((fraction or 0.0) * 1000))
            self.progress_label.setText(message)
