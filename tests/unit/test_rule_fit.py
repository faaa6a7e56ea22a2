"""Clause thresholds fitted on train only, cross-validated by document, balanced accuracy."""

from __future__ import annotations

import csv

from app.evaluation.labels import load_labels
from app.evaluation.rules import (
    NEVER,
    balanced_accuracy,
    evaluate_rules,
    fit_clause,
    fit_threshold,
)
from app.tasks.candidates import DocumentText, Page
from app.tasks.extract.params import ChooserParams
from app.tasks.fieldsets import load_fieldset
from tests.shared_data import CUAD, CUAD_TRAIN


def test_balanced_accuracy_sees_through_always_no() -> None:
    gold = [True] + [False] * 9
    always_no = [False] * 10
    assert sum(p == g for p, g in zip(always_no, gold, strict=True)) == 9  # 90% accurate
    assert balanced_accuracy(always_no, gold) == 0.5
    assert balanced_accuracy([True] + [False] * 9, gold) == 1.0
    assert balanced_accuracy([False, False], [False, False]) is None


def test_the_threshold_answers_most_labels_right_and_never_when_cues_mislead() -> None:
    scores = {"a": 2.0, "b": 2.0, "c": 1.0, "d": 1.0, "e": 0.0}
    gold = {"a": True, "b": True, "c": False, "d": False, "e": False}
    assert fit_threshold(scores, gold) == 2.0  # the weak cue (1.0) says Yes wrongly
    wrong = {"a": False, "b": False, "c": False, "d": False, "e": True}
    assert fit_threshold(scores, wrong) == NEVER  # no cue beats always answering No


def test_cross_validated_answers_come_from_thresholds_fitted_on_the_other_folds() -> None:
    # Ten documents; a strong cue always means Yes except in one, the weak cue means No.
    scores = {f"d{i}": (2.0 if i < 5 else 1.0) for i in range(10)}
    gold = {f"d{i}": i < 5 for i in range(10)}
    fit = fit_clause(scores, gold, folds=5)
    assert fit.threshold == 2.0 and fit.accuracy_cv == 1.0 and fit.balanced_cv == 1.0
    assert set(fit.cross_validated) == set(gold)


def test_the_fitted_thresholds_come_from_train_and_never_name_dev() -> None:
    import json

    from app.paths import resource_path

    data = json.loads(resource_path("resources", "extract", "chooser.json").read_text())
    assert (
        "train" in data["rules_fitted"]["fitted_on"] and "dev" in data["rules_fitted"]["fitted_on"]
    )
    fieldset = load_fieldset("due-diligence")
    clauses = [f.name for f in fieldset.fields if f.extractor == "clause"]
    assert set(data["rules"]) == set(clauses)
    with (CUAD_TRAIN / "labels.csv").open(encoding="utf-8") as handle:
        train_ids = {row["id"] for row in csv.DictReader(handle)}
    with (CUAD / "labels.csv").open(encoding="utf-8") as handle:
        dev_ids = {row["id"] for row in csv.DictReader(handle)}
    assert not train_ids & dev_ids
    for name in clauses:
        assert data["rules"][name]["figures"]["documents"] == len(train_ids)


def test_rules_alone_score_a_labelled_contract(tmp_path: object) -> None:
    fieldset = load_fieldset("commercial-contract").subset(["governing_law", "anti_assignment"])
    labels = load_labels(CUAD / "labels.csv", fieldset)
    document = labels.document_ids[0]
    text = (
        "This Agreement shall be governed by the laws of the State of New York. "
        "Neither party may assign this Agreement without the prior written consent of the other."
    )
    result = evaluate_rules({document: DocumentText([Page(1, text)])}, fieldset, labels,
                            ChooserParams())  # fmt: skip
    values = {o.field: o.value for o in result.outcomes}
    assert values == {"governing_law": "New York", "anti_assignment": "Yes"}
    assert all(o.decided_by == "rule" for o in result.outcomes)
    assert [s.n for s in result.fields] == [1, 1]
