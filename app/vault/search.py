"""Full-text search inside one unlocked vault (SQLite FTS5, BM25 ranking).

Search is scoped to the vault it runs in: there is no cross-matter index, so retrieval can
never cross an ethical wall. Queries use FTS5 syntax: words, "exact phrases", prefix*,
AND / OR / NOT, NEAR(a b, 5). A malformed query is a user error with a hint, not a crash.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from app.errors import UsageError

MARK_START = "«"
MARK_END = "»"


class SearchSyntaxError(UsageError):
    default_hint = (
        'Use words, "exact phrases", prefix* and AND / OR / NOT; put quotes around '
        "text with punctuation."
    )


_TOKEN = re.compile(r'NEAR\([^)]*\)|"[^"]*"?|[^\s"]+')
_OPERATORS = {"AND", "OR", "NOT"}


def _word(token: str) -> str:
    if re.fullmatch(r"\w+\*?", token):
        return token
    star = "*" if token.endswith("*") else ""
    return '"' + token.rstrip("*") + '"' + star


def normalise_query(query: str) -> str:
    """Quote words FTS5 would misread, so lawyers can type ``non-compete`` or ``§ 5.05(b)``.

    Operators, (groups), "phrases", prefix* and NEAR(...) keep their meaning; any other
    word with punctuation becomes a phrase (its parts must appear together), and a word
    with no letters or digits at all (a lone §) is dropped.
    """
    out: list[str] = []
    depth = 0
    for token in _TOKEN.findall(query):
        if token.startswith("NEAR(") or token in _OPERATORS:
            out.append(token)
            continue
        if token.startswith('"'):
            out.append(token if token.endswith('"') and len(token) > 1 else token + '"')
            continue
        opens = len(token) - len(token.lstrip("("))
        token = token[opens:]
        depth += opens
        closes = min(depth, len(token) - len(token.rstrip(")")))
        token = token[: len(token) - closes] if closes else token
        depth -= closes
        out += ["("] * opens
        if re.search(r"\w", token):
            out.append(_word(token))
        out += [")"] * closes
    out += [")"] * depth
    return " ".join(out)


#: Longest snippet shown for a hit, in characters (about three lines of a results list).
SNIPPET_CHARS = 320
_SENTENCE_END = re.compile(r"[.;!?][\"'”)]*\s+(?=[\"'“(]?[A-Z0-9§(])|\n\s*\n")


def sentence_snippet(marked: str, limit: int = SNIPPET_CHARS) -> str:
    """The sentence holding the first hit of ``marked`` (a chunk with its hits in « »),
    cut to ``limit`` characters around the hit with "…" where it was cut.

    FTS5's own ``snippet`` counts tokens from the best window, which often ends just
    before the words searched for; a lawyer reads the hit in its sentence instead.
    """
    text = " ".join(marked.split())
    first = text.find(MARK_START)
    if first < 0:
        return text[:limit] + ("…" if len(text) > limit else "")
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, first):
        start = match.end()
    close = text.find(MARK_END, first)
    after = _SENTENCE_END.search(text, close if close >= 0 else first)
    end = after.start() + 1 if after else len(text)
    # The whole sentence when it fits; else the hit a third of the way in, using any
    # room the sentence's end leaves.
    left = max(start, min(first - limit // 3, end - limit))
    if left > start:  # cut at a word boundary
        space = text.find(" ", left, first)
        left = space + 1 if space >= 0 else left
    right = min(end, left + limit)
    if right < end:
        space = text.rfind(" ", max(close, first) + 1, right)
        right = space if space > 0 else right
    shown = text[left:right].strip()
    if shown.count(MARK_START) > shown.count(MARK_END):
        shown += MARK_END  # a hit cut at the right edge stays closed
    return ("…" if left > start else "") + shown + ("…" if right < end else "")


@dataclass(frozen=True)
class SearchHit:
    document_id: str
    title: str
    page: int
    chunk_id: int
    char_start: int
    char_end: int
    #: The matching passage with matched terms wrapped in « and » (rare in legal text).
    snippet: str
    #: Higher is better (negated BM25).
    score: float


def search(
    conn: Any, query: str, *, limit: int = 20, document_ids: Sequence[str] | None = None
) -> list[SearchHit]:
    """The best ``limit`` chunks for ``query``, best first."""
    if not query.strip():
        return []
    where, params = "chunks_fts MATCH ?", [normalise_query(query)]
    if document_ids is not None:
        if not document_ids:
            return []
        where += f" AND c.document_id IN ({','.join('?' * len(document_ids))})"
        params += list(document_ids)
    sql = f"""
        SELECT c.document_id, d.title, c.page, c.id, c.char_start, c.char_end,
               highlight(chunks_fts, 0, '{MARK_START}', '{MARK_END}'),
               bm25(chunks_fts)
        FROM chunks_fts
        JOIN chunks AS c ON c.id = chunks_fts.rowid
        JOIN documents AS d ON d.id = c.document_id
        WHERE {where}
        ORDER BY bm25(chunks_fts)
        LIMIT ?"""
    try:
        rows = conn.execute(sql, (*params, max(1, limit))).fetchall()
    except sqlcipher3.OperationalError as exc:
        if "fts5" in str(exc) or "syntax" in str(exc) or "no such column" in str(exc):
            raise SearchSyntaxError(f"The search {query!r} is not valid: {exc}.") from exc
        raise
    return [
        SearchHit(
            r[0],
            r[1],
            int(r[2]),
            int(r[3]),
            int(r[4]),
            int(r[5]),
            sentence_snippet(r[6]),
            -float(r[7]),
        )
        for r in rows
    ]
