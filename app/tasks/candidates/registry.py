"""Every typed generator, one record each: what it reads, needs and gives, and its function.

Extract's field sets, Draft's template facts and the Summarise facts header all ask
typed questions of a contract (who are the parties, when was it made, which law
governs); they name a generator (``x-extractor``) and look it up here, so adding one is
one record in ``GENERATORS`` and its function in its own module.

A record says:

- ``reads``: ``"document"`` (the pages of one contract, every sentence) or
  ``"instructions"`` (the lawyer's instructions, with the chosen documents beside them:
  Draft's templates only);
- ``needs``: generators whose best candidate it takes as input (the effective date
  can be "the date of this Agreement", so it needs the agreement date);
- ``kind``: the kind of value it gives (``VALUE_KINDS``); ``"per field"`` when the field
  says (``pattern``);
- ``config``: the field-set key that configures it per field (``x-cues`` for a yes/no
  clause, ``x-pattern`` for a pattern field), None when it needs none;
- ``header``: its label in the summary's facts header (None: not stated there).

The score scale (one for every document generator): a candidate's ``score`` only ranks
candidates of the same field. Each generator adds, per cue found about the candidate's
sentence, the weight in its module's cue table (``AGREEMENT_CUES`` in dates.py, say):
about 1 for a weak cue (a date early in the document), 2 for a cue a drafter uses for
exactly this (``as of``), 3 to 6 for a definition ("(the "Effective Date")"), minus
penalties for what points elsewhere (a renewal, a surviving obligation). What decides is
the lead of the best distinct value over the next: at or above the field's fitted margin
(resources/extract/chooser.json) the rules answer alone. A yes/no clause answers Yes when
its best cue weighs at least the clause threshold (1.0 unless fitted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cancel import CancelToken
from app.tasks.candidates.clauses import Cues, clause_candidates
from app.tasks.candidates.dates import agreement_dates, effective_dates, expiration_dates
from app.tasks.candidates.document import DocumentText
from app.tasks.candidates.instructions import (
    Documents,
    TypedValue,
    amount,
    deadline,
    party_fact,
    signatory,
)
from app.tasks.candidates.parties import party_candidates
from app.tasks.candidates.pattern_field import PatternSpec, check_pattern, pattern_candidates
from app.tasks.candidates.places import governing_law_candidates
from app.tasks.candidates.renewal import renewal_notices, renewal_terms
from app.tasks.candidates.signers import signer_candidates
from app.tasks.candidates.titles import title_candidates
from app.tasks.candidates.types import Candidate

#: The kinds of value a generator gives.
VALUE_KINDS = ("text", "parties", "date", "duration", "place", "money", "yes/no", "per field")


@dataclass(frozen=True)
class Given:
    """What a document generator is handed beside the document."""

    #: The best candidate of each generator it ``needs`` (None where that found nothing).
    needed: Mapping[str, Candidate | None] = field(default_factory=dict)
    #: The field's parsed configuration (Cues, PatternSpec), for configured generators.
    config: Any = None
    #: Stops a long cue search (a field set's own patterns run under a time budget).
    cancel: CancelToken | None = None


DocumentFn = Callable[[DocumentText, Given], list[Candidate]]
InstructionFn = Callable[[str, Documents], TypedValue | None]


@dataclass(frozen=True)
class Generator:
    name: str
    reads: str
    kind: str
    #: What it answers, for the error that lists the generators and for the guide.
    about: str
    needs: tuple[str, ...] = ()
    document: DocumentFn | None = None
    instructions: InstructionFn | None = None
    #: The field-set key that configures it per field, its parser and its checker.
    config: str | None = None
    parse: Callable[[Any, str], Any] | None = None
    check: Callable[[Any], str | None] | None = None
    header: str | None = None


def _effective(doc: DocumentText, given: Given) -> list[Candidate]:
    return effective_dates(doc, given.needed.get("agreement_date"))


def _expiration(doc: DocumentText, given: Given) -> list[Candidate]:
    needed = given.needed
    return expiration_dates(doc, needed.get("effective_date"), needed.get("agreement_date"))


def _clause(doc: DocumentText, given: Given) -> list[Candidate]:
    if given.config is None:
        return []
    return clause_candidates(doc, given.config, cancel=given.cancel)


def _pattern(doc: DocumentText, given: Given) -> list[Candidate]:
    if given.config is None:
        return []
    return pattern_candidates(doc, given.config, given.cancel)


def _of_doc(fn: Callable[[DocumentText], list[Candidate]]) -> DocumentFn:
    return lambda doc, _given: fn(doc)


def _party(kind: str) -> InstructionFn:
    return lambda instructions, docs: party_fact(kind, instructions, docs)


def _text_only(fn: Callable[[str], TypedValue | None]) -> InstructionFn:
    return lambda instructions, _docs: fn(instructions)


_RECORDS = (
    Generator(
        "document_name",
        "document",
        "text",
        "the contract's title",
        document=_of_doc(title_candidates),
    ),
    Generator(
        "parties",
        "document",
        "parties",
        "the parties, split from the preamble",
        document=_of_doc(party_candidates),
        header="Parties",
    ),
    Generator(
        "agreement_date",
        "document",
        "date",
        "the date the contract was made",
        document=_of_doc(agreement_dates),
        header="Agreement date",
    ),
    Generator(
        "effective_date",
        "document",
        "date",
        "the date it takes effect",
        needs=("agreement_date",),
        document=_effective,
        header="Effective date",
    ),
    Generator(
        "expiration_date",
        "document",
        "date",
        "when the initial term ends",
        needs=("effective_date", "agreement_date"),
        document=_expiration,
        header="Expires",
    ),
    Generator(
        "renewal_term",
        "document",
        "duration",
        "the length of a renewal term",
        document=_of_doc(renewal_terms),
        header="Renewal",
    ),
    Generator(
        "renewal_notice",
        "document",
        "duration",
        "the notice that stops a renewal",
        document=_of_doc(renewal_notices),
        header="Notice to stop renewal",
    ),
    Generator(
        "governing_law",
        "document",
        "place",
        "the law that governs the contract",
        document=_of_doc(governing_law_candidates),
        header="Governing law",
    ),
    Generator(
        "signers",
        "document",
        "text",
        "who signed: the signature blocks' names and titles",
        document=_of_doc(signer_candidates),
    ),
    Generator(
        "clause",
        "document",
        "yes/no",
        "whether a kind of clause is there (x-cues)",
        document=_clause,
        config="x-cues",
        parse=Cues.parse,
        check=Cues.check,
    ),
    Generator(
        "pattern",
        "document",
        "per field",
        "a value found by the field's x-pattern",
        document=_pattern,
        config="x-pattern",
        parse=PatternSpec.parse,
        check=check_pattern,
    ),
    Generator(
        "client",
        "instructions",
        "text",
        "our client, by the instructions' name",
        instructions=_party("client"),
    ),
    Generator(
        "counterparty",
        "instructions",
        "text",
        "the other party to the agreement",
        instructions=_party("counterparty"),
    ),
    Generator(
        "amount",
        "instructions",
        "money",
        "a sum in the instructions",
        instructions=_text_only(amount),
    ),
    Generator(
        "deadline",
        "instructions",
        "duration",
        "a deadline in the instructions",
        instructions=_text_only(deadline),
    ),
    Generator(
        "signatory",
        "instructions",
        "text",
        "who signs, by the instructions",
        instructions=_text_only(signatory),
    ),
)

#: Name -> record, in the order the summary header states them.
GENERATORS: dict[str, Generator] = {g.name: g for g in _RECORDS}


def generator(name: str) -> Generator:
    """The record of ``name``; KeyError naming the known ones if there is none."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a generator ({', '.join(GENERATORS)})") from None


