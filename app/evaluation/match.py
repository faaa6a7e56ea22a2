"""Is an extracted value right? One written-down rule per kind of field.

An exact string comparison would call "the State of Oklahoma" wrong for the label
"Oklahoma", and measure spelling instead of understanding; a loose one would call
anything right. These rules sit in between and are meant to be argued with. ``label`` is
the expected answer from the labels file, ``value`` the answer given (None when the
cell is ``not_found``):

- Empty label (the term is not in the document): right when the value is None; for a
  choice field also when it is "No" (CUAD answers every yes/no question).
- ``choice``: the first word decides ("Yes, the licensee may..." is Yes); a "No" label
  is also met by None (nothing found means no such clause).
- ``date``: both sides read as dates in any common spelling (app/tasks/eval_values);
  the value's *first* date must agree on every part the label knows, so ``09/[]/2018``
  is met by any day of September 2018, and ``[]/[]/2000`` by any date in 2000. A label
  that is not a date ("perpetual") is compared as text.
- ``jurisdiction``: US states by name or postal code ("State of New York", "laws of
  N.Y."): the value must name a labelled state and no other state. Elsewhere the
  label's place (before any comma: "Ontario, Canada" needs Ontario; "People's
  Republic of China" needs China or PRC) must appear in the value, and no US state.
  ``;`` separates alternatives ("England; Wales").
- ``parties``: the label lists parties separated by ``;``. Each is stripped of defined
  terms (anything in brackets or quotes), former names ("f/k/a ..."), company forms
  (Inc, LLC, Ltd, Corp...) and punctuation. A party is named when at least two thirds
  of its remaining words are in the value; the value is right when at least two thirds
  of the parties (rounded up; all of two) are named. Short defined names alone
  ("VIP and BNL") do not count: a reader could not tell who the parties are.
- ``duration``: "<number> <unit>" in words or figures, years as 12 months and weeks as
  7 days ("twelve (12) months" meets "1 year"); every duration of the label must be in
  the value. `` / `` and ``;`` separate alternatives; an alternative without a duration
  is compared as a date, else as text.
- ``text``: words compared after folding case, quotes and punctuation: right when the
  label's words appear in order in the value, or when their token F1 is at least 0.7
  ("Agreement" alone does not meet "Outsourcing Agreement": F1 0.67). "perpetuity",
  "indefinite(ly)" read as "perpetual".

A label with no letter or digit (CUAD's redacted ``[* * *]``) cannot be scored: None.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from app.tasks.fieldsets import MATCH_KINDS, Field
from app.tasks.legal_values import (
    PartialDate,
    find_dates,
    find_durations,
    find_states,
    fold,
    parse_label_date,
    words,
)

TEXT_F1 = 0.7
PARTY_SHARE = 2 / 3
_SYNONYMS = {"perpetuity": "perpetual", "indefinite": "perpetual", "indefinitely": "perpetual"}
_COMPANY_FORMS = frozenset(
    (
        "inc",
        "incorporated",
        "llc",
        "l",
        "c",
        "llp",
        "lp",
        "p",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "nv",
        "bv",
        "kk",
        "pty",
        "pte",
    )
)
_PARTY_FILLER = frozenset(
    (
        "and",
        "the",
        "a",
        "an",
        "individually",
        "collectively",
        "together",
        "each",
        "referred",
        "to",
        "as",
        "hereinafter",
        "party",
        "parties",
    )
)
_PLACE_PREFIXES = (
    "the ",
    "laws of ",
    "state of ",
    "commonwealth of ",
    "province of ",
    "federal republic of ",
    "people's republic of ",
    "republic of ",
)
_PLACE_ALIASES = {"china": ("prc",), "united kingdom": ("uk",), "united states": ("usa", "us")}


def match_kind(item: Field) -> str:
    """The field's ``x-match``, else a guess from its schema, name and title."""
    if item.match in MATCH_KINDS:
        return item.match
    if item.is_choice:
        return "choice"
    text = f"{item.name} {item.title}".lower().replace("_", " ")
    for pattern, kind in (
        (r"\bdate", "date"),
        (r"\b(law|jurisdiction)", "jurisdiction"),
        (r"\bpart(y|ies)\b", "parties"),
        (r"\b(term|period|notice|duration)\b", "duration"),
    ):
        if re.search(pattern, text):
            return kind
    return "text"


