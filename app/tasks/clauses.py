"""Clause check: does this contract say X? A checklist review, one statement at a time.

A lawyer reviewing an NDA against a playbook asks a fixed list of questions ("the
receiving party may share information with its employees", "there is a non-solicit").
For each statement and one document the pipeline is find -> ask -> verify, as Extract:

- Find: the statement's content words, each weighed by how rare it is *in this
  document* (words every clause uses, "Confidential Information", count for little),
  are searched in that one document only (``extract.document_passages``). When no
  passage holds at least ``min_coverage`` of the statement's weight the answer is
  NotMentioned and the model is never called: it cannot find a clause in words the
  contract does not use, and a guess from its training would look like a finding.
- Ask: the model reads the numbered passages and answers grammar-constrained JSON: a
  ``quote`` and an ``answer`` (the document says so / says the opposite / does not
  say). The quote's schema is an enum of the passages' own sentences: asked to copy a
  sentence freely, the small default model copied the *statement* back (or a prompt
  example) in most answers of a ten-pair trial: a citation of nothing. Quote before answer, so
  the verdict is given on the words just quoted.
- Verify: the quote is still looked for on the full text of its passage's page
  (app/tasks/verify.find_quote), as Ask and Extract do; a quote that is not there (it
  cannot be, unless page text and passage disagree) keeps its label but is flagged.

Document and page come from the passage, never from the model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from app.cancel import CancelToken, Progress, no_progress
from app.engine import Engine
from app.engine.chat import Message
from app.engine.structured import bound_schema, grammar_for, parse_output, token_budget
from app.errors import CancelledError, OutputInvalidError, OutputTruncatedError
from app.paths import resource_path
from app.tasks.audited import audited_task
from app.tasks.extract import document_passages
from app.tasks.retrieve import MIN_COVERAGE as ASK_MIN_COVERAGE
from app.tasks.retrieve import Passage, Query, build_query, weigh
from app.tasks.verify import MIN_QUOTE_CHARS, closest_sentence, find_quote
from app.vault import Vault

Label = Literal["Entailment", "Contradiction", "NotMentioned"]
LABELS: tuple[Label, ...] = ("Entailment", "Contradiction", "NotMentioned")
PROMPT_FILE = ("resources", "prompts", "clause.txt")
_SEPARATOR = "\n=====\n"
MAX_QUOTE_CHARS = 240
#: Sentences offered as quotes, best first. On ContractNLI dev (the pairs that pass the
#: gate) the best-ranked sentence is on the gold evidence 56 % of the time, one of the
#: best three 69 %, of all of them 75 %; the model choosing among eight chose evidence
#: 12 % of the time. So it chooses among three, shown to it in rank order.
MAX_QUOTES = 3
_SENTENCE_BREAK = re.compile(r"(?<=[.;:?!])[\"')\]]?\s+|\n+")
#: What the model chooses from, in words it reads naturally, and what each one means.
MODEL_LABELS: dict[str, Label] = {
    "yes": "Entailment",
    "no": "Contradiction",
    "not mentioned": "NotMentioned",
}
#: A passage must hold this share of the statement's (weighed) words to be read at all:
#: Ask's relevance threshold. On ContractNLI dev it sets aside 58 % of the NotMentioned
#: pairs and 30 % of the others; the default model almost never answers "not mentioned"
#: itself, so a lower gate mostly turns NotMentioned into wrong findings.
MIN_COVERAGE = ASK_MIN_COVERAGE


@dataclass(frozen=True)
class ClauseFinding:
    """The answer to one checklist statement for one document, with its evidence."""

    statement: str
    label: Label
    document_id: str
    #: Page of the cited passage (None when nothing was cited).
    page: int | None = None
    #: The quote as the model gave it (whitespace collapsed).
    quote: str = ""
    #: True when ``quote`` is on ``page`` (case, whitespace and typography aside).
    verified: bool = False
    #: Where a verified quote sits in the page text, for the source viewer.
    char_start: int | None = None
    char_end: int | None = None
    #: For an unverified quote: the passage sentence it most resembles, verbatim.
    closest: str | None = None
    #: The passages the model read (empty when it was not called).
    passages: tuple[Passage, ...] = ()
    model_called: bool = False
    seconds: float = 0.0
    #: Why the answer is NotMentioned when that is not simply "not in the document".
    note: str | None = None

    @property
    def cited(self) -> bool:
        """True when the label rests on a quote (Entailment or Contradiction)."""
        return self.label != "NotMentioned" and bool(self.quote)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passages"] = [
            {"page": p.page, "char_start": p.char_start, "char_end": p.char_end}
            for p in self.passages
        ]
        data["seconds"] = round(self.seconds, 3)
        return data


def clause_query(statement: str, document_id: str, vault: Vault) -> Query:
    """The statement's content words, weighed by their rarity within this one document."""
    query = build_query(statement)
    return weigh(query, vault, [document_id]) if query.terms else query


