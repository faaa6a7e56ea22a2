"""Audit viewer: the log's records newest first, a filter, Verify and Export for IT.

Records are read with the audit package's own reader (``select_records``, the one the
export uses), and verification and export are the audit package's calls the CLI makes
too (``verify_log``, ``export_log_file``, which records the export), run as jobs with
progress and Cancel. The log holds
identifiers and short facts only, never content, so nothing here can show a document,
prompt or title.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import audit, paths
from app.audit.export import select_records
from app.cancel import CancelToken, Progress
from app.gui.jobs import Job, JobRunner

COLUMNS = ("Seq", "Time", "User", "Action", "Vault", "Objects", "Outcome", "Model")
SHORT_ID = 8
SHORT_SHA = 12
TOOLTIP_IDS = 10

Index = QModelIndex | QPersistentModelIndex


def local_time(text: str) -> str:
    """A record's UTC time as local wall-clock time; the raw text if it will not parse."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def short(value: str | None, length: int) -> str:
    if not value:
        return ""
    return value if len(value) <= length else value[:length] + "…"


def describe(record: dict[str, Any]) -> str:
    """Every field of a record for its tooltip (identifiers and facts; there is no content)."""
    ids = [str(i) for i in record.get("object_ids") or []]
    shown = ", ".join(ids[:TOOLTIP_IDS])
    if len(ids) > TOOLTIP_IDS:
        shown += f", … and {len(ids) - TOOLTIP_IDS} more"
    details = record.get("details") or {}
    lines = [
        f"Record {record.get('seq')} — {record.get('action')} ({record.get('outcome')})",
        f"Time (UTC): {record.get('time')}",
        f"User: {record.get('user')}",
        f"Vault: {record.get('vault_id') or '—'}",
        f"Objects ({len(ids)}): {shown or '—'}",
        f"Model SHA-256: {record.get('model_sha256') or '—'}",
        f"App version: {record.get('app_version')}",
    ]
    lines += [f"{name}: {value}" for name, value in sorted(details.items())]
    return "\n".join(lines)


