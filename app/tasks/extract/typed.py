"""A typed field's cell: candidates -> decide (or let the model choose) -> copy.

- Candidates come from the field's generator (app/tasks/candidates), over every page.
- Decide: one candidate, candidates that all say the same, or a clear winner by rule
  score (a margin fitted on dev data) is the answer without asking the model.
- Otherwise the model chooses among the best few distinct answers, each shown as its
  verbatim sentence; its calibrated letter scores are combined with the rule scores by
  weights fitted on dev data (resources/extract/chooser.json).
- Copy: the cell's value is the candidate's normalised value and its quote the
  candidate's sentence, cut from the page, so it is verbatim by construction; the
  quote is still checked against the page (``verbatim_cell``), and a test makes sure
  a quote that is not there would be flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cancel import CancelToken
from app.tasks.candidates import Candidate, Extractors, distinct_values
from app.tasks.candidates.registry import parse_config
from app.tasks.chooser import Chooser
from app.tasks.extract.cells import Cell
from app.tasks.extract.params import ChooserParams
from app.tasks.fieldsets import Field


@dataclass(frozen=True)
class Decision:
    candidate: Candidate | None
    decided_by: str
    #: The candidates the model chose among (empty when a rule decided).
    options: tuple[Candidate, ...] = ()


def decide(
    item: Field,
    candidates: list[Candidate],
    chooser: Chooser | None,
    params: ChooserParams,
    cancel: CancelToken | None = None,
) -> Decision:
    """The winning candidate of a non-clause field, and who decided."""
    options = distinct_values(candidates)
    if not options:
        return Decision(None, "rule")
    margin = params.margin(item.name)
    if len(options) == 1 or chooser is None or options[0].score - options[1].score >= margin:
        return Decision(options[0], "rule")
    shown = options[: params.max_options]
    choice = chooser.choose(
        item.title, item.description, [c.quote for c in shown], allow_none=False, cancel=cancel
    )
    w_rule, w_model = params.weights(item.name)
    combined = [w_rule * c.score + w_model * s for c, s in zip(shown, choice.scores, strict=False)]
    best = max(range(len(shown)), key=lambda i: combined[i])
    return Decision(shown[best], "model", tuple(shown))


def verbatim_cell(value: str, candidate: Candidate, page_text: str, decided_by: str) -> Cell:
    """The cell that copies ``candidate``; ``unsupported`` if its quote is not on the page.

    By construction the quote is a slice of the page, so the check can only fail if
    the page text changed under the candidate; it stays, as the guarantee's witness.
    """
    sentence = candidate.sentence
    if page_text[sentence.start : sentence.end] != sentence.text:
        return Cell(
            value,
            candidate.quote,
            candidate.page,
            "unsupported",
            decided_by=decided_by,
            derivation=candidate.derivation,
        )
    return Cell.quoting(value, sentence, derivation=candidate.derivation, decided_by=decided_by)


def typed_cell(
    item: Field,
    extractors: Extractors,
    chooser: Chooser | None,
    params: ChooserParams,
    *,
    cancel: CancelToken | None = None,
) -> Cell:
    """The cell of a field with an ``x-extractor``."""
    assert item.extractor is not None
    doc = extractors.doc
    if item.extractor == "clause":
        cues = parse_config("clause", item.cues or {}, f"field {item.name!r} x-cues")
        candidates = extractors.candidates("clause", cues, cancel)
        options = [str(o) for o in item.schema.get("enum", ["Yes", "No"])]
        yes = next((o for o in options if o.lower() == "yes"), options[0])
        no = next((o for o in options if o.lower() == "no"), options[-1])
        if candidates and candidates[0].score >= params.clause_threshold(item.name):
            return verbatim_cell(yes, candidates[0], doc.page_text(candidates[0].page), "rule")
        return Cell(
            no,
            "",
            None,
            "not_found",
            decided_by="rule",
            note="No sentence of the document makes this kind of clause.",
        )
    config = parse_config(item.extractor, item.config, f"field {item.name!r} x-pattern")
    found = extractors.candidates(item.extractor, config, cancel)
    decision = decide(item, found, chooser, params, cancel)
    if decision.candidate is None:
        return Cell(None, "", None, "not_found", decided_by="rule")
    chosen = decision.candidate
    limit = int(item.schema.get("maxLength", 600))
    value = chosen.value if len(chosen.value) <= limit else chosen.value[: limit - 1] + "\u2026"
    return verbatim_cell(value, chosen, doc.page_text(chosen.page), decision.decided_by)
