"""Summarise: one document of the open matter, or all of them, lines shown as they exist.

A summary reads as a partner wants it: the key facts, a key-terms table (each term with
its sentence), then the model's few points, with how many were confirmed by the
sentences they cite. Every line links to its page; a link opens the source pane at that
page (with the line's quote marked). The coverage line says how many pages
were read, and warns when that is not all of them, so nobody mistakes a partial summary
for a whole one. "All documents" summarises every top-level document of the matter as a
batch (app/tasks/summarise/batch.py): several at once on the firm's inference server, one
at a time on this computer, each document under its own heading.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.gui.task_panel import TaskContext, TaskPanel, TaskRequest
from app.tasks.audited import run_summarise, run_summarise_batch
from app.tasks.quote import Quote
from app.tasks.shown import summary_from_json
from app.tasks.summarise.key_terms import absent_line
from app.tasks.summarise.parts import clip, confirmed_line
from app.tasks.summarise.pipeline import Point, Summary
from app.vault import DocumentInfo

WARNING_STYLE = "color: #8a4b00; font-weight: bold;"
#: The document choice that summarises every top-level document of the matter.
ALL = "*all*"
#: heading, document id, lines, notes (the absent key terms, the points' check)
Section = tuple[str, str, list[Point], list[str]]
_CELL = "style='padding: 2px 8px 2px 0; vertical-align: top'"
_QUOTE = "style='color:#444444; padding: 2px 8px 2px 0; vertical-align: top'"


class SummarisePanel(TaskPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Summa&rise"), self.tr("Summarise the document"), self.tr("summary"), parent
        )
        self.locked_text = self.tr("Unlock a matter to summarise its documents.")
        self.run_button.setToolTip(self.tr("Summarise the chosen document (Ctrl+Enter)"))
        self.cancel_button.setToolTip(self.tr("Stop; finished parts are kept (Esc)"))
        self.document = QComboBox()
        self.document.setAccessibleName(self.tr("Document to summarise"))
        self.document.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.document.setMinimumContentsLength(24)
        document_label = QLabel(self.tr("D&ocument:"))
        document_label.setBuddy(self.document)
        self.style_box = QComboBox()
        self.style_box.setAccessibleName(self.tr("Summary style"))
        for label, style in (
            (self.tr("Brief"), "brief"),
            (self.tr("Detailed"), "detailed"),
            (self.tr("Chronology"), "chronology"),
        ):
            self.style_box.addItem(label, style)
        style_label = QLabel(self.tr("St&yle:"))
        style_label.setBuddy(self.style_box)
        self.coverage = QLabel("")
        self.coverage.setAccessibleName(self.tr("Pages covered"))
        self.coverage.setWordWrap(True)
        self.coverage.hide()
        self.output = QTextBrowser()
        self.output.setOpenLinks(False)
        self.output.setAccessibleName(self.tr("Summary with page citations"))
        self.output.anchorClicked.connect(self._open)
        self.inputs = [self.document, self.style_box]

        bar = QHBoxLayout()
        bar.addWidget(document_label)
        bar.addWidget(self.document, 1)
        bar.addWidget(style_label)
        bar.addWidget(self.style_box)
        bar.addLayout(self.controls.buttons())
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(self.coverage)
        layout.addWidget(self.output, 1)

        self._documents: list[DocumentInfo] = []
        self._document_id = ""
        self._title = ""
        self.draft: list[Point] = []
        self.summary: Summary | None = None
        #: A batch run's summaries (All documents), in the matter's order.
        self.summaries: list[Summary] = []
        self._batch: dict[str, list[Point]] = {}
        self._links: list[tuple[str, int, Quote | str]] = []
        self.clear()
        self.set_available(False)

    # -- the framework's hooks -----------------------------------------------------------
    def set_documents(self, documents: list[DocumentInfo]) -> None:
        """The open matter's documents (empty when locked); keeps the current choice."""
        current = self.document.currentData()
        self._documents = list(documents)
        self.document.clear()
        for info in self._documents:
            pages = info.metadata.get("pages")
            label = f"↳ {info.title}" if info.parent_id else info.title
            if pages:
                label += self.tr(" ({0} p.)").format(pages)
            self.document.addItem(label, info.id)
        top = [d for d in self._documents if d.parent_id is None]
        if len(top) > 1:
            self.document.addItem(self.tr("All {0} documents").format(len(top)), ALL)
        index = self.document.findData(current)
        if index >= 0:
            self.document.setCurrentIndex(index)
        self.refresh()

    def has_result(self) -> bool:
        return self.summary is not None or bool(self.summaries)

    def can_run(self) -> bool:
        return bool(self._documents)

    def idle_text(self) -> str:
        if not self._documents:
            return self.tr("Import a document on the Documents tab to summarise it.")
        return ""

    def reset(self) -> None:
        self.draft, self._links, self.summary = [], [], None
        self.summaries, self._batch = [], {}
        self._document_id = self._title = ""
        self.output.clear()
        self.coverage.clear()
        self.coverage.hide()

    def request(self) -> TaskRequest | None:
        document_id = self.document.currentData()
        if not document_id:
            return None
        style = str(self.style_box.currentData())
        self.draft, self._links, self.summary = [], [], None
        self.summaries, self._batch = [], {}
        self.coverage.hide()
        if document_id == ALL:
            return self._batch_request(style)
        info = next(d for d in self._documents if d.id == document_id)
        self._document_id, self._title = info.id, info.title
        self.state.setText(self.tr("Reading the document…"))
        self.output.setHtml(f"<p><i>{html.escape(self.tr('Working…'))}</i></p>")

        def work(task: TaskContext) -> Summary:
            return run_summarise(
                info.id,
                task.engine,
                task.vault,
                style=style,
                progress=task.progress,
                cancel=task.cancel,
                on_points=task.emit,
            )

        return TaskRequest(
            "summary",
            self.tr("Summarising…"),
            work,
            {"document_id": info.id, "style": style},
            self.tr("Cancelled. Finished parts are kept: run it again to resume."),
        )

    def _batch_request(self, style: str) -> TaskRequest:
        ids = [d.id for d in self._documents if d.parent_id is None]
        self._document_id, self._title = "", ""
        self._batch = {document_id: [] for document_id in ids}
        self.state.setText(self.tr("Reading the documents…"))
        self.output.setHtml(f"<p><i>{html.escape(self.tr('Working…'))}</i></p>")

        def work(task: TaskContext) -> list[Summary]:
            return run_summarise_batch(
                ids,
                task.engine,
                task.vault,
                style=style,
                progress=task.progress,
                cancel=task.cancel,
                on_points=lambda doc, found: task.emit((doc, found)),
            )

        return TaskRequest(
            "summary",
            self.tr("Summarising {0} documents…").format(len(ids)),
            work,
            {"document_ids": ids, "style": style},
            self.tr("Cancelled. Finished summaries and parts are kept: run it again to resume."),
        )

    def _title_of(self, document_id: str) -> str:
        return next((d.title for d in self._documents if d.id == document_id), document_id)

    def _batch_sections(self) -> list[Section]:
        return [
            (self._title_of(doc), doc, points, []) for doc, points in self._batch.items() if points
        ]

    def partial(self, value: list[Point] | tuple[str, list[Point]]) -> None:
        """Lines as they exist: the rule-built facts and key terms first, then the points."""
        if isinstance(value, tuple):  # a batch: (document id, points)
            document_id, found = value
            self._batch.setdefault(document_id, []).extend(found)
            heading = self.tr("Taking shape: points from the parts read so far")
            self._render_sections(self._batch_sections(), draft=True, top=heading)
            return
        self.draft.extend(value)
        heading = self.tr("Taking shape: what has been read so far")
        self._render(heading, self.draft, draft=True)

    def done(self, result: Summary | list[Summary]) -> None:
        if isinstance(result, list):
            self._batch_done(result)
            return
        self.summary = summary = result
        self._document_id, self._title = summary.document_id, summary.title
        style = self.style_box.itemText(max(0, self.style_box.findData(summary.style)))
        heading = self.tr("{0} — {1} summary").format(summary.title, style.lower())
        self._render(heading, summary.points, notes=self._notes(summary))
        covered, total = len(summary.covered_pages), summary.total_pages
        text = self.tr("Pages covered {0}/{1}").format(covered, total)
        if covered < total:
            missing = sorted(set(range(1, total + 1)) - set(summary.covered_pages))
            text = (
                "⚠ "
                + text
                + self.tr(" — NOT every page was read (missing: {0}).").format(
                    ", ".join(map(str, missing))
                )
            )
        if summary.empty_pages:
            text += self.tr("  ⚠ Pages with no text (they may need OCR): {0}.").format(
                ", ".join(map(str, summary.empty_pages))
            )
        warn = covered < total or bool(summary.empty_pages)
        self.coverage.setStyleSheet(WARNING_STYLE if warn else "")
        self.coverage.setText(text)
        self.coverage.show()
        if summary.facts or summary.key_terms:
            self.state.setText(
                self.tr(
                    "{0} key facts, {1} key terms, {2} other point(s). Click a page "
                    "reference to open the source."
                ).format(summary.facts, summary.key_terms, len(summary.narrative))
            )
        else:
            self.state.setText(
                self.tr("{0} point(s). Click a page reference to open the source.").format(
                    len(summary.points)
                )
                if summary.points
                else self.tr("No points: the pages hold no text.")
            )

    def _batch_done(self, summaries: list[Summary]) -> None:
        self.summaries = summaries
        sections = []
        for summary in summaries:
            style = self.style_box.itemText(max(0, self.style_box.findData(summary.style)))
            heading = self.tr("{0} — {1} summary").format(summary.title, style.lower())
            sections.append((heading, summary.document_id, summary.points, self._notes(summary)))
        self._render_sections(sections)
        covered = sum(len(s.covered_pages) for s in summaries)
        total = sum(s.total_pages for s in summaries)
        short = [s.title for s in summaries if len(s.covered_pages) < s.total_pages]
        empty = [s.title for s in summaries if s.empty_pages]
        text = self.tr("Pages covered {0}/{1} in {2} documents").format(
            covered, total, len(summaries)
        )
        if short:
            text = (
                "⚠ "
                + text
                + self.tr(" — NOT every page was read in: {0}.").format(", ".join(short))
            )
        if empty:
            text += self.tr("  ⚠ Pages with no text (they may need OCR) in: {0}.").format(
                ", ".join(empty)
            )
        self.coverage.setStyleSheet(WARNING_STYLE if short or empty else "")
        self.coverage.setText(text)
        self.coverage.show()
        points = sum(len(s.points) for s in summaries)
        self.state.setText(
            self.tr(
                "{0} point(s) in {1} summaries. Click a page reference to open the source."
            ).format(points, len(summaries))
        )

    shown_key = "summary"

    def snapshot(self) -> dict[str, Any] | None:
        """The summary (or batch) shown, kept so it shows again after lock and unlock."""
        if self.summaries:
            return {"batch": [summary.to_json() for summary in self.summaries]}
        return {"summary": self.summary.to_json()} if self.summary is not None else None

    def restore(self, shown: dict[str, Any], corrections: list[Any]) -> None:
        if "batch" in shown:
            self.done([summary_from_json(item) for item in shown["batch"]])
        else:
            self.done(summary_from_json(shown["summary"]))

    def error(self, message: str) -> None:
        self.state.setText(message)
        if self._batch_sections():
            heading = self.tr("Stopped: points from the parts read so far")
            self._render_sections(self._batch_sections(), draft=True, top=heading)
        elif self.draft:
            self._render(self.tr("Stopped: points from the parts read so far"), self.draft, True)
        else:
            self.output.setHtml(f"<p><b>{html.escape(message)}</b></p>")

    # -- output and links ---------------------------------------------------------------
    def link(self, index: int) -> tuple[str, int, Quote | str]:
        """The (document id, page, quote) behind the ``index``-th page link."""
        return self._links[index]

    def _notes(self, summary: Summary) -> list[str]:
        """The absent key terms and the points' check, for a brief or detailed summary."""
        if summary.style == "chronology":
            return []
        return [
            absent_line(summary.absent),
            confirmed_line(summary.written, summary.confirmed, summary.quoted),
        ]

    def _render(
        self, heading: str, points: list[Point], draft: bool = False, notes: list[str] | None = None
    ) -> None:
        self._render_sections([(heading, self._document_id, points, notes or [])], draft)

    def _refs(self, document_id: str, point: Point) -> str:
        refs = []
        for page in point.pages:
            on_page = next((c for c in point.cited if c.page == page), None)
            self._links.append((document_id, page, on_page or point.unplaced or ""))
            refs.append(f"<a href='cite:{len(self._links) - 1}'>p.&nbsp;{page}</a>")
        return ", ".join(refs)

    def _render_sections(self, sections: list[Section], draft: bool = False, top: str = "") -> None:
        """Each section: its heading, key facts, key-terms table, then numbered points."""
        self._links = []
        parts = [f"<h2>{html.escape(top)}</h2>"] if top else []
        colour = " style='color:#555555'" if draft else ""
        for heading, document_id, points, notes in sections:
            absent, checked = [*notes, "", ""][:2]
            parts.append(f"<h3>{html.escape(heading)}</h3>")
            facts = [p for p in points if p.kind == "fact"]
            terms = [p for p in points if p.kind == "term"]
            rest = [p for p in points if p.kind not in ("fact", "term")]
            if facts:
                listed = "".join(
                    f"<li>{html.escape(p.text)} [{self._refs(document_id, p)}]</li>" for p in facts
                )
                parts.append(
                    f"<h4>{html.escape(self.tr('Key facts'))}</h4><ul{colour}>{listed}</ul>"
                )
            if terms or absent:
                rows = []
                for p in terms:
                    label, _, value = p.text.partition(": ")
                    rows.append(
                        f"<tr><td {_CELL}><b>{html.escape(label)}</b></td>"
                        f"<td {_CELL}>{html.escape(value)}</td>"
                        f"<td {_QUOTE}><i>“{html.escape(clip(p.quote or ''))}”</i></td>"
                        f"<td {_CELL}>{self._refs(document_id, p)}</td></tr>"
                    )
                table = f"<table{colour}>{''.join(rows)}</table>" if rows else ""
                missing = f"<p><i>{html.escape(absent)}</i></p>" if absent else ""
                parts.append(f"<h4>{html.escape(self.tr('Key terms'))}</h4>{table}{missing}")
            if rest:
                items = []
                for point in rest:
                    date = f"<b>{html.escape(point.date)}</b> — " if point.date else ""
                    text = html.escape(point.text)
                    if point.kind == "quoted":
                        note = self.tr("quoted: no point in other words was confirmed")
                        text = f"<i>“{text}”</i> <small>({html.escape(note)})</small>"
                    cites = f" [{self._refs(document_id, point)}]" if point.pages else ""
                    items.append(f"<li>{date}{text}{cites}</li>")
                if facts or terms:
                    title = self.tr("Other points")
                    title += f" — {checked}" if checked else ""
                    parts.append(f"<h4>{html.escape(title)}</h4>")
                parts.append(f"<ol{colour}>{''.join(items)}</ol>")
        self.output.setHtml("".join(parts))

    def _open(self, url: QUrl) -> None:
        if url.scheme() == "cite":
            document_id, page, quote = self._links[int(url.path())]
            self.source_requested.emit(document_id, page, quote)
