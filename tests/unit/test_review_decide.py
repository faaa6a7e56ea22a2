"""The combiner: fitting learns what separates the labels; weights belong to one model."""

from __future__ import annotations

import json

import pytest

from app import paths
from app.tasks.candidates.document import Sentence
from app.tasks.review import PlaybookError
from app.tasks.review.candidates import Candidate
from app.tasks.review.decide import (
    CUE_FEATURES,
    FEATURES,
    Combiner,
    Evidence,
    decide,
    default_decision,
    fit_weights,
    load_combiner,
    needs_model,
    prompt_messages,
)


def _candidate(
    text: str, *, topic: bool = False, entail: bool = False, contradict: bool = False
) -> Candidate:
    return Candidate(Sentence(1, 0, len(text), text, 0), 0.3, topic, entail, contradict)


def test_the_default_rule_follows_the_cues() -> None:
    entail = Evidence("s", (_candidate("may disclose to employees", topic=True, entail=True),))
    contra = Evidence("s", (_candidate("shall not make copies", topic=True, contradict=True),))
    nothing = Evidence("s", (_candidate("The parties agree."),))
    assert default_decision(entail)[0] == "Entailment"
    assert default_decision(contra)[0] == "Contradiction"
    assert default_decision(nothing)[0] == "NotMentioned"
    assert decide(contra, None)[2] == "default"
    assert needs_model(entail) and not needs_model(nothing)


def test_fitting_learns_a_separable_rule_and_the_model_feature() -> None:
    rows = []
    for i in range(40):
        cue, model = i % 2, (i // 2) % 2
        x = [1.0, float(cue), float(cue), 0.0, 0.3, 1.0, 2.0 * model, 0.0, -2.0 * model]
        gold = "Entailment" if cue or model else "NotMentioned"
        rows.append(("s", x, gold))
    weights = fit_weights(rows)
    combiner = Combiner({}, weights, model_sha256="0" * 64)
    for _, x, gold in rows:
        probs = combiner.model_probabilities("s", x)
        assert probs is not None
        assert ("Entailment", "Contradiction", "NotMentioned")[probs.index(max(probs))] == gold
    assert combiner.model_probabilities("other", rows[0][1]) is None
    assert combiner.cue_probabilities("s", rows[0][1]) is None  # no cue stage fitted


def test_weights_for_another_model_or_features_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = paths.data_dir() / "res"
    (folder / "resources" / "review").mkdir(parents=True)
    monkeypatch.setattr(paths, "_SOURCE_ROOT", folder)
    sha = "ab" * 32
    cues = folder / "resources" / "review" / "nda.json"
    model = folder / "resources" / "review" / f"nda-{sha[:16]}.json"
    assert load_combiner("nda", sha) is None  # none fitted: the caller uses the default rule
    cues.write_text(json.dumps({"features": ["bias"], "weights": {}}))
    with pytest.raises(PlaybookError, match="cannot be used"):
        load_combiner("nda", sha)
    zero = [[0.0] * len(CUE_FEATURES)] * 3
    cues.write_text(
        json.dumps({"features": list(CUE_FEATURES), "weights": {"s": zero}, "gate": 0.7})
    )
    combiner = load_combiner("nda", sha)
    assert combiner is not None and combiner.model_sha256 is None and combiner.gate == 0.7
    full = {"s": [[0.0] * len(FEATURES)] * 3}
    model.write_text(
        json.dumps({"model_sha256": "cd" * 32, "features": list(FEATURES), "weights": full})
    )
    with pytest.raises(PlaybookError, match="another model"):
        load_combiner("nda", sha)
    model.write_text(json.dumps({"model_sha256": sha, "features": list(FEATURES), "weights": full}))
    combiner = load_combiner("nda", sha)
    assert combiner is not None and combiner.model_sha256 == sha
    unsure = Evidence("s", (_candidate("text", topic=True),))
    assert combiner.unsure(unsure) and combiner.wants_model(unsure)  # 1/3 each < 0.7
    assert decide(unsure, combiner)[2] == "rule"
    asked = Evidence("s", unsure.candidates, 0.3, (1.0, 0.0, -1.0))
    assert decide(asked, combiner)[2] == "model"


def test_the_prompt_puts_what_documents_share_first() -> None:
    one = prompt_messages("Receiving Party may share with employees.", ["Sentence one."])
    two = prompt_messages("Receiving Party may share with employees.", ["Other text."])
    assert one[0] == two[0]
    head = one[1]["content"].split("Sentences from the contract")[0]
    assert two[1]["content"].startswith(head) and "A (true)" in one[1]["content"]
