"""Summarise, the parts: data types, page windows, schemas and prompts (no model calls).

Kept apart from the pipeline in app/tasks/summarise/pipeline.py so each stays small and the
windowing and schemas are tested without a model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from app.engine.chat import Message
from app.engine.structured import bound_schema
from app.errors import ChambersError
from app.tasks.prompts import load_prompt
from app.tasks.quote import Quote

STYLES = ("brief", "detailed", "chronology")
PARTIAL_TASK = "summarise.partial"
RESULT_TASK = "summarise"
#: Bump when prompts or schemas change, so stored partials of older runs are not reused.
FORMAT_VERSION = 2
_PROMPTS = {
    "brief": "summarise.txt",
    "detailed": "summarise.txt",
    "chronology": "summarise_chronology.txt",
}
_STYLE_WORDS = {"brief": "few most important", "detailed": "important", "chronology": ""}
YEAR = re.compile(r"\b(1[89]|20)[0-9]{2}\b")
_DATE_PATTERN = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
#: Tokens kept free besides the prompt and the output (chat template, rounding).
MARGIN = 64


class SummariseError(ChambersError):
    default_hint = "Choose a document that was imported into this vault."


@dataclass(frozen=True)
class StyleSpec:
    #: Most points one model call may return.
    max_points: int
    #: Longest point text, in characters.
    max_chars: int
    #: Brief and detailed: the most sentences the model reads, and their characters.
    sentences: int = 0
    input_chars: int = 0


STYLE_SPECS = {
    "brief": StyleSpec(max_points=5, max_chars=120, sentences=10, input_chars=2400),
    "detailed": StyleSpec(max_points=8, max_chars=240, sentences=20, input_chars=5000),
    "chronology": StyleSpec(max_points=8, max_chars=200),
}


@dataclass(frozen=True)
class Window:
    """Consecutive pages summarised in one call; ``part`` > 0 for a piece of a long page."""

    pages: tuple[int, ...]
    text: str
    tokens: int
    part: int = 0

    @property
    def key(self) -> str:
        first, last = self.pages[0], self.pages[-1]
        name = f"p{first}" if first == last else f"p{first}-{last}"
        return f"{name}.{self.part}" if self.part else name


#: What a line of the summary is: a fact of the header, a key term (both by rule), a
#: model's point whose facts its sentences state, a sentence quoted in place of a point
#: that failed that check, or a dated event (chronology).
KINDS = ("fact", "term", "point", "quoted", "event")


@dataclass(frozen=True)
class Point:
    text: str
    pages: list[int]
    #: Chronology only: YYYY, YYYY-MM or YYYY-MM-DD.
    date: str | None = None
    #: One of KINDS.
    kind: str = "point"
    #: A key term's field name in its field set.
    term: str | None = None
    #: The sentences the line rests on, as the one quote type (the first is shown).
    cited: list[Quote] = field(default_factory=list)
    #: A quote kept by an older version without its span: shown as it was, and the
    #: source viewer searches the page for it (the only quote that is searched for).
    unplaced: str | None = None

    @property
    def quote(self) -> str | None:
        """The quote shown beside the point, on one line."""
        return self.cited[0].flat if self.cited else self.unplaced

    def to_json(self) -> dict[str, Any]:
        """The point's fields; ``quote`` and each span's page/start/end as before."""
        data = asdict(self)
        del data["unplaced"]
        return data | {"quote": self.quote, "cited": [c.to_json() for c in self.cited]}

    @classmethod
    def from_json(cls, node: Mapping[str, Any], document_id: str) -> Point:
        """A point as ``to_json`` stored it (spans kept before quotes held their text,
        or a quote with no span at all, become ``unplaced``)."""
        cited = [
            Quote.from_json({"document_id": document_id} | dict(c))
            for c in node.get("cited", [])
            if "text" in c
        ]
        if len(cited) < len(node.get("cited", [])):
            cited = []
        names = {f.name for f in fields(cls)} - {"cited", "unplaced"}
        kept = {k: v for k, v in node.items() if k in names}
        unplaced = None if cited else node.get("quote")
        return cls(**kept, cited=cited, unplaced=unplaced)


def merge_repeats(points: Sequence[Point]) -> list[Point]:
    """One point per statement: a small model often says the same thing about several
    pages (boilerplate repeated on each), so repeats become one point citing them all."""
    merged: dict[tuple[str | None, str], Point] = {}
    for point in points:
        key = (point.date, " ".join(point.text.lower().split()).rstrip("."))
        if key in merged:
            kept = merged[key]
            pages = sorted(set(kept.pages) | set(point.pages))
            merged[key] = Point(
                kept.text,
                pages,
                kept.date,
                cited=kept.cited or point.cited,
                unplaced=kept.unplaced or point.unplaced,
            )
        else:
            merged[key] = point
    return list(merged.values())


@dataclass
class SummaryStats:
    #: Model parts: chronology's page windows, or the narrative's one call.
    windows: int = 0
    windows_reused: int = 0
    model_calls: int = 0
    window_tokens: int = 0
    prompt_tokens: int = 0
    generated_tokens: int = 0
    generation_seconds: float = 0.0
    total_seconds: float = 0.0
    #: The facts header and key terms (rules, no model).
    rules_seconds: float = 0.0
    #: The sentence filter: sentences read, dropped as boilerplate, shown to the model.
    sentences_read: int = 0
    sentences_boilerplate: int = 0
    sentences_shown: int = 0

    @property
    def tokens_per_second(self) -> float:
        return self.generated_tokens / self.generation_seconds if self.generation_seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"tokens_per_second": round(self.tokens_per_second, 2)}


@dataclass(frozen=True)
class Summary:
    document_id: str
    title: str
    text: str
    points: list[Point]
    covered_pages: list[int]
    total_pages: int
    style: str
    #: Pages covered but with no text to read (e.g. a scan that needs OCR).
    empty_pages: list[int] = field(default_factory=list)
    stats: SummaryStats = field(default_factory=SummaryStats)
    #: How many of ``points`` (at the start) are the facts header, not the model's points.
    facts: int = 0
    #: How many points after the header are key terms (rules, no model).
    key_terms: int = 0
    #: Key terms whose rule read every sentence and found none ("Cap on liability").
    absent: list[str] = field(default_factory=list)
    #: The model's points: how many it wrote, how many its sentences confirmed, how many
    #: were replaced by their quoted sentence (the rest were dropped).
    written: int = 0
    confirmed: int = 0
    quoted: int = 0
    #: The field set the key terms came from.
    fieldset: str = ""

    @property
    def narrative(self) -> list[Point]:
        return self.points[self.facts + self.key_terms :]

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "style": self.style,
            "text": self.text,
            "points": [p.to_json() for p in self.points],
            "covered_pages": self.covered_pages,
            "total_pages": self.total_pages,
            "empty_pages": self.empty_pages,
            "facts": self.facts,
            "key_terms": self.key_terms,
            "absent": self.absent,
            "written": self.written,
            "confirmed": self.confirmed,
            "quoted": self.quoted,
            "fieldset": self.fieldset,
            "stats": self.stats.to_json(),
        }


# -- windowing (pure) ------------------------------------------------------------------


def page_block(page: int, text: str) -> str:
    return f"[page {page}]\n{' '.join(text.split())}"


def _split_text(text: str, count_tokens: Callable[[str], int], budget: int) -> list[str]:
    """Cut ``text`` at word boundaries into pieces of at most ``budget`` tokens each."""
    if count_tokens(text) <= budget:
        return [text]
    words = text.split()
    if len(words) <= 1:  # one enormous "word": cut by characters
        half = max(1, len(text) // 2)
        return _split_text(text[:half], count_tokens, budget) + _split_text(
            text[half:], count_tokens, budget
        )
    mid = len(words) // 2
    return _split_text(" ".join(words[:mid]), count_tokens, budget) + _split_text(
        " ".join(words[mid:]), count_tokens, budget
    )


def make_windows(
    pages: Sequence[tuple[int, str]], count_tokens: Callable[[str], int], budget: int
) -> list[Window]:
    """Consecutive pages packed greedily into windows of at most ``budget`` tokens.

    Every page lands in exactly one window (a long page in several, as parts). Pages
    without text still get a window, so they are counted as covered.
    """
    if budget < 16:
        raise ValueError(f"A window budget of {budget} tokens is too small.")
    windows: list[Window] = []
    current: list[tuple[int, str, int]] = []

    def flush() -> None:
        if current:
            windows.append(
                Window(
                    tuple(p for p, _, _ in current),
                    "\n\n".join(b for _, b, _ in current),
                    sum(t for _, _, t in current),
                )
            )
            current.clear()

    for number, text in pages:
        block = page_block(number, text)
        tokens = count_tokens(block) + 2
        if tokens > budget:
            flush()
            header = count_tokens(page_block(number, "")) + 4
            body = " ".join(text.split())
            for i, piece in enumerate(_split_text(body, count_tokens, budget - header), 1):
                part = page_block(number, piece)
                windows.append(Window((number,), part, count_tokens(part), part=i))
            continue
        if current and sum(t for _, _, t in current) + tokens > budget:
            flush()
        current.append((number, block, tokens))
    flush()
    return windows


# -- schemas and prompts ---------------------------------------------------------------


def window_schema(style: str, pages: Sequence[int], spec: StyleSpec) -> dict[str, Any]:
    page = {"enum": sorted(set(pages))}
    if style == "chronology":
        item: dict[str, Any] = {
            "type": "object",
            "properties": {
                "date": {"type": "string", "pattern": _DATE_PATTERN, "maxLength": 10},
                "event": {"type": "string", "maxLength": spec.max_chars},
                "page": page,
            },
            "required": ["date", "event", "page"],
            "additionalProperties": False,
        }
        name, least = "events", 1  # windows without a year never reach the model
    else:
        item = {
            "type": "object",
            "properties": {"text": {"type": "string", "maxLength": spec.max_chars}, "page": page},
            "required": ["text", "page"],
            "additionalProperties": False,
        }
        name, least = "points", 1
    array = {"type": "array", "minItems": least, "maxItems": spec.max_points, "items": item}
    return bound_schema(
        {
            "type": "object",
            "properties": {name: array},
            "required": [name],
            "additionalProperties": False,
        }
    )


def window_messages(style: str, title: str, window: Window) -> list[Message]:
    system, user = load_prompt(_PROMPTS[style])
    content = (
        user.replace("{title}", title)
        .replace("{first}", str(window.pages[0]))
        .replace("{last}", str(window.pages[-1]))
        .replace("{pages}", window.text)
    )
    return [
        {"role": "system", "content": system.replace("{style}", _STYLE_WORDS[style])},
        {"role": "user", "content": content},
    ]


def cite(pages: Sequence[int]) -> str:
    return ", ".join(str(p) for p in pages)


def date_key(date: str | None) -> tuple[int, int, int]:
    """Sort key of a YYYY[-MM[-DD]] date; undated events go last."""
    if not date:
        return (9999, 99, 99)
    parts = [int(x) for x in date.split("-") if x.isdigit()]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


def format_points(points: Sequence[Point], title: str, style: str) -> str:
    lines = []
    for p in points:
        ref = f"[{title}, p. {cite(p.pages)}]"
        lines.append(f"{p.date}: {p.text} {ref}" if style == "chronology" else f"{p.text} {ref}")
    return "\n".join(lines)


#: Longest quote shown in the plain text of a key term (the point keeps it whole).
QUOTE_CHARS = 240


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def confirmed_line(written: int, confirmed: int, quoted: int) -> str:
    """What the check did to the model's points, in one sentence."""
    if not written:
        return "The model wrote no points."
    line = f"{confirmed} of {written} points confirmed by the sentences they cite"
    if quoted:
        line += f"; {quoted} shown as the contract's own words instead"
    return line + "."


def format_sections(summary: Summary, absent_text: str) -> str:
    """The plain text: key facts, key terms (each with its sentence), then the points."""
    title = summary.title

    def ref(point: Point) -> str:
        return f"[{title}, p. {cite(point.pages)}]"

    lines = ["KEY FACTS"] + [f"- {p.text} {ref(p)}" for p in summary.points[: summary.facts]]
    terms = summary.points[summary.facts : summary.facts + summary.key_terms]
    lines.append("KEY TERMS")
    for p in terms:
        lines.append(f'- {p.text} \u2014 "{clip(p.quote or "")}" {ref(p)}')
    if absent_text:
        lines.append(f"- {absent_text}")
    if not terms and not absent_text:
        lines.append("- (none found by rule)")
    checked = confirmed_line(summary.written, summary.confirmed, summary.quoted)
    lines.append(f"OTHER POINTS ({checked.rstrip('.')})")
    for p in summary.narrative:
        text = f'"{clip(p.text)}" (quoted)' if p.kind == "quoted" else p.text
        lines.append(f"- {text} {ref(p)}")
    return "\n".join(lines)


# -- stored partials -------------------------------------------------------------------
