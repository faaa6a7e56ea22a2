"""Find the passages of one matter that bear on a plain-language question.

Lawyers ask questions ("Which state's law governs the outsourcing agreement?"), not FTS5
queries, and SQLite's tokenizer does no stemming. So the question is reduced to its
content words, each turned into a crude stem with a prefix form (``govern*`` also finds
"governed" and "governing"), quoted phrases are kept whole, and the terms are ORed so a
passage need not contain every word. BM25 ranks the chunks; each is then narrowed to the
window around its densest cluster of matches, because the model reads every prompt token
on a laptop CPU and a 2,000-character chunk usually answers in 400 characters.

The search runs through ``Vault.search`` of the one unlocked vault: there is no other
index to reach, so retrieval cannot cross an ethical wall.

Coverage (the share of the question's term weight a passage contains, rarer terms
weighing more) decides whether anything relevant was found at all: a question whose
distinctive words appear nowhere in the matter ("bananas") gets no answer, rather than
an answer from the model's memory dressed up with unrelated citations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.cancel import CancelToken
from app.vault import SearchHit, Vault

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
_SUFFIXES = ("ings", "ing", "ations", "ation", "ions", "ion", "ments", "ment", "edly", "ed",
             "ies", "es", "ity", "ly", "s", "y", "e")  # fmt: skip
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


@dataclass(frozen=True)
class Retrieval:
    query: Query
    passages: tuple[Passage, ...]
    #: Coverage of the best candidate, before any cut-off (0 when nothing matched).
    best_coverage: float

    @property
    def found(self) -> bool:
        return bool(self.passages)


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


def _document_coverage(query: Query, vault: Vault, document_id: str) -> float:
    """Share of the question's term weight found anywhere in one document."""
    total = sum(term.weight for term in query.terms)
    held = sum(
        term.weight
        for term in query.terms
        if vault.search(term.fts, limit=1, document_ids=[document_id])
    )
    return held / total if total else 0.0


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


def _merge(passages: list[Passage], page_text: Callable[[str, int], str]) -> list[Passage]:
    """Join passages of the same page that overlap or nearly touch (best rank kept)."""
    merged: list[Passage] = []
    for passage in passages:
        for i, kept in enumerate(merged):
            if (kept.document_id, kept.page) != (passage.document_id, passage.page):
                continue
            if (
                passage.char_start <= kept.char_end + 80
                and kept.char_start <= passage.char_end + 80
            ):
                start = min(kept.char_start, passage.char_start)
                end = max(kept.char_end, passage.char_end)
                text = page_text(kept.document_id, kept.page)[start:end]
                merged[i] = Passage(
                    kept.document_id, kept.title, kept.page, start, end, text,
                    max(kept.score, passage.score), max(kept.coverage, passage.coverage),
                )  # fmt: skip
                break
        else:
            merged.append(passage)
    return merged


def retrieve(
    question: str,
    vault: Vault,
    *,
    count_tokens: CountTokens,
    max_passages: int = 6,
    token_budget: int = 900,
    window_chars: int = 700,
    min_coverage: float = MIN_COVERAGE,
    cancel: CancelToken | None = None,
) -> Retrieval:
    """The best passages for ``question`` in this vault, within ``token_budget`` tokens.

    Passages below ``min_coverage`` are dropped; when none is left the result is empty,
    which callers must treat as "nothing in this matter answers that".
    """
    query = build_query(question)
    if not query.terms:
        return Retrieval(query, (), 0.0)
    query = weigh(query, vault)
    if cancel is not None:
        cancel.raise_if_cancelled()
    hits: Sequence[SearchHit] = vault.search(query.fts, limit=max(4, max_passages * 3))
    pages: dict[tuple[str, int], str] = {}

    def page_text(document_id: str, page: int) -> str:
        if (document_id, page) not in pages:
            for item in vault.pages(document_id):
                pages[(document_id, item.page)] = item.text
        return pages.get((document_id, page), "")

    candidates: list[Passage] = []
    for hit in hits:
        text = page_text(hit.document_id, hit.page)
        chunk = text[hit.char_start : hit.char_end]
        start, end = best_window(chunk, query, window_chars)
        start, end = hit.char_start + start, hit.char_start + end
        body = text[start:end]
        candidates.append(
            Passage(hit.document_id, hit.title, hit.page, start, end, body, hit.score,
                    query.coverage(body))
        )  # fmt: skip
    best = max((p.coverage for p in candidates), default=0.0)
    # A question that names one document ("the outsourcing agreement") should be answered
    # from that document: keep documents holding nearly as much of the question as the best.
    documents = {p.document_id: _document_coverage(query, vault, p.document_id) for p in candidates}
    best_document = max(documents.values(), default=0.0)
    relevant = [
        p
        for p in candidates
        if p.coverage >= min_coverage and documents[p.document_id] >= best_document - 0.15
    ]
    # Most of the question's weight first (document and passage), BM25 among equals.
    relevant.sort(
        key=lambda p: (round(p.coverage + documents[p.document_id], 1), p.score), reverse=True
    )
    chosen: list[Passage] = []
    used = 0
    for passage in _merge(relevant, page_text):
        if len(chosen) >= max_passages:
            break
        tokens = count_tokens(passage.text)
        if chosen and used + tokens > token_budget:
            continue
        used += tokens
        chosen.append(
            Passage(passage.document_id, passage.title, passage.page, passage.char_start,
                    passage.char_end, passage.text, passage.score, passage.coverage, tokens)
        )  # fmt: skip
    return Retrieval(query, tuple(chosen), best)
