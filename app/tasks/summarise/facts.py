"""The facts header of a summary: parties, dates, term and governing law, with quotes.

A lawyer reads a contract summary for who, when, how long and which law before anything
else, and a small model summarising page windows tends to describe the subject matter
and drop exactly those facts. So the header is built by the same typed extractors as
Extract (app/tasks/candidates), decided by rule alone (no model call), each fact with
its page and the verbatim sentence that states it; the model's points follow.

Where the preamble does not list the parties ("the Parties signatory hereto", a joint
filing by "the undersigned") or dates the agreement only by its signatures, the header
also reads the signature blocks (app/tasks/candidates/signatures.py): who signed, and
when, each quoted from the signature page.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.tasks.candidates import Candidate, DocumentText, Extractors, distinct_values
from app.tasks.candidates.dates import format_date
from app.tasks.candidates.parties import defines_parties
from app.tasks.candidates.registry import header_fields
from app.tasks.candidates.signatures import Signatory, SigningDate, signatories, signing_dates
from app.tasks.legal_values import find_dates, words
from app.tasks.quote import Quote
from app.tasks.summarise.parts import Point

#: (generator, label) in the order a reader wants them: the registry's header records.
HEADER = header_fields()
#: A generator's best candidate must lead the next distinct answer by this much to be
#: stated as a fact without asking anyone (the same rule scale as Extract's margins).
MIN_LEAD = 0.0
PREAMBLE_CHARS = 8000
MAX_PREAMBLE_CHARS = 600
_NAMES_PARTIES = re.compile(
    r"\b(by\s+and\s+between|between|among|by\s+and\s+among|party\s+a\s*:)", re.IGNORECASE
)
#: A preamble cut short by its own numbering ("... BETWEEN 1.") reads on to the next
#: sentences of its page until it has this many characters.
MIN_PREAMBLE_CHARS = 200


def _best(candidates: list[Candidate]) -> Candidate | None:
    options = distinct_values(candidates)
    if not options:
        return None
    if len(options) > 1 and options[0].score - options[1].score < MIN_LEAD:
        return None
    return options[0]


def _preamble(doc: DocumentText) -> Point | None:
    """The sentence that names the parties, quoted whole, when it could not be split.

    It is the first sentence that joins parties ("between ... and ...") or defines two
    or more short names for them ("Acme Inc. ("Acme") and Beta B.V. ("Consultant")
    agree"); a letter agreement or a deed poll has no "between".
    """
    for sentence in doc.head(PREAMBLE_CHARS):
        after = doc.following(sentence)
        verb_text = after[0].text if after and after[0].page == sentence.page else ""
        if _NAMES_PARTIES.search(sentence.text) or defines_parties(sentence.text, verb_text):
            end = sentence.end
            for following in doc.following(sentence, 3):
                if end - sentence.start >= MIN_PREAMBLE_CHARS or following.page != sentence.page:
                    break
                end = following.end
            quote = doc.cut(sentence.page, sentence.start, end)
            text = quote.flat
            if len(text) > MAX_PREAMBLE_CHARS:
                text = text[: MAX_PREAMBLE_CHARS - 1] + "\u2026"
            return Point(
                f"Parties (as the agreement names them): {text}", [sentence.page], cited=[quote]
            )
    return None


def _signed_for(named: str, found: list[Signatory], doc: DocumentText) -> list[Point]:
    """The signature blocks' party names the parties point did not already give, per page.

    Where the preamble never lists the parties ("the Parties signatory hereto", a joint
    filing "on behalf of each of the undersigned"), the signature blocks are where a
    reader learns who is bound; names already stated are not repeated.
    """
    known = set(words(named))
    by_page: dict[int, list[Signatory]] = {}
    for signatory in found:
        own = words(signatory.name)
        if own and sum(w in known for w in own) < len(own):
            by_page.setdefault(signatory.span.page, []).append(signatory)
    points = []
    for page, names in by_page.items():
        text = "; ".join(s.name for s in names)
        quote = doc.cut(page, names[0].span.start, names[-1].span.end)
        points.append(Point(f"Signed for: {text.rstrip('.')}.", [page], cited=[quote]))
    return points


def _parties(doc: DocumentText, best: Candidate | None) -> list[Point]:
    """The parties as split from the preamble (else the preamble quoted), then signatories."""
    points = []
    if best is not None and len(best.normalised or []) >= 2:
        points.append(Point(f"Parties: {best.value}.", [best.page], cited=[_cited(doc, best)]))
    else:
        preamble = _preamble(doc)
        if preamble is not None:
            points.append(preamble)
        elif best is not None:
            points.append(Point(f"Parties: {best.value}.", [best.page], cited=[_cited(doc, best)]))
    named = " ".join(p.text for p in points)
    return points + _signed_for(named, signatories(doc), doc)


def _signed_on(stated: str, doc: DocumentText) -> list[Point]:
    """Dates beside the signatures that the header has not stated yet, per page."""
    known = find_dates(stated)
    by_page: dict[int, list[SigningDate]] = {}
    for signed in signing_dates(doc):
        if signed.date not in known:
            known.append(signed.date)
            by_page.setdefault(signed.span.page, []).append(signed)
    points = []
    for page, dates in by_page.items():
        text = "; ".join(format_date(d.date) for d in dates)
        quote = doc.cut(page, dates[0].span.start, dates[-1].span.end)
        points.append(Point(f"Signed on: {text}.", [page], cited=[quote]))
    return points


def facts_header(doc: DocumentText, extractors: Extractors | None = None) -> list[Point]:
    """One point per fact the document clearly states, each quoting its sentence.

    ``extractors`` (of ``doc``) lets the key terms share the generators' work.
    """
    extractors = extractors or Extractors(doc)
    points: list[Point] = []
    for name, label in HEADER:
        best = _best(extractors.candidates(name))
        if name == "parties":
            points += _parties(doc, best)
            continue
        if name == "expiration_date":  # the dates of making come together, then the end
            points += _signed_on(" ".join(p.text for p in points), doc)
        if best is None:
            continue
        value = best.value
        if best.derivation:
            value = f"{value} ({best.derivation})"
        points.append(Point(f"{label}: {value}.", [best.page], cited=[_cited(doc, best)]))
    return [replace(p, kind="fact") for p in points]


def _cited(doc: DocumentText, candidate: Candidate) -> Quote:
    return doc.quote(candidate.sentence)
