"""Generators that read the lawyer's instructions (Draft's typed facts), not a contract.

What a lawyer writes when asking for a letter has its own patterns: an amount
("$25,000", "USD 48,500.00"), a deadline ("Give them 14 days", "within 30 days"), who
signs ("Sign as Jane Doe, Doe & Partners LLP") and whom we act for ("Our client
Tickets.com"). ``client`` and ``counterparty`` read both: the instructions say who our
client is, and the parties of the chosen documents tell it from the other side.

Each value comes with the sentence that states it (of the instructions, or of a page),
so its quote is verbatim by construction. The registry (app/tasks/candidates/registry.py)
lists these beside the document generators, marked as reading the instructions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.tasks.candidates.document import DocumentText, Sentence, sentence_spans
from app.tasks.candidates.parties import party_candidates
from app.tasks.candidates.types import Candidate
from app.tasks.legal_values import duration_spans, money_spans, words
from app.tasks.quote import INSTRUCTIONS, INSTRUCTIONS_PAGE, Quote

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
_COMPANY_FORMS = {
    "inc",
    "llc",
    "ltd",
    "corp",
    "co",
    "corporation",
    "company",
    "limited",
    "plc",
    "lp",
    "llp",
    "the",
    "and",
    "com",
}

#: The chosen documents, each with its id, as Draft passes them.
Documents = Sequence[tuple[str, DocumentText]]


@dataclass(frozen=True)
class TypedValue:
    """A fact's value with the sentence it came from (the instructions when the quote's
    document is INSTRUCTIONS)."""

    value: str
    cited: Quote

    @property
    def quote(self) -> str:
        return self.cited.flat


def instruction_sentences(instructions: str) -> list[Sentence]:
    spans = sentence_spans(instructions)
    return [
        Sentence(INSTRUCTIONS_PAGE, s, e, instructions[s:e], i) for i, (s, e) in enumerate(spans)
    ]


def _from_instructions(sentence: Sentence, value: str) -> TypedValue:
    return TypedValue(value, Quote.of(INSTRUCTIONS, sentence))


def amount(instructions: str) -> TypedValue | None:
    for sentence in instruction_sentences(instructions):
        found = money_spans(sentence.text)
        if found:
            start, end = found[0]
            return _from_instructions(sentence, " ".join(sentence.text[start:end].split()))
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


def _parties(docs: Documents) -> list[tuple[str, Candidate, str]]:
    """(document id, preamble candidate, legal name) for each party of each document."""
    out = []
    for document_id, doc in docs:
        found = party_candidates(doc)
        if not found:
            continue
        best = found[0]
        for name, _short in best.normalised or []:
            out.append((document_id, best, name))
    return out


def document_value(document_id: str, doc: DocumentText, candidate: Candidate) -> TypedValue | None:
    """``candidate``'s value with its sentence located on its page (None if it is not there)."""
    sentence = candidate.sentence
    page_text = doc.page_text(sentence.page)
    cited: Quote | None = Quote.of(document_id, sentence)
    if cited is None or not cited.on(page_text):
        cited = Quote.locate(document_id, sentence.page, page_text, sentence.flat)
    return TypedValue(candidate.value, cited) if cited is not None else None


def party_fact(kind: str, instructions: str, docs: Documents) -> TypedValue | None:
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
            chosen: int | None = client
            if kind != "client":
                others = [
                    i for i, p in enumerate(parties) if i != client and p[0] == parties[client][0]
                ]
                chosen = min(others, key=lambda i: overlap[i]) if others else None
            if chosen is not None:
                document_id, candidate, name = parties[chosen]
                return document_value(
                    document_id, dict(docs)[document_id], replace(candidate, value=name)
                )
    if kind == "client":  # named in the instructions, not found among the parties
        return _from_instructions(said[1], said[0])
    return None