def is_correct(kind: str, label: str, value: str | None) -> bool | None:
    """Whether ``value`` meets ``label`` under ``kind``'s rule; None if unscoreable."""
    label = label.strip()
    value = value.strip() if value else None
    if not label:
        return value is None or (kind == "choice" and _yes_no(value) == "no")
    if not re.search(r"[^\W_]", label):
        return None
    if kind == "choice":
        expected = _yes_no(label)
        return (value is None and expected == "no") or (
            value is not None and _yes_no(value) == expected
        )
    if value is None:
        return False
    rule = {
        "date": date_matches,
        "jurisdiction": jurisdiction_matches,
        "parties": parties_match,
        "duration": duration_matches,
    }.get(kind, text_matches)
    return rule(label, value)


def _yes_no(text: str) -> str:
    first = words(text)[:1]
    if first in (["yes"], ["true"]):
        return "yes"
    if first in (["no"], ["false"]):
        return "no"
    return fold(text)


def contains_run(haystack: list[str], needle: list[str]) -> bool:
    """``needle`` as a contiguous run of ``haystack``."""
    size = len(needle)
    return size > 0 and any(
        haystack[i : i + size] == needle for i in range(len(haystack) - size + 1)
    )


def _same_date(label: PartialDate, value: PartialDate) -> bool:
    pairs = ((label.year, value.year), (label.month, value.month), (label.day, value.day))
    return all(want is None or want == got for want, got in pairs)


def date_matches(label: str, value: str) -> bool:
    expected = parse_label_date(label)
    if expected is None:
        return text_matches(label, value)
    found = find_dates(value)
    return bool(found) and _same_date(expected, found[0])


def place_words(alternative: str) -> list[str]:
    """The words of a place name without "the", "laws of", "State of" and the like."""
    place = fold(alternative).split(",")[0].strip()
    changed = True
    while changed:
        changed = False
        for prefix in _PLACE_PREFIXES:
            if place.startswith(prefix):
                place, changed = place[len(prefix) :], True
    return words(place)


def jurisdiction_matches(label: str, value: str) -> bool:
    expected, named = find_states(label), find_states(value)
    if named - expected:
        return False
    if named & expected:
        return True
    value_words = words(value)
    for alternative in label.split(";"):
        place = place_words(alternative)
        aliases = _PLACE_ALIASES.get(" ".join(place), ())
        if contains_run(value_words, place) or any(a in value_words for a in aliases):
            return True
    return False


def party_names(label: str) -> list[list[str]]:
    """Each labelled party as its distinctive words (defined terms and company forms gone)."""
    parties = []
    for entry in label.split(";"):
        text = fold(entry)
        while re.search(r"\([^()]*\)", text):
            text = re.sub(r"\([^()]*\)", " ", text)
        text = re.sub(r"\"[^\"]*(\"|$)", " ", text)  # quoted defined terms, even unclosed
        text = re.split(r"\b(?:f/k/a|d/b/a|formerly|a/k/a)\b", text)[0]
        names = [w for w in words(text) if w not in _COMPANY_FORMS and w not in _PARTY_FILLER]
        if names:
            parties.append(names)
    return parties


def parties_match(label: str, value: str) -> bool:
    parties = party_names(label)
    if not parties:
        return text_matches(label, value)
    present = set(words(value))
    named = sum(sum(w in present for w in p) >= PARTY_SHARE * len(p) for p in parties)
    return named >= math.ceil(PARTY_SHARE * len(parties) - 1e-9)


def duration_matches(label: str, value: str) -> bool:
    found = set(find_durations(value))
    for alternative in re.split(r"\s/\s|;", label):
        if not alternative.strip():
            continue
        wanted = find_durations(alternative)
        if wanted and set(wanted) <= found:
            return True
        if not wanted and (
            date_matches(alternative, value)
            if parse_label_date(alternative)
            else text_matches(alternative, value)
        ):
            return True
    return False


def _text_words(text: str) -> list[str]:
    return [_SYNONYMS.get(w, w) for w in words(text)]


def text_matches(label: str, value: str) -> bool:
    expected, given = _text_words(label), _text_words(value)
    if contains_run(given, expected):
        return True
    common = sum((Counter(expected) & Counter(given)).values())
    if not common:
        return False
    precision, recall = common / len(given), common / len(expected)
    return 2 * precision * recall / (precision + recall) >= TEXT_F1
