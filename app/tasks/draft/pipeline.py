"""Draft: a template, the lawyer's instructions and chosen documents -> a cited first draft.

The pipeline fills what a template needs (app/tasks/draft/templates.py) from two kinds of
source, numbered for the model: the lawyer's instructions ("write to Acme about the
unpaid $12,000 invoice") and passages of the chosen documents found by each fact's or
section's search terms (app/tasks/extract.candidate_passages, scoped to those documents).

- Typed facts (``x-extractor``: the agreement's name, date and parties, our client and
  the other side, amounts, deadlines and the signatory) are parsed from the documents
  and the instructions by app/tasks/draft/facts.py, each with the sentence stating it.
- Other facts: one grammar-constrained JSON answer per fact (found, source number, verbatim
  quote, value). A fact goes into the draft only when its quote is on the cited page (or in
  the instructions) *and* the value's words are in that quote, so a value the model
  made up cannot pass. Anything else becomes a visible placeholder: ``missing`` when no
  source states it, ``unsupported`` (with the model's suggestion shown for checking) when
  the check fails. A fact marked ``x-match: date`` or ``duration`` must also look like
  one, and a value that only repeats the fact's description is not a value.
- Sections (the prose a template asks for): the model writes sentences, each citing one
  source and quoting it; a sentence whose quote is not in the source is kept but flagged.

Rendering to text and DOCX is in app/tasks/draft/render.py; nothing here writes files.
"""

from __future__ import annotations

import datetime
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from app.cancel import CancelToken, Progress, no_progress
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import bound_schema, generate_json
from app.errors import CancelledError, OutputInvalidError, OutputTruncatedError, UsageError
from app.tasks.candidates import DocumentText
from app.tasks.draft.facts import typed_value
from app.tasks.draft.templates import Section, Template
from app.tasks.extract import candidate_passages, cell_schema, document_text
from app.tasks.fieldsets import Field
from app.tasks.grounding import unsupported_facts
from app.tasks.legal_values import find_dates, find_durations
from app.tasks.prompts import prompt_messages
from app.tasks.quote import INSTRUCTIONS, INSTRUCTIONS_PAGE, CitedSpan, Quote
from app.tasks.retrieve import Passage
from app.vault import Vault

FactStatus = Literal["supported", "unsupported", "missing"]
INSTRUCTIONS_TITLE = "Your instructions"
MAX_INSTRUCTIONS_CHARS = 4000
MAX_SENTENCE_CHARS = 320
MAX_QUOTE_CHARS = 240
_WORDS = re.compile(r"[^\W_]+")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_CLAUSE = re.compile(r" (?:is|are|was|were|shall|will|must|owes|owed|has|have) ")


@dataclass(frozen=True)
class Source(CitedSpan):
    """Where a fact or sentence came from: a span of a document page or of the
    instructions (``cited``, the one quote type); or, when the model's quote is on
    neither, the passage it named (``document_id``, ``page``) and its words, unverified."""

    title: str
    cited: Quote | None
    #: The passage and words of a quote that was not found there (``cited`` is None).
    unfound: tuple[str | None, int | None, str] | None = None

    @property
    def verified(self) -> bool:
        return self.cited is not None

    @property
    def document_id(self) -> str | None:
        """The document quoted; None for the instructions."""
        if self.cited is not None:
            return self.cited.document_id or None
        return self.unfound[0] if self.unfound else None

    @property
    def page(self) -> int | None:
        if self.cited is not None:
            return self.cited.page if self.cited.document_id else None
        return self.unfound[1] if self.unfound else None

    @property
    def quote(self) -> str:
        if self.cited is not None:
            return self.cited.flat
        return self.unfound[2] if self.unfound else ""

    def to_json(self) -> dict[str, Any]:
        """The fields ``chambers draft --json`` has always written."""
        return {
            "document_id": self.document_id,
            "title": self.title,
            "page": self.page,
            "quote": self.quote,
            "verified": self.verified,
            "char_start": self.char_start,
            "char_end": self.char_end,
        }


