"""Query terms from a plain-language question, and windows of text around their matches.

Lawyers ask questions ("Which state's law governs the outsourcing agreement?"), not FTS5
queries, and SQLite's tokenizer does no stemming. So a question or a statement is
reduced to its content words, each turned into a crude stem with a prefix form
(``govern*`` also finds "governed" and "governing"), quoted phrases kept whole, the terms
ORed. ``weigh`` gives each term an IDF-like weight from one matter's index (searches run
through ``Vault.search`` of the one unlocked vault, so they cannot cross an ethical wall);
``best_window`` narrows a chunk to its densest cluster of matches, because the model reads
every prompt token on a laptop CPU. Review ranks sentences and Extract's open fields find
passages with these; Ask works on sentences (app/tasks/ask/sentences.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.vault import Vault

CountTokens = Callable[[str], int]

#: Question words, function words and filler that say nothing about where an answer is.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can cannot could did do does doing done down
    during each either else ever every few for from further get gets got had has have
    having he her here hers him his how however i if in into is it its itself just let
    may me might more most must my no nor not now of off on once only or other our ours
    out over own per please same shall she should so some such than that the their them
    then there these they this those through to too under until up upon us very was we
    were what whatever when where whether which while who whom whose why will with within
    without would yes yet you your yours
    tell say says said show give list explain describe find mean means meant
    document documents doc docs file files matter page pages text
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

#: Suffixes stripped (first match wins) before a word becomes a prefix query, kept only
#: when at least ``_MIN_STEM`` characters remain: "governs" -> govern*, "termination"
#: -> terminat*, "penalty" -> penalt*, "bananas" -> banana*.
_SUFFIXES = (
    "ings",
    "ing",
    "ations",
    "ation",
    "ions",
    "ion",
    "ments",
    "ment",
    "edly",
    "ed",
    "ies",
    "es",
    "ity",
    "ly",
    "s",
    "y",
    "e",
)
_MIN_STEM = 5
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_PHRASE = re.compile(r'"([^"]+)"')
_SENTENCE_END = re.compile(r"[.;:?!][\"')\]]?\s+")
_SPACE = re.compile(r"\s+")

#: Hits counted per term to weigh it (a term in this many chunks or more is common).
_DF_CAP = 50
#: A passage must hold this share of the question's term weight to count as relevant.
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Term:
    """One element of the query: a word (exact or prefix) or a quoted phrase."""

    fts: str  # as sent to FTS5: ``law``, ``govern*`` or ``"choice of law"``
    pattern: re.Pattern[str]  # finds it in passage text, case-insensitively
    weight: float = 1.0


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def fts(self) -> str:
        """The FTS5 query: every term ORed."""
        return " OR ".join(term.fts for term in self.terms)

    def coverage(self, text: str) -> float:
        """Share of the total term weight found in ``text`` (0..1)."""
        total = sum(term.weight for term in self.terms)
        if not total:
            return 0.0
        return sum(term.weight for term in self.terms if term.pattern.search(text)) / total


@dataclass(frozen=True)
class Passage:
    """An exact slice of one page: ``text == page_text[char_start:char_end]``."""

    document_id: str
    title: str
    page: int
    char_start: int
    char_end: int
    text: str
    score: float  # BM25 of the chunk it came from (higher is better)
    coverage: float  # share of the question's term weight it contains
    tokens: int = 0


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def _word_term(word: str) -> Term:
    root = stem(word)
    if len(root) >= _MIN_STEM:
        return Term(f"{root}*", re.compile(rf"\b{re.escape(root)}\w*", re.IGNORECASE))
    # Short words stay exact (prefixes like "law*" match too much), plus a plural.
    return Term(f"({word} OR {word}s)", re.compile(rf"\b{re.escape(word)}s?\b", re.IGNORECASE))


def _phrase_term(phrase: str) -> Term | None:
    words = _WORD.findall(phrase.lower())
    if not words:
        return None
    gap = r"[\W_]+"
    pattern = re.compile(r"\b" + gap.join(re.escape(w) for w in words) + r"\b", re.IGNORECASE)
    return Term('"' + " ".join(words) + '"', pattern)


def build_query(question: str) -> Query:
    """Content words (stemmed, prefix forms for longer ones) and "quoted phrases"."""
    terms: list[Term] = []
    seen: set[str] = set()

    def add(term: Term | None) -> None:
        if term is not None and term.fts not in seen:
            seen.add(term.fts)
            terms.append(term)

    for phrase in _PHRASE.findall(question):
        add(_phrase_term(phrase))
    rest = _PHRASE.sub(" ", question)
    for raw in _WORD.findall(rest.lower().replace("\u2019", "'")):
        word = raw.split("'")[0] if raw.endswith(("'s", "'")) else raw.replace("'", "")
        if len(word) < 2 or word in STOPWORDS:
            continue
        add(_word_term(word))
    return Query(tuple(terms))


def weigh(query: Query, vault: Vault, document_ids: Sequence[str] | None = None) -> Query:
    """Give each term an IDF-like weight from how many of this vault's chunks contain it.

    A term found nowhere gets the largest weight: a question about something the
    matter never mentions should not be answered from the words it does mention.
    ``document_ids`` counts within those documents only (a question about one contract,
    where words every clause uses, "Confidential Information", say little).
    """
    weighted = []
    for term in query.terms:
        hits = len(vault.search(term.fts, limit=_DF_CAP, document_ids=document_ids))
        weighted.append(Term(term.fts, term.pattern, math.log(1.0 + _DF_CAP / (1.0 + hits))))
    return Query(tuple(weighted))


def best_window(text: str, query: Query, size: int) -> tuple[int, int]:
    """The ``size``-character span of ``text`` holding the most term weight."""
    if len(text) <= size:
        return 0, len(text)
    matches = sorted(
        ((m.start(), term) for term in query.terms for m in term.pattern.finditer(text)),
        key=lambda match: match[0],
    )
    best, best_span = -1.0, (0, size)
    for position, _ in matches:
        start = max(0, min(position - size // 4, len(text) - size))
        end = start + size
        inside = {term.fts: term.weight for pos, term in matches if start <= pos < end}
        weight = sum(inside.values())
        if weight > best:
            best, best_span = weight, (start, end)
    return snap(text, *best_span)


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the edges to the nearest sentence (or at least word) boundaries."""
    if start > 0:
        ends = list(_SENTENCE_END.finditer(text, max(0, start - 160), start))
        if ends:
            start = ends[-1].end()
        else:
            space = _SPACE.search(text, start, min(len(text), start + 40))
            start = space.end() if space else start
    if end < len(text):
        stop = _SENTENCE_END.search(text, max(start + 1, end - 80), min(len(text), end + 120))
        if stop:
            end = stop.start() + 1
        else:
            spaces = list(_SPACE.finditer(text, max(start + 1, end - 40), end))
            end = spaces[-1].start() if spaces else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
