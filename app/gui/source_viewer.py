"""The source pane: a cited page with the quote highlighted, so every claim can be checked.

PDF pages are rendered (pypdfium2, via app.ingest.render) with the quote's boxes drawn
over them; an image document (a PNG or JPEG scan imported on its own) is shown as its
page, with the quote outlined from its OCR word boxes as on a scanned PDF page. Every
document also shows the page's extracted text with the quote marked, which is what
screen readers and other documents use.

A bar above the page pages through the document (previous / next), zooms (fit width,
smaller, larger; the choice is kept from page to page) and closes the pane. A page too
large to draw whole is drawn reduced, or not drawn, with a note saying so
(app/ingest/render.py caps the pixels a page may cost).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.cancel import CancelToken, Progress
from app.gui.jobs import Job, JobRunner
from app.ingest.ocr_boxes import ocr_highlights
from app.ingest.render import RenderedPage, render_pdf_page
from app.tasks.quote import Quote, span_on_page
from app.vault import Vault


@dataclass(frozen=True)
class PageView:
    """Everything the viewer shows for one page, read and rendered off the GUI thread."""

    document_id: str
    page: int
    title: str
    page_count: int
    text: str
    span: tuple[int, int] | None
    rendered: RenderedPage | None  # None for a document with no page image (not PDF or image)
    ocr_confidence: float | None = None  # a scanned page: how sure OCR was of its text


def load_page(vault: Vault, document_id: str, page: int, quote: Quote | str = "") -> PageView:
    """Decrypt the page's text (and, for a PDF or an image, its page with the quote's boxes).

    A Quote is marked at its own span (app/tasks/quote.py); only text kept without one
    (an older stored result, a search hit) is looked for on the page.
    """
    info = vault.get_document_info(document_id)
    pages = {p.page: p.text for p in vault.pages(document_id)}
    text = pages.get(page, "")
    span = span_on_page(quote, page, text)
    rendered = None
    if info.mime_type == "application/pdf":
        # The page image is searched for the span's words; of two matches, the one at the
        # span. Words not found in the page text are still tried (their opening words).
        unplaced = quote if isinstance(quote, str) else quote.text if quote.page == page else ""
        words = text[span[0] : span[1]] if span else unplaced
        at = span[0] / len(text) if span and isinstance(quote, Quote) else None
        rendered = render_pdf_page(
            vault.get_document(document_id).content, page, quote=words, at=at
        )
    elif info.mime_type.startswith("image/") and page == 1:
        rendered = render_image(vault.get_document(document_id).content)
    ocr = vault.page_ocr(document_id, page)  # a scan: its OCR word boxes locate the quote
    rendered = ocr_highlights(rendered, ocr, span)
    confidence = ocr.confidence if ocr is not None else None
    return PageView(document_id, page, info.title, len(pages), text, span, rendered, confidence)


#: Widest an image document is shown, in pixels: a PDF page's width at the viewer's
#: scale (612 pt x 1.5), so a 300 dpi scan (2,550 px) reads like any other page.
IMAGE_WIDTH = 918


def render_image(content: bytes, width: int = IMAGE_WIDTH) -> RenderedPage | None:
    """An image document as the viewer's page: decoded by Qt, narrowed to ``width``.

    Pixels are left as stored (no EXIF rotation), because that is what OCR read and
    where its word boxes are; ``ocr_highlights`` scales the boxes to the width shown.
    QImage (unlike QPixmap) may be used off the GUI thread, where pages are loaded.
    None when Qt cannot decode the image; the page text is still shown.
    """
    image = QImage.fromData(content)
    if image.isNull():
        return None
    if image.width() > width:
        image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QImage.Format.Format_BGR888)
    pixels = bytes(image.constBits())[: image.bytesPerLine() * image.height()]
    return RenderedPage(pixels, image.width(), image.height(), image.bytesPerLine(), ())


#: Zoom steps of the page image (1.0: the rendered size, 1.5 pixels a point for a PDF).
ZOOMS = (0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)
NOTE_STYLE = "color: #8a4b00; font-weight: bold;"


def _inches(size: tuple[float, float]) -> str:
    return f"{size[0] / 72:,.0f} by {size[1] / 72:,.0f} inches"


class SourceViewer(QWidget):
    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Reading and rendering run here; without a runner (tests), on the calling thread.
        self._runner = runner
        self.title = QLabel("")
        self.title.setAccessibleName(self.tr("Source document and page"))
        self.title.setWordWrap(True)
        self.previous_button = self._button("◀", self.tr("Previous page"))
        self.next_button = self._button("▶", self.tr("Next page"))
        self.zoom_out_button = self._button("-", self.tr("Smaller (Ctrl+-)"), "Ctrl+-")
        self.zoom_in_button = self._button("+", self.tr("Larger (Ctrl++)"), "Ctrl++")
        self.fit_button = self._button(self.tr("Fit width"), self.tr("Fit the page to the width"))
        self.close_button = self._button("✕", self.tr("Close the source (Ctrl+W)"), "Ctrl+W")
        self.previous_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))
        self.zoom_out_button.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_in_button.clicked.connect(lambda: self.step_zoom(1))
        self.fit_button.clicked.connect(self.fit_width)
        self.close_button.clicked.connect(self.close_source)
        self.note = QLabel("")
        self.note.setAccessibleName(self.tr("About this page"))
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.page_area = scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(False)  # the label is the page's size: boxes map 1:1
        self.text = QTextBrowser()
        self.text.setAccessibleName(self.tr("Page text"))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.text)
        split.setSizes([520, 420])
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        for button in (
            self.previous_button,
            self.next_button,
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.close_button,
        ):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        #: The page asked for last; ``shown`` is the page on screen (None while loading).
        self.current: tuple[str, int] | None = None
        self.shown: tuple[str, int] | None = None
        #: The page shown: its view, its image with the quote drawn, and how it is zoomed.
        self.view: PageView | None = None
        self.page_image: QImage | None = None
        self.zoom, self.fitting = 1.0, False
        self._vault: Vault | None = None
        #: The page the quote is on, and the quote (a Quote, or text kept without a span).
        self._quote: tuple[int, Quote | str] = (0, "")
        self._update_buttons()

    def _button(self, text: str, tip: str, keys: str = "") -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        if keys:
            button.setShortcut(QKeySequence(keys))
        return button

    def _update_buttons(self) -> None:
        view = self.view
        self.previous_button.setEnabled(view is not None and view.page > 1)
        self.next_button.setEnabled(view is not None and view.page < view.page_count)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            button.setEnabled(self.page_image is not None)

    def clear(self) -> None:
        """Show nothing (the matter was locked, or the selection moved on)."""
        self.current = self.shown = None
        self.view, self.page_image, self._vault, self._quote = None, None, None, (0, "")
        self.title.setText("")
        self.note.clear()
        self.note.hide()
        self.image.clear()
        self.text.clear()
        self._update_buttons()

    def close_source(self) -> None:
        """The Close button: clear the pane and hide it until a source is opened again."""
        self.clear()
        self.hide()

    def show_page(
        self, vault: Vault, document_id: str, page: int, quote: Quote | str = ""
    ) -> Job | None:
        """Open ``page`` of the document with ``quote`` highlighted in image and text.

        ``quote`` is a Quote, marked at its span; plain text (kept without a span) is
        looked for on the page.

        Decrypting and rendering a PDF page takes a noticeable fraction of a second, so it
        runs on a worker; the newest request wins when clicks come faster than that.
        """
        self.current = (document_id, page)
        self._vault = vault
        if self.view is None or self.view.document_id != document_id or quote:
            self._quote = (page, quote)
        if self._runner is None:
            self.show_view(load_page(vault, document_id, page, quote))
            return None
        self.title.setText(self.tr("Opening p. {0}…").format(page))

        def work(progress: Progress, cancel: CancelToken) -> PageView:
            return load_page(vault, document_id, page, quote)

        job = Job(work, "source page")
        job.signals.done.connect(self._loaded)
        job.signals.failed.connect(
            lambda message, hint: self._failed((document_id, page), f"{message} {hint}")
        )
        return self._runner.start(job)

    def turn(self, step: int) -> Job | None:
        """The previous (-1) or next (+1) page of the document shown."""
        view, vault = self.view, self._vault
        if view is None or vault is None or not 1 <= view.page + step <= view.page_count:
            return None
        page = view.page + step
        quote = self._quote[1] if self._quote[0] == page else ""
        return self.show_page(vault, view.document_id, page, quote)

    def _loaded(self, view: PageView) -> None:
        if self.current == (view.document_id, view.page):  # not locked or superseded since
            self.show_view(view)

    def _failed(self, key: tuple[str, int], message: str) -> None:
        if self.current == key:
            self.title.setText(message)

    def show_view(self, view: PageView) -> None:
        self.shown = (view.document_id, view.page)
        self.view = view
        self.title.setText(
            self.tr("Source: {0}, p. {1} of {2}").format(view.title, view.page, view.page_count)
        )
        if view.ocr_confidence is not None:
            self.title.setText(
                self.title.text()
                + self.tr(" (scanned page, text recognised by OCR: {0}% confidence)").format(
                    round(view.ocr_confidence * 100)
                )
            )
        span = view.span
        # PDF text is full of no-break spaces; shown as they are, a line with no other
        # break point is cut mid-word. One character for one, so the span still fits.
        shown = view.text.replace("\u00a0", " ")
        if span is not None:
            start, end = span
            marked = (
                html.escape(shown[:start])
                + f"<b style='background:#ffe58a'>[{html.escape(shown[start:end])}]</b>"
                + html.escape(shown[end:])
            )
        else:
            marked = html.escape(shown)
        self.text.setHtml(f"<p>{marked.replace(chr(10), '<br>')}</p>")
        if span is not None:
            cursor = self.text.textCursor()
            cursor.setPosition(min(span[0] + 1, len(view.text)))
            self.text.setTextCursor(cursor)
            self.text.ensureCursorVisible()
        self.note.clear()
        self.page_image = None
        rendered = view.rendered
        if rendered is not None and rendered.too_large is not None:
            self._say(
                self.tr(
                    "This page is too large to draw ({0}). Its text is shown on the right."
                ).format(_inches(rendered.too_large))
            )
            self.image.clear()
            self.image.setText(self.tr("(Page too large to draw.)"))
            self.image.adjustSize()
        elif rendered is not None:
            if rendered.reduced:
                self._say(
                    self.tr(
                        "This page is very large ({0}): it is drawn reduced, so it fits "
                        "in memory. Zoom in, or read its text on the right."
                    ).format(_inches(rendered.page_size))
                )
            self._render(rendered)
        else:
            self.image.setText(self.tr("(No page image for this type of document.)"))
            self.image.adjustSize()
        self.note.setVisible(bool(self.note.text()))
        self._update_buttons()

    def _say(self, note: str) -> None:
        self.note.setText("⚠ " + note)

    def _render(self, rendered: RenderedPage) -> None:
        image = QImage(
            rendered.bgr,
            rendered.width,
            rendered.height,
            rendered.stride,
            QImage.Format.Format_BGR888,
        ).copy()
        if rendered.highlights:
            painter = QPainter(image)
            painter.setPen(QPen(QColor(200, 120, 0), 2))
            painter.setBrush(QColor(255, 215, 0, 90))
            for left, top, right, bottom in rendered.highlights:
                painter.drawRect(QRectF(left - 2, top - 2, right - left + 4, bottom - top + 4))
            painter.end()
        self.page_image = image
        self._apply_zoom()
        if rendered.highlights:
            # After the layout has sized the newly shown pane, bring the quote into view.
            QTimer.singleShot(0, lambda box=rendered.highlights[0]: self._scroll_to(box))
        else:
            QTimer.singleShot(0, lambda: self._scroll_to(None))
        self.image.setAccessibleDescription(
            self.tr("Page image; the quote is outlined")
            if rendered.highlights
            else self.tr("Page image")
        )

    # -- zoom and scrolling ----------------------------------------------------------------
    def _fit_zoom(self) -> float:
        if self.page_image is None or self.page_image.width() <= 0:
            return 1.0
        area = self.page_area  # room for a vertical scroll bar, shown or not yet
        room = area.width() - 2 * area.frameWidth() - area.verticalScrollBar().sizeHint().width()
        return max(0.02, min(ZOOMS[-1], room / self.page_image.width()))  # a huge page too

    def _apply_zoom(self) -> None:
        if self.page_image is None:
            return
        if self.fitting:
            self.zoom = self._fit_zoom()
        image = self.page_image
        if abs(self.zoom - 1.0) > 1e-3:
            image = image.scaledToWidth(
                max(1, round(image.width() * self.zoom)),
                Qt.TransformationMode.SmoothTransformation,
            )
        self.image.setPixmap(QPixmap.fromImage(image))
        self.image.adjustSize()
        self.zoom_out_button.setToolTip(
            self.tr("Smaller (Ctrl+-); now {0}%").format(round(self.zoom * 100))
        )

    def step_zoom(self, step: int) -> None:
        """One zoom step smaller (-1) or larger (+1) than now."""
        self.fitting = False
        if step > 0:
            self.zoom = next((z for z in ZOOMS if z > self.zoom + 1e-3), ZOOMS[-1])
        else:
            self.zoom = next((z for z in reversed(ZOOMS) if z < self.zoom - 1e-3), ZOOMS[0])
        self._apply_zoom()

    def fit_width(self) -> None:
        """Zoom so the page's width fills the pane (kept as the pane is resized)."""
        self.fitting = True
        self._apply_zoom()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitting:
            QTimer.singleShot(0, self._apply_zoom)

    def _scroll_to(self, box: tuple[float, float, float, float] | None) -> None:
        """Show the quote's box a little below the top; the page's left edge stays in view
        unless the quote lies beyond the pane's width."""
        horizontal = self.page_area.horizontalScrollBar()
        vertical = self.page_area.verticalScrollBar()
        if box is None:
            horizontal.setValue(0)
            vertical.setValue(0)
            return
        left, top, right, _bottom = (value * self.zoom for value in box)
        width = self.page_area.viewport().width()
        horizontal.setValue(0 if right + 20 <= width else int(left) - 20)
        vertical.setValue(max(0, int(top - self.page_area.viewport().height() / 4)))
