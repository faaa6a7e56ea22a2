"""Summarise: one document of any length, every point citing the page it came from.

The pipeline is map -> reduce:

- Map: the pages are cut into windows of consecutive pages that fit the model's context
  (the prompt and the worst-case output are left room for); a page too long for one
  window is split into parts. Each window is summarised as constrained JSON whose
  ``page`` field is an enum of that window's page numbers, so a citation is always a
  real page of the document. A window whose pages hold no text (a scan awaiting OCR) is
  covered without calling the model.
- Reduce: while the points are too many (or too long for one context), consecutive groups
  of points are combined; a combined point cites the union of its sources' pages. The
  chronology style is not reduced: its events are merged and put in date order.
- Resume: each finished step (a window's points, a combined group) is stored in the
  vault's ``task_outputs`` table, keyed by the document's SHA-256, the style, the window's
  pages, the settings and the model's SHA-256, so a run interrupted by Ctrl-C picks up
  where it stopped.

``covered_pages`` lists every page that sat inside some map window: always all of them.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.cancel import CancelToken, Progress, no_progress
from app.engine import Engine
from app.engine.chat import Message
from app.engine.structured import bound_schema, grammar_for, parse_output, token_budget
from app.errors import CancelledError, ChambersError
from app.paths import resource_path
from app.vault import Vault
from app.vault.slots import now_iso

STYLES = ("brief", "detailed", "chronology")
PARTIAL_TASK = "summarise.partial"
RESULT_TASK = "summarise"
#: Bump when prompts or schemas change, so stored partials of older runs are not reused.
FORMAT_VERSION = 1
_SEPARATOR = "\n=====\n"
_PROMPTS = {
    "brief": "summarise.txt",
    "detailed": "summarise.txt",
    "chronology": "summarise_chronology.txt",
}
_COMBINE_PROMPT = "summarise_combine.txt"
_STYLE_WORDS = {"brief": "few most important", "detailed": "important", "chronology": ""}
_YEAR = re.compile(r"\b(1[89]|20)[0-9]{2}\b")
_DATE_PATTERN = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
#: Tokens kept free besides the prompt and the output (chat template, rounding).
_MARGIN = 64


class SummariseError(ChambersError):
    default_hint = "Choose a document that was imported into this vault."


@dataclass(frozen=True)
class StyleSpec:
    #: Most points one model call may return.
    max_points: int
    #: Longest point text, in characters.
    max_chars: int
    #: Reduce until at most this many points remain (0: never reduce).
    target_points: int


STYLE_SPECS = {
    "brief": StyleSpec(max_points=4, max_chars=200, target_points=8),
    "detailed": StyleSpec(max_points=6, max_chars=240, target_points=40),
    "chronology": StyleSpec(max_points=8, max_chars=200, target_points=0),
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


@dataclass(frozen=True)
class Point:
    text: str
    pages: list[int]
    quote: str | None = None
    #: Chronology only: YYYY, YYYY-MM or YYYY-MM-DD.
    date: str | None = None


@dataclass
class SummaryStats:
    windows: int = 0
    windows_reused: int = 0
    model_calls: int = 0
    reduce_levels: int = 0
    window_tokens: int = 0
    prompt_tokens: int = 0
    generated_tokens: int = 0
    generation_seconds: float = 0.0
    total_seconds: float = 0.0

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

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "style": self.style,
            "text": self.text,
            "points": [asdict(p) for p in self.points],
            "covered_pages": self.covered_pages,
            "total_pages": self.total_pages,
            "empty_pages": self.empty_pages,
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


def combine_schema(points: int, spec: StyleSpec) -> dict[str, Any]:
    return bound_schema(
        {
            "type": "object",
            "properties": {
                "points": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": spec.max_points,
                    "items": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string", "maxLength": spec.max_chars},
                            "from": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": min(points, 6),
                                "items": {"enum": list(range(1, points + 1))},
                            },
                        },
                        "required": ["text", "from"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["points"],
            "additionalProperties": False,
        }
    )


def _template(name: str) -> tuple[str, str]:
    text = resource_path("resources", "prompts", name).read_text(encoding="utf-8")
    system, _, user = text.partition(_SEPARATOR)
    return system.strip(), user


def window_messages(style: str, title: str, window: Window) -> list[Message]:
    system, user = _template(_PROMPTS[style])
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


def _cite(pages: Sequence[int]) -> str:
    return ", ".join(str(p) for p in pages)


def _numbered(points: Sequence[Point]) -> str:
    return "\n".join(f"[{i}] (p. {_cite(p.pages)}) {p.text}" for i, p in enumerate(points, 1))


def combine_messages(title: str, points: Sequence[Point]) -> list[Message]:
    system, user = _template(_COMBINE_PROMPT)
    content = user.replace("{title}", title).replace("{points}", _numbered(points))
    return [{"role": "system", "content": system}, {"role": "user", "content": content}]


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
        cite = f"[{title}, p. {_cite(p.pages)}]"
        lines.append(f"{p.date}: {p.text} {cite}" if style == "chronology" else f"{p.text} {cite}")
    return "\n".join(lines)


# -- stored partials -------------------------------------------------------------------


class _Partials:
    """Finished steps of earlier runs of this document, read once, written as they finish."""

    def __init__(self, vault: Vault, document_id: str, enabled: bool) -> None:
        self._vault, self._document_id, self._enabled = vault, document_id, enabled
        self._stored: dict[str, list[Point]] = {}
        if not enabled:
            return
        # Reads go through a write transaction: the vault exposes its own tables to tasks
        # only there. It commits nothing but bumps the vault's generation counter once.
        with vault.write() as txn:
            rows = txn.connection.execute(
                "SELECT id, result FROM task_outputs WHERE task = ? AND document_ids = ?",
                (PARTIAL_TASK, json.dumps([document_id])),
            ).fetchall()
        for row_id, result in rows:
            try:
                self._stored[str(row_id)] = [Point(**p) for p in json.loads(result)["points"]]
            except (ValueError, TypeError, KeyError):
                continue  # an unreadable partial is recomputed

    def get(self, key: str) -> list[Point] | None:
        return self._stored.get(key)

    def put(self, key: str, points: list[Point], model_sha256: str | None) -> None:
        self._stored[key] = points
        if not self._enabled:
            return
        with self._vault.write() as txn:
            txn.connection.execute(
                "INSERT OR REPLACE INTO task_outputs"
                " (id, task, created, document_ids, model_sha256, result)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    PARTIAL_TASK,
                    now_iso(),
                    json.dumps([self._document_id]),
                    model_sha256,
                    json.dumps({"points": [asdict(p) for p in points]}),
                ),
            )


def partial_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


# -- the task --------------------------------------------------------------------------


def _generate(
    engine: Engine,
    messages: list[Message],
    schema: dict[str, Any],
    cancel: CancelToken,
    stats: SummaryStats,
) -> Any:
    generation = engine.stream(
        messages,
        grammar=grammar_for(schema),
        max_tokens=token_budget(schema),
        cancel=cancel,
        stop=[],
    )
    text = generation.read()
    stats.model_calls += 1
    stats.prompt_tokens += generation.stats.prompt_tokens
    stats.generated_tokens += generation.stats.generated_tokens
    stats.generation_seconds += generation.stats.total_seconds
    if generation.stats.finish_reason == "cancelled":
        raise CancelledError("The summary was cancelled; finished parts are kept.")
    return parse_output(text, schema, generation.stats.finish_reason)


def _window_points(style: str, value: Any) -> list[Point]:
    if style == "chronology":
        return [
            Point(" ".join(str(e["event"]).split()), [int(e["page"])], date=str(e["date"]))
            for e in value["events"]
            if str(e["event"]).strip()
        ]
    return [
        Point(" ".join(str(p["text"]).split()), [int(p["page"])])
        for p in value["points"]
        if str(p["text"]).strip()
    ]


def _prompt_overhead(engine: Engine, messages: list[Message]) -> int:
    return engine.count_tokens(engine.render(messages))


def summarise(
    document_id: str,
    engine: Engine,
    vault: Vault,
    *,
    style: str = "brief",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    store: bool = True,
    window_tokens: int | None = None,
    max_points: int | None = None,
    target_points: int | None = None,
    max_chars: int | None = None,
) -> Summary:
    """Summarise one document, citing pages; ``window_tokens`` etc. override the defaults.

    Raises CancelledError when cancelled; what finished before is stored (``store``) and
    reused by the next run with the same document, style, settings and model.
    """
    if style not in STYLES:
        raise SummariseError(f"Unknown style {style!r}.", f"Use one of: {', '.join(STYLES)}.")
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    stats = SummaryStats()
    base = STYLE_SPECS[style]
    spec = StyleSpec(
        max_points if max_points is not None else base.max_points,
        max_chars if max_chars is not None else base.max_chars,
        target_points if target_points is not None else base.target_points,
    )
    info = vault.get_document_info(document_id)
    pages = sorted(vault.pages(document_id), key=lambda p: p.page)
    if not pages:
        raise SummariseError(f"{info.title!r} has no pages to summarise.")
    loaded = engine.loaded
    if loaded is None:
        raise SummariseError("No model is loaded.", "Load a model first.")
    model_sha = loaded.model.spec.sha256
    progress(0.0, "Reading the document")

    # The window budget: the context less the prompt, the worst-case output and a margin.
    all_numbers = [p.page for p in pages]
    empty = Window(tuple(all_numbers[:1]), "", 0)
    overhead = _prompt_overhead(engine, window_messages(style, info.title, empty))
    output = token_budget(window_schema(style, all_numbers[:1], spec))
    budget = loaded.plan.n_ctx - overhead - output - _MARGIN
    if window_tokens is not None:
        budget = min(budget, window_tokens)
    if budget < 64:
        raise SummariseError(
            f"The model's context ({loaded.plan.n_ctx} tokens) leaves no room for the pages.",
            "Raise the context size in Settings.",
        )
    stats.window_tokens = budget
    windows = make_windows([(p.page, p.text) for p in pages], engine.count_tokens, budget)
    stats.windows = len(windows)
    partials = _Partials(vault, document_id, store)
    settings = (FORMAT_VERSION, style, spec.max_points, spec.max_chars, budget)

    # Map.
    points: list[Point] = []
    covered: set[int] = set()
    empty_pages = sorted(p.page for p in pages if not p.text.strip())
    for i, window in enumerate(windows):
        cancel.raise_if_cancelled()
        key = partial_key("map", info.sha256, settings, window.key, model_sha)
        found = partials.get(key)
        if found is not None:
            stats.windows_reused += 1
        elif all(p in empty_pages for p in window.pages) or (
            style == "chronology" and not _YEAR.search(window.text)
        ):
            found = []
        else:
            progress(0.9 * i / len(windows), f"Summarising pages {window.key[1:]}")
            value = _generate(
                engine,
                window_messages(style, info.title, window),
                window_schema(style, window.pages, spec),
                cancel,
                stats,
            )
            found = _window_points(style, value)
            partials.put(key, found, model_sha)
        points.extend(found)
        covered.update(window.pages)
        progress(0.9 * (i + 1) / len(windows), f"Summarised part {i + 1} of {len(windows)}")
    assert covered == set(all_numbers), "every page must sit in some window"

    # Reduce.
    if style == "chronology":
        unique = {(p.date, p.text): p for p in points}
        points = sorted(unique.values(), key=lambda p: (date_key(p.date), p.pages))
    else:
        points = _reduce(
            points,
            engine,
            info.title,
            info.sha256,
            settings,
            spec,
            partials,
            model_sha,
            budget,
            cancel,
            progress,
            stats,
        )

    stats.total_seconds = time.perf_counter() - start
    summary = Summary(
        document_id,
        info.title,
        format_points(points, info.title, style),
        points,
        sorted(covered),
        len(pages),
        style,
        empty_pages,
        stats,
    )
    if store:
        with vault.write() as txn:
            txn.connection.execute(
                "INSERT INTO task_outputs (id, task, created, document_ids, model_sha256, result)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    uuid.uuid4().hex,
                    RESULT_TASK,
                    now_iso(),
                    json.dumps([document_id]),
                    model_sha,
                    json.dumps(summary.to_json()),
                ),
            )
    progress(1.0, "Done")
    return summary


def _reduce(
    points: list[Point],
    engine: Engine,
    title: str,
    sha256: str,
    settings: tuple[object, ...],
    spec: StyleSpec,
    partials: _Partials,
    model_sha: str,
    budget: int,
    cancel: CancelToken,
    progress: Progress,
    stats: SummaryStats,
) -> list[Point]:
    """Combine groups of consecutive points until few enough remain; pages are unioned."""
    if spec.target_points <= 0:
        return points
    n_ctx = engine.loaded.plan.n_ctx if engine.loaded else 0
    overhead = _prompt_overhead(engine, combine_messages(title, []))
    output = token_budget(combine_schema(3 * spec.max_points, spec))
    hard = max(64, n_ctx - overhead - output - _MARGIN)
    soft = min(budget, hard)
    while len(points) > spec.target_points:
        cancel.raise_if_cancelled()
        stats.reduce_levels += 1
        # Groups of consecutive points: each past ``soft`` once it holds more points than
        # one call returns (so every combine shrinks), never past what the context holds.
        groups: list[list[Point]] = []
        used = 0
        for point in points:
            cost = engine.count_tokens(f"[99] (p. {_cite(point.pages)}) {point.text}") + 1
            last = groups[-1] if groups else []
            small = len(last) <= spec.max_points
            fits = used + cost <= (hard if small else soft) and len(last) < 3 * spec.max_points
            if groups and fits:
                last.append(point)
                used += cost
            else:
                groups.append([point])
                used = cost
        combined: list[Point] = []
        for g, group in enumerate(groups):
            if len(group) <= spec.max_points and len(groups) > 1:
                combined.extend(group)  # already small: keep as it is
                continue
            key = partial_key("reduce", sha256, settings, [asdict(p) for p in group], model_sha)
            found = partials.get(key)
            if found is None:
                cancel.raise_if_cancelled()
                progress(0.9 + 0.09 * g / len(groups), "Combining the parts")
                value = _generate(
                    engine,
                    combine_messages(title, group),
                    combine_schema(len(group), spec),
                    cancel,
                    stats,
                )
                found = []
                for item in value["points"]:
                    text = " ".join(str(item["text"]).split())
                    sources = sorted({int(n) for n in item["from"]})
                    cited = sorted({pg for n in sources for pg in group[n - 1].pages})
                    if text:
                        found.append(Point(text, cited))
                partials.put(key, found, model_sha)
            combined.extend(found)
        if len(combined) >= len(points):
            break  # no progress: stop rather than loop
        points = combined
    return points
