"""Ask: candidates -> choose -> copy, as Extract does, then check before showing.

1. Route (app/tasks/ask/route.py). A question that resembles a field of the built-in
   field sets or a playbook statement is answered by that field's typed candidates or
   the statement's clause cues, per document, exactly as the Extract grid and the Review
   table answer it: the rules decide the fact, and the answer copies their value and
   sentence.
2. Otherwise retrieve sentences, not chunks (app/tasks/ask/sentences.py), from every page
   in scope, and let the model *choose* the supporting sentence by one forward pass of
   option scores (app/tasks/chooser.py): it never types a quote, so every citation is a
   verbatim span of its page. "None of these" is an option, and wins often.
3. Phrase: a yes/no question is answered Yes or No by option scores over the chosen
   sentence (calibrated; unsure means no short answer); any other question gets a short
   phrase generated from that sentence alone (a few tokens under a grammar).
4. Stream: what is known is handed to ``on_partial`` as soon as it is (each document's
   answer to a routed question, each part of a two-part question), so the Ask panel
   shows it while the rest is worked out (``Streamed``).
5. Check (app/tasks/grounding.py): every date, number, amount, duration and name in the
   answer must be stated in the cited sentences, compared as values. An answer that fails
   is never shown as a finding: the lawyer sees "No short answer could be confirmed. The
   documents say:" and the sentences. Nothing relevant: "Not stated in this matter's
   documents", with the closest sentences, never a guess.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.cancel import CancelToken, Progress, no_progress
from app.engine.calibration import content_free_scores
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import generate_json
from app.tasks.ask.route import Route, Target, rank, route
from app.tasks.ask.sentences import Found, find_sentences
from app.tasks.ask.types import (
    NOT_STATED,
    UNCONFIRMED,
    Answer,
    AskStats,
    Citation,
    DocumentAnswer,
    Kind,
)
from app.tasks.candidates import DocumentText, Sentence
from app.tasks.chooser import Chooser
from app.tasks.extract.cells import Cell
from app.tasks.extract.pipeline import document_text, extract_document
from app.tasks.fieldsets import load_fieldset
from app.tasks.grounding import unsupported_facts
from app.tasks.legal_values import find_dates, words
from app.tasks.quote import Quote
from app.tasks.quotes import find_quote
from app.tasks.review.playbook import Playbook
from app.tasks.review.review import review_document
from app.vault import Vault

#: Questions that want Yes or No (checked on the question's first word).
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|may|might|must|shall|should|will|would|"
    r"has|have|had)\b",
    re.IGNORECASE,
)
#: A second question joined to the first ("... and when does it end?").
_SECOND = re.compile(
    r"\?\s+(?=\S)|,?\s+and\s+(?=(?:who|what|when|where|which|how|whether|is|are|does|do|"
    r"can|may|must)\b)",
    re.IGNORECASE,
)
#: Calibrated log-probability margin a Yes or No needs over the other answer.
YES_NO_MARGIN = 1.0
#: A phrase is confirmed only if this share of its words are in the cited sentence.
MIN_WORD_SHARE = 0.6
MAX_PHRASE_CHARS = 160
#: The short answer's grammar: one bounded string, so the object always closes.
SHORT_ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": MAX_PHRASE_CHARS}},
    "required": ["answer"],
    "additionalProperties": False,
}
_LABEL_WORDS = {"Entailment": "Yes", "Contradiction": "No"}


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO.match(question))


def split_question(question: str) -> list[str]:
    """The parts of a two-part question ("Who are the parties and when does it end?")."""
    parts = [p.strip(" ,;") for p in _SECOND.split(question.strip()) if p.strip(" ,;?")]
    return parts[:2] if len(parts) > 1 else [question.strip()]


def citation(document_id: str, title: str, sentence: Sentence, page_text: str) -> Citation:
    """The sentence as a citation; ``verified`` re-checks it against its page."""
    cited = Quote.of(document_id, sentence)
    verified = find_quote(sentence.flat, page_text) is not None and cited.on(page_text)
    return Citation(title, cited, verified)


def _found_citation(found: Found, docs: dict[str, DocumentText]) -> Citation:
    doc = docs[found.document_id]
    return citation(
        found.document_id, found.title, found.sentence, doc.page_text(found.sentence.page)
    )


def _cell_citation(document_id: str, doc: DocumentText, cell: Cell) -> Citation | None:
    if cell.page is None or cell.char_start is None or cell.char_end is None:
        return None
    page_text = doc.page_text(cell.page)
    end = cell.char_end
    # The cell's span leaves out the sentence's closing punctuation; the quote keeps it.
    while (
        end < len(page_text)
        and page_text[end] in _CLOSING
        and cell.quote.endswith(page_text[cell.char_start : end + 1].rstrip()[-1:])
    ):
        end += 1
    cited = Quote.cut(document_id, cell.page, page_text, cell.char_start, end)
    return Citation(doc.title, cited, cell.status == "supported")


_CLOSING = ".;:!?\"')\u201d\u2019"


@dataclass(frozen=True)
class Streamed:
    """What Ask has so far: one document's answer to one part of the question (``title``
    names the document), or a whole part answered (``title`` is "")."""

    part: int  # 1-based
    parts: int
    text: str
    kind: Kind
    citations: tuple[Citation, ...]
    title: str = ""


OnPartial = Callable[[Streamed], None]


class _Run:
    """One question's work: the documents in scope, read once, and the figures."""

    def __init__(
        self,
        engine: EngineLike,
        vault: Vault,
        document_ids: Sequence[str],
        progress: Progress,
        cancel: CancelToken,
        on_partial: OnPartial | None = None,
    ) -> None:
        self.engine, self.vault, self.progress, self.cancel = engine, vault, progress, cancel
        self.docs = {d: document_text(vault, d) for d in document_ids}
        self.stats = AskStats()
        self.chooser = Chooser(engine)
        self.on_partial = on_partial
        self.part, self.parts = 1, 1

    def stream(self, target: Target, answer: DocumentAnswer) -> None:
        """Hand one document's answer on as soon as it is known."""
        if self.on_partial is None:
            return
        if answer.kind == "confirmed":
            text = _phrase(target, answer)
        else:
            text = UNCONFIRMED if answer.kind == "unconfirmed" else NOT_STATED
        self.on_partial(
            Streamed(self.part, self.parts, text, answer.kind, answer.citations, answer.title)
        )

    # -- routed: a field or a statement -------------------------------------------------

    def field_answers(self, target: Target) -> list[DocumentAnswer]:
        assert target.field is not None
        item = target.field
        one = load_fieldset(target.source).subset([item.name])
        out = []
        for n, (document_id, doc) in enumerate(self.docs.items()):
            self.cancel.raise_if_cancelled()
            self.progress(0.1 + 0.8 * n / len(self.docs), f"{doc.title}: {item.title}")
            row = extract_document(
                document_id, one, self.engine, self.vault, cancel=self.cancel, chooser=self.chooser
            )
            cell = row.cells[item.name]
            self.stats.model_calls += cell.decided_by == "model"
            cite = _cell_citation(document_id, doc, cell)
            if cell.status == "not_found" or cite is None or cell.value is None:
                out.append(
                    DocumentAnswer(document_id, doc.title, None, (), "not_stated", cell.decided_by)
                )
                self.stream(target, out[-1])
                continue
            # The value is the rule's, copied from the sentence; the check is the witness
            # (a computed expiry is checked by its derivation, whose facts are quoted).
            claim = cell.derivation or cell.value
            cites = (cite, *self._derivation_citations(document_id, doc, cell, cite))
            sources = [c.quote for c in cites]
            kind: Kind = "confirmed" if not unsupported_facts(claim, sources) else "unconfirmed"
            out.append(
                DocumentAnswer(
                    document_id,
                    doc.title,
                    cell.value,
                    cites,
                    kind,
                    cell.decided_by,
                    cell.derivation,
                )
            )
            self.stream(target, out[-1])
        return out

    def _derivation_citations(
        self, document_id: str, doc: DocumentText, cell: Cell, cite: Citation
    ) -> list[Citation]:
        """For a computed value ("May 1, 2006 + five (5) years"), the sentence stating the
        date it counts from, when the cell's own sentence does not: shown beside it, so
        every fact of the derivation is in a quote the lawyer sees."""
        if not cell.derivation:
            return []
        wanted = find_dates(cell.derivation.split("+")[0])
        if not wanted or set(find_dates(cite.quote)) & set(wanted):
            return []
        for sentence in doc.sentences:
            if set(find_dates(sentence.text)) & set(wanted):
                page_text = doc.page_text(sentence.page)
                return [citation(document_id, doc.title, sentence, page_text)]
        return []

    def statement_answers(self, target: Target) -> list[DocumentAnswer]:
        assert target.statement is not None
        book = Playbook(target.source, target.source, (target.statement,))
        out = []
        for n, (document_id, doc) in enumerate(self.docs.items()):
            self.cancel.raise_if_cancelled()
            self.progress(0.1 + 0.8 * n / len(self.docs), f"{doc.title}: checking the clause")
            result = review_document(self.engine, self.vault, document_id, book, cancel=self.cancel)
            row = result.rows[0]
            self.stats.model_calls += row.decided_by == "model"
            value = _LABEL_WORDS.get(row.label)
            if value is None or row.cited is None or not row.verified:
                out.append(
                    DocumentAnswer(document_id, doc.title, None, (), "not_stated", row.decided_by)
                )
                self.stream(target, out[-1])
                continue
            cite = Citation(doc.title, row.cited, row.verified)
            out.append(
                DocumentAnswer(document_id, doc.title, value, (cite,), "confirmed", row.decided_by)
            )
            self.stream(target, out[-1])
        return out

    def routed(self, question: str, chosen: Route) -> Answer:
        target = chosen.target
        self.progress(0.1, f"Answering from the rules for {target.title.lower()}")
        if target.kind == "field":
            answers = self.field_answers(target)
        else:
            answers = self.statement_answers(target)
        return routed_answer(question, target, answers)

    # -- retrieval: the model chooses a sentence -----------------------------------------

    def closest(self, question: str, similar: Sequence[Route]) -> list[Citation]:
        """The sentences nearest the question (shown as such, never as an answer)."""
        relevant, closest = find_sentences(
            question, list(self.docs.items()), similar=similar, cancel=self.cancel
        )
        return [_found_citation(f, self.docs) for f in (relevant or closest)[:3]]

    def retrieved(self, question: str, similar: Sequence[Route]) -> Answer:
        start = time.perf_counter()
        self.progress(0.1, "Reading every page for sentences that bear on the question")
        relevant, closest = find_sentences(
            question, list(self.docs.items()), similar=similar, cancel=self.cancel
        )
        self.stats.retrieval_seconds += time.perf_counter() - start
        self.stats.sentences_read += sum(len(d.sentences) for d in self.docs.values())
        near = [_found_citation(f, self.docs) for f in (relevant or closest)[:3]]
        if not relevant:
            return Answer(NOT_STATED, [], "not_stated", "retrieval", question, closest=near)
        self.progress(0.4, f"Choosing among {len(relevant)} sentence(s)")
        start = time.perf_counter()
        choice = self.chooser.choose(
            question,
            "Answer from these sentences only.",
            [f.sentence.text for f in relevant],
            allow_none=True,
            cancel=self.cancel,
        )
        self.stats.model_calls += 1
        if choice.index is None:
            self.stats.model_seconds += time.perf_counter() - start
            return Answer(NOT_STATED, [], "not_stated", "retrieval", question, closest=near)
        found = relevant[choice.index]
        cite = _found_citation(found, self.docs)
        if is_yes_no(question):
            self.progress(0.7, "Reading the sentence for Yes or No")
            verdict = yes_or_no(self.engine, question, found.sentence.flat, self.cancel)
            self.stats.model_calls += 1
            self.stats.model_seconds += time.perf_counter() - start
            if verdict is None:
                return Answer(UNCONFIRMED, [cite], "unconfirmed", "retrieval", question)
            return Answer(f"{verdict}.", [cite], "confirmed", "retrieval", question, yes_no=verdict)
        self.progress(0.7, "Writing a short answer from the sentence")
        phrase = short_answer(self.engine, question, found.sentence.flat, self.cancel)
        self.stats.model_calls += 1
        self.stats.model_seconds += time.perf_counter() - start
        missing = [f.text for f in unsupported_facts(phrase, [found.sentence.text])]
        if not phrase or missing or not words_supported(phrase, found.sentence.text):
            return Answer(
                UNCONFIRMED, [cite], "unconfirmed", "retrieval", question, unsupported=missing
            )
        return Answer(phrase, [cite], "confirmed", "retrieval", question)


