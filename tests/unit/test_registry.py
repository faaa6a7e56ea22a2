"""One registry of typed generators: field sets, draft facts and the summary ask it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.candidates.registry import GENERATORS, generator, header_fields, names
from app.tasks.extract.params import ChooserParams
from app.tasks.extract.typed import typed_cell
from app.tasks.fieldsets import FieldSetError, load_fieldset
from app.tasks.summarise.facts import HEADER

LEASE = (
    'This Lease is made on May 1, 2006 between Acme Holdings, Inc. ("Landlord") and Beta '
    'Foods LLC ("Tenant"). The Tenant shall pay a security deposit of $12,500.00 on signing. '
    "The deposit is held in trust. Rent is due within ten (10) days of each invoice."
)


def _fieldset(tmp_path: Path, node: dict[str, object]) -> Path:
    path = tmp_path / "firm.json"
    base = {"type": "string", "maxLength": 80, "description": "The deposit."}
    path.write_text(json.dumps({"type": "object", "properties": {"deposit": {**base, **node}}}))
    return path


def test_every_record_says_what_it_reads_needs_and_gives() -> None:
    for record in GENERATORS.values():
        assert record.reads in ("document", "instructions")
        assert (record.document is None) == (record.reads == "instructions")
        assert all(generator(n).reads == "document" for n in record.needs)
    assert generator("effective_date").needs == ("agreement_date",)
    assert set(names("instructions")) == {"client", "counterparty", "amount", "deadline",
                                          "signatory"}  # fmt: skip
    assert header_fields() == HEADER and HEADER[0] == ("parties", "Parties")
    with pytest.raises(KeyError, match="horoscope"):
        generator("horoscope")


def test_a_needed_generator_feeds_the_one_that_needs_it() -> None:
    doc = DocumentText([Page(1, 'This Agreement is dated as of May 1, 2006 between A Inc. and '
                                'B LLC. It shall be effective as of the date first written above.')])  # fmt: skip
    best = Extractors(doc).candidates("effective_date")[0]
    assert best.value == "May 1, 2006" and best.features == ("points_to_agreement_date",)


def test_a_firm_adds_a_typed_field_as_a_pattern_in_its_field_set(tmp_path: Path) -> None:
    pattern = {"kind": "money", "patterns": [["deposit\\s+of\\s+(?P<value>\\S+)", 2.0]]}
    fieldset = load_fieldset(_fieldset(tmp_path, {"x-extractor": "pattern", "x-pattern": pattern}))
    item = fieldset.fields[0]
    doc = DocumentText([Page(1, LEASE)])
    cell = typed_cell(item, Extractors(doc), None, ChooserParams())
    assert cell.value == "$12,500.00" and cell.status == "supported"
    assert cell.quote == "The Tenant shall pay a security deposit of $12,500.00 on signing."
    assert cell.quote.startswith(LEASE[cell.char_start : cell.char_end])
    # A value group that does not read as the kind proposes nothing: no wrong value.
    dated = {"kind": "date", "patterns": [["deposit\\s+of\\s+(?P<value>\\S+)", 2.0]]}
    item = load_fieldset(_fieldset(tmp_path, {"x-extractor": "pattern", "x-pattern": dated}))
    assert typed_cell(item.fields[0], Extractors(doc), None, ChooserParams()).value is None


def test_a_bad_pattern_is_refused_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(FieldSetError, match='needs "x-pattern"'):
        load_fieldset(_fieldset(tmp_path, {"x-extractor": "pattern"}))
    no_group = {"kind": "money", "patterns": [["deposit of \\S+", 2.0]]}
    with pytest.raises(FieldSetError, match=r"'deposit'.*value"):
        load_fieldset(_fieldset(tmp_path, {"x-extractor": "pattern", "x-pattern": no_group}))
    wrong_kind = {"kind": "colour", "patterns": [["(?P<value>red)", 1]]}
    with pytest.raises(FieldSetError, match="kind"):
        load_fieldset(_fieldset(tmp_path, {"x-extractor": "pattern", "x-pattern": wrong_kind}))
    # A field set may not name a generator that reads the lawyer's instructions.
    with pytest.raises(FieldSetError, match="x-extractor"):
        load_fieldset(_fieldset(tmp_path, {"x-extractor": "amount"}))
