"""The Extract grid as a table model: documents down, fields across, evidence in every cell.

A cell's state is never shown by colour alone: an unsupported value is shaded *and*
starts with "⚠", a not-found cell reads "— not found", a reviewed cell starts with "✓",
a cell flagged for a second look starts with "⚑";
the tooltip and the accessible text say the same in words, with the page, the quote and,
for an unsupported value, the closest real sentence of the passage.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from app.tasks.extract import Cell, Grid

Index = QModelIndex | QPersistentModelIndex
CELL_ROLE = Qt.ItemDataRole.UserRole
UNSUPPORTED_BACKGROUND = QColor("#fff2cc")
REVIEWED_BACKGROUND = QColor("#e2f0d9")
FLAGGED_BACKGROUND = QColor("#f8d7da")
INK = QColor("#1a1a1a")
NOT_FOUND_INK = QColor("#5f5f5f")


class GridModel(QAbstractTableModel):
    """Shows a Grid; an edit is not applied here but reported through ``edited``."""

    edited = Signal(int, int, str)  # row, column, new value

    def __init__(self) -> None:
        super().__init__()
        self.grid: Grid | None = None

    def set_grid(self, grid: Grid | None) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def update_grid(self, grid: Grid) -> None:
        """Same shape, new values (after a review): keeps the selection."""
        self.grid = grid
        if self.rowCount() and self.columnCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def cell(self, index: Index) -> Cell | None:
        if self.grid is None or not index.isValid():
            return None
        name = self.grid.fields[index.column()][0]
        return self.grid.rows[index.row()].cells[name]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.fields)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.grid is None or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.grid.fields[section][1]
        return self.grid.rows[section].title

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(cell)
        if role == Qt.ItemDataRole.EditRole:
            return cell.value or ""
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return self.explain(cell)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.display(cell)}. {self.explain(cell)}"
        if role == Qt.ItemDataRole.BackgroundRole:
            if cell.flagged:
                return QBrush(FLAGGED_BACKGROUND)
            if cell.reviewed:
                return QBrush(REVIEWED_BACKGROUND)
            if cell.status == "unsupported":
                return QBrush(UNSUPPORTED_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if cell.status == "not_found" and not cell.value:
                return QBrush(NOT_FOUND_INK)
            # Shaded cells keep dark ink, so a dark theme cannot make them unreadable.
            shaded = cell.reviewed or cell.flagged or cell.status == "unsupported"
            return QBrush(INK) if shaded else None
        if role == Qt.ItemDataRole.FontRole and cell.status == "not_found" and not cell.value:
            font = QFont()
            font.setItalic(True)
            return font
        if role == CELL_ROLE:
            return cell
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.cell(index) is None:
            return False
        text = " ".join(str(value).split())
        self.edited.emit(index.row(), index.column(), text)
        return True

    # -- words for a cell ----------------------------------------------------------------
    def display(self, cell: Cell) -> str:
        if cell.flagged:
            return "⚑ " + (cell.value or self.tr("not found"))
        if cell.reviewed:
            return "✓ " + (cell.value or self.tr("not in the document"))
        if not cell.value:
            return self.tr("— not found")
        if cell.status == "not_found":
            # "Not found" is not "No": a No is a finding and needs a sentence that says no.
            # A yes/no clause no sentence makes is shown as not found, its reason in the tip.
            return self.tr("— not found (no such clause)")
        if cell.status == "unsupported":
            return "⚠ " + cell.value
        return cell.value

    def explain(self, cell: Cell) -> str:
        lines = []
        if cell.flagged:
            lines.append(self.tr("Flagged by a person for a second look."))
        if cell.reviewed:
            lines.append(self.tr("Reviewed: accepted or corrected by a person."))
        if cell.status == "supported":
            lines.append(self.tr("Supported: p. {0}: “{1}”").format(cell.page, cell.quote))
            if cell.derivation:
                lines.append(self.tr("Worked out as: {0}").format(cell.derivation))
            if cell.decided_by == "model":
                lines.append(self.tr("The model chose this sentence among close candidates."))
        elif cell.status == "unsupported":
            lines.append(
                self.tr("UNSUPPORTED: the model's quote is not on p. {0}: “{1}”").format(
                    cell.page, cell.quote
                )
            )
            if cell.closest:
                lines.append(self.tr("Closest real sentence: “{0}”").format(cell.closest))
            else:
                lines.append(self.tr("No similar sentence was found; check the page."))
        else:
            lines.append(cell.note or self.tr("Not found in the document."))
        return "\n".join(lines)
