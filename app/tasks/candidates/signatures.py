"""Who signs: the names in a contract's signature blocks, each a verbatim span of its page.

A preamble is not the only place a contract names its parties. Some never split them
out in one sentence ("between and among the Parties signatory hereto", a joint filing
"on behalf of each of the undersigned", a letter agreement addressed to one party), and
then the signature blocks are where a reader finds who is bound. Those blocks have a
fixed shape across drafting traditions, and that shape is what is read here, not any
particular document:

- US style: the party's name on the line(s) just above a ``By:`` line
  (``ACME INC.`` / ``By: /s/ Jane Doe``), a two-line name when the line above ``By:``
  only continues it (``a Delaware corporation``, ``COMPANY, LLC``, ``D/B/A ...``);
- English style: ``For and on behalf of`` / ``Signed for and on behalf of`` the name,
  on the same line or the next.

Each name found is a ``Sentence`` cut from the page text, so a summary that quotes it
quotes the page verbatim, as every other typed fact does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.tasks.candidates.document import DocumentText, Sentence
from app.tasks.legal_values import PartialDate, date_spans

_BY = re.compile(r"^[ \t\u00a0]*By[ \t\u00a0]*:", re.IGNORECASE | re.MULTILINE)
_ON_BEHALF = re.compile(
    r"\b(?:signed\s+)?(?:for\s+and\s+)?on\s+behalf\s+of\b[ \t\u00a0:]*", re.IGNORECASE
)
#: A rule drawn for a signature, or nothing but punctuation.
_RULE = re.compile(r"^[\s_\-.=*\u00a0]*$")
#: Lines of a block that are not the party: the signer's details and the form's labels.
_NOT_A_PARTY = re.compile(
    r"^\s*(?:by|name|title|its|date|dated|witness|attest|address|signature|print|/s/|s/)\b"
    r"|^\s*/s|\b(?:in\s+witness|whereof|hereto|hereby|executed|written\s+above|full\s+name|"
    r"typed|printed|behalf|company\s+name)\b|\b(?:day\s+of|section|article)\b|_{3,}"
    # an address or a telephone number, not a name
    r"|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b",
    re.IGNORECASE,
)
#: An officer's title on a line of its own ("Chief Financial Officer", "Sr. Vice President").
_OFFICER = re.compile(
    r"\b(?:president|officer|director|manager|secretary|treasurer|trustee|chairman|"
    r"ceo|cfo|coo|counsel|authori[sz]ed\s+signatory)\b",
    re.IGNORECASE,
)
_COMPANY_FORM = re.compile(
    r"\b(?:inc|corp|corporation|company|co|llc|l\.l\.c|ltd|limited|lp|l\.p|llp|plc|gmbh|ag|"
    r"s\.?a|b\.?v|n\.?v|trust|fund|bank|association|authority|university)\b\.?",
    re.IGNORECASE,
)
#: The line above ``By:`` only continues the name above it: a description in lower case
#: ("a Delaware corporation"), a defined term in quotes, a trade name, or the tail of a
#: name broken over two lines ("COMPANY, LLC").
_CONTINUES = re.compile(r"^\s*(?:[a-z(\"'\u201c\u2018]|[Dd]/[Bb]/[Aa]\b|dba\b|DBA\b|as\s)")
#: Role labels and a letter's closing before the name ("LICENSEE:", "Accepted:",
#: "Sincerely,"), not part of it.
_ROLE = re.compile(
    r"(?:[A-Za-z][A-Za-z ]{0,30}:\s*|(?:Sincerely|Very\s+truly\s+yours|Yours\s+"
    r"(?:faithfully|sincerely|truly)),\s*)+(?=\S)",
    re.IGNORECASE,
)
#: A blank form's role words ("Dealer", "THE VENDOR"): a role, not a party's name.
_ROLE_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "party",
        "parties",
        "interested",
        "dealer",
        "vendor",
        "recipient",
        "client",
        "advertiser",
        "company",
        "customer",
        "supplier",
        "licensee",
        "licensor",
        "distributor",
        "consultant",
        "contractor",
        "buyer",
        "seller",
        "purchaser",
        "discloser",
        "disclosing",
        "receiving",
        "employee",
        "employer",
        "representative",
        "agent",
        "owner",
        "tenant",
        "landlord",
        "lender",
        "borrower",
    ]
)
#: A line of prose, not a name: many lower-case words.
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")
MAX_NAME_CHARS = 160


@dataclass(frozen=True)
class Signatory:
    """One signature block's party name, as written (``span`` is its text on the page)."""

    span: Sentence

    @property
    def name(self) -> str:
        """The name on one line, less a role colon or a sentence's full stop after it
        ("ACCURAY INCORPORATED:", "... domiciled in Switzerland."); "Inc." keeps its own."""
        flat = self.span.flat.rstrip(" :;,")
        last = re.search(r"(\w+)\.$", flat)
        if last and len(last.group(1)) > 4 and not last.group(1).isupper():
            flat = flat[:-1]
        return flat