def clause_passages(
    statement: str,
    document_id: str,
    vault: Vault,
    *,
    count_tokens: Callable[[str], int],
    max_passages: int = 3,
    min_coverage: float = MIN_COVERAGE,
    query: Query | None = None,
) -> list[Passage]:
    """The passages of this document likely to bear on ``statement``; [] if none does."""
    query = query or clause_query(statement, document_id, vault)
    if not query.terms:
        return []
    found = document_passages(
        query, document_id, vault, count_tokens=count_tokens, max_passages=max_passages
    )
    return [p for p in found if p.coverage >= min_coverage]


def quote_options(
    passages: Sequence[Passage], query: Query, limit: int = MAX_QUOTES
) -> list[tuple[int, str]]:
    """(passage number, sentence): the ``limit`` sentences holding most of ``query``.

    Sentences end at sentence punctuation or a line break (clause lists put each item on
    its own line); a longer one is cut at a word before ``MAX_QUOTE_CHARS``. Each option
    is verbatim page text, whitespace folded, so ``find_quote`` finds it on its page.
    Offering only the sentences that share most of the statement's weighed words keeps
    the model from quoting a passage's opening line because it comes first.
    """
    options: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, passage in enumerate(passages, 1):
        for piece in _SENTENCE_BREAK.split(passage.text):
            sentence = " ".join(piece.split())
            if len(sentence) > MAX_QUOTE_CHARS:
                sentence = sentence[: MAX_QUOTE_CHARS + 1].rsplit(" ", 1)[0]
            if len(sentence) < MIN_QUOTE_CHARS or sentence in seen:
                continue
            seen.add(sentence)
            options.append((number, sentence))
    ranked = sorted(options, key=lambda option: query.coverage(option[1]), reverse=True)
    return ranked[:limit]


def clause_schema(quotes: Sequence[str]) -> dict[str, Any]:
    """Bounded so the object always closes; the quote can only be a shown sentence."""
    return {
        "type": "object",
        "properties": {
            "quote": {"enum": list(quotes)},
            "answer": {"enum": list(MODEL_LABELS)},
        },
        "required": ["quote", "answer"],
        "additionalProperties": False,
    }


def build_messages(
    statement: str, title: str, passages: Sequence[Passage], quotes: Sequence[str]
) -> list[Message]:
    template = resource_path(*PROMPT_FILE).read_text(encoding="utf-8")
    system, _, user = template.partition(_SEPARATOR)
    numbered = "\n\n".join(
        f"[{i}] page {p.page}:\n{' '.join(p.text.split())}" for i, p in enumerate(passages, 1)
    )
    candidates = "\n".join(f"- {quote}" for quote in quotes)
    options = ", ".join(f'"{o}"' for o in MODEL_LABELS)
    content = (
        user.replace("{title}", title)
        .replace("{passages}", numbered)
        .replace("{candidates}", candidates)
        .replace("{statement}", " ".join(statement.split()))
        .replace("{options}", options)
    )
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": content}]


