"""Evaluate a playbook review on ContractNLI-format data (`chambers evaluate --playbook`).

A firm pilots the NDA review on its own labelled NDAs (the format of ContractNLI,
Koreeda & Manning 2021: documents with ``text`` and ``annotation_sets``, and ``labels``
naming each statement). The NDAs are imported into a throwaway encrypted matter,
destroyed afterwards, and reviewed by the same pipeline a lawyer uses
(app/tasks/review). In the same run, on the same sentences, two floors without a
model: the keyword baseline (Entailment when a sentence holds at least half of the
statement's weighed words, else NotMentioned, as Ask's relevance gate) and the
commonest answer per statement among the documents evaluated. Accuracy flatters a
majority guess, so macro-F1 is given too.

One ``task.run`` audit record (kind "evaluate") holds ids and counts, never text.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.audit.records import DetailValue
from app.cancel import CancelToken, Progress, no_progress
from app.engine.protocol import EngineLike
from app.errors import CancelledError
from app.evaluation.extraction import scratch_matter
from app.evaluation.labels import EvaluationError
from app.ingest.importer import import_paths
from app.tasks.audited import record_task_run
from app.tasks.quotes import find_quote
from app.tasks.retrieve import MIN_COVERAGE
from app.tasks.review import LABELS, Playbook, load_playbook
from app.tasks.review.review import ReviewResult, review_document

Span = tuple[int, int]


@dataclass(frozen=True)
class LabelledNda:
    id: str
    file_name: str
    text: str
    #: statement id -> (gold label, evidence spans in ``text``)
    gold: dict[str, tuple[str, tuple[Span, ...]]]


def load_contractnli(
    path: Path, limit: int | None = None
) -> tuple[dict[str, str], list[LabelledNda]]:
    """(statement id -> statement, the first ``limit`` documents) of a ContractNLI file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        statements = {key: item["hypothesis"] for key, item in data["labels"].items()}
        ndas = []
        for doc in data["documents"][:limit]:
            spans = doc["spans"]
            annotations = doc["annotation_sets"][0]["annotations"]
            gold = {
                key: (
                    ann["choice"],
                    tuple((int(spans[i][0]), int(spans[i][1])) for i in ann["spans"]),
                )
                for key, ann in annotations.items()
            }
            ndas.append(
                LabelledNda(str(doc["id"]), str(doc.get("file_name", doc["id"])), doc["text"], gold)
            )
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
        IndexError,
    ) as exc:
        raise EvaluationError(
            f"{path} is not a readable ContractNLI-format file ({type(exc).__name__}: {exc}).",
            "Give a JSON file with 'documents' (text, spans, annotation_sets) and 'labels'.",
        ) from exc
    if not ndas:
        raise EvaluationError(f"{path} holds no documents.")
    return statements, ndas


@dataclass(frozen=True)
class Outcome:
    document: str
    statement_id: str
    gold: str
    value: str
    baseline: str
    page: int | None
    quote: str | None
    verified: bool
    decided_by: str
    score: float
    #: The quote overlaps the gold evidence (None: no quote or no gold evidence).
    on_evidence: bool | None
    features: list[float]
    model_seconds: float


