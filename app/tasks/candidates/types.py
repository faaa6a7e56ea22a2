"""What a typed generator proposes: a normalised value and the sentence that says it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.tasks.candidates.document import Sentence


@dataclass(frozen=True)
class Candidate:
    """One possible answer for a field, found by rule in one sentence of the document.

    ``value`` is what the cell shows (a date written out, a canonical place, "Yes"); the
    quote is ``sentence.text``, cut from the page, so it is verbatim by construction.
    ``score`` ranks candidates of the same field (higher is better); ``features`` names the
    cues that gave it, so a reader (and a fitted chooser) can see why it ranks where it does.
    """

    value: str
    sentence: Sentence
    score: float
    features: tuple[str, ...] = ()
    #: How a computed value was reached ("1 May 2006 + 1 year"), shown to the user.
    derivation: str | None = None
    #: Machine-readable form of the value (ISO date, months, state name...).
    normalised: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.sentence.page

    @property
    def quote(self) -> str:
        return self.sentence.flat


def ranked(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; earlier in the document breaks ties."""
    return sorted(candidates, key=lambda c: (-c.score, c.sentence.index))


def distinct_values(candidates: list[Candidate]) -> list[Candidate]:
    """The best candidate of each distinct value, best first."""
    seen: set[str] = set()
    out: list[Candidate] = []
    for candidate in candidates:
        key = candidate.value.lower()
        if key not in seen:
            seen.add(key)
            out.append(candidate)
    return out
