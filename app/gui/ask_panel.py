"""Ask: questions over the open matter, answers with citations that open their source."""

from __future__ import annotations

import html
from dataclasses import asdict
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from app.gui.task_panel import TaskContext, TaskPanel, TaskRequest
from app.tasks.ask import Answer, Citation
from app.tasks.audited import run_ask
from app.tasks.shown import citations_from_json

WORKING = "<p><i>Working…</i></p>"


class AskPanel(TaskPanel):
    citation_opened = Signal(object)  # Citation

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("&Ask"), self.tr("Ask the question"), self.tr("answer"), parent)
        self.locked_text = self.tr("Unlock a matter to ask about it.")
        self.ask_button = self.run_button
        self.state.collapse = True  # the transcript says most; the line shows only news
        self.question = QLineEdit()
        self.question.setPlaceholderText(self.tr("Ask about this matter…  (Ctrl+Enter)"))
        self.question.setAccessibleName(self.tr("Question"))
        self.question.returnPressed.connect(self.start)
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.setAccessibleName(self.tr("Answers with citations"))
        self.transcript.anchorClicked.connect(self._open)
        self.inputs = [self.question]
        bar = QHBoxLayout()
        bar.addWidget(self.question, 1)
        bar.addLayout(self.controls.buttons())
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(self.transcript, 1)
        self._entries: list[str] = []
        self._citations: list[Citation] = []
        self.set_available(False)

    def reset(self) -> None:
        self._entries, self._citations = [], []
        self.transcript.clear()
        self.question.clear()  # a locked matter shows nothing, not even the last question

    shown_key = "ask"

    def snapshot(self) -> dict[str, Any] | None:
        """The questions and answers shown (their citations too), kept in the vault."""
        entries = [entry.replace(WORKING, "") for entry in self._entries]
        return {"entries": entries, "citations": [asdict(c) for c in self._citations]}

    def restore(self, shown: dict[str, Any], corrections: list[Any]) -> None:
        self._entries = [str(entry) for entry in shown["entries"]]
        self._citations = citations_from_json(shown["citations"])
        self._render()

    def request(self) -> TaskRequest | None:
        question = self.question.text().strip()
        if not question:
            return None
        self._entries.append(f"<p><b>Q:</b> {html.escape(question)}</p>{WORKING}")
        self._render()

        def work(task: TaskContext) -> Answer:
            return run_ask(
                question, task.engine, task.vault, progress=task.progress, cancel=task.cancel
            )

        return TaskRequest(
            "ask", self.tr("Answering…"), work, {"question": question}, self.tr("Cancelled.")
        )

    def done(self, result: Answer) -> None:
        self.state.setText("")
        parts = [f"<p><b>A:</b> {html.escape(result.text)}</p>"]
        if result.citations:
            parts.append("<ul>")
        for citation in result.citations:
            index = len(self._citations)
            self._citations.append(citation)
            mark = self.tr("verified") if citation.verified else self.tr("NOT found in the source")
            parts.append(
                f"<li><a href='cite:{index}'>[{html.escape(citation.title)}, p. {citation.page}]</a> "
                f"“{html.escape(citation.quote)}” ({mark})</li>"
            )
        if result.citations:
            parts.append("</ul>")
        self._entries[-1] = self._entries[-1].replace(WORKING, "") + "".join(parts)
        self._render()

    def error(self, message: str) -> None:
        if self._entries:
            self._entries[-1] = self._entries[-1].replace(
                WORKING, f"<p><b>{html.escape(message)}</b></p>"
            )
        self._render()

    def citation(self, index: int) -> Citation:
        return self._citations[index]

    def _render(self) -> None:
        self.transcript.setHtml("<hr>".join(self._entries))
        self.transcript.verticalScrollBar().setValue(self.transcript.verticalScrollBar().maximum())

    def _open(self, url: QUrl) -> None:
        if url.scheme() == "cite":
            self.citation_opened.emit(self._citations[int(url.path())])