class AuditRecordsModel(QAbstractTableModel):
    """Records newest first, narrowed by a substring of the action or the vault id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[dict[str, Any]] = []
        self._shown: list[dict[str, Any]] = []
        self._filter = ""
        self.flagged: int | None = None  # the record verification blamed, marked in Seq

    # -- data -------------------------------------------------------------------------
    def set_records(self, records: list[dict[str, Any]]) -> None:
        self._all = sorted(records, key=lambda r: r.get("seq", 0), reverse=True)
        self._apply()

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        needle = self._filter
        if needle:
            self._shown = [
                r
                for r in self._all
                if needle in str(r.get("action", "")).lower()
                or needle in str(r.get("vault_id") or "").lower()
            ]
        else:
            self._shown = list(self._all)
        self.endResetModel()

    @property
    def total(self) -> int:
        return len(self._all)

    def record(self, row: int) -> dict[str, Any]:
        return self._shown[row]

    def set_flagged(self, seq: int | None) -> None:
        self.beginResetModel()
        self.flagged = seq
        self.endResetModel()

    def widest(self, column: int) -> str:
        """The longest text ``column`` shows for any record, filtered out or not."""
        texts = (self.cell(record, column) for record in self._all)
        return max(texts, key=len, default="")

    def row_of(self, seq: int) -> int | None:
        for row, record in enumerate(self._shown):
            if record.get("seq") == seq:
                return row
        return None

    # -- Qt model ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._shown[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if record.get("seq") == self.flagged:
                return self.tr("Verification found tampering here.") + "\n" + describe(record)
            return describe(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return record.get("seq")
        return None

    def cell(self, record: dict[str, Any], column: int) -> str:
        if column == 0:
            seq = record.get("seq", "")
            return f"⚠ {seq}" if seq == self.flagged else str(seq)
        if column == 1:
            return local_time(str(record.get("time", "")))
        if column == 2:
            return str(record.get("user", ""))
        if column == 3:
            return str(record.get("action", ""))
        if column == 4:
            return short(record.get("vault_id"), SHORT_ID)
        if column == 5:
            return str(len(record.get("object_ids") or []))
        if column == 6:
            return str(record.get("outcome", ""))
        return short(record.get("model_sha256"), SHORT_SHA)


class AuditDialog(QDialog):
    def __init__(
        self, runner: JobRunner, parent: QWidget | None = None, *, directory: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit log"))
        self.resize(980, 560)
        self._runner = runner
        self._directory = directory
        self._job: Job | None = None
        self.report: audit.VerifyReport | None = None

        intro = QLabel(
            self.tr(
                "Matter, document and model actions, newest first. The log holds identifiers "
                "only, never document content. Hover over a row to see all of its fields."
            )
        )
        intro.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter by action or vault id…"))
        self.filter.setAccessibleName(self.tr("Filter audit records"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName(self.tr("Records shown"))
        filter_row = QHBoxLayout()
        filter_label = QLabel(self.tr("&Filter:"))
        filter_label.setBuddy(self.filter)
        filter_row.addWidget(filter_label)
        filter_row.addWidget(self.filter, 1)
        filter_row.addWidget(self.count_label)

        self.model = AuditRecordsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Audit records"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)

        self.verify_button = QPushButton(self.tr("&Verify"))
        self.verify_button.setToolTip(
            self.tr("Check every record and signature for edits, gaps and truncation")
        )
        self.export_button = QPushButton(self.tr("&Export…"))
        self.export_button.setToolTip(self.tr("Save the records as CSV or JSON for IT"))
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName(self.tr("Progress"))
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.hide()
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self._choose_export)
        self.refresh_button.clicked.connect(self.refresh)
        self.cancel_button.clicked.connect(self._cancel)

        self.result_icon = QLabel()
        self.result_icon.setFixedWidth(
            self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) + 4
        )
        self.result_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.result_icon.hide()
        self.status = QLabel(self.tr("Not verified yet. Press Verify to check the log."))
        self.status.setAccessibleName(self.tr("Verification result"))
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_icon)
        result_row.addWidget(self.status, 1)

        buttons = QHBoxLayout()
        for widget in (self.verify_button, self.export_button, self.refresh_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.cancel_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(filter_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(result_row)
        layout.addLayout(buttons)
        layout.addWidget(close)

        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self.focus_filter)
        self.refresh()

    # -- records ----------------------------------------------------------------------
    @property
    def directory(self) -> Path:
        """The audit folder as named, not resolved: Verify reports a link put in its place."""
        return self._directory or paths.data_dir() / "audit"

    def refresh(self) -> None:
        """Re-read the log (fast: one sequential read of identifiers, no content)."""
        try:
            records = select_records(self.directory)
        except OSError as exc:
            records = []
            self._show_result(
                False, [self.tr("The audit log could not be read: {0}").format(exc.strerror)]
            )
        self.model.set_records(records)
        self._fit_columns()
        self._update_count()

    def _fit_columns(self) -> None:
        """Fit columns to every record, not only those the filter shows; Model takes the rest."""
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        pad = 3 * metrics.horizontalAdvance(" ") + 2 * self.table.frameWidth()
        for column in range(len(COLUMNS) - 1):
            text = self.model.widest(column)
            header.resizeSection(
                column,
                max(metrics.horizontalAdvance(text), header.sectionSizeHint(column)) + pad,
            )

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if shown == total:
            text = self.tr("{0} records").format(total)
        else:
            text = self.tr("{0} of {1} records").format(shown, total)
        self.count_label.setText(text)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    # -- jobs -------------------------------------------------------------------------
    def _run(self, job: Job, running_text: str) -> Job:
        self._job = job
        self.progress.setValue(0)
        self.progress.setRange(0, 0)  # busy until the job reports a fraction
        for widget in (self.progress, self.cancel_button):
            widget.show()
        for widget in (self.verify_button, self.export_button, self.refresh_button):
            widget.setEnabled(False)
        self.result_icon.hide()
        self.status.setText(running_text)
        job.signals.progress.connect(self._progress)
        job.signals.failed.connect(self._failed)
        job.signals.cancelled.connect(self._cancelled)
        job.signals.finished.connect(self._finished)
        return self._runner.start(job)

    def _progress(self, fraction: float, _message: str) -> None:
        if fraction > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))

    def _failed(self, message: str, hint: str) -> None:
        self._show_result(False, [message, hint] if hint else [message])

    def _cancelled(self) -> None:
        self.result_icon.hide()
        self.status.setText(self.tr("Cancelled; nothing was changed."))

    def _finished(self) -> None:
        self._job = None
        for widget in (self.progress, self.cancel_button):
            widget.hide()
        for widget in (self.verify_button, self.export_button, self.refresh_button):
            widget.setEnabled(True)

    def _cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def done(self, result: int) -> None:
        self._cancel()
        super().done(result)

    def _show_result(self, ok: bool, lines: list[str]) -> None:
        """Words first; the icon repeats them, so colour or shape is never the only signal."""
        pixmap = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if ok
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.result_icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))
        self.result_icon.setAccessibleName(self.tr("OK") if ok else self.tr("Warning"))
        self.result_icon.show()
        self.status.setText("\n".join(lines))

    # -- verify -----------------------------------------------------------------------
    def verify(self) -> Job:
        directory = self.directory

        def work(progress: Progress, cancel: CancelToken) -> tuple[audit.VerifyReport, str | None]:
            progress(0.0, "Verifying")
            # the sealing line too: without a keyring it is said here every time
            return audit.verify_log(directory), audit.sealing_note(directory)

        job = Job(work, "audit verification")
        job.signals.done.connect(self._verified)
        return self._run(job, self.tr("Verifying every record and signature…"))

    def _verified(self, result: tuple[audit.VerifyReport, str | None]) -> None:
        report, sealing = result
        self.report = report
        self._show_result(report.ok, report.summary_lines() + ([sealing] if sealing else []))
        self.model.set_flagged(None if report.ok else report.first_bad_seq)
        self.refresh()
        if not report.ok and report.first_bad_seq is not None:
            self.filter.clear()
            row = self.model.row_of(report.first_bad_seq)
            if row is not None:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))

    # -- export -----------------------------------------------------------------------
    def _choose_export(self) -> None:
        csv_filter, json_filter = self.tr("CSV (*.csv)"), self.tr("JSON with verification (*.json)")
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the audit log"),
            str(Path.home() / "chambers-audit.csv"),
            f"{csv_filter};;{json_filter}",
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".csv", ".json"):
            target = target.with_name(target.name + (".json" if chosen == json_filter else ".csv"))
        self.export_to(target)

    def export_to(self, target: Path) -> Job:
        """Export as CSV or JSON (by the file's extension) and record the export."""
        fmt = "json" if target.suffix.lower() == ".json" else "csv"
        directory = self.directory

        def work(progress: Progress, cancel: CancelToken) -> tuple[Path, int]:
            progress(0.0, "Exporting")
            count = audit.export_log_file(
                target, fmt, directory=directory, before_replace=cancel.raise_if_cancelled
            )
            return target, count

        job = Job(work, "audit export")
        job.signals.done.connect(self._exported)
        return self._run(job, self.tr("Exporting to {0}…").format(target.name))

    def _exported(self, result: tuple[Path, int]) -> None:
        target, count = result
        self._show_result(True, [self.tr("Exported {0} records to {1}.").format(count, target)])
        self.refresh()
