"""The document's name: its title line, or the name the preamble gives it.

Titles are short lines in capitals or title case ending in a word such as Agreement,
Contract, Amendment or Lease ("MASTER JOINT DEVELOPMENT AGREEMENT"); a preamble says
"This Outsourcing Agreement ...". Legends ("CONFIDENTIAL TREATMENT REQUESTED"), exhibit
stamps and references to other agreements are not titles.
"""

from __future__ import annotations

import re

from app.tasks.candidates.document import DocumentText
from app.tasks.candidates.types import Candidate, ranked

HEAD_CHARS = 5000
#: Cue weights on the rule scale (app/tasks/candidates/registry.py).
TITLE_CUES = {
    "title_line": 3.0,  # a line that is a title ("MASTER SERVICES AGREEMENT")
    "this_title": 2.5,  # "This Master Services Agreement" in a sentence
    "upper": 0.5,  # set in capitals
    "several_words": 0.5,  # more than one word ("Supply Agreement", not "Agreement")
    "one_word": -1.0,  # a bare "Agreement" on its title line
    "one_word_this": -1.5,  # a bare "This Agreement"
}
#: Each later sentence loses this much: the title comes first.
ORDER_STEP = 0.05
_KIND = (
    r"(?:AGREEMENT|Agreement|CONTRACT|Contract|AMENDMENT|Amendment|LEASE|Lease|LICEN[CS]E|"
    r"Licen[cs]e|ADDENDUM|Addendum|MEMORANDUM\s+OF\s+UNDERSTANDING|Memorandum\s+of\s+Understanding|"
    r"DEED|Deed|TERMS\s+AND\s+CONDITIONS|Terms\s+and\s+Conditions|ARRANGEMENT|Arrangement)"
)
_TITLE = re.compile(
    r"(?P<title>(?:(?:[A-Z][\w&'/.,-]*|and|of|for|the|to|on|in|de|No\.|\d+)[^\S\n]+){0,8}?"
    + _KIND
    + r"(?:[^\S\n]+(?:No\.|NO\.|Number|NUMBER)\s*[\w-]+)?)"
)
_THIS = re.compile(r"\bThis\s+(?P<title>(?:[A-Z][\w&'-]*\s+){0,7}?" + _KIND + r")\b")
_NOT_TITLE = re.compile(
    r"\b(confidential|exhibit|schedule|redacted|omitted|pursuant\s+to|dated|between|"
    r"hereto|hereof|this\s+agreement|section|page)\b",
    re.IGNORECASE,
)


def title_candidates(doc: DocumentText) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in doc.head(HEAD_CHARS):
        for line in sentence.text.splitlines() or [sentence.text]:
            stripped = " ".join(line.split())
            match = _TITLE.fullmatch(stripped)
            if match is None:
                match = _TITLE.match(stripped) if len(stripped.split()) <= 12 else None
            if match is None or _NOT_TITLE.search(match.group("title")):
                continue
            title = match.group("title").strip(" ,.")
            if len(title.split()) < 1:
                continue
            upper = title.isupper()
            score = TITLE_CUES["title_line"] + (TITLE_CUES["upper"] if upper else 0)
            several = len(title.split()) > 1
            score += TITLE_CUES["several_words"] if several else TITLE_CUES["one_word"]
            out.append(
                Candidate(title, sentence, score - sentence.index * ORDER_STEP, ("title_line",))
            )
        for match in _THIS.finditer(sentence.text):
            title = " ".join(match.group("title").split())
            several = len(title.split()) > 1
            score = TITLE_CUES["this_title"] + (
                TITLE_CUES["several_words"] if several else TITLE_CUES["one_word_this"]
            )
            out.append(
                Candidate(title, sentence, score - sentence.index * ORDER_STEP, ("this_title",))
            )
    return ranked(out)