def words_supported(phrase: str, sentence: str) -> bool:
    """Most of the phrase's words are the sentence's own (the rest are joining words)."""
    wanted = [w for w in words(phrase) if len(w) > 3]
    if not wanted:
        return True
    present = set(words(sentence))
    return sum(w in present for w in wanted) / len(wanted) >= MIN_WORD_SHARE


def yes_no_lean(
    engine: EngineLike, question: str, sentence: str, cancel: CancelToken | None
) -> float:
    """How far the model leans to Yes (positive) or No (negative) reading ``sentence``.

    One forward pass scores the two answers; the same prompt with the sentence replaced
    by "N/A" gives the model's bias, which is subtracted (contextual calibration). The
    bias is scored once per model and question (the engine's calibration cache), so a
    column asking one question of many sentences pays one pass per sentence.
    """

    def prompt(text: str) -> str:
        messages: list[Message] = [
            {
                "role": "system",
                "content": "You answer a yes-or-no question about a contract "
                "from one of its sentences. Answer A for yes, B for no.",
            },
            {
                "role": "user",
                "content": f"SENTENCE: {text}\n\nQUESTION: {question}\n\n"
                "A. Yes\nB. No\n\nAnswer with one letter.",
            },
        ]
        return engine.render(messages)

    raw = engine.score_options(prompt(sentence), ["A", "B"], cancel=cancel)
    bias = content_free_scores(engine, prompt("N/A"), ["A", "B"], cancel=cancel)
    return (raw[0] - bias[0]) - (raw[1] - bias[1])


