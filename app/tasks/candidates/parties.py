"""The parties: the preamble sentence split into each legal name and its short name.

A preamble names each party once, in a fixed shape: the legal name, perhaps a
description ("a Delaware corporation", "with offices at ..."), then the defined short
name in brackets and quotes (``("Licensee")``), the parties joined by "and" after
"between" or "among". Legends, cover pages and tables of contents push the preamble
down the first pages, so it is looked for by its shape, not its position.
"""

from __future__ import annotations

import re

from app.tasks.candidates.document import DocumentText, Sentence
from app.tasks.candidates.types import Candidate, ranked

HEAD_CHARS = 12000
_BETWEEN = re.compile(
    r"\b(?:(?:by\s+and\s+)?(?:between|among(?:st)?|B\s+E\s+T\s+W\s+E\s+E\s+N)|"
    r"(?:made|entered\s+into|executed)\s+by)\b\s*:?",
    re.IGNORECASE,
)
_QUOTE_OPEN = "\"\u201c\u201d'\u2018\u2019"
#: A defined short name: ("Licensee"), (the "Company"), (hereinafter "VIP"),
#: (hereinafter referred to as "Party A"), ("Fox" or "Licensor").
_DEFINED = re.compile(
    r"\(\s*(?:(?:each|hereinafter|herein|referred\s+to|called|jointly|collectively|individually)"
    r"[\s,]+)*(?:as\s+)?"
    r"(?:the\s+|a\s+|an\s+)?[" + _QUOTE_OPEN + r"]\s*(?P<short>[^" + _QUOTE_OPEN + r")]{1,60}?)"
    r"\s*[" + _QUOTE_OPEN + r"][^)]{0,80}\)",
    re.IGNORECASE,
)
_COLLECTIVE = re.compile(
    r"\b(part(y|ies)|each|collectively|individually|together|jointly)\b", re.IGNORECASE
)
#: Where a legal name ends and its description starts.
_DESCRIPTION = re.compile(
    r",?\s+(?:an?\s+|the\s+)(?:[\w.-]+\s+){0,4}?(?:corporation|company|limited|partnership|"
    r"bank|association|trust|entity|organi[sz]ation|body|society|individual|person|"
    r"corporate|incorporated|organized|organised|existing|chartered|formed)\b"
    r"|,?\s+(?:having|with|whose|located|residing|incorporated|organized|organised|existing|"
    r"registered|a\s+company|a\s+corporation|acting|on\s+behalf)\b"
    r"|\s*\((?:\s*(?:a|an)\s+|\s*(?:company|registration|reg\.|formerly|f/k/a|d/b/a))",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^[\s,;:]*(?:and\s+|&\s+)?(?:the\s+)?", re.IGNORECASE)
_NAME_CHARS = re.compile(r"[A-Za-z0-9]")
MAX_VALUE_CHARS = 300

#: Cue weights on the rule scale (app/tasks/candidates/registry.py).
PARTY_CUES = {
    "preamble": 3.0,  # a preamble-shaped sentence ("by and between ... and ...")
    "per_party": 1.0,  # each party it names, up to three
    "one_party_penalty": 3.0,  # only one party: not the list of parties
    "this_agreement": 1.0,  # it says "this ... Agreement"
    "labelled": 3.5,  # 'Party A: ...' labelled lines
    "title_pair": 1.5,  # "X and Y" in the title lines
    "cover_pair": 1.5,  # "X / and / Y" on three lines of a cover page
    "named_after_between": 2.5,  # the words after "between", when no split names two parties
}
#: Each later sentence loses this much, so the first statement wins a tie.
ORDER_STEP = 1e-3


#: Names with defined short names before a verb of agreeing: a preamble with no "between".
_AGREES = re.compile(
    r"\b(?:agree|agrees|confirm|confirms|enter|enters|make|makes|covenant|associate)\b"
)


def defines_parties(text: str, verb_text: str = "") -> bool:
    """Two or more short names defined for parties in a sentence that records an agreement.

    ``Aduro Biotech, Inc. ("Aduro") and IREYA B.V. ("Consultant") agree ...``; defined
    terms that are not parties ("the Effective Date", "this Agreement") do not count. A
    long preamble is cut into pieces for quoting, so the verb may be in ``verb_text``
    (the piece after it).
    """
    shorts = [
        m.group("short")
        for m in _DEFINED.finditer(text)
        if not re.search(r"\b(?:agreement|date|term|effective)\b", m.group("short"), re.I)
    ]
    return len(shorts) >= 2 and _AGREES.search(f"{text} {verb_text}") is not None


#: A preamble cut short at an address or an abbreviation ("Friedrich-Ebert-Str. 68")
#: reads on into the next sentences of its page, until two parties are defined, the
#: recitals begin, or it has this many characters.
MAX_PREAMBLE_CHARS = 1500
READ_ON_SENTENCES = 6


def _read_on(doc: DocumentText, sentence: Sentence, after: int) -> Sentence | None:
    """``sentence`` joined with the next ones of its page until it defines two parties."""
    page_text = doc.page_text(sentence.page)
    for following in doc.following(sentence, READ_ON_SENTENCES):
        if following.page != sentence.page or following.end - sentence.start > MAX_PREAMBLE_CHARS:
            return None
        if _END.search(following.text[:40]):
            return None
        text = page_text[sentence.start : following.end]
        if sum(1 for _ in _DEFINED.finditer(text, after)) >= 2:
            return Sentence(sentence.page, sentence.start, following.end, text, sentence.index)
    return None


def _preamble_sentences(doc: DocumentText) -> list[Sentence]:
    """Sentences that name the parties: "between A ("A") and B ("B")", read on if cut."""
    out = []
    for sentence in doc.head(HEAD_CHARS):
        between = _BETWEEN.search(sentence.text)
        if between is None:
            continue
        defined = sum(1 for _ in _DEFINED.finditer(sentence.text, between.end()))
        if defined:
            out.append(sentence)
        if defined < 2:  # cut before the second party is defined: read on as well
            joined = _read_on(doc, sentence, between.end())
            if joined is not None:
                out.append(joined)
    return out


def _agreeing_sentences(doc: DocumentText) -> list[Sentence]:
    """Preambles with no "between": 'A Inc. ("A") and B B.V. ("B") agree ...'."""
    out = []
    for sentence in doc.head(HEAD_CHARS):
        after = doc.following(sentence)
        verb_text = after[0].text if after and after[0].page == sentence.page else ""
        if not _BETWEEN.search(sentence.text) and defines_parties(sentence.text, verb_text):
            out.append(sentence)
    return out


_AND = re.compile(r"(?:,\s*|\s+)(?:and|&)\s+(?=[A-Z0-9\"\u201c])|;\s*")
_CONTINUATION = re.compile(
    r"^(?:\(|(?:with|whose|having|located|residing|a|an|as|of|at|in|its|their|being|which|who|"
    r"each|both|hereinafter|herein|collectively|individually|together|on|for|acting|duly)"
    r"\b(?!\.))",
    re.IGNORECASE,
)
_OF_ADDRESS = re.compile(
    r"\b(?:Inc|Ltd|LLC|Corp|Co|plc|A/S|GmbH|AG|SA|S\.A|B\.V|N\.V|L\.P|LP|LLP|Limited|"
    r"Corporation|Company|University|Incorporated|Trust|Bank)\.?(?P<cut>,?\s+(?:of|at|in)\s+)"
    r"(?=[A-Z0-9])"
)
#: A clause, not a name: a verb or a quotation inside it.
_NOT_A_NAME = re.compile(r"\b(is|are|shall|will|together|hereto|hereby)\b|[\"\u201c\u201d]")
_END = re.compile(r"\b(WHEREAS|RECITALS|BACKGROUND|WITNESSETH|PREAMBLE)\b")
#: A title or exhibit line above a preamble that names the parties first.
_TITLE_LINE = re.compile(r"[^\n]*\b(?:AGREEMENT|CONTRACT|EXHIBIT\s+[\d.]+)[^\S\n]*\n")


def _name(piece: str) -> str:
    """The legal name at the start of one party's words (its description cut off)."""
    piece = _LEADING.sub("", " ".join(piece.split())).strip(" ,;:")
    cut = _DESCRIPTION.search(piece)
    if cut:
        piece = piece[: cut.start()]
    address = _OF_ADDRESS.search(piece)
    if address:
        piece = piece[: address.start("cut")]
    return piece.strip(" ,;:")


def _names(segment: str) -> list[str]:
    """The names in the words between two defined terms ("A, a corporation, and B")."""
    pieces = _AND.split(segment)
    names = []
    for piece in pieces:
        flat = _LEADING.sub("", " ".join(piece.split())).strip(" ,;:")
        if not flat or _CONTINUATION.match(flat):
            continue
        name = _name(flat)
        if name and _NAME_CHARS.match(name) and len(name) <= 150 and not _NOT_A_NAME.search(name):
            names.append(name)
    return names


def split_parties(text: str, from_start: bool = False) -> list[tuple[str, str]]:
    """(legal name, short name or "") for each party of a preamble, in order.

    The names follow "between" (or, ``from_start``, open the sentence: a preamble that
    names the parties before its verb, 'A ("A") and B ("B") agree').
    """
    between = _BETWEEN.search(text)
    if between is None and not from_start:
        return []
    begin = between.end() if between is not None else 0
    if between is None:  # names open the sentence: skip the title lines above them
        first = _DEFINED.search(text)
        for title in _TITLE_LINE.finditer(text, 0, first.start() if first else 0):
            begin = title.end()
    end = _END.search(text, begin)
    body = text[begin : end.start() if end else len(text)]
    position = 0
    parties: list[tuple[str, str]] = []
    for match in _DEFINED.finditer(body):
        short = " ".join(match.group("short").split()).strip(" ,.")
        names = _names(body[position : match.start()])
        position = match.end()
        if _COLLECTIVE.search(short) or not short:
            parties.extend((n, "") for n in names)
            continue
        parties.extend((n, "") for n in names[:-1])
        if names:
            parties.append((names[-1], short))
    parties.extend((n, "") for n in _names(body[position:]) if position)
    seen: set[str] = set()
    out = []
    for name, short in parties:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append((name, short))
    return out


def format_parties(parties: list[tuple[str, str]]) -> str:
    text = "; ".join(f'{name} ("{short}")' if short else name for name, short in parties)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "\u2026"


_LABELLED = re.compile(
    r"\b(?:Party|PARTY)\s+(?P<letter>[A-Z1-9])\s*[:\uff1a]\s*(?P<name>[A-Z][^():\n\uff08]{2,120}?)"
    r"(?=\s*(?:\(|\uff08|Registration|Registered|Address|Legal|Domicile|Party\s+[A-Z1-9]\s*[:\uff1a]|\n|$))"
)
_PLAIN_PAIR = re.compile(
    r"^(?P<a>(?:[A-Z][\w.,&'-]*\s+){0,7}?[A-Z][\w.,&'-]*)\s+(?:and|AND|&)\s+"
    r"(?P<b>(?:[A-Z][\w.,&'-]*\s+){0,7}?[A-Z][\w.,&'-]*)"
)


#: An English-style cover: each party's name on its own line, "and" on the line between.
_COVER_PAIR = re.compile(
    r"(?:^|\n)[^\S\n]*(?:\(1\)\s*)?(?P<a>[A-Z][A-Z0-9.,&'()/ -]{2,80}?)[^\S\n]*\n"
    r"[^\S\n]*(?:and|AND|-\s*and\s*-)[^\S\n]*\n"
    r"[^\S\n]*(?:\(2\)\s*)?(?P<b>[A-Z][A-Z0-9.,&'()/ -]{2,80}?)[^\S\n]*(?:\n|$)"
)


def _cover_pair(sentence_text: str) -> list[tuple[str, str]]:
    """ "ACME LIMITED / and / JOHN SMITH" on three lines of a cover page (names only)."""
    match = _COVER_PAIR.search(sentence_text)
    if match is None:
        return []
    names = [" ".join(match.group(k).split()).strip(" ,") for k in ("a", "b")]
    if any(re.search(r"\b(AGREEMENT|CONTRACT|DATED|SCHEDULE|EXHIBIT)\b", n) for n in names):
        return []
    return [(n, "") for n in names]


def _labelled_parties(sentence_text: str) -> list[tuple[str, str]]:
    """ "Party A: Acme Co., Ltd. ... Party B: Beta Ltd." as used in many cross-border contracts."""
    out = []
    for match in _LABELLED.finditer(sentence_text):
        name = " ".join(match.group("name").split()).strip(" ,;.")
        out.append((name, f"Party {match.group('letter')}"))
    return out


def _title_pair(sentence_text: str) -> list[tuple[str, str]]:
    """A cover line "AGREEMENT BETWEEN ACME INC. AND BETA LLC" (names only, no short names)."""
    between = _BETWEEN.search(sentence_text)
    if between is None:
        return []
    match = _PLAIN_PAIR.match(" ".join(sentence_text[between.end() :].split()))
    if match is None:
        return []
    return [(match.group("a").strip(" ,"), ""), (match.group("b").strip(" ,"), "")]


def _fallback_candidates(doc: DocumentText) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in doc.head(HEAD_CHARS):
        for finder, score in (
            (_labelled_parties, PARTY_CUES["labelled"]),
            (_title_pair, PARTY_CUES["title_pair"]),
            (_cover_pair, PARTY_CUES["cover_pair"]),
        ):
            parties = finder(sentence.text)
            if len(parties) >= 2:
                out.append(
                    Candidate(
                        format_parties(parties),
                        sentence,
                        score - sentence.index * ORDER_STEP,
                        (finder.__name__,),
                        normalised=parties,
                    )
                )
    return out


#: The preamble is in the opening words; the unsplit fallback looks no further.
OPENING_CHARS = 3000
_NAMES_START = re.compile(r"\s*[(\[]?\s*(?:\d\)\s*)?[A-Z0-9\"\u201c]")
_BLANK_LINE = re.compile(r"\n\s*\n")


def _named_after_between(doc: DocumentText) -> list[Candidate]:
    """The words after the preamble's "between", up to the recitals, when they cannot be split.

    Some preambles define no short names ('referred to in this Agreement as "Company"')
    or none in brackets; the parties are still the words after "between", so they are
    offered whole (a low score: any split naming two parties wins).
    """
    for sentence in doc.head(OPENING_CHARS):
        between = _BETWEEN.search(sentence.text)
        if between is None or not _NAMES_START.match(sentence.text, between.end()):
            continue
        page_text = doc.page_text(sentence.page)
        start = sentence.start + between.end()
        stop = min(len(page_text), start + MAX_VALUE_CHARS)
        for finder in (_END, _BLANK_LINE):
            found = finder.search(page_text, start, stop)
            if found is not None:
                stop = found.start()
        value = " ".join(page_text[start:stop].split()).strip(" ,;:")
        end = max(sentence.end, stop)
        quoted = Sentence(
            sentence.page, sentence.start, end, page_text[sentence.start : end], sentence.index
        )
        if value:
            score = PARTY_CUES["named_after_between"] - sentence.index * ORDER_STEP
            return [Candidate(value, quoted, score, ("named_after_between",))]
    return []


def party_candidates(doc: DocumentText) -> list[Candidate]:
    """Each preamble-shaped sentence split into parties; two or more parties rank first."""
    out: list[Candidate] = _fallback_candidates(doc) + _named_after_between(doc)
    found = [(s, False) for s in _preamble_sentences(doc)]
    found += [(s, True) for s in _agreeing_sentences(doc)]
    for sentence, from_start in found:
        parties = split_parties(sentence.text, from_start)
        if not parties:
            continue
        score = PARTY_CUES["preamble"] + PARTY_CUES["per_party"] * min(len(parties), 3)
        score -= 0 if len(parties) >= 2 else PARTY_CUES["one_party_penalty"]
        if re.search(r"\bthis\b[^.;]{0,80}\bagreement\b", sentence.text, re.IGNORECASE):
            score += PARTY_CUES["this_agreement"]
        out.append(
            Candidate(
                format_parties(parties),
                sentence,
                score - sentence.index * ORDER_STEP,
                ("preamble",),
                normalised=parties,
            )
        )
    return ranked(out)
