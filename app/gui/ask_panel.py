"""Ask: questions over the open matter, answers with citations that open their source.

An answer streams in as it is worked out: each document's answer to a routed question,
and each part of a two-part question, shows under the question as soon as it is known
(the task's ``on_partial``, through the job's ``partial`` signal, as the Review and
Summarise panels stream theirs), with the progress bar and Cancel beside it. The whole
answer replaces them when it arrives; a cancelled or failed run keeps what had come.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.gui.task_panel import TaskContext, TaskPanel, TaskRequest
from app.tasks.ask import Answer, Citation
from app.tasks.ask.pipeline import Streamed
from app.tasks.audited import run_ask
from app.tasks.shown import citations_from_json
from app.vault import DocumentInfo

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
        self.scope = QComboBox()
        self.scope.setAccessibleName(self.tr("Documents to ask about"))
        self.scope.setToolTip(self.tr("Ask about every document of the matter, or one of them."))
        self.scope.addItem(self.tr("All documents"), None)
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.setAccessibleName(self.tr("Answers with citations"))
        self.transcript.anchorClicked.connect(self._open)
        self.inputs = [self.question, self.scope]
        bar = QHBoxLayout()
        bar.addWidget(self.question, 1)
        bar.addWidget(self.scope)
        bar.addLayout(self.controls.buttons())
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(self.transcript, 1)
        self._entries: list[str] = []
        self._citations: list[Citation] = []
        #: The running question's heading, what has streamed in under it, and how many
        #: citations there were before it (its streamed ones are replaced by the answer's).
        self._head, self._streamed, self._cite_mark = "", "", 0
        self.set_available(False)

    def reset(self) -> None:
        self._entries, self._citations = [], []
        self.transcript.clear()
        self.question.clear()  # a locked matter shows nothing, not even the last question

    shown_key = "ask"

    def snapshot(self) -> dict[str, Any] | None:
        """The questions and answers shown (their citations too), kept in the vault."""
        entries = [entry.replace(WORKING, "") for entry in self._entries]
        return {"entries": entries, "citations": [c.to_json() for c in self._citations]}

    def restore(self, shown: dict[str, Any], corrections: list[Any]) -> None:
        self._entries = [str(entry) for entry in shown["entries"]]
        self._citations = citations_from_json(shown["citations"])
        self._render()

    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """Offer each top-level document of the open matter as the question's scope."""
        chosen = self.scope.currentData()
        self.scope.clear()
        self.scope.addItem(self.tr("All documents"), None)
        for info in documents:
            if info.parent_id is None:
                self.scope.addItem(info.title, info.id)
        index = self.scope.findData(chosen)
        self.scope.setCurrentIndex(max(0, index))

    def request(self) -> TaskRequest | None:
        question = self.question.text().strip()
        if not question:
            return None
        chosen = self.scope.currentData()
        document_ids = [chosen] if chosen else None
        self._head = f"<p><b>Q:</b> {html.escape(question)}</p>"
        self._streamed, self._cite_mark = "", len(self._citations)
        self._entries.append(self._head + WORKING)
        self._render()

        def work(task: TaskContext) -> Answer:
            return run_ask(
                question,
                task.engine,
                task.vault,
                document_ids=document_ids,
                progress=task.progress,
                cancel=task.cancel,
                on_partial=task.emit,
            )

        return TaskRequest(
            "ask", self.tr("Answering…"), work, {"question": question}, self.tr("Cancelled.")
        )

    def partial(self, value: Streamed) -> None:
        """One document's answer, or one part's, shown under the question at once."""
        if not self._entries or WORKING not in self._entries[-1]:
            return  # the run already ended
        if value.title:
            label = html.escape(value.title)
            if value.parts > 1:
                label += " " + self.tr("(part {0} of {1})").format(value.part, value.parts)
        else:
            label = self.tr("Part {0} of {1}").format(value.part, value.parts)
        text = html.escape(value.text).replace("\n", "<br>")
        mark = {"confirmed": "✓", "unconfirmed": "⚠", "not_stated": "○"}[value.kind]
        self._streamed += f"<p>{mark} <b>{label}:</b> {text}</p>" + self._quotes(value.citations)
        self._entries[-1] = self._head + self._streamed + WORKING
        self._render()

    def done(self, result: Answer) -> None:
        self.state.setText("")
        if self._entries and WORKING in self._entries[-1]:
            # The whole answer replaces what streamed in (the same answers, joined).
            del self._citations[self._cite_mark :]
            self._entries[-1] = self._head + WORKING
        self._streamed = ""
        parts = [self._heading(result)]
        shown = result.citations or result.closest
        if result.closest and not result.citations:
            parts.append(
                "<p><i>" + self.tr("The closest sentences (they do not answer it):") + "</i></p>"
            )
        parts.append(self._quotes(shown))
        self._entries[-1] = self._entries[-1].replace(WORKING, "") + "".join(parts)
        self._render()

    def _quotes(self, citations: Sequence[Citation]) -> str:
        """The cited sentences as a list of links to their pages."""
        if not citations:
            return ""
        items = []
        for citation in citations:
            index = len(self._citations)
            self._citations.append(citation)
            items.append(
                f"<li><a href='cite:{index}'>[{html.escape(citation.title)}, "
                f"p. {citation.page}]</a> “{html.escape(citation.quote)}”</li>"
            )
        return "<ul>" + "".join(items) + "</ul>"

    def _heading(self, result: Answer) -> str:
        """The answer line: a confirmed answer plainly, anything else visibly marked."""
        text = html.escape(result.text).replace("\n", "<br>")
        if result.kind == "confirmed":
            checked = self.tr("✓ every fact in it is in the quoted sentence")
            return f"<p><b>A:</b> {text} <small style='color:#2e6b2e'>({checked})</small></p>"
        if result.kind == "unconfirmed":
            note = self.tr("Unconfirmed: no short answer could be confirmed by the sentences.")
            missing = ""
            if result.unsupported:
                missing = (
                    "<p><small>"
                    + html.escape(
                        self.tr("Not in the sentences: {0}").format(", ".join(result.unsupported))
                    )
                    + "</small></p>"
                )
            return (
                f"<p style='color:#8a4b00'><b>⚠ {note}</b></p>{missing}"
                f"<p>{self.tr('The documents say:')}</p>"
            )
        return f"<p><b>A:</b> <i>{text}</i></p>"

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
