"""Check that a quote the model attributes to a page is really on that page.

The model is asked to copy words verbatim, and a small model often does not. Comparison
ignores case, runs of whitespace (PDF text is full of non-breaking spaces and hard line
breaks), typographic quotes and dashes, and an ellipsis stands for an omitted stretch.
Anything else that differs means the quote is not in the source, and the citation says
so rather than passing it off as evidence.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00ad": None,  # soft hyphen
    }
)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.+|\u2026)\s*")
_EDGE = " \t\r\n\"'.,;:\u2026"

#: Shorter quotes prove nothing ("the", "Agreement").
MIN_QUOTE_CHARS = 8


def normalise(text: str) -> tuple[str, list[int]]:
    """Comparable form of ``text`` and, for each of its characters, the source index."""
    out: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).translate(_TRANSLATE).lower()
        for piece in folded:
            if piece.isspace():
                pending_space = bool(out)
                continue
            if pending_space:
                out.append(" ")
                index.append(i)
                pending_space = False
            out.append(piece)
            index.append(i)
    return "".join(out), index


#: A word broken across a line end: "simultaneous-\nly" on the page, "simultaneously" in
#: a quote that reads it as a person does.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t\u00a0]*\n\s*(?=[a-z])")


def _joined(source: str) -> tuple[str, list[int]]:
    """``source`` with words broken at line ends joined, and each character's source index."""
    kept: list[str] = []
    index: list[int] = []
    position = 0
    for match in _LINE_END_HYPHEN.finditer(source):
        kept.append(source[position : match.start()])
        index.extend(range(position, match.start()))
        position = match.end()
    kept.append(source[position:])
    index.extend(range(position, len(source)))
    return "".join(kept), index


def find_quote(quote: str, source: str) -> tuple[int, int] | None:
    """The span of ``source`` that ``quote`` reproduces, or None if it is not there.

    Parts separated by an ellipsis must appear in order; the span runs from the first
    part's start to the last part's end. A quote that joins a word the page breaks at a
    line end with a hyphen is found too (the span still covers the page's characters).
    """
    found = _find(quote, source)
    if found is None and "-" in source:
        joined, where = _joined(source)
        if len(joined) < len(source):
            span = _find(quote, joined)
            if span is not None:
                return where[span[0]], where[span[1] - 1] + 1
    return found


def _find(quote: str, source: str) -> tuple[int, int] | None:
    parts = [normalise(p.strip(_EDGE))[0] for p in _ELLIPSIS.split(quote)]
    parts = [p for p in parts if p]
    if sum(len(p) for p in parts) < MIN_QUOTE_CHARS:
        return None
    haystack, index = normalise(source)
    position, first = 0, -1
    for part in parts:
        found = haystack.find(part, position)
        if found < 0:
            return None
        first = found if first < 0 else first
        position = found + len(part)
    return index[first], index[position - 1] + 1
