"""Draft facts by typed parsing, not by asking the model to copy.

A template fact may name a typed source with ``x-extractor``:

- From the chosen documents, through the same generators as Extract
  (app/tasks/candidates): ``document_name``, ``agreement_date``, ``effective_date``,
  ``governing_law``, ..., and two that use the lawyer's instructions to tell the parties
  apart: ``client`` (the party the instructions say we act for) and ``counterparty``
  (the party to the agreement that is not our client: the recipient of a demand).
- From the instructions, by patterns for what a lawyer writes: ``amount`` ("$25,000",
  "USD 48,500.00"), ``deadline`` ("Give them 14 days", "within 30 days"),
  ``signatory`` ("Sign as Jane Doe, Doe & Partners LLP").

Each value comes with the sentence that states it (a sentence of a page, or of the
instructions), so the quote is verbatim by construction; a fact no source states is a
placeholder, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.tasks.candidates import Candidate, DocumentText, Extractors, Sentence
from app.tasks.candidates.document import sentence_spans
from app.tasks.extract.typed import distinct_values
from app.tasks.legal_values import duration_spans, words
from app.tasks.quotes import find_quote

DOCUMENT_EXTRACTORS = ("client", "counterparty")
INSTRUCTION_EXTRACTORS = ("amount", "deadline", "signatory")
TYPED = DOCUMENT_EXTRACTORS + INSTRUCTION_EXTRACTORS

_AMOUNT = re.compile(
    r"(?:(?:US|USD|EUR|GBP|CAD|AUD)\s?[$\u20ac\u00a3]?\s?|[$\u20ac\u00a3]\s?)\d[\d,]*(?:\.\d{1,2})?"
    r"(?:\s?(?:million|thousand|k|m)\b)?"
    r"|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:USD|EUR|GBP|dollars|euros|pounds)\b",
    re.IGNORECASE,
)
_DEADLINE_CUE = re.compile(
    r"\b(give|giving|within|deadline|allow|grant|by|in|pay\s+within|respond)\b", re.IGNORECASE
)
_SIGNATORY = re.compile(
    r"\b(?i:sign(?:ed)?\s+(?:it\s+|this\s+|the\s+letter\s+)?(?:as|by)|signature\s*:|from)\s+"
    r"(?P<name>[A-Z][^.;\n]{1,100})",
)
_CLIENT = re.compile(
    r"\b(?i:our\s+client(?:\s+is)?|we\s+act\s+for|acting\s+for|on\s+behalf\s+of(?:\s+our\s+client)?|"
    r"we\s+represent|client\s*:)\s*,?\s+(?P<name>[A-Z][\w.&'-]*(?:\s+(?:[A-Z][\w.&'-]*|of|and|&))*)"
)
_COMPANY_FORMS = {"inc", "llc", "ltd", "corp", "co", "corporation", "company", "limited", "plc",
                  "lp", "llp", "the", "and", "com"}  # fmt: skip


@dataclass(frozen=True)
class TypedValue:
    """A fact's value with the sentence it came from (instructions when document is None)."""

    value: str
    quote: str
    document_id: str | None
    page: int | None
    char_start: int
    char_end: int


def instruction_sentences(instructions: str) -> list[Sentence]:
    spans = sentence_spans(instructions)
    return [Sentence(0, s, e, instructions[s:e], i) for i, (s, e) in enumerate(spans)]


def _from_instructions(sentence: Sentence, value: str) -> TypedValue:
    return TypedValue(value, sentence.flat, None, None, sentence.start, sentence.end)


def amount(instructions: str) -> TypedValue | None:
    for sentence in instruction_sentences(instructions):
        match = _AMOUNT.search(sentence.text)
        if match:
            return _from_instructions(sentence, " ".join(match.group(0).split()))
    return None


