"""The source pane: a cited page with the quote highlighted, so every claim can be checked.

PDF pages are rendered (pypdfium2, via app.ingest.render) with the quote's boxes drawn
over them; an image document (a PNG or JPEG scan imported on its own) is shown as its
page, with the quote outlined from its OCR word boxes as on a scanned PDF page. Every
document also shows the page's extracted text with the quote marked, which is what
screen readers and other documents use.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from app.cancel import CancelToken, Progress
from app.gui.jobs import Job, JobRunner
from app.ingest.ocr_boxes import ocr_highlights
from app.ingest.render import RenderedPage, render_pdf_page
from app.tasks.quotes import find_quote
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


def load_page(vault: Vault, document_id: str, page: int, quote: str = "") -> PageView:
    """Decrypt the page's text (and, for a PDF or an image, its page with the quote's boxes)."""
    info = vault.get_document_info(document_id)
    pages = {p.page: p.text for p in vault.pages(document_id)}
    text = pages.get(page, "")
    span = find_quote(quote, text) if quote else None
    rendered = None
    if info.mime_type == "application/pdf":
        rendered = render_pdf_page(vault.get_document(document_id).content, page, quote=quote)
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


class SourceViewer(QWidget):
    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Reading and rendering run here; without a runner (tests), on the calling thread.
        self._runner = runner
        self.title = QLabel("")
        self.title.setAccessibleName(self.tr("Source document and page"))
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        #: The page asked for last; ``shown`` is the page on screen (None while loading).
        self.current: tuple[str, int] | None = None
        self.shown: tuple[str, int] | None = None

    def clear(self) -> None:
        self.current = self.shown = None
        self.title.setText("")
        self.image.clear()
        self.text.clear()

    def show_page(self, vault: Vault, document_id: str, page: int, quote: str = "") -> Job | None:
        """Open ``page`` of the document with ``quote`` highlighted in image and text.

        Decrypting and rendering a PDF page takes a noticeable fraction of a second, so it
        runs on a worker; the newest request wins when clicks come faster than that.
        """
        self.current = (document_id, page)
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

    def _loaded(self, view: PageView) -> None:
        if self.current == (view.document_id, view.page):  # not locked or superseded since
            self.show_view(view)

    def _failed(self, key: tuple[str, int], message: str) -> None:
        if self.current == key:
            self.title.setText(message)

    def show_view(self, view: PageView) -> None:
        self.shown = (view.document_id, view.page)
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
        if view.rendered is not None:
            self._render(view.rendered)
        else:
            self.image.setText(self.tr("(No page image for this type of document.)"))
            self.image.adjustSize()

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
        self.image.setPixmap(QPixmap.fromImage(image))
        self.image.adjustSize()
        if rendered.highlights:
            left, top, right, bottom = rendered.highlights[0]
            # After the layout has sized the newly shown pane, bring the quote's first line
            # into view: all of it when it fits, else its start.
            x, y, half = int((left + right) / 2), int((top + bottom) / 2), int((right - left) / 2)
            QTimer.singleShot(0, lambda: self.page_area.ensureVisible(x, y, half + 30, 150))
        self.image.setAccessibleDescription(
            self.tr("Page image; the quote is outlined")
            if rendered.highlights
            else self.tr("Page image")
        )
