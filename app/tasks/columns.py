"""A custom column: a lawyer's own yes/no question, asked of each document of a grid.

The flagship of tabular review is the column typed in plain words ("Must a party
maintain insurance?"). A small model asked that over a whole contract says Yes to nearly
everything, quoting a verbatim sentence that says nothing of the kind. So a column is
answered the way Ask is (app/tasks/ask/pipeline.py):

- a question that resembles a field of the field library or a playbook statement uses
  that field's clause cues or the statement's review, so the rules decide;
- otherwise the document's sentences are scored against the question's words, and the
  model reads each of the few best (``MAX_READ``) on its own for Yes or No: a Yes needs
  one sentence it reads as saying yes by at least ``YES_LEAN`` (its calibrated lean), and
  that sentence is the cell's quote. None such ("none of these"), or no sentence, is
  "not found", never Yes. Each sentence is read alone, not offered in a list of six: a
  small model's choice among six sentences is close to a coin toss (its calibrated
  scores differ by hundredths), while one sentence and one question is the task it
  reads best.

The cell copies the sentence, so a Yes always rests on a verbatim sentence of the page.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.cancel import CancelToken
from app.engine.protocol import EngineLike
from app.tasks.ask.pipeline import citation, yes_no_lean
from app.tasks.ask.route import Route, route
from app.tasks.ask.sentences import MIN_COVERAGE, Found, find_sentences
from app.tasks.candidates import DocumentText
from app.tasks.chooser import Chooser
from app.tasks.extract.cells import Cell
from app.tasks.extract.pipeline import document_text, extract_document
from app.tasks.fieldsets import load_fieldset
from app.tasks.review.playbook import Playbook
from app.tasks.review.review import review_document
from app.vault import Vault

#: The model's calibrated lean to Yes one sentence needs for a Yes cell, fitted on CUAD
#: *train* contracts x 29 columns (tools/fit_columns.py; dev is never read). A No is
#: never read from the lean alone: a column says "not found" rather than a No no
#: sentence states.
YES_LEAN = 0.1
#: The share of the question's weight a sentence needs to be read at all (as Ask's).
#: Lower floors were measured on train: with words alone, 0.3 loses 5 points of
#: balanced accuracy to 0.5 (more sentences that merely mention the topic).
CANDIDATE_COVERAGE = MIN_COVERAGE
#: How many of the best-scored sentences the model reads (one forward pass each).
MAX_READ = 3
#: Longer sentences are read up to this many characters (a clause's point comes early).
MAX_READ_CHARS = 600
NOT_FOUND_NOTE = "No sentence of the document was found to answer this question."
_REVIEW_VALUES = {"Entailment": "Yes", "Contradiction": "No"}


def column_route(question: str) -> Route | None:
    """The yes/no field or statement a column's question asks about, if any."""
    chosen = route(question)
    return chosen if chosen is not None and chosen.target.yes_no else None


def _routed_cell(
    chosen: Route,
    document_id: str,
    vault: Vault,
    engine: EngineLike,
    chooser: Chooser,
    cancel: CancelToken | None,
) -> Cell:
    target = chosen.target
    if target.field is not None:
        one = load_fieldset(target.source).subset([target.field.name])
        row = extract_document(document_id, one, engine, vault, chooser=chooser, cancel=cancel)
        cell = row.cells[target.field.name]
        if cell.status == "not_found":
            # "Not found" is not "No": the cell says why it is empty.
            return Cell(
                None, "", None, "not_found", decided_by="rule", note=cell.note or NOT_FOUND_NOTE
            )
        return cell
    assert target.statement is not None
    book = Playbook(target.source, target.source, (target.statement,))
    row_ = review_document(engine, vault, document_id, book, cancel=cancel).rows[0]
    value = _REVIEW_VALUES.get(row_.label)
    if value is None or row_.quote is None:
        return Cell(None, "", None, "not_found", decided_by=row_.decided_by, note=NOT_FOUND_NOTE)
    return Cell(
        value,
        row_.quote,
        row_.page,
        "supported" if row_.verified else "unsupported",
        row_.char_start,
        row_.char_end,
        decided_by=row_.decided_by,
    )


def sentence_leans(
    question: str,
    document_id: str,
    doc: DocumentText,
    engine: EngineLike,
    cancel: CancelToken | None = None,
) -> list[tuple[Found, float]]:
    """The candidate sentences of ``doc`` for ``question``, best-scored first, each with
    the model's calibrated lean to Yes reading it alone (tools/fit_columns.py fits on
    exactly this)."""
    relevant, _ = find_sentences(
        question,
        [(document_id, doc)],
        limit=MAX_READ,
        min_coverage=CANDIDATE_COVERAGE,
        cancel=cancel,
    )
    if not relevant:
        return []
    return [
        (found, yes_no_lean(engine, question, found.sentence.flat[:MAX_READ_CHARS], cancel))
        for found in relevant
    ]


def model_cell(
    question: str,
    document_id: str,
    doc: DocumentText,
    engine: EngineLike,
    chooser: Chooser,
    cancel: CancelToken | None,
) -> Cell:
    """The model's own path: read the best few sentences for Yes, copy the one that says so."""
    leans = sentence_leans(question, document_id, doc, engine, cancel)
    if not leans:
        return Cell(None, "", None, "not_found", decided_by="rule", note=NOT_FOUND_NOTE)
    found, lean = max(leans, key=lambda pair: pair[1])
    if lean < YES_LEAN:
        return Cell(
            None,
            "",
            None,
            "not_found",
            decided_by="model",
            note="No sentence read clearly says so.",
        )
    verdict = "Yes"
    cite = citation(document_id, doc.title, found.sentence, doc.page_text(found.sentence.page))
    return Cell(
        verdict,
        cite.quote,
        cite.page,
        "supported" if cite.verified else "unsupported",
        cite.char_start,
        cite.char_end,
        decided_by="model",
    )


def column_cell(
    question: str,
    document_id: str,
    vault: Vault,
    engine: EngineLike,
    *,
    routing: bool = True,
    chooser: Chooser | None = None,
    doc: DocumentText | None = None,
    cancel: CancelToken | None = None,
) -> Cell:
    """One document's cell for a yes/no column ``question``."""
    chooser = chooser or Chooser(engine)
    chosen = column_route(question) if routing else None
    if chosen is not None:
        return _routed_cell(chosen, document_id, vault, engine, chooser, cancel)
    doc = doc or document_text(vault, document_id)
    return model_cell(question, document_id, doc, engine, chooser, cancel)


def column_cells(
    question: str,
    document_ids: Sequence[str],
    vault: Vault,
    engine: EngineLike,
    *,
    routing: bool = True,
    cancel: CancelToken | None = None,
) -> dict[str, Cell]:
    """The column over several documents (one chooser, so calibration is measured once)."""
    chooser = Chooser(engine)
    return {
        d: column_cell(question, d, vault, engine, routing=routing, chooser=chooser, cancel=cancel)
        for d in document_ids
    }