def yes_or_no(
    engine: EngineLike,
    question: str,
    sentence: str,
    cancel: CancelToken | None,
    margin: float = YES_NO_MARGIN,
) -> str | None:
    """ "Yes" or "No" for ``question`` from ``sentence`` alone, or None when unsure."""
    lean = yes_no_lean(engine, question, sentence, cancel)
    if abs(lean) < margin:
        return None
    return "Yes" if lean > 0 else "No"


def short_answer(
    engine: EngineLike, question: str, sentence: str, cancel: CancelToken | None
) -> str:
    """A few words answering ``question`` from ``sentence`` (checked by the caller)."""
    messages: list[Message] = [
        {
            "role": "system",
            "content": "You answer a lawyer's question in a few words, using "
            "only the words of the sentence given. Never add a fact it does not state.",
        },
        {"role": "user", "content": f"SENTENCE: {sentence}\n\nQUESTION: {question}"},
    ]
    value, _ = generate_json(engine, messages, SHORT_ANSWER_SCHEMA, cancel=cancel)
    return " ".join(str(value["answer"]).split())


def _phrase(target: Target, answer: DocumentAnswer) -> str:
    if target.kind == "statement":
        said = "says so" if answer.value == "Yes" else "says the opposite"
        assert target.statement is not None
        return f"{answer.value}: the document {said} ({target.statement.statement.rstrip('.')})."
    if target.yes_no:
        return f"Yes: {target.title.lower()} (the clause is there)."
    value = answer.value or ""
    if answer.derivation and answer.derivation.strip() != value.strip():
        return f"{target.title}: {value} (computed: {answer.derivation})."
    return f"{target.title}: {value}."


