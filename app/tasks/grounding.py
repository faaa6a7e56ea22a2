"""Check that a model-written sentence states no fact its cited sentences do not state.

The grounding rule: the model may choose and phrase, never supply a fact. A quote that is
verbatim on its page proves nothing about an answer that adds a date, a sum or a name of
its own ("The agreement expires on December 31, 2023", citing a sentence with no date).
So every *checkable* fact in the model's text is read out and looked for in the cited
sentences, compared as a value rather than as spelling:

- dates as dates ("1 May 2006" = "May 1st, 2006" = "5/1/2006"; a bare year must be there);
- durations as durations ("thirty (30) days" = "30 days", "12 months" = "one year");
- amounts, percentages and other numbers as numbers ("$48,500" = "48,500.00",
  "ten percent" = "10%"); a number written in words counts too;
- names (capitalised words that are not ordinary sentence words) by their words.

Anything not found is returned, so the caller can refuse to present the sentence as a
finding: Ask shows the cited sentences and says no short answer could be confirmed,
a summary point falls back to its quoted sentence, a draft fact becomes a placeholder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.tasks.legal_values import date_spans, duration_spans, find_states, fold
from app.tasks.legal_values import words as value_words

#: Number words read as numbers (contracts write "thirty (30)", answers write either).
NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion)\b)?",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(
    r"\b(?P<word>" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b"
    r"(?:[\s-]+(?P<unit>one|two|three|four|five|six|seven|eight|nine))?"
    r"(?:\s+(?P<scale>thousand|million|billion))?",
    re.IGNORECASE,
)
_PERCENT_WORD = re.compile(r"\bper\s*cent\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][\w&'\-.]*[\w&]|\b[A-Z]\b")
#: Capitalised words in a row ("Acme Widgets Corp.", "New York"): one name.
_NAME_RUN = re.compile(r"\b[A-Z][\w&'\-.]*(?:[ \t]+(?:of[ \t]+|and[ \t]+)?[A-Z][\w&'\-.]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\s*[\"'(\[]?$")

#: Capitalised words that are ordinary words of an answer, not names to confirm.
_COMMON_TEXT = """
    a an the this that these those it its he she they we you i yes no not none nothing
    neither either both each every all any some if when where which who what why how
    and or but nor so then there here under upon by for from to of in on at as with
    agreement contract party parties document documents section clause article schedule
    exhibit annex appendix page term terms notice company licensor licensee seller buyer
    supplier customer distributor vendor employer employee landlord tenant lessor lessee
    disclosing receiving recipient discloser effective date expiration is are was were be
    may shall must will can cannot does do did has have had also only however therefore
    inc corp ltd llc lp co plc sa ag gmbh bv nv the
"""
_COMMON = frozenset(_COMMON_TEXT.split())


@dataclass(frozen=True)
class Fact:
    """One checkable fact in a model-written text: what it is and how it was written."""

    kind: str  # "date", "duration", "number", "name"
    text: str
    start: int
    end: int


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _numbers(text: str) -> list[tuple[int, int, Decimal]]:
    """Every number in ``text`` (figures and words, with thousand/million) and its span."""
    found: list[tuple[int, int, Decimal]] = []
    for match in _NUMBER.finditer(text):
        value = _decimal(match.group("num"))
        if value is None:
            continue
        scale = match.group("scale")
        found.append((*match.span(), value * _SCALE[scale.lower()] if scale else value))
    for match in _NUMBER_WORD.finditer(text):
        if any(s <= match.start() < e for s, e, _ in found):
            continue
        value = Decimal(NUMBER_WORDS[match.group("word").lower()])
        unit = match.group("unit")
        if unit:
            value += NUMBER_WORDS[unit.lower()]
        scale = match.group("scale")
        found.append((*match.span(), value * _SCALE[scale.lower()] if scale else value))
    return sorted(found, key=lambda t: t[0])


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def facts_in(text: str) -> list[Fact]:
    """The checkable facts of ``text`` in reading order (dates and durations before the
    numbers inside them, so "30 days" is one duration, not a number and a duration)."""
    text = unicodedata.normalize("NFKC", text)
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for start, end, _ in date_spans(text):
        facts.append(Fact("date", text[start:end], start, end))
        taken.append((start, end))
    for start, end, _ in duration_spans(text):
        if _overlaps(start, end, taken):
            continue
        # "a year" and "each month" carry no figure the reader could be misled by.
        if not _numbers(text[start:end]) or text[start:end].lower().startswith(("a ", "an ")):
            continue
        facts.append(Fact("duration", text[start:end], start, end))
        taken.append((start, end))
    for start, end, _ in _numbers(text):
        if _overlaps(start, end, taken):
            continue
        # "one" as a pronoun ("either one", "one of the parties") is not a figure.
        if text[start:end].lower() == "one":
            continue
        facts.append(Fact("number", text[start:end], start, end))
        taken.append((start, end))
    for match in _NAME_RUN.finditer(text):
        start, end = match.span()
        if _overlaps(start, end, taken):
            continue
        kept = []
        for word in _CAPITALISED.finditer(match.group(0)):
            bare = word.group(0).rstrip(".")
            at = start + word.start()
            if bare.lower() in _COMMON or bare.isdigit():
                continue
            if _SENTENCE_START.search(text[:at]) and bare.lower() in _ENGLISH_STARTERS:
                continue
            kept.append((at, at + len(bare)))
        if kept:  # "the State of New York" -> "New York", checked as one name
            facts.append(Fact("name", text[kept[0][0] : kept[-1][1]], kept[0][0], kept[-1][1]))
    return sorted(facts, key=lambda f: f.start)


#: Ordinary words that begin a sentence in an answer; a name there still counts.
_STARTERS_TEXT = """
    according although because before after during following once since
    subject unless until upon while yes no not nothing neither either both each every
    there this that these those the a an it its in on at for from to by with under
