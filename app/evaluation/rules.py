"""The rules alone on labelled documents: what fitting reads, and cross-validated figures.

Fitting must not read the documents it is judged on. The clause thresholds (when a
yes/no cue is strong enough to answer Yes) are fitted on the CUAD train contracts only
(tools/fit_clauses.py); ``make eval`` then shows train figures cross-validated by
document (each fold's threshold fitted on the other folds) beside the dev figures.

Yes/no fields are mostly "No", so a field is also scored by balanced accuracy (the mean
of the share of Yes found and the share of No kept): always answering No scores 0.5
however rare Yes is, where its plain accuracy can look excellent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.evaluation.baseline import baseline_value
from app.evaluation.extraction import FieldScore, Outcome, field_score, majority_answer
from app.evaluation.labels import Labels
from app.evaluation.match import is_correct, match_kind
from app.ingest.reader import read_bytes
from app.ingest.types import IngestLimits
from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.candidates.registry import parse_config
from app.tasks.extract.params import DEFAULT_CLAUSE_THRESHOLD, ChooserParams
from app.tasks.extract.typed import typed_cell
from app.tasks.fieldsets import Field, FieldSet

#: A threshold above every cue weight: the field never answers Yes (its cues were not
#: better than always answering No on the fitting documents).
NEVER = 100.0
FOLDS = 5


def read_documents(folder: Path, ids: Sequence[str]) -> dict[str, DocumentText]:
    """Document id -> its pages, read from ``folder``/pdf/<id>.pdf as Chambers imports them."""
    out = {}
    for document in ids:
        path = folder / "pdf" / f"{document}.pdf"
        read = read_bytes(path.read_bytes(), path.name, IngestLimits())
        out[document] = DocumentText([Page(p.number, p.text) for p in read.pages])
    return out


def clause_scores(item: Field, docs: Mapping[str, DocumentText]) -> dict[str, float]:
    """Document id -> the strongest cue weight of ``item``'s clause in it (0 when none)."""
    config = parse_config("clause", item.cues or {})
    out = {}
    for document, doc in docs.items():
        found = Extractors(doc).candidates("clause", config)
        out[document] = found[0].score if found else 0.0
    return out


def yes_labels(item: Field, labels: Mapping[str, Mapping[str, str]]) -> dict[str, bool]:
    """Document id -> whether its label says Yes (unscoreable labels left out)."""
    out = {}
    for document, row in labels.items():
        said = is_correct("choice", row[item.name], "Yes")
        if said is not None:
            out[document] = said
    return out


def balanced_accuracy(predicted: Sequence[bool], gold: Sequence[bool]) -> float | None:
    """Mean of recall on Yes and on No; None when one class is absent."""
    yes = [p for p, g in zip(predicted, gold, strict=True) if g]
    no = [not p for p, g in zip(predicted, gold, strict=True) if not g]
    if not yes or not no:
        return None
    return (sum(yes) / len(yes) + sum(no) / len(no)) / 2


def _accuracy(scores: Mapping[str, float], gold: Mapping[str, bool], threshold: float) -> float:
    return sum((scores[d] >= threshold) == g for d, g in gold.items()) / max(1, len(gold))


def fit_threshold(scores: Mapping[str, float], gold: Mapping[str, bool]) -> float:
    """The threshold answering most labels right; ties: better balanced, then nearest 1.0.

    The candidates are the weights that occur (a threshold between two of them decides
    alike) and NEVER.
    """
    options = sorted({s for s in scores.values() if s > 0} | {NEVER})
    ids = list(gold)

    def key(threshold: float) -> tuple[float, float, float]:
        predicted = [scores[d] >= threshold for d in ids]
        balanced = balanced_accuracy(predicted, [gold[d] for d in ids]) or 0.0
        nearness = -abs(threshold - DEFAULT_CLAUSE_THRESHOLD)
        return (round(_accuracy(scores, gold, threshold), 9), round(balanced, 9), nearness)

    return max(options, key=key)


