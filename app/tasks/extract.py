"""Extract: a field set run over one or many documents of a matter, into a grid.

For each document and each field the pipeline is find -> ask -> verify:

- Find: the clause that answers a field often sits deep in the document (governing law
  near the end), so the field's search terms (``x-search``, else the words of its
  description) are looked up with ``Vault.search`` restricted to *that one document*,
  and each hit is narrowed to the window around its densest cluster of matches. Fields
  marked ``x-where: "start"`` (parties, dates) always also get the document's opening
  words. A field with no candidate passage is ``not_found`` without calling the model.
- Ask: the model reads only those numbered passages and answers with grammar-constrained
  JSON: ``found``, a ``passage`` number, a verbatim ``quote`` and the ``value`` (whose
  schema is the field's own bounded string or enum).
- Verify: the quote is looked for (app/tasks/verify.find_quote: case, whitespace and
  typographic marks aside) on the full text of the cited passage's page. Found: the cell
  is ``supported``; not found: ``unsupported`` (the value is kept, but flagged).

Page numbers come from the passage, never from the model.
"""

from __future__ import annotations

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
from app.tasks.fieldsets import Field, FieldSet
from app.tasks.retrieve import Passage, Query, _snap, build_query
from app.tasks.verify import closest_sentence, find_quote
from app.vault import Vault

Status = Literal["supported", "unsupported", "not_found"]
PROMPT_FILE = ("resources", "prompts", "extract.txt")
_SEPARATOR = "\n=====\n"
MAX_QUOTE_CHARS = 240


@dataclass(frozen=True)
class Cell:
    value: str | None
    quote: str
    page: int | None
    status: Status
    #: Where a supported quote sits in the page text (for the source viewer).
    char_start: int | None = None
    char_end: int | None = None
    #: For an unsupported quote: the passage sentence it most resembles, verbatim.
    closest: str | None = None
    #: Why a cell is empty when that is not simply "not in the document".
    note: str | None = None
    #: A person reviewed the cell (accepted or corrected it; see app/tasks/corrections.py).
    reviewed: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


NOT_FOUND_CELL = Cell(None, "", None, "not_found")


@dataclass(frozen=True)
class Row:
    document_id: str
    title: str
    cells: dict[str, Cell]
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "cells": {name: cell.to_json() for name, cell in self.cells.items()},
        }


@dataclass(frozen=True)
class Grid:
    """Documents x fields. ``fields`` keeps the field set's order: (name, title)."""

    fieldset: str
    fields: list[tuple[str, str]]
    rows: list[Row] = field(default_factory=list)

    @property
    def document_ids(self) -> list[str]:
        return [row.document_id for row in self.rows]

    def counts(self) -> dict[str, int]:
        out = {"supported": 0, "unsupported": 0, "not_found": 0}
        for row in self.rows:
            for cell in row.cells.values():
                out[cell.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "fieldset": self.fieldset,
            "fields": [{"name": n, "title": t} for n, t in self.fields],
            "rows": [row.to_json() for row in self.rows],
        }


def search_query(item: Field) -> Query:
    """The field's search terms as one ORed query: phrases whole, single words stemmed."""
    parts = [f'"{term}"' if " " in term else term for term in item.search]
    query = build_query(" ".join(parts)) if parts else build_query("")
    if not query.terms:  # no x-search, or only stopwords: the description's words
        query = build_query(item.description)
    return query