def deadline(instructions: str) -> TypedValue | None:
    for sentence in instruction_sentences(instructions):
        for start, end, (_, unit) in duration_spans(sentence.text):
            if unit == "day" or _DEADLINE_CUE.search(sentence.text[max(0, start - 30) : start]):
                return _from_instructions(sentence, " ".join(sentence.text[start:end].split()))
    return None


def signatory(instructions: str) -> TypedValue | None:
    for sentence in instruction_sentences(instructions):
        match = _SIGNATORY.search(sentence.text)
        if match:
            name = " ".join(match.group("name").split()).strip(" ,.")
            return _from_instructions(sentence, name)
    return None


def client_name(instructions: str) -> tuple[str, Sentence] | None:
    """The name the instructions give for our client ("Our client Tickets.com is owed ...")."""
    for sentence in instruction_sentences(instructions):
        match = _CLIENT.search(sentence.text)
        if match:
            name = re.split(r"\s+(?:is|are|was|has|have|who|which)\b", match.group("name"))[0]
            return name.strip(" ,."), sentence
    return None


def _distinctive(name: str) -> set[str]:
    return {w for w in words(name) if w not in _COMPANY_FORMS and len(w) > 1}


def _parties(docs: Sequence[tuple[str, DocumentText]]) -> list[tuple[str, Candidate, str]]:
    """(document id, preamble candidate, legal name) for each party of each document."""
    out = []
    for document_id, doc in docs:
        found = Extractors(doc).parties
        if not found:
            continue
        best = found[0]
        for name, _short in best.normalised or []:
            out.append((document_id, best, name))
    return out


def _document_value(document_id: str, doc: DocumentText, candidate: Candidate,
                    value: str) -> TypedValue | None:  # fmt: skip
    sentence = candidate.sentence
    span = find_quote(sentence.flat, doc.page_text(sentence.page))
    if span is None:
        return None
    return TypedValue(value, sentence.flat, document_id, sentence.page, span[0], span[1])


def party_fact(kind: str, instructions: str,
               docs: Sequence[tuple[str, DocumentText]]) -> TypedValue | None:  # fmt: skip
    """Our client (``client``) or the other party (``counterparty``), by the instructions."""
    said = client_name(instructions)
    parties = _parties(docs)
    if said is None:
        return None
    ours = _distinctive(said[0])
    if parties:
        # Our client is the party sharing most words with the name in the instructions
        # (sister companies share some); the recipient is another party of that
        # document, the one sharing fewest.
        overlap = [len(ours & _distinctive(name)) for _, _, name in parties]
        client = max(range(len(parties)), key=lambda i: overlap[i])
        if overlap[client] > 0:
            if kind == "client":
                document_id, candidate, name = parties[client]
                return _document_value(document_id, dict(docs)[document_id], candidate, name)
            others = [i for i, p in enumerate(parties)
                      if i != client and p[0] == parties[client][0]]  # fmt: skip
            if others:
                document_id, candidate, name = parties[min(others, key=lambda i: overlap[i])]
                return _document_value(document_id, dict(docs)[document_id], candidate, name)
    if kind == "client":  # named in the instructions, not found among the parties
        return _from_instructions(said[1], said[0])
    return None


def document_fact(extractor: str, docs: Sequence[tuple[str, DocumentText]]) -> TypedValue | None:
    """The first chosen document's clear answer from generator ``extractor``."""
    for document_id, doc in docs:
        options = distinct_values(Extractors(doc).candidates(extractor))
        if options:
            best = options[0]
            return _document_value(document_id, doc, best, best.value)
    return None


def typed_value(extractor: str, instructions: str,
                docs: Sequence[tuple[str, DocumentText]]) -> TypedValue | None:  # fmt: skip
    if extractor == "amount":
        return amount(instructions)
    if extractor == "deadline":
        return deadline(instructions)
    if extractor == "signatory":
        return signatory(instructions)
    if extractor in DOCUMENT_EXTRACTORS:
        return party_fact(extractor, instructions, docs)
    return document_fact(extractor, docs)
