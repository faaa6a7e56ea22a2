"""HTML reader on the standard library's ``html.parser``.

Scripts, styles and hidden blocks (inline XBRL headers in SEC filings hide thousands of
facts in ``display:none``) are dropped, because search hits inside them would point the
lawyer at text they cannot see. The declared charset wins; undeclared pages fall back
from UTF-8 to cp1252, which is what legacy Windows pages are.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from app.ingest.detect import decode_text
from app.ingest.text import normalise
from app.ingest.types import PageText

_SKIP = {"script", "style", "noscript", "template", "svg", "object", "iframe"}
_VOID = {
    "br",
    "hr",
    "img",
    "input",
    "meta",
    "link",
    "area",
    "base",
    "col",
    "embed",
    "source",
    "wbr",
}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "pre",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "form",
    "fieldset",
    "address",
    "figure",
    "figcaption",
    "hr",
    "br",
    "title",
    "caption",
    "tbody",
    "thead",
    "tfoot",
}
_CELL = {"td", "th"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skip: list[list[object]] = []  # [tag, open count] of the element being dropped
        self._in_title = False
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[-1][0] and tag not in _VOID:
                count = self._skip[-1][1]
                assert isinstance(count, int)
                self._skip[-1][1] = count + 1
            return
        style = dict(attrs).get("style") or ""
        hidden = tag not in _VOID and (_HIDDEN.search(style) is not None or tag == "ix:header")
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP or hidden:
            self._skip.append([tag, 1])
            return
        if tag == "pre":
            self._pre += 1
        if tag in _BLOCK:
            self.parts.append(
                "\n\n" if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "table") else "\n"
            )
        elif tag in _CELL:
            self.parts.append("\t")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1][0]:
                count = self._skip[-1][1]
                assert isinstance(count, int)
                self._skip[-1][1] = count - 1
                if count - 1 == 0:
                    self._skip.pop()
            return
        if tag == "title":
            self._in_title = False
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title_parts.append(data)
            return
        self.parts.append(data if self._pre else _SPACES.sub(" ", data.replace("\n", " ")))


def declared_charset(data: bytes) -> str | None:
    head = data[:8192]
    match = _XML_ENCODING.match(head) or _CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def html_to_text(markup: str) -> tuple[str, str]:
    """Visible text and title of an HTML string (also used for HTML e-mail bodies)."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = [line.strip(" ") for line in "".join(parser.parts).split("\n")]
    text = normalise("\n".join(lines))
    title = " ".join("".join(parser.title_parts).split())
    return text, title


def read_html(data: bytes) -> tuple[list[PageText], dict[str, str], str]:
    """One page of visible text; the charset actually used is recorded in metadata."""
    text, encoding = decode_text(data, declared_charset(data))
    body, title = html_to_text(text)
    return [PageText(1, body)], {"charset": encoding, "page_basis": "single"}, title
