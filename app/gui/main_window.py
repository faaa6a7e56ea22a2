"""The main window: matters on the left, the open matter's panels, and the status bar.

The window holds the application state (the open matter, the engine service, the job
runner) and wires panels to it; panels never reach for globals. The open matter's name and
lock state are always visible in the title and the header, so nobody works in the wrong
matter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.cancel import CancelToken, Progress
from app.config import load_settings
from app.errors import ChambersError
from app.gui.ask_panel import AskPanel
from app.gui.audit_dialog import AuditDialog
from app.gui.documents_view import DocumentsView
from app.gui.draft_panel import DraftPanel
from app.gui.engine_service import EngineService
from app.gui.extract_panel import ExtractPanel
from app.gui.help_dialog import ShortcutsDialog
from app.gui.jobs import Job, JobRunner
from app.gui.matter_dialogs import NewMatterDialog, RecoveryKeyDialog, UnlockDialog
from app.gui.matters_panel import MattersPanel
from app.gui.models_dialog import ModelsDialog
from app.gui.restored_copy import ask_keep_restored_copy
from app.gui.review_panel import ReviewPanel
from app.gui.settings_dialog import SettingsDialog
from app.gui.source_viewer import SourceViewer
from app.gui.status_bar import ChambersStatusBar
from app.gui.summarise_panel import SummarisePanel
from app.gui.task_panel import TaskContext, TaskPanel, TaskRequest
from app.ingest.importer import ImportSummary, import_paths
from app.matters import (
    OpenedMatter,
    RestoredCopyError,
    create_matter,
    lock_matter,
    open_matter,
)
from app.models.store import resolve_model
from app.tasks.ask import Citation
from app.tasks.corrections import Correction
from app.tasks.quote import Quote
from app.tasks.shown import load_shown, save_shown
from app.vault import Vault, VaultInfo, list_vaults
from app.vault.search import SearchHit

AUTO_LOCK_CHECK_MS = 30_000


class MainWindow(QMainWindow):
    def __init__(self, *, load_model: bool = True) -> None:
        super().__init__()
        self.resize(1180, 720)
        self.runner = JobRunner(self)
        #: Short reads (a source page, a search) get their own thread, so they never wait
        #: behind a long task on the main runner.
        self.quick = JobRunner(self, max_threads=1)
        self.engine = EngineService(self.runner, self)
        self.vault: Vault | None = None
        self.recovery_dialog: RecoveryKeyDialog | None = None
        #: The question asked when a matter turns out to be an older, restored copy.
        self.restored_copy_box: QMessageBox | None = None
        self.last_import: ImportSummary | None = None
        self._searches = 0  # numbers search jobs, so a slow old one cannot overwrite a newer
        #: Why no model can run tasks (shown in the task panels), "" while none is known.
        self.model_problem = ""

        self.matters = MattersPanel()
        self.header = QLabel()
        self.header.setAccessibleName(self.tr("Open matter"))
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        font = self.header.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.header.setFont(font)
        self.documents = DocumentsView()
        self.ask_panel = AskPanel()
        self.summarise_panel = SummarisePanel()
        self.extract_panel = ExtractPanel()
        self.draft_panel = DraftPanel()
        self.review_panel = ReviewPanel()
        self.source = SourceViewer(self.quick)
        self.source.hide()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.documents, self.tr("&Documents"))
        self.tabs.addTab(self.ask_panel, self.tr("As&k"))
        self.tabs.addTab(self.summarise_panel, self.tr("S&ummarise"))
        self.tabs.addTab(self.extract_panel, self.tr("E&xtract"))
        self.tabs.addTab(self.draft_panel, self.tr("Dr&aft"))
        self.tabs.addTab(self.review_panel, self.tr("Re&view"))
        work = QSplitter(Qt.Orientation.Vertical)
        work.addWidget(self.tabs)
        work.addWidget(self.source)
        work.setSizes([420, 300])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.header)
        right_layout.addWidget(work, 1)
        splitter = QSplitter()
        splitter.addWidget(self.matters)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 940])
        self.setCentralWidget(splitter)
        self.status = ChambersStatusBar()
        self.setStatusBar(self.status)
        self._build_actions()

        self.ask_panel.citation_opened.connect(self.open_citation)
        for panel in self.task_panels:
            panel.run_requested.connect(partial(self.run_task, panel))
            panel.cancel_requested.connect(self.runner.cancel_all)
            panel.source_requested.connect(self.open_source)
            panel.source_cleared.connect(self.source.clear)
        self.engine.loaded.connect(lambda _m: self._update_tasks())
        self.documents.import_requested.connect(self.import_files)
        self.documents.search_requested.connect(self.search)
        self.documents.open_requested.connect(self.open_source)
        self.tabs.currentChanged.connect(lambda _i: self.source.close_source())  # moved on
        self.matters.unlock_requested.connect(self.request_unlock)
        self.matters.lock_requested.connect(self.lock)
        self.matters.new_requested.connect(self.request_new_matter)
        self.engine.loading.connect(self.status.show_loading)
        self.engine.loaded.connect(self.status.show_model)
        self.engine.load_failed.connect(self._model_failed)
        self.engine.stats.connect(self.status.show_stats)
        self.status.cancel_button.clicked.connect(self.runner.cancel_all)

        self._auto_lock = QTimer(self)
        self._auto_lock.timeout.connect(self.check_idle)
        self._auto_lock.start(AUTO_LOCK_CHECK_MS)
        self.refresh_matters()
        self._show_matter_state()
        if load_model:
            self.load_model()

    # -- setup ------------------------------------------------------------------------
    def _build_actions(self) -> None:
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        self.lock_action = QAction(self.tr("&Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        models = QAction(self.tr("&Models…"), self)
        models.triggered.connect(self.open_models)
        audit_action = QAction(self.tr("&Audit…"), self)
        audit_action.triggered.connect(lambda: AuditDialog(self.runner, self).exec())
        settings = QAction(self.tr("&Settings…"), self)
        settings.triggered.connect(self.open_settings)
        find = QAction(self.tr("Search this matter"), self)
        find.setShortcut(QKeySequence("Ctrl+K"))
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        cancel = QAction(self.tr("Cancel"), self)
        cancel.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        cancel.triggered.connect(self.runner.cancel_all)
        self.addAction(cancel)
        for action in (self.lock_action, models, audit_action, settings):
            toolbar.addAction(action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.shortcuts_action = help_menu.addAction(self.tr("&Keyboard shortcuts"))
        self.shortcuts_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts (F1)."""
        dialog = ShortcutsDialog(self)
        dialog.open()
        return dialog

    def load_model(self) -> None:
        try:
            resolve_model(load_settings().default_model or None)
        except ChambersError as exc:
            self.status.model_label.setText(self.tr("No model: {0}").format(exc.message))
            self.model_problem = f"{exc.message} {exc.hint}"
            self._update_tasks()
            return
        self.model_problem = ""
        self.engine.load()

    def _model_failed(self, message: str, hint: str) -> None:
        self.status.model_label.setText(self.tr("Model not loaded"))
        self.model_problem = f"{message} {hint}"
        self._update_tasks()
        QMessageBox.warning(self, self.tr("The model could not be loaded"), f"{message}\n\n{hint}")

    # -- matters ----------------------------------------------------------------------
    def refresh_matters(self) -> None:
        self.matters.show_matters(list_vaults(), self.vault.vault_id if self.vault else None)

    def _show_matter_state(self) -> None:
        if self.vault is None:
            self.setWindowTitle(self.tr("Chambers — no matter open"))
            self.header.setText(self.tr("No matter open. Choose one on the left and unlock it."))
            self.documents.show_locked()
        else:
            self.setWindowTitle(self.tr("Chambers — {0} (unlocked)").format(self.vault.name))
            self.header.setText(self.tr("{0} — unlocked").format(self.vault.name))
            self.documents.show_documents(self.vault.list_documents())
        self.lock_action.setEnabled(self.vault is not None)
        self.source.clear()
        self.source.hide()
        self._update_tasks()
        self._show_task_documents()
        self.refresh_matters()

    def _show_task_documents(self) -> None:
        """The document pickers of the task panels follow the open matter."""
        documents = self.vault.list_documents() if self.vault is not None else []
        titles = {d.id: d.title.casefold() for d in documents}
        # By title, each attachment under its message (as in the documents table).
        documents.sort(
            key=lambda d: (
                titles.get(d.parent_id or "", "") if d.parent_id else titles[d.id],
                d.parent_id is not None,
                titles[d.id],
            )
        )
        for panel in self.task_panels:
            panel.set_documents(documents)

    def track(self, job: Job, message: str) -> Job:
        """Show a job's progress and Cancel in the status bar until it finishes."""
        self.status.show_progress(0.0, message)
        job.signals.progress.connect(lambda f, m: self.status.show_progress(f, m or message))
        job.signals.finished.connect(lambda: self.status.show_progress(None))
        return self.runner.start(job)

    def request_unlock(self, info: VaultInfo) -> UnlockDialog:
        """Open the unlock dialog; it stays up, reporting errors, until unlocked or cancelled."""
        dialog = UnlockDialog(info, self)
        dialog.submitted.connect(lambda credentials: self._start_unlock(info, dialog, credentials))
        dialog.open()
        return dialog

    def _start_unlock(
        self, info: VaultInfo, dialog: UnlockDialog, credentials: dict[str, Any]
    ) -> None:
        def work(progress: Progress, cancel: CancelToken) -> OpenedMatter | RestoredCopyError:
            progress(0.2, "Unlocking")
            try:
                return open_matter(info, **credentials)
            except RestoredCopyError as exc:  # the user decides: keep this copy, or not
                return exc

        job = Job(work, "unlock")
        job.signals.done.connect(
            lambda result: self._unlock_done(info, dialog, credentials, result)
        )
        job.signals.failed.connect(lambda msg, hint: dialog.show_error(f"{msg}\n{hint}".strip()))
        job.signals.cancelled.connect(lambda: dialog.set_busy(False))
        self.track(job, self.tr("Unlocking {0}…").format(info.name))

    def _unlock_done(
        self,
        info: VaultInfo,
        dialog: UnlockDialog,
        credentials: dict[str, Any],
        result: OpenedMatter | RestoredCopyError,
    ) -> None:
        if isinstance(result, RestoredCopyError):
            self._offer_restored_copy(info, dialog, credentials, result)
            return
        dialog.accept()
        self._unlocked(result)

    def _offer_restored_copy(
        self,
        info: VaultInfo,
        dialog: UnlockDialog,
        credentials: dict[str, Any],
        error: RestoredCopyError,
    ) -> None:
        self.restored_copy_box = ask_keep_restored_copy(
            self,
            error.situation or error.message,
            keep=lambda: self._accept_restored_copy(info, dialog, credentials),
            cancel=lambda: dialog.show_error(f"{error.message}\n{error.hint}".strip()),
        )

    def _accept_restored_copy(
        self, info: VaultInfo, dialog: UnlockDialog, credentials: dict[str, Any]
    ) -> None:
        def work(progress: Progress, cancel: CancelToken) -> OpenedMatter:
            progress(0.2, "Accepting the restored copy")
            return open_matter(info, accept_restored=True, **credentials)

        job = Job(work, "accept restored copy")
        job.signals.done.connect(dialog.accept)
        job.signals.done.connect(self._unlocked)
        job.signals.failed.connect(lambda msg, hint: dialog.show_error(f"{msg}\n{hint}".strip()))
        job.signals.cancelled.connect(lambda: dialog.set_busy(False))
        self.track(job, self.tr("Opening the restored copy of {0}…").format(info.name))

    def _unlocked(self, opened: OpenedMatter) -> None:
        if self.vault is not None:
            lock_matter(self.vault, reason="switch")
        self.vault = opened.vault
        self._show_matter_state()
        self.show_kept_results()
        try:  # where this matter's model runs: this computer or the firm server (policy)
            self.engine.use_for_matter([opened.vault.vault_id, opened.vault.name])
        except ChambersError as exc:
            self.status.showMessage(exc.message, 10_000)
        if opened.warning:
            QMessageBox.warning(self, self.tr("This matter may be an old copy"), opened.warning)

    def lock(self, reason: str = "user") -> None:
        if self.vault is None:
            return
        self.runner.cancel_all()
        lock_matter(self.vault, reason=reason)
        self.vault = None
        self._show_matter_state()

    def check_idle(self, now: float | None = None) -> bool:
        """Lock the open matter after the idle time set in Settings; True if it locked."""
        minutes = load_settings().auto_lock_minutes
        if self.vault is None or minutes <= 0 or self.runner.busy:
            return False
        if self.vault.idle_seconds(now if now is not None else time.monotonic()) < minutes * 60:
            return False
        self.lock(reason="idle")
        return True

    def request_new_matter(self) -> NewMatterDialog:
        dialog = NewMatterDialog(self)
        dialog.accepted.connect(lambda: self._start_create(dialog))
        dialog.open()
        return dialog

    def _start_create(self, dialog: NewMatterDialog) -> None:
        name = dialog.name.text().strip()
        passphrase = dialog.passphrase.text() or None
        use_keyring = dialog.use_keyring.isChecked()

        def work(progress: Progress, cancel: CancelToken) -> tuple[VaultInfo, str]:
            progress(0.1, "Creating the matter's keys")
            return create_matter(name, passphrase=passphrase, use_keyring=use_keyring)

        job = Job(work, "new matter")
        job.signals.done.connect(self._created)
        job.signals.failed.connect(
            lambda msg, hint: QMessageBox.warning(
                self, self.tr("Could not create the matter"), f"{msg}\n\n{hint}"
            )
        )
        self.track(job, self.tr("Creating {0}…").format(name))

    def _created(self, result: tuple[VaultInfo, str]) -> None:
        info, recovery_key = result
        self.refresh_matters()
        self.recovery_dialog = RecoveryKeyDialog(info.name, recovery_key, self)
        self.recovery_dialog.open()

    # -- documents --------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.documents)
        self.documents.focus_search()

    def import_files(self, paths: list[Path]) -> Job | None:
        """Import in the background with progress and Cancel; report what was refused."""
        vault = self.vault
        if vault is None:
            return None

        def work(progress: Progress, cancel: CancelToken) -> ImportSummary:
            return import_paths(vault, paths, recursive=True, progress=progress, cancel=cancel)

        job = Job(work, "import")
        job.signals.done.connect(self._imported)
        job.signals.failed.connect(
            lambda msg, hint: QMessageBox.warning(
                self, self.tr("Import failed"), f"{msg}\n\n{hint}"
            )
        )
        return self.track(job, self.tr("Importing {0} item(s)…").format(len(paths)))

    def _imported(self, summary: ImportSummary) -> None:
        self.last_import = summary
        if self.vault is not None:
            self.documents.show_documents(self.vault.list_documents())
            self._show_task_documents()
        text = self.tr("{0} imported, {1} already in the matter, {2} refused").format(
            len(summary.imported), len(summary.duplicates), len(summary.refused)
        )
        self.status.showMessage(
            text + (self.tr(" (cancelled)") if summary.cancelled else ""), 15_000
        )
        if summary.refused:
            lines = [f"• {r.message} {r.hint}" for r in summary.refused]
            box = QMessageBox(
                QMessageBox.Icon.Warning, self.tr("Some files were not imported"), text, parent=self
            )
            box.setDetailedText("\n".join(lines))
            box.setInformativeText("\n".join(lines[:5]))
            box.open()

    def search(self, query: str) -> Job | None:
        """Search on a worker (a large matter's index takes a while); the newest query wins."""
        vault = self.vault
        if vault is None:
            return None
        self._searches += 1
        number = self._searches

        def work(progress: Progress, cancel: CancelToken) -> list[SearchHit]:
            return vault.search(query, limit=30)

        def show(hits: list[SearchHit], error: str = "") -> None:
            if self.vault is vault and number == self._searches:
                self.documents.show_results(hits, error)

        job = Job(work, "search")
        job.signals.done.connect(show)
        job.signals.failed.connect(lambda msg, hint: show([], f"{msg} {hint}"))
        return self.quick.start(job)

    # -- tasks and sources ---------------------------------------------------------------
    @property
    def task_panels(self) -> list[TaskPanel]:
        return [
            self.ask_panel,
            self.summarise_panel,
            self.extract_panel,
            self.draft_panel,
            self.review_panel,
        ]

    def _update_tasks(self) -> None:
        """Enable the task panels when a matter is open and the model is ready, else say why."""
        if self.vault is None:
            for panel in self.task_panels:
                panel.clear()
                panel.set_available(False)
            return
        reason = ""
        if self.engine.engine is None:
            reason = (
                self.tr("No model can run: {0} Open Models… to install or choose one.").format(
                    self.model_problem
                )
                if self.model_problem
                else self.tr("The model is loading…")
            )
        for panel in self.task_panels:
            panel.set_available(not reason, reason)

    def run_task(self, panel: TaskPanel, request: TaskRequest) -> Job | None:
        """Run a panel's request in the background with progress and Cancel.

        Its results reach the panel only while the matter it started in is still open, so
        a job that ends after a lock shows nothing.
        """
        vault, engine = self.vault, self.engine.engine
        side = request.on_done is not None
        if vault is None or (request.needs_engine and engine is None):
            (panel.error if side else panel.fail)(
                self.tr("Unlock a matter and wait for the model first.")
            )
            return None

        def work(progress: Progress, cancel: CancelToken) -> Any:
            emit = job.signals.partial.emit
            return request.work(TaskContext(vault, progress, cancel, emit, engine))

        def guard(slot: Callable[..., None]) -> Callable[..., None]:
            def guarded(*args: Any) -> None:
                if self.vault is vault:
                    slot(*args)

            return guarded

        job = Job(work, request.name)
        failed = panel.error if side else panel.fail
        job.signals.done.connect(guard(request.on_done or panel.finish))
        job.signals.failed.connect(guard(lambda msg, hint: failed(f"{msg} {hint}".strip())))
        if not side:
            job.signals.done.connect(guard(lambda _result: self.keep_result(panel)))
            job.signals.cancelled.connect(guard(lambda: panel.fail(request.cancelled)))
            job.signals.progress.connect(guard(panel.show_progress))
            job.signals.partial.connect(guard(panel.partial))
        return self.track(job, request.message)

    def keep_result(self, panel: TaskPanel) -> None:
        """Keep what ``panel`` shows now in the vault, so it shows again after a lock."""
        vault, shown = self.vault, panel.snapshot() if panel.shown_key else None
        if vault is None or shown is None:
            return

        def work(progress: Progress, cancel: CancelToken) -> None:
            save_shown(vault, panel.shown_key, shown)

        self.quick.start(Job(work, "keep result"))

    def show_kept_results(self) -> Job | None:
        """The results the panels showed before the matter was locked, from its vault."""
        vault = self.vault
        if vault is None:
            return None

        def work(progress: Progress, cancel: CancelToken) -> Any:
            return load_shown(vault)

        def show(kept: tuple[dict[str, dict[str, Any]], list[Correction]]) -> None:
            shown, corrections = kept
            if self.vault is not vault:
                return  # locked again meanwhile
            for panel in self.task_panels:
                if panel.shown_key in shown and not panel.busy and not panel.has_result():
                    try:
                        panel.restore(shown[panel.shown_key], corrections)
                    except (KeyError, TypeError, ValueError):  # an older shape: not shown
                        panel.reset()
                    panel.refresh()

        job = Job(work, "kept results")
        job.signals.done.connect(show)
        return self.quick.start(job)

    def open_citation(self, citation: Citation) -> None:
        """Open the cited page in the source pane with the quote highlighted."""
        self.open_source(citation.document_id, citation.page, citation.cited)

    def open_source(self, document_id: str, page: int, quote: Quote | str = "") -> None:
        """Show ``page`` of the document in the source pane, ``quote`` marked at its span
        (text kept without a span: where it is found)."""
        if self.vault is None:
            return
        self.source.show()
        self.source.show_page(self.vault, document_id, page, quote)

    # -- dialogs ----------------------------------------------------------------------
    def open_models(self) -> None:
        ModelsDialog(self.runner, self).exec()

    def open_settings(self) -> None:
        SettingsDialog(self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.cancel_all()
        if self.vault is not None:
            lock_matter(self.vault, reason="exit")
            self.vault = None
        self.runner.wait(10_000)
        self.quick.wait(10_000)
        self.engine.close()
        super().closeEvent(event)
