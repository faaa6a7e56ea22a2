"""The matter's documents as a sortable table (titles are read inside the unlocked vault).

Whatever is found opens: double-click, Enter or the context menu's Open on a document
opens it at page 1 in the source viewer, and on a search hit at the hit's page with the
hit's sentence marked.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.vault import DocumentInfo, SearchHit
from app.vault.search import MARK_END, MARK_START

Index = QModelIndex | QPersistentModelIndex
#: Sort keys: attachments under their message, titles case-blind, numbers as numbers.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024**2:
        return f"{size / 1024:,.0f} KB"
    return f"{size / 1024**2:,.1f} MB"


def _kind(info: DocumentInfo) -> str:
    kind = info.metadata.get("kind")
    return str(kind).upper() if kind else info.mime_type.split("/")[-1].upper()[:8]


class DocumentsModel(QAbstractTableModel):
    HEADERS = ("Title", "Type", "Pages", "Size", "Imported", "Flags")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocumentInfo] = []
        self._by_id: dict[str, DocumentInfo] = {}

    def set_documents(self, rows: list[DocumentInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._by_id = {row.id: row for row in self.rows}
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
            SORT_ROLE,
        ):
            return None
        info = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return info.id
        if role == SORT_ROLE:
            return self._sort_key(info, index.column())
        meta = info.metadata
        flags = meta.get("flags", [])
        values = (
            f"↳ {info.title}" if info.parent_id else info.title,
            _kind(info),
            str(meta.get("pages", "")),
            _size(info.size),
            info.created[:10],
            ", ".join(str(f).replace("_", " ") for f in flags) if isinstance(flags, list) else "",
        )
        return values[index.column()]

    def _sort_key(self, info: DocumentInfo, column: int) -> Any:
        if column == 0:
            parent = self._by_id.get(info.parent_id) if info.parent_id else None
            return f"{(parent or info).title.casefold()}\0{int(parent is not None)}\0{info.title.casefold()}"
        if column == 2:
            return int(info.metadata.get("pages") or 0)
        if column == 3:
            return info.size
        return self.data(self.index(self.rows.index(info), column))


class DocumentsView(QWidget):
    """Documents table, search box with ranked passages, Import button and drop target."""

    import_requested = Signal(list)  # list[Path]
    search_requested = Signal(str)
    open_requested = Signal(str, int, object)  # document id, page, text to mark

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DocumentsModel()
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(SORT_ROLE)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("Search this matter…  (Ctrl+K)"))
        self.search_box.setAccessibleName(self.tr("Search this matter"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self._search)
        self.import_button = QPushButton(self.tr("&Import…"))
        self.import_button.setAccessibleName(self.tr("Import documents"))
        self.import_button.clicked.connect(self._choose_files)
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setSpacing(2)
        self.results.hide()
        self.search_box.textChanged.connect(self._search_edited)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName(self.tr("Documents in this matter"))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Double-click and Enter both activate; the context menu offers the same.
        self.table.activated.connect(self._open_document)
        self.results.itemActivated.connect(self._open_hit)
        for view in (self.table, self.results):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._document_menu)
        self.results.customContextMenuRequested.connect(self._hit_menu)
        self.table.setToolTip(self.tr("Double-click or press Enter to open a document"))
        self.empty = QLabel("")
        self.empty.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 2)
        self.setAcceptDrops(True)
        self.show_locked()

    def show_locked(self) -> None:
        self.model.set_documents([])
        self.results.clear()
        self.results.hide()
        self.search_box.clear()
        for widget in (self.search_box, self.import_button):
            widget.setEnabled(False)
        self.empty.setText(self.tr("Unlock a matter to see its documents."))
        self.empty.show()

    def show_documents(self, rows: list[DocumentInfo]) -> None:
        for widget in (self.search_box, self.import_button):
            widget.setEnabled(True)
        self.model.set_documents(rows)
        self.empty.setText(
            ""
            if rows
            else self.tr("This matter has no documents yet. Import files or drop them here.")
        )
        self.empty.setVisible(not rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def show_results(self, hits: list[SearchHit], error: str = "") -> None:
        self.results.clear()
        if error:
            self.results.addItem(error)
        elif not hits:
            self.results.addItem(self.tr("No matches in this matter."))
        for hit in hits:
            plain = " ".join(hit.snippet.split())
            rich = html.escape(plain).replace(MARK_START, "<b>").replace(MARK_END, "</b>")
            label = QLabel(f"<b>{html.escape(hit.title)}</b>, p. {hit.page}<br>{rich}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setContentsMargins(4, 2, 4, 2)
            spoken = plain.replace(MARK_START, "").replace(MARK_END, "")
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, hit)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{hit.title}, page {hit.page}: {spoken}"
            )
            item.setToolTip(
                self.tr("Relevance {0:.2f}. Double-click or Enter opens p. {1}.").format(
                    hit.score, hit.page
                )
            )
            item.setSizeHint(label.sizeHint())
            self.results.addItem(item)
            self.results.setItemWidget(item, label)
        self.results.show()

    # -- opening what is found --------------------------------------------------------
    def _open_document(self, index: QModelIndex) -> None:
        document_id = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        if document_id:
            self.open_requested.emit(str(document_id), 1, "")

    def _open_hit(self, item: QListWidgetItem | None) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(hit, SearchHit):
            self.open_requested.emit(hit.document_id, hit.page, hit_text(hit))

    def _document_menu(self, point: QPoint) -> QMenu | None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return None
        menu = QMenu(self)
        menu.addAction(self.tr("Open at page 1"), lambda: self._open_document(index))
        menu.popup(self.table.viewport().mapToGlobal(point))
        return menu

    def _hit_menu(self, point: QPoint) -> QMenu | None:
        item = self.results.itemAt(point)
        if item is None or not isinstance(item.data(Qt.ItemDataRole.UserRole), SearchHit):
            return None
        hit = item.data(Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        menu.addAction(self.tr("Open at page {0}").format(hit.page), lambda: self._open_hit(item))
        menu.popup(self.results.viewport().mapToGlobal(point))
        return menu

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _search_edited(self, text: str) -> None:
        if not text:
            self.results.hide()

    def _search(self) -> None:
        query = self.search_box.text().strip()
        if query:
            self.search_requested.emit(query)

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Import documents"),
            str(Path.home()),
            self.tr(
                "Documents (*.pdf *.docx *.eml *.msg *.html *.htm *.rtf *.txt *.md);;All files (*)"
            ),
        )
        if files:
            self.import_requested.emit([Path(f) for f in files])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.import_button.isEnabled() and _local_paths(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_paths(event.mimeData().urls())
        if paths and self.import_button.isEnabled():
            event.acceptProposedAction()
            self.import_requested.emit(paths)


def hit_text(hit: SearchHit) -> str:
    """The words of a hit's snippet to mark on its page (the marks and "…" taken off)."""
    plain = hit.snippet.replace(MARK_START, "").replace(MARK_END, "")
    return max((part.strip() for part in plain.split("…")), key=len, default="")


def _local_paths(urls: list[QUrl]) -> list[Path]:
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
