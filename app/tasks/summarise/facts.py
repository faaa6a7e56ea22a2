"""The facts header of a summary: parties, dates, term and governing law, with quotes.

A lawyer reads a contract summary for who, when, how long and which law before anything
else, and a small model summarising page windows tends to describe the subject matter
and drop exactly those facts. So the header is built by the same typed extractors as
Extract (app/tasks/candidates), decided by rule alone (no model call), each fact with
its page and the verbatim sentence that states it; the model's points follow.
"""

from __future__ import annotations

import re

from app.tasks.candidates import Candidate, DocumentText, Extractors
from app.tasks.extract.typed import distinct_values
from app.tasks.summarise.parts import Point

#: (generator, label) in the order a reader wants them.
HEADER = (
    ("parties", "Parties"),
    ("agreement_date", "Agreement date"),
    ("effective_date", "Effective date"),
    ("expiration_date", "Expires"),
    ("renewal_term", "Renewal"),
    ("renewal_notice", "Notice to stop renewal"),
    ("governing_law", "Governing law"),
)
#: A generator's best candidate must lead the next distinct answer by this much to be
#: stated as a fact without asking anyone (the same rule scale as Extract's margins).
MIN_LEAD = 0.0
PREAMBLE_CHARS = 8000
MAX_PREAMBLE_CHARS = 600
_NAMES_PARTIES = re.compile(
    r"\b(by\s+and\s+between|between|among|by\s+and\s+among|party\s+a\s*:)", re.IGNORECASE
)


def _best(candidates: list[Candidate]) -> Candidate | None:
    options = distinct_values(candidates)
    if not options:
        return None
    if len(options) > 1 and options[0].score - options[1].score < MIN_LEAD:
        return None
    return options[0]


def _preamble(doc: DocumentText) -> Point | None:
    """The sentence that names the parties, quoted whole, when it could not be split."""
    for sentence in doc.head(PREAMBLE_CHARS):
        if _NAMES_PARTIES.search(sentence.text):
            text = sentence.flat
            if len(text) > MAX_PREAMBLE_CHARS:
                text = text[: MAX_PREAMBLE_CHARS - 1] + "\u2026"
            return Point(f"Parties (as the agreement names them): {text}", [sentence.page],
                         sentence.flat)  # fmt: skip
    return None


def facts_header(doc: DocumentText) -> list[Point]:
    """One point per fact the document clearly states, each quoting its sentence."""
    extractors = Extractors(doc)
    points: list[Point] = []
    for name, label in HEADER:
        best = _best(extractors.candidates(name))
        if name == "parties" and (best is None or len(best.normalised or []) < 2):
            preamble = _preamble(doc)
            if preamble is not None:
                points.append(preamble)
                continue
        if best is None:
            continue
        value = best.value
        if best.derivation:
            value = f"{value} ({best.derivation})"
        points.append(Point(f"{label}: {value}.", [best.page], best.quote))
    return points