def _finding(
    statement: str,
    label: Label,
    passage: Passage,
    quote: str,
    page_text: str,
    **extra: Any,
) -> ClauseFinding:
    """A finding citing ``passage``, its quote checked against the whole page."""
    quote = " ".join(quote.split())
    span = find_quote(quote, page_text) if quote else None
    return ClauseFinding(
        statement,
        label,
        passage.document_id,
        passage.page,
        quote,
        span is not None,
        span[0] if span else None,
        span[1] if span else None,
        None if span or not quote else closest_sentence(quote, passage.text),
        **extra,
    )


def check_clause(
    statement: str,
    document_id: str,
    engine: Engine,
    vault: Vault,
    *,
    cancel: CancelToken | None = None,
    max_passages: int = 3,
    min_coverage: float = MIN_COVERAGE,
) -> ClauseFinding:
    """Whether ``document_id`` says ``statement``, says the opposite, or does not say."""
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    query = clause_query(statement, document_id, vault)
    passages = clause_passages(
        statement,
        document_id,
        vault,
        count_tokens=engine.count_tokens,
        max_passages=max_passages,
        min_coverage=min_coverage,
        query=query,
    )
    cancel.raise_if_cancelled()
    if not passages:
        return ClauseFinding(
            statement, "NotMentioned", document_id, seconds=time.perf_counter() - start
        )
    options = quote_options(passages, query)
    if not options:  # only fragments too short to prove anything
        return ClauseFinding(
            statement, "NotMentioned", document_id, seconds=time.perf_counter() - start
        )
    quotes = [sentence for _, sentence in options]
    schema = bound_schema(clause_schema(quotes))
    generation = engine.stream(
        build_messages(statement, passages[0].title, passages, quotes),
        grammar=grammar_for(schema),
        max_tokens=token_budget(schema),
        cancel=cancel,
        stop=[],
    )
    text = generation.read()
    if generation.stats.finish_reason == "cancelled":
        raise CancelledError("The clause check was cancelled.")
    shown = tuple(passages)
    try:
        value = parse_output(text, schema, generation.stats.finish_reason)
    except (OutputInvalidError, OutputTruncatedError) as exc:
        return ClauseFinding(
            statement,
            "NotMentioned",
            document_id,
            passages=shown,
            model_called=True,
            seconds=time.perf_counter() - start,
            note=exc.message,
        )
    label = MODEL_LABELS[str(value["answer"])]
    quote = str(value["quote"])
    number = next(n for n, sentence in options if sentence == quote)
    if label == "NotMentioned":
        return ClauseFinding(
            statement,
            label,
            document_id,
            passages=shown,
            model_called=True,
            seconds=time.perf_counter() - start,
        )
    passage = passages[number - 1]
    page_text = {p.page: p.text for p in vault.pages(document_id)}[passage.page]
    return _finding(
        statement,
        label,
        passage,
        quote,
        page_text,
        passages=shown,
        model_called=True,
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class Checklist:
    """Every statement of a checklist for one document, in the checklist's order."""

    document_id: str
    title: str
    findings: list[ClauseFinding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(LABELS, 0)
        for finding in self.findings:
            out[finding.label] += 1
        return out


def check_clauses(
    statements: Sequence[str],
    document_id: str,
    engine: Engine,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    max_passages: int = 3,
) -> Checklist:
    """A checklist review of one document, with its ``task.run`` audit record."""
    cancel = cancel or CancelToken()
    title = vault.get_document_info(document_id).title
    checklist = Checklist(document_id, title)
    with audited_task("clauses", vault, engine) as record:
        record.document_ids = [document_id]
        for i, statement in enumerate(statements):
            cancel.raise_if_cancelled()
            progress(i / max(1, len(statements)), f"{title}: statement {i + 1}")
            checklist.findings.append(
                check_clause(
                    statement, document_id, engine, vault, cancel=cancel, max_passages=max_passages
                )
            )
        counts = checklist.counts()
        record.details.update(
            statements=len(statements),
            entailment=counts["Entailment"],
            contradiction=counts["Contradiction"],
            not_mentioned=counts["NotMentioned"],
            verified=sum(f.verified for f in checklist.findings),
        )
    progress(1.0, f"{title}: done")
    return checklist
