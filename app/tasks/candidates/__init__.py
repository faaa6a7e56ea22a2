"""Typed candidates: deterministic generators of possible answers, one per kind of value.

Extract, Summarise (its facts header) and Draft all ask the same questions of a contract
(who are the parties, when was it made, which law governs), so the answers come from
one place. A field names its generator with ``x-extractor`` in its field set; each
generator reads the full text of every page (not only search hits) and returns ranked
``Candidate`` objects whose quote is a sentence cut from the page.
"""

from __future__ import annotations

from functools import cached_property

from app.cancel import CancelToken
from app.tasks.candidates.clauses import Cues, clause_candidates
from app.tasks.candidates.dates import agreement_dates, effective_dates, expiration_dates
from app.tasks.candidates.document import DocumentText, Page, Sentence
from app.tasks.candidates.parties import party_candidates
from app.tasks.candidates.places import governing_law_candidates
from app.tasks.candidates.renewal import renewal_notices, renewal_terms
from app.tasks.candidates.titles import title_candidates
from app.tasks.candidates.types import Candidate

EXTRACTORS = (
    "document_name",
    "parties",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "renewal_term",
    "renewal_notice",
    "governing_law",
    "clause",
)


class Extractors:
    """The generators for one document; each runs once and is shared by every field."""

    def __init__(self, doc: DocumentText) -> None:
        self.doc = doc

    @cached_property
    def document_name(self) -> list[Candidate]:
        return title_candidates(self.doc)

    @cached_property
    def parties(self) -> list[Candidate]:
        return party_candidates(self.doc)

    @cached_property
    def agreement_date(self) -> list[Candidate]:
        return agreement_dates(self.doc)

    @cached_property
    def effective_date(self) -> list[Candidate]:
        first = self.agreement_date[0] if self.agreement_date else None
        return effective_dates(self.doc, first)

    @cached_property
    def expiration_date(self) -> list[Candidate]:
        effective = self.effective_date[0] if self.effective_date else None
        agreement = self.agreement_date[0] if self.agreement_date else None
        return expiration_dates(self.doc, effective, agreement)

    @cached_property
    def renewal_term(self) -> list[Candidate]:
        return renewal_terms(self.doc)

    @cached_property
    def renewal_notice(self) -> list[Candidate]:
        return renewal_notices(self.doc)

    @cached_property
    def governing_law(self) -> list[Candidate]:
        return governing_law_candidates(self.doc)

    def clause(
        self, cues: Cues, yes: str = "Yes", cancel: CancelToken | None = None
    ) -> list[Candidate]:
        return clause_candidates(self.doc, cues, yes, cancel)

    def candidates(self, extractor: str, cues: Cues | None = None) -> list[Candidate]:
        """The ranked candidates of generator ``extractor`` (one of EXTRACTORS)."""
        if extractor == "clause":
            return self.clause(cues or Cues((), ()))
        if extractor not in EXTRACTORS:
            raise KeyError(extractor)
        found: list[Candidate] = getattr(self, extractor)
        return found


__all__ = [
    "EXTRACTORS",
    "Candidate",
    "Cues",
    "DocumentText",
    "Extractors",
    "Page",
    "Sentence",
]
