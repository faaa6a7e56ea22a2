"""The sentences of one document that may settle a playbook statement, verbatim.

A sentence is a span of its page (page number, character range), cut at sentence
punctuation or a line break (clause lists put each item on its own line), so its text is
``page_text[start:end]`` by construction and a quote taken from it cannot be wrong. The
check that it really is on its page (``assert_on_page``, app/tasks/verify.find_quote)
stays as an assertion that the tests exercise: it guards the one promise a reviewer
relies on.

Sentences are ranked per statement by the statement's content words, weighed by their
rarity in this document (app/tasks/retrieve: words every clause uses count for little),
plus the playbook's cue patterns: a sentence with the clause's own wording ("return or
destroy", "reverse engineer") comes first even when it shares few of the statement's
words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.cancel import CancelToken
from app.tasks.patterns import CueBudget
from app.tasks.quotes import MIN_QUOTE_CHARS, find_quote
from app.tasks.retrieve import Query, build_query, weigh
from app.tasks.review.playbook import Statement
from app.vault import Vault

_BREAK = re.compile(
    r"(?<=[.;?!])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9(])|\n\s*\n|\n(?=\s*(?:\(?[a-z0-9ivx]{1,4}[.)]|[A-Z]))"
)
_EDGE = " \t\r\n\"'.,;:\u2026"  # what find_quote ignores at a quote's edges
#: A sentence longer than this is cut into pieces at clause breaks (; or ,) near it.
MAX_SENTENCE_CHARS = 600


class QuoteNotOnPageError(AssertionError):
    """A quote that is not on the page it cites: a bug, never a finding to show."""


@dataclass(frozen=True)
class Sentence:
    """``text == page_text[start:end]`` of page ``page``."""

    page: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    coverage: float  # share of the statement's weighed words in the sentence
    topic: bool
    entail: bool
    contradict: bool

    @property
    def rank(self) -> float:
        return self.coverage + 0.6 * self.topic + 0.5 * (self.entail or self.contradict)


def _pieces(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Cut an over-long span at '; ' or ', ' so no piece is much over the limit."""
    while end - start > MAX_SENTENCE_CHARS:
        cut = max(text.rfind("; ", start, start + MAX_SENTENCE_CHARS),
                  text.rfind(", ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS))  # fmt: skip
        if cut <= start:
            cut = text.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            break
        yield start, cut + 1
        start = cut + 2
    yield start, end


def split_sentences(page: int, text: str) -> list[Sentence]:
    """The page's sentences as exact spans (edges trimmed of whitespace)."""
    out: list[Sentence] = []
    position = 0
    bounds = [m.end() for m in _BREAK.finditer(text)] + [len(text)]
    for stop in bounds:
        for start, end in _pieces(text, position, stop):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if len(text[start:end].strip(_EDGE)) >= MIN_QUOTE_CHARS:  # else unverifiable
                out.append(Sentence(page, start, end, text[start:end]))
        position = stop
    return out


def document_sentences(vault: Vault, document_id: str) -> tuple[dict[int, str], list[Sentence]]:
    """Page texts and every sentence of the document, in reading order."""
    pages = {p.page: p.text for p in vault.pages(document_id)}
    sentences = [s for page, text in sorted(pages.items()) for s in split_sentences(page, text)]
    return pages, sentences


def statement_query(statement: Statement, vault: Vault, document_id: str) -> Query:
    query = build_query(statement.statement)
    return weigh(query, vault, [document_id]) if query.terms else query


def rank_sentences(
    statement: Statement,
    sentences: Sequence[Sentence],
    query: Query,
    cancel: CancelToken | None = None,
) -> list[Candidate]:
    """Every sentence scored for ``statement``, best first (reading order among equals).

    The cues run under one time budget per pattern for the document (app/tasks/patterns).
    """
    budget = CueBudget(cancel=cancel)
    scored = [
        Candidate(
            s,
            query.coverage(s.text),
            budget.any(statement.topic, s.text),
            budget.any(statement.entail, s.text),
            budget.any(statement.contradict, s.text),
        )
        for s in sentences
    ]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].rank, i))
    return [scored[i] for i in order]


def assert_on_page(quote: str, page: int, pages: dict[int, str]) -> tuple[int, int]:
    """Where ``quote`` is on ``page``; raises QuoteNotOnPageError if it is not there."""
    span = find_quote(quote, pages.get(page, ""))
    if span is None:
        raise QuoteNotOnPageError(f"The quote {quote[:60]!r} is not on page {page}.")
    return span
