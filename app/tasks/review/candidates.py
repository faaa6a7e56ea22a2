"""The sentences of one document that may settle a playbook statement, verbatim.

A sentence is a span of its page (page number, character range), cut by the one
sentence splitter at sentence punctuation or a line start (clause lists put each item on
its own line), so its text is ``page_text[start:end]`` by construction and a quote taken
from it cannot be wrong. The check that it really is on its page (``assert_on_page``,
app/tasks/quotes.find_quote) stays as an assertion that the tests exercise: it guards
the one promise a reviewer relies on.

Sentences are ranked per statement by the statement's content words, weighed by their
rarity in this document (app/tasks/retrieve: words every clause uses count for little),
plus the playbook's cue patterns: a sentence with the clause's own wording ("return or
destroy", "reverse engineer") comes first even when it shares few of the statement's
words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.cancel import CancelToken
from app.tasks.candidates.document import DocumentText, Page, Sentence
from app.tasks.patterns import CueBudget
from app.tasks.quotes import MIN_QUOTE_CHARS, find_quote
from app.tasks.retrieve import Query, build_query, weigh
from app.tasks.review.playbook import Statement
from app.vault import Vault

_EDGE = " \t\r\n\"'.,;:\u2026"  # what find_quote ignores at a quote's edges


class QuoteNotOnPageError(AssertionError):
    """A quote that is not on the page it cites: a bug, never a finding to show."""


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


def review_sentences(pages: Sequence[Page]) -> list[Sentence]:
    """Every sentence of the pages, in reading order, as a playbook reads them.

    The one splitter's sentences (app/tasks/candidates/document.py), split at list items
    and line starts too, as a playbook reads a clause list item by item; a piece too
    short to verify as a quote is left out.
    """
    doc = DocumentText(pages, line_starts=True)
    return [s for s in doc.sentences if len(s.text.strip(_EDGE)) >= MIN_QUOTE_CHARS]


def document_sentences(vault: Vault, document_id: str) -> tuple[dict[int, str], list[Sentence]]:
    """Page texts and every sentence of the document, in reading order."""
    stored = vault.pages(document_id)
    pages = {p.page: p.text for p in stored}
    return pages, review_sentences([Page(p.page, p.text) for p in stored])


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
