"""Evaluate: how well a model fills a field set, on a firm's own labelled documents.

A firm pilots a model on its own samples before adopting it. The documents named in a
labels file (app/tasks/eval_labels) are imported into a throwaway encrypted matter,
destroyed afterwards whatever happens, and run through the same Extract pipeline a
lawyer uses (app/tasks/extract). Each cell is scored against its label by the rules of
app/tasks/eval_match; the keyword baseline (app/tasks/eval_baseline) is scored on the same
page text with the same rules, so every accuracy has a floor beside it. Per field:
accuracy, how many cells were scored, and the share of the model's found cells whose
quote was verified on the page (status ``supported``).

One audit record ``task.run`` (kind "evaluate") gives the document ids and the counts;
no label, value or file name goes into the log.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.audit.records import DetailValue
from app.cancel import CancelToken, Progress, no_progress
from app.engine.protocol import EngineLike
from app.errors import CancelledError
from app.evaluation.baseline import baseline_value
from app.evaluation.labels import EvaluationError, Labels
from app.evaluation.match import is_correct, match_kind
from app.ingest.importer import import_paths
from app.matters import create_matter, delete_matter, lock_matter, open_matter
from app.tasks.audited import record_task_run
from app.tasks.extract import Grid, Status, extract_grid
from app.tasks.fieldsets import FieldSet
from app.vault import Vault

#: Share of the progress bar taken by importing (extraction takes the rest).
IMPORT_SHARE = 0.05


@dataclass(frozen=True)
class Outcome:
    """One labelled cell: the label, the model's and the baseline's answers, and verdicts."""

    document: str
    field: str
    label: str
    value: str | None
    status: Status
    #: None when the label cannot be scored (a redacted "[* * *]").
    correct: bool | None
    baseline: str | None
    baseline_correct: bool | None
    #: The field's commonest label over the evaluated documents, and whether it fits here.
    majority: str | None = None
    majority_correct: bool | None = None
    page: int | None = None
    quote: str = ""
    #: "rule", "model" or "generated" (app/tasks/extract/cells.Cell.decided_by).
    decided_by: str | None = None
    derivation: str | None = None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class FieldScore:
    name: str
    title: str
    kind: str
    #: Cells scored (labels that could be scored).
    n: int
    model_correct: int
    baseline_correct: int
    #: Model cells with a value (supported or unsupported), and those whose quote checked out.
    found: int
    verified: int
    #: Cells the always-the-commonest-answer baseline gets right.
    majority_correct: int = 0

    @property
    def model_accuracy(self) -> float | None:
        return _share(self.model_correct, self.n)

    @property
    def baseline_accuracy(self) -> float | None:
        return _share(self.baseline_correct, self.n)

    @property
    def verified_share(self) -> float | None:
        return _share(self.verified, self.found)

    @property
    def majority_accuracy(self) -> float | None:
        return _share(self.majority_correct, self.n)

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "model_accuracy": self.model_accuracy,
            "baseline_accuracy": self.baseline_accuracy,
            "majority_accuracy": self.majority_accuracy,
            "verified_share": self.verified_share,
        }


def field_score(name: str, title: str, kind: str, outcomes: Sequence[Outcome]) -> FieldScore:
    scored = [o for o in outcomes if o.correct is not None]
    found = [o for o in outcomes if o.status != "not_found"]
    return FieldScore(
        name,
        title,
        kind,
        len(scored),
        sum(bool(o.correct) for o in scored),
        sum(bool(o.baseline_correct) for o in scored),
        len(found),
        sum(o.status == "supported" for o in found),
        sum(bool(o.majority_correct) for o in scored),
    )


@dataclass(frozen=True)
class Evaluation:
    fieldset: str
    labels: str
    model: str | None
    #: Labelled documents evaluated, in the labels' order.
    documents: list[str]
    fields: list[FieldScore]
    outcomes: list[Outcome]
    #: Labelled documents left out (refused at import): id -> why.
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: Model seconds per document (extraction only, not import).
    seconds_per_document: float = 0.0

    @property
    def overall(self) -> FieldScore:
        return field_score("overall", "Overall", "all", self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "fieldset": self.fieldset,
            "labels": self.labels,
            "model": self.model,
            "documents": self.documents,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 2),
            "seconds_per_document": round(self.seconds_per_document, 2),
            "fields": [f.to_json() for f in self.fields],
            "overall": self.overall.to_json(),
            "outcomes": [asdict(o) for o in self.outcomes],
        }


def score(
    grid: Grid,
    fieldset: FieldSet,
    labels: Labels,
    label_ids: Mapping[str, str],
    pages: Mapping[str, Sequence[str]],
) -> tuple[list[FieldScore], list[Outcome]]:
    """Score each cell of ``grid`` (rows by vault id; ``label_ids`` maps them to label rows)."""
    outcomes: list[Outcome] = []
    evaluated = [label_ids[row.document_id] for row in grid.rows]
    for row in grid.rows:
        document = label_ids[row.document_id]
        for item in fieldset.fields:
            kind, label, cell = (
                match_kind(item),
                labels.rows[document][item.name],
                row.cells[item.name],
            )
            guess = baseline_value(item, kind, pages[row.document_id])
            common = majority_answer(kind, [labels.rows[d][item.name] for d in evaluated])
            outcomes.append(
                Outcome(
                    document,
                    item.name,
                    label,
                    cell.value,
                    cell.status,
                    is_correct(kind, label, cell.value),
                    guess,
                    is_correct(kind, label, guess),
                    common,
                    is_correct(kind, label, common),
                    cell.page,
                    cell.quote,
                    cell.decided_by,
                    cell.derivation,
                )
            )
    fields = [
        field_score(f.name, f.title, match_kind(f), [o for o in outcomes if o.field == f.name])
        for f in fieldset.fields
    ]
    return fields, outcomes


def majority_answer(kind: str, labels: Sequence[str]) -> str | None:
    """The answer given most often in ``labels`` (None, "not found", when that is commonest).

    The floor every field is printed beside: a pipeline that cannot beat always giving
    the commonest answer has learnt nothing about the documents.
    """
    counts: dict[str, int] = {}
    for label in labels:
        key = label.strip()
        if kind == "choice" and not key:
            key = "No"
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], k))
    return best or None


@contextmanager
def scratch_matter(purpose: str = "evaluation") -> Iterator[Vault]:
    """A throwaway encrypted matter, destroyed on the way out whatever happens.

    Its passphrase is random and never shown: nothing but this process can open it.
    """
    name = f"Chambers {purpose} {datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    info, recovery = create_matter(name, passphrase=secrets.token_urlsafe(24), use_keyring=False)
    try:
        vault = open_matter(info, recovery_key=recovery, use_keyring=False).vault
        try:
            yield vault
        finally:
            lock_matter(vault, reason=purpose)
    finally:
        delete_matter(info)


def _import(
    vault: Vault, files: Mapping[str, Path], progress: Progress, cancel: CancelToken
) -> tuple[dict[str, str], dict[str, str]]:
    """Import ``files``; (vault id -> label id, label id -> why it was skipped)."""
    by_path = {str(path): document for document, path in files.items()}
    summary = import_paths(
        vault,
        list(files.values()),
        progress=lambda f, m: progress(f * IMPORT_SHARE, m),
        cancel=cancel,
    )
    if summary.cancelled:
        raise CancelledError("The evaluation was cancelled.")
    label_ids = {d.document_id: by_path[d.path] for d in summary.imported if d.path in by_path}
    skipped = {by_path[r.path]: r.message for r in summary.refused if r.path in by_path}
    for path, existing in summary.duplicates:  # the same file under two names: score it once
        if path in by_path:
            skipped[by_path[path]] = f"the same file as {label_ids.get(existing, existing)}"
    return label_ids, skipped


def evaluate(
    files: Mapping[str, Path],
    fieldset: FieldSet,
    labels: Labels,
    engine: EngineLike,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Evaluation:
    """Import ``files`` (label id -> path) into a scratch matter, extract, score, destroy."""
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    identity = engine.identity
    with scratch_matter() as vault:
        label_ids: dict[str, str] = {}
        details: dict[str, DetailValue] = {}
        outcome = "error"
        try:
            label_ids, skipped = _import(vault, files, progress, cancel)
            if not label_ids:
                raise EvaluationError(
                    f"None of the {len(files)} labelled document(s) could be imported.",
                    "Check that the files open in Chambers (`chambers import`).",
                )
            order = {document: i for i, document in enumerate(files)}
            ids = sorted(label_ids, key=lambda d: order[label_ids[d]])
            grid = extract_grid(
                ids,
                fieldset,
                engine,
                vault,
                progress=lambda f, m: progress(IMPORT_SHARE + f * (1 - IMPORT_SHARE), m),
                cancel=cancel,
            )
            pages = {d: [p.text for p in vault.pages(d)] for d in ids}
            fields, outcomes = score(grid, fieldset, labels, label_ids, pages)
            result = Evaluation(
                fieldset.name,
                str(labels.path),
                identity.id if identity else None,
                [label_ids[d] for d in ids],
                fields,
                outcomes,
                skipped,
                time.perf_counter() - start,
                sum(r.seconds for r in grid.rows) / max(1, len(grid.rows)),
            )
            overall = result.overall
            details = {
                "documents": len(ids),
                "fields": len(fields),
                "scored": overall.n,
                "model_correct": overall.model_correct,
                "baseline_correct": overall.baseline_correct,
                "found": overall.found,
                "verified": overall.verified,
                "skipped": len(skipped),
            }
            outcome = "ok"
        except CancelledError:
            outcome = "cancelled"
            raise
        finally:
            record_task_run(
                "evaluate",
                vault.vault_id,
                engine,
                document_ids=list(label_ids),
                outcome=outcome,
                seconds=time.perf_counter() - start,
                details=details,
            )
    return result
