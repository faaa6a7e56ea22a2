"""Reading legal values out of free text: dates, US states, durations, words.

Shared by the matcher (app/evaluation/match.py), which compares a model's answer with a
label, and the keyword baseline (app/evaluation/baseline.py), which looks for the same
things in a contract with regular expressions. Both must read "the 1st day of May, 2006",
"May 1, 2006" and "5/1/2006" as the same date, or the comparison would measure the
spelling rather than the answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.tasks.quotes import normalise

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2}|_+|\[\s*\])\s*(?:s\s?t|n\s?d|r\s?d|t\s?h)?"  # "21s t": PDF text
_YEAR = r"(?P<year>\d{4})"
#: Most specific first: a span taken by one pattern is not read again by a later one.
_DATE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b",
        r"\b(?P<month>\d{1,2})[/.-](?P<day>\d{1,2})[/.-](?P<year>\d{4}|\d{2})\b",
        rf"\b{_MONTH}\s+{_DAY}\s*,?\s*(?:of\s+)?{_YEAR}\b",
        rf"\b{_DAY}\s*(?:day\s+of\s+)?{_MONTH}\s*,?\s*{_YEAR}\b",
        rf"\b{_MONTH}\s*,?\s*{_YEAR}\b",
    )
)


@dataclass(frozen=True)
class PartialDate:
    """A calendar date where any part may be unknown (CUAD writes ``09/[]/2018``)."""

    year: int | None
    month: int | None
    day: int | None

    def iso(self) -> str:
        parts = (self.year, self.month, self.day)
        widths = (4, 2, 2)
        return "-".join(
            "?" * w if p is None else f"{p:0{w}d}" for p, w in zip(parts, widths, strict=True)
        )


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _date_from_match(match: re.Match[str]) -> PartialDate | None:
    groups = match.groupdict()
    month_text = groups["month"]
    month = MONTHS.get(month_text.lower().rstrip(".")) if month_text else None
    if month is None:
        month = _number(month_text)
    day = _number(groups.get("day"))
    year = _number(groups["year"])
    if year is not None and year < 100:
        year += 1900 if year >= 50 else 2000
    if month is not None and month > 12 and day is not None and day <= 12:
        month, day = day, month  # 24/06/2020: day first, as outside the US
    if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    return PartialDate(year, month, day)


def find_dates(text: str) -> list[PartialDate]:
    """Every date in ``text`` in reading order; a blank day ("May __, 2006") is None."""
    return [date for _, _, date in date_spans(unicodedata.normalize("NFKC", text))]


def date_spans(text: str) -> list[tuple[int, int, PartialDate]]:
    """Every date in ``text`` with where it is, so a caller can quote it verbatim."""
    taken: list[tuple[int, int, PartialDate]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e, _ in taken):
                continue
            date = _date_from_match(match)
            if date is not None:
                taken.append((start, end, date))
    return sorted(taken, key=lambda t: t[0])


_LABEL_DATE = re.compile(r"^\s*(\d{1,2}|\[\])/(\d{1,2}|\[\])/(\d{4}|[\d\[\]]{2,6})\s*$")


def parse_label_date(label: str) -> PartialDate | None:
    """A label's date: CUAD's ``M/D/YYYY`` with ``[]`` for unknown parts, else any format.

    None when the label is not a date at all ("perpetual").
    """
    match = _LABEL_DATE.match(label)
    if match:
        month, day, year = (_number(g) for g in match.groups())
        return PartialDate(year, month, day)
    dates = find_dates(label)
    return dates[0] if dates else None


US_STATES = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "district of columbia": "DC",
}
_BY_CODE = {code: name for name, code in US_STATES.items()}
#: Longest names first, so "West Virginia" is read before "Virginia" can match inside it.
_STATE_NAMES = re.compile(
    r"\b(" + "|".join(sorted(US_STATES, key=len, reverse=True)).replace(" ", r"\s+") + r")\b"
)
_DOTTED_CODE = re.compile(r"(?<![\w.])([A-Z])\.([A-Z])\.")
_CODE = re.compile(r"(?<![\w.])([A-Z]{2})(?![\w])")


def find_states(text: str) -> set[str]:
    """The US states (lowercase full names) named in ``text``, by name or postal code.

    Postal codes count only where they cannot be ordinary words: dotted ("N.Y."), or in
    capitals in a value of at most three words ("NY", "Austin, TX"); in a sentence in
    capitals "IN", "OR", "ME" and "OK" are words, not Indiana, Oregon, Maine, Oklahoma.
    """
    found: set[str] = set()
    text = unicodedata.normalize("NFKC", text)
    lowered = " ".join(text.lower().split())
    found.update(" ".join(m.group(1).split()) for m in _STATE_NAMES.finditer(lowered))
    codes = [m.group(1) + m.group(2) for m in _DOTTED_CODE.finditer(text)]
    if len(text.split()) <= 3:
        codes += [m.group(1) for m in _CODE.finditer(text)]
    found.update(_BY_CODE[code] for code in codes if code in _BY_CODE)
    return found


_NUMBER_WORDS = {
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
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
    "a": 1,
    "an": 1,
}
_AMOUNT = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_DURATION = re.compile(
    rf"\b(?:{_AMOUNT}[\s-]*)?(?:\(\s*(\d+)\s*\)[\s-]*)?"
    r"(?:calendar\s+|business\s+|consecutive\s+|full\s+)?(day|week|month|year)s?\b",
    re.IGNORECASE,
)
#: Years and months compare as months, weeks and days as days: "12 months" == "1 year".
_UNIT = {"year": (12, "month"), "month": (1, "month"), "week": (7, "day"), "day": (1, "day")}


def find_durations(text: str) -> list[tuple[int, str]]:
    """Every "<number> <unit>" in ``text`` as (amount, "month"|"day"), in reading order.

    "ninety (90) days" is one duration (the figure in brackets wins over the words);
    a unit without a number ("annual", "each year") is not a duration.
    """
    return [duration for _, _, duration in duration_spans(unicodedata.normalize("NFKC", text))]


def duration_spans(text: str) -> list[tuple[int, int, tuple[int, str]]]:
    """Every duration in ``text`` with where it is (see find_durations)."""
    found: list[tuple[int, int, tuple[int, str]]] = []
    for match in _DURATION.finditer(text):
        words, figure, unit = match.groups()
        amount = _number(figure) if figure else None
        if amount is None and words:
            amount = _number(words) if words.isdigit() else _NUMBER_WORDS.get(words.lower())
        if amount is None:
            continue
        factor, base = _UNIT[unit.lower()]
        found.append((*match.span(), (amount * factor, base)))
    return found


def fold(text: str) -> str:
    """Lowercase, typographic quotes and dashes made plain, whitespace collapsed.

    The same folding as quote verification (app/tasks/verify.normalise), so a value and
    its quote compare alike.
    """
    return normalise(text)[0]


def words(text: str) -> list[str]:
    """The word tokens of ``text``: folded, punctuation dropped ("Inc." -> "inc")."""
    return re.findall(r"[a-z0-9]+", fold(text).replace("'", ""))


_MONEY = re.compile(
    r"(?:(?:US|USD|EUR|GBP|CAD|AUD)\s?[$\u20ac\u00a3]?\s?|[$\u20ac\u00a3]\s?)\d[\d,]*(?:\.\d{1,2})?"
    r"(?:\s?(?:million|thousand|k|m)\b)?"
    r"|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:USD|EUR|GBP|dollars|euros|pounds)\b",
    re.IGNORECASE,
)


def money_spans(text: str) -> list[tuple[int, int]]:
    """Every sum of money in ``text`` ("$25,000", "USD 48,500.00", "$2 million", "500 euros")."""
    return [match.span() for match in _MONEY.finditer(text)]
