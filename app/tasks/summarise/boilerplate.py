"""What a partner does not read in a summary: definitions, headings, signature blocks and
the standard boilerplate clauses (counterparts, notices, severability, entire agreement,
waiver, headings, amendment, relationship of the parties ...).

A small model summarising contract text copies exactly these, because they are long,
regular and everywhere. So the summary's narrative never shows them to the model: every
sentence of every page is judged here first, by rule, and the same judge scores the
model's points afterwards (the eval's "boilerplate share"), so what slips through the
filter is measured, not guessed.

The rules are data (``PATTERNS``: a kind and a regular expression over the sentence on
one line), plus two shape rules (a heading has no verb-bearing sentence end; a signature
block is mostly short "Name:" / "By:" lines), so a firm can read exactly what is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: (kind, pattern) pairs, tried in order on the sentence as one line, case-insensitive.
PATTERNS: tuple[tuple[str, str], ...] = (
    # Definitions: the defined term, then "means" or "shall have the meaning".
    (
        "definition",
        r"^[\s\d.()a-z]{0,12}[\"\u201c\u2018'][^\"\u201d\u2019']{1,80}[\"\u201d\u2019']"
        r"\s*(?:\([^)]*\)\s*)?(?:shall\s+)?(?:mean|means|has|have|refers?|includes?|is|are)\b",
    ),
    ("definition", r"\bshall\s+have\s+the\s+(?:same\s+)?meanings?\b"),
    ("definition", r"\b(?:has|have)\s+the\s+meanings?\s+(?:set\s+forth|given|ascribed|assigned)"),
    ("definition", r"\b(?:capitali[sz]ed\s+terms|the\s+following\s+(?:terms|definitions))\b"),
    ("definition", r"\bas\s+used\s+(?:in|herein)\b.{0,80}\bmeans?\b"),
    # Signature blocks and execution formalities.
    ("signature", r"\bIN\s+WITNESS\s+WHEREOF\b"),
    ("signature", r"^(?:by|name|title|its|date|signature|signed|per)\s*:"),
    ("signature", r"/s/"),
    ("signature", r"_{5,}"),
    (
        "signature",
        r"\b(?:duly\s+authori[sz]ed\s+(?:officers?|representatives?)|executed\s+"
        r"(?:this|the)\s+agreement\s+as\s+of)\b",
    ),
    ("signature", r"\bsigned\s+(?:for\s+and\s+)?on\s+behalf\s+of\b"),
    # Standard boilerplate clauses.
    ("counterparts", r"\bcounterparts?\b"),
    (
        "notices",
        r"\bnotices?\b.{0,120}\b(?:in\s+writing|shall\s+be\s+(?:given|sent|delivered|"
        r"deemed)|addressed|personally\s+delivered|certified\s+mail|registered\s+mail|courier)",
    ),
    (
        "notices",
        r"\b(?:attention|attn)\s*[:.]|\b(?:facsimile|fax|telephone|tel|e-?mail)\s*"
        r"(?:no\.?|number)?\s*:|\breturn\s+receipt\s+requested\b",
    ),
    ("notices", r"\bwith\s+a\s+copy\s+(?:\(which\s+shall\s+not\s+constitute\s+notice\)\s+)?to\b"),
    (
        "severability",
        r"\bseverab|\b(?:invalid|illegal|unenforceable|void)\b.{0,200}\b(?:remaining|"
        r"other|remainder)\b.{0,40}\b(?:provisions?|of\s+th(?:is|e)\s+agreement)\b|"
        r"\b(?:invalid|unenforceable)\b.{0,120}\bshall\s+not\s+(?:affect|invalidate|impair)\b",
    ),
    (
        "entire agreement",
        r"\bentire\s+(?:agreement|understanding)\b|\bsupersedes?\s+(?:all|any)\s+"
        r"(?:prior|previous|other)\b",
    ),
    (
        "waiver",
        r"\b(?:no\s+waiver|waiver\s+of\s+any|shall\s+not\s+(?:be\s+deemed\s+to\s+)?"
        r"(?:constitute|operate\s+as|be\s+construed\s+as)\s+a\s+waiver|failure\s+(?:or\s+delay\s+)?"
        r"(?:of|by)\s+(?:either|any)\s+party\s+to\s+(?:enforce|insist|exercise))",
    ),
    (
        "headings",
        r"\b(?:headings?|captions?)\b.{0,80}\b(?:convenience|reference|not\s+(?:affect|"
        r"be\s+(?:deemed|considered)))",
    ),
    (
        "amendment",
        r"\b(?:amended|modified|supplemented|varied)\b.{0,60}\b(?:only\s+by|except\s+by|"
        r"unless\s+(?:made\s+)?in)\s+(?:a\s+|an\s+)?(?:written|writing|instrument)",
    ),
    (
        "relationship",
        r"\bindependent\s+contractors?\b|\b(?:partnership|joint\s+venture|agency)\b"
        r".{0,80}\b(?:nothing|not\s+(?:be\s+)?(?:deemed|construed|create))|\bnothing\b.{0,120}\b"
        r"(?:partnership|joint\s+venture)\b",
    ),
    (
        "construction",
        r"\bconstrued\s+against\s+(?:the\s+)?(?:drafter|drafting|either)|\bsingular\b"
        r".{0,40}\bplural\b|\bgender\b.{0,40}\b(?:include|neuter)",
    ),
    ("successors", r"\bbinding\s+upon\b.{0,80}\binure\b|\binure\s+to\s+the\s+benefit\b"),
    (
        "further assurances",
        r"\bfurther\s+(?:assurances|acts|documents)\b.{0,80}\b(?:necessary|"
        r"reasonably\s+requested)\b|\bexecute\s+(?:and\s+deliver\s+)?such\s+further\b",
    ),
    ("remedies cumulative", r"\bremedies\b.{0,60}\bcumulative\b"),
    (
        "forum",
        r"\bsubmits?\s+to\s+the\s+(?:non-?)?(?:exclusive\s+)?jurisdiction\b|\bwaives?\s+"
        r"(?:any\s+)?(?:right\s+to\s+(?:a\s+)?)?trial\s+by\s+jury\b",
    ),
    (
        "page furniture",
        r"^(?:source\s*:|page\s+\d+\s+(?:of\s+\d+)?$|table\s+of\s+contents\b|"
        r"confidential\s+treatment\s+(?:requested|has\s+been))|\.{5,}|\[\s*\*+\s*\]\s*$",
    ),
    (
        "recital",
        r"^(?:now,?\s+)?therefore,?\s+in\s+consideration\b|\bthe\s+receipt\s+and\s+"
        r"sufficiency\s+of\s+which\b",
    ),
)
_COMPILED = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in PATTERNS)
#: A heading: short, and it does not end as a sentence does.
HEADING_CHARS = 90
_SENTENCE_END = re.compile(r"[.;:?!][\"'\u201d\u2019)]*$")
_LETTERS = re.compile(r"[A-Za-z]")
#: A sentence whose letters are this share capitals (and that is short) is a heading.
CAPS_SHARE = 0.8
CAPS_CHARS = 200


def judge(text: str, *, shape: bool = True) -> str | None:
    """The kind of boilerplate ``text`` is (``"definition"``, ``"notices"`` ...) or None.

    ``shape`` False skips the shape rules (heading, page furniture), for text the model
    wrote: a short point without a full stop is not a heading.
    """
    flat = " ".join(text.split())
    if not flat:
        return "empty"
    letters = _LETTERS.findall(flat)
    if shape and len(letters) < 8:
        return "page furniture"  # numbering, a page number, a redaction mark
    if shape and len(flat) <= HEADING_CHARS and not _SENTENCE_END.search(flat):
        return "heading"
    upper = sum(c.isupper() for c in letters)
    if shape and len(flat) <= CAPS_CHARS and upper / max(1, len(letters)) >= CAPS_SHARE:
        return "heading"
    for kind, pattern in _COMPILED:
        if pattern.search(flat):
            return kind
    return None


def judge_point(text: str, quotes: Sequence[str]) -> str | None:
    """A model's point is boilerplate when its words are, or when a sentence it rests on is."""
    found = judge(text, shape=False)
    for quote in quotes:
        found = found or judge(quote)
    return found
