"""Renewal term and the notice that stops a renewal, only from an auto-renewal clause.

A renewal term exists when the agreement renews by itself ("shall automatically renew
for successive one (1) year periods", "shall thereafter continue from year to year");
a right to negotiate an extension is not one. The notice to stop it is the period in
that sentence or the next ("unless either party gives ninety (90) days' written notice
of non-renewal"), never a cure period or a termination-for-breach notice elsewhere.
"""

from __future__ import annotations

import re

from app.tasks.candidates.document import DocumentText, Sentence
from app.tasks.candidates.types import Candidate, ranked
from app.tasks.legal_values import duration_spans

_AUTO = re.compile(
    r"\b(automatic(ally)?\s+(be\s+)?(renew|extend)\w*|(renew|extend)\w*\s+automatically|"
    r"auto-?renew\w*|shall\s+(thereafter\s+)?(be\s+)?(renew|extend)\w*\s+(for|on)|"
    r"(renew|extend)\w*\s+for\s+(successive|additional|subsequent|further|consecutive)|"
    r"(successive|additional|consecutive|subsequent)\s+(renewal\s+)?(terms?|periods?)\s+of|"
    r"from\s+year\s+to\s+year|year[\s-]+to[\s-]+year|month[\s-]+to[\s-]+month|"
    r"unless\s+(either|a|one)\s+party[^.;]{0,120}(not\s+to\s+renew|non-?renewal|terminate))",
    re.IGNORECASE,
)
_OPTIONAL = re.compile(
    r"\b(may|option\s+to|right\s+to|mutual(ly)?\s+agree\w*|upon\s+mutual|by\s+mutual|negotiat\w*"
    r"|if\s+the\s+parties\s+agree)\b",
    re.IGNORECASE,
)
_NOTICE = re.compile(r"\b(notice|notif\w*)\b", re.IGNORECASE)
_STOP_RENEWAL = re.compile(
    r"\b(not\s+to\s+renew|non-?renewal|not\s+be\s+renewed|not\s+renew|terminate|termination|"
    r"intention|intent|elect\w*|unless|prior\s+to\s+(the\s+)?(end|expiration|expiry)|before)\b",
    re.IGNORECASE,
)
_CURE = re.compile(r"\b(cure|breach|default|remed)\w*", re.IGNORECASE)
_YEAR_TO_YEAR = re.compile(r"\b(year|month)[\s-]+to[\s-]+(year|month)\b", re.IGNORECASE)

#: Cue weights on the rule scale (app/tasks/candidates/registry.py).
RENEWAL_CUES = {
    "auto_renewal": 4.0,  # a duration in an automatic-renewal sentence
    "optional_penalty": 3.0,  # ... where renewal is only an option ("may renew")
    "year_to_year_penalty": 0.5,  # "from year to year": a term without a number
}
NOTICE_CUES = {
    "notice": 4.0,  # a notice period in the renewal sentence
    "next_sentence": 1.0,  # ... lost when it is in the sentence after it
    "stops_renewal": 1.0,  # "notice of non-renewal", "elects not to renew"
}
#: Each later sentence loses this much, so the first statement wins a tie.
ORDER_STEP = 1e-3


_NOTICE_BEFORE = re.compile(
    r"\b(at\s+least|not\s+less\s+than|no\s+less\s+than|minimum\s+of|upon|giving|gives|provides?|"
    r"within|no\s+later\s+than|not\s+later\s+than)\s*$",
    re.IGNORECASE,
)
_NOTICE_AFTER = re.compile(
    r"^\W{0,3}\s*(\w+\s+){0,1}(prior|before|notice|in\s+advance|written|advance)\b", re.IGNORECASE
)


def is_notice_period(text: str, start: int, end: int) -> bool:
    """The duration at ``text[start:end]`` is a notice period ("at least 90 days' notice")."""
    return bool(
        _NOTICE_BEFORE.search(text[max(0, start - 25) : start])
        or _NOTICE_AFTER.search(text[end : end + 30])
    )


def _renewal_sentences(doc: DocumentText) -> list[Sentence]:
    return [s for s in doc.sentences if _AUTO.search(s.text)]


def renewal_terms(doc: DocumentText) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in _renewal_sentences(doc):
        text = sentence.text
        optional = bool(_OPTIONAL.search(text)) and not re.search(r"automatic", text, re.I)
        score = RENEWAL_CUES["auto_renewal"] - (
            RENEWAL_CUES["optional_penalty"] if optional else 0.0
        )
        auto = _AUTO.search(text)
        assert auto is not None
        spans = [(s, e, d) for s, e, d in duration_spans(text) if not is_notice_period(text, s, e)]
        if spans:
            # The duration nearest after the renewal words is the renewal term.
            after = [t for t in spans if t[0] >= auto.start() - 60] or spans
            s, e, _ = after[0]
            words = " ".join(text[s:e].split())
            value = f"successive {words}" if "success" in text.lower() else words
            out.append(
                Candidate(
                    value,
                    sentence,
                    score - sentence.index * ORDER_STEP,
                    ("auto_renewal",),
                    normalised=after[0][2],
                )
            )
        elif _YEAR_TO_YEAR.search(text):
            unit = _YEAR_TO_YEAR.search(text)
            assert unit is not None
            value = "1 year" if unit.group(1).lower() == "year" else "1 month"
            out.append(
                Candidate(
                    value,
                    sentence,
                    score - RENEWAL_CUES["year_to_year_penalty"] - sentence.index * ORDER_STEP,
                    ("year_to_year",),
                )
            )
    return ranked(out)


def renewal_notices(doc: DocumentText) -> list[Candidate]:
    """Notice periods in an auto-renewal sentence or the one after it."""
    out: list[Candidate] = []
    for sentence in _renewal_sentences(doc):
        for offset, candidate in enumerate([sentence, *doc.following(sentence, 1)]):
            text = candidate.text
            if _CURE.search(text) and not re.search(r"renew", text, re.I):
                continue
            for s, e, duration in duration_spans(text):
                near = text[max(0, s - 80) : e + 120]
                if not _NOTICE.search(near) or not is_notice_period(text, s, e):
                    continue
                stop = NOTICE_CUES["stops_renewal"] if _STOP_RENEWAL.search(near) else 0.0
                score = NOTICE_CUES["notice"] - NOTICE_CUES["next_sentence"] * offset + stop
                words = " ".join(text[s:e].split())
                out.append(
                    Candidate(
                        words,
                        candidate,
                        score - candidate.index * ORDER_STEP,
                        ("renewal_notice",),
                        normalised=duration,
                    )
                )
    return ranked(out)
