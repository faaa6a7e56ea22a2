"""Ask: questions over the open matter, answers with citations that open their source."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.tasks.ask import Answer, Citation


class AskPanel(QWidget):
    ask_requested = Signal(str)
    cancel_requested = Signal()
    citation_opened = Signal(object)  # Citation

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = QLineEdit()
        self.question.setPlaceholderText(self.tr("Ask about this matter…  (Ctrl+Enter)"))
        self.question.setAccessibleName(self.tr("Question"))
        self.question.returnPressed.connect(self._ask)
        self.ask_button = QPushButton(self.tr("&Ask"))
        self.ask_button.clicked.connect(self._ask)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.cancel_button.setEnabled(False)
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.setAccessibleName(self.tr("Answers with citations"))
        self.transcript.anchorClicked.connect(self._open)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.activated.connect(self._ask)
        bar = QHBoxLayout()
        bar.addWidget(self.question, 1)
        bar.addWidget(self.ask_button)
        bar.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.transcript, 1)
        self._entries: list[str] = []
        self._citations: list[Citation] = []
        self.set_available(False)

    def set_available(self, available: bool, reason: str = "") -> None:
        for widget in (self.question, self.ask_button):
            widget.setEnabled(available)
        if not available:
            self.transcript.setHtml(
                f"<p>{html.escape(reason or self.tr('Unlock a matter to ask about it.'))}</p>"
            )
            self._entries, self._citations = [], []

    def set_busy(self, busy: bool) -> None:
        self.ask_button.setEnabled(not busy)
        self.question.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _ask(self) -> None:
        question = self.question.text().strip()
        if question and self.ask_button.isEnabled():
            self._entries.append(f"<p><b>Q:</b> {html.escape(question)}</p><p><i>Working…</i></p>")
            self._render()
            self.set_busy(True)
            self.ask_requested.emit(question)

    def show_answer(self, answer: Answer) -> None:
        self._entries[-1] = self._entries[-1].replace("<p><i>Working…</i></p>", "")
        parts = [f"<p><b>A:</b> {html.escape(answer.text)}</p>"]
        if answer.citations:
            parts.append("<ul>")
        for citation in answer.citations:
            index = len(self._citations)
            self._citations.append(citation)
            mark = self.tr("verified") if citation.verified else self.tr("NOT found in the source")
            parts.append(
                f"<li><a href='cite:{index}'>[{html.escape(citation.title)}, p. {citation.page}]</a> "
                f"“{html.escape(citation.quote)}” ({mark})</li>"
            )
        if answer.citations:
            parts.append("</ul>")
        self._entries[-1] += "".join(parts)
        self._render()
        self.set_busy(False)

    def show_error(self, message: str) -> None:
        self._entries[-1] = self._entries[-1].replace(
            "<p><i>Working…</i></p>", f"<p><b>{html.escape(message)}</b></p>"
        )
        self._render()
        self.set_busy(False)

    def citation(self, index: int) -> Citation:
        return self._citations[index]

    def _render(self) -> None:
        self.transcript.setHtml("<hr>".join(self._entries))
        self.transcript.verticalScrollBar().setValue(self.transcript.verticalScrollBar().maximum())

    def _open(self, url: QUrl) -> None:
        if url.scheme() == "cite":
            self.citation_opened.emit(self._citations[int(url.path())])