def names(reads: str | None = None) -> tuple[str, ...]:
    """The generators' names, all of them or those reading ``reads``."""
    return tuple(n for n, g in GENERATORS.items() if reads is None or g.reads == reads)


def header_fields() -> tuple[tuple[str, str], ...]:
    """(generator, label) of the summary's facts header, in order."""
    return tuple((g.name, g.header) for g in GENERATORS.values() if g.header)


def parse_config(name: str, raw: Any, origin: str | None = None) -> Any:
    """A field's raw configuration (its ``x-cues`` / ``x-pattern``) parsed for ``name``.

    ``origin`` names where its patterns came from in a timeout's message ("field 'x'
    x-cues").
    """
    record = generator(name)
    if record.parse is None or raw is None:
        return None
    return record.parse(raw, origin or record.config or name)


class Extractors:
    """The document generators over one document; each runs once and is shared by every field."""

    def __init__(self, doc: DocumentText) -> None:
        self.doc = doc
        self._found: dict[tuple[str, Any], list[Candidate]] = {}

    def candidates(
        self, name: str, config: Any = None, cancel: CancelToken | None = None
    ) -> list[Candidate]:
        """The ranked candidates of document generator ``name``.

        ``config`` is the field's parsed configuration (a ``Cues`` for ``clause``, a
        ``PatternSpec`` for ``pattern``; the raw JSON object is parsed here too).
        """
        record = generator(name)
        if record.document is None:
            raise KeyError(f"{name!r} reads the instructions, not a document")
        if isinstance(config, dict):
            config = parse_config(name, config)
        key = (name, config)
        if key not in self._found:
            needed = {n: next(iter(self.candidates(n)), None) for n in record.needs}
            self._found[key] = record.document(self.doc, Given(needed, config, cancel))
        return self._found[key]
