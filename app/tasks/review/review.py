"""Review one document against a playbook: find -> score -> decide -> quote.

For each statement: the document's sentences ranked for it (candidates.py), the model's
option scores over the best few when the document has wording on the topic
(decide.py), the fitted combiner's label, and the quote copied from the sentence that
carries the deciding cue, so it is verbatim by construction and checked on its page.
Model calls are timed; the calibration scores of the content-free prompt are computed
once per statement and engine and reused for every document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from app.cancel import CancelToken, Progress, no_progress
from app.engine.calibration import content_free_scores
from app.engine.protocol import EngineLike
from app.tasks.quote import CitedSpan, Quote, quote_from_fields
from app.tasks.review.candidates import (
    Candidate,
    QuoteNotOnPageError,
    assert_on_page,
    document_sentences,
    rank_sentences,
    statement_query,
)
from app.tasks.review.decide import (
    LABELS,
    OPTION_LETTERS,
    SHOWN_SENTENCES,
    Combiner,
    Evidence,
    Label,
    decide,
    load_combiner,
    needs_model,
    prompt_messages,
    shown_text,
)
from app.tasks.review.playbook import Playbook, Statement, load_playbook
from app.tasks.review.positions import ProposedChange, outcome, proposed_change, risk_order
from app.vault import Vault

#: Candidates kept per statement (for the quote and the features).
KEPT = 8


@dataclass(frozen=True)
class ReviewRow(CitedSpan):
    statement_id: str
    statement: str
    label: Label
    #: The sentence quoted (app/tasks/quote.py); None without a quote.
    cited: Quote | None
    score: float
    verified: bool
    decided_by: str  # "rule" | "model" | "default"
    model_seconds: float = 0.0
    #: The firm's position (positions.py): the answer it wants, the risk, the guidance,
    #: the outcome, and the change the redline proposes (None where none is needed).
    position: str | None = None
    risk: str | None = None
    guidance: str | None = None
    outcome: str | None = None
    change: ProposedChange | None = None

    @property
    def page(self) -> int | None:
        return self.cited.page if self.cited else None

    @property
    def quote(self) -> str | None:
        """The sentence on one line, for display and the exports."""
        return self.cited.flat if self.cited else None

    def to_json(self) -> dict[str, Any]:
        """The row's fields as ``chambers review --json`` has always written them."""
        data = asdict(self)
        del data["cited"]
        where = self.cited.fields() if self.cited else dict.fromkeys(_WHERE)
        return (
            data
            | where
            | {"score": round(self.score, 4), "model_seconds": round(self.model_seconds, 3)}
        )

    @classmethod
    def from_json(cls, node: Mapping[str, Any], document_id: str) -> ReviewRow:
        """A row as ``to_json`` wrote it; a row kept without its span loses its quote."""
        names = {f.name for f in fields(cls)} - {"cited"}
        cited = quote_from_fields(
            document_id,
            node.get("page"),
            node.get("quote"),
            node.get("char_start"),
            node.get("char_end"),
        )
        return cls(cited=cited, **{k: v for k, v in node.items() if k in names})


_WHERE = ("page", "quote", "char_start", "char_end")


@dataclass
class ReviewResult:
    document_id: str
    playbook: str
    rows: list[ReviewRow]
    seconds: float
    notes: list[str] = field(default_factory=list)
    #: Per statement the features the decision used (for fitting and reading misses).
    evidence: list[Evidence] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(LABELS, 0)
        for row in self.rows:
            out[row.label] += 1
        return out

    def ordered(self) -> list[ReviewRow]:
        """The rows by risk (high first), deviations before missing points before fine."""
        order = {r.statement_id: i for i, r in enumerate(self.rows)}
        return sorted(
            self.rows,
            key=lambda r: (*risk_order(r.risk, r.outcome), order[r.statement_id]),  # type: ignore[arg-type]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "playbook": self.playbook,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "rows": [r.to_json() for r in self.ordered()],
        }


def _model_sha(engine: EngineLike) -> str | None:
    identity = engine.identity
    return identity.sha256 if identity is not None else None


def model_scores(
    engine: EngineLike,
    statement: Statement,
    candidates: list[Candidate],
    cancel: CancelToken | None,
) -> tuple[float, float, float]:
    """Calibrated log-probabilities of A/B/C: the content-free prompt's scores subtracted.

    The content-free scores come from the engine's one calibration cache (per model and
    prompt), so each statement's are measured once however many documents are reviewed.
    """
    letters = list(OPTION_LETTERS)
    blank = engine.render(prompt_messages(statement.statement, ["N/A"]))
    baseline = content_free_scores(engine, blank, letters, cancel=cancel)
    shown = [shown_text(c) for c in candidates[:SHOWN_SENTENCES]]
    prompt = engine.render(prompt_messages(statement.statement, shown))
    raw = engine.score_options(prompt, letters, cancel=cancel)
    a, b, c = (r - z for r, z in zip(raw, baseline, strict=True))
    return a, b, c