@dataclass(frozen=True)
class Fact:
    name: str
    title: str
    #: The value the draft uses (supported), or the model's unchecked suggestion.
    value: str | None
    status: FactStatus
    source: Source | None = None


@dataclass(frozen=True)
class Prose:
    """A sentence the model wrote for a section, with the quote it rests on."""

    text: str
    source: Source


@dataclass(frozen=True)
class SectionText:
    name: str
    title: str
    sentences: list[Prose]


@dataclass
class Draft:
    template: Template
    instructions: str
    document_ids: list[str]
    date: str
    facts: dict[str, Fact] = field(default_factory=dict)
    sections: dict[str, SectionText] = field(default_factory=dict)
    model_calls: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        statuses = [f.status for f in self.facts.values()]
        sentences = [s for sec in self.sections.values() for s in sec.sentences]
        return {
            "facts": len(statuses),
            "facts_supported": statuses.count("supported"),
            "placeholders": len(statuses) - statuses.count("supported"),
            "sentences": len(sentences),
            "sentences_verified": sum(s.source.verified for s in sentences),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template.name,
            "date": self.date,
            "document_ids": self.document_ids,
            "facts": {
                name: asdict(fact) | {"source": fact.source.to_json() if fact.source else None}
                for name, fact in self.facts.items()
            },
            "sections": {name: _section_json(sec) for name, sec in self.sections.items()},
            "counts": self.counts(),
        }


def _section_json(section: SectionText) -> dict[str, Any]:
    sentences = [{"text": s.text, "source": s.source.to_json()} for s in section.sentences]
    return asdict(section) | {"sentences": sentences}


def grounded(value: str, quote: str) -> bool:
    """True when the value's words are in the quote (so the value was not invented)."""
    words = _WORDS.findall(value.lower())
    if not words:
        return False
    available = set(_WORDS.findall(quote.lower()))
    return sum(w in available for w in words) / len(words) >= 0.75


def plausible(item: Field, value: str) -> bool:
    """False for a value of the wrong shape (a date fact with no date in it) or one that
    merely repeats what the template asked for, which a small model sometimes does."""
    words = " ".join(_WORDS.findall(value.lower()))
    if len(words) > 12 and words in " ".join(_WORDS.findall(item.description.lower())):
        return False
    if item.match == "date":
        return bool(find_dates(value)) or bool(_YEAR.search(value))
    if item.match == "duration":
        return bool(find_durations(value))
    if item.match == "parties":  # a name, not a sentence about someone
        return len(words.split()) <= 12 and not _CLAUSE.search(f" {words} ")
    return True


def _instructions_passage(instructions: str) -> list[Passage]:
    if not instructions:
        return []
    return [Passage("", INSTRUCTIONS_TITLE, 0, 0, len(instructions), instructions, 0.0, 1.0)]


def gather_passages(
    item: Field,
    instructions: str,
    document_ids: Sequence[str],
    engine: EngineLike,
    vault: Vault,
    limit: int,
) -> list[Passage]:
    """The instructions, then the best passages for ``item`` across the chosen documents."""
    found: list[Passage] = []
    for document_id in document_ids:
        found += candidate_passages(
            item, document_id, vault, count_tokens=engine.count_tokens, max_passages=limit
        )
    found.sort(key=lambda p: (round(p.coverage, 1), p.score), reverse=True)
    return _instructions_passage(instructions) + found[:limit]


def _numbered(passages: Sequence[Passage]) -> str:
    def label(p: Passage) -> str:
        return p.title if not p.document_id else f"{p.title}, page {p.page}"

    return "\n\n".join(
        f"[{i}] {label(p)}:\n{' '.join(p.text.split())}" for i, p in enumerate(passages, 1)
    )


