"""A typed field written as data: regular expressions with a ``value`` group and a weight.

A firm adds a yes/no clause with ``x-cues``; a typed value (a deposit, a notice address's
country, a payment term) it adds the same way, with ``x-extractor: "pattern"`` and::

    "x-pattern": {"kind": "money",
                  "patterns": [["security\\s+deposit\\s+of\\s+(?P<value>[^,;]+)", 2.0]]}

Each sentence where a pattern matches is a candidate; the ``value`` group is read as the
field's kind of value by the same readers the matcher uses (app/tasks/legal_values.py),
and a match that does not read as one (a "date" group with no date in it) is dropped,
so a loose pattern proposes nothing rather than a wrong value. The candidate's score is
its pattern's weight (on the rule scale: see app/tasks/candidates/registry.py), and the
quote is the sentence, verbatim by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

from app.cancel import CancelToken
from app.tasks.candidates.dates import format_date
from app.tasks.candidates.document import DocumentText
from app.tasks.candidates.places import canonical_place
from app.tasks.candidates.types import Candidate, ranked
from app.tasks.legal_values import date_spans, duration_spans, money_spans
from app.tasks.patterns import CueBudget, CuePattern, compile_cue, pattern_problem

#: The kinds of value a pattern's ``value`` group may be read as.
PATTERN_KINDS = ("text", "date", "duration", "money", "place")
MAX_VALUE_CHARS = 300


@dataclass(frozen=True)
class PatternSpec:
    kind: str
    patterns: tuple[tuple[CuePattern, float], ...]

    @classmethod
    def parse(cls, node: Any, origin: str = "x-pattern") -> PatternSpec:
        """From the field set's ``x-pattern`` object (checked by ``check_pattern`` when the
        field set was read, so ``compile_cue`` refuses none here)."""
        patterns = tuple((compile_cue(p, origin), float(w)) for p, w in node["patterns"])
        return cls(str(node.get("kind", "text")), patterns)


def check_pattern(node: Any) -> str | None:
    """What is wrong with an ``x-pattern`` object, or None when it is usable."""
    shape = (
        isinstance(node, dict)
        and set(node) <= {"kind", "patterns"}
        and isinstance(node.get("patterns"), list)
        and node["patterns"]
        and all(
            isinstance(p, list)
            and len(p) == 2
            and isinstance(p[0], str)
            and isinstance(p[1], int | float)
            for p in node["patterns"]
        )
    )
    if not shape:
        return '"x-pattern" must be {"kind": KIND, "patterns": [[pattern, weight], ...]}'
    if node.get("kind", "text") not in PATTERN_KINDS:
        return f'"x-pattern" "kind" must be one of {", ".join(PATTERN_KINDS)}'
    for pattern, _ in node["patterns"]:
        problem = pattern_problem(pattern)
        if problem is not None:
            return f"pattern {pattern!r} cannot be used: {problem}"
        if "value" not in regex.compile(pattern).groupindex:
            return f"pattern {pattern!r} has no (?P<value>...) group"
    return None


def read_value(kind: str, text: str) -> tuple[str, Any] | None:
    """``text`` read as ``kind``: (what the cell shows, machine-readable form), or None."""
    flat = " ".join(text.split()).strip(" ,;:.")
    if not flat:
        return None
    if kind == "date":
        dates = date_spans(flat)
        return (format_date(dates[0][2]), dates[0][2]) if dates else None
    if kind == "duration":
        durations = duration_spans(flat)
        if not durations:
            return None
        start, end, normalised = durations[0]
        return flat[start:end], normalised
    if kind == "money":
        sums = money_spans(flat)
        return (flat[sums[0][0] : sums[0][1]], None) if sums else None
    if kind == "place":
        place = canonical_place(flat)
        return (place, place) if place else None
    return flat[:MAX_VALUE_CHARS], flat[:MAX_VALUE_CHARS]


def pattern_candidates(
    doc: DocumentText, spec: PatternSpec, cancel: CancelToken | None = None
) -> list[Candidate]:
    """Every sentence where one of ``spec``'s patterns matches and its value reads.

    Each pattern has one time budget for the document, as a clause's cues do.
    """
    out: list[Candidate] = []
    budget = CueBudget(cancel=cancel)
    for sentence in doc.sentences:
        text = " ".join(sentence.text.split())
        for pattern, weight in spec.patterns:
            match = budget.search(pattern, text)
            if match is None:
                continue
            read = read_value(spec.kind, match.group("value"))
            if read is None:
                continue
            value, normalised = read
            features = (pattern.pattern[:40],)
            out.append(Candidate(value, sentence, weight, features, normalised=normalised))
            break
    return ranked(out)