def _lines_before(text: str, position: int) -> list[tuple[int, int]]:
    """Spans of the non-empty, non-rule lines above ``position``, nearest first."""
    out: list[tuple[int, int]] = []
    end = text.rfind("\n", 0, position)
    while end > 0 and len(out) < 2:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if not _RULE.match(line):
            out.append(
                (start + len(line) - len(line.lstrip()), end - (len(line) - len(line.rstrip())))
            )
        end = start - 1
    return out


def _is_line(line: str) -> bool:
    """A line that may be (part of) a party's name: not the signer's details, not prose."""
    flat = " ".join(line.split())
    if not flat or len(flat) > MAX_NAME_CHARS:
        return False
    if _NOT_A_PARTY.search(flat) or re.search(r"[a-z]{3}[.;]\s+[A-Z][a-z]", flat):
        return False
    if _OFFICER.search(flat) and not _COMPANY_FORM.search(flat):
        return False
    return len(_LOWER_WORD.findall(flat)) <= 5


def _is_name(line: str) -> bool:
    """A line that starts a party's name (a capital or a digit first)."""
    return (
        _is_line(line)
        and re.match(r"\s*[A-Z0-9]", line) is not None
        and any(c.isupper() for c in line)
    )


def _open_end(line: str) -> bool:
    """The line stops mid-name ("... a private company domiciled in", "ACME CORP.,")."""
    return re.search(r"(?:,|\b[a-z]+)\s*$", line) is not None


def _continues(line: str) -> bool:
    flat = " ".join(line.split())
    tail = len(flat.split()) <= 2 and _COMPANY_FORM.search(flat) is not None
    return tail or _CONTINUES.match(flat) is not None


def _above_by(text: str, by: int) -> tuple[int, int] | None:
    """The name above one ``By:`` line: one line, or two when the nearer only continues it."""
    lines = _lines_before(text, by)
    if not lines or not _is_line(text[lines[0][0] : lines[0][1]]):
        return None
    nearest = lines[0]
    near_text = text[nearest[0] : nearest[1]]
    above = text[lines[1][0] : lines[1][1]] if len(lines) > 1 else ""
    if (_continues(near_text) or _open_end(above)) and _is_name(above):
        return lines[1][0], nearest[1]
    if not _is_name(near_text):
        return None
    if re.fullmatch(r"[\w\s]+:", near_text.strip()):  # "LICENSEE:" with no name: a blank form
        return None
    return nearest


def _on_behalf(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """The name after "for and on behalf of": the rest of the line, else the next line."""
    start = match.end()
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    if not text[start:end].strip():
        start = end + 1
        while start < len(text) and text[start] in " \t\u00a0":
            start += 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
    line = text[start:end].rstrip(" \t\u00a0,:;")
    if not _is_name(line):
        return None
    return start, start + len(line)


def _without_role(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span less a leading role label ("LICENSEE: ACME INC." -> "ACME INC.")."""
    start, end = span
    role = _ROLE.match(text, start, end)
    if role:
        start = role.end()
    words = re.findall(r"[a-z]+", text[start:end].lower())
    if not words or all(w in _ROLE_WORDS for w in words):
        return None
    return start, end


def signatories(doc: DocumentText) -> list[Signatory]:
    """The party names of the document's signature blocks, in reading order, no repeats."""
    found: list[Signatory] = []
    seen: set[str] = set()
    for page in doc.pages:
        spans = [_above_by(page.text, m.start()) for m in _BY.finditer(page.text)]
        spans += [
            _on_behalf(page.text, m)
            for m in _ON_BEHALF.finditer(page.text)
            if not page.text[page.text.rfind("\n", 0, m.start()) + 1 : m.start()].strip()
        ]
        for found_span in sorted(s for s in spans if s is not None):
            span = _without_role(page.text, found_span)
            if span is None:
                continue
            text = page.text[span[0] : span[1]]
            key = " ".join(text.lower().split())
            if key not in seen:
                seen.add(key)
                found.append(Signatory(Sentence(page.number, span[0], span[1], text, -1)))
    return found


#: "Date: August 7, 2018" / "Dated: ..." lines of a signature block (two columns allowed).
_DATE_LINE = re.compile(r"^[ \t\u00a0]*Dated?[ \t\u00a0]*:[^\n]*", re.IGNORECASE | re.MULTILINE)


#: A page that carries signatures: a "By:" line, "/s/", "IN WITNESS WHEREOF", "on behalf of".
_SIGNATURE_PAGE = re.compile(
    _BY.pattern + r"|/s/|\bin\s+witness\s+whereof\b|" + _ON_BEHALF.pattern,
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class SigningDate:
    """A date written beside a signature: when that party signed."""

    span: Sentence
    date: PartialDate


def signing_dates(doc: DocumentText) -> list[SigningDate]:
    """Dates on the ``Date:`` lines of pages that carry signature blocks, in order.

    A contract dated only by its signatures takes effect when the last party signs, so
    a reader wants these dates even when the preamble has none.
    """
    out: list[SigningDate] = []
    for page in doc.pages:
        if not _SIGNATURE_PAGE.search(page.text):
            continue
        for line in _DATE_LINE.finditer(page.text):
            for start, end, date in date_spans(line.group(0)):
                if date.year is None:
                    continue
                at = line.start() + start
                text = page.text[at : line.start() + end]
                out.append(SigningDate(Sentence(page.number, at, at + len(text), text, -1), date))
    return out
