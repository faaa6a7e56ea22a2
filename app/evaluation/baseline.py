"""A keyword-and-regex extractor: the floor a model must clear to be worth its cost.

An accuracy figure alone says little ("70% on governing law" is poor if a regular
expression gets 90%), so ``chambers evaluate`` scores this baseline on the same
documents, with the same matcher, in the same run. It reads the document's page text
(what the model's retrieval reads too) and answers by kind of field:

- ``choice`` (Yes/No): "Yes" when any of the field's ``x-search`` terms occurs anywhere
  in the document, else "No".
- ``jurisdiction``: the place after "laws of (the State of)" in a sentence about
  governing law ("governed by", "construed"), else after the first "laws of" that is not
  about where a party is organised; a US state is given by its name.
- ``date``: the first date from 40 characters before to 200 after a search term, which
  for ``x-where: "start"`` fields is looked for in the preamble (the first 3,000
  characters) only; for those, failing that, the first date of the preamble.
- ``duration``: the first "<number> <unit>" within 200 characters after a search term
  (looking back as for dates picks up the cure periods that precede "written notice").
- ``parties``: the preamble from the first "between" to "WHEREAS", "RECITALS",
  "BACKGROUND" or a blank line, at most 300 characters (the model's own limit).
- ``text``: for a name or title field, the first run of capitalised words in the preamble
  ending in Agreement, Contract, Amendment or Lease; else the sentence around the first
  search term, cut to the field's length.

None means "not found", like a model cell with status ``not_found``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.tasks.fieldsets import Field
from app.tasks.legal_values import date_spans, duration_spans, find_states

PREAMBLE_CHARS = 3000
NEAR_CHARS = 200
#: A date may start before its term ("the 1st day of May": term "day of").
BEFORE_CHARS = 40
MAX_PARTIES_CHARS = 300
_PLACE = (
    r"(?i:laws?\s+of\s+(?:the\s+)?(?:(?:state|commonwealth|province)\s+of\s+)?)"
    r"(?P<place>[A-Z][\w'.-]*(?:\s+(?:of\s+)?[A-Z][\w'.-]*){0,3})"
)
_GOVERNING = re.compile(r"govern|constru|interpret", re.IGNORECASE)
_ORGANISED = re.compile(r"(organi[sz]ed|incorporated|existing|formed)\s+under\s+the\s*$", re.I)
_PARTIES_END = re.compile(r"WHEREAS|RECITALS|BACKGROUND|W\s*I\s*T\s*N\s*E\s*S\s*S|\n\s*\n")
_TITLE = re.compile(
    r"(?:[A-Z][\w&'-]*[^\S\n]+){0,6}?(?:AGREEMENT|Agreement|CONTRACT|Contract|AMENDMENT|Amendment|"
    r"LEASE|Lease)\b"
)


def baseline_value(item: Field, kind: str, pages: Sequence[str]) -> str | None:
    """The baseline's answer for one field of one document (page texts in order)."""
    text = "\n".join(pages)
    if kind == "choice":
        return _choice(item, text)
    if kind == "jurisdiction":
        return governing_law(text)
    if kind == "parties":
        return parties(text)
    if kind == "date":
        return _near_term(item, text, lambda t: [(s, e) for s, e, _ in date_spans(t)], BEFORE_CHARS)
    if kind == "duration":
        return _near_term(item, text, lambda t: [(s, e) for s, e, _ in duration_spans(t)], 0)
    return _text(item, text)


def _term_pattern(term: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _choice(item: Field, text: str) -> str | None:
    options = [str(o) for o in item.schema.get("enum", [])]
    if {o.lower() for o in options} != {"yes", "no"}:
        return None
    yes, no = sorted(options, key=lambda o: o.lower() != "yes")
    return yes if any(_term_pattern(t).search(text) for t in item.search) else no


def governing_law(text: str) -> str | None:
    """The place named in the governing-law sentence, by regular expression."""
    fallback: str | None = None
    for match in re.finditer(_PLACE, text):
        if _ORGANISED.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        place = match.group("place").rstrip(".,;")
        states = find_states(place)
        found = next(iter(sorted(states))).title() if len(states) == 1 else place
        if _GOVERNING.search(text[max(0, match.start() - NEAR_CHARS) : match.start()]):
            return found
        fallback = fallback or found
    return fallback


def parties(text: str) -> str | None:
    """The preamble from "between" to the recitals, bounded like the model's answer."""
    head = text[:PREAMBLE_CHARS]
    start = re.search(r"\bbetween\b", head, re.IGNORECASE)
    if start is None:
        return None
    rest = head[start.end() :]
    end = _PARTIES_END.search(rest)
    chunk = rest[: end.start() if end else len(rest)][:MAX_PARTIES_CHARS]
    return " ".join(chunk.split()) or None


Spans = Callable[[str], list[tuple[int, int]]]


def _near_term(item: Field, text: str, spans: Spans, before: int) -> str | None:
    """The first value (dates or durations, by ``spans``) just after a search term."""
    region = text[:PREAMBLE_CHARS] if item.where == "start" else text
    hits = sorted(m.start() for t in item.search for m in _term_pattern(t).finditer(region))
    for position in hits:
        window = region[max(0, position - before) : position + NEAR_CHARS]
        found = spans(window)
        if found:
            start, end = found[0]
            return " ".join(window[start:end].split())
    if item.where == "start":
        found = spans(region)
        if found:
            start, end = found[0]
            return " ".join(region[start:end].split())
    return None


def _text(item: Field, text: str) -> str | None:
    limit = int(item.schema.get("maxLength", 200))
    if re.search(r"\b(name|title)\b", f"{item.name} {item.title}".lower().replace("_", " ")):
        match = _TITLE.search(text[:PREAMBLE_CHARS])
        return " ".join(match.group(0).split())[:limit] if match else None
    hits = sorted(m.start() for t in item.search for m in _term_pattern(t).finditer(text))
    if not hits:
        return None
    start = max(text.rfind(".", 0, hits[0]), text.rfind("\n", 0, hits[0])) + 1
    end = text.find(".", hits[0])
    return " ".join(text[start : end if end > 0 else len(text)].split())[:limit] or None
