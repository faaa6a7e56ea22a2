"""The Extract grid as a lawyer works through it: sorted by any column, filtered by words,
or narrowed to the documents that still need review.

A document (row) "needs review" while one of its cells is flagged for a second look, or
unsupported (its quote is not on the cited page) with no person having accepted or
corrected it. Sorting by a field (click
its header) compares the cells' values, case-blind, with empty cells last.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from app.gui.grid_model import GridModel
from app.tasks.extract import Cell

Index = QModelIndex | QPersistentModelIndex


def needs_review(cell: Cell) -> bool:
    return cell.flagged or (cell.status == "unsupported" and not cell.reviewed)


class GridFilter(QSortFilterProxyModel):
    def __init__(self, source: GridModel) -> None:
        super().__init__()
        self.grid_model = source
        self.setSourceModel(source)
        self.setDynamicSortFilter(True)
        self._words = ""
        self._only_review = False

    def set_words(self, text: str) -> None:
        self.beginFilterChange()
        self._words = " ".join(text.casefold().split())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_only_review(self, only: bool) -> None:
        self.beginFilterChange()
        self._only_review = only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        grid = self.grid_model.grid
        if grid is None or source_row >= len(grid.rows):
            return True
        row = grid.rows[source_row]
        if self._only_review and not any(needs_review(c) for c in row.cells.values()):
            return False
        if not self._words:
            return True
        shown = [row.title] + [self.grid_model.display(c) for c in row.cells.values()]
        return self._words in " ".join(shown).casefold()

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = self.grid_model.cell(left), self.grid_model.cell(right)
        key_a = (a is None or not a.value, (a.value or "").casefold() if a else "")
        key_b = (b is None or not b.value, (b.value or "").casefold() if b else "")
        return key_a < key_b

    def source_index(self, index: QModelIndex) -> QModelIndex:
        """The grid model's index for a proxy ``index`` (passes a source index through)."""
        if index.isValid() and index.model() is self:
            return self.mapToSource(index)
        return index
