"""The summary's narrative: a few points the key terms do not cover, each resting on
sentences the model chose by number, each fact checked against those sentences.

- Read: every sentence of every page is judged (app/tasks/summarise/boilerplate.py);
  definitions, headings, signature blocks and boilerplate clauses are dropped, and so
  are the sentences the facts header and the key terms already quote.
- Select: the rest are ranked by a salience rule (an obligation, money, a time limit, a
  carve-out) and the top few kB, at most a few per page, are numbered in reading order.
  That is all the model reads: one call, a few hundred tokens out, on a laptop CPU.
- Choose and check: the model answers under a schema whose sentence numbers are an
  enum, so a citation is always one of the numbered sentences: document, page and span
  by construction. Every date, duration, number, amount and name of the point's text
  must be stated in those sentences (app/tasks/grounding.py); a point that fails, or
  that only copies its sentence, is replaced by its first sentence, quoted whole, or
  dropped when that sentence is shown already. The summary says how many points were confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from app.engine.chat import Message
from app.engine.structured import bound_schema
from app.tasks.candidates import DocumentText, Sentence
from app.tasks.grounding import unsupported_facts
from app.tasks.prompts import prompt_messages
from app.tasks.quote import Quote
from app.tasks.quotes import find_quote
from app.tasks.summarise.boilerplate import judge
from app.tasks.summarise.parts import Point

PROMPT_FILE = "summarise_points.txt"
#: Salience cues: (weight, pattern). A sentence must score at least MIN_SALIENCE.
SALIENCE: tuple[tuple[float, str], ...] = (
    (
        2.0,
        r"\b(?:shall|must|agrees?\s+to|undertakes?\s+to|(?:is|are)\s+required\s+to|"
        r"(?:is|are)\s+responsible\s+for|will\s+(?:pay|provide|deliver|supply|use|maintain))\b",
    ),
    (
        1.5,
        r"[$\u20ac\u00a3]|\b(?:usd|dollars?|euros?|per\s*cent|percent|fees?|price|prices|"
        r"royalt\w*|pay|pays|paid|payments?|payable|invoices?|commissions?|compensation|"
        r"purchase\s+orders?|costs?|expenses?)\b|%",
    ),
    (1.0, r"\b(?:days?|weeks?|months?|years?|quarter\w*|annual\w*|within|no\s+later\s+than)\b"),
    (
        1.0,
        r"\b(?:except|provided\s+(?:that|however)|notwithstanding|unless|excluding|"
        r"other\s+than)\b",
    ),
    (1.5, r"\b(?:shall|may|will|must)\s+not\b|\bprohibited\b"),
    (0.5, r"\bconsent\b"),
    (-1.0, r"^\s*(?:whereas|recitals?)\b"),
)
_SALIENCE = tuple((w, re.compile(p, re.IGNORECASE)) for w, p in SALIENCE)
MIN_SALIENCE = 2.0
#: Shorter sentences are rarely a term; longer ones crowd the prompt.
MIN_CHARS, LONG_CHARS = 60, 500
#: At most this many sentences of one page, so the points spread over the contract.
PER_PAGE = 3


@dataclass(frozen=True)
class Reading:
    """What the sentence filter did with every page: the model's numbered sentences."""

    shown: list[Sentence]
    read: int
    boilerplate: int
    already_quoted: int
    pages_read: list[int]


def salience(text: str) -> float:
    score = sum(w for w, p in _SALIENCE if p.search(text))
    if len(text) < MIN_CHARS:
        score -= 2.0
    elif len(text) > LONG_CHARS:
        score -= 0.5
    return score


def quoted_spans(doc: DocumentText, points: Sequence[Point]) -> set[tuple[int, int, int]]:
    """(page, start, end) of every sentence the header and key terms already show."""
    spans: set[tuple[int, int, int]] = set()
    for point in points:
        for cited in point.cited:
            spans.add((cited.page, cited.start, cited.end))
        if point.unplaced and not point.cited:
            span = find_quote(point.unplaced, doc.page_text(point.pages[0]))
            if span is not None:
                spans.add((point.pages[0], span[0], span[1]))
    return spans


def _overlaps(sentence: Sentence, spans: set[tuple[int, int, int]]) -> bool:
    return any(
        page == sentence.page and start < sentence.end and sentence.start < end
        for page, start, end in spans
    )


