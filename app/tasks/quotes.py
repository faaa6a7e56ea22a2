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
_SENTENCE = re.compile(r"(?<=[.;:?!])[\"')\]]?\s+")
_WORDS = re.compile(r"[^\W_]+")

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


def find_quote(quote: str, source: str) -> tuple[int, int] | None:
    """The span of ``source`` that ``quote`` reproduces, or None if it is not there.

    Parts separated by an ellipsis must appear in order; the span runs from the first
    part's start to the last part's end.
    """
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


def closest_sentence(quote: str, passage: str, min_overlap: float = 0.6) -> str | None:
    """The passage sentence sharing most words with ``quote`` (at least ``min_overlap``).

    Lets a reader see what the model probably meant to quote, next to the flag that
    its own quote is not in the source.
    """
    wanted = {w.lower() for w in _WORDS.findall(quote)}
    if not wanted:
        return None
    best, best_share = None, 0.0
    for sentence in _SENTENCE.split(passage):
        words = {w.lower() for w in _WORDS.findall(sentence)}
        share = len(wanted & words) / len(wanted)
        if share > best_share:
            best, best_share = sentence, share
    if best is None or best_share < min_overlap:
        return None
    return " ".join(best.split())
