"""What a panel whose answers a person reviews needs: store a review, export with reviews.

The Extract grid and the Review table both show a model's values that a lawyer accepts or
corrects. A review is stored as a correction in the vault (app/tasks/corrections.py, one
audit record each, named for the task) and an export writes the values as reviewed, from
the same grid shape (documents x fields), so both panels share this instead of each
wiring its own jobs and file dialog.

Nothing changes without an explicit choice: a choice box in a table ignores the mouse
wheel (the table scrolls instead), and every stored review goes on the panel's undo
stack, so Ctrl+Z puts the earlier stored value back (Ctrl+Shift+Z redoes) until the
panel is left.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QUndoCommand, QUndoStack, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QFileDialog,
    QWidget,
)

from app.gui.task_panel import TaskContext, TaskPanel
from app.tasks.corrections import (
    Correction,
    export_reviewed,
    restore_correction,
    save_correction,
    withdraw_correction,
)
from app.tasks.extract import Cell, Grid

SUFFIXES = (".xlsx", ".csv", ".json")


def choose_export_path(parent: QWidget, title: str, suggested: str, filters: str) -> Path | None:
    """Ask where to export; the suffix follows the chosen type when the name has none."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), filters)
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        suffix = ".csv" if "csv" in chosen.lower() else ".json" if "json" in chosen else ".xlsx"
        target = target.with_suffix(suffix)
    return target


class ChoiceBox(QComboBox):
    """A choice box inside a table: it changes on a click that opens its list or on a key,
    never on the mouse wheel passing over it (the wheel scrolls the table)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not focus it

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Hand the wheel to the table around the box (it scrolls); the box stays as it is."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()
            return
        QApplication.sendEvent(area.viewport(), event.clone())
        event.accept()


class ReviewCommand(QUndoCommand):
    """One stored review; undo puts back what was stored before it (or nothing)."""

    def __init__(self, panel: ReviewingPanel, before: Correction | None, after: Correction):
        super().__init__(panel.tr("review"))
        self.panel, self.before, self.after = panel, before, after
        self._stored = True  # pushed after the save: the first redo has nothing to do

    def redo(self) -> None:
        if self._stored:
            self._stored = False
            return
        self.panel.put_back(self.after, self.after)

    def undo(self) -> None:
        self.panel.put_back(self.before, self.after)


class ReviewingPanel(TaskPanel):
    """A task panel whose results are reviewed cell by cell and exported as reviewed."""

    def __init__(self, run_text: str, run_name: str, what: str, parent: QWidget | None = None):
        super().__init__(run_text, run_name, what, parent)
        self.undo_stack = QUndoStack(self)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            (QKeySequence.StandardKey.Redo, self.undo_stack.redo),
            (QKeySequence("Ctrl+Shift+Z"), self.undo_stack.redo),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def stored_review(self, fieldset: str, document_id: str, field: str) -> Correction | None:
        """The review of one cell stored now, as the panel knows it (for undo)."""
        raise NotImplementedError

    def show_review(
        self, fieldset: str, document_id: str, field: str, correction: Correction | None
    ) -> None:
        """Show a cell's stored review (None: the model's own value again)."""
        raise NotImplementedError

    def store_review(
        self,
        fieldset: str,
        document_id: str,
        field: str,
        value: str,
        original: Cell,
        on_done: Callable[[Correction], None],
        *,
        flagged: bool = False,
    ) -> None:
        """Store ``value`` as the reviewed value of one cell (or, ``flagged``, a flag for a
        second look), on a worker; undoable."""
        before = self.stored_review(fieldset, document_id, field)

        def work(task: TaskContext) -> Correction:
            return save_correction(
                task.vault,
                document_id,
                field,
                value,
                fieldset=fieldset,
                original=original,
                flagged=flagged,
            )

        def stored(correction: Correction) -> None:
            self.undo_stack.push(ReviewCommand(self, before, correction))
            on_done(correction)

        self.side_job(
            "review",
            self.tr("Saving the review…"),
            work,
            stored,
            document_id=document_id,
            field=field,
            value=value,
            original=original,
        )

    def put_back(self, correction: Correction | None, cell: Correction) -> None:
        """Store ``correction`` as the review of ``cell``'s cell again (None: remove it)."""
        fieldset, document_id, field = cell.fieldset, cell.document_id, cell.field

        def work(task: TaskContext) -> Correction | None:
            if correction is None:
                withdraw_correction(task.vault, document_id, field, fieldset=fieldset)
                return None
            return restore_correction(task.vault, correction)

        self.side_job(
            "undo review",
            self.tr("Undoing the review…"),
            work,
            lambda stored: self.show_review(fieldset, document_id, field, stored),
            document_id=document_id,
            field=field,
        )
        self.state.setText(
            self.tr("Review undone.") if correction is not cell else self.tr("Review redone.")
        )

    def forget_undo(self) -> None:
        """Edits can no longer be undone (the panel was left, or its results changed)."""
        self.undo_stack.clear()

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():  # another tab chosen; not the window minimised
            self.forget_undo()
        super().hideEvent(event)

    def export_grid(self, grid: Grid, path: Path) -> None:
        """Write ``grid`` with the vault's reviewed values (CSV, XLSX or JSON by suffix)."""

        def work(task: TaskContext) -> Path:
            export_reviewed(grid, task.vault, path)
            return path

        self.side_job("export", self.tr("Exporting…"), work, self.show_exported, path=path)

    def show_exported(self, path: Path) -> None:
        self.state.setText(self.tr("Exported to {0}").format(path))

    def export_to(self, path: Path) -> None:
        """Export the results shown to ``path`` (a subclass builds its grid)."""
        raise NotImplementedError

    def choose_export(self, title: str, suggested: str) -> None:
        """The Export… button: ask for a file, then export to it."""
        filters = self.tr("Excel workbook (*.xlsx);;CSV (*.csv);;JSON (*.json)")
        target = choose_export_path(self, title, suggested, filters)
        if target is not None:
            self.export_to(target)
