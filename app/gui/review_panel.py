"""Review: one document against a playbook, a table of its statements a person checks.

Each row is a statement with the label decided for it (shown as "Says so", "Says the
opposite", "Silent"; Entailment, Contradiction, NotMentioned in the task layer), the
verbatim quote it rests on and its page; selecting a row opens the page.
Changing a label, or Accept, stores the row as reviewed in the vault (the same
corrections the Extract grid uses, under the field set ``review:<playbook>``), and Export
writes the reviewed table like the grid. Rows appear as they are decided.

With the playbook's positions (app/tasks/review/positions.py) the rows come by risk
with the firm's Risk and the Outcome ("as we want", "deviates", "missing"); "Only
deviations" hides what is as the firm wants. Each proposed change is accepted, rejected
or reworded in its own column (kept in the vault, app/tasks/review/deliver.py), and
Export redline writes the tracked-change DOCX (or the memo for a PDF).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.reviewing import ChoiceBox, ReviewingPanel
from app.gui.task_panel import TaskContext, TaskRequest
from app.tasks import review as review_tasks
from app.tasks.corrections import (
    Correction,
    load_corrections,
)
from app.tasks.extract import Cell, Grid, Row
from app.tasks.review import ReviewRow, load_playbook
from app.tasks.review.deliver import ACCEPT, REJECT, Delivered, export_review, save_decision
from app.tasks.review.deliver import fieldset as decision_fieldset
from app.tasks.review.positions import risk_order
from app.tasks.shown import review_rows_from_json
from app.vault import DocumentInfo

LABELS = review_tasks.LABELS


class ReviewTasks(Protocol):
    """The task layer the panel drives: the module ``app.tasks.review``, or a script."""

    def list_playbooks(self) -> list[str]: ...

    def run_review(
        self,
        engine: Any,
        vault: Any,
        document_id: str,
        playbook: str,
        *,
        progress: Any,
        cancel: Any,
        on_row: Callable[[Any], None],
    ) -> Any: ...


def as_grid(playbook: str, document_id: str, title: str, rows: Sequence[ReviewRow]) -> Grid:
    """The review as a one-row grid (statements as fields), to store and export like one."""
    cells = {
        r.statement_id: Cell.quoting(r.label, r.cited)
        if r.cited is not None and r.verified
        else Cell(r.label, r.quote or "", r.page, "unsupported" if r.quote else "not_found")
        for r in rows
    }
    fields = [(r.statement_id, r.statement) for r in rows]
    return Grid(f"review:{playbook}", fields, [Row(document_id, title, cells)])


class ReviewPanel(ReviewingPanel):
    #: The position controls (_add_position_controls), and the review and decisions shown.
    redline_button: QPushButton
    deviations: QCheckBox
    result: Any = None
    decisions: dict[str, str]

    def __init__(self, tasks: ReviewTasks | None = None, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("&Review"), self.tr("Review the document"), self.tr("review"), parent
        )
        self.tasks: ReviewTasks = tasks or review_tasks
        self.locked_text = self.tr("Unlock a matter to review its documents.")
        self.document, self.playbook = QComboBox(), QComboBox()
        self.document.setAccessibleName(self.tr("Document to review"))
        self.playbook.setAccessibleName(self.tr("Playbook"))
        self.export_button = QPushButton(self.tr("Ex&port…"))
        self.export_button.setAccessibleName(self.tr("Export the review"))
        self.export_button.clicked.connect(
            lambda: self.choose_export(self.tr("Export the review"), "review.xlsx")
        )
        self.accept_button = QPushButton(self.tr("A&ccept row"))
        self.accept_button.setAccessibleName(self.tr("Accept the selected row as reviewed"))
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName(self.tr("Playbook statements with labels and quotes"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Statement"), self.tr("Label"), self.tr("Quote"), self.tr("Page")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
            )
        ):
            header.setSectionResizeMode(column, mode)
        self.table.currentCellChanged.connect(lambda row, *_: self._open(row))
        self.accept_button.clicked.connect(lambda: self.review(self.table.currentRow()))
        self.inputs = [self.document, self.playbook]
        bar = QHBoxLayout()
        for label, box in (
            (self.tr("D&ocument:"), self.document),
            (self.tr("Play&book:"), self.playbook),
        ):
            caption = QLabel(label)
            caption.setBuddy(box)
            bar.addWidget(caption)
            bar.addWidget(box, 1)
        self._add_position_controls()
        bar.addLayout(
            self.controls.buttons(self.accept_button, self.export_button, self.redline_button)
        )
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        for widget in (self.progress, self.state, self.deviations, self.table):
            layout.addWidget(widget)
        # In a lawyer's words; the task's names (Entailment…) stay in JSON and the CLI.
        self.label_names = {
            "Entailment": self.tr("Says so"),
            "Contradiction": self.tr("Says the opposite"),
            "NotMentioned": self.tr("Silent"),
        }
        self.rows: list[ReviewRow] = []
        self.reviewed: dict[str, Correction] = {}
        self._target = ("", "", "")  # document id, title, playbook of the rows shown
        self.set_documents([])
        self.set_available(False)

    # -- the framework's hooks -----------------------------------------------------------
    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The matter's documents, and the playbooks as they are now (a firm's own
        playbook dropped into ``<data>/playbooks/`` appears when a matter opens)."""
        chosen = self.playbook.currentText()
        self.playbook.clear()
        self.playbook.addItems(self.tasks.list_playbooks())
        self.playbook.setCurrentIndex(max(0, self.playbook.findText(chosen or "nda")))
        current = self.document.currentData()
        self.document.clear()
        for info in documents:
            self.document.addItem(f"↳ {info.title}" if info.parent_id else info.title, info.id)
        self.document.setCurrentIndex(max(0, self.document.findData(current)))
        self.refresh()

    def can_run(self) -> bool:
        return self.document.count() > 0 and self.playbook.count() > 0

    def has_result(self) -> bool:
        return bool(self.rows)

    def update_actions(self, idle: bool) -> None:
        self.export_button.setEnabled(idle and bool(self.rows))
        self.redline_button.setEnabled(idle and self.result is not None)
        self.accept_button.setEnabled(idle and 0 <= self.table.currentRow() < len(self.rows))

    def reset(self) -> None:
        self.rows, self.reviewed, self._target = [], {}, ("", "", "")
        self.result = None
        self.decisions = {}
        self.table.setRowCount(0)
        self.forget_undo()

    def request(self) -> TaskRequest | None:
        document_id, playbook = self.document.currentData(), self.playbook.currentText()
        self.reset()
        self._target = (document_id, self.document.currentText(), playbook)
        self.state.setText(self.tr("Reviewing against the {0} playbook…").format(playbook))
        tasks = self.tasks

        def work(task: TaskContext) -> tuple[Any, list[Correction]]:
            result = tasks.run_review(
                task.engine,
                task.vault,
                document_id,
                playbook,
                progress=task.progress,
                cancel=task.cancel,
                on_row=task.emit,
            )
            return result, load_corrections(task.vault)

        params = {"document_id": document_id, "playbook": playbook}
        return TaskRequest(
            "review", self.tr("Reviewing…"), work, params, self.tr("Review cancelled.")
        )

    def partial(self, value: Any) -> None:
        self._show_rows([*self.rows, value])

    def done(self, result: Any) -> None:
        review, corrections = result
        self.result = review
        self.decisions = {
            c.field: c.value
            for c in corrections
            if c.fieldset == decision_fieldset(self._target[2]) and c.document_id == self._target[0]
        }
        fieldset = f"review:{self._target[2]}"
        self.reviewed = {
            c.field: c
            for c in corrections
            if c.fieldset == fieldset and c.document_id == self._target[0]
        }
        self._show_rows(by_risk(list(review.rows)))
        labels = [r.label for r in self.rows]
        self.state.setText(
            self.tr(
                "{0} statement(s): the document says so for {1}, says the opposite for "
                "{2}, is silent on {3}. "
                "Select a row to see its page; change a label or Accept to review it."
            ).format(
                len(labels),
                labels.count("Entailment"),
                labels.count("Contradiction"),
                labels.count("NotMentioned"),
            )
        )
        self._state_outcomes()

    shown_key = "review"

    def snapshot(self) -> dict[str, Any] | None:
        document_id, title, playbook = self._target
        rows = [row.to_json() for row in self.rows]
        return {"document_id": document_id, "title": title, "playbook": playbook, "rows": rows}

    def restore(self, shown: dict[str, Any], corrections: list[Any]) -> None:
        self._target = (str(shown["document_id"]), str(shown["title"]), str(shown["playbook"]))
        rows = review_rows_from_json(shown["rows"], self._target[0])
        self.done(
            (review_tasks.ReviewResult(self._target[0], self._target[2], rows, 0.0), corrections)
        )

    # -- the table ------------------------------------------------------------------------
    def _show_rows(self, rows: list[ReviewRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            done = self.reviewed.get(row.statement_id)
            mark = "✓ " if done else "" if row.verified or not row.quote else "⚠ "
            quote = QTableWidgetItem(mark + (row.quote or self.tr("— no quote")))
            for column, item in enumerate(
                (
                    QTableWidgetItem(row.statement),
                    None,
                    quote,
                    QTableWidgetItem(str(row.page or "")),
                )
            ):
                if item is not None:
                    self.table.setItem(i, column, item)
            box = ChoiceBox()
            box.setAccessibleName(self.tr("Label of statement {0}").format(i + 1))
            for label in LABELS:
                box.addItem(self.label_names[label], label)
            box.setCurrentIndex(LABELS.index(done.value if done else row.label))
            box.activated.connect(lambda _i, n=i: self.review(n))
            self.table.setCellWidget(i, 1, box)
        self._show_positions(rows)
        self.table.resizeRowsToContents()
        self.update_enabled()

    def label_box(self, row: int) -> QComboBox:
        box = self.table.cellWidget(row, 1)
        assert isinstance(box, QComboBox)
        return box

    def _open(self, index: int) -> None:
        self.update_enabled()
        if 0 <= index < len(self.rows) and self.rows[index].page is not None:
            row = self.rows[index]
            self.source_requested.emit(self._target[0], row.page, row.cited or "")
        else:
            self.source_cleared.emit()

    def review(self, index: int) -> None:
        """Store the label shown in row ``index`` as reviewed (changed or accepted)."""
        if 0 <= index < len(self.rows):
            row, (document_id, title, playbook) = self.rows[index], self._target
            cell = as_grid(playbook, document_id, title, [row]).rows[0].cells[row.statement_id]
            value = str(self.label_box(index).currentData())
            self.store_review(
                f"review:{playbook}", document_id, row.statement_id, value, cell, self._reviewed
            )

    def _reviewed(self, correction: Correction) -> None:
        self.reviewed[correction.field] = correction
        self._show_rows(self.rows)

    def stored_review(self, fieldset: str, document_id: str, field: str) -> Correction | None:
        return self.reviewed.get(field)

    def show_review(
        self, fieldset: str, document_id: str, field: str, correction: Correction | None
    ) -> None:
        if (document_id, fieldset) != (self._target[0], f"review:{self._target[2]}"):
            return  # another review is shown now
        if correction is None:
            self.reviewed.pop(field, None)
        else:
            self.reviewed[field] = correction
        self._show_rows(self.rows)

    def export_to(self, path: Path) -> None:
        document_id, title, playbook = self._target
        self.export_grid(as_grid(playbook, document_id, title, self.rows), path)

    # -- the firm's positions: risk, outcome, the proposed change, the redline -------------
    def _add_position_controls(self) -> None:
        self.decisions = {}
        self.table.setColumnCount(POSITION_COLUMN + 3)
        for offset, name in enumerate(
            (self.tr("Risk"), self.tr("Outcome"), self.tr("Proposed change"))
        ):
            self.table.setHorizontalHeaderItem(POSITION_COLUMN + offset, QTableWidgetItem(name))
            self.table.horizontalHeader().setSectionResizeMode(
                POSITION_COLUMN + offset, QHeaderView.ResizeMode.ResizeToContents
            )
        self.deviations = QCheckBox(self.tr("Only &deviations and missing points"))
        self.deviations.setAccessibleName(self.tr("Show only the statements that need a change"))
        self.deviations.toggled.connect(lambda _on: self._filter())
        self.redline_button = QPushButton(self.tr("Export &redline…"))
        self.redline_button.setAccessibleName(
            self.tr("Export the document with the accepted changes tracked, or a review memo")
        )
        self.redline_button.clicked.connect(self.choose_redline)
        self.outcome_names = {
            "as we want": self.tr("as we want"),
            "deviates": self.tr("deviates"),
            "missing": self.tr("missing"),
        }

    def _show_positions(self, rows: list[ReviewRow]) -> None:
        for i, row in enumerate(rows):
            risk, outcome = getattr(row, "risk", None), getattr(row, "outcome", None)
            self.table.setItem(i, POSITION_COLUMN, QTableWidgetItem(risk or ""))
            mark = "" if outcome in (None, "as we want") else "✗ "
            text = mark + self.outcome_names.get(outcome or "", "")
            self.table.setItem(i, POSITION_COLUMN + 1, QTableWidgetItem(text))
            change = getattr(row, "change", None)
            if change is None:
                self.table.removeCellWidget(i, POSITION_COLUMN + 2)
                self.table.setItem(i, POSITION_COLUMN + 2, QTableWidgetItem(""))
                continue
            box = QComboBox()
            box.setAccessibleName(self.tr("Proposed change of statement {0}").format(i + 1))
            box.addItem(self.tr("Accept: {0}").format(self.kind_names()[change.kind]), ACCEPT)
            box.addItem(self.tr("Reject"), REJECT)
            box.addItem(self.tr("Change the wording…"), "change")
            decision = self.decisions.get(row.statement_id, ACCEPT)
            if decision not in (ACCEPT, REJECT):
                box.insertItem(2, self.tr("Own wording: {0}").format(decision[:40]), decision)
            box.setCurrentIndex(max(0, box.findData(decision)))
            box.setToolTip(change.text or getattr(row, "guidance", "") or "")
            box.activated.connect(lambda _i, n=i: self.decide(n))
            self.table.setCellWidget(i, POSITION_COLUMN + 2, box)
        self._filter()

    def _state_outcomes(self) -> None:
        outcomes = [getattr(r, "outcome", None) for r in self.rows]
        if any(outcomes):
            self.state.setText(
                self.tr(
                    "{0} deviate(s) and {1} missing point(s) by the playbook's positions. "
                ).format(outcomes.count("deviates"), outcomes.count("missing"))
                + self.state.text()
            )

    def kind_names(self) -> dict[str, str]:
        return {
            "insert": self.tr("add the clause"),
            "replace": self.tr("replace the sentence"),
            "comment": self.tr("comment"),
        }

    def _filter(self) -> None:
        only = self.deviations.isChecked()
        for i, row in enumerate(self.rows):
            outcome = getattr(row, "outcome", None)
            self.table.setRowHidden(i, only and outcome not in ("deviates", "missing"))

    def change_box(self, row: int) -> QComboBox | None:
        box = self.table.cellWidget(row, POSITION_COLUMN + 2)
        return box if isinstance(box, QComboBox) else None

    def decide(self, index: int) -> None:
        """Store the reviewer's decision on row ``index``'s proposed change."""
        box = self.change_box(index)
        if box is None or not 0 <= index < len(self.rows):
            return
        row, (document_id, _title, playbook) = self.rows[index], self._target
        decision = str(box.currentData())
        if decision == "change":
            current = self.decisions.get(row.statement_id, ACCEPT)
            proposed = current if current not in (ACCEPT, REJECT) else row.change.text  # type: ignore[union-attr]
            text, ok = QInputDialog.getMultiLineText(
                self, self.tr("Change the wording"), self.tr("The clause to write:"), proposed
            )
            if not ok or not text.strip():
                self._show_rows(self.rows)
                return
            decision = text.strip()

        def work(task: TaskContext) -> Correction:
            return save_decision(task.vault, document_id, playbook, row, decision)

        self.side_job(
            "review-change",
            self.tr("Saving the decision…"),
            work,
            self._decided,
            document_id=document_id,
            statement=row.statement_id,
            decision=decision,
        )

    def _decided(self, correction: Correction) -> None:
        self.decisions[correction.field] = correction.value
        self._show_rows(self.rows)

    def choose_redline(self) -> None:
        title = self._target[1].lstrip("↳ ").rsplit(".", 1)[0] or "review"
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the redline"),
            str(Path.home() / f"{title} - redline.docx"),
            self.tr("Word document (*.docx)"),
        )
        if path:
            self.export_redline(Path(path).with_suffix(".docx"))

    def export_redline(self, path: Path) -> None:
        """Write the redline (a DOCX) or the memo (any other document) on a worker."""
        result, playbook = self.result, self._target[2]
        if result is None:
            return

        def work(task: TaskContext) -> Delivered:
            return export_review(task.vault, result, load_playbook(playbook), path)

        self.side_job(
            "export-redline", self.tr("Writing the redline…"), work, self._redlined, path=path
        )

    def _redlined(self, done: Delivered) -> None:
        kind = self.tr("Redline") if done.kind == "redline" else self.tr("Review memo")
        self.state.setText(
            self.tr("{0} with {1} change(s) written to {2}").format(kind, done.changes, done.path)
            + "".join(f"\n{n}" for n in done.notes)
        )


#: The first of the position columns (Risk, Outcome, Proposed change), after the label's.
POSITION_COLUMN = 4


def by_risk(rows: list[ReviewRow]) -> list[ReviewRow]:
    """High risk first, deviations before missing points; rows without a position last."""
    return sorted(
        rows, key=lambda r: risk_order(getattr(r, "risk", None), getattr(r, "outcome", None))
    )
