"""Decide one statement: cue features, the model's option scores, a fitted combiner.

The model never writes the answer. It reads the statement and the document's best
sentences for it, numbered, and one forward pass gives the log-probabilities of the
option letters A (the contract says so), B (it says the opposite), C (it does not say).
A small model prefers some letters whatever the text says, so the same prompt with
"N/A" in place of the sentences is scored once per statement and subtracted
(contextual calibration, Zhao et al. 2021).

The combiner is a multinomial logistic regression per statement, in two stages: first
over the cue features alone (the playbook's topic / entail / contradict patterns found
in the document, the best sentence's share of the statement's words), fitted once and
for any model (resources/review/<playbook>.json); where that stage is unsure (below
its gate), over the cues plus the three calibrated model scores, fitted on the dev pairs
the model read and stored per model sha256 (resources/review/<playbook>-<sha>.json).
All weights are fitted on ContractNLI dev only (tools/fit_review.py). A model with no
weights of its own is not asked for the NDA playbook (the result says so); a playbook
with no weights at all gets the default rule (cues, then the model where no cue speaks).
On dev the default 0.5B model's calibrated choice was right on 33% of the pairs the cue
stage was unsure of (chance level), and the model stage lost 1 point held out, so no
weights ship for it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from app.engine.chat import Message
from app.paths import resource_path
from app.tasks import prompts
from app.tasks.review.candidates import Candidate
from app.tasks.review.playbook import PlaybookError

Label = Literal["Entailment", "Contradiction", "NotMentioned"]
LABELS: tuple[Label, ...] = ("Entailment", "Contradiction", "NotMentioned")
OPTION_LETTERS = ("A", "B", "C")  # in LABELS order
FEATURES = (
    "bias",
    "topic",
    "entail",
    "contradict",
    "coverage",
    "model_called",
    "model_entail",
    "model_contradict",
    "model_none",
)
#: Sentences shown to the model, best first, each cut to this many characters.
SHOWN_SENTENCES = 2
SHOWN_CHARS = 300
#: The question put to the model (resources/prompts/): its calibration and the fitted
#: weights belong to this wording, so a change to it needs a refit.
PROMPT_FILE = "review_decide.txt"


@dataclass(frozen=True)
class Evidence:
    """What the decision rests on for one statement of one document."""

    statement_id: str
    candidates: tuple[Candidate, ...]  # best first
    #: The largest share of the statement's weighed words in any sentence of the document.
    best_coverage: float = 0.0
    #: Calibrated model scores in LABELS order (None: the model was not asked).
    model: tuple[float, float, float] | None = None

    def first(self, attribute: str) -> Candidate | None:
        return next((c for c in self.candidates if getattr(c, attribute)), None)

    def features(self) -> list[float]:
        found = {k: float(self.first(k) is not None) for k in ("topic", "entail", "contradict")}
        # Calibrated log-probability differences, scaled to about -1..1 like the cues.
        model = tuple(max(-1.0, min(1.0, v / 5.0)) for v in self.model or (0.0, 0.0, 0.0))
        return [
            1.0,
            found["topic"],
            found["entail"],
            found["contradict"],
            self.best_coverage,
            float(self.model is not None),
            *model,
        ]


def needs_model(evidence: Evidence) -> bool:
    """Ask the model only when the document has wording on the statement's topic.

    With no cue and few of the statement's words anywhere, there is nothing to read
    and the model's answer would be a guess; the decision is the combiner's (a rule).
    """
    f = dict(zip(FEATURES, evidence.features(), strict=True))
    return bool(f["topic"] or f["entail"] or f["contradict"] or f["coverage"] >= 0.5)


def prompt_messages(statement: str, sentences: Sequence[str]) -> list[Message]:
    """The options first (every call shares them, so the KV cache keeps them), then the
    statement, then this document's sentences, then the question right before the letter."""
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)) or "N/A"
    return prompts.prompt_messages(PROMPT_FILE, {"statement": statement, "sentences": numbered})


def shown_text(candidate: Candidate) -> str:
    text = " ".join(candidate.sentence.text.split())
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rsplit(" ", 1)[0] + " ..."


# -- the combiner -----------------------------------------------------------------------
Weights = dict[str, list[list[float]]]  # statement id -> per label, per feature
#: The features known without the model (the first five of FEATURES).
CUE_FEATURES = FEATURES[:5]
#: Ask the model only when the cue combiner's best label has less than this probability.
DEFAULT_GATE = 0.8


@dataclass(frozen=True)
class Combiner:
    """Two fitted stages: cues alone (model-independent), then cues + model scores.

    The cue stage decides when it is confident (at least ``gate``); otherwise the model
    reads the best sentences and the second stage, fitted on the dev pairs the model
    read, decides. Only the second stage belongs to one model (its sha256).
    """

    cue_weights: Weights
    model_weights: Weights
    gate: float = DEFAULT_GATE
    model_sha256: str | None = None
    fitted_on: Mapping[str, Any] = field(default_factory=dict)

    def cue_probabilities(self, statement_id: str, x: Sequence[float]) -> list[float] | None:
        return _probabilities(self.cue_weights.get(statement_id), x[: len(CUE_FEATURES)])

    def model_probabilities(self, statement_id: str, x: Sequence[float]) -> list[float] | None:
        return _probabilities(self.model_weights.get(statement_id), x)

    def unsure(self, evidence: Evidence) -> bool:
        """The cue stage is below the gate (or has no weights) for this statement."""
        probs = self.cue_probabilities(evidence.statement_id, evidence.features())
        return probs is None or max(probs) < self.gate

    def wants_model(self, evidence: Evidence) -> bool:
        return evidence.statement_id in self.model_weights and self.unsure(evidence)


