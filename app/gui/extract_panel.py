"""Extract: a field set over chosen documents into a grid that a person reviews and exports.

Selecting a cell opens its page in the source pane with the quote marked (for an
unsupported value, the closest real sentence). Double-click, Enter or F2 edits a value,
"Accept" confirms it as it stands; both are stored in the vault as reviewed corrections
by the main window, and the exported file carries the reviewed values.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChambersError
from app.gui.grid_filter import GridFilter
from app.gui.grid_model import GridModel
from app.gui.reviewing import ReviewingPanel
from app.gui.task_panel import Checklist, DocumentChecklist, TaskContext, TaskRequest
from app.tasks.audited import run_column, run_extract
from app.tasks.corrections import (
    Correction,
    apply_corrections,
    load_corrections,
)
from app.tasks.extract import Cell, Grid, Row
from app.tasks.fieldsets import FieldSet, list_fieldsets, load_fieldset
from app.tasks.shown import grid_from_json
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


class ExtractPanel(ReviewingPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Extrac&t"), self.tr("Extract the fields"), self.tr("extraction"), parent
        )
        self.locked_text = self.tr("Unlock a matter to extract fields from it.")
        self.run_button.setToolTip(self.tr("Fill the grid for the checked documents (Ctrl+Enter)"))
        self.cancel_button.setToolTip(self.tr("Stop the extraction (Esc)"))
        self.fieldset_box = QComboBox()
        self.fieldset_box.setAccessibleName(self.tr("Field set"))
        self.fieldset_box.addItems(list_fieldsets())
        fieldset_label = QLabel(self.tr("&Field set:"))
        fieldset_label.setBuddy(self.fieldset_box)
        self.documents = DocumentChecklist(
            self.tr("Documents to extract from"), checked_by_default=True, top_level=True
        )
        documents_label = QLabel(self.tr("Docume&nts:"))
        documents_label.setBuddy(self.documents)
        self.fields = Checklist(self.tr("Fields to extract"))
        fields_label = QLabel(self.tr("Fi&elds:"))
        fields_label.setBuddy(self.fields)
        self.export_button = QPushButton(self.tr("Ex&port…"))
        self.export_button.setAccessibleName(self.tr("Export the grid"))
        self.export_button.setToolTip(
            self.tr("Save the grid, with reviewed values, as XLSX, CSV or JSON")
        )
        self.export_button.clicked.connect(self._choose_export)
        self.accept_button = QPushButton(self.tr("A&ccept cell"))
        self.accept_button.setAccessibleName(self.tr("Accept the selected cell as reviewed"))
        self.accept_button.clicked.connect(self._accept)
        self.flag_button = QPushButton(self.tr("F&lag cell"))
        self.flag_button.setAccessibleName(self.tr("Flag the selected cell for a second look"))
        self.flag_button.setToolTip(
            self.tr(
                "Mark the cell ⚑ for a second look (again: remove the flag); kept in the "
                "vault and exported"
            )
        )
        self.flag_button.clicked.connect(self.flag)
        self.model = GridModel()
        self.model.edited.connect(self._edited)
        self.rows_shown = GridFilter(self.model)  # sorted and filtered as the user asks
        self.table = GridTable()
        self.table.setModel(self.rows_shown)
        self.table.setSortingEnabled(True)  # click a field's header to sort by it
        self.unsort()
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText(self.tr("Filter the grid…"))
        self.filter_box.setAccessibleName(self.tr("Show only documents whose cells contain"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.rows_shown.set_words)
        self.review_only = QCheckBox(self.tr("&Needs review only"))
        self.review_only.setToolTip(
            self.tr("Show only documents with an unsupported value (⚠) no one has reviewed")
        )
        self.review_only.toggled.connect(self.rows_shown.set_only_review)
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
        self.column_box = QLineEdit()
        self.column_box.setPlaceholderText(
            self.tr("Add a column: type a yes/no question, e.g. Must a party keep insurance?")
        )
        self.column_box.setAccessibleName(self.tr("A question to add as a column"))
        self.column_box.returnPressed.connect(self.add_column)
        self.column_button = QPushButton(self.tr("Add co&lumn"))
        self.column_button.setToolTip(
            self.tr(
                "Ask the question of every document in the grid: Yes or No only with the "
                "sentence that says so, otherwise not found"
            )
        )
        self.column_button.clicked.connect(self.add_column)
        self._column_question: str | None = None
        self.detail = QLabel("")
        self.detail.setAccessibleName(self.tr("Evidence for the selected cell"))
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inputs = [self.fieldset_box, self.documents, self.fields]

        setup = QWidget()
        left = QVBoxLayout(setup)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(fieldset_label)
        left.addWidget(self.fieldset_box)
        left.addWidget(documents_label)
        left.addWidget(self.documents, 1)
        left.addWidget(fields_label)
        left.addWidget(self.fields, 2)
        left.addLayout(self.controls.buttons())
        result = QWidget()
        right = QVBoxLayout(result)
        right.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.export_button)
        right.addLayout(top)
        right.addWidget(self.progress)
        narrow = QHBoxLayout()
        narrow.addWidget(self.filter_box, 1)
        narrow.addWidget(self.review_only)
        right.addLayout(narrow)
        right.addWidget(self.table, 1)
        asking = QHBoxLayout()
        asking.addWidget(self.column_box, 1)
        asking.addWidget(self.column_button)
        right.addLayout(asking)
        bottom = QHBoxLayout()
        bottom.addWidget(self.detail, 1)
        bottom.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(self.flag_button, 0, Qt.AlignmentFlag.AlignTop)
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
        self.fieldset_box.currentTextChanged.connect(self._load_fieldset)
        if self.fieldset_box.findText(DEFAULT_FIELDSET) >= 0:
            self.fieldset_box.setCurrentText(DEFAULT_FIELDSET)
        self._load_fieldset(self.fieldset_box.currentText())
        self.set_available(False)

    # -- the framework's hooks -----------------------------------------------------------
    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The open matter's top-level documents, all checked (a choice is kept)."""
        self.documents.set_documents(documents)
        self.update_enabled()

    def has_result(self) -> bool:
        return self.raw_grid is not None

    def can_run(self) -> bool:
        return self.fieldset is not None and self.documents.count() > 0

    def idle_text(self) -> str:
        return self.tr("Check documents and fields, then Extract.")

    def update_actions(self, idle: bool) -> None:
        """A grid already shown stays reviewable and exportable without a model."""
        ready = idle and self.raw_grid is not None
        self.export_button.setEnabled(ready)
        self.accept_button.setEnabled(ready and self.table.currentIndex().isValid())
        self.column_button.setEnabled(ready)
        self.column_box.setEnabled(ready)
        self.flag_button.setEnabled(self.accept_button.isEnabled())

    def reset(self) -> None:
        self.clear_grid()

    def add_column(self) -> None:
        """Ask the typed question of every document of the grid, as a new column."""
        question = " ".join(self.column_box.text().split())
        if not question or self.raw_grid is None or not self.column_button.isEnabled():
            return
        self._column_question = question
        self.start()

    def column_request(self, question: str) -> TaskRequest:
        assert self.raw_grid is not None
        documents = self.raw_grid.document_ids
        self.state.setText(self.tr("Asking {0} document(s): {1}").format(len(documents), question))

        def work(task: TaskContext) -> tuple[str, dict[str, Cell]]:
            cells = run_column(question, documents, task.engine, task.vault, cancel=task.cancel)
            return question, cells

        return TaskRequest(
            "column",
            self.tr("Adding a column…"),
            work,
            {"question": question, "document_ids": documents},
            self.tr("The column was cancelled."),
        )

    def show_column(self, question: str, cells: dict[str, Cell]) -> None:
        """The grid with one more column: the question and each document's answer."""
        if self.raw_grid is None:
            return
        grid = self.raw_grid
        name = f"question_{len(grid.fields) + 1}"
        rows = [
            Row(r.document_id, r.title, {**r.cells, name: cells[r.document_id]}, r.seconds)
            for r in grid.rows
            if r.document_id in cells
        ]
        widened = Grid(grid.fieldset, [*grid.fields, (name, question)], rows)
        self.show_grid(widened, list(self.corrections.values()))
        self.column_box.clear()

    def request(self) -> TaskRequest | None:
        if self._column_question is not None:
            question, self._column_question = self._column_question, None
            return self.column_request(question)
        if self.fieldset is None:
            return None
        documents, names = self.documents.checked(), self.fields.checked()
        if not documents or not names:
            self.state.setText(self.tr("Check at least one document and one field."))
            return None
        fieldset = self.fieldset.subset(names)
        self.clear_grid()
        self.state.setText(
            self.tr("Extracting {0} field(s) from {1} document(s)…").format(
                len(names), len(documents)
            )
        )

        def work(task: TaskContext) -> tuple[Grid, list[Correction]]:
            grid = run_extract(
                documents,
                fieldset,
                task.engine,
                task.vault,
                progress=task.progress,
                cancel=task.cancel,
            )
            return grid, load_corrections(task.vault)

        return TaskRequest(
            "extraction",
            self.tr("Extracting…"),
            work,
            {"document_ids": documents, "fieldset": fieldset},
            self.tr("Extraction cancelled."),
        )

    def done(self, result: tuple[Grid, list[Correction]] | tuple[str, dict[str, Cell]]) -> None:
        first, second = result
        if isinstance(first, str):
            assert isinstance(second, dict)
            self.show_column(first, second)
            return
        assert isinstance(second, list)
        self.show_grid(first, second)

    shown_key = "extract"

    def snapshot(self) -> dict[str, Any] | None:
        return self.raw_grid.to_json() if self.raw_grid is not None else None

    def restore(self, shown: dict[str, Any], corrections: list[Any]) -> None:
        self.show_grid(grid_from_json(shown), corrections)

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
            self.update_enabled()
            return
        for item in self.fieldset.fields:
            self.fields.add(item.title, item.name, True, f"{item.title}: {item.description}")
        self.update_enabled()

    def choose_fields(self, names: list[str]) -> None:
        """Check exactly the fields named (for scripted runs and tests)."""
        self.fields.check_only(names)

    # -- the grid ------------------------------------------------------------------------
    def clear_grid(self) -> None:
        self.raw_grid, self.corrections = None, {}
        self.model.set_grid(None)
        self.detail.clear()
        self.forget_undo()
        self.filter_box.clear()
        self.review_only.setChecked(False)
        self.unsort()

    def unsort(self) -> None:
        """The documents in their own order again (until a header is clicked)."""
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

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
        self.update_enabled()
        if grid.rows and grid.fields:
            self.table.setFocus()

    def add_correction(self, correction: Correction) -> None:
        """A stored review: show the cell as reviewed."""
        if self.raw_grid is None:
            return
        self.corrections[(correction.document_id, correction.field)] = correction
        self.model.update_grid(apply_corrections(self.raw_grid, self.corrections.values()))
        self._show_detail(self.current_cell())

    def stored_review(self, fieldset: str, document_id: str, field: str) -> Correction | None:
        return self.corrections.get((document_id, field))

    def show_review(
        self, fieldset: str, document_id: str, field: str, correction: Correction | None
    ) -> None:
        """An undone (or redone) review: the cell shows what is stored now."""
        if self.raw_grid is None or self.raw_grid.fieldset != fieldset:
            return
        if correction is None:
            self.corrections.pop((document_id, field), None)
        else:
            self.corrections[(document_id, field)] = correction
        self.model.update_grid(apply_corrections(self.raw_grid, self.corrections.values()))
        self._show_detail(self.current_cell())

    def export_to(self, path: Path) -> None:
        if self.raw_grid is not None:
            self.export_grid(self.raw_grid, path)

    # -- cells --------------------------------------------------------------------------
    def select_cell(self, row: int, column: int) -> None:
        """Select the cell of document ``row`` and field ``column`` (the grid's own order)."""
        index = self.rows_shown.mapFromSource(self.model.index(row, column))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def current_cell(self) -> QModelIndex:
        """The selected cell as the grid model's index (whatever the sort and filter)."""
        return self.rows_shown.source_index(self.table.currentIndex())

    def model_cell(self, row: int, column: int) -> tuple[str, str, Cell]:
        """(document id, field name, the model's own cell) at ``row``, ``column``."""
        assert self.raw_grid is not None
        record = self.raw_grid.rows[row]
        name = self.raw_grid.fields[column][0]
        return record.document_id, name, record.cells[name]

    def _current_changed(self, shown: QModelIndex, _previous: QModelIndex) -> None:
        current = self.rows_shown.source_index(shown)
        self._show_detail(current)
        self.update_enabled()
        cell = self.model.cell(current)
        if cell is None or cell.page is None or self.model.grid is None:
            self.source_cleared.emit()
            return
        document_id = self.model.grid.rows[current.row()].document_id
        # A supported cell is marked at its span; the closest sentence to an unsupported
        # quote, and a quote kept without a span, are looked for on the page.
        quote = cell.cited(document_id) or (
            cell.quote if cell.status == "supported" else cell.closest or ""
        )
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

    def review(self, row: int, column: int, value: str) -> None:
        """Store ``value`` as the reviewed value of a cell (edited, or accepted as shown)."""
        if self.raw_grid is not None:
            document_id, name, cell = self.model_cell(row, column)
            fieldset = self.raw_grid.fieldset
            self.store_review(fieldset, document_id, name, value, cell, self.add_correction)

    def _edited(self, row: int, column: int, value: str) -> None:
        self.review(row, column, value)

    def _accept(self) -> None:
        index = self.current_cell()
        shown = self.model.cell(index)
        if shown is not None:
            self.review(index.row(), index.column(), shown.value or "")

    def flag(self) -> None:
        """Flag the selected cell for a second look, or remove its flag (the Flag button)."""
        index = self.current_cell()
        shown = self.model.cell(index)
        if shown is None or self.raw_grid is None:
            return
        document_id, name, cell = self.model_cell(index.row(), index.column())
        stored = self.corrections.get((document_id, name))
        if shown.flagged and stored is not None:
            self.put_back(None, stored)
            self.state.setText(self.tr("Flag removed."))
            return
        self.store_review(
            self.raw_grid.fieldset,
            document_id,
            name,
            cell.value or "",
            cell,
            self.add_correction,
            flagged=True,
        )

    def _choose_export(self) -> None:
        self.choose_export(self.tr("Export the grid"), "extraction.xlsx")
