"""Who signed: the people and titles in a contract's signature blocks, quoted as a block.

"Who signed this agreement?" is answered by the signature page, not by the preamble or
the date. A block names the person (``/s/ Jane Doe``, ``Name: Jane Doe``), often their
office (``Title: President``, ``Its: Chief Executive Officer``) and the party they sign
for (the line above ``By:``: app/tasks/candidates/signatures.py). Filed contracts are
often flattened, two blocks side by side on one line ("By: /s/ A By: /s/ B Name: A B
Its: CEO Its: President"), so the labels are read as delimiters, not as line starts.

The candidate's sentence is the span of the page from the first signature element to
the end of the last block's line, so its quote is verbatim and every name the value
gives is a substring of it (the grounding check in app/tasks/grounding.py then holds by
construction). A page with only blank forms ("By: ____ Name: ____") gives nothing: a
form is not a signature.
"""

from __future__ import annotations

import re

from app.tasks.candidates.document import DocumentText, Sentence
from app.tasks.candidates.signatures import signatories
from app.tasks.candidates.types import Candidate, ranked

#: Labels of a signature block, which also end the value of the label before them.
_LABEL = r"(?:By|Name|Title|Its|Date|Dated|Signature|Print\s+Name|Printed\s+Name)\s*:"
_LABELS = re.compile(rf"\b{_LABEL}|/s/", re.IGNORECASE)
#: Words of a block that are not part of a name (a label, a witness line).
_NOT_NAME = (
    r"(?:(?:By|Name|Title|Its|Date|Dated|Print|Printed|Address|Signature|Witness|Attest|"
    r"BY|NAME|TITLE|ITS|DATE|DATED|PRINT|ADDRESS|SIGNATURE|WITNESS|ATTEST)\b)"
)
#: A person's name: two to four capitalised words (initials allowed), not a label.
_PERSON = (
    rf"(?-i:(?!{_NOT_NAME})(?:[A-Z][a-zA-Z'\-]+|[A-Z]\.)"
    rf"(?:[ \t\u00a0]+(?!{_NOT_NAME})(?:[A-Z][a-zA-Z'\-]+|[A-Z]\.)){{1,3}})"
)
_SIGNED = re.compile(rf"/s/[ \t\u00a0]*(?P<person>{_PERSON})")
_NAMED = re.compile(rf"\bName[ \t\u00a0]*:[ \t\u00a0]*(?P<person>{_PERSON})", re.IGNORECASE)
_TITLED = re.compile(
    rf"\b(?:Title|Its)[ \t\u00a0]*:[ \t\u00a0]*(?P<title>(?:(?!{_LABEL})[^\n:_])+)", re.IGNORECASE
)
_WITNESS = re.compile(r"\bin\s+witness\s+whereof\b", re.IGNORECASE)
#: An office a title names (a "Title:" value without one is a form's leftover text).
_OFFICE = re.compile(
    r"\b(?:president|officer|director|manager|secretary|treasurer|trustee|chairman|chair|"
    r"partner|member|ceo|cfo|coo|cto|counsel|signatory|owner|principal|founder|head|"
    r"general\s+manager|vice)\b",
    re.IGNORECASE,
)
MAX_TITLE_CHARS = 60
MAX_PEOPLE = 6
#: How far before the first block an "IN WITNESS WHEREOF" line is still its heading.
WITNESS_REACH = 600
#: How far past the last label the block's quote runs (the rest of that line).
TAIL_CHARS = 200


def _people(text: str) -> list[str]:
    """Signers' names: ``/s/`` signatures first, then ``Name:`` lines not already given
    (a flattened "Name: A B C D" that only repeats two signatures is not a new person).
    A name run on into the next block's ("Fred Zolla George Bogle") is cut where the
    other name begins."""
    raw = [" ".join(m.group("person").split()) for m in _SIGNED.finditer(text)]
    raw += [" ".join(m.group("person").split()) for m in _NAMED.finditer(text)]
    found: list[str] = []
    for person in raw:
        person = _cut_run_on(person, raw)
        if person.split()[0] in ("The", "THE"):
            continue  # "Name: The Company": a party's label, not a person
        if not any(known in person or person in known for known in found):
            found.append(person)
    return found[:MAX_PEOPLE]


def _cut_run_on(person: str, names: list[str]) -> str:
    """``person`` less a following name it ran into (another of ``names``, or itself)."""
    words = person.split()
    for cut in range(2, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if head == tail or any(n != person and (n.startswith(tail) or n == head) for n in names):
            return head
    return person


def _titles(text: str) -> list[str]:
    """Officers' titles from ``Title:`` / ``Its:`` values that name an office."""
    out = []
    for match in _TITLED.finditer(text):
        title = " ".join(match.group("title").split()).strip(" ,;.")
        if title and len(title) <= MAX_TITLE_CHARS and _OFFICE.search(title):
            out.append(title)
    return out


def _block_span(page_text: str) -> tuple[int, int] | None:
    """From the first signature element of the page to the end of its last block line."""
    labels = list(_LABELS.finditer(page_text))
    if not labels:
        return None
    start, last = labels[0].start(), labels[-1].end()
    line_end = page_text.find("\n", last)
    end = min(len(page_text), last + TAIL_CHARS if line_end < 0 else line_end)
    witness = [
        m for m in _WITNESS.finditer(page_text, 0, start) if start - m.start() <= WITNESS_REACH
    ]
    if witness:
        start = witness[-1].start()
    return start, end


def signer_candidates(doc: DocumentText) -> list[Candidate]:
    """One candidate per page that carries signed blocks: who signed, for whom, as what.

    The value reads "Jane Doe (President); John Roe (Chief Executive Officer), for ACME
    INC.; BETA LLC": a name is paired with a title only when the page gives as many
    titles as names, in the same order (side-by-side blocks keep their order).
    """
    parties_by_page: dict[int, list[str]] = {}
    for found in signatories(doc):
        parties_by_page.setdefault(found.span.page, []).append(found.name)
    out: list[Candidate] = []
    for page in doc.pages:
        span = _block_span(page.text)
        if span is None:
            continue
        start, end = span
        text = page.text[start:end]
        people = _people(text)
        if not people:
            continue
        titles = _titles(text)
        if len(titles) == len(people):
            named = [f"{p} ({t})" for p, t in zip(people, titles, strict=True)]
        else:
            named = people
        parties = [p for p in parties_by_page.get(page.number, []) if p in text]
        value = "; ".join(named)
        if parties:
            value += ", for " + "; ".join(parties)
        sentence = Sentence(page.number, start, end, text, -1)
        score = 2.0 + 0.5 * len(people) + (0.5 if parties else 0.0)
        out.append(Candidate(value, sentence, score, ("signature block",)))
    return ranked(out)
