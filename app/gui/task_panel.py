"""The frame every task panel shares: run / cancel / progress / state, and one request type.

A task panel gathers its inputs and, on Run, emits a :class:`TaskRequest`: the work to do
(a plain function of the engine, the vault, progress and cancel, the same task functions
the CLI calls) and how to present it. The main window's ``run_task`` runs any request the
same way, and hands the outcome back through ``finish`` / ``fail`` / ``partial`` /
``show_progress`` only while the matter it was started in is still open. So a panel
implements what is particular to it (its inputs, ``request``, ``done``, optionally
``partial`` and ``reset``) and never re-implements busy, progress or enabled state; this is
the shape of Orange's ConcurrentWidgetMixin, without a panel holding a thread pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.cancel import CancelToken, Progress
from app.engine.protocol import EngineLike
from app.vault import DocumentInfo, Vault


@dataclass(frozen=True)
class TaskContext:
    """What a request's work runs with, on a worker thread."""

    vault: Vault
    progress: Progress
    cancel: CancelToken
    #: Emits a partial result to the panel's ``partial`` (queued onto the GUI thread).
    emit: Callable[[Any], None]
    loaded_engine: EngineLike | None = None  # None for a side job (``needs_engine=False``)

    @property
    def engine(self) -> EngineLike:
        if self.loaded_engine is None:
            raise RuntimeError("This request was made with needs_engine=False.")
        return self.loaded_engine


@dataclass(frozen=True)
class TaskRequest:
    """One run a panel asks for; ``params`` are its inputs as chosen (for tests and logs)."""

    name: str  # for the job and its log lines: "summary"
    message: str  # the status bar while it runs: "Summarising…"
    work: Callable[[TaskContext], Any]
    params: Mapping[str, Any] = field(default_factory=dict)
    #: Shown in the panel when cancelled ("" shows nothing special).
    cancelled: str = ""
    #: False for work on the vault alone (storing a review, exporting), which runs with
    #: no model loaded.
    needs_engine: bool = True
    #: A side job (export, review) hands its result here and leaves the panel's run state
    #: alone; None: the result is the panel's run (``TaskPanel.finish``).
    on_done: Callable[[Any], None] | None = None


#: A time estimate is shown once a run has gone this long and this far (earlier, a guess).
ESTIMATE_AFTER_S = 8.0
ESTIMATE_FROM = 0.03


def time_left(elapsed: float, fraction: float) -> str:
    """ "about 4 min left" from the time so far and the share done; "" while too early."""
    if elapsed < ESTIMATE_AFTER_S or not ESTIMATE_FROM <= fraction < 1.0:
        return ""
    seconds = elapsed * (1.0 - fraction) / fraction
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min left"
    return f"about {seconds / 3600:.1f} h left"


class StatusLine(QLabel):
    """A panel's status line; with ``collapse`` it takes no room while it says nothing."""

    collapse = False

    def setText(self, text: str) -> None:
        super().setText(text)
        if self.collapse:
            self.setVisible(bool(text))


class JobControls(QObject):
    """Run and Cancel buttons, a thin progress bar and a status line, owned by a panel,
    which lays them out where it likes."""

    def __init__(self, panel: QWidget, run_text: str, run_name: str, what: str) -> None:
        super().__init__(panel)
        self.run_button = QPushButton(run_text, panel)
        self.run_button.setAccessibleName(run_name)
        self.cancel_button = QPushButton(self.tr("Cancel"), panel)
        self.cancel_button.setAccessibleName(self.tr("Cancel the {0}").format(what))
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(panel)
        self.progress.setAccessibleName(self.tr("{0} progress").format(what.capitalize()))
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.progress.hide()
        self.state = StatusLine("", panel)
        self.state.setAccessibleName(self.tr("{0} status").format(what.capitalize()))
        self.state.setWordWrap(True)

    def buttons(self, *extra: QWidget) -> QHBoxLayout:
        """Run, Cancel and any ``extra`` buttons in a row."""
        row = QHBoxLayout()
        for button in (self.run_button, self.cancel_button, *extra):
            row.addWidget(button)
        return row


