"""Who signed: the signature blocks' people, titles and parties, quoted from the page.

"Who signed this agreement?" is answered from the signature page (it used to reach the
agreement date). The blocks are read in both shapes filed contracts have: one label per
line, and flattened side by side on one line.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.tasks.ask import ask
from app.tasks.candidates import DocumentText, Page
from app.tasks.candidates.signers import signer_candidates
from app.tasks.grounding import unsupported_facts
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import Ready

BODY = (
    "SUPPLY AGREEMENT\n\nThis Supply Agreement is made on 1 March 2019 between Acme Widgets "
    "Inc. and Beta Retail LLC.\n\n1. The Supplier shall deliver the goods."
)
LINES = (
    "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date above.\n\n"
    "ACME WIDGETS INC.\n"
    "By: /s/ Jane Q. Doe\n"
    "Name: Jane Q. Doe\n"
    "Title: Chief Executive Officer\n\n"
    "BETA RETAIL LLC\n"
    "By: /s/ Robert Roe\n"
    "Name: Robert Roe\n"
    "Title: President\n"
)
#: Two blocks side by side, as a filing flattens them (from a CUAD contract's shape).
FLAT = (
    "Glu Mobile, Inc. Fox Mobile Entertainment, Inc. By: /s/ Paul Zuzelo By: /s/ Jamie "
    "Samson Name: Paul Zuzelo Jamie Samson Its: Chief Administrative Officer Its: Senior "
    "Vice President Date: November 18, 2005 Date: 11/18/05"
)
BLANK = "By: ______________\nName: ______________\nTitle: ______________\n"


def test_line_blocks_give_people_titles_and_parties_quoted_verbatim() -> None:
    doc = DocumentText([Page(1, BODY), Page(2, LINES)])
    best = signer_candidates(doc)[0]
    assert best.value == (
        "Jane Q. Doe (Chief Executive Officer); Robert Roe (President), "
        "for ACME WIDGETS INC.; BETA RETAIL LLC"
    )
    assert best.page == 2 and LINES[best.sentence.start : best.sentence.end] == best.sentence.text
    assert best.sentence.text.startswith("IN WITNESS WHEREOF")
    assert not unsupported_facts(best.value, [best.quote])


def test_flattened_side_by_side_blocks_keep_each_person_once() -> None:
    best = signer_candidates(DocumentText([Page(1, FLAT)]))[0]
    assert best.value == (
        "Paul Zuzelo (Chief Administrative Officer); Jamie Samson (Senior Vice President)"
    )


def test_a_blank_form_is_not_a_signature() -> None:
    assert signer_candidates(DocumentText([Page(1, BODY), Page(2, BLANK)])) == []


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    with opened.write() as txn:
        info = txn.add_document(b"supply", title="Supply Agreement", mime_type="text/plain")
        txn.add_pages(info.id, [(1, BODY), (2, LINES)])
    yield opened
    opened.lock()


def test_who_signed_is_answered_from_the_signature_page(vault: Vault) -> None:
    engine = ScriptedEngine(lambda prompt, labels: [0.0] * len(labels))
    answer = ask("Who signed this agreement?", engine, vault)
    assert answer.path == "field:signers" and answer.kind == "confirmed", answer.text
    assert "Jane Q. Doe (Chief Executive Officer)" in answer.text
    assert "Robert Roe (President)" in answer.text
    cite = answer.citations[0]
    page = {p.page: p.text for p in vault.pages(cite.document_id)}[cite.page]
    assert cite.page == 2 and " ".join(page[cite.char_start : cite.char_end].split()) == cite.quote
    assert "/s/ Robert Roe" in cite.quote
    assert answer.stats.model_calls == 0  # the rules decided; the model was not asked
