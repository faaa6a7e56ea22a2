"""The one quote type: a span of one page of one document, verbatim by construction.

Ask citations, Extract cells, Review rows, Summarise points and key terms, Draft sources
and the source viewer all point at evidence the same way: document, page, character
span and the text of that span. A ``Quote`` is only ever cut from a page text (from a
sentence of app/tasks/candidates/document.py, or from the span ``find_quote`` located),
so ``text == page_text[start:end]`` holds without a later search; the viewer highlights
the span itself instead of looking for the words again.

Results keep their JSON field names (``page``, ``quote``, ``char_start``,
``char_end``): ``fields`` writes them and ``from_fields`` reads them back, so stored
results and the CLI's ``--json`` output read as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from app.tasks.quotes import find_quote

#: The document id and page of a quote of the lawyer's own instructions (Draft), which
#: are not a document of the matter.
INSTRUCTIONS = ""
INSTRUCTIONS_PAGE = 0


class Span(Protocol):
    """Anything cut from one page (a sentence of DocumentText): page and character range."""

    @property
    def page(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Quote:
    """``text == page_text[start:end]`` of page ``page`` of document ``document_id``."""

    document_id: str
    page: int
    start: int
    end: int
    text: str

    @classmethod
    def cut(cls, document_id: str, page: int, page_text: str, start: int, end: int) -> Quote:
        """The span ``start:end`` of the page, its text taken from the page itself."""
        if not 0 <= start < end <= len(page_text):
            raise ValueError(
                f"The span {start}:{end} is outside page {page} of document {document_id} "
                f"({len(page_text)} characters); cut quotes from that page's own text."
            )
        return cls(document_id, page, start, end, page_text[start:end])

    @classmethod
    def of(cls, document_id: str, sentence: Span) -> Quote:
        """A sentence (or any span cut from its page) as a quote of ``document_id``."""
        return cls(document_id, sentence.page, sentence.start, sentence.end, sentence.text)

    @classmethod
    def locate(cls, document_id: str, page: int, page_text: str, words: str) -> Quote | None:
        """Where ``words`` (typed by a model or a person) are on the page, as the page's
        own text; None when they are not there (app/tasks/quotes.find_quote)."""
        span = find_quote(words, page_text) if words else None
        if span is None:
            return None
        return cls.cut(document_id, page, page_text, *span)

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    @property
    def flat(self) -> str:
        """The text on one line (PDF text is full of hard line breaks), for display."""
        return " ".join(self.text.split())

    def on(self, page_text: str) -> bool:
        """Whether this quote is still exactly the page's text at its span."""
        return page_text[self.start : self.end] == self.text

    def fields(self) -> dict[str, Any]:
        """The legacy JSON fields of a result: page, quote (one line), char_start, char_end."""
        return {
            "page": self.page,
            "quote": self.flat,
            "char_start": self.start,
            "char_end": self.end,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, node: dict[str, Any]) -> Quote:
        return cls(
            str(node["document_id"]),
            int(node["page"]),
            int(node["start"]),
            int(node["end"]),
            str(node["text"]),
        )


def quote_from_fields(
    document_id: str | None,
    page: int | None,
    text: str | None,
    start: int | None,
    end: int | None,
) -> Quote | None:
    """A result's legacy fields as a Quote; None where the span is missing (a result kept
    before spans were stored, or a quote that was never found on its page).

    Its ``text`` is the quote as the JSON stored it, on one line; the span is what
    locates it (``span_on_page`` compares the two with whitespace folded).
    """
    if document_id is None or page is None or start is None or end is None or not text:
        return None
    return Quote(document_id, page, start, end, text)


def span_on_page(quote: Quote | str, page: int, page_text: str) -> tuple[int, int] | None:
    """Where ``quote`` is on page ``page``: a Quote's own span, never searched for; text
    kept without a span (an older stored result, a search hit) is looked for on the page.

    A Quote whose span no longer holds its words (the document was read again since) is
    looked for too, rather than marking the wrong words.
    """
    if isinstance(quote, Quote):
        if quote.page != page:
            return None
        if " ".join(page_text[quote.start : quote.end].split()) == quote.flat:
            return quote.span
        quote = quote.text
    return find_quote(quote, page_text) if quote else None


class CitedSpan:
    """``char_start`` / ``char_end`` of a result holding ``cited: Quote | None``: the span
    fields its JSON and display code have always read, derived from the one quote."""

    cited: Quote | None

    @property
    def char_start(self) -> int | None:
        return self.cited.start if self.cited else None

    @property
    def char_end(self) -> int | None:
        return self.cited.end if self.cited else None