class _Sources:
    """Checks quotes against the instructions or the full text of the cited page."""

    def __init__(self, vault: Vault, instructions: str) -> None:
        self._vault, self._instructions = vault, instructions
        self._pages: dict[tuple[str, int], str] = {}

    def text(self, passage: Passage) -> str:
        if not passage.document_id:
            return self._instructions
        key = (passage.document_id, passage.page)
        if key not in self._pages:
            for page in self._vault.pages(passage.document_id):
                self._pages[(passage.document_id, page.page)] = page.text
        return self._pages.get(key, "")

    def cite(self, passage: Passage, quote: str) -> Source:
        """The model's quote as the span of its passage's page it reproduces, or unfound."""
        quote = " ".join(quote.split())
        document_id = passage.document_id or INSTRUCTIONS
        page = passage.page if passage.document_id else INSTRUCTIONS_PAGE
        cited = Quote.locate(document_id, page, self.text(passage), quote)
        if cited is not None:
            return Source(passage.title, cited)
        return Source(
            passage.title,
            None,
            (passage.document_id or None, page if passage.document_id else None, quote),
        )


def _generate(
    engine: EngineLike,
    messages: list[Message],
    schema: dict[str, Any],
    cancel: CancelToken,
    draft: Draft,
) -> Any:
    """One structured answer through the engine's one seam; invalid output is "not found"."""
    draft.model_calls += 1
    try:
        value, _ = generate_json(engine, messages, schema, cancel=cancel)
    except CancelledError as exc:
        raise CancelledError("The draft was cancelled.") from exc
    except (OutputInvalidError, OutputTruncatedError):
        return None  # treated as "not found": a placeholder, never a guess
    return value


def find_fact(
    item: Field,
    draft: Draft,
    engine: EngineLike,
    vault: Vault,
    sources: _Sources,
    cancel: CancelToken,
) -> Fact:
    passages = gather_passages(item, draft.instructions, draft.document_ids, engine, vault, 3)
    if not passages:
        return Fact(item.name, item.title, None, "missing")
    schema = bound_schema(cell_schema(item, len(passages)))
    options = " or ".join(f'"{o}"' for o in item.schema.get("enum", []))
    answer = _generate(
        engine,
        prompt_messages(
            "draft_fact.txt",
            {
                "fact": item.title,
                "description": item.description,
                "passages": _numbered(passages),
                "kind": f" The value must be {options}." if options else "",
            },
        ),
        schema,
        cancel,
        draft,
    )
    value = " ".join(str(answer["value"]).split()) if answer else ""
    if not answer or not answer["found"] or not value:
        return Fact(item.name, item.title, None, "missing")
    source = sources.cite(passages[int(answer["passage"]) - 1], str(answer["quote"]))
    ok = source.verified and grounded(value, source.quote) and plausible(item, value)
    return Fact(item.name, item.title, value, "supported" if ok else "unsupported", source)


def typed_fact(
    item: Field, draft: Draft, texts: list[tuple[str, DocumentText]], vault: Vault
) -> Fact:
    """A fact with ``x-extractor``: parsed from the instructions or the documents, or missing.

    No model call and no fallback to one: a typed fact no source states is a
    placeholder, so a guess can never take its place.
    """
    assert item.extractor is not None
    found = typed_value(item.extractor, draft.instructions, texts)
    if found is None or not plausible(item, found.value):
        return Fact(item.name, item.title, None, "missing")
    title = (
        vault.get_document_info(found.cited.document_id).title
        if found.cited.document_id
        else INSTRUCTIONS_TITLE
    )
    source = Source(title, found.cited)
    return Fact(item.name, item.title, found.value, "supported", source)


def section_schema(section: Section, passages: int) -> dict[str, Any]:
    """Bounded so the object always closes; each sentence can only cite a shown source."""
    return {
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "minItems": 1,
                "maxItems": section.sentences,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "maxLength": MAX_SENTENCE_CHARS},
                        "passage": {"enum": list(range(1, passages + 1))},
                        "quote": {"type": "string", "maxLength": MAX_QUOTE_CHARS},
                    },
                    "required": ["text", "passage", "quote"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["sentences"],
        "additionalProperties": False,
    }


