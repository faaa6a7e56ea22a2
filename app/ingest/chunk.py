"""Split pages into retrievable chunks that keep exact provenance.

Each chunk lies within one page and is an exact slice of that page's text
(``chunk.text == page.text[chunk.start:chunk.end]``), so any answer built on a chunk
can cite page and quote verbatim, and the source viewer can highlight the span.

Chunks are made of whole blocks where possible: a block starts at a blank line or at
a clause heading ("12.3", "Section 4", "ARTICLE V", "(a)", "§ 2"), because a passage
that straddles two clauses retrieves worse and quotes worse than one that does not.
Blocks are packed greedily up to ``max_tokens`` measured by ``count_tokens`` on the
actual slice (real tokenizers are not additive). A block too big for the budget is cut
at line, then sentence, then word boundaries, and only as a last resort mid-word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from app.ingest.types import ChunkSpan, PageText

CountTokens = Callable[[str], int]

DEFAULT_MAX_TOKENS = 512


def estimate_tokens(text: str) -> int:
    """About four characters a token for English legal prose; cheap and conservative."""
    return (len(text) + 3) // 4


_CLAUSE_START = re.compile(
    r"""^[ \t]*(?:
        (?:\d{1,3}\.)+\d{0,3}[ \t]+\S            # 12. / 12.3 / 1.2.3 followed by text
      | \d{1,3}\)[ \t]+\S                         # 1) item
      | \([a-zA-Z0-9]{1,5}\)[ \t]+\S               # (a) (iv) (12)
      | (?:section|article|clause|schedule|exhibit|annex|appendix)[ \t]+[0-9IVXLCivxlc]+\b
      | §
    )""",
    re.IGNORECASE | re.VERBOSE | re.MULTILINE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"')\]]?\s+")
_SPACE = re.compile(r"\s+")


def chunk_pages(
    pages: Iterable[PageText],
    max_tokens: int = DEFAULT_MAX_TOKENS,
    count_tokens: CountTokens = estimate_tokens,
) -> list[ChunkSpan]:
    """Chunks for every page, in page order; blank pages give none."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    chunks: list[ChunkSpan] = []
    for page in pages:
        for start, end in chunk_text(page.text, max_tokens, count_tokens):
            chunks.append(ChunkSpan(page.number, start, end, page.text[start:end]))
    return chunks


def chunk_text(
    text: str, max_tokens: int, count_tokens: CountTokens = estimate_tokens
) -> list[tuple[int, int]]:
    """(start, end) spans over ``text``: trimmed, ordered, non-overlapping, within budget."""
    blocks = _split(text, 0, len(text), _block_starts(text))
    return _pack(text, blocks, max_tokens, count_tokens, level=0)


def _block_starts(text: str) -> list[int]:
    starts = {match.end() for match in _BLANK_LINE.finditer(text)}
    starts.update(match.start() for match in _CLAUSE_START.finditer(text))
    return sorted(starts)


def _split(text: str, start: int, end: int, cuts: Iterable[int]) -> list[tuple[int, int]]:
    """Cut [start, end) at ``cuts`` and trim whitespace; empty pieces vanish."""
    spans: list[tuple[int, int]] = []
    previous = start
    for cut in [*(c for c in cuts if start < c < end), end]:
        spans.extend(_trim(text, previous, cut))
        previous = cut
    return spans


def _trim(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if start < end else []


def _finer(text: str, start: int, end: int, level: int) -> list[tuple[int, int]]:
    """Units one level finer than a block: lines, then sentences, then words."""
    piece = text[start:end]
    if level == 0:
        cuts = [start + m.end() for m in re.finditer(r"\n", piece)]
    elif level == 1:
        cuts = [start + m.end() for m in _SENTENCE_END.finditer(piece)]
    else:
        cuts = [start + m.end() for m in _SPACE.finditer(piece)]
    return _split(text, start, end, cuts)


def _pack(
    text: str, units: list[tuple[int, int]], max_tokens: int, count_tokens: CountTokens, level: int
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in units:
        if current is not None and count_tokens(text[current[0] : end]) <= max_tokens:
            current = (current[0], end)
            continue
        if current is not None:
            spans.append(current)
            current = None
        if count_tokens(text[start:end]) <= max_tokens:
            current = (start, end)
        elif level < 3:
            finer = _finer(text, start, end, level)
            if len(finer) > 1:
                spans.extend(_pack(text, finer, max_tokens, count_tokens, level + 1))
            else:
                spans.extend(_pack(text, [(start, end)], max_tokens, count_tokens, level + 1))
        else:
            spans.extend(_hard_cut(text, start, end, max_tokens, count_tokens))
    if current is not None:
        spans.append(current)
    return spans


def _hard_cut(
    text: str, start: int, end: int, max_tokens: int, count_tokens: CountTokens
) -> list[tuple[int, int]]:
    """Longest prefixes that fit (binary search), for a run with no usable boundary."""
    spans: list[tuple[int, int]] = []
    while start < end:
        low, high = start + 1, end
        while low < high:
            middle = (low + high + 1) // 2
            if count_tokens(text[start:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        spans.extend(_trim(text, start, low))
        start = low
    return spans