"""
_ENGLISH_STARTERS = frozenset(_STARTERS_TEXT.split())


def _source_index(
    sources: Sequence[str],
) -> tuple[set[tuple[int | None, ...]], set[tuple[int, str]], set[Decimal], set[str], str]:
    dates: set[tuple[int | None, ...]] = set()
    durations: set[tuple[int, str]] = set()
    numbers: set[Decimal] = set()
    for source in sources:
        flat = unicodedata.normalize("NFKC", source)
        for _, _, date in date_spans(flat):
            dates.add((date.year, date.month, date.day))
            if date.year is not None:
                numbers.add(Decimal(date.year))
            if date.day is not None:
                numbers.add(Decimal(date.day))
        durations.update(d for _, _, d in duration_spans(flat))
        numbers.update(n for _, _, n in _numbers(flat))
        # "ten percent" and "10%" both leave 10 in ``numbers``; "%" needs nothing more.
    folded = " ".join(fold(s) for s in sources)
    words = set(value_words(folded))
    return dates, durations, numbers, words, folded


def _date_supported(fact: Fact, dates: set[tuple[int | None, ...]]) -> bool:
    found = date_spans(fact.text)
    if not found:
        return False
    wanted = found[0][2]
    for year, month, day in dates:
        if wanted.month is not None and month != wanted.month:
            continue
        if wanted.year is not None and year != wanted.year:
            continue
        if wanted.day is not None and day != wanted.day:
            continue
        return True
    return False


#: Places a contract names in another form ("the PRC", "English law"): a rule that reads
#: "laws of the PRC" as China has not invented China. Folded, as ``fold`` writes them.
PLACE_ALIASES = {
    "china": ("prc", "people's republic of china"),
    "england": ("english", "england and wales"),
    "wales": ("welsh", "england and wales"),
    "scotland": ("scottish", "scots"),
    "united kingdom": ("uk", "u.k.", "england", "scotland", "great britain"),
    "united states": ("u.s.", "usa", "u.s.a.", "united states of america"),
    "germany": ("german", "federal republic of germany"),
    "france": ("french",),
    "netherlands": ("dutch", "holland"),
    "switzerland": ("swiss",),
    "hong kong": ("hong kong sar", "hksar"),
}


def _alias_stated(name: str, folded_sources: str, states: set[str]) -> bool:
    """A place stated under another of its names, or a US state by its postal code."""
    key = fold(name)
    if key in states:
        return True
    for place, aliases in PLACE_ALIASES.items():
        if key in place.split() or key == place:
            return any(
                re.search(rf"(?<![\w.]){re.escape(a)}(?!\w)", folded_sources) for a in aliases
            )
    return False


def unsupported_facts(text: str, sources: Sequence[str]) -> list[Fact]:
    """The facts of ``text`` that none of ``sources`` states (empty: all confirmed)."""
    if not text.strip():
        return []
    dates, durations, numbers, words, folded = _source_index(sources)
    states = set().union(*(find_states(source) for source in sources)) if sources else set()
    missing: list[Fact] = []
    for fact in facts_in(text):
        if fact.kind == "date":
            ok = _date_supported(fact, dates)
        elif fact.kind == "duration":
            ok = bool({d for _, _, d in duration_spans(fact.text)} & durations)
        elif fact.kind == "number":
            ok = all(n in numbers for _, _, n in _numbers(fact.text))
        else:
            ok = all(w in words for w in value_words(fact.text)) or _alias_stated(
                fact.text, folded, states
            )
        if not ok:
            missing.append(fact)
    return missing


def is_grounded(text: str, sources: Sequence[str]) -> bool:
    """True when every checkable fact of ``text`` is stated in ``sources``."""
    return not unsupported_facts(text, sources)


__all__ = ["NUMBER_WORDS", "Fact", "facts_in", "is_grounded", "unsupported_facts"]
