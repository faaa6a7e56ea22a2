"""The summary's "Key terms": every clause the extraction field set finds, by rule alone.

A partner reads a contract summary for the deal: who, what, how long, how much, who can
end it and how, change of control, exclusivity and restrictions, liability and its cap,
IP, governing law. Extract already answers those questions per field with a verbatim
sentence (app/tasks/extract/typed.py); here the same cells are computed without a
chooser, so no model is called: a typed field takes its best rule candidate, a clause
field its strongest cue sentence above the fitted threshold. Fields that need the model
(no ``x-extractor``) are left out, and so are the ones the facts header already states.

Each found cell becomes one plain line ("Change of control: Yes") with its sentence,
page and span. A clause field whose rule read every sentence and found no cue can show
absence, so a standard term (STANDARD_ABSENT) is listed as not found ("No cap on
liability found"); a value field that found no candidate says nothing (its absence is
not shown by anything).
"""

from __future__ import annotations

import re

from app.tasks.candidates import Extractors
from app.tasks.extract.params import load_params
from app.tasks.extract.typed import typed_cell
from app.tasks.fieldsets import Field, FieldSet, FieldSetError, load_fieldset
from app.tasks.summarise.parts import Point

#: The field set the summary reads, first that exists: the CUAD due-diligence set (41
#: categories) once installed, else the built-in commercial-contract set.
FIELDSETS = ("due-diligence", "commercial-contract")
#: Generators whose answers the facts header already states (app/tasks/summarise/facts).
IN_HEADER = frozenset(
    {
        "parties",
        "agreement_date",
        "effective_date",
        "expiration_date",
        "renewal_term",
        "renewal_notice",
        "governing_law",
    }
)
#: The order a lawyer reads the deal in: (group, heading).
ORDER = (
    ("who", "Who"),
    ("what", "What"),
    ("how long", "How long"),
    ("how much", "How much"),
    ("ending", "Who can end it and how"),
    ("change of control", "Change of control"),
    ("restrictions", "Exclusivity and restrictions"),
    ("liability", "Liability and its cap"),
    ("ip", "Intellectual property"),
    ("law", "Governing law"),
    ("other", "Other terms"),
)
#: A field's group, from its name and title: (group, pattern), the first match wins
#: (so "non-transferable licence" is IP before it is a transfer restriction).
GROUP_RULES: tuple[tuple[str, str], ...] = (
    ("change of control", r"change.of.control"),
    ("law", r"governing|choice.of.law|jurisdiction"),
    ("how long", r"renew|expir|effective|agreement.date|duration.of|term\b(?!inat)"),
    ("ending", r"terminat"),
    ("ip", r"\bip\b|intellectual|licen[cs]|source.code|escrow|ownership"),
    ("how much", r"pric|fee|payment|royalt|revenue|profit|minimum|volume|commitment|favou?red"),
    ("liability", r"liabilit|\bcap\b|damages|indemn|insurance|warrant|not.to.sue|beneficiar"),
    (
        "restrictions",
        r"exclusiv|compet|solicit|disparag|assign|rofr|rofo|rofn|refusal|restrict|"
        r"transfer",
    ),
    ("what", r"document|name|title|subject|scope|product|service"),
    ("who", r"part(?:y|ies)|signator"),
)
_GROUP_RULES = tuple((g, re.compile(p, re.IGNORECASE)) for g, p in GROUP_RULES)
_RANK = {group: i for i, (group, _) in enumerate(ORDER)}
#: The standard terms whose absence a partner wants stated (the rest are simply not
#: listed): a clause field whose name matches, and whose cue rule found no sentence.
STANDARD_ABSENT = (
    r"terminat\w*\s+for\s+convenience|change\s+of\s+control|exclusiv|non.?compete|"
    r"anti.?assignment|cap\s+on\s+liability|ip\s+ownership|licen[cs]e\s+grant"
)
_STANDARD = re.compile(STANDARD_ABSENT, re.IGNORECASE)
#: Plain labels for the line ("Document name" reads as "Agreement").
_LABELS = {"document_name": "Agreement"}


def summary_fieldset(name: str | None = None) -> FieldSet:
    """``name``, or the first of FIELDSETS that is installed (looked up by name)."""
    if name:
        return load_fieldset(name)
    for candidate in FIELDSETS:
        try:
            return load_fieldset(candidate)
        except FieldSetError:
            continue
    raise FieldSetError(
        f"None of the field sets {', '.join(FIELDSETS)} is installed.",
        "Reinstall Chambers: resources/fieldsets/commercial-contract.json is built in.",
    )


def group_of(item: Field) -> str:
    key = f"{item.name.replace('_', ' ')} {item.title}"
    for group, pattern in _GROUP_RULES:
        if pattern.search(key):
            return group
    return "other"


def label_of(item: Field) -> str:
    """The field's plain label: its title without a trailing "clause"."""
    if item.name in _LABELS:
        return _LABELS[item.name]
    title = re.sub(r"\s+clause$", "", item.title.strip(), flags=re.IGNORECASE)
    return title[:1].upper() + title[1:]


def ordered(fields: tuple[Field, ...]) -> list[Field]:
    """The fields in the lawyer's order (by group), the field set's order within a group."""
    return sorted(fields, key=lambda f: _RANK[group_of(f)])


def key_terms(extractors: Extractors, fieldset: FieldSet) -> tuple[list[Point], list[str]]:
    """(one line per field found, in ORDER; the labels of clause fields shown absent)."""
    params = load_params(None)  # the rule thresholds; no model, so no per-model weights
    points: list[Point] = []
    absent: list[str] = []
    for item in ordered(fieldset.fields):
        if item.extractor is None or item.extractor in IN_HEADER:
            continue  # needs the model, or the header already says it
        try:
            cell = typed_cell(item, extractors, None, params)
        except KeyError:
            continue  # a generator this version does not have: not a rule we can run
        label = label_of(item)
        if cell.status != "supported" or cell.page is None:
            if item.extractor == "clause" and _STANDARD.search(item.name.replace("_", " ")):
                absent.append(label)
            continue
        value = cell.value or ""
        if cell.derivation:
            value = f"{value} ({cell.derivation})"
        cited = []
        if cell.char_start is not None and cell.char_end is not None:
            cited = [extractors.doc.cut(cell.page, cell.char_start, cell.char_end)]
        points.append(
            Point(
                f"{label}: {value}",
                [cell.page],
                kind="term",
                term=item.name,
                cited=cited,
                unplaced=None if cited else cell.quote,
            )
        )
    return points, absent


def absent_line(absent: list[str]) -> str:
    """'No cap on liability or change of control found.' (clause rules read every sentence)."""
    if not absent:
        return ""
    names = [a[:1].lower() + a[1:] if not a[:2].isupper() else a for a in absent]
    joined = names[0] if len(names) == 1 else "; ".join(names[:-1]) + " or " + names[-1]
    return f"No {joined} found (no sentence has the language of such a clause)."
