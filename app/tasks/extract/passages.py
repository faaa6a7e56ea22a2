"""Passages of one document that are likely to answer a question (search scoped to it).

Used where no typed generator exists: a user's own field, a draft section, a clause
statement. Search is restricted to the one document, each hit narrowed to the window
around its densest cluster of matches; fields marked ``x-where: "start"`` always get the
document's opening words too.
"""

from __future__ import annotations

from collections.abc import Callable

from app.tasks.fieldsets import Field
from app.tasks.retrieve import Passage, Query, best_window, build_query, snap
from app.vault import Vault


def search_query(item: Field) -> Query:
    """The field's search terms as one ORed query: phrases whole, single words stemmed."""
    parts = [f'"{term}"' if " " in term else term for term in item.search]
    query = build_query(" ".join(parts)) if parts else build_query("")
    if not query.terms:  # no x-search, or only stopwords: the description's words
        query = build_query(item.description)
    return query


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
        start, end = snap(pages[first], 0, min(len(pages[first]), window_chars))
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
            Passage(
                passage.document_id,
                passage.title,
                passage.page,
                passage.char_start,
                passage.char_end,
                passage.text,
                passage.score,
                passage.coverage,
                tokens,
            )
        )
    return chosen
