"""ContractNLI: the labelled pairs and the scores (no model here).

Kept apart from eval_nli.py (which runs the model) so the unit tests can check the
scoring on the real data in a second. The keyword baseline and the per-statement
commonest answer are computed by app/evaluation/playbook.py in the same run as the
review, on the same sentences; this module reads the data for the tests.

The data (../shared/data/contractnli/dev.json, Koreeda & Manning 2021): 61 NDAs, each
labelled for the same 17 hypotheses as Entailment, Contradiction or NotMentioned, with
evidence as indices into the document's character ``spans``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.evaluation.playbook import macro_f1
from app.tasks.quotes import find_quote
from app.tasks.review import LABELS

Span = tuple[int, int]
__all__ = ["Nda", "Pair", "accuracy", "load_ndas", "locate", "macro_f1", "majority",
           "overlaps", "recall_by_class"]  # fmt: skip


@dataclass(frozen=True)
class Pair:
    """One NDA and one hypothesis, with the gold label and evidence (offsets in ``text``)."""

    document: str  # the NDA's id in dev.json
    key: str  # "nda-11"
    hypothesis: str
    gold: str
    evidence: tuple[Span, ...]


@dataclass(frozen=True)
class Nda:
    id: str
    file_name: str
    text: str
    pairs: tuple[Pair, ...]


def load_ndas(path: Path, limit: int | None = None) -> list[Nda]:
    """The first ``limit`` NDAs (all when None) with their 17 labelled pairs each."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    hypotheses = {key: item["hypothesis"] for key, item in data["labels"].items()}
    ndas = []
    for doc in data["documents"][:limit]:
        spans = doc["spans"]
        annotations = doc["annotation_sets"][0]["annotations"]
        pairs = tuple(
            Pair(
                str(doc["id"]),
                key,
                hypotheses[key],
                ann["choice"],
                tuple((int(spans[i][0]), int(spans[i][1])) for i in ann["spans"]),
            )
            for key, ann in sorted(annotations.items(), key=lambda kv: int(kv[0].split("-")[1]))
        )
        ndas.append(Nda(str(doc["id"]), doc["file_name"], doc["text"], pairs))
    return ndas


def locate(text: str, source: str) -> Span | None:
    """Where ``text`` (a quote or passage, from the vault's normalised page) sits in ``source``.

    The vault stores normalised text, so its offsets are not dev.json's; the quote itself
    is looked up instead, with the same folding as quote verification.
    """
    return find_quote(text, source) if text.strip() else None


def overlaps(span: Span | None, evidence: Iterable[Span]) -> bool:
    return span is not None and any(span[0] < end and start < span[1] for start, end in evidence)


def majority(golds: Sequence[str]) -> tuple[str, float]:
    """The most frequent gold label and the accuracy of always answering it."""
    if not golds:
        return "", 0.0
    label, count = Counter(golds).most_common(1)[0]
    return label, count / len(golds)


def accuracy(golds: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(golds, predicted, strict=True)) / max(1, len(golds))


def recall_by_class(golds: Sequence[str], predicted: Sequence[str]) -> dict[str, float | None]:
    """Per gold class, the share answered right (None for a class with no pair)."""
    out: dict[str, float | None] = {}
    for label in LABELS:
        hits = [p == label for g, p in zip(golds, predicted, strict=True) if g == label]
        out[label] = sum(hits) / len(hits) if hits else None
    return out
