"""Governing law: the US state or country whose law governs, from the law's own words.

"governed by the laws of the State of New York", "construed in accordance with English
law", "the laws of the Commonwealth of Massachusetts", "the internal laws of Delaware".
A governing-law sentence outranks a courts or forum sentence ("submit to the
jurisdiction of the courts of ..."), which names where to sue, not which law applies.
"""

from __future__ import annotations

import re

from app.tasks.candidates.document import DocumentText
from app.tasks.candidates.types import Candidate, ranked
from app.tasks.legal_values import find_states

_GOVERNS = re.compile(
    r"\b(govern(ed|s|ing)?|constru(ed|e|ction)|interpret(ed|ation)?|enforced|"
    r"applicable\s+law|choice\s+of\s+law|subject\s+to\s+the\s+laws?)\b",
    re.IGNORECASE,
)
_GOVERNED_BY = re.compile(
    r"\b(governed|construed|interpreted|enforced)\s+(by|under|in\s+accordance\s+with|pursuant\s+to)\b",
    re.IGNORECASE,
)
_FORUM = re.compile(r"\b(courts?|jurisdiction|venue|forum|arbitration|tribunal)\b", re.IGNORECASE)
_ORGANISED = re.compile(
    r"(organi[sz]ed|incorporated|existing|formed|chartered|registered)\s+(and\s+existing\s+)?"
    r"(under|pursuant\s+to|in\s+accordance\s+with)\s+(the\s+)?(laws?\s+of\s+)?(the\s+)?$",
    re.IGNORECASE,
)
_PLACE_AFTER_LAWS = re.compile(
    r"\b(?i:laws?\s+(?:in\s+force\s+)?(?:(?:of|in)\s+)?(?:the\s+)?(?:(?:state|commonwealth|province|"
    r"republic|kingdom|federal\s+republic|people'?s\s+republic)\s+of\s+)?)"
    r"(?P<place>[A-Z][\w'.-]*(?:\s+(?:of\s+|and\s+)?[A-Z][\w'.-]*){0,3})",
)
#: "English law", "New York law", "Delaware law", "Swiss law".
_ADJECTIVE_LAW = re.compile(
    r"\b(?P<place>[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)?)\s+(?:substantive\s+)?law\b"
)
COUNTRIES = {
    "england": "England",
    "english": "England",
    "wales": "Wales",
    "england and wales": "England and Wales",
    "united kingdom": "United Kingdom",
    "scotland": "Scotland",
    "scottish": "Scotland",
    "ireland": "Ireland",
    "irish": "Ireland",
    "canada": "Canada",
    "ontario": "Ontario, Canada",
    "british columbia": "British Columbia, Canada",
    "alberta": "Alberta, Canada",
    "quebec": "Quebec, Canada",
    "germany": "Germany",
    "german": "Germany",
    "france": "France",
    "french": "France",
    "switzerland": "Switzerland",
    "swiss": "Switzerland",
    "netherlands": "Netherlands",
    "dutch": "Netherlands",
    "japan": "Japan",
    "japanese": "Japan",
    "china": "China",
    "prc": "China",
    "hong kong": "Hong Kong",
    "singapore": "Singapore",
    "israel": "Israel",
    "israeli": "Israel",
    "india": "India",
    "indian": "India",
    "australia": "Australia",
    "new south wales": "New South Wales, Australia",
    "victoria": "Victoria, Australia",
    "sweden": "Sweden",
    "swedish": "Sweden",
    "norway": "Norway",
    "denmark": "Denmark",
    "finland": "Finland",
    "italy": "Italy",
    "italian": "Italy",
    "spain": "Spain",
    "spanish": "Spain",
    "korea": "Korea",
    "taiwan": "Taiwan",
    "mexico": "Mexico",
    "brazil": "Brazil",
    "cayman islands": "Cayman Islands",
    "bermuda": "Bermuda",
    "luxembourg": "Luxembourg",
    "belgium": "Belgium",
    "austria": "Austria",
    "united states": "United States",
    "u.s.": "United States",
}
#: Spellings seen in filed contracts, read as the state meant.
MISSPELLINGS = {
    "deleware": "Delaware",
    "pennsylvannia": "Pennsylvania",
    "massachussetts": "Massachusetts",
    "conneticut": "Connecticut",
    "californa": "California",
    "illnois": "Illinois",
}

#: Cue weights on the rule scale (app/tasks/candidates/registry.py).
PLACE_CUES = {
    "governs": 4.0,  # the sentence says the agreement is governed / construed
    "laws_of": -1.0,  # only "the laws of X" (a party's state of organisation, often)
    "forum_penalty": 1.0,  # ... in a sentence about courts or venue
    "governed_by": 1.0,  # "governed by" just before the place
    "heading": 1.0,  # "Governing Law" / "Choice of Law" in the sentence
}
#: Each LATER sentence gains this much: a governing-law clause sits near the end.
ORDER_STEP = 1e-4


def canonical_place(text: str) -> str | None:
    """A US state by its name, else a known country or province; None if neither."""
    cleaned = " ".join(text.replace("\u2019", "'").split()).strip(" .,;")
    lowered = cleaned.lower()
    for wrong, right in MISSPELLINGS.items():
        lowered = lowered.replace(wrong, right.lower())
    states = find_states(lowered)
    if len(states) == 1:
        return next(iter(states)).title()
    if len(states) > 1:
        return None
    for length in (3, 2, 1):
        words = lowered.split()
        for i in range(len(words) - length + 1):
            key = " ".join(words[i : i + length]).strip(".,;'")
            key = key[:-2] if key.endswith("'s") else key
            if key in COUNTRIES:
                return COUNTRIES[key]
    return None


def governing_law_candidates(doc: DocumentText) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in doc.sentences:
        text = sentence.text
        if "law" not in text.lower():
            continue
        governs = bool(_GOVERNS.search(text))
        forum = bool(_FORUM.search(text))
        places: list[tuple[int, str]] = []
        for pattern in (_PLACE_AFTER_LAWS, _ADJECTIVE_LAW):
            for match in pattern.finditer(text):
                if _ORGANISED.search(text[max(0, match.start() - 60) : match.start()]):
                    continue
                place = canonical_place(match.group("place"))
                if place:
                    places.append((match.start(), place))
        if (
            not places
            and governs
            and re.search(r"\blaws?\s+of\s+(that|such|said)\s+state", text, re.I)
        ):
            states = find_states(text)
            if len(states) == 1:
                places.append((0, next(iter(states)).title()))
        if not places:
            continue
        position, first = min(places)
        score = PLACE_CUES["governs"] if governs else PLACE_CUES["laws_of"]
        score -= PLACE_CUES["forum_penalty"] if forum and not governs else 0.0
        if _GOVERNED_BY.search(text[max(0, position - 100) : position]):
            score += PLACE_CUES["governed_by"]
        if re.search(r"\bgoverning\s+law\b|\bchoice\s+of\s+law\b", text, re.IGNORECASE):
            score += PLACE_CUES["heading"]
        features = ("governs",) if governs else ("laws_of",)
        out.append(Candidate(first, sentence, score + sentence.index * ORDER_STEP, features, first))
    return ranked(out)
