"""Clause-category recall of a summary: does it name each CUAD category a contract has,
with a quote that overlaps the gold clause?

labels.csv holds, per category (``Change of Control``, ``Cap on Liability`` ...), the
list of clause texts the annotators marked (empty ``[]`` when the contract has none). A
summary line's quote overlaps a gold clause when they share a run of consecutive words:
eight, or the whole gold text when it is shorter (a party's name, a date), compared on
lower-cased words so PDF spacing and punctuation do not matter.

Two readings are reported: ``any`` (some line of the summary quotes the gold clause:
the partner sees it) and ``labelled`` (the line that quotes it is the one for that
category: a key term whose field's ``x-label`` is the category, or the header's fact).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.tasks.fieldsets import FieldSet
from app.tasks.summarise.parts import Point

#: Consecutive words a quote must share with a gold clause (fewer if the gold is shorter).
RUN = 8
_WORD = re.compile(r"[^\W_]+")
#: The facts header's lines, by the start of their text, and the category each answers.
HEADER_CATEGORIES = (
    ("Parties", "Parties"),
    ("Signed for", "Parties"),
    ("Agreement date", "Agreement Date"),
    ("Signed on", "Agreement Date"),
    ("Effective date", "Effective Date"),
    ("Expires", "Expiration Date"),
    ("Renewal", "Renewal Term"),
    ("Notice to stop renewal", "Notice Period to Terminate Renewal"),
    ("Governing law", "Governing Law"),
)


def categories(row: Mapping[str, str]) -> list[str]:
    """The CUAD categories of a labels.csv row (each has a ``-Answer`` column)."""
    return [c for c in row if f"{c}-Answer" in row]


def gold_clauses(row: Mapping[str, str], category: str) -> list[str]:
    """The annotated clause texts of ``category`` (empty when the contract has none)."""
    text = (row.get(category) or "").strip()
    if not text or text == "[]":
        return []
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return [text]
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if _WORD.search(str(v))]


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def overlaps(quote: str, gold: str) -> bool:
    """``quote`` and ``gold`` share RUN consecutive words (all of gold's, if fewer)."""
    g, q = _words(gold), _words(quote)
    n = min(RUN, len(g))
    if n == 0 or len(q) < n:
        return False
    grams = {tuple(q[i : i + n]) for i in range(len(q) - n + 1)}
    return any(tuple(g[i : i + n]) in grams for i in range(len(g) - n + 1))


def line_category(point: Point, labels: Mapping[str, str]) -> str | None:
    """The category a summary line answers: its field's label, or the header's fact."""
    if point.term:
        return labels.get(point.term)
    if point.kind == "fact":
        for start, category in HEADER_CATEGORIES:
            if point.text.startswith(start):
                return category
    return None


def field_labels(fieldset: FieldSet) -> dict[str, str]:
    """Field name -> CUAD category (its ``x-label`` without ``-Answer``)."""
    return {f.name: f.label.removesuffix("-Answer") for f in fieldset.fields if f.label}


@dataclass
class ClauseScore:
    #: Per category: (named by any line, named by its own line, has gold).
    counts: dict[str, list[int]]

    def add(self, category: str, any_line: bool, own_line: bool) -> None:
        row = self.counts.setdefault(category, [0, 0, 0])
        row[0] += any_line
        row[1] += own_line
        row[2] += 1

    def recall(self, own: bool = False) -> float | None:
        total = sum(c[2] for c in self.counts.values())
        hits = sum(c[1 if own else 0] for c in self.counts.values())
        return hits / total if total else None

    @property
    def total(self) -> int:
        return sum(c[2] for c in self.counts.values())


def score_contract(
    row: Mapping[str, str],
    lines: Sequence[tuple[Point, Iterable[str]]],
    labels: Mapping[str, str],
    into: ClauseScore,
) -> None:
    """Score one contract's summary ``lines`` (each point with the texts it quotes)."""
    quoted = [(line_category(p, labels), list(texts)) for p, texts in lines]
    for category in categories(row):
        gold = gold_clauses(row, category)
        if not gold:
            continue
        hit = [any(overlaps(t, g) for t in texts for g in gold) for _, texts in quoted]
        own = any(h and c == category for h, (c, _) in zip(hit, quoted, strict=True))
        into.add(category, any(hit), own)
