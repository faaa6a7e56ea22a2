"""Model manager: installed and catalog models, import from disk, default, hardware plan."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cancel import CancelToken, Progress
from app.config import load_settings, save_settings
from app.engine.hardware import detect
from app.engine.plan import make_plan
from app.errors import ChambersError
from app.gui.jobs import Job, JobRunner
from app.models.gguf_header import read_gguf_header
from app.models.store import InstalledModel, import_model, known_models, verify_models

COLUMNS = ("Name", "Size", "Role", "Status", "Approved by", "Default")


def describe_plan(model: InstalledModel) -> str:
    """A plain-language account of how the model would run on this machine."""
    if not model.present:
        return f"{model.spec.name} is not installed.\nLicence: {model.spec.licence}\nSource: {model.spec.source}"
    try:
        info = read_gguf_header(model.path)
        plan = make_plan(info, detect(), load_settings(), model.spec.context_length)
    except ChambersError as exc:
        return f"{model.spec.name} cannot run here: {exc.message}"
    lines = [
        f"{model.spec.name} ({info.architecture}, {info.block_count} layers)",
        f"Runs on: {plan.summary()}",
        f"Memory: weights {plan.weights_bytes / 2**30:.2f} GiB, KV cache {plan.kv_bytes / 2**30:.2f} GiB, "
        f"GPU {plan.gpu_bytes / 2**30:.2f} GiB, RAM {plan.ram_bytes / 2**30:.2f} GiB",
        f"Flash attention: {'on' if plan.flash_attn else 'off'}",
        f"Licence: {model.spec.licence}",
        f"SHA-256: {model.spec.sha256}",
        *plan.notes,
    ]
    return "\n".join(lines)


class ModelsDialog(QDialog):
    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.resize(860, 520)
        self._runner = runner
        self._job: Job | None = None
        self.models: list[InstalledModel] = []

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(self.tr("Models"))
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_plan)
        self.plan_view = QPlainTextEdit()
        self.plan_view.setReadOnly(True)
        self.plan_view.setAccessibleName(self.tr("How the selected model runs here"))

        self.import_button = QPushButton(self.tr("&Import from disk…"))
        self.default_button = QPushButton(self.tr("Set as &default"))
        self.verify_button = QPushButton(self.tr("&Verify all"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.import_button.clicked.connect(self._choose_import)
        self.default_button.clicked.connect(self._set_default)
        self.verify_button.clicked.connect(self._verify)
        self.cancel_button.clicked.connect(self._cancel)

        buttons = QHBoxLayout()
        for widget in (self.import_button, self.default_button, self.verify_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.cancel_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.plan_view, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        self.models = known_models()
        default = load_settings().default_model
        if not default:
            default = next(
                (m.spec.id for m in self.models if m.spec.role == "default-instruct"), ""
            )
        self.table.setRowCount(len(self.models))
        for row, model in enumerate(self.models):
            spec = model.spec
            cells = (
                spec.name,
                f"{spec.size / 1e6:,.0f} MB",
                spec.role,
                self.tr("Installed") if model.present else self.tr("Not installed"),
                self.tr("Catalog (IT)") if spec.trusted_by == "catalog" else self.tr("You"),
                "✓" if spec.id == default else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, spec.id)
                self.table.setItem(row, column, item)
        if self.models and not self.table.selectedItems():
            self.table.selectRow(0)

    def selected(self) -> InstalledModel | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.models[rows.pop()] if rows else None

    def _show_plan(self) -> None:
        model = self.selected()
        self.plan_view.setPlainText(describe_plan(model) if model else "")

    def _set_default(self) -> None:
        model = self.selected()
        if model is None:
            return
        if not model.present:
            self.status.setText(
                self.tr("Install {0} before making it the default.").format(model.spec.id)
            )
            return
        settings = load_settings()
        settings.default_model = model.spec.id
        save_settings(settings)
        self.status.setText(self.tr("{0} is now the default model.").format(model.spec.name))
        self.refresh()

    def _run(self, job: Job, running_text: str) -> None:
        self._job = job
        self.progress.setValue(0)
        for widget in (self.progress, self.cancel_button):
            widget.show()
        for widget in (self.import_button, self.verify_button, self.default_button):
            widget.setEnabled(False)
        self.status.setText(running_text)
        job.signals.progress.connect(lambda f, _m: self.progress.setValue(int(f * 1000)))
        job.signals.failed.connect(lambda msg, hint: self.status.setText(f"{msg}\n{hint}"))
        job.signals.cancelled.connect(
            lambda: self.status.setText(self.tr("Cancelled; nothing was changed."))
        )
        job.signals.finished.connect(self._finished)
        self._runner.start(job)

    def _finished(self) -> None:
        self._job = None
        for widget in (self.progress, self.cancel_button):
            widget.hide()
        for widget in (self.import_button, self.verify_button, self.default_button):
            widget.setEnabled(True)
        self.refresh()

    def _cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import a model"), str(Path.home()), self.tr("GGUF models (*.gguf)")
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path, trust: bool = False) -> Job:
        def work(progress: Progress, cancel: CancelToken) -> InstalledModel:
            return import_model(path, trust=trust, progress=progress, cancel=cancel)

        job = Job(work, "model import")
        job.signals.done.connect(
            lambda m: self.status.setText(self.tr("Imported {0}.").format(m.spec.name))
        )
        job.signals.failed.connect(lambda msg, _hint: self._maybe_trust(path, msg, trust))
        self._run(job, self.tr("Checking {0}…").format(path.name))
        return job

    def _maybe_trust(self, path: Path, message: str, trusted: bool) -> None:
        if trusted or "not in the approved model catalog" not in message:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Model not approved"),
            self.tr(
                "{0}\n\nImport it anyway on your own authority? Chambers will record its "
                "SHA-256 and refuse the file if it ever changes."
            ).format(message),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.import_path(path, trust=True)

    def _verify(self) -> None:
        def work(progress: Progress, cancel: CancelToken) -> list[str]:
            return [f"{r.model_id}: {'ok' if r.ok else r.message}" for r in verify_models(progress)]

        job = Job(work, "model verification")
        job.signals.done.connect(
            lambda lines: self.status.setText("\n".join(lines) or "No models installed.")
        )
        self._run(job, self.tr("Verifying every installed model…"))
