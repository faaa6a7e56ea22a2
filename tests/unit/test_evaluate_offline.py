"""Evaluate without a model: labels, the keyword baseline on real CUAD text, the scoring.

Texts are CUAD's own (../shared/data/cuad/txt), labels its labels.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.commands.evaluate import format_evaluation
from app.evaluation.baseline import baseline_value, governing_law, parties
from app.evaluation.extraction import Evaluation, score
from app.evaluation.labels import EvaluationError, document_files, label_column, load_labels
from app.evaluation.match import is_correct, match_kind
from app.tasks.extract import NOT_FOUND_CELL, Cell, Grid, Row
from app.tasks.fieldsets import FieldSetError, load_fieldset, parse_fieldset
from tests.shared_data import CUAD

LABELS = CUAD / "labels.csv"


def _text(name: str) -> str:
    return (CUAD / "txt" / f"{name}.txt").read_text(encoding="utf-8")


def test_cuad_labels_map_every_field_to_its_answer_column() -> None:
    fieldset = load_fieldset("commercial-contract")
    labels = load_labels(LABELS, fieldset)
    assert len(labels.rows) == 80 and labels.document_ids[0] == "cuad-dev-000"
    assert labels.columns["governing_law"] == "Governing Law-Answer"
    assert (
        labels.columns["notice_period_to_terminate_renewal"]
        == "Notice Period to Terminate Renewal-Answer"
    )
    first = labels.rows["cuad-dev-000"]
    assert first["governing_law"] == "Oklahoma" and first["agreement_date"] == "5/1/2006"
    assert labels.rows["cuad-dev-001"]["agreement_date"] == "09/[]/2018"
    assert labels.rows["cuad-dev-002"]["governing_law"] == ""  # not in that contract


def test_label_column_order_and_case() -> None:
    item = load_fieldset("commercial-contract").field("governing_law")
    header = ["Governing Law", "Governing Law-Answer", "governing_law"]
    assert label_column(item, header) == "Governing Law-Answer"  # x-label first
    plain = type(item)(item.name, item.title, item.description, item.schema, item.search)
    assert label_column(plain, header) == "governing_law"  # then the name
    assert label_column(plain, ["GOVERNING LAW-ANSWER"]) == "GOVERNING LAW-ANSWER"
    assert label_column(plain, ["Law"]) is None


def test_labels_file_faults_name_the_file_and_the_fix(tmp_path: Path) -> None:
    fieldset = load_fieldset("commercial-contract").subset(["governing_law", "parties"])
    csv = tmp_path / "pilot.csv"
    csv.write_text("id,Governing Law-Answer\ncontract-1,Texas\n", encoding="utf-8")
    with pytest.raises(EvaluationError) as caught:
        load_labels(csv, fieldset)
    assert str(csv) in caught.value.message and "'parties'" in caught.value.message
    assert "--fields" in caught.value.hint
    only_law = fieldset.subset(["governing_law"])
    assert load_labels(csv, only_law).rows == {"contract-1": {"governing_law": "Texas"}}
    csv.write_text("id,Governing Law-Answer\na,Texas\na,Ohio\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"Row 3 .* repeats document 'a'"):
        load_labels(csv, only_law)
    with pytest.raises(EvaluationError, match="cannot be read"):
        load_labels(tmp_path / "missing.csv", only_law)
    with pytest.raises(EvaluationError, match=r"not in .*: nope\.pdf"):
        document_files(["cuad-dev-000", "nope"], CUAD / "pdf")
    assert document_files(["cuad-dev-000"], CUAD / "txt") == {
        "cuad-dev-000": CUAD / "txt" / "cuad-dev-000.txt"
    }


def test_field_set_checks_x_label_and_x_match(tmp_path: Path) -> None:
    node = {"description": "Law", "type": "string", "maxLength": 40, "x-label": "Law-Answer"}
    path = tmp_path / "pilot.json"
    path.write_text(json.dumps({"type": "object", "properties": {"law": node}}))
    item = parse_fieldset(path).field("law")
    assert item.label == "Law-Answer" and item.match is None
    assert match_kind(item) == "jurisdiction"
    for key, bad in (("x-match", "fuzzy"), ("x-label", 3)):
        path.write_text(json.dumps({"type": "object", "properties": {"law": {**node, key: bad}}}))
        with pytest.raises(FieldSetError, match=key):
            parse_fieldset(path)


def test_baseline_on_real_cuad_contracts() -> None:
    fieldset = load_fieldset("commercial-contract")
    labels = load_labels(LABELS, fieldset).rows
    assert governing_law(_text("cuad-dev-000")) == "Oklahoma"
    assert governing_law(_text("cuad-dev-009")) == "Pennsylvania"
    assert governing_law(_text("cuad-dev-005")) == "Massachusetts"
    assert (
        "Brokers National Life Assurance Company".lower()
        in (parties(_text("cuad-dev-000")) or "").lower()
    )
    verdicts = {}
    for name in ("cuad-dev-000", "cuad-dev-001"):
        for item in fieldset.fields:
            kind = match_kind(item)
            guess = baseline_value(item, kind, [_text(name)])
            verdicts[name, item.name] = (guess, is_correct(kind, labels[name][item.name], guess))
    assert verdicts["cuad-dev-000", "governing_law"] == ("Oklahoma", True)
    assert verdicts["cuad-dev-000", "parties"][1] is True
    assert verdicts["cuad-dev-000", "effective_date"][1] is True
    assert verdicts["cuad-dev-001", "agreement_date"] == ("September __, 2018", True)
    assert verdicts["cuad-dev-000", "notice_period_to_terminate_renewal"] == (
        "six (6) months",
        True,
    )
    assert verdicts["cuad-dev-000", "anti_assignment"] == ("Yes", True)
    # A keyword is not a clause: 000 mentions "exclusive" but grants no exclusivity.
    assert verdicts["cuad-dev-000", "exclusivity"] == ("Yes", False)
    assert verdicts["cuad-dev-001", "expiration_date"] == (None, False)  # "perpetual"


def _grid() -> Grid:
    cells_a = {
        "governing_law": Cell("State of Oklahoma", "laws of the State of Oklahoma", 9, "supported"),
        "anti_assignment": Cell("Yes", "may not assign", 5, "unsupported"),
    }
    cells_b = {
        "governing_law": Cell("Texas", "Texas", 2, "supported"),
        "anti_assignment": NOT_FOUND_CELL,
    }
    grid = Grid("commercial-contract", [("governing_law", "Governing law")])
    grid.rows.extend([Row("v-a", "a", cells_a, 10.0), Row("v-b", "b", cells_b, 20.0)])
    return grid


def test_scores_count_accuracy_baseline_and_verified_quotes() -> None:
    fieldset = load_fieldset("commercial-contract").subset(["governing_law", "anti_assignment"])
    csv_rows = {
        "cuad-dev-000": {"governing_law": "Oklahoma", "anti_assignment": "Yes"},
        "doc-b": {"governing_law": "[* * *]", "anti_assignment": "No"},
    }
    labels = load_labels(LABELS, fieldset)
    labels = type(labels)(labels.path, labels.columns, csv_rows)
    pages = {"v-a": [_text("cuad-dev-000")], "v-b": ["No assignment needs consent."]}
    fields, outcomes = score(
        _grid(), fieldset, labels, {"v-a": "cuad-dev-000", "v-b": "doc-b"}, pages
    )
    law, assign = fields
    assert (law.n, law.model_correct, law.baseline_correct) == (1, 1, 1)  # redacted: unscored
    assert (law.found, law.verified, law.verified_share) == (2, 2, 1.0)
    assert (assign.n, assign.model_correct, assign.found, assign.verified) == (2, 2, 1, 0)
    assert assign.baseline_correct == 1  # "assignment" occurs in doc-b, whose answer is No
    result = Evaluation("commercial-contract", str(LABELS), "m", ["cuad-dev-000", "doc-b"], fields,
                        outcomes, {"doc-c": "unreadable"}, 30.0, 15.0)  # fmt: skip
    overall = result.overall
    assert (overall.n, overall.model_correct, overall.model_accuracy) == (3, 3, 1.0)
    table = format_evaluation(result)
    assert "governing_law" in table and "100%" in table and "doc-c was left out" in table
    assert json.loads(json.dumps(result.to_json()))["overall"]["verified"] == 2
