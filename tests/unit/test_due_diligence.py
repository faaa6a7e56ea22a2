"""The due-diligence field set: every CUAD category, yes/no cue language as data."""

from __future__ import annotations

import csv
import re

from app.evaluation.labels import load_labels
from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.candidates.registry import parse_config
from app.tasks.fieldsets import load_fieldset
from tests.shared_data import CUAD_TRAIN


def test_every_cuad_category_is_a_field_with_its_label_column() -> None:
    fieldset = load_fieldset("due-diligence")
    with (CUAD_TRAIN / "labels.csv").open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    categories = [c.removesuffix("-Answer") for c in header if c.endswith("-Answer")]
    assert len(categories) == 41 == len(fieldset.fields)
    assert sorted(f.label or "" for f in fieldset.fields) == sorted(
        f"{c}-Answer" for c in categories
    )
    load_labels(CUAD_TRAIN / "labels.csv", fieldset)  # every column is found
    short = load_fieldset("commercial-contract")
    assert len(short.fields) == 15
    for item in short.fields:  # the short default's fields are the same fields
        assert fieldset.field(item.name) == item
    for item in fieldset.fields:
        assert item.extractor, item.name  # typed: a verbatim quote by construction
        if item.is_choice:
            assert item.extractor == "clause" and item.cues and item.cues["yes"], item.name


def test_cue_language_tells_a_clause_from_its_negation() -> None:
    fieldset = load_fieldset("due-diligence")

    def says(name: str, text: str) -> float:
        item = fieldset.field(name)
        found = Extractors(DocumentText([Page(1, text)])).candidates(
            "clause", parse_config("clause", item.cues)
        )
        return found[0].score if found else 0.0

    assert says("no_solicit_of_employees", "During the Term neither party shall solicit for "
                "employment any employee of the other party.") >= 2  # fmt: skip
    assert says("no_solicit_of_employees", "Each party shall disclose Confidential "
                "Information only to its employees who need to know it.") == 0  # fmt: skip
    assert says("rofr_rofo_rofn", "Licensee shall have a right of first refusal to "
                "distribute any New Product.") >= 2  # fmt: skip
    assert says("rofr_rofo_rofn", "The Shares are free and clear of any lien, option or "
                "right of first refusal.") == 0  # fmt: skip
    assert says("third_party_beneficiary", "Each Indemnitee is an intended third party "
                "beneficiary of Section 9.") >= 2  # fmt: skip
    assert says("third_party_beneficiary", "Nothing in this Agreement shall confer any "
                "right upon any person other than the parties; there are no third party "
                "beneficiaries.") == 0  # fmt: skip
    for item in fieldset.fields:  # every cue compiles as the field set's reader does
        for pattern, _weight in (item.cues or {}).get("yes", []):
            re.compile(pattern)
