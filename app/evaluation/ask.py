"""Evaluate Ask: a lawyer's natural question per field and per playbook statement, scored.

For every CUAD contract, one question per built-in field (written as a lawyer asks it,
``FIELD_QUESTIONS``), asked of that contract alone; for every ContractNLI NDA, each
playbook statement asked as a yes/no question (``STATEMENT_QUESTIONS``). Each answer is
scored against the label by the rules of app/evaluation/match.py, beside two baselines
from the same run: the top keyword sentence (the sentence holding most of the question's
weighed words), and the Extract grid's own cell (or the Review table's row) for the same
field. The figures that keep Ask honest are counted too: answers holding a date, number
or name that no shown quote contains (target 0), quotes verbatim on their page (target
all), and seconds per question.

The questions are data, not routing rules: routing never sees them (app/tasks/ask/route.py
reads only the field sets and the playbook).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.engine.protocol import EngineLike
from app.evaluation.match import is_correct, match_kind
from app.tasks.ask import Answer, ask
from app.tasks.ask.sentences import find_sentences
from app.tasks.extract.pipeline import document_text, extract_document
from app.tasks.fieldsets import FieldSet
from app.tasks.grounding import unsupported_facts
from app.tasks.review.playbook import Playbook
from app.tasks.review.review import review_document
from app.vault import Vault

FIELD_QUESTIONS = {
    "document_name": "What is this agreement called?",
    "parties": "Who are the parties to this agreement?",
    "agreement_date": "When was this agreement signed?",
    "effective_date": "When does this agreement take effect?",
    "expiration_date": "When does this agreement expire?",
    "renewal_term": "For how long does the agreement renew after the initial term?",
    "notice_period_to_terminate_renewal": "How much notice is needed to stop it from renewing?",
    "governing_law": "Which law governs this agreement?",
    "anti_assignment": "Does a party need consent to assign this agreement?",
    "change_of_control": "Does a change of control of a party affect the agreement?",
    "exclusivity": "Is either party bound to deal exclusively with the other?",
    "non_compete": "Is a party prevented from competing?",
    "termination_for_convenience": "Can either party terminate this agreement without cause?",
    "cap_on_liability": "Is liability under this agreement capped?",
    "audit_rights": "Can a party audit the other's books and records?",
}

STATEMENT_QUESTIONS = {
    "nda-1": "Must confidential information be marked or identified as confidential?",
    "nda-2": "Is confidential information limited to technical information?",
    "nda-3": "Does confidential information include information disclosed orally?",
    "nda-4": "Is the recipient limited to using the information for the stated purpose?",
    "nda-5": "Can the recipient share the information with its employees?",
    "nda-7": "Can the recipient share the information with consultants or advisers?",
    "nda-8": "Must the recipient give notice if a court or law compels disclosure?",
    "nda-10": "Must the existence of this agreement itself be kept confidential?",
    "nda-11": "Is the recipient forbidden to reverse engineer what it receives?",
    "nda-12": "May the recipient develop similar information independently?",
    "nda-13": "May the recipient obtain similar information from a third party?",
    "nda-15": "Does the agreement say no licence or right is granted in the information?",
    "nda-16": "Must the recipient return or destroy the information when it ends?",
    "nda-17": "May the recipient make copies of the information?",
    "nda-18": "Is the recipient prohibited from soliciting the discloser's employees?",
    "nda-19": "Do any obligations survive termination of the agreement?",
    "nda-20": "May the recipient keep some information after returning or destroying it?",
}
_NLI = {"Entailment": "Yes", "Contradiction": "No", "NotMentioned": "Not stated"}


@dataclass
class AskOutcome:
    document: str
    target: str  # field name or statement id
    question: str
    label: str
    answer: str
    value: str | None
    kind: str
    path: str
    correct: bool | None
    keyword: str | None
    keyword_correct: bool | None
    grid: str | None
    grid_correct: bool | None
    #: Facts of the shown value that no shown quote states (target: none).
    invented: list[str] = field(default_factory=list)
    quotes: int = 0
    verbatim: int = 0
    seconds: float = 0.0


def _value(answer: Answer, yes_no: bool) -> str | None:
    """What the answer asserts, for scoring: a value, Yes/No, or None (nothing asserted)."""
    if answer.kind != "confirmed":
        return None
    if yes_no:
        return answer.yes_no
    if answer.documents:
        return next((d.value for d in answer.documents if d.value), None)
    return answer.text


def _checked(answer: Answer, vault: Vault) -> tuple[list[str], int, int]:
    """(invented facts, quotes shown, quotes verbatim on their page) of one answer."""
    quotes = list(answer.citations)
    claims = [d.derivation or d.value or "" for d in answer.documents if d.kind == "confirmed"]
    if answer.path == "retrieval" and answer.kind == "confirmed" and answer.yes_no is None:
        claims.append(answer.text)
    sources = [c.quote for c in quotes]
    invented = [f.text for claim in claims for f in unsupported_facts(claim, sources)]
    verbatim = 0
    for cite in quotes:
        text = {p.page: p.text for p in vault.pages(cite.document_id)}.get(cite.page, "")
        if cite.char_start is not None and cite.char_end is not None:
            verbatim += " ".join(text[cite.char_start : cite.char_end].split()) == cite.quote
    return invented, len(quotes), verbatim


def _keyword(question: str, vault: Vault, document_id: str) -> tuple[str | None, bool]:
    """The top keyword sentence (no widening, no model) and whether any was found."""
    doc = document_text(vault, document_id)
    found, _ = find_sentences(question, [(document_id, doc)], limit=1)
    return (found[0].sentence.flat if found else None), bool(found)


def ask_field(
    engine: EngineLike,
    vault: Vault,
    document_id: str,
    fieldset: FieldSet,
    name: str,
    label: str,
    *,
    routing: bool = True,
) -> AskOutcome:
    item = fieldset.field(name)
    kind = match_kind(item)
    question = FIELD_QUESTIONS[name]
    yes_no = kind == "choice"
    start = time.perf_counter()
    answer = ask(question, engine, vault, document_ids=[document_id], routing=routing)
    seconds = time.perf_counter() - start
    value = _value(answer, yes_no)
    if yes_no and value is None:
        value = "No"  # "not stated" asserts no clause: scored as No, like the grid's empty cell
    keyword, hit = _keyword(question, vault, document_id)
    keyword_value = ("Yes" if hit else "No") if yes_no else keyword
    cell = extract_document(document_id, fieldset.subset([name]), engine, vault).cells[name]
    grid = cell.value if cell.value is not None else ("No" if yes_no else None)
    invented, quotes, verbatim = _checked(answer, vault)
    return AskOutcome(
        document_id,
        name,
        question,
        label,
        answer.text,
        value,
        answer.kind,
        answer.path,
        is_correct(kind, label, value),
        keyword_value,
        is_correct(kind, label, keyword_value),
        grid,
        is_correct(kind, label, grid),
        invented,
        quotes,
        verbatim,
        seconds,
    )


def ask_statement(
    engine: EngineLike,
    vault: Vault,
    document_id: str,
    book: Playbook,
    statement_id: str,
    gold: str,
    *,
    routing: bool = True,
) -> AskOutcome:
    question = STATEMENT_QUESTIONS[statement_id]
    label = _NLI[gold]
    start = time.perf_counter()
    answer = ask(question, engine, vault, document_ids=[document_id], routing=routing)
    seconds = time.perf_counter() - start
    value = _value(answer, True) or "Not stated"
    _, hit = _keyword(question, vault, document_id)
    keyword = "Yes" if hit else "Not stated"
    one = Playbook(book.name, book.title, (book.statement(statement_id),))
    row = review_document(engine, vault, document_id, one).rows[0]
    grid = _NLI[row.label]
    invented, quotes, verbatim = _checked(answer, vault)
    return AskOutcome(
        document_id,
        statement_id,
        question,
        label,
        answer.text,
        value,
        answer.kind,
        answer.path,
        value == label,
        keyword,
        keyword == label,
        grid,
        grid == label,
        invented,
        quotes,
        verbatim,
        seconds,
    )


def _share(flags: Sequence[bool | None] | Sequence[bool]) -> float | None:
    scored = [f for f in flags if f is not None]
    return round(sum(scored) / len(scored), 4) if scored else None


def summarise_outcomes(outcomes: Sequence[AskOutcome]) -> dict[str, Any]:
    """Accuracy of Ask and both baselines, grounding counts and speed over ``outcomes``."""
    seconds = sorted(o.seconds for o in outcomes)
    p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))] if seconds else 0.0
    shown = sum(o.quotes for o in outcomes)
    exact = sum(o.verbatim for o in outcomes)
    verbatim: list[bool] = [True] * exact + [False] * (shown - exact)
    return {
        "questions": len(outcomes),
        "ask_accuracy": _share([o.correct for o in outcomes]),
        "keyword_accuracy": _share([o.keyword_correct for o in outcomes]),
        "grid_accuracy": _share([o.grid_correct for o in outcomes]),
        "answers_with_invented_facts": sum(bool(o.invented) for o in outcomes),
        "quotes": sum(o.quotes for o in outcomes),
        "verbatim_share": _share(verbatim),
        "confirmed_share": _share([o.kind == "confirmed" for o in outcomes]),
        "routed_share": _share([o.path != "retrieval" for o in outcomes]),
        "median_seconds": round(statistics.median(seconds), 3) if seconds else 0.0,
        "p95_seconds": round(p95, 3),
    }


def outcomes_json(outcomes: Sequence[AskOutcome]) -> list[dict[str, Any]]:
    return [asdict(o) for o in outcomes]
