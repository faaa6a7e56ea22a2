"""Key facts of a CUAD contract, and whether a free text (a summary) states each one.

A summary is scored on what a lawyer reads it for: who the parties are, which law
governs, and the dates. The CUAD labels give those facts; a fact counts as stated when
the text names it under the same normalised reading the extraction eval uses
(app/tasks/eval_values and app/tasks/eval_match), so "May 1, 2006" meets ``5/1/2006``
and "the State of Oklahoma" meets ``Oklahoma``. The rules differ from eval_match's in
one way: a value is one answer, a summary is prose that names many things. So a fact is
stated when *any* date, state or party name in the text agrees with it, and naming
another state or date alongside it is no error ("a Delaware corporation ... governed by
New York law").

- party: each labelled party separately, by its distinctive words
  (eval_match.party_names: defined terms, company forms and former names dropped); it
  is named when at least two thirds of those words are in the text.
- governing law: a labelled US state named (by name or dotted code); elsewhere the
  label's place, before any comma ("Ontario, Canada" needs Ontario; "People's Republic
  of China" needs China or PRC). ``;`` separates alternatives ("England; Wales").
- agreement / effective / expiration date: any date in the text agrees with every part
  the label knows (``09/[]/2018``: any day of September 2018). A label that is not a
  date ("perpetual") is looked for as words (eval_match.text_matches).

A label with no letter or digit (redacted ``[* * *]``) or no known year is not a fact,
and only facts the contract itself states are scored (``stated_facts``): CUAD's
expiration dates are mostly computed by the annotator, not written in the contract.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.evaluation.match import (
    PARTY_SHARE,
    contains_run,
    party_names,
    place_words,
    text_matches,
)
from app.tasks.legal_values import (
    PartialDate,
    find_dates,
    find_states,
    parse_label_date,
    words,
)

#: CUAD label column -> fact kind, in the order figures are reported.
FACT_COLUMNS = {
    "Parties-Answer": "party",
    "Governing Law-Answer": "governing law",
    "Agreement Date-Answer": "agreement date",
    "Effective Date-Answer": "effective date",
    "Expiration Date-Answer": "expiration date",
}
KINDS = tuple(dict.fromkeys(FACT_COLUMNS.values()))
_PLACE_ALIASES = {"china": ("prc",), "united kingdom": ("uk",), "england": ("english",)}


@dataclass(frozen=True)
class Fact:
    """One labelled fact: its kind and the label text (a party's own entry for parties)."""

    kind: str
    label: str


def contract_facts(row: Mapping[str, str]) -> list[Fact]:
    """The scoreable facts of one labels.csv row (empty labels are not facts)."""
    facts: list[Fact] = []
    for column, kind in FACT_COLUMNS.items():
        label = (row.get(column) or "").strip()
        if not re.search(r"[^\W_]", label):
            continue
        if kind == "party":
            facts += [Fact(kind, entry) for entry in _distinct_parties(label)]
        elif kind.endswith("date"):
            date = parse_label_date(label)
            if date is None or date.year is not None:
                facts.append(Fact(kind, label))
        else:
            facts.append(Fact(kind, label))
    return facts


def stated_facts(row: Mapping[str, str], document: str) -> list[Fact]:
    """The row's facts that the contract's own text states.

    CUAD's expiration dates are mostly worked out by the annotator ("one year from the
    Effective Date" labelled ``5/1/2007``); a summary cannot be faulted for not naming a
    date the contract never writes, and the lead baseline could never name it either.
    """
    return [fact for fact in contract_facts(row) if fact_named(fact, document)]


def _distinct_parties(label: str) -> list[str]:
    """The label's party entries, less those that only name others together.

    CUAD lists "Loop and Joint Venture Company (together the Parties)" beside the two
    parties it refers to; scoring it would count the same names twice.
    """
    entries = [e.strip() for e in label.split(";") if _party(e)]
    kept = []
    for i, entry in enumerate(entries):
        others = set(words(" ".join(e for j, e in enumerate(entries) if j != i)))
        if not set(_party(entry)) <= others:
            kept.append(entry)
    return kept


def _party(entry: str) -> list[str]:
    names = party_names(entry)
    return names[0] if names else []


def party_named(entry: str, text: str) -> bool:
    """At least two thirds of the party's distinctive words are words of ``text``."""
    names = _party(entry)
    present = set(words(text))
    return bool(names) and sum(w in present for w in names) >= PARTY_SHARE * len(names)


def law_named(label: str, text: str) -> bool:
    """A labelled jurisdiction is named in ``text`` (other places may be named too)."""
    if find_states(label) & find_states(text):
        return True
    given = words(text)
    for alternative in label.split(";"):
        place = place_words(alternative)
        if contains_run(given, place):
            return True
        if any(alias in given for alias in _PLACE_ALIASES.get(" ".join(place), ())):
            return True
    return False


def _agrees(label: PartialDate, found: PartialDate) -> bool:
    pairs = ((label.year, found.year), (label.month, found.month), (label.day, found.day))
    return all(want is None or want == got for want, got in pairs)


def date_named(label: str, text: str) -> bool:
    """Some date of ``text`` agrees with every part of the label's date that is known."""
    expected = parse_label_date(label)
    if expected is None:
        return text_matches(label, text)
    return any(_agrees(expected, found) for found in find_dates(text))


def fact_named(fact: Fact, text: str) -> bool:
    if fact.kind == "party":
        return party_named(fact.label, text)
    if fact.kind == "governing law":
        return law_named(fact.label, text)
    return date_named(fact.label, text)


def recall(facts: list[Fact], text: str) -> dict[str, tuple[int, int]]:
    """Per kind: (facts named in ``text``, facts labelled)."""
    out = {kind: (0, 0) for kind in KINDS}
    for fact in facts:
        named, total = out[fact.kind]
        out[fact.kind] = (named + fact_named(fact, text), total + 1)
    return out


def lead(pages: list[str], chars: int) -> str:
    """The baseline summary: the document's first ``chars`` characters, whitespace folded.

    What a reader gets from skimming the first page: the preamble names the parties and
    often the date, so this is the figure a model summary has to beat on recall.
    """
    return " ".join(" ".join(pages).split())[:chars]
