"""Extract: a field set over chosen documents into a grid that a person reviews and exports.

Selecting a cell opens its page in the source pane with the quote marked (for an
unsupported value, the closest real sentence). Double-click, Enter or F2 edits a value,
"Accept" confirms it as it stands; both are stored in the vault as reviewed corrections
by the main window, and the exported file carries the reviewed values.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChambersError
from app.gui.grid_model import GridModel
from app.tasks.corrections import Correction, apply_corrections
from app.tasks.extract import Cell, Grid
from app.tasks.fieldsets import FieldSet, list_fieldsets, load_fieldset
from app.vault import DocumentInfo

DEFAULT_FIELDSET = "commercial-contract"


class GridTable(QTableView):
    """The grid; Enter (or Return) starts editing the current cell, as F2 does."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        editing = self.state() == QAbstractItemView.State.EditingState
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not editing and self.currentIndex().isValid():
            self.edit(self.currentIndex())
            return
        super().keyPressEvent(event)


def _checklist(name: str) -> QListWidget:
    widget = QListWidget()
    widget.setAccessibleName(name)
    widget.setAlternatingRowColors(True)
    # Long names are elided (the tooltip has them whole) rather than scrolled sideways.
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    widget.setUniformItemSizes(True)
    return widget


def _checked(widget: QListWidget) -> list[str]:
    return [
        str(widget.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


class ExtractPanel(QWidget):
    extract_requested = Signal(list, object)  # document ids, FieldSet
    cancel_requested = Signal()
    source_requested = Signal(str, int, str)  # document id, page, quote
    review_requested = Signal(str, str, str, object)  # document id, field, value, model's Cell
    export_requested = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fieldset_box = QComboBox()
        self.fieldset_box.setAccessibleName(self.tr("Field set"))
        self.fieldset_box.addItems(list_fieldsets())
        fieldset_label = QLabel(self.tr("&Field set:"))
        fieldset_label.setBuddy(self.fieldset_box)
        self.documents = _checklist(self.tr("Documents to extract from"))
        documents_label = QLabel(self.tr("Docume&nts:"))
        documents_label.setBuddy(self.documents)
        self.fields = _checklist(self.tr("Fields to extract"))
        fields_label = QLabel(self.tr("Fi&elds:"))
        fields_label.setBuddy(self.fields)
        self.run_button = QPushButton(self.tr("Extrac&t"))
        self.run_button.setAccessibleName(self.tr("Extract the fields"))
        self.run_button.setToolTip(self.tr("Fill the grid for the checked documents (Ctrl+Enter)"))
        self.run_button.clicked.connect(self._run)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the extraction"))
        self.cancel_button.setToolTip(self.tr("Stop the extraction (Esc)"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.export_button = QPushButton(self.tr("Ex&port…"))
        self.export_button.setAccessibleName(self.tr("Export the grid"))
        self.export_button.setToolTip(
            self.tr("Save the grid, with reviewed values, as XLSX, CSV or JSON")
        )
        self.export_button.clicked.connect(self._choose_export)
        self.accept_button = QPushButton(self.tr("A&ccept cell"))
        self.accept_button.setAccessibleName(self.tr("Accept the selected cell as reviewed"))
        self.accept_button.clicked.connect(self._accept)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Extraction progress"))
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.progress.hide()
        self.state = QLabel("")
        self.state.setAccessibleName(self.tr("Extraction status"))
        self.state.setWordWrap(True)
        self.model = GridModel()
        self.model.edited.connect(self._edited)
        self.table = GridTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Extraction grid: documents by fields"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.horizontalHeader().setDefaultSectionSize(180)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setMaximumWidth(260)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.detail = QLabel("")
        self.detail.setAccessibleName(self.tr("Evidence for the selected cell"))
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.activated.connect(self._run)

        setup = QWidget()
        left = QVBoxLayout(setup)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(fieldset_label)
        left.addWidget(self.fieldset_box)
        left.addWidget(documents_label)
        left.addWidget(self.documents, 1)
        left.addWidget(fields_label)
        left.addWidget(self.fields, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        left.addLayout(buttons)
        result = QWidget()
        right = QVBoxLayout(result)
        right.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.export_button)
        right.addLayout(top)
        right.addWidget(self.progress)
        right.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.detail, 1)
        bottom.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignTop)
        right.addLayout(bottom)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(setup)
        split.addWidget(result)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.raw_grid: Grid | None = None
        self.corrections: dict[tuple[str, str], Correction] = {}
        self.fieldset: FieldSet | None = None
        self._available = self._busy = False
        self.fieldset_box.currentTextChanged.connect(self._load_fieldset)
        if self.fieldset_box.findText(DEFAULT_FIELDSET) >= 0:
            self.fieldset_box.setCurrentText(DEFAULT_FIELDSET)
        self._load_fieldset(self.fieldset_box.currentText())
        self.set_available(False)

    # -- state from the main window ------------------------------------------------------
    def set_available(self, available: bool, reason: str = "") -> None:
        """Whether an extraction can be run now (``reason`` says why not).

        A grid already shown stays reviewable and exportable without a model.
        """
        self._available = available
        if not available:
            self.state.setText(reason or self.tr("Unlock a matter to extract fields from it."))
        elif not self._busy and self.raw_grid is None:
            self.state.setText(self.tr("Check documents and fields, then Extract."))
        self._update_enabled()

    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The open matter's top-level documents, all checked (a choice is kept)."""
        unchecked = {
            str(self.documents.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.documents.count())
            if self.documents.item(i).checkState() == Qt.CheckState.Unchecked
        }
        self.documents.clear()
        for info in documents:
            if info.parent_id is not None:
                continue  # attachments are extracted on request from the CLI
            item = QListWidgetItem(info.title)
            item.setToolTip(info.title)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = info.id not in unchecked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.documents.addItem(item)
        self._update_enabled()

    def clear(self) -> None:
        """Forget everything shown, the document list included (the matter was locked)."""
        self.clear_grid()
        self.documents.clear()
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self._update_enabled()

    def _update_enabled(self) -> None:
        ready = self._available and not self._busy
        for widget in (self.fieldset_box, self.documents, self.fields):
            widget.setEnabled(ready)
        self.run_button.setEnabled(
            ready and self.fieldset is not None and self.documents.count() > 0
        )
        has_grid = self.raw_grid is not None
        idle = has_grid and not self._busy
        self.export_button.setEnabled(idle)
        self.accept_button.setEnabled(idle and self.table.currentIndex().isValid())

    # -- field sets ---------------------------------------------------------------------
    def _load_fieldset(self, name: str) -> None:
        self.fields.clear()
        self.fieldset = None
        if not name:
            return
        try:
            self.fieldset = load_fieldset(name)
        except ChambersError as exc:
            self.state.setText(f"{exc.message} {exc.hint}")
            self._update_enabled()
            return
        for item in self.fieldset.fields:
            entry = QListWidgetItem(item.title)
            entry.setData(Qt.ItemDataRole.UserRole, item.name)
            entry.setToolTip(f"{item.title}: {item.description}")
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked)
            self.fields.addItem(entry)
        self._update_enabled()

    def choose_fields(self, names: list[str]) -> None:
        """Check exactly the fields named (for scripted runs and tests)."""
        for i in range(self.fields.count()):
            item = self.fields.item(i)
            wanted = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    # -- a run --------------------------------------------------------------------------
    def _run(self) -> None:
        if not self.run_button.isEnabled() or self.fieldset is None:
            return
        documents, names = _checked(self.documents), _checked(self.fields)
        if not documents or not names:
            self.state.setText(self.tr("Check at least one document and one field."))
            return
        self.clear_grid()
        self.progress.setValue(0)
        self.state.setText(
            self.tr("Extracting {0} field(s) from {1} document(s)…").format(
                len(names), len(documents)
            )
        )
        self.set_busy(True)
        self.extract_requested.emit(documents, self.fieldset.subset(names))

    def clear_grid(self) -> None:
        self.raw_grid, self.corrections = None, {}
        self.model.set_grid(None)
        self.detail.clear()

    def show_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(fraction * 1000))
        if message:
            self.state.setText(message)

    def show_grid(self, grid: Grid, corrections: list[Correction]) -> None:
        """The model's grid with the reviewed values already stored for it."""
        self.raw_grid = grid
        self.corrections = {
            (c.document_id, c.field): c for c in corrections if c.fieldset == grid.fieldset
        }
        self.model.set_grid(apply_corrections(grid, self.corrections.values()))
        self.table.resizeRowsToContents()
        counts = grid.counts()
        self.state.setText(
            self.tr(
                "{0} document(s) x {1} field(s): {2} supported, {3} unsupported (⚠), "
                "{4} not found. Select a cell to see its source; Enter edits, Accept confirms."
            ).format(
                len(grid.rows),
                len(grid.fields),
                counts["supported"],
                counts["unsupported"],
                counts["not_found"],
            )
        )
        self.set_busy(False)
        if grid.rows and grid.fields:
            self.table.setFocus()

    def show_error(self, message: str) -> None:
        self.state.setText(message)
        self.set_busy(False)

    def add_correction(self, correction: Correction) -> None:
        """A review the main window stored: show the cell as reviewed."""
        if self.raw_grid is None:
            return
        self.corrections[(correction.document_id, correction.field)] = correction
        self.model.update_grid(apply_corrections(self.raw_grid, self.corrections.values()))
        self._show_detail(self.table.currentIndex())

    def export_to(self, path: Path) -> None:
        if self.raw_grid is not None:
            self.export_requested.emit(path)

    def show_exported(self, path: Path) -> None:
        self.state.setText(self.tr("Exported to {0}").format(path))

    # -- cells --------------------------------------------------------------------------
    def select_cell(self, row: int, column: int) -> None:
        index = self.model.index(row, column)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def model_cell(self, row: int, column: int) -> tuple[str, str, Cell]:
        """(document id, field name, the model's own cell) at ``row``, ``column``."""
        assert self.raw_grid is not None
        record = self.raw_grid.rows[row]
        name = self.raw_grid.fields[column][0]
        return record.document_id, name, record.cells[name]

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current)
        self._update_enabled()
        cell = self.model.cell(current)
        if cell is None or cell.page is None or self.model.grid is None:
            return
        document_id = self.model.grid.rows[current.row()].document_id
        quote = cell.quote if cell.status == "supported" else (cell.closest or "")
        self.source_requested.emit(document_id, cell.page, quote)

    def _show_detail(self, index: QModelIndex) -> None:
        cell = self.model.cell(index)
        if cell is None or self.model.grid is None:
            self.detail.clear()
            return
        field = self.model.grid.fields[index.column()][1]
        title = self.model.grid.rows[index.row()].title
        explained = html.escape(self.model.explain(cell)).replace("\n", "<br>")
        self.detail.setText(
            f"<b>{html.escape(title)} — {html.escape(field)}:</b> "
            f"{html.escape(self.model.display(cell))}<br>{explained}"
        )

    def _edited(self, row: int, column: int, value: str) -> None:
        document_id, name, cell = self.model_cell(row, column)
        self.review_requested.emit(document_id, name, value, cell)

    def _accept(self) -> None:
        index = self.table.currentIndex()
        shown = self.model.cell(index)
        if shown is None:
            return
        document_id, name, cell = self.model_cell(index.row(), index.column())
        self.review_requested.emit(document_id, name, shown.value or "", cell)

    def _choose_export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the grid"),
            str(Path.home() / "extraction.xlsx"),
            self.tr("Excel workbook (*.xlsx);;CSV (*.csv);;JSON (*.json)"),
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".csv", ".json"):
            suffix = ".csv" if "csv" in chosen.lower() else ".json" if "json" in chosen else ".xlsx"
            target = target.with_suffix(suffix)
        self.export_to(target)