def _quote_source(evidence: Evidence, label: Label) -> Candidate | None:
    if label == "NotMentioned":
        return None
    cue = "entail" if label == "Entailment" else "contradict"
    return (
        evidence.first(cue)
        or evidence.first("topic")
        or (evidence.candidates[0] if evidence.candidates else None)
    )


def with_position(row: ReviewRow, statement: Statement) -> ReviewRow:
    """``row`` with the firm's position on its statement and the outcome of its label."""
    position = statement.position
    if position is None:
        return row
    result = outcome(position, row.label)
    return replace(
        row,
        position=position.want,
        risk=position.risk,
        guidance=position.guidance,
        outcome=result,
        change=proposed_change(position, result),
    )


def review_statement(
    engine: EngineLike | None,
    statement: Statement,
    ranked: list[Candidate],
    pages: dict[int, str],
    combiner: Combiner | None,
    cancel: CancelToken | None,
    *,
    document_id: str,
    collect: bool = False,
) -> tuple[ReviewRow, Evidence]:
    """One statement: cues, then the model only where the fitted cue stage is unsure.

    ``collect`` asks the model wherever the cue stage is unsure even when no model
    weights exist yet: how tools/fit_review.py gathers the dev features to fit them.
    """
    best = max((c.coverage for c in ranked), default=0.0)
    evidence = Evidence(statement.id, tuple(ranked[:KEPT]), best)
    seconds = 0.0
    if combiner is None:
        ask = needs_model(evidence)
    else:
        ask = combiner.wants_model(evidence) or (collect and combiner.unsure(evidence))
    if engine is not None and ranked and ask:
        start = time.perf_counter()
        scores = model_scores(engine, statement, ranked, cancel)
        evidence = Evidence(statement.id, evidence.candidates, best, scores)
        seconds = time.perf_counter() - start
    label, score, by = decide(evidence, combiner)
    source = _quote_source(evidence, label)
    if source is None:
        if label != "NotMentioned":  # a document with no sentence at all
            label, by = "NotMentioned", "rule"
        row = ReviewRow(statement.id, statement.statement, label, None, score, False, by, seconds)
        return with_position(row, statement), evidence
    sentence = source.sentence
    # The quote is the sentence itself, so its span is the sentence's own (find_quote's
    # span leaves out edge punctuation such as the closing full stop); the check on the
    # page stays as the guarantee's witness.
    try:
        assert_on_page(sentence.text, sentence.page, pages)
        verified = True
    except QuoteNotOnPageError:
        verified = False
    cited = Quote.of(document_id, sentence)
    row = ReviewRow(statement.id, statement.statement, label, cited, score, verified, by, seconds)
    return with_position(row, statement), evidence


def review_document(
    engine: EngineLike | None,
    vault: Vault,
    document_id: str,
    playbook: str | Playbook,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_row: Callable[[ReviewRow], None] | None = None,
    collect_features: bool = False,
) -> ReviewResult:
    """Every statement of ``playbook`` for one document, in the playbook's order.

    ``engine`` None decides from the cues alone (a test, or a machine without a model).
    """
    cancel = cancel or CancelToken()
    book = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    start = time.perf_counter()
    notes: list[str] = []
    sha = _model_sha(engine) if engine is not None else None
    combiner = load_combiner(book.weights or book.name, sha)
    if engine is None:
        notes.append("No model: decided from the playbook's cue patterns only.")
    if combiner is None:
        notes.append(
            f"No review weights are fitted for playbook {book.name!r}: the default rule "
            "decided (cue patterns, then the model's calibrated choice where no cue is found)."
        )
    elif engine is not None and combiner.model_sha256 is None:
        notes.append(
            f"No review weights are fitted for this model ({sha or '?'}) and playbook "
            f"{book.name!r}: decided from the cue patterns' fitted weights without the model "
            "(fit them with tools/fit_review.py)."
        )
    pages, sentences = document_sentences(vault, document_id)
    if not sentences:
        notes.append("The document has no text (it may need OCR): nothing is mentioned.")
    result = ReviewResult(document_id, book.name, [], 0.0, notes)
    total = len(book.statements)
    for i, statement in enumerate(book.statements):
        cancel.raise_if_cancelled()
        progress(i / max(1, total), f"statement {i + 1} of {total}")
        ranked = rank_sentences(
            statement, sentences, statement_query(statement, vault, document_id), cancel
        )
        row, evidence = review_statement(
            engine,
            statement,
            ranked,
            pages,
            combiner,
            cancel,
            document_id=document_id,
            collect=collect_features,
        )
        result.rows.append(row)
        result.evidence.append(evidence)
        if on_row is not None:
            on_row(row)
    progress(1.0, "done")
    result.seconds = time.perf_counter() - start
    return result