class TaskPanel(QWidget):
    """Base of the task panels; see the module docstring for what a subclass implements."""

    run_requested = Signal(object)  # TaskRequest
    cancel_requested = Signal()
    #: Document id, page, and the quote to mark: a Quote (app/tasks/quote.py), marked at
    #: its span, or text kept without a span, looked for on the page.
    source_requested = Signal(str, int, object)
    #: The selection moved to something with no page: the source pane shows nothing.
    source_cleared = Signal()

    #: Shown when no matter is open (a subclass names its task).
    locked_text = ""

    def __init__(self, run_text: str, run_name: str, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.controls = JobControls(self, run_text, run_name, what)
        self.run_button = self.controls.run_button
        self.cancel_button = self.controls.cancel_button
        self.progress = self.controls.progress
        self.state = self.controls.state
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel_requested)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.start)
        #: Input widgets, enabled only while a run can start (a subclass fills it).
        self.inputs: list[QWidget] = []
        self._available = self._busy = False
        #: When the current run started, and the step it last reported (for the estimate).
        self._started, self._step = 0.0, ""

    # -- what a subclass implements ---------------------------------------------------
    def request(self) -> TaskRequest | None:
        """The run for the current inputs, or None (after saying why in ``state``)."""
        raise NotImplementedError

    def done(self, result: Any) -> None:
        """Show a finished run's result."""
        raise NotImplementedError

    def partial(self, value: Any) -> None:
        """Show a partial result while the run goes on (only tasks that stream them)."""

    def error(self, message: str) -> None:
        """Show why a run failed or stopped; by default in the status line."""
        self.state.setText(message)

    def reset(self) -> None:
        """Forget every result shown (the matter was locked)."""

    def has_result(self) -> bool:
        return False

    #: The name the panel's last result is kept under in the vault (app/tasks/shown.py);
    #: "" keeps nothing.
    shown_key = ""

    def snapshot(self) -> dict[str, Any] | None:
        """The result shown now as JSON, kept so it shows again after lock and unlock."""
        return None

    def restore(self, shown: dict[str, Any], corrections: list[Any]) -> None:
        """Show a kept ``snapshot`` again (the matter was unlocked); ``corrections``: the
        reviews stored in the vault since."""

    def can_run(self) -> bool:
        """Whether the inputs allow a run (besides a matter and a model being ready)."""
        return True

    def idle_text(self) -> str:
        """The status line when ready and nothing has run yet."""
        return ""

    def update_actions(self, idle: bool) -> None:
        """Enable the panel's own actions on a result (Export, Save…); ``idle``: not running."""

    # -- state from the main window ---------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy

    def set_available(self, available: bool, reason: str = "") -> None:
        """Whether a run can start now (``reason`` says why not); results stay shown."""
        self._available = available
        if not available:
            self.state.setText(reason or self.locked_text)
        self.refresh()

    def refresh(self) -> None:
        """Re-derive the idle status line and what is enabled (after inputs changed)."""
        if self._available and not self._busy and not self.has_result():
            self.state.setText(self.idle_text())
        self.update_enabled()

    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The open matter's documents, for panels that choose among them."""

    def clear(self) -> None:
        """Forget everything shown, the document list included (the matter was locked)."""
        self.reset()
        self.set_documents([])
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.update_enabled()

    def update_enabled(self) -> None:
        ready = self._available and not self._busy
        for widget in self.inputs:
            widget.setEnabled(ready)
        self.run_button.setEnabled(ready and self.can_run())
        self.update_actions(not self._busy)

    # -- a run --------------------------------------------------------------------------
    def start(self) -> None:
        """Run with the current inputs (the Run button and Ctrl+Enter)."""
        if not self.run_button.isEnabled():
            return
        request = self.request()
        if request is None:
            return
        self.progress.setValue(0)
        self._started, self._step = time.monotonic(), ""
        self.set_busy(True)
        self.run_requested.emit(request)

    def side_job(
        self,
        name: str,
        message: str,
        work: Callable[[TaskContext], Any],
        on_done: Callable[[Any], None],
        **params: Any,
    ) -> TaskRequest:
        """Ask for vault-only work beside the run (storing a review, exporting)."""
        request = TaskRequest(name, message, work, params, needs_engine=False, on_done=on_done)
        self.run_requested.emit(request)
        return request

    def show_progress(self, fraction: float, message: str) -> None:
        """The run's step (window N of M, document N of M…) and, once it can be told,
        about how long is left."""
        self.progress.setValue(round(fraction * 1000))
        self._step = message or self._step
        left = time_left(time.monotonic() - self._started, fraction) if self._started else ""
        if self._step or left:
            self.state.setText(" — ".join(part for part in (self._step, left) if part))

    def finish(self, result: Any) -> None:
        """The run's result (from the main window)."""
        self.set_busy(False)
        self.done(result)

    def fail(self, message: str) -> None:
        """The run failed or was cancelled (from the main window)."""
        self.set_busy(False)
        self.error(message)


class Checklist(QListWidget):
    """A list of check boxes whose items carry an id (``UserRole``)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setAlternatingRowColors(True)
        # Long names are elided (the tooltip has them whole) rather than scrolled sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setUniformItemSizes(True)

    def add(self, text: str, item_id: str, checked: bool, tooltip: str = "") -> None:
        item = QListWidgetItem(text)
        item.setToolTip(tooltip or text)
        item.setData(Qt.ItemDataRole.UserRole, item_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.addItem(item)

    def states(self) -> dict[str, bool]:
        return {
            str(self.item(i).data(Qt.ItemDataRole.UserRole)): (
                self.item(i).checkState() == Qt.CheckState.Checked
            )
            for i in range(self.count())
        }

    def checked(self) -> list[str]:
        return [item_id for item_id, on in self.states().items() if on]

    def check_only(self, ids: Sequence[str]) -> None:
        """Check exactly the items named (for scripted runs and tests)."""
        for i in range(self.count()):
            item = self.item(i)
            wanted = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)


class DocumentChecklist(Checklist):
    """The open matter's documents with check boxes; a choice survives a refresh.

    ``checked_by_default`` is the state of a document seen for the first time (Extract
    starts with every document, Draft with none); ``top_level`` leaves out attachments.
    """

    def __init__(self, name: str, *, checked_by_default: bool, top_level: bool = False):
        super().__init__(name)
        self._default = checked_by_default
        self._top_level = top_level
        self._choices: dict[str, bool] = {}

    def set_documents(self, documents: Sequence[DocumentInfo]) -> None:
        self._choices.update(self.states())
        self.clear()
        if not documents:
            self._choices = {}  # a locked matter leaves no trace
        for info in documents:
            if self._top_level and info.parent_id is not None:
                continue  # attachments are chosen from the CLI
            text = f"↳ {info.title}" if info.parent_id else info.title
            self.add(text, info.id, self._choices.get(info.id, self._default), info.title)