@dataclass(frozen=True)
class ClauseFit:
    threshold: float
    #: Out-of-fold predictions (each fold's threshold fitted on the other folds).
    cross_validated: dict[str, bool]
    n: int
    yes: int
    accuracy_cv: float
    balanced_cv: float | None

    def figures(self) -> dict[str, float | int | None]:
        return {
            "documents": self.n,
            "yes": self.yes,
            "accuracy_5fold": round(self.accuracy_cv, 4),
            "balanced_accuracy_5fold": None
            if self.balanced_cv is None
            else round(self.balanced_cv, 4),
        }


def fit_clause(
    scores: Mapping[str, float], gold: Mapping[str, bool], folds: int = FOLDS
) -> ClauseFit:
    """The threshold fitted on every document, and ``folds``-fold figures by document."""
    ids = sorted(gold)
    predicted: dict[str, bool] = {}
    for k in range(folds):
        held = set(ids[k::folds])
        threshold = fit_threshold(scores, {d: gold[d] for d in ids if d not in held})
        predicted.update({d: scores[d] >= threshold for d in held})
    right = sum(predicted[d] == gold[d] for d in ids)
    balanced = balanced_accuracy([predicted[d] for d in ids], [gold[d] for d in ids])
    return ClauseFit(
        fit_threshold(scores, gold),
        predicted,
        len(ids),
        sum(gold.values()),
        right / max(1, len(ids)),
        balanced,
    )


def balanced_of(outcomes: Sequence[Outcome], baseline: bool = False) -> float | None:
    """Balanced accuracy of a yes/no field's cells (the pipeline's, or the keyword's)."""
    scored = [o for o in outcomes if o.correct is not None]
    gold = [is_correct("choice", o.label, "Yes") for o in scored]
    answers = [o.baseline if baseline else o.value for o in scored]
    said = [is_correct("choice", "Yes", a) for a in answers]
    pairs = [(bool(s), g) for s, g in zip(said, gold, strict=True) if g is not None]
    return balanced_accuracy([p for p, _ in pairs], [g for _, g in pairs])


@dataclass(frozen=True)
class RuleEvaluation:
    fields: list[FieldScore]
    outcomes: list[Outcome]
    #: Clause fields: the threshold fit with its cross-validated predictions.
    fits: dict[str, ClauseFit]


def evaluate_rules(
    docs: Mapping[str, DocumentText],
    fieldset: FieldSet,
    labels: Labels,
    params: ChooserParams,
    *,
    cross_validate: bool = False,
) -> RuleEvaluation:
    """Every typed field decided by the rules alone (no model), scored like ``evaluate``.

    With ``cross_validate`` each clause field's answers are the out-of-fold ones: its
    threshold fitted on the other folds of these same documents (the train figures);
    without, the thresholds in ``params`` decide (fitted elsewhere: the dev figures).
    """
    ids = [d for d in labels.document_ids if d in docs]
    extractors = {d: Extractors(docs[d]) for d in ids}
    fits: dict[str, ClauseFit] = {}
    outcomes: list[Outcome] = []
    for item in fieldset.fields:
        if not item.extractor:
            continue
        kind = match_kind(item)
        common = majority_answer(kind, [labels.rows[d][item.name] for d in ids])
        folded: dict[str, bool] = {}
        if cross_validate and item.extractor == "clause":
            gold = yes_labels(item, {d: labels.rows[d] for d in ids})
            fits[item.name] = fit_clause(clause_scores(item, {d: docs[d] for d in gold}), gold)
            folded = fits[item.name].cross_validated
        for document in ids:
            doc, label = docs[document], labels.rows[document][item.name]
            cell = typed_cell(item, extractors[document], None, params)
            value = cell.value
            if document in folded:
                value = "Yes" if folded[document] else "No"
            guess = baseline_value(item, kind, [p.text for p in doc.pages])
            outcomes.append(
                Outcome(
                    document,
                    item.name,
                    label,
                    value,
                    cell.status,
                    is_correct(kind, label, value),
                    guess,
                    is_correct(kind, label, guess),
                    common,
                    is_correct(kind, label, common),
                    cell.page,
                    cell.quote,
                    "rule",
                )
            )
    fields = [
        field_score(f.name, f.title, match_kind(f), [o for o in outcomes if o.field == f.name])
        for f in fieldset.fields
        if f.extractor
    ]
    return RuleEvaluation(fields, outcomes, fits)