def best_window(text: str, query: Query, size: int) -> tuple[int, int]:
    """The ``size``-character span of ``text`` holding the most distinct terms."""
    if len(text) <= size:
        return 0, len(text)
    matches = sorted(
        ((m.start(), i) for i, term in enumerate(query.terms) for m in term.pattern.finditer(text)),
    )
    best, best_span = -1.0, (0, size)
    for position, _ in matches:
        start = max(0, min(position - size // 4, len(text) - size))
        inside = {i for pos, i in matches if start <= pos < start + size}
        weight = sum(query.terms[i].weight for i in inside)
        if weight > best:
            best, best_span = weight, (start, start + size)
    return _snap(text, *best_span)


def candidate_passages(
    item: Field,
    document_id: str,
    vault: Vault,
    *,
    count_tokens: Callable[[str], int],
    max_passages: int = 3,
    window_chars: int = 600,
    token_budget_passages: int = 700,
) -> list[Passage]:
    """The passages of ``document_id`` (only) most likely to answer ``item``."""
    return document_passages(
        search_query(item),
        document_id,
        vault,
        count_tokens=count_tokens,
        where=item.where,
        max_passages=max_passages,
        window_chars=window_chars,
        token_budget_passages=token_budget_passages,
    )


def document_passages(
    query: Query,
    document_id: str,
    vault: Vault,
    *,
    count_tokens: Callable[[str], int],
    where: str = "any",
    max_passages: int = 3,
    window_chars: int = 600,
    token_budget_passages: int = 700,
) -> list[Passage]:
    """The passages of ``document_id`` (only) holding most of ``query``'s term weight.

    Shared by Extract (a field's search terms) and the clause check (a statement's
    words, weighed by rarity in the document): search scoped to the one document, each
    hit narrowed to its densest window, most coverage first, within a token budget.
    """
    pages = {p.page: p.text for p in vault.pages(document_id)}
    if not pages:
        return []
    title = vault.get_document_info(document_id).title
    found: list[Passage] = []
    if where == "start":
        first = min(pages)
        start, end = _snap(pages[first], 0, min(len(pages[first]), window_chars))
        found.append(Passage(document_id, title, first, start, end, pages[first][start:end], 0, 0))
    hits = (
        vault.search(query.fts, limit=max_passages * 3, document_ids=[document_id])
        if query.terms
        else []
    )
    candidates: list[Passage] = []
    for hit in hits:
        if hit.document_id != document_id:  # search is scoped; belt and braces
            continue
        text = pages.get(hit.page, "")
        chunk = text[hit.char_start : hit.char_end]
        start, end = best_window(chunk, query, window_chars)
        start, end = hit.char_start + start, hit.char_start + end
        body = text[start:end]
        candidates.append(
            Passage(document_id, title, hit.page, start, end, body, hit.score, query.coverage(body))
        )
    # Most of the field's terms first, BM25 among equals; for "end" fields later pages
    # break ties (the boilerplate at the back is where governing law lives).
    late = 1 if where == "end" else 0
    candidates.sort(key=lambda p: (round(p.coverage, 1), p.score + late * p.page * 1e-3))
    candidates.reverse()
    used = 0
    chosen: list[Passage] = []
    for passage in found + candidates:
        if len(chosen) >= max_passages:
            break
        overlaps = any(
            c.page == passage.page
            and passage.char_start < c.char_end
            and c.char_start < passage.char_end
            for c in chosen
        )
        if overlaps:
            continue
        tokens = count_tokens(passage.text)
        if chosen and used + tokens > token_budget_passages:
            continue
        used += tokens
        chosen.append(
            Passage(passage.document_id, passage.title, passage.page, passage.char_start,
                    passage.char_end, passage.text, passage.score, passage.coverage, tokens)
        )  # fmt: skip
    return chosen


def cell_schema(item: Field, passages: int) -> dict[str, Any]:
    """Bounded, so the object always closes; ``passage`` can only name a shown passage."""
    return {
        "type": "object",
        "properties": {
            "found": {"type": "boolean"},
            "passage": {"enum": list(range(1, passages + 1))},
            "quote": {"type": "string", "maxLength": MAX_QUOTE_CHARS},
            "value": item.schema,
        },
        "required": ["found", "passage", "quote", "value"],
        "additionalProperties": False,
    }


def build_messages(item: Field, title: str, passages: Sequence[Passage]) -> list[Message]:
    template = resource_path(*PROMPT_FILE).read_text(encoding="utf-8")
    system, _, user = template.partition(_SEPARATOR)
    numbered = "\n\n".join(
        f"[{i}] page {p.page}:\n{' '.join(p.text.split())}" for i, p in enumerate(passages, 1)
    )
    options = " or ".join(f'"{o}"' for o in item.schema.get("enum", []))
    kind = f" The value must be {options}." if options else ""
    content = (
        user.replace("{title}", title)
        .replace("{field}", item.title)
        .replace("{description}", item.description)
        .replace("{kind}", kind)
        .replace("{passages}", numbered)
    )
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": content}]


def verify_cell(value: str | None, quote: str, page: int, page_text: str, passage: str) -> Cell:
    """A found cell whose quote is checked against the full text of its page."""
    quote = " ".join(quote.split())
    span = find_quote(quote, page_text) if quote else None
    if span is None:
        return Cell(value, quote, page, "unsupported", closest=closest_sentence(quote, passage))
    return Cell(value, quote, page, "supported", span[0], span[1])


def extract_field(
    item: Field,
    document_id: str,
    engine: Engine,
    vault: Vault,
    *,
    cancel: CancelToken | None = None,
    max_passages: int = 3,
) -> Cell:
    """One cell: candidate passages of this document, the model's answer, its quote checked."""
    cancel = cancel or CancelToken()
    passages = candidate_passages(
        item, document_id, vault, count_tokens=engine.count_tokens, max_passages=max_passages
    )
    cancel.raise_if_cancelled()
    if not passages:
        return NOT_FOUND_CELL
    schema = bound_schema(cell_schema(item, len(passages)))
    generation = engine.stream(
        build_messages(item, passages[0].title, passages),
        grammar=grammar_for(schema),
        max_tokens=token_budget(schema),
        cancel=cancel,
        stop=[],
    )
    text = generation.read()
    if generation.stats.finish_reason == "cancelled":
        raise CancelledError("The extraction was cancelled.")
    try:
        answer = parse_output(text, schema, generation.stats.finish_reason)
    except (OutputInvalidError, OutputTruncatedError) as exc:
        return Cell(None, "", None, "not_found", note=exc.message)
    value = " ".join(str(answer["value"]).split())
    if not answer["found"] or not value or value.lower() in ("not found", "none", "n/a"):
        return NOT_FOUND_CELL
    passage = passages[int(answer["passage"]) - 1]
    page_text = {p.page: p.text for p in vault.pages(document_id)}[passage.page]
    return verify_cell(value, str(answer["quote"]), passage.page, page_text, passage.text)


def extract_document(
    document_id: str,
    fieldset: FieldSet,
    engine: Engine,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    max_passages: int = 3,
) -> Row:
    """Every field of ``fieldset`` for one document."""
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    title = vault.get_document_info(document_id).title
    cells: dict[str, Cell] = {}
    total = len(fieldset.fields)
    for i, item in enumerate(fieldset.fields):
        cancel.raise_if_cancelled()
        progress(i / total, f"{title}: {item.title}")
        cells[item.name] = extract_field(
            item, document_id, engine, vault, cancel=cancel, max_passages=max_passages
        )
    progress(1.0, f"{title}: done")
    return Row(document_id, title, cells, time.perf_counter() - start)


def extract_grid(
    document_ids: Sequence[str],
    fieldset: FieldSet,
    engine: Engine,
    vault: Vault,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    max_passages: int = 3,
) -> Grid:
    """Documents x fields; rows in the order of ``document_ids``."""
    cancel = cancel or CancelToken()
    grid = Grid(fieldset.name, [(f.name, f.title) for f in fieldset.fields])
    count = max(1, len(document_ids))
    progress(
        0.0, f"Extracting {len(fieldset.fields)} field(s) from {len(document_ids)} document(s)"
    )
    for n, document_id in enumerate(document_ids):

        def scaled(fraction: float, message: str, n: int = n) -> None:
            progress(min(0.999, (n + fraction) / count), message)

        grid.rows.append(
            extract_document(
                document_id,
                fieldset,
                engine,
                vault,
                progress=scaled,
                cancel=cancel,
                max_passages=max_passages,
            )
        )
    progress(1.0, "Done")
    return grid
