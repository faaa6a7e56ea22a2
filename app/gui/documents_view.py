"""The matter's documents as a sortable table (titles are read inside the unlocked vault)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.vault import DocumentInfo

Index = QModelIndex | QPersistentModelIndex


def _kind(info: DocumentInfo) -> str:
    return (
        info.mime_type.split("/")[-1]
        .upper()
        .replace("VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT", "DOCX")
    )


class DocumentsModel(QAbstractTableModel):
    HEADERS = ("Title", "Type", "Pages", "Size", "Imported", "Flags")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocumentInfo] = []

    def set_documents(self, rows: list[DocumentInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.UserRole,
        ):
            return None
        info = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return info.id
        meta = info.metadata
        flags = meta.get("flags", [])
        values = (
            info.title,
            _kind(info),
            str(meta.get("pages", "")),
            f"{info.size / 1024:,.0f} KB",
            info.created[:10],
            ", ".join(str(f).replace("_", " ") for f in flags) if isinstance(flags, list) else "",
        )
        return values[index.column()]


class DocumentsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DocumentsModel()
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName(self.tr("Documents in this matter"))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.show_locked()

    def show_locked(self) -> None:
        self.model.set_documents([])
        self.empty.setText(self.tr("Unlock a matter to see its documents."))

    def show_documents(self, rows: list[DocumentInfo]) -> None:
        self.model.set_documents(rows)
        self.empty.setText("" if rows else self.tr("This matter has no documents yet."))
        self.table.resizeColumnsToContents()
