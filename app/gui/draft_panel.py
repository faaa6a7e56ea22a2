"""Draft: a template, the lawyer's instructions and chosen documents -> a cited draft.

The preview is the same layout the DOCX is written from (app/tasks/draft_render.py):
placeholders are highlighted as they will be in Word, and each superscript source number
is a link that opens the cited page in the source pane, so every fact can be checked
before the draft is saved.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChambersError
from app.tasks.draft import Draft
from app.tasks.draft_render import Layout, Run, layout, source_line, write_docx
from app.tasks.templates import list_templates, load_template
from app.vault import DocumentInfo

PLACEHOLDER_STYLE = "background-color:#ffe066; font-weight:bold;"


class DraftPanel(QWidget):
    draft_requested = Signal(str, str, list)  # template name, instructions, document ids
    cancel_requested = Signal()
    source_requested = Signal(str, int, str)  # document id, page, quote

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template = QComboBox()
        self.template.setAccessibleName(self.tr("Template"))
        for name in list_templates():
            try:
                self.template.addItem(load_template(name).title, name)
            except ChambersError as exc:  # a broken user template is listed, not fatal
                self.template.addItem(self.tr("{0} (cannot be used)").format(name), None)
                self.template.setItemData(
                    self.template.count() - 1, exc.message, Qt.ItemDataRole.ToolTipRole
                )
        template_label = QLabel(self.tr("&Template:"))
        template_label.setBuddy(self.template)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setAccessibleName(self.tr("What the template is for"))
        self.template.currentIndexChanged.connect(self._describe)
        self.instructions = QPlainTextEdit()
        self.instructions.setAccessibleName(self.tr("Instructions"))
        self.instructions.setPlaceholderText(
            self.tr("What is the draft for? Give the facts you know, e.g. “Our client is owed "
                    "$48,500 under invoice 2019-114; give them 14 days.”")
        )  # fmt: skip
        self.instructions.setTabChangesFocus(True)
        instructions_label = QLabel(self.tr("&Instructions:"))
        instructions_label.setBuddy(self.instructions)
        self.documents = QListWidget()
        self.documents.setAccessibleName(self.tr("Documents to draw on"))
        documents_label = QLabel(self.tr("D&ocuments to draw on:"))
        documents_label.setBuddy(self.documents)
        self.run_button = QPushButton(self.tr("&Draft"))
        self.run_button.setAccessibleName(self.tr("Write the draft"))
        self.run_button.setToolTip(self.tr("Write the draft (Ctrl+Enter)"))
        self.run_button.clicked.connect(self._run)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the draft"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.save_button = QPushButton(self.tr("&Save DOCX…"))
        self.save_button.setAccessibleName(self.tr("Save the draft as a Word document"))
        self.save_button.clicked.connect(self._choose_file)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Draft progress"))
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.state = QLabel("")
        self.state.setAccessibleName(self.tr("Draft status"))
        self.state.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setAccessibleName(self.tr("Draft preview with sources"))
        self.preview.anchorClicked.connect(self._open)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self._run)

        form = QWidget()
        left = QVBoxLayout(form)
        left.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(template_label)
        row.addWidget(self.template, 1)
        left.addLayout(row)
        left.addWidget(self.about)
        left.addWidget(instructions_label)
        left.addWidget(self.instructions, 2)
        left.addWidget(documents_label)
        left.addWidget(self.documents, 1)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.cancel_button, self.save_button):
            buttons.addWidget(button)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.state)
        splitter = QSplitter()
        splitter.addWidget(form)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 600])
        layout_ = QVBoxLayout(self)
        layout_.addWidget(splitter)

        self.result: Draft | None = None
        self.rendered: Layout | None = None
        self._available = self._busy = False
        self._describe()
        self.clear()
        self.set_available(False)

    # -- state from the main window ------------------------------------------------------
    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The open matter's documents (empty when locked); keeps the ticks already made."""
        ticked = set(self.chosen_documents())
        self.documents.clear()
        for info in documents:
            item = QListWidgetItem(f"↳ {info.title}" if info.parent_id else info.title)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if info.id in ticked else Qt.CheckState.Unchecked
            )
            self.documents.addItem(item)

    def chosen_documents(self) -> list[str]:
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.documents.item(i) for i in range(self.documents.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_available(self, available: bool, reason: str = "") -> None:
        self._available = available
        if not available:
            self.state.setText(reason or self.tr("Unlock a matter to draft from its documents."))
        elif not self._busy and self.result is None:
            self.state.setText("")
        self._update_enabled()

    def clear(self) -> None:
        """Forget the draft, the instructions and the document list (the matter was locked)."""
        self.result, self.rendered = None, None
        self.instructions.clear()
        self.preview.clear()
        self.set_documents([])
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self._update_enabled()

    def _update_enabled(self) -> None:
        ready = self._available and not self._busy
        for widget in (self.template, self.instructions, self.documents, self.run_button):
            widget.setEnabled(ready)
        self.save_button.setEnabled(ready and self.rendered is not None)

    def _describe(self) -> None:
        name = self.template.currentData()
        self.about.setText(load_template(name).description if name else "")

    # -- a run --------------------------------------------------------------------------
    def _run(self) -> None:
        name = self.template.currentData()
        instructions = self.instructions.toPlainText().strip()
        if not self.run_button.isEnabled() or not name:
            return
        documents = self.chosen_documents()
        if not instructions and not documents:
            self.state.setText(self.tr("Write instructions or tick documents to draw on."))
            return
        self.result, self.rendered = None, None
        self.progress.setValue(0)
        self.state.setText(self.tr("Working…"))
        self.preview.clear()
        self.set_busy(True)
        self.draft_requested.emit(name, instructions, documents)

    def show_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(fraction * 1000))
        if message:
            self.state.setText(message)

    def show_draft(self, result: Draft) -> None:
        self.result, self.rendered = result, layout(result)
        self.preview.setHtml(self._html(self.rendered))
        counts = result.counts()
        self.state.setText(
            self.tr(
                "{0} of {1} facts found and checked; {2} placeholder(s) to fill "
                "(highlighted); {3} of {4} sentences with a confirmed source. "
                "Click a source number to check it."
            ).format(
                counts["facts_supported"],
                counts["facts"],
                counts["placeholders"],
                counts["sentences_verified"],
                counts["sentences"],
            )
        )
        self.set_busy(False)

    def show_error(self, message: str) -> None:
        self.state.setText(message)
        self.set_busy(False)

    # -- preview, links and saving --------------------------------------------------------
    def _runs_html(self, runs: list[Run]) -> str:
        out = []
        for run in runs:
            text = html.escape(run.text).replace("\n", "<br>")
            if run.kind == "placeholder":
                out.append(f"<span style='{PLACEHOLDER_STYLE}'>{text}</span>")
            elif run.kind == "cite":
                out.append(f"<sup><a href='src:{run.text}'>[{text}]</a></sup>")
            else:
                out.append(text)
        return "".join(out)

    def _html(self, rendered: Layout) -> str:
        tags = {"title": "h2", "heading": "h3"}
        parts = [f"<p style='color:#555555'><i>{html.escape(rendered.notice)}</i></p>"]
        for paragraph in rendered.paragraphs:
            tag = tags.get(paragraph.style, "p")
            parts.append(f"<{tag}>{self._runs_html(paragraph.runs)}</{tag}>")
        if rendered.sources:
            parts.append(f"<h3>{html.escape(self.tr('Sources'))}</h3><ol>")
            for n, source in enumerate(rendered.sources, 1):
                line = html.escape(source_line(source))
                link = f"<a href='src:{n}'>{line}</a>" if source.document_id else line
                parts.append(f"<li>{link}</li>")
            parts.append("</ol>")
        return "".join(parts)

    def _open(self, url: QUrl) -> None:
        if url.scheme() != "src" or self.rendered is None:
            return
        source = self.rendered.sources[int(url.path()) - 1]
        if source.document_id and source.page is not None:
            self.source_requested.emit(source.document_id, source.page, source.quote)

    def _choose_file(self) -> None:
        if self.rendered is None:
            return
        suggested = f"{self.rendered.title}.docx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save draft"), suggested, self.tr("Word document (*.docx)")
        )
        if path:
            self.save(Path(path))

    def save(self, path: Path) -> Path | None:
        """Write the DOCX (atomically); say where, or why not."""
        if self.rendered is None:
            return None
        if path.suffix.lower() != ".docx":
            path = path.with_suffix(".docx")
        try:
            write_docx(self.rendered, path)
        except OSError as exc:
            self.state.setText(
                self.tr("Could not save {0}: {1}. Choose another folder.").format(
                    path, exc.strerror
                )
            )
            return None
        self.state.setText(self.tr("Saved {0}.").format(path))
        return path
