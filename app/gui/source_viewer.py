"""The source pane: a cited page with the quote highlighted, so every claim can be checked.

PDF pages are rendered (pypdfium2, via app.ingest.render) with the quote's boxes drawn
over them; every document also shows the page's extracted text with the quote marked,
which is what screen readers and non-PDF documents use.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from app.ingest.render import render_pdf_page
from app.tasks.verify import find_quote
from app.vault import Vault


class SourceViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.current: tuple[str, int] | None = None

    def clear(self) -> None:
        self.current = None
        self.title.setText("")
        self.image.clear()
        self.text.clear()

    def show_page(self, vault: Vault, document_id: str, page: int, quote: str = "") -> None:
        """Open ``page`` of the document with ``quote`` highlighted in image and text."""
        info = vault.get_document_info(document_id)
        pages = {p.page: p.text for p in vault.pages(document_id)}
        page_text = pages.get(page, "")
        self.current = (document_id, page)
        self.title.setText(
            self.tr("Source: {0}, p. {1} of {2}").format(info.title, page, len(pages))
        )
        span = find_quote(quote, page_text) if quote else None
        # PDF text is full of no-break spaces; shown as they are, a line with no other
        # break point is cut mid-word. One character for one, so the span still fits.
        shown = page_text.replace("\u00a0", " ")
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
            cursor.setPosition(min(span[0] + 1, len(page_text)))
            self.text.setTextCursor(cursor)
            self.text.ensureCursorVisible()
        if info.mime_type == "application/pdf":
            self._render(vault.get_document(document_id).content, page, quote)
        else:
            self.image.setText(self.tr("(No page image for this type of document.)"))
            self.image.adjustSize()

    def _render(self, content: bytes, page: int, quote: str) -> None:
        rendered = render_pdf_page(content, page, quote=quote)
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
            left, top, _right, _bottom = rendered.highlights[0]
            # After the layout has sized the newly shown pane, bring the quote into view.
            QTimer.singleShot(0, lambda: self.page_area.ensureVisible(int(left), int(top), 50, 150))
        self.image.setAccessibleDescription(
            self.tr("Page image; the quote is outlined")
            if rendered.highlights
            else self.tr("Page image")
        )
