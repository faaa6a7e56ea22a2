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
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from app.cancel import CancelToken, Progress, no_progress
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import generate_json, token_budget
from app.errors import CancelledError
from app.tasks.candidates import DocumentText, Page
from app.tasks.summarise.facts import facts_header
from app.tasks.summarise.parts import (
    FORMAT_VERSION,
    MARGIN,
    PARTIAL_TASK,
    RESULT_TASK,
    STYLE_SPECS,
    STYLES,
    YEAR,
    Point,
    StyleSpec,
    SummariseError,
    Summary,
    SummaryStats,
    Window,
    cite,
    combine_messages,
    combine_schema,
    date_key,
    format_points,
    make_windows,
    merge_repeats,
    page_block,
    window_messages,
    window_schema,
)
from app.vault import Vault

__all__ = [
    "FORMAT_VERSION",
    "PARTIAL_TASK",
    "RESULT_TASK",
    "STYLES",
    "STYLE_SPECS",
    "Point",
    "StyleSpec",
    "SummariseError",
    "Summary",
    "SummaryStats",
    "Window",
    "combine_messages",
    "combine_schema",
    "date_key",
    "format_points",
    "make_windows",
    "merge_repeats",
    "page_block",
    "summarise",
    "window_messages",
    "window_schema",
]


class _Partials:
    """Finished steps of earlier runs of this document, read once, written as they finish."""

    def __init__(self, vault: Vault, document_id: str, enabled: bool) -> None:
        self._vault, self._document_id, self._enabled = vault, document_id, enabled
        self._stored: dict[str, list[Point]] = {}
        if not enabled:
            return
        for output in vault.list_task_outputs(PARTIAL_TASK, document_ids=[document_id]):
            try:
                self._stored[output.id] = [Point(**p) for p in output.result["points"]]
            except (ValueError, TypeError, KeyError):
                continue  # an unreadable partial is recomputed

    def get(self, key: str) -> list[Point] | None:
        return self._stored.get(key)

    def put(self, key: str, points: list[Point], model_sha256: str | None) -> None:
        self._stored[key] = points
        if not self._enabled:
            return
        self._vault.put_task_output(
            PARTIAL_TASK,
            key,
            {"points": [asdict(p) for p in points]},
            document_ids=[self._document_id],
            model_sha256=model_sha256,
        )


def partial_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


# -- the task --------------------------------------------------------------------------


def _generate(
    engine: EngineLike,
    messages: list[Message],
    schema: dict[str, Any],
    cancel: CancelToken,
    stats: SummaryStats,
) -> Any:
    """One structured answer through the engine's one seam (generate_json), counted."""
    stats.model_calls += 1
    try:
        value, generation = generate_json(engine, messages, schema, cancel=cancel)
    except CancelledError as exc:
        raise CancelledError("The summary was cancelled; finished parts are kept.") from exc
    stats.prompt_tokens += generation.prompt_tokens
    stats.generated_tokens += generation.generated_tokens
    stats.generation_seconds += generation.total_seconds
    return value


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


def _prompt_overhead(engine: EngineLike, messages: list[Message]) -> int:
    return engine.count_tokens(engine.render(messages))


def summarise(
    document_id: str,
    engine: EngineLike,
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
    on_points: Callable[[list[Point]], None] | None = None,
) -> Summary:
    """Summarise one document, citing pages; ``window_tokens`` etc. override the defaults.

    ``on_points`` receives each window's points as soon as that window is done (before
    they are combined), so a caller can show the summary taking shape on a long document.
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
    budget = loaded.plan.n_ctx - overhead - output - MARGIN
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
            style == "chronology" and not YEAR.search(window.text)
        ):
            found = []
        else:
            progress(
                0.9 * i / len(windows),
                f"Summarising pages {window.key[1:]} (part {i + 1} of {len(windows)})",
            )
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
        if on_points is not None and found:
            on_points(list(found))
        progress(0.9 * (i + 1) / len(windows), f"Summarised part {i + 1} of {len(windows)}")
    assert covered == set(all_numbers), "every page must sit in some window"

    # Reduce.
    points = merge_repeats(points)
    if style == "chronology":
        points = sorted(points, key=lambda p: (date_key(p.date), p.pages))
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
        points = merge_repeats(points)

    header: list[Point] = []
    if style != "chronology":
        # The facts header: who, when, how long, which law, each with its quote.
        header = facts_header(DocumentText([Page(p.page, p.text) for p in pages], info.title))
        points = [*header, *points]
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
        len(header),
    )
    if store:
        vault.put_task_output(
            RESULT_TASK,
            uuid.uuid4().hex,
            summary.to_json(),
            document_ids=[document_id],
            model_sha256=model_sha,
        )
    progress(1.0, "Done")
    return summary


def _reduce(
    points: list[Point],
    engine: EngineLike,
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
    if spec.target_points <= 0 or len(points) <= spec.target_points:
        return points  # nothing to combine: not even a token count (a server round trip)
    n_ctx = engine.loaded.plan.n_ctx if engine.loaded else 0
    overhead = _prompt_overhead(engine, combine_messages(title, []))
    output = token_budget(combine_schema(3 * spec.max_points, spec))
    hard = max(64, n_ctx - overhead - output - MARGIN)
    soft = min(budget, hard)
    while len(points) > spec.target_points:
        cancel.raise_if_cancelled()
        stats.reduce_levels += 1
        # Groups of consecutive points: each past ``soft`` once it holds more points than
        # one call returns (so every combine shrinks), never past what the context holds.
        groups: list[list[Point]] = []
        used = 0
        for point in points:
            cost = engine.count_tokens(f"[99] (p. {cite(point.pages)}) {point.text}") + 1
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
