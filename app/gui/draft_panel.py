"""Draft: a template, the lawyer's instructions and chosen documents -> a cited draft.

The preview is the same layout the DOCX is written from (app/tasks/draft/render.py):
placeholders are highlighted as they will be in Word, and each superscript source number
is a link that opens the cited page in the source pane, so every fact can be checked
before the draft is saved.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChambersError
from app.gui.task_panel import DocumentChecklist, TaskContext, TaskPanel, TaskRequest
from app.tasks.audited import run_draft
from app.tasks.draft.pipeline import Draft
from app.tasks.draft.render import Layout, Run, layout, source_line, write_docx
from app.tasks.draft.templates import list_templates, load_template
from app.vault import DocumentInfo

PLACEHOLDER_STYLE = "background-color:#ffe066; font-weight:bold;"


class DraftPanel(TaskPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("&Draft"), self.tr("Write the draft"), self.tr("draft"), parent)
        self.locked_text = self.tr("Unlock a matter to draft from its documents.")
        self.run_button.setToolTip(self.tr("Write the draft (Ctrl+Enter)"))
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
            self.tr(
                "What is the draft for? Give the facts you know, e.g. “Our client is owed "
                "$48,500 under invoice 2019-114; give them 14 days.”"
            )
        )
        self.instructions.setTabChangesFocus(True)
        instructions_label = QLabel(self.tr("&Instructions:"))
        instructions_label.setBuddy(self.instructions)
        self.documents = DocumentChecklist(
            self.tr("Documents to draw on"), checked_by_default=False
        )
        documents_label = QLabel(self.tr("D&ocuments to draw on:"))
        documents_label.setBuddy(self.documents)
        self.save_button = QPushButton(self.tr("&Save DOCX…"))
        self.save_button.setAccessibleName(self.tr("Save the draft as a Word document"))
        self.save_button.clicked.connect(self._choose_file)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setAccessibleName(self.tr("Draft preview with sources"))
        self.preview.anchorClicked.connect(self._open)
        self.inputs = [self.template, self.instructions, self.documents]

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
        left.addLayout(self.controls.buttons(self.save_button))
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
        self._describe()
        self.clear()
        self.set_available(False)

    # -- the framework's hooks -----------------------------------------------------------
    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The open matter's documents (empty when locked); keeps the ticks already made."""
        self.documents.set_documents(documents)

    def chosen_documents(self) -> list[str]:
        return self.documents.checked()

    def has_result(self) -> bool:
        return self.result is not None

    def update_actions(self, idle: bool) -> None:
        self.save_button.setEnabled(idle and self._available and self.rendered is not None)

    def reset(self) -> None:
        """Forget the draft and the instructions (the matter was locked)."""
        self.result, self.rendered = None, None
        self.instructions.clear()
        self.preview.clear()

    def _describe(self) -> None:
        name = self.template.currentData()
        self.about.setText(load_template(name).description if name else "")

    def request(self) -> TaskRequest | None:
        name = self.template.currentData()
        instructions = self.instructions.toPlainText().strip()
        if not name:
            return None
        documents = self.chosen_documents()
        if not instructions and not documents:
            self.state.setText(self.tr("Write instructions or tick documents to draw on."))
            return None
        self.result, self.rendered = None, None
        self.state.setText(self.tr("Working…"))
        self.preview.clear()

        def work(task: TaskContext) -> Draft:
            return run_draft(
                load_template(name),
                instructions,
                documents,
                task.engine,
                task.vault,
                progress=task.progress,
                cancel=task.cancel,
            )

        return TaskRequest(
            "draft",
            self.tr("Drafting…"),
            work,
            {"template": name, "instructions": instructions, "document_ids": documents},
            self.tr("Cancelled: no draft was written."),
        )

    def done(self, result: Draft) -> None:
        self.show_draft(result)

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
        self.update_enabled()

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
        if rendered.suggestions:
            heading = self.tr("Suggestions to check (not used in the draft)")
            parts.append(f"<h3>{html.escape(heading)}</h3><ul>")
            parts += [f"<li>{html.escape(s)}</li>" for s in rendered.suggestions]
            parts.append("</ul>")
        return "".join(parts)

    def _open(self, url: QUrl) -> None:
        if url.scheme() != "src" or self.rendered is None:
            return
        source = self.rendered.sources[int(url.path()) - 1]
        if source.document_id and source.page is not None:
            self.source_requested.emit(
                source.document_id, source.page, source.cited or source.quote
            )

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