def routed_answer(question: str, target: Target, answers: list[DocumentAnswer]) -> Answer:
    """One answer from the per-document answers of a routed question."""
    found = [a for a in answers if a.kind != "not_stated"]
    if not found:
        return Answer(NOT_STATED, [], "not_stated", target.path, question, documents=answers)
    several = len(answers) > 1
    lines: list[str] = []
    citations: list[Citation] = []
    unconfirmed = False
    for item in found:
        citations.extend(item.citations)
        head = f"{item.title}: " if several else ""
        if item.kind == "confirmed":
            lines.append(head + _phrase(target, item))
        else:
            unconfirmed = True
            lines.append(head + UNCONFIRMED)
    kind: Kind = "unconfirmed" if unconfirmed and len(found) == 1 else "confirmed"
    yes_no = found[0].value if target.kind == "statement" and not several else None
    if target.kind == "field" and target.yes_no and not several:
        yes_no = "Yes"
    return Answer(
        "\n".join(lines), citations, kind, target.path, question, documents=answers, yes_no=yes_no
    )


def _join(question: str, parts: list[Answer]) -> Answer:
    text = "\n".join(f"{n}. {p.text}" for n, p in enumerate(parts, 1))
    kinds = {p.kind for p in parts}
    kind: Kind = (
        "confirmed"
        if kinds == {"confirmed"}
        else ("not_stated" if kinds == {"not_stated"} else "unconfirmed")
    )
    cites = [c for p in parts for c in p.citations]
    return Answer(
        text,
        list(dict.fromkeys(cites)),
        kind,
        "+".join(p.path for p in parts),
        question,
        parts=parts,
    )


