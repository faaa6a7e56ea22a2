"""The chooser and the decide step, with a scripted engine in place of the model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.tasks.candidates import Candidate, DocumentText, Page
from app.tasks.chooser import CONTENT_FREE, NONE_TEXT, Chooser
from app.tasks.extract.params import ChooserParams, load_params
from app.tasks.extract.typed import decide
from app.tasks.fieldsets import FieldSetError, load_fieldset
from tests.fixtures.fake_engine import ScriptedEngine

FIELD = load_fieldset("commercial-contract").field("agreement_date")


def _candidates(*scored: tuple[str, float]) -> list[Candidate]:
    doc = DocumentText([Page(1, ". ".join(f"Made on {v} by the parties" for v, _ in scored))])
    sentences = doc.sentences
    return [Candidate(v, sentences[i], s) for i, (v, s) in enumerate(scored)]


def test_the_content_free_bias_is_subtracted_and_measured_once_per_question() -> None:
    def script(prompt: str, labels: Sequence[str]) -> list[float]:
        if CONTENT_FREE in prompt and "Made on" not in prompt:
            return [-0.1, -3.0, -3.0]  # the model's taste for "A", whatever the options
        return [-0.5, -1.0, -4.0]  # raw: A looks best

    engine = ScriptedEngine(script)
    chooser = Chooser(engine)
    options = ["Made on May 1, 2006 by the parties", "Made on June 2, 2007 by the parties"]
    choice = chooser.choose("Agreement date", "When it was made", options)
    assert choice.index == 1  # after calibration B wins: -1.0 + 3.0 > -0.5 + 0.1
    assert choice.scores == pytest.approx((-0.4, 2.0, -1.0))
    assert NONE_TEXT in engine.prompts[0]
    chooser.choose("Agreement date", "When it was made", options)
    assert len(engine.prompts) == 3  # two real prompts, one content-free prompt shared


def test_none_of_these_wins_when_no_option_beats_it() -> None:
    def script(prompt: str, labels: Sequence[str]) -> list[float]:
        if "does not answer" not in prompt:  # content-free: no preference
            return [-1.0] * len(labels)
        return [-5.0] * (len(labels) - 1) + [-0.1]

    engine = ScriptedEngine(script)
    choice = Chooser(engine).choose("Q", "D", ["a sentence that does not answer at all"])
    assert choice.index is None


def test_a_clear_winner_is_decided_by_rule_without_asking_the_model() -> None:
    engine = ScriptedEngine(lambda prompt, labels: [0.0] * len(labels))
    params = ChooserParams(defaults={"margin": 1.0, "weights": [1.0, 1.0]})
    clear = decide(FIELD, _candidates(("May 1, 2006", 5.0), ("June 2, 2007", 1.0)),
                   Chooser(engine), params)  # fmt: skip
    assert clear.decided_by == "rule" and clear.candidate is not None
    assert clear.candidate.value == "May 1, 2006" and not engine.prompts


def test_a_close_call_goes_to_the_model_whose_vote_can_overturn_the_rules() -> None:
    def prefers_b(prompt: str, labels: Sequence[str]) -> list[float]:
        return [-3.0, -0.1][: len(labels)] if "Made on" in prompt else [-1.0] * len(labels)

    engine = ScriptedEngine(prefers_b)
    params = ChooserParams(defaults={"margin": 1.0, "weights": [1.0, 1.0]})
    close = decide(FIELD, _candidates(("May 1, 2006", 3.2), ("June 2, 2007", 3.0)),
                   Chooser(engine), params)  # fmt: skip
    assert close.decided_by == "model" and close.candidate is not None
    assert close.candidate.value == "June 2, 2007" and len(close.options) == 2


def test_fitted_parameters_are_per_model_and_a_model_without_them_says_so() -> None:
    data = json.loads(Path("resources/extract/chooser.json").read_text(encoding="utf-8"))
    unknown = load_params("0" * 64)
    assert not unknown.fitted and unknown.margin("agreement_date") == pytest.approx(
        data["defaults"]["margin"]
    )
    for sha, fitted in data["models"].items():
        params = load_params(sha)
        assert params.fitted
        for name, values in fitted["fields"].items():
            assert params.margin(name) == pytest.approx(values["margin"])


def test_field_set_cues_are_checked_when_the_file_is_read(tmp_path: Path) -> None:
    def write(node: dict[str, object]) -> Path:
        path = tmp_path / "cues.json"
        path.write_text(json.dumps({"type": "object", "properties": {"x": node}}))
        return path

    base = {"enum": ["Yes", "No"], "description": "X", "x-extractor": "clause"}
    with pytest.raises(FieldSetError, match="needs"):
        load_fieldset(write(base))
    with pytest.raises(FieldSetError, match="not a valid regular expression"):
        load_fieldset(write({**base, "x-cues": {"yes": [["(unclosed", 1]]}}))
    with pytest.raises(FieldSetError, match="x-extractor"):
        load_fieldset(write({**base, "x-extractor": "horoscope", "x-cues": {"yes": []}}))
    ok = load_fieldset(write({**base, "x-cues": {"yes": [["\\bexclusive\\b", 2]]}}))
    assert ok.fields[0].extractor == "clause" and ok.fields[0].cues
