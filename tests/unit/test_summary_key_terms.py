"""The summary's rule-built parts, without a model: the boilerplate judge, the sentence
filter and salience, and the key terms of a real CUAD contract (order, quotes, absence,
speed), with the field set looked up by name."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.ingest.reader import read_bytes
from app.ingest.types import IngestLimits
from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.fieldsets import list_fieldsets, user_dir
from app.tasks.quotes import find_quote
from app.tasks.summarise.boilerplate import judge, judge_point
from app.tasks.summarise.facts import facts_header
from app.tasks.summarise.key_terms import (
    ORDER,
    absent_line,
    group_of,
    key_terms,
    summary_fieldset,
)
from app.tasks.summarise.narrative import is_copy, read_document, salience, tidy
from tests.shared_data import CUAD

BOILERPLATE = {
    "definition": '"Confidential Information" means all information disclosed by either party.',
    "signature": "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date above.",
    "counterparts": "This Agreement may be executed in two or more counterparts, each an original.",
    "notices": "All notices under this Agreement shall be in writing and sent by certified mail.",
    "severability": "If any provision is held invalid, the remaining provisions shall remain in "
    "full force and effect.",
    "entire agreement": "This Agreement constitutes the entire agreement between the parties and "
    "supersedes all prior understandings.",
    "waiver": "No waiver of any breach shall be deemed a waiver of any other breach.",
    "headings": "The headings in this Agreement are for convenience only and shall not affect "
    "its interpretation.",
    "heading": "ARTICLE 7 - PAYMENT TERMS",
}
TERMS = (
    "The Distributor shall pay the Company a royalty of 5% of Net Sales within thirty (30) "
    "days after the end of each calendar quarter.",
    "Except as provided in Section 4, the Supplier shall deliver the Products within ten "
    "days of each purchase order.",
    "Licensee may not sublicense the Software without the prior written consent of Licensor.",
)


@pytest.mark.parametrize(("kind", "text"), sorted(BOILERPLATE.items()))
def test_the_judge_names_each_kind_of_boilerplate(kind: str, text: str) -> None:
    assert judge(text) == kind


@pytest.mark.parametrize("text", TERMS)
def test_the_judge_keeps_obligations_payments_and_carve_outs(text: str) -> None:
    assert judge(text) is None
    assert judge_point("The licensee pays a royalty.", [text]) is None


def test_a_point_resting_on_boilerplate_is_boilerplate_and_model_text_is_no_heading() -> None:
    assert judge_point("Notices go by mail", [BOILERPLATE["notices"]]) == "notices"
    assert judge_point("The distributor pays quarterly", []) is None  # short, no full stop
    assert salience(TERMS[0]) > salience(TERMS[2]) >= 2.0
    assert salience("The parties met.") < 2.0


def _doc(doc_id: str) -> DocumentText:
    path = CUAD / "pdf" / f"{doc_id}.pdf"
    document = read_bytes(path.read_bytes(), path.name, IngestLimits())
    return DocumentText([Page(p.number, p.text) for p in document.pages], doc_id)


def test_key_terms_of_a_real_contract_in_order_with_verbatim_quotes_under_two_seconds() -> None:
    doc = _doc("cuad-dev-000")  # 17 pages: an outsourcing agreement
    fieldset = summary_fieldset("commercial-contract")
    start = time.perf_counter()
    extractors = Extractors(doc)
    header = facts_header(doc, extractors)
    terms, absent = key_terms(extractors, fieldset)
    assert time.perf_counter() - start < 2.0
    names = [p.term for p in terms]
    assert "anti_assignment" in names and "cap_on_liability" in names
    rank = [g for g, _ in ORDER]
    groups = [rank.index(group_of(fieldset.field(n or ""))) for n in names]
    assert groups == sorted(groups)  # the lawyer's order
    for point in terms:
        assert point.kind == "term" and point.quote and point.cited
        assert find_quote(point.quote, doc.page_text(point.pages[0])), point
        cited = point.cited[0]
        span = " ".join(doc.page_text(cited.page)[cited.start : cited.end].split())
        assert len(span) >= len(point.quote) - 2 and span in point.quote  # less edge punctuation
        assert ":" in point.text and "\n" not in point.text
    # Only clause fields (their cues read every sentence) are said to be absent; nothing
    # the header states is repeated as a key term.
    clause_titles = {
        f.title.removesuffix(" clause") for f in fieldset.fields if f.extractor == "clause"
    }
    assert absent and {a.lower() for a in absent} <= {t.lower() for t in clause_titles}
    assert set(absent).isdisjoint(p.text.split(":")[0] for p in terms)
    assert absent_line(absent).startswith("No ") and absent_line([]) == ""
    assert not {"parties", "governing_law", "agreement_date"} & set(names)
    # The sentence filter reads every page and shows none of what is quoted above.
    reading = read_document(doc, [*header, *terms], 12, 3000)
    assert reading.pages_read == sorted(p.number for p in doc.pages)
    assert 0 < len(reading.shown) <= 12 and sum(len(s.flat) for s in reading.shown) <= 3000
    quoted = {p.quote for p in [*header, *terms]}
    assert all(s.flat not in quoted and judge(s.text) is None for s in reading.shown)


def test_the_summary_reads_a_due_diligence_set_by_name_when_one_exists() -> None:
    built_in = "due-diligence" if "due-diligence" in list_fieldsets() else "commercial-contract"
    assert summary_fieldset().name == built_in
    folder = user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(summary_fieldset("commercial-contract").path)
    data = json.loads(source.read_text(encoding="utf-8"))
    data["properties"] = {"change_of_control": data["properties"]["change_of_control"]}
    (folder / "due-diligence.json").write_text(json.dumps(data), encoding="utf-8")
    chosen = summary_fieldset()
    assert chosen.name == "due-diligence" and [f.name for f in chosen.fields] == [
        "change_of_control"
    ]


def test_a_copied_sentence_is_a_copy_and_a_cut_text_ends_on_a_whole_word() -> None:
    sentence = TERMS[0]
    assert is_copy(sentence[:150], [sentence])
    assert not is_copy(
        "The distributor pays a 5% royalty each quarter, 30 days after it ends.", [sentence]
    )
    assert tidy("The Distributor shall pay the Com", 33) == "The Distributor shall pay the\u2026"
    assert tidy("  Short   point. ", 160) == "Short point."