def _probabilities(w: list[list[float]] | None, x: Sequence[float]) -> list[float] | None:
    if w is None:
        return None
    return softmax([sum(a * b for a, b in zip(row, x, strict=True)) for row in w])


def softmax(z: Sequence[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


def default_decision(evidence: Evidence) -> tuple[Label, float]:
    """The cue rule used where no weights are fitted (e.g. a firm's own playbook)."""
    entail, contradict = evidence.first("entail"), evidence.first("contradict")
    if contradict is not None and entail is None:
        return "Contradiction", 0.6
    if entail is not None:
        return "Entailment", 0.6
    if evidence.model is not None:  # no cue either way: the calibrated model's choice
        best = max(range(len(LABELS)), key=lambda i: evidence.model[i] if evidence.model else 0)
        return LABELS[best], 0.5
    return "NotMentioned", 0.5


def decide(evidence: Evidence, combiner: Combiner | None) -> tuple[Label, float, str]:
    """(label, confidence, decided_by): "model", "rule" (cues, fitted) or "default"."""
    x = evidence.features()
    probs, by = None, "rule"
    if combiner is not None and evidence.model is not None:
        probs, by = combiner.model_probabilities(evidence.statement_id, x), "model"
    if probs is None and combiner is not None:
        probs, by = combiner.cue_probabilities(evidence.statement_id, x), "rule"
    if probs is None:
        label, score = default_decision(evidence)
        return label, score, "default"
    best = max(range(len(LABELS)), key=lambda i: probs[i])
    return LABELS[best], probs[best], by


def cue_weights_path(playbook: str) -> Path:
    return resource_path("resources", "review", f"{playbook}.json")


def combiner_path(playbook: str, model_sha256: str) -> Path:
    return resource_path("resources", "review", f"{playbook}-{model_sha256[:16]}.json")


def _read_weights(path: Path, features: Sequence[str], sha: str | None) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != list(features):
            raise ValueError("its features do not match this version of Chambers")
        if sha is not None and data.get("model_sha256") != sha:
            raise ValueError("it was fitted for another model")
        data["weights"] = {
            k: [[float(v) for v in row] for row in rows] for k, rows in data["weights"].items()
        }
        for rows in data["weights"].values():
            if len(rows) != len(LABELS) or any(len(r) != len(features) for r in rows):
                raise ValueError("a statement's weights have the wrong shape")
        return dict(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PlaybookError(
            f"The review weights {path} cannot be used: {exc}.",
            "Refit them with tools/fit_review.py, or delete the file to use the default rule.",
        ) from exc


def load_combiner(playbook: str, model_sha256: str | None) -> Combiner | None:
    """The weights fitted for this playbook (and model), or None when there are none."""
    path = cue_weights_path(playbook)
    if not path.is_file():
        return None
    cues = _read_weights(path, CUE_FEATURES, None)
    model: dict[str, Any] = {"weights": {}, "fitted_on": {}}
    if model_sha256 and combiner_path(playbook, model_sha256).is_file():
        model = _read_weights(combiner_path(playbook, model_sha256), FEATURES, model_sha256)
    return Combiner(
        cues["weights"],
        model["weights"],
        float(model.get("gate", cues.get("gate", DEFAULT_GATE))),
        model_sha256 if model["weights"] else None,
        {"cues": cues.get("fitted_on", {}), "model": model.get("fitted_on", {})},
    )


def fit_weights(
    rows: Sequence[tuple[str, Sequence[float], str]], *, l2: float = 0.3, steps: int = 800
) -> Weights:
    """Per statement, softmax regression by full-batch gradient descent.

    ``rows`` are (statement id, features, gold label). The L2 penalty (bias excepted)
    keeps 61 documents a statement from learning their quirks.
    """
    import numpy as np

    weights: Weights = {}
    for sid in sorted({r[0] for r in rows}):
        x = np.array([list(r[1]) for r in rows if r[0] == sid], dtype=float)
        y = np.zeros((len(x), len(LABELS)))
        for i, gold in enumerate(r[2] for r in rows if r[0] == sid):
            y[i, LABELS.index(gold)] = 1.0
        w = np.zeros((len(LABELS), x.shape[1]))
        mask = np.ones_like(w)
        mask[:, 0] = 0.0
        for _ in range(steps):
            z = x @ w.T
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            grad = (p - y).T @ x / len(x) + l2 * mask * w / len(x)
            w -= 0.5 * grad
        weights[sid] = [[round(float(v), 5) for v in row] for row in w]
    return weights
