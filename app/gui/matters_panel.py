"""The matters list: every vault with its lock state, and the buttons that change it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.vault import VaultInfo


class MattersPanel(QWidget):
    unlock_requested = Signal(object)  # VaultInfo
    lock_requested = Signal()
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("<b>MATTERS</b>"))
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Matters"))
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(self._activated)
        self.empty = QLabel(self.tr("No matters yet. Create one with New matter."))
        self.empty.setWordWrap(True)
        self.new_button = QPushButton(self.tr("&New matter…"))
        self.new_button.clicked.connect(self.new_requested)
        self.toggle_button = QPushButton(self.tr("&Unlock…"))
        self.toggle_button.clicked.connect(self._toggle)
        self.list.currentItemChanged.connect(lambda *_: self._update_button())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.toggle_button)
        layout.addWidget(self.new_button)
        self._unlocked_id: str | None = None

    def show_matters(self, matters: list[VaultInfo], unlocked_id: str | None) -> None:
        current = self.selected()
        keep = current.vault_id if current else unlocked_id
        self._unlocked_id = unlocked_id
        self.list.clear()
        for info in matters:
            is_open = info.vault_id == unlocked_id
            state = self.tr("unlocked") if is_open else self.tr("locked")
            # A symbol and words, never colour alone; no emoji (not every system has the font).
            text = f"{'●' if is_open else '○'} {info.name}  ({state})"
            if info.problem:
                text, state = f"⚠ {info.name}", self.tr("damaged")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, info)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{info.name}, {state}")
            item.setToolTip(info.problem or f"{info.name} ({state})")
            self.list.addItem(item)
            if info.vault_id == keep:
                self.list.setCurrentItem(item)
        self.empty.setVisible(not matters)
        self._update_button()

    def selected(self) -> VaultInfo | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item else None
        return value if isinstance(value, VaultInfo) else None

    def _update_button(self) -> None:
        info = self.selected()
        is_open = info is not None and info.vault_id == self._unlocked_id
        self.toggle_button.setText(self.tr("&Lock") if is_open else self.tr("&Unlock…"))
        self.toggle_button.setEnabled(info is not None and not info.problem)

    def _toggle(self) -> None:
        info = self.selected()
        if info is None:
            return
        if info.vault_id == self._unlocked_id:
            self.lock_requested.emit()
        else:
            self.unlock_requested.emit(info)

    def _activated(self, item: QListWidgetItem) -> None:
        info = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(info, VaultInfo) and info.vault_id != self._unlocked_id and not info.problem:
            self.unlock_requested.emit(info)