_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][A-Za-z0-9&'\-]{2,}")


def named_documents(question: str, docs: dict[str, DocumentText]) -> list[str]:
    """The documents that hold every name the question mentions ("the TransMontaigne
    agreement"): a question about one party's contract is answered from that contract.
    Empty when the question names nothing, or no document holds all its names."""
    names = {m.group(0) for m in _NAME.finditer(question)}
    if not names:
        return []
    held = []
    for document_id, doc in docs.items():
        text = " ".join(p.text for p in doc.pages[:3]) + " " + doc.title
        if all(re.search(rf"\b{re.escape(n)}", text, re.IGNORECASE) for n in names):
            held.append(document_id)
    return held if len(held) < len(docs) else []


def ask(
    question: str,
    engine: EngineLike,
    vault: Vault,
    *,
    document_ids: Sequence[str] | None = None,
    routing: bool = True,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_partial: OnPartial | None = None,
) -> Answer:
    """Answer ``question`` from this vault's documents (or ``document_ids``) only;
    ``on_partial`` gets each document's and each part's answer as soon as it is known."""
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    ids = list(document_ids) if document_ids else [d.id for d in vault.list_documents()]
    progress(0.0, "Reading this matter's documents")
    run = _Run(engine, vault, ids, progress, cancel, on_partial)
    if not document_ids:
        named = named_documents(question, run.docs)
        if named:
            run.docs = {d: run.docs[d] for d in named}
    answers = []
    parts = split_question(question)
    run.parts = len(parts)
    for number, part in enumerate(parts, 1):
        run.part = number
        begin = time.perf_counter()
        chosen = route(part) if routing else None
        run.stats.routing_seconds += time.perf_counter() - begin
        if chosen is not None:
            answer = run.routed(part, chosen)
            if answer.kind == "not_stated":
                # The rules found nothing: say so, as the grid does, with the closest
                # sentences to read (no model call: it must not overrule the rules).
                answer.closest = run.closest(part, [chosen])
        else:
            similar = [r for r in rank(part)[:2] if r.score >= 0.2] if routing else []
            answer = run.retrieved(part, similar)
        answers.append(answer)
        if on_partial is not None and len(parts) > 1 and not answer.documents:
            # A routed part has streamed document by document; this one comes whole.
            on_partial(
                Streamed(
                    run.part,
                    len(parts),
                    answer.text,
                    answer.kind,
                    tuple(answer.citations or answer.closest),
                )
            )
    result = answers[0] if len(answers) == 1 else _join(question, answers)
    result.question = question
    run.stats.total_seconds = time.perf_counter() - start
    result.stats = run.stats
    progress(1.0, "Done")
    return result
