"""The firm's positions in a playbook: what each label means for the client, and a bad
position says which file and field to fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.tasks.review import PlaybookError, ReviewResult, ReviewRow, Statement, load_playbook
from app.tasks.review.positions import Position, ProposedChange, outcome, proposed_change
from app.tasks.review.review import with_position


def _write(name: str, data: object) -> Path:
    folder = paths.data_dir() / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _statement(**position: Any) -> dict[str, Any]:
    return {"id": "cap", "statement": "Liability is capped.", **position}


def test_both_nda_playbooks_take_a_position_on_every_statement_with_the_same_cues() -> None:
    receiving, disclosing = load_playbook("nda"), load_playbook("nda-disclosing")
    assert disclosing.weights == receiving.weights == "nda"  # the same fitted decisions
    for mine, theirs in zip(receiving.statements, disclosing.statements, strict=True):

        def cues(s: Statement) -> list[list[str]]:
            return [[p.pattern for p in kind] for kind in (s.topic, s.entail, s.contradict)]

        assert (mine.id, mine.statement, cues(mine)) == (theirs.id, theirs.statement, cues(theirs))
        assert mine.position is not None and theirs.position is not None
        assert mine.position.guidance and theirs.position.guidance
    wants = {s.id: (s.position.want if s.position else None) for s in receiving.statements}
    other = {s.id: (s.position.want if s.position else None) for s in disclosing.statements}
    assert wants["nda-12"] == "Entailment" and wants["nda-18"] == "Contradiction"
    assert other["nda-1"] == "Contradiction" and other["nda-16"] == "Entailment"
    fixes = [s.position for s in receiving.statements if s.position and s.position.insert]
    assert len(fixes) >= 5 and all(p.insert and p.insert.endswith(".") for p in fixes)


@pytest.mark.parametrize(
    ("label", "want", "missing_ok", "expected"),
    [
        ("Entailment", "Entailment", False, "as we want"),
        ("Contradiction", "Entailment", False, "deviates"),
        ("Contradiction", "either", False, "as we want"),
        ("NotMentioned", "Entailment", False, "missing"),
        ("NotMentioned", "Contradiction", True, "as we want"),
        ("Entailment", "Contradiction", True, "deviates"),
    ],
)
def test_an_outcome_follows_from_the_label_and_the_position(
    label: str, want: Any, missing_ok: bool, expected: str
) -> None:
    assert outcome(Position(want, "high", "g", missing_ok), label) == expected


def test_the_proposed_change_is_the_insert_clause_or_the_replacement_or_a_comment() -> None:
    both = Position("Entailment", "high", "g", False, "Add this.", "Say this instead.")
    assert proposed_change(both, "missing") == ProposedChange("insert", "Add this.")
    change = proposed_change(both, "deviates")
    assert change is not None and (change.kind, change.text) == ("replace", "Say this instead.")
    bare = Position("Entailment", "high", "g")
    assert proposed_change(bare, "missing") is None
    assert proposed_change(bare, "deviates") is not None
    assert proposed_change(both, "as we want") is None


def test_rows_are_ordered_by_risk_then_deviations_first() -> None:
    book = load_playbook("nda")
    rows = [
        with_position(ReviewRow(s.id, s.statement, label, None, 0.0, False, "rule"), s)
        for s, label in zip(book.statements, ["NotMentioned", "Contradiction"] * 9, strict=False)
    ]
    result = ReviewResult("doc", "nda", rows, 0.0)
    ordered = result.ordered()
    risks = [r.risk for r in ordered]
    assert risks == sorted(risks, key=["high", "medium", "low"].index)
    data = result.to_json()
    assert [r["statement_id"] for r in data["rows"]] == [r.statement_id for r in ordered]
    first = data["rows"][0]
    assert {"position", "risk", "guidance", "outcome", "change", "quote", "page"} <= set(first)


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ({"position": "Yes", "risk": "high", "guidance": "g"}, r'statement 1 \(cap\) "position"'),
        ({"position": "Entailment", "risk": "huge", "guidance": "g"}, r'\(cap\) "risk"'),
        ({"position": "Entailment", "risk": "low"}, r'\(cap\) has no "guidance"'),
        ({"position": "either", "risk": "low", "guidance": "g", "fallback": {"add": "x"}},
         r'\(cap\) "fallback"'),
        ({"position": "either", "risk": "low", "guidance": "g", "fallback": {"insert": ""}},
         r'fallback "insert"'),
        ({"position": "either", "risk": "low", "guidance": "g", "missing_ok": "yes"},
         r'"missing_ok"'),
    ],
)  # fmt: skip
def test_a_bad_position_names_the_file_and_the_field(
    position: dict[str, Any], message: str
) -> None:
    path = _write("firm", {"statements": [_statement(**position)]})
    with pytest.raises(PlaybookError, match=message) as caught:
        load_playbook("firm")
    assert str(path) in caught.value.message


def test_a_variant_takes_its_base_statements_and_checks_its_positions() -> None:
    _write("firm", {"statements": [_statement(position="Entailment", risk="high", guidance="Cap it.")]})  # fmt: skip
    _write("firm-buyer", {"extends": "firm", "positions": {
        "cap": {"position": "Contradiction", "risk": "medium", "guidance": "No cap for us.",
                "fallback": {"replace": "Liability is unlimited."}}}})  # fmt: skip
    buyer = load_playbook("firm-buyer")
    assert buyer.weights == "firm" and buyer.statements[0].statement == "Liability is capped."
    assert buyer.statements[0].position == Position(
        "Contradiction", "medium", "No cap for us.", False, None, "Liability is unlimited."
    )
    for data, message in (
        ({"extends": "nope", "positions": {"cap": {}}}, "not a playbook"),
        ({"extends": "firm", "positions": {"cup": {}}}, "'cup', which playbook 'firm'"),
        ({"extends": "firm", "positions": {}}, '"positions" must be'),
        ({"extends": "firm", "statements": [], "positions": {"cap": {}}}, 'remove "statements"'),
        ({"extends": "bad-variant", "positions": {"cap": {}}}, "leads back to itself"),
    ):
        path = _write("bad-variant", data)
        with pytest.raises(PlaybookError, match=message) as caught:
            load_playbook("bad-variant")
        assert str(path) in caught.value.message


def test_the_text_output_shows_position_outcome_and_the_proposed_wording() -> None:
    from app.commands.review import _accepted, format_review

    book = load_playbook("nda")
    rows = [
        with_position(ReviewRow(s.id, s.statement, "NotMentioned", None, 0.0, False, "rule"), s)
        for s in book.statements
    ]
    text = format_review(ReviewResult("doc", "nda", rows, 0.0))
    first = text.splitlines()[0]
    assert first.startswith("HIGH [nda-5]")  # by risk, not the playbook's order
    assert "firm wants: Entailment; outcome: MISSING" in text
    insert = book.statement("nda-5").position
    assert insert is not None and f"proposed (insert): {insert.insert}" in text
    assert text.splitlines()[-1].endswith("as we want")
    assert _accepted(None) is None and _accepted("all") is None and _accepted("none") == set()
    assert _accepted("nda-5, nda-12") == {"nda-5", "nda-12"}
