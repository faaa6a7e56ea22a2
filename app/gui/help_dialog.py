"""Help: the keyboard shortcuts, listed where a person looks for them (Help menu, F1).

The list is kept beside the code that defines the keys (the main window's actions, the
task panels' Run and undo, the source viewer's buttons) and a test checks that each
window-wide key listed is really bound, so the list cannot drift from the app.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: (keys, what they do). Keys as QKeySequence writes them in its portable form.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+K", "Search this matter"),
    ("Ctrl+L", "Lock the open matter"),
    ("Ctrl+Return", "Run the task of the panel shown (Ask, Summarise, Extract…)"),
    ("Esc", "Cancel the task running"),
    ("Ctrl+Z", "Undo the last review in Review or Extract (until you leave the panel)"),
    ("Ctrl+Shift+Z", "Redo the review undone"),
    ("Return", "Open the document or search hit selected; edit the grid cell selected"),
    ("F2", "Edit the grid cell selected"),
    ("Ctrl++", "Source pane: larger"),
    ("Ctrl+-", "Source pane: smaller"),
    ("Ctrl+W", "Close the source pane"),
    ("F1", "This list"),
)


class ShortcutsDialog(QDialog):
    """A read-only table of the keyboard shortcuts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.resize(560, 420)
        self.table = QTableWidget(len(SHORTCUTS), 2)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("What they do")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, meaning) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(self.tr(meaning)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