def macro_f1(golds: Sequence[str], predicted: Sequence[str]) -> float:
    """Mean F1 over the three labels (a label absent from both counts as 0)."""
    scores = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(golds, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(golds, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(golds, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def score_block(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures firms script against, for one statement or overall."""
    golds = [o.gold for o in outcomes]
    majority = {  # the commonest answer of each statement, over the documents evaluated
        sid: Counter(o.gold for o in outcomes if o.statement_id == sid).most_common(1)[0][0]
        for sid in {o.statement_id for o in outcomes}
    }
    common = [majority[o.statement_id] for o in outcomes]
    cited = [o for o in outcomes if o.value != "NotMentioned"]
    n = len(outcomes)
    return {
        "n": n,
        "model_accuracy": _share(sum(o.value == o.gold for o in outcomes), n),
        "baseline_accuracy": _share(sum(o.baseline == o.gold for o in outcomes), n),
        "majority_accuracy": _share(sum(c == g for c, g in zip(common, golds, strict=True)), n),
        "macro_f1": macro_f1(golds, [o.value for o in outcomes]) if n else None,
        "baseline_macro_f1": macro_f1(golds, [o.baseline for o in outcomes]) if n else None,
        "majority_macro_f1": macro_f1(golds, common) if n else None,
        "cited": len(cited),
        "verified_share": _share(sum(o.verified for o in cited), len(cited)),
        "model_calls": sum(o.decided_by == "model" for o in outcomes),
    }


@dataclass
class PlaybookEvaluation:
    playbook: str
    source: str
    model: str | None
    documents: list[str]
    outcomes: list[Outcome]
    statements: dict[str, str]
    seconds: float = 0.0
    review_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def seconds_per_document(self) -> float:
        return self.review_seconds / max(1, len(self.documents))

    @property
    def seconds_per_statement(self) -> float:
        return self.review_seconds / max(1, len(self.outcomes))

    def per_statement(self) -> dict[str, dict[str, Any]]:
        return {
            sid: score_block([o for o in self.outcomes if o.statement_id == sid])
            for sid in self.statements
            if any(o.statement_id == sid for o in self.outcomes)
        }

    def to_json(self) -> dict[str, Any]:
        overall = score_block(self.outcomes)
        overall["seconds_per_document"] = round(self.seconds_per_document, 3)
        overall["seconds_per_statement"] = round(self.seconds_per_statement, 3)
        return {
            "playbook": self.playbook,
            "source": self.source,
            "model": self.model,
            "documents": self.documents,
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
            "seconds_per_document": round(self.seconds_per_document, 3),
            "overall": overall,
            "statements": {
                sid: {"statement": self.statements[sid], **block}
                for sid, block in self.per_statement().items()
            },
            "outcomes": [asdict(o) for o in self.outcomes],
        }


def keyword_baseline(result: ReviewResult, statement_id: str) -> str:
    """Entailment when a sentence holds half the statement's weighed words, else NotMentioned."""
    evidence = next(e for e in result.evidence if e.statement_id == statement_id)
    return "Entailment" if evidence.best_coverage >= MIN_COVERAGE else "NotMentioned"


def _outcomes(result: ReviewResult, nda: LabelledNda) -> list[Outcome]:
    out = []
    for row, evidence in zip(result.rows, result.evidence, strict=True):
        if row.statement_id not in nda.gold:
            continue
        gold, spans = nda.gold[row.statement_id]
        on_evidence = None
        if row.quote and spans:
            found = find_quote(row.quote, nda.text)
            on_evidence = found is not None and any(found[0] < e and s < found[1] for s, e in spans)
        out.append(
            Outcome(
                nda.id,
                row.statement_id,
                gold,
                row.label,
                keyword_baseline(result, row.statement_id),
                row.page,
                row.quote,
                row.verified,
                row.decided_by,
                round(row.score, 4),
                on_evidence,
                [round(v, 4) for v in evidence.features()],
                round(row.model_seconds, 3),
            )
        )
    return out


def evaluate_playbook(
    path: Path,
    playbook: str | Playbook,
    engine: EngineLike | None,
    *,
    limit: int | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    collect_features: bool = False,
) -> PlaybookEvaluation:
    """Import the NDAs of ``path`` into a scratch matter, review each, score, destroy.

    ``collect_features`` (tools/fit_review.py) asks the model wherever the cue stage is
    unsure, whether or not model weights exist yet.
    """
    cancel = cancel or CancelToken()
    book = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    statements, ndas = load_contractnli(path, limit)
    missing = [sid for sid in statements if sid not in {s.id for s in book.statements}]
    if len(missing) == len(statements):
        raise EvaluationError(
            f"None of the statements of {path} is in playbook {book.name!r}.",
            "Evaluate with the playbook whose statement ids the labels use (e.g. nda).",
        )
    start = time.perf_counter()
    identity = engine.identity if engine is not None else None
    result = PlaybookEvaluation(
        book.name,
        str(path),
        identity.id if identity else None,
        [],
        [],
        {s.id: s.statement for s in book.statements if s.id in statements},
    )
    with scratch_matter("playbook evaluation") as vault, tempfile.TemporaryDirectory() as folder:
        outcome, ids = "error", []
        try:
            files = []
            for nda in ndas:
                file = Path(folder) / f"nda-{nda.id}.txt"
                file.write_text(nda.text, encoding="utf-8")
                files.append(file)
            summary = import_paths(vault, files, cancel=cancel)
            by_path = {d.path: d.document_id for d in summary.imported}
            for i, (nda, file) in enumerate(zip(ndas, files, strict=True)):
                document_id = by_path.get(str(file))
                if document_id is None:
                    result.notes.append(f"NDA {nda.id} could not be imported and was left out.")
                    continue
                progress(i / len(ndas), f"NDA {i + 1} of {len(ndas)}")
                review = review_document(
                    engine,
                    vault,
                    document_id,
                    book,
                    cancel=cancel,
                    collect_features=collect_features,
                )
                ids.append(document_id)
                result.documents.append(nda.id)
                result.review_seconds += review.seconds
                result.outcomes += _outcomes(review, nda)
                for note in review.notes:
                    if note not in result.notes:
                        result.notes.append(note)
            outcome = "ok"
        except CancelledError:
            outcome = "cancelled"
            raise
        finally:
            if engine is not None:
                overall = score_block(result.outcomes) if result.outcomes else {}
                details: dict[str, DetailValue] = {
                    "playbook": book.name,
                    "documents": len(ids),
                    "pairs": len(result.outcomes),
                    "model_correct": sum(o.value == o.gold for o in result.outcomes),
                    "baseline_correct": sum(o.baseline == o.gold for o in result.outcomes),
                    "cited": int(overall.get("cited", 0)),
                }
                record_task_run(
                    "evaluate",
                    vault.vault_id,
                    engine,
                    document_ids=ids,
                    outcome=outcome,
                    seconds=time.perf_counter() - start,
                    details=details,
                )
    result.seconds = time.perf_counter() - start
    return result


def format_playbook_evaluation(result: PlaybookEvaluation) -> str:
    """The per-statement table: model, keyword baseline, commonest answer, quotes verified."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    def f1(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    data = result.to_json()
    lines = [
        f"{len(result.documents)} NDA(s), playbook {result.playbook}, model {result.model or '-'}: "
        f"{result.seconds:.0f} s ({result.seconds_per_statement:.2f} s per statement, "
        f"{result.seconds_per_document:.1f} s per document)",
        "",
        f"{'statement':<10} {'n':>4} {'model':>7} {'keyword':>8} {'common':>7}  "
        f"{'F1 model/kw/common':<20} {'verified':>9}  model calls",
    ]
    blocks = [(sid, b) for sid, b in data["statements"].items()] + [("overall", data["overall"])]
    for sid, b in blocks:
        lines.append(
            f"{sid:<10} {b['n']:>4} {pct(b['model_accuracy']):>7} {pct(b['baseline_accuracy']):>8} "
            f"{pct(b['majority_accuracy']):>7}  "
            f"{f1(b['macro_f1']) + ' / ' + f1(b['baseline_macro_f1']) + ' / ' + f1(b['majority_macro_f1']):<20} "
            f"{pct(b['verified_share']):>9}  {b['model_calls']}"
        )
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)
