"""A document as pages and sentences, each sentence a verbatim span of one page.

Every typed candidate (a date, a party list, a governing-law place, a clause) is found
in a sentence and quotes that sentence, so what a cell shows is cut from the page text
itself: a quote is verbatim by construction, never copied by a model. Sentences never
cross a page break (a sentence split by one is two sentences), so each has one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from app.tasks.quote import Quote

#: A sentence ends at . ; ? ! (a closing quote or bracket may follow) before whitespace
#: and a capital, digit, quote or bracket; or at a blank line; or at a line that is a
#: heading in capitals. Abbreviations common in contracts do not end a sentence.
_BREAK = re.compile(r"(?<=[.;?!])[\"'\u201d\u2019)\]]?\s+(?=[\"'\u201c\u2018(\[A-Z0-9])|\n\s*\n")
#: With ``line_starts``, also at a line that starts a list item ("(a)", "2.", "iv)") or a
#: capital: clause lists put each item on its own line, and playbook review reads each
#: item as its own sentence (measured on ContractNLI; extraction keeps whole sentences).
_BREAK_LINES = re.compile(_BREAK.pattern + r"|\n(?=\s*(?:\(?[a-z0-9ivx]{1,4}[.)]|[A-Z]))")
_ABBREVIATION = re.compile(
    r"(?:\b(?i:Inc|Corp|Co|Ltd|L\.L\.C|L\.P|N\.A|No|Nos|Mr|Mrs|Ms|Dr|St|Jr|Sr|U\.S|S\.A|"
    r"B\.V|N\.V|GmbH|Pty|Sec|Art|para|et al|e\.g|i\.e|v|vs|Ste|Blvd|Ave|Bros|Intl|Assn)\.|"
    r"\b[A-Z]\.)$"
)
#: Longer sentences are cut at a semicolon or line break so a quote stays readable.
MAX_SENTENCE_CHARS = 700


@dataclass(frozen=True)
class Sentence:
    """``text`` is exactly ``page_text[start:end]`` of page ``page``."""

    page: int
    start: int
    end: int
    text: str
    #: Position in the document's reading order (0 = first sentence).
    index: int

    @property
    def flat(self) -> str:
        """The sentence on one line (PDF text is full of hard line breaks)."""
        return " ".join(self.text.split())


@dataclass(frozen=True)
class Page:
    number: int
    text: str


class DocumentText:
    """Pages in order and their sentences; built once per document and shared by fields."""

    def __init__(
        self,
        pages: Sequence[Page],
        title: str = "",
        *,
        line_starts: bool = False,
        document_id: str = "",
    ) -> None:
        self.pages = [p for p in pages if p.text.strip()]
        self.title = title
        #: The vault's id of the document: what its quotes (app/tasks/quote.py) point at.
        self.document_id = document_id
        #: Split at line starts too (see ``_BREAK_LINES``): how playbook review reads.
        self.line_starts = line_starts
        self._by_number = {p.number: p.text for p in pages}

    def page_text(self, number: int) -> str:
        return self._by_number.get(number, "")

    @cached_property
    def sentences(self) -> list[Sentence]:
        out: list[Sentence] = []
        for page in self.pages:
            for start, end in sentence_spans(page.text, line_starts=self.line_starts):
                out.append(Sentence(page.number, start, end, page.text[start:end], len(out)))
        return out

    def quote(self, sentence: Sentence) -> Quote:
        """The sentence as the one quote type, of this document."""
        return Quote.of(self.document_id, sentence)

    def cut(self, page: int, start: int, end: int) -> Quote:
        """The span ``start:end`` of page ``page`` as a quote (its text is the page's)."""
        return Quote.cut(self.document_id, page, self.page_text(page), start, end)

    def head(self, chars: int) -> Iterator[Sentence]:
        """Sentences from the start until ``chars`` characters of text have been read."""
        read = 0
        for sentence in self.sentences:
            if read >= chars:
                return
            read += len(sentence.text)
            yield sentence

    def tail(self, count: int) -> list[Sentence]:
        return self.sentences[-count:]

    def following(self, sentence: Sentence, count: int = 1) -> list[Sentence]:
        return self.sentences[sentence.index + 1 : sentence.index + 1 + count]


def sentence_spans(text: str, *, line_starts: bool = False) -> list[tuple[int, int]]:
    """Character spans of the sentences of one page (whitespace trimmed).

    This is the one sentence splitter: Extract, Ask, Summarise, Draft and Review all cut
    their quotes from its sentences.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in (_BREAK_LINES if line_starts else _BREAK).finditer(text):
        if text[match.start() - 1 : match.start()] == "." and _ABBREVIATION.search(
            text[max(0, start) : match.start()]
        ):
            continue
        spans.extend(_cut(text, start, match.start() + _closing(match.group(0))))
        start = match.end()
    spans.extend(_cut(text, start, len(text)))
    return _join_fragments(spans)


#: Shorter pieces ("2.", "(a)") are numbering, joined to the sentence they number.
MIN_SENTENCE_CHARS = 12


def _join_fragments(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in spans:
        if pending is not None:
            start, pending = pending, None
        if end - start < MIN_SENTENCE_CHARS:
            pending = start
            continue
        out.append((start, end))
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((pending, spans[-1][1]))
    return out


def _closing(separator: str) -> int:
    """How many characters of the separator (a closing quote or bracket) stay in the sentence."""
    return len(separator) - len(separator.lstrip("\"'\u201d\u2019)]"))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """One span, or several when it is too long to quote (cut at ; or a line break)."""
    start, end = _trim(text, start, end)
    if end - start < 2:
        return []
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        window = text[start : start + MAX_SENTENCE_CHARS]
        cut = max(window.rfind("; "), window.rfind("\n"), window.rfind(", "))
        if cut < MAX_SENTENCE_CHARS // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS
        piece = _trim(text, start, start + cut + 1)
        if piece[1] > piece[0]:
            out.append(piece)
        start = _trim(text, start + cut + 1, end)[0]
    if end > start:
        out.append((start, end))
    return out


#: Words compared by ``closest_sentence``.
_QUOTE_WORDS = re.compile(r"[^\W_]+")


def closest_sentence(quote: str, passage: str, min_overlap: float = 0.6) -> str | None:
    """The passage sentence sharing most words with ``quote`` (at least ``min_overlap``).

    Lets a reader see what the model probably meant to quote, next to the flag that
    its own quote is not in the source. The passage is cut by the one sentence splitter.
    """
    wanted = {w.lower() for w in _QUOTE_WORDS.findall(quote)}
    if not wanted:
        return None
    best, best_share = None, 0.0
    for sentence in (passage[start:end] for start, end in sentence_spans(passage)):
        words = {w.lower() for w in _QUOTE_WORDS.findall(sentence)}
        share = len(wanted & words) / len(wanted)
        if share > best_share:
            best, best_share = sentence, share
    if best is None or best_share < min_overlap:
        return None
    return " ".join(best.split())