#: What an unconfirmed fact of the model's prose becomes, by the kind of fact.
FACT_PLACEHOLDERS = {
    "date": "[\u25cfdate to confirm\u25cf]",
    "duration": "[\u25cfperiod to confirm\u25cf]",
    "number": "[\u25cfamount to confirm\u25cf]",
}


def unsupported_as_placeholders(text: str, source: Source, draft: Draft) -> str:
    """``text`` with every date, period and number that neither its cited quote (when found
    on its page), the instructions nor a supported typed fact states replaced by a
    placeholder: the model phrases the letter, it never supplies a fact. (Names are not
    replaced here: a letter's prose capitalises ordinary words, "Dear", "Invoice", that a
    name check cannot tell from a party's name; the parties are typed facts.)"""
    known = [source.quote] if source.verified else []
    known += [draft.instructions]
    known += [f.value for f in draft.facts.values() if f.status == "supported" and f.value]
    text = unicodedata.normalize("NFKC", text)
    for fact in reversed(unsupported_facts(text, known)):
        if fact.kind not in FACT_PLACEHOLDERS:
            continue
        text = text[: fact.start] + FACT_PLACEHOLDERS[fact.kind] + text[fact.end :]
    return text


def write_section(
    section: Section,
    draft: Draft,
    engine: EngineLike,
    vault: Vault,
    sources: _Sources,
    cancel: CancelToken,
) -> SectionText:
    passages = gather_passages(
        section.as_field, draft.instructions, draft.document_ids, engine, vault, 4
    )
    if not passages:
        return SectionText(section.name, section.title, [])
    schema = bound_schema(section_schema(section, len(passages)))
    answer = _generate(
        engine,
        prompt_messages(
            "draft_section.txt",
            {
                "template": draft.template.title.lower(),
                "section": section.title,
                "instruction": section.instruction,
                "passages": _numbered(passages),
                "sentences": str(section.sentences),
            },
        ),
        schema,
        cancel,
        draft,
    )
    sentences: list[Prose] = []
    for item in answer["sentences"] if answer else []:
        text = " ".join(str(item["text"]).split())
        if text:
            source = sources.cite(passages[int(item["passage"]) - 1], str(item["quote"]))
            sentences.append(Prose(unsupported_as_placeholders(text, source, draft), source))
    return SectionText(section.name, section.title, sentences)


def draft(
    template: Template,
    instructions: str,
    document_ids: Sequence[str],
    engine: EngineLike,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    today: datetime.date | None = None,
) -> Draft:
    """Fill ``template`` from the instructions and these documents of the vault, cited."""
    instructions = instructions.strip()
    if len(instructions) > MAX_INSTRUCTIONS_CHARS:
        raise UsageError(
            f"The instructions are {len(instructions)} characters long; "
            f"at most {MAX_INSTRUCTIONS_CHARS} fit beside the sources.",
            "Shorten them, or import the background as a document and choose it.",
        )
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    day = today or datetime.date.today()
    result = Draft(template, instructions, list(document_ids), f"{day.day} {day:%B %Y}")
    sources = _Sources(vault, instructions)
    texts = [(d, document_text(vault, d)) for d in document_ids]
    steps = len(template.facts) + len(template.sections)
    done = 0
    for item in template.facts:
        cancel.raise_if_cancelled()
        progress(done / max(1, steps), f"Looking for: {item.title}")
        if item.extractor:
            result.facts[item.name] = typed_fact(item, result, texts, vault)
        else:
            result.facts[item.name] = find_fact(item, result, engine, vault, sources, cancel)
        done += 1
    for section in template.sections.values():
        cancel.raise_if_cancelled()
        progress(done / max(1, steps), f"Writing: {section.title}")
        result.sections[section.name] = write_section(
            section, result, engine, vault, sources, cancel
        )
        done += 1
    result.seconds = time.perf_counter() - start
    progress(1.0, "Draft ready")
    return result
