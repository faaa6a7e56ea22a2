"""The summary's facts header: parties from the preamble or the signature blocks, dates of
signing, every quote cut from its page; checked on contract language and on real CUAD PDFs."""

from __future__ import annotations

import csv

import pytest

from app.ingest.reader import read_bytes
from app.ingest.types import IngestLimits
from app.tasks.candidates import DocumentText, Page
from app.tasks.candidates.signatures import signatories, signing_dates
from app.tasks.quotes import find_quote
from app.tasks.summarise.facts import facts_header
from tests.eval.facts import fact_named, stated_facts
from tests.shared_data import CUAD

US_BLOCKS = """IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first above written.
ACME HOLDINGS, INC.
By: /s/ Jane Roe
Name: Jane Roe
Title: Chief Executive Officer
Date: August 7, 2018
TRANSMONTAIGNE MANAGEMENT
COMPANY, LLC
By: /s/ John Doe
Chief Financial Officer
VENDINGDATA CORPORATION,
a Nevada corporation
By: /s/ Steven Blad
Date: August 8, 2018
"""

ENGLISH_BLOCKS = """39 TESTIMONIUM
IN WITNESS WHEREOF the Parties have severally subscribed these presents.
 For and on behalf of
 ABS Telecom plc
 ---------------------------
SIGNED for and on behalf of Blackwell Science Limited
The Supplier acts on behalf of the Customer in all dealings with carriers.
"""


def _doc(*pages: str) -> DocumentText:
    return DocumentText([Page(i, text) for i, text in enumerate(pages, 1)])


def test_signature_blocks_give_each_party_name_and_not_the_signers_details() -> None:
    names = [s.name for s in signatories(_doc(US_BLOCKS))]
    assert names == [
        "ACME HOLDINGS, INC.",
        "TRANSMONTAIGNE MANAGEMENT COMPANY, LLC",
        "VENDINGDATA CORPORATION, a Nevada corporation",
    ]


def test_for_and_on_behalf_of_names_the_party_but_prose_does_not() -> None:
    names = [s.name for s in signatories(_doc(ENGLISH_BLOCKS))]
    assert names == ["ABS Telecom plc", "Blackwell Science Limited"]


def test_each_signatory_and_signing_date_is_a_span_of_its_page() -> None:
    doc = _doc("First page without signatures.", US_BLOCKS)
    for span in [s.span for s in signatories(doc)] + [d.span for d in signing_dates(doc)]:
        assert span.page == 2
        assert doc.page_text(2)[span.start : span.end] == span.text
    assert [d.date.day for d in signing_dates(doc)] == [7, 8]


def test_dates_on_a_page_without_signatures_are_not_signing_dates() -> None:
    assert signing_dates(_doc("Date: March 1, 2020\nThe invoice is payable in 30 days.")) == []


def test_a_preamble_without_between_is_quoted_when_it_defines_the_parties() -> None:
    doc = _doc(
        "CONSULTING AGREEMENT\nAduro Biotech, Inc., with a place of business at 740 Heinz "
        "Avenue (\u201cAduro\u201d) and IREYA B.V having an address at Leiden "
        "(\u201cConsultant\u201d) agree to all terms and conditions of this Agreement."
    )
    header = "\n".join(p.text for p in facts_header(doc))
    assert "Aduro Biotech" in header and "IREYA B.V" in header


def test_header_adds_signatories_and_signing_dates_the_preamble_lacks() -> None:
    preamble = (
        "This Agreement, made this 2nd day of September 1998, between and among the Parties "
        'signatory hereto (hereinafter collectively called "Parties").'
    )
    points = facts_header(_doc(preamble, US_BLOCKS))
    texts = [p.text for p in points]
    signed_for = next(t for t in texts if t.startswith("Signed for:"))
    assert "ACME HOLDINGS, INC." in signed_for and "VENDINGDATA CORPORATION" in signed_for
    signed_on = next(t for t in texts if t.startswith("Signed on:"))
    assert "August 7, 2018" in signed_on and "August 8, 2018" in signed_on


def _pdf(doc_id: str) -> DocumentText:
    path = CUAD / "pdf" / f"{doc_id}.pdf"
    document = read_bytes(path.read_bytes(), path.name, IngestLimits())
    return DocumentText([Page(p.number, p.text) for p in document.pages])


@pytest.mark.parametrize("doc_id", ["cuad-dev-024", "cuad-dev-027", "cuad-dev-011"])
def test_real_contracts_header_states_their_labelled_facts_with_verbatim_quotes(
    doc_id: str,
) -> None:
    """A joint filing signed by four entities, a cable agreement among ~50 signatories, and
    a contract dated only beside its signatures: the header names what CUAD's experts
    labelled, and every quote is found on the page it cites."""
    with (CUAD / "labels.csv").open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["id"] == doc_id)
    doc = _pdf(doc_id)
    points = facts_header(doc)
    for point in points:
        assert point.quote is not None
        assert find_quote(point.quote, doc.page_text(point.pages[0])) is not None, point.text
    header = "\n".join(p.text for p in points)
    facts = stated_facts(row, "\n".join(p.text for p in doc.pages))
    named = [f for f in facts if fact_named(f, header)]
    assert facts and len(named) >= 0.9 * len(facts), [f for f in facts if f not in named]


def test_a_blank_form_role_or_an_address_is_not_a_party() -> None:
    blank = "Dealer:\nBy: ____________\nEdina, MN 55435-5228\nBy: /s/ A. Person\nTHE VENDOR\nBy:\n"
    assert signatories(_doc(blank)) == []
