"""Typed draft facts: parsed from the instructions and the documents, never generated."""

from __future__ import annotations

from app.tasks.candidates import DocumentText, Page
from app.tasks.draft.facts import amount, client_name, deadline, party_fact, signatory, typed_value
from app.tasks.quote import INSTRUCTIONS as INSTRUCTIONS_ID

INSTRUCTIONS = (
    "Our client Tickets.com is owed $25,000 in unpaid sponsorship fees. Give them 14 days. "
    "Sign as Jane Doe, Doe & Partners LLP."
)
PREAMBLE = (
    'SPONSORSHIP AGREEMENT\nThis Sponsorship Agreement ("Agreement") is made on February 17, '
    '1999 by and between Tickets.com, Inc., a Delaware corporation ("Tickets") and MP3.com, '
    'Inc., having an address at P.O. Box 910091, San Diego ("MP3.com").'
)
DOCS = [("doc-1", DocumentText([Page(1, PREAMBLE)]))]


def test_amount_deadline_and_signatory_come_from_the_instructions_with_their_sentence() -> None:
    owed = amount(INSTRUCTIONS)
    assert (
        owed is not None and owed.value == "$25,000" and owed.cited.document_id == INSTRUCTIONS_ID
    )
    assert owed.quote in INSTRUCTIONS and owed.value in owed.quote
    assert INSTRUCTIONS[owed.cited.start : owed.cited.end] == owed.cited.text  # verbatim
    days = deadline(INSTRUCTIONS)
    assert days is not None and days.value == "14 days" and days.quote == "Give them 14 days."
    signer = signatory(INSTRUCTIONS)
    assert signer is not None and signer.value == "Jane Doe, Doe & Partners LLP"
    assert amount("Please chase them.") is None and signatory("No name here.") is None


def test_the_recipient_is_the_party_that_is_not_our_client() -> None:
    said = client_name(INSTRUCTIONS)
    assert said is not None and said[0] == "Tickets.com"
    ours = party_fact("client", INSTRUCTIONS, DOCS)
    theirs = party_fact("counterparty", INSTRUCTIONS, DOCS)
    assert ours is not None and ours.value == "Tickets.com, Inc." and ours.cited.page == 1
    assert theirs is not None and theirs.value == "MP3.com, Inc."
    assert PREAMBLE[theirs.cited.start : theirs.cited.end].startswith("SPONSORSHIP")
    assert PREAMBLE[theirs.cited.start : theirs.cited.end] == theirs.cited.text
    # Without knowing who our client is, the recipient cannot be told apart: no guess.
    assert party_fact("counterparty", "Write a demand letter.", DOCS) is None


def test_document_facts_come_from_the_typed_extractors() -> None:
    date = typed_value("agreement_date", INSTRUCTIONS, DOCS)
    assert (
        date is not None and date.value == "February 17, 1999" and date.cited.document_id == "doc-1"
    )
    name = typed_value("document_name", INSTRUCTIONS, DOCS)
    assert name is not None and name.value == "SPONSORSHIP AGREEMENT"
    assert typed_value("governing_law", INSTRUCTIONS, DOCS) is None
