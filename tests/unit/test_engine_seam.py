"""The engine seam as tasks see it: identity, capabilities, and the one calibration cache.

The scripted engine stands in for the model (these test the seam's bookkeeping, not the
model); the real engines' identity and ``stream(schema=...)`` run in test_engine_tiny and
the firm-server integration tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.engine.calibration import CalibrationCache, content_free_scores
from app.engine.identity import Capabilities
from app.tasks.batch import engine_parallel
from app.tasks.review.candidates import Candidate, Sentence
from app.tasks.review.playbook import Statement
from app.tasks.review.review import model_scores
from tests.fixtures.fake_engine import SCRIPTED_SHA256, ScriptedEngine


def _scripted(scores: dict[str, list[float]]) -> ScriptedEngine:
    """Scores by whether the prompt is content-free ("N/A") or not."""

    def script(prompt: str, labels: Sequence[str]) -> list[float]:
        return scores["blank" if "N/A" in prompt else "shown"][: len(labels)]

    return ScriptedEngine(script, n_ctx=2048)


def test_review_measures_each_statements_content_free_scores_once_per_engine() -> None:
    engine = _scripted({"blank": [-1.0, -2.0, -3.0], "shown": [-0.5, -4.0, -3.5]})
    statement = Statement("s1", "The agreement is governed by English law.")
    sentence = Sentence(1, 0, 38, "This Agreement is governed by English law.", 0)
    candidates = [Candidate(sentence, 1.0, True, False, False)]
    first = model_scores(engine, statement, candidates, None)
    assert first == (0.5, -2.0, -0.5)  # shown minus content-free, per letter
    assert len(engine.prompts) == 2
    again = model_scores(engine, statement, candidates, None)
    assert again == first and len(engine.prompts) == 3  # the blank prompt is not re-scored
    other = _scripted({"blank": [0.0, 0.0, 0.0], "shown": [-0.5, -4.0, -3.5]})
    assert model_scores(other, statement, candidates, None) == (-0.5, -4.0, -3.5)  # own cache


def test_the_cache_is_keyed_by_model_identity_prompt_and_labels() -> None:
    calls: list[str] = []
    engine = ScriptedEngine(lambda p, labels: calls.append(p) or [0.0] * len(labels), n_ctx=64)
    content_free_scores(engine, "N/A prompt", ["A", "B"])
    content_free_scores(engine, "N/A prompt", ["A", "B"])
    content_free_scores(engine, "N/A prompt", ["A", "B", "C"])
    assert len(calls) == 2
    assert engine.identity is not None and engine.identity.sha256 == SCRIPTED_SHA256
    keys = [key for key in engine.calibration._scores]
    assert {key[0] for key in keys} == {SCRIPTED_SHA256}


def test_the_cache_forgets_the_oldest_entries_past_its_size() -> None:
    cache = CalibrationCache(size=2)
    for n in range(3):
        cache.get_or_score(("sha", f"p{n}", ("A",)), lambda n=n: [float(n)])
    assert len(cache) == 2
    assert cache.get_or_score(("sha", "p0", ("A",)), lambda: [9.0]) == (9.0,)  # measured again


def test_schedulers_read_capabilities_not_attributes() -> None:
    assert engine_parallel(ScriptedEngine(n_ctx=64)) == 1
    assert engine_parallel(ScriptedEngine(n_ctx=64, remote=True, parallel=3)) == 3
    assert engine_parallel(ScriptedEngine(n_ctx=64, parallel=3)) == 1  # local: one at a time
    assert engine_parallel(ScriptedEngine(n_ctx=64, remote=True, parallel=3), 2) == 2
    assert ScriptedEngine().capabilities == Capabilities()
