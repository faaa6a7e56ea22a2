"""Draft without a model: templates, the anti-invention check, layout, text and DOCX."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from app import paths
from app.tasks.draft.pipeline import Draft, Fact, Prose, SectionText, Source, grounded, plausible
from app.tasks.draft.render import CLOSE, OPEN, layout, to_text, write_docx
from app.tasks.draft.templates import TemplateError, list_templates, load_template
from app.tasks.quote import INSTRUCTIONS, Quote

BUILTIN = {"engagement-letter", "demand-letter", "nda", "memo"}


def test_builtin_templates_load_and_name_only_their_own_facts() -> None:
    assert set(list_templates()) >= BUILTIN
    for name in BUILTIN:
        template = load_template(name)
        assert template.facts and template.body
        for item in template.facts:
            assert item.description and item.search
        for block in template.body:
            assert block.section is None or block.section in template.sections


def _write(tmp: Path, name: str, data: object) -> Path:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


GOOD_FACT = {"type": "string", "maxLength": 40, "description": "The client."}


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        ({"facts": {}, "body": []}, 'no "body"'),
        ({"facts": {"client": GOOD_FACT}, "body": [{"text": "To {clinet}"}]}, "{clinet}"),
        ({"facts": {"client": {"type": "string"}}, "body": [{"text": "x"}]}, "description"),
        ({"body": [{"section": "facts"}]}, "section 'facts'"),
        ({"body": [{"style": "banner", "text": "x"}]}, '"style"'),
        (
            {"sections": {"s": {"instruction": "x", "sentences": 40}}, "body": [{"text": "x"}]},
            '"sentences"',
        ),
    ],
)
def test_a_faulty_template_is_refused_naming_the_file_and_the_fault(
    tmp_path: Path, data: object, fault: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(_write(tmp_path, "bad", data))
    assert "bad.json" in caught.value.message and fault in caught.value.message


def test_a_user_template_is_listed_and_replaces_a_builtin_of_that_name() -> None:
    folder = paths.data_dir() / "templates"
    folder.mkdir()
    _write(folder, "memo", {"title": "Firm memo", "facts": {"client": GOOD_FACT},
                            "body": [{"text": "For {client} on {today}"}]})  # fmt: skip
    assert load_template("memo").title == "Firm memo"
    with pytest.raises(TemplateError) as caught:
        load_template("no-such-template")
    assert "demand-letter" in caught.value.hint


def test_grounded_accepts_values_from_the_quote_and_rejects_invented_ones() -> None:
    quote = "payment of the outstanding sum of $48,500 within fourteen (14) days"
    assert grounded("$48,500", quote)
    assert grounded("14 days", quote)
    assert not grounded("$50,000", quote)
    assert not grounded("thirty days", quote)
    assert not grounded("", quote)


def _draft() -> Draft:
    template = load_template("demand-letter")
    page = Source("Supply Agreement", Quote("doc-1", 3, 10, 35, "the sum of $48,500 is due"))
    told = Source("Your instructions", Quote(INSTRUCTIONS, 0, 0, 17, "Give them 14 days"))
    result = Draft(template, "Give them 14 days", ["doc-1"], "23 November 2026")
    for item in template.facts:
        result.facts[item.name] = Fact(item.name, item.title, None, "missing")
    result.facts["amount_owed"] = Fact("amount_owed", "Amount owed", "$48,500", "supported", page)
    result.facts["deadline"] = Fact("deadline", "Deadline", "14 days", "supported", told)
    result.facts["recipient_name"] = Fact(
        "recipient_name", "Recipient", "Bolt Ltd", "unsupported",
        Source("Supply Agreement", None, ("doc-1", 1, "Bolt Limited")),
    )  # fmt: skip
    result.sections["background"] = SectionText(
        "background",
        "Background",
        [
            Prose("The sum of $48,500 fell due.", page),
            Prose("Bolt refused to pay.", Source("Supply Agreement", None, ("doc-1", 4, "x"))),
        ],
    )
    return result


def test_layout_cites_checked_facts_and_leaves_placeholders_for_the_rest() -> None:
    result = layout(_draft())
    text = to_text(result)
    # Sources are numbered in reading order: the background section comes first.
    assert "$48,500[1]" in text and "14 days[3]" in text
    # The same source cited twice keeps one number.
    assert "The sum of $48,500 fell due.[1]" in text
    # An unchecked value is never used as a fact: a short placeholder in the letter, and
    # the suggestion listed after the draft for checking.
    assert f"{OPEN}Recipient{CLOSE}" in text and 'check "Bolt Ltd"' not in text
    assert result.suggestions == ['Recipient: "Bolt Ltd" (not confirmed by a source: check)']
    assert text.index("Suggestions to check") > text.index("Sources")
    assert "Dear Sir or Madam" in text and "Bolt Ltd\n" not in text
    assert f"{OPEN}Agreement" in text and f"{OPEN}Our client" in text
    assert "Bolt refused to pay.[2] " + OPEN + "source not confirmed" in text
    assert '[1] Supply Agreement, p. 3: "the sum of $48,500 is due"' in text
    assert '[3] Your instructions: "Give them 14 days"' in text
    assert '[2] Supply Agreement, p. 4: "x" (not found in the source: check)' in text
    assert "23 November 2026" in text


def test_docx_highlights_placeholders_and_superscripts_source_numbers(tmp_path: Path) -> None:
    result = layout(_draft())
    out = write_docx(result, tmp_path / "demand.docx")
    document = docx.Document(str(out))
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    placeholders = [r for r in runs if r.text.startswith(OPEN)]
    assert len(placeholders) == len(result.placeholders) > 3
    assert all(r.bold and r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in placeholders)
    assert any(r.text == "1" and r.font.superscript for r in runs)
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Sources" in body and "$48,500" in body
    assert document.core_properties.author == "Chambers"
    assert not list(tmp_path.glob(".draft-*"))  # no temporary file left behind


def test_plausible_rejects_values_of_the_wrong_shape_or_echoing_the_question() -> None:
    template = load_template("demand-letter")
    date, deadline = template.fact("agreement_date"), template.fact("deadline")
    assert plausible(date, "May 1, 2006") and plausible(date, "1st day of June 2019")
    assert not plausible(date, "Electronic Data Processing services")
    assert plausible(deadline, "14 days") and not plausible(deadline, "Deadline")
    agreement = template.fact("agreement_name")
    assert plausible(agreement, "Outsourcing Agreement")
    assert not plausible(agreement, "The name of the contract that was breached")


def test_a_name_fact_must_be_a_name_not_a_sentence() -> None:
    recipient = load_template("demand-letter").fact("recipient_name")
    assert plausible(recipient, "Bolt Logistics Inc.")
    assert not plausible(recipient, "Tickets.com is owed $25,000 in unpaid sponsorship fees.")
