"""Draft facts by typed parsing, not by asking the model to copy.

A template fact may name a typed generator with ``x-extractor``; the registry
(app/tasks/candidates/registry.py) says what each reads:

- From the chosen documents, through the same generators as Extract:
  ``document_name``, ``agreement_date``, ``effective_date``, ``governing_law``, ...
- From the lawyer's instructions (app/tasks/candidates/instructions.py): ``amount``,
  ``deadline``, ``signatory``, and ``client`` / ``counterparty``, which use the
  instructions to tell the parties of the documents apart.

Each value comes with the sentence that states it (a sentence of a page, or of the
instructions), so the quote is verbatim by construction; a fact no source states is a
placeholder, never a guess.
"""

from __future__ import annotations

from app.tasks.candidates.instructions import (
    Documents,
    TypedValue,
    amount,
    client_name,
    deadline,
    document_value,
    instruction_sentences,
    party_fact,
    signatory,
)
from app.tasks.candidates.registry import Extractors, generator
from app.tasks.candidates.types import distinct_values

__all__ = [
    "TypedValue",
    "amount",
    "client_name",
    "deadline",
    "document_fact",
    "instruction_sentences",
    "party_fact",
    "signatory",
    "typed_value",
]


def document_fact(extractor: str, docs: Documents) -> TypedValue | None:
    """The first chosen document's clear answer from generator ``extractor``."""
    for document_id, doc in docs:
        options = distinct_values(Extractors(doc).candidates(extractor))
        if options:
            return document_value(document_id, doc, options[0])
    return None


def typed_value(extractor: str, instructions: str, docs: Documents) -> TypedValue | None:
    """The fact generator ``extractor`` finds, in the instructions or the documents."""
    record = generator(extractor)
    if record.instructions is not None:
        return record.instructions(instructions, docs)
    return document_fact(extractor, docs)