def read_document(
    doc: DocumentText, shown: Sequence[Point], max_sentences: int, max_chars: int
) -> Reading:
    """Judge every sentence of every page; number the most salient that remain."""
    spans = quoted_spans(doc, shown)
    boilerplate = already = 0
    ranked: list[tuple[float, Sentence]] = []
    for sentence in doc.sentences:
        if judge(sentence.text) is not None:
            boilerplate += 1
            continue
        if _overlaps(sentence, spans):
            already += 1
            continue
        score = salience(sentence.flat)
        if score >= MIN_SALIENCE:
            ranked.append((score, sentence))
    ranked.sort(key=lambda item: (-item[0], item[1].index))
    chosen: list[Sentence] = []
    per_page: dict[int, int] = {}
    used = 0
    for _, sentence in ranked:
        if len(chosen) >= max_sentences:
            break
        if per_page.get(sentence.page, 0) >= PER_PAGE or used + len(sentence.flat) > max_chars:
            continue
        chosen.append(sentence)
        per_page[sentence.page] = per_page.get(sentence.page, 0) + 1
        used += len(sentence.flat)
    chosen.sort(key=lambda s: s.index)
    pages = sorted({p.number for p in doc.pages})
    return Reading(chosen, len(doc.sentences), boilerplate, already, pages)


def numbered(sentences: Sequence[Sentence]) -> str:
    return "\n".join(f"[{i}] (p. {s.page}) {s.flat}" for i, s in enumerate(sentences, 1))


def points_schema(count: int, max_points: int, max_chars: int) -> dict[str, Any]:
    """Sentence numbers first (an enum: only numbered sentences), then a short text."""
    item = {
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "minItems": 1,
                "maxItems": min(3, count),
                "items": {"enum": list(range(1, count + 1))},
            },
            "text": {"type": "string", "maxLength": max_chars},
        },
        "required": ["sentences", "text"],
        "additionalProperties": False,
    }
    return bound_schema(
        {
            "type": "object",
            "properties": {
                "points": {"type": "array", "minItems": 1, "maxItems": max_points, "items": item}
            },
            "required": ["points"],
            "additionalProperties": False,
        }
    )


def points_messages(
    title: str, terms: Sequence[str], sentences: Sequence[Sentence], max_points: int
) -> list[Message]:
    listed = ", ".join(dict.fromkeys(terms)) or "none"
    return prompt_messages(
        PROMPT_FILE,
        {
            "title": title,
            "max_points": str(max_points),
            "terms": listed,
            "sentences": numbered(sentences),
        },
    )


@dataclass
class Checked:
    points: list[Point]
    written: int = 0
    confirmed: int = 0
    quoted: int = 0
    dropped: int = 0


#: A point whose words run on as one stretch of its sentence for this share is a copy:
#: the sentence itself, whole, reads better than a copy cut at the length limit.
COPY_SHARE = 0.8
_WORD = re.compile(r"[^\W_]+")


def is_copy(text: str, sentences: Sequence[str]) -> bool:
    wanted = [w.lower() for w in _WORD.findall(text)]
    if len(wanted) < 6:
        return False
    for sentence in sentences:
        have = [w.lower() for w in _WORD.findall(sentence)]
        match = SequenceMatcher(None, wanted, have, autojunk=False).find_longest_match(
            0, len(wanted), 0, len(have)
        )
        if match.size >= COPY_SHARE * len(wanted):
            return True
    return False


def tidy(text: str, limit: int) -> str:
    """One line; a text that reached ``limit`` is cut back to a whole word and marked."""
    flat = " ".join(text.split())
    if len(flat) < limit - 1:
        return flat
    cut = flat[: flat.rfind(" ")] if " " in flat else flat
    return cut.rstrip(",;:-") + "\u2026"


def check_points(
    value: Any, sentences: Sequence[Sentence], document_id: str, max_chars: int = 10_000
) -> Checked:
    """The model's points, each kept only if its facts are in the sentences it cites.

    A point that states a fact its sentences do not, or merely copies a sentence, is
    replaced by that sentence, quoted whole (once: a repeat is dropped).
    """
    out = Checked([])
    seen: set[tuple[int, ...]] = set()
    quoted: set[int] = set()
    for item in value["points"]:
        text = tidy(str(item["text"]), max_chars)
        numbers = tuple(sorted({int(n) for n in item["sentences"]}))
        out.written += 1
        cited = [sentences[n - 1] for n in numbers]
        if not text or not cited or numbers in seen:
            out.dropped += 1
            continue
        seen.add(numbers)
        pages = sorted({s.page for s in cited})
        spans = [Quote.of(document_id, s) for s in cited]
        sources = [s.text for s in cited]
        if not is_copy(text, sources) and not unsupported_facts(text, sources):
            out.confirmed += 1
            out.points.append(Point(text, pages, kind="point", cited=spans))
            continue
        first = cited[0]
        if first.index in quoted:
            out.dropped += 1
            continue
        quoted.add(first.index)
        out.quoted += 1
        out.points.append(Point(first.flat, [first.page], kind="quoted", cited=spans[:1]))
    return out
