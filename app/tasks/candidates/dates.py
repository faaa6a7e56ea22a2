"""Dates of a contract: when it was made, when it took effect, when its term ends.

Rules follow how agreements are drafted rather than any one document:

- The agreement date is the date in the sentence that makes the agreement ("This
  Agreement is made / entered into / dated as of ..."), usually the preamble; else the
  title lines, else the signature block. A date that belongs to another agreement the
  contract refers to ("the Supply Agreement dated March 1, 2004") is never it.
- The effective date is the date defined as the "Effective Date", or the one after
  "effective as of"; a definition that points back ("the date first written above",
  "the date of this Agreement") takes the agreement date.
- The expiration date is an explicit end date ("shall expire on ..."), or a term counted
  from a start ("for a period of five (5) years from the Effective Date"), turned into a
  date whose derivation is shown; "in perpetuity" / "until terminated" read "perpetual".
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Iterable

from app.tasks.candidates.document import DocumentText, Sentence
from app.tasks.candidates.types import Candidate, ranked
from app.tasks.legal_values import PartialDate, date_spans, duration_spans

#: The preamble and title lines are in the first few thousand characters.
HEAD_CHARS = 6000
#: Signature blocks sit in the last sentences.
TAIL_SENTENCES = 40

# Cue weights, on the rule scale of app/tasks/candidates/registry.py (about 1 for a
# weak cue, 2 for a drafter's phrase for exactly this, 3 to 6 for a definition). Only
# the lead of the best distinct value over the next decides, against the field's margin.

#: The date of making: each cue found about the date adds its weight.
AGREEMENT_CUES = {
    "making": 3.0,  # "made and entered into on", "dated" just before the date
    "as_of": 2.0,  # "as of", "this 1st day of"
    "preamble": 3.0,  # the sentence names the parties and says "this Agreement"
    "this_agreement": 1.0,  # "this Agreement" without naming the parties
    "head": 1.0,  # early: the full weight at the top, falling to 0 at HEAD_CHARS
    "signature_dated": 0.5,  # "Dated:" beside a signature
    "no_day": -0.2,  # "September __, 2018": a blank day loses a tie
}
#: The effective date: the strongest cue of its sentence is its score.
EFFECTIVE_CUES = {
    "defined_effective_date": 6.0,  # '... 2015 (the "Effective Date")'
    "effective_as_of": 5.0,  # "effective as of ..."
    "points_to_agreement_date": 4.0,  # "the date first written above": the agreement date
    "commences_on": 2.0,  # "shall commence on ..."
}
#: The end of the initial term: the cue, plus bonuses, minus what points elsewhere.
EXPIRATION_CUES = {
    "explicit_end": 5.0,  # "shall expire on June 30, 2020"
    "initial_term": 1.0,  # ... in a sentence about the initial term
    "anniversary": 4.5,  # "the fifth anniversary of the Effective Date"
    "term_from_start": 4.0,  # "for a period of five (5) years" counted from the start
    "from_start": 0.5,  # ... "from the Effective Date" said after it
    "perpetual": 3.0,  # "in perpetuity"
    "until_terminated": 2.5,  # "shall remain in effect until terminated"
}
#: Subtracted from a term sentence's candidates when it is about something else.
EXPIRATION_PENALTIES = {
    "renewal": 2.0,  # a renewal or extension
    "obligation": 1.5,  # a surviving obligation, confidentiality
}
#: Each later sentence loses this much, so the first statement wins a tie.
ORDER_STEP = 1e-3

_MAKING = re.compile(
    r"\b(made|entered\s+into|executed|dated|signed|concluded)\b(\s+(and\s+entered\s+into|"
    r"effective))?(\s+(as\s+of|on|this|at))?[\s,]*(the\s+)?$",
    re.IGNORECASE,
)
_AS_OF = re.compile(r"\bas\s+of\s*(the\s+)?$|\bday\s+of\s*$|\bdated\s*:?\s*$", re.IGNORECASE)
_PREAMBLE = re.compile(r"\b(by\s+and\s+between|between|among|by\s+and\s+among)\b", re.IGNORECASE)
_THIS_AGREEMENT = re.compile(
    r"\bthis\b[^.;]{0,80}\b(agreement|contract|amendment|lease|license|addendum)\b", re.I
)
#: "... the Distribution Agreement dated June 1, 2004": a date of another document.
_OTHER_DOCUMENT = re.compile(
    r"\b(?!this\b)(?:the|that|an?|such|said|its|their|certain|prior|existing|original|"
    r"[A-Z][\w-]*)\s+(?:[A-Z][\w&-]*\s+){0,6}(agreement|contract|amendment|lease|license|"
    r"letter|plan|note|warrant|indenture|addendum)s?\s*(\([^)]*\)\s*)?,?\s*(dated|of|made|"
    r"entered\s+into|effective)\s*(as\s+of\s*)?(the\s+)?$",
    re.IGNORECASE,
)
#: Recitals and cross-references talk about other documents and their dates.
_REFERS_ELSEWHERE = re.compile(
    r"\b(WHEREAS|that\s+certain|replaces|supersedes|amends|pursuant\s+to|under\s+the|"
    r"reference\s+is\s+(hereby\s+)?made)\b",
    re.IGNORECASE,
)
_EFFECTIVE_DEFINED_AFTER = re.compile(
    r"^\W{0,3}\s*\(?\s*(?:such\s+date\s+)?(?:being\s+)?(?:the\s+|this\s+)?[\"\u201c]?\s*effective"
    r"\s+date\s*[\"\u201d]?",
    re.IGNORECASE,
)
_EFFECTIVE_BEFORE = re.compile(
    r"(\beffective\s+(as\s+of|on|from|upon)\s*(the\s+)?$|[\"\u201c]?effective\s+date[\"\u201d]?"
    r"\s*(shall\s+)?(mean|means|be|is|:)\s*(the\s+)?$|\beffective\s*:?\s*$)",
    re.IGNORECASE,
)
_EFFECTIVE_POINTS_BACK = re.compile(
    r"[\"\u201c]?effective\s+date[\"\u201d]?\)?[^.;]{0,40}?\b(mean|means|shall\s+be|is)\b[^.;]{0,30}"
    r"\b(date\s+(first\s+)?(above\s+)?(set\s+forth|written|stated)|date\s+(of|hereof)|date\s+on\s+"
    r"which\s+this\s+agreement|execution\s+date|date\s+of\s+(execution|signature))"
    r"|(effective|in\s+effect)\s+(as\s+of\s+)?(the\s+)?date\s+(first\s+)?(above\s+)?(written|set\s+"
    r"forth)|[\"\u201c]effective\s+date[\"\u201d]\)?\s*(as\s+of\s+)?the\s+date\s+(first\s+)?"
    r"(above\s+)?written",
    re.IGNORECASE,
)
_COMMENCE = re.compile(r"\b(commenc\w*|begin\w*|start\w*)\s+(on|as\s+of)\s*(the\s+)?$", re.I)
_PERPETUAL = re.compile(
    r"\bin\s+perpetuity\b|\bperpetual\b(?!\s+(license|licence|right))|\bshall\s+(continue|remain)\s+"
    r"(in\s+(full\s+)?(force|effect)\s+(and\s+effect\s+)?)?(indefinitely|until\s+(terminated|"
    r"such\s+time\s+as\s+(it\s+is\s+)?terminated))",
    re.IGNORECASE,
)
_TERM_WORDS = re.compile(
    r"\b(term|expire|expiration|shall\s+(continue|remain)|in\s+effect|in\s+force|terminate)\w*",
    re.IGNORECASE,
)
_END_BEFORE = re.compile(
    r"\b(expir\w*|terminat\w*|end\w*|until|through|thru|up\s+to\s+and\s+including|to\s+and\s+"
    r"including|to)\s+(on|at)?\s*(the\s+)?(close\s+of\s+business\s+on\s+|midnight\s+on\s+)?$",
    re.IGNORECASE,
)
_FROM_START = re.compile(
    r"^[^.;]{0,80}?\b(from|after|following|of)\s+(the\s+)?(effective\s+date|date\s+(hereof|of\s+"
    r"this\s+agreement|first\s+(above\s+)?written|of\s+execution)|commencement\s+date|execution"
    r"|launch|start)",
    re.IGNORECASE,
)
_INITIAL_TERM = re.compile(
    r"\b(initial\s+term|term\s+of\s+this\s+agreement|this\s+agreement\s+shall\s+(continue|remain|"
    r"be\s+in\s+effect)|shall\s+remain\s+in\s+(full\s+)?(force|effect)|shall\s+continue\s+in\s+"
    r"(full\s+)?(force|effect)|period\s+of|term\s+of|for\s+a\s+term|the\s+term)\b",
    re.IGNORECASE,
)
#: A filing's footer ("Source: ACME INC, 8-K, 11/6/2019") dates the filing, not the contract.
_FILING = re.compile(
    r"\bSource\s*:[^\n]{0,150}$|\b(?:\d{1,2}-[KQ]|[SF]-\d{1,2}|20-F|6-K|SB-2|10-K405)(?:/A)?\s*,\s*$"
)
_RENEWAL_CONTEXT = re.compile(r"\brenew|\bextend|\bextension|\bsuccessive", re.IGNORECASE)


def _other_document(before: str) -> bool:
    """The date just after ``before`` belongs to a document other than this one."""
    match = _OTHER_DOCUMENT.search(before)
    if match is None:
        return False
    word = match.group(1)
    line_start = before.rfind("\n", 0, match.start(1)) + 1
    if word.isupper() and not before[line_start : match.start(1)].strip():
        return False  # "AGREEMENT dated as of ..." opening a line: this document's own title
    around = before[max(0, match.start() - 15) : match.end()]
    return re.search(r"\bthis\b", around, re.IGNORECASE) is None


def format_date(date: PartialDate) -> str:
    """ "May 1, 2006", or "September 2018" when the day is blank in the contract."""
    if date.month is None or date.year is None:
        return date.iso()
    month = calendar.month_name[date.month]
    return f"{month} {date.day}, {date.year}" if date.day else f"{month} {date.year}"


def _dates(sentence: Sentence) -> Iterable[tuple[int, int, PartialDate]]:
    for start, end, date in date_spans(sentence.text):
        if date.year is not None and 1950 <= date.year <= 2100:
            yield start, end, date


def agreement_dates(doc: DocumentText) -> list[Candidate]:
    """Dates in the preamble, title and signature lines, the making sentence first."""
    seen: set[int] = set()
    out: list[Candidate] = []
    head = list(doc.head(HEAD_CHARS))
    for sentence in head + doc.tail(TAIL_SENTENCES):
        if sentence.index in seen:
            continue
        seen.add(sentence.index)
        early = sentence.index < len(head)
        for start, _end, date in _dates(sentence):
            before = sentence.text[max(0, start - 120) : start]
            features: list[str] = []
            score = 0.0
            if _other_document(before):
                continue
            if _REFERS_ELSEWHERE.search(sentence.text[:start]) or _FILING.search(before):
                continue
            if _MAKING.search(before[-60:]):
                features.append("making")
                score += AGREEMENT_CUES["making"]
            elif _AS_OF.search(before[-30:]):
                features.append("as_of")
                score += AGREEMENT_CUES["as_of"]
            if _PREAMBLE.search(sentence.text) and _THIS_AGREEMENT.search(sentence.text):
                features.append("preamble")
                score += AGREEMENT_CUES["preamble"]
            elif _THIS_AGREEMENT.search(sentence.text):
                features.append("this_agreement")
                score += AGREEMENT_CUES["this_agreement"]
            if early:
                features.append("head")
                score += AGREEMENT_CUES["head"] * (1 - sentence.index / max(1, len(head)))
            else:
                features.append("signature")
                dated = re.search(r"\bdated?\s*:?\s*$", before, re.I)
                score += AGREEMENT_CUES["signature_dated"] if dated else 0
            if date.day is None:
                score += AGREEMENT_CUES["no_day"]
            out.append(
                Candidate(format_date(date), sentence, score, tuple(features), normalised=date)
            )
    return ranked(out)


def effective_dates(doc: DocumentText, agreement: Candidate | None) -> list[Candidate]:
    """Dates defined or introduced as the Effective Date; a pointer back takes ``agreement``."""
    out: list[Candidate] = []
    for sentence in doc.sentences:
        lowered = sentence.text.lower()
        if "effective" not in lowered and "commenc" not in lowered:
            continue
        for start, end, date in _dates(sentence):
            before = sentence.text[max(0, start - 80) : start]
            after = sentence.text[end : end + 60]
            if _other_document(before):
                continue
            if _EFFECTIVE_DEFINED_AFTER.search(after):
                feature = "defined_effective_date"
            elif _EFFECTIVE_BEFORE.search(before):
                feature = "effective_as_of"
            elif _COMMENCE.search(before):
                feature = "commences_on"
            else:
                continue
            score = EFFECTIVE_CUES[feature] - sentence.index * ORDER_STEP
            out.append(Candidate(format_date(date), sentence, score, (feature,), normalised=date))
        if agreement is not None and _EFFECTIVE_POINTS_BACK.search(sentence.text):
            out.append(
                Candidate(
                    agreement.value,
                    sentence,
                    EFFECTIVE_CUES["points_to_agreement_date"],
                    ("points_to_agreement_date",),
                    derivation=f"the date the agreement was made ({agreement.value})",
                    normalised=agreement.normalised,
                )
            )
    return ranked(out)


def add_months(date: PartialDate, months: int, days: int = 0) -> PartialDate | None:
    """``date`` moved on by a term; None when the start date is incomplete."""
    if date.year is None or date.month is None or date.day is None:
        return None
    total = date.year * 12 + (date.month - 1) + months
    year, month = divmod(total, 12)
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    if not days:
        return PartialDate(year, month + 1, day)
    moved = _dt.date(year, month + 1, day) + _dt.timedelta(days=days)
    return PartialDate(moved.year, moved.month, moved.day)


_TERM_SUBJECT = re.compile(
    r"\b(this\s+(\w+\s+){0,3}agreement|the\s+(initial\s+)?term|initial\s+term|term\s+of\s+(this|the)|"
    r"term\s*:)",
    re.IGNORECASE,
)
_TERM_VERB = re.compile(
    r"\b(commenc\w*|begin\w*|continu\w*|remain\w*|expir\w*|in\s+(full\s+)?(force|effect)|"
    r"end\w*|run\w*|last\w*|be\s+for|term\s*:|term\s+of|shall\s+be)\b",
    re.IGNORECASE,
)
_PERIOD_BEFORE = re.compile(
    r"(\bfor\s+(a\s+|an\s+)?((initial\s+)?(period|term)\s+of\s+)?|\bperiod\s+of\s+|\bterm\s+of\s+|\buntil\s+|"
    r"\bterm\s*:\s*|\binitial\s+|\bthe\s+)(approximately\s+|about\s+)?$",
    re.IGNORECASE,
)
_SURVIVAL_AFTER = re.compile(
    r"^[^.;]{0,30}\b(thereafter|after\s+(its|the|any|such)\s+(termination|expiration|expiry)|"
    r"following\s+(the\s+|any\s+|its\s+)?(termination|expiration|expiry)|after\s+termination)",
    re.IGNORECASE,
)
_OBLIGATION = re.compile(r"\b(during\s+the\s+term|surviv\w*|confidential\w*)\b", re.IGNORECASE)
_UNTIL_NO_DATE = re.compile(
    r"\b(continue|remain)\s+in\s+(full\s+)?(force|effect)(\s+and\s+effect)?\s+until\b|"
    r"\buntil\s+(terminated|such\s+time\s+as)",
    re.IGNORECASE,
)
_NOT_PERPETUAL = re.compile(r"\b(surviv\w*|licen[cs]\w*|irrevocabl\w*|right\w*|royalt\w*)\b", re.I)


def _term_sentence(text: str) -> bool:
    return bool(_TERM_SUBJECT.search(text) and _TERM_VERB.search(text))


_TERMINATION_RIGHT = re.compile(
    r"\b(may|shall\s+have\s+the\s+right\s+to|right\s+to)\s+terminat\w*|\bbreach\w*|\bdefault\b",
    re.IGNORECASE,
)
_FROM_SIGNING = re.compile(
    r"\bdate\s+(first\s+)?(above\s+)?(written|set\s+forth)|\bdate\s+(hereof|of\s+(its\s+)?"
    r"(execution|signature|this\s+agreement))|\bexecution\s+date|\bupon\s+(execution|signature)",
    re.IGNORECASE,
)
_ANNIVERSARY = re.compile(
    r"\b(?P<n>\d+|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|fifteenth|twentieth)"
    r"\s*(?:\(\d+(?:st|nd|rd|th)\)\s*)?(?:st|nd|rd|th)?\s+anniversary\s+of\s+the\s+(effective|commencement)",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "fifteenth": 15,
    "twentieth": 20,
}


def _start_for(
    text: str, effective: Candidate | None, agreement: Candidate | None
) -> Candidate | None:
    """The date a term sentence counts from: signing, else the Effective Date."""
    if _FROM_SIGNING.search(text):
        return agreement or effective
    return effective or agreement


def expiration_dates(
    doc: DocumentText, effective: Candidate | None, agreement: Candidate | None = None
) -> list[Candidate]:
    """End dates: explicit, counted from the start (shown as a derivation), or perpetual."""
    out: list[Candidate] = []
    for sentence in doc.sentences:
        text = sentence.text
        if not _TERM_WORDS.search(text) or not _term_sentence(text):
            continue
        if _TERMINATION_RIGHT.search(text) and not _INITIAL_TERM.search(text):
            continue
        start = _start_for(text, effective, agreement)
        anniversary = _ANNIVERSARY.search(text)
        if anniversary and start is not None and start.normalised is not None:
            raw = anniversary.group("n").lower()
            years = int(raw) if raw.isdigit() else _ORDINALS[raw]
            end = add_months(start.normalised, 12 * years)
            if end is not None:
                out.append(
                    Candidate(
                        format_date(end),
                        sentence,
                        EXPIRATION_CUES["anniversary"] - sentence.index * ORDER_STEP,
                        ("anniversary",),
                        derivation=f"{start.value} + {years} years",
                        normalised=end,
                    )
                )
        renewal = bool(_RENEWAL_CONTEXT.search(text))
        penalty = (EXPIRATION_PENALTIES["renewal"] if renewal else 0.0) + (
            EXPIRATION_PENALTIES["obligation"] if _OBLIGATION.search(text) else 0.0
        )
        order = sentence.index * ORDER_STEP
        dated = False
        for s, _e, date in _dates(sentence):
            if _END_BEFORE.search(text[max(0, s - 40) : s]):
                dated = True
                initial = EXPIRATION_CUES["initial_term"] if _INITIAL_TERM.search(text) else 0.0
                score = EXPIRATION_CUES["explicit_end"] - penalty + initial
                out.append(
                    Candidate(
                        format_date(date),
                        sentence,
                        score - order,
                        ("explicit_end",),
                        normalised=date,
                    )
                )
        if start is not None and start.normalised is not None:
            for s, e, (amount, unit) in duration_spans(text):
                if not _PERIOD_BEFORE.search(text[max(0, s - 40) : s]):
                    continue
                if _SURVIVAL_AFTER.search(text[e : e + 60]):
                    continue
                months, days = (amount, 0) if unit == "month" else (0, amount)
                end = add_months(start.normalised, months, days)
                if end is None:
                    continue
                span = " ".join(text[s:e].split())
                bonus = (
                    EXPIRATION_CUES["from_start"] if _FROM_START.search(text[e : e + 120]) else 0.0
                )
                score = EXPIRATION_CUES["term_from_start"] - penalty + bonus
                out.append(
                    Candidate(
                        format_date(end),
                        sentence,
                        score - order,
                        ("term_from_start",),
                        derivation=f"{start.value} + {span}",
                        normalised=end,
                    )
                )
                break
        if renewal or _NOT_PERPETUAL.search(text):
            continue
        if _PERPETUAL.search(text):
            score = EXPIRATION_CUES["perpetual"] - penalty - order
            out.append(Candidate("perpetual", sentence, score, ("perpetual",)))
        elif not dated and _UNTIL_NO_DATE.search(text):
            out.append(
                Candidate(
                    "perpetual",
                    sentence,
                    EXPIRATION_CUES["until_terminated"] - penalty - order,
                    ("until_terminated",),
                )
            )
    return ranked(out)
