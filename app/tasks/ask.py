"""Ask: a question over one matter, answered from its own documents with checked citations.

The pipeline is retrieve -> prompt -> constrained JSON -> verify:

- Retrieval (app/tasks/retrieve.py) searches only the vault it is given. When nothing
  relevant comes back the answer is a fixed "nothing found" message and the model is
  never called, so it cannot answer from what it memorised in training.
- The model sees numbered passages and must reply with JSON (a llama.cpp grammar from a
  bounded schema, so the object always closes): an answer, and citations that name a
  passage *number* and a quote. Document and page come from the passage, never from the
  model, so a citation cannot point at a document that was not retrieved.
- Each quote is checked against the full text of the cited page (app/tasks/quotes.py);
  one that is not there is flagged ``verified=False``, with the closest real sentence.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from app.cancel import CancelToken, Progress, no_progress
from app.engine import GenerationStats
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import bound_schema, grammar_for, parse_output, token_budget
from app.errors import CancelledError
from app.tasks.prompts import load_prompt
from app.tasks.quotes import closest_sentence, find_quote
from app.tasks.retrieve import Passage, retrieve
from app.vault import Vault

NOT_FOUND = "Nothing in this matter answers that."
PROMPT_FILE = "ask.txt"

MAX_ANSWER_CHARS = 600
MAX_QUOTE_CHARS = 300
MAX_CITATIONS = 4


@dataclass(frozen=True)
class Citation:
    document_id: str
    title: str
    page: int
    #: The quote as the model gave it.
    quote: str
    #: True when ``quote`` is on the cited page (case and whitespace aside).
    verified: bool
    #: 1-based number of the passage it cites (``Answer.passages[passage - 1]``).
    passage: int
    #: Where the quote sits in the page text, for the source viewer (verified only).
    char_start: int | None = None
    char_end: int | None = None
    #: For an unverified quote: the passage sentence it most resembles, verbatim.
    closest: str | None = None


@dataclass
class AskStats:
    retrieval_seconds: float = 0.0
    generation_seconds: float = 0.0
    total_seconds: float = 0.0
    model_called: bool = False
    query: str = ""
    best_coverage: float = 0.0
    passage_tokens: int = 0
    generation: GenerationStats | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["generation"] = self.generation.to_json() if self.generation else None
        return data


@dataclass(frozen=True)
class Answer:
    text: str
    citations: list[Citation]
    passages: list[Passage]
    found: bool
    stats: AskStats = field(default_factory=AskStats)

    @property
    def document_ids(self) -> list[str]:
        """Documents the answer drew on (every passage shown to the model), in order."""
        return list(dict.fromkeys(p.document_id for p in self.passages))

    def to_json(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "answer": self.text,
            "citations": [asdict(c) for c in self.citations],
            "passages": [
                {k: v for k, v in asdict(p).items() if k not in ("score", "coverage")}
                | {"score": round(p.score, 3), "coverage": round(p.coverage, 3)}
                for p in self.passages
            ],
            "stats": self.stats.to_json(),
        }


def answer_schema(passages: int) -> dict[str, Any]:
    """Bounded so the object always closes; a citation can only name a real passage."""
    return {
        "type": "object",
        "properties": {
            "answer": {"type": "string", "maxLength": MAX_ANSWER_CHARS},
            "citations": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_CITATIONS,
                "items": {
                    "type": "object",
                    "properties": {
                        "passage": {"enum": list(range(1, passages + 1))},
                        "quote": {"type": "string", "maxLength": MAX_QUOTE_CHARS},
                    },
                    "required": ["passage", "quote"],
                    "additionalProperties": False,
                },
            },
            "found": {"type": "boolean"},
        },
        "required": ["answer", "citations", "found"],
        "additionalProperties": False,
    }


def build_messages(question: str, passages: list[Passage]) -> list[Message]:
    system, user = load_prompt(PROMPT_FILE)
    numbered = "\n\n".join(
        f"[{i}] {p.title}, page {p.page}:\n{' '.join(p.text.split())}"
        for i, p in enumerate(passages, 1)
    )
    content = user.replace("{passages}", numbered).replace("{question}", question.strip())
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": content}]


def verify_citation(
    passage_number: int, quote: str, passages: list[Passage], page_text: str
) -> Citation:
    """A citation of ``passages[passage_number - 1]``, its quote checked against the page."""
    passage = passages[passage_number - 1]
    quote = " ".join(quote.split())
    span = find_quote(quote, page_text)
    return Citation(
        passage.document_id,
        passage.title,
        passage.page,
        quote,
        span is not None,
        passage_number,
        span[0] if span else None,
        span[1] if span else None,
        None if span else closest_sentence(quote, passage.text),
    )


def _not_found(passages: list[Passage], stats: AskStats) -> Answer:
    return Answer(NOT_FOUND, [], passages, False, stats)


def ask(
    question: str,
    engine: EngineLike,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    max_passages: int = 6,
    token_budget_passages: int = 900,
) -> Answer:
    """Answer ``question`` from this vault's documents only, with verified citations."""
    cancel = cancel or CancelToken()
    stats = AskStats()
    start = time.perf_counter()
    progress(0.0, "Searching this matter")
    retrieval = retrieve(
        question,
        vault,
        count_tokens=engine.count_tokens,
        max_passages=max_passages,
        token_budget=token_budget_passages,
        cancel=cancel,
    )
    stats.query, stats.best_coverage = retrieval.query.fts, round(retrieval.best_coverage, 3)
    stats.retrieval_seconds = time.perf_counter() - start
    passages = list(retrieval.passages)
    stats.passage_tokens = sum(p.tokens for p in passages)
    cancel.raise_if_cancelled()
    if not passages:
        progress(1.0, "Nothing relevant found")
        stats.total_seconds = time.perf_counter() - start
        return _not_found([], stats)

    progress(0.1, f"Reading {len(passages)} passage(s)")
    schema = bound_schema(answer_schema(len(passages)))
    budget = token_budget(schema)
    stats.model_called = True
    generation = engine.stream(
        build_messages(question, passages),
        grammar=grammar_for(schema),
        max_tokens=budget,
        cancel=cancel,
        stop=[],
    )
    produced = 0
    for piece in generation:
        produced += len(piece)
        # Most answers use a fraction of the worst-case budget; creep towards 95 %.
        progress(0.1 + 0.85 * min(1.0, produced / (budget * 0.4)), "Writing the answer")
    stats.generation = generation.stats
    stats.generation_seconds = generation.stats.total_seconds
    if generation.stats.finish_reason == "cancelled":
        raise CancelledError("The question was cancelled.")
    value = parse_output(generation.text, schema, generation.stats.finish_reason)

    pages: dict[tuple[str, int], str] = {}
    citations: list[Citation] = []
    for item in value["citations"]:
        passage = passages[int(item["passage"]) - 1]
        key = (passage.document_id, passage.page)
        if key not in pages:
            pages.update({(p.document_id, p.page): p.text for p in vault.pages(key[0])})
        citation = verify_citation(int(item["passage"]), item["quote"], passages, pages[key])
        if citation not in citations:
            citations.append(citation)
    stats.total_seconds = time.perf_counter() - start
    progress(1.0, "Done")
    answer_text = " ".join(str(value["answer"]).split())
    if not value["found"] or not answer_text:
        return _not_found(passages, stats)
    return Answer(answer_text, citations, passages, True, stats)
