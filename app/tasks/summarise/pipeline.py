"""Summarise: one document of any length, as a partner reads it, every line citing its page.

Brief and detailed summaries have three parts:

- Key facts (app/tasks/summarise/facts.py) and key terms (key_terms.py): who, when, how
  long, which law, then every clause the extraction field set finds, each with its
  verbatim sentence and page. Rules only, no model: a second or two for any contract.
- The narrative (narrative.py): every sentence of every page is read by a rule-based
  filter (boilerplate.py drops definitions, headings, signature blocks and boilerplate
  clauses; the sentences already quoted above are left out); the most salient few kB
  are numbered and the model writes at most a handful of points over them in ONE call,
  each naming its sentences by number (an enum in the schema), each checked: its facts
  must be stated in those sentences (app/tasks/grounding.py), else it is replaced by its
  quoted sentence or dropped.
- Coverage: a page is covered when the filter has read it, so ``covered_pages`` is every
  page; pages without text are listed apart (a scan awaiting OCR).

The chronology style keeps the page-window map: windows of consecutive pages that fit
the model's context, each asked for its dated events under a schema whose ``page`` is
an enum of the window's pages, then merged and sorted by date.

Resume: each finished model step (the narrative's call, a chronology window) is stored
in the vault's ``task_outputs`` table, keyed by the document's SHA-256, the style, the
step's input, the settings and the model's SHA-256, so a run interrupted by Ctrl-C (or a
firm server that went away) picks up where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.cancel import CancelToken, Progress, no_progress
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import generate_json, token_budget
from app.errors import CancelledError
from app.tasks.candidates import DocumentText, Extractors, Page
from app.tasks.fieldsets import FieldSet
from app.tasks.summarise.facts import facts_header
from app.tasks.summarise.key_terms import absent_line, key_terms, summary_fieldset
from app.tasks.summarise.narrative import (
    Checked,
    check_points,
    numbered,
    points_messages,
    points_schema,
    read_document,
)
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
    date_key,
    format_points,
    format_sections,
    make_windows,
    merge_repeats,
    page_block,
    window_messages,
    window_schema,
)
from app.vault import DocumentInfo, Vault

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
        self._stored: dict[str, tuple[list[Point], dict[str, int]]] = {}
        if not enabled:
            return
        for output in vault.list_task_outputs(PARTIAL_TASK, document_ids=[document_id]):
            try:
                points = [Point.from_json(p, self._document_id) for p in output.result["points"]]
                counts = {str(k): int(v) for k, v in output.result.get("counts", {}).items()}
            except (ValueError, TypeError, KeyError, AttributeError):
                continue  # an unreadable partial is recomputed
            self._stored[output.id] = (points, counts)

    def get(self, key: str) -> tuple[list[Point], dict[str, int]] | None:
        return self._stored.get(key)

    def put(
        self,
        key: str,
        points: list[Point],
        model_sha256: str | None,
        counts: dict[str, int] | None = None,
    ) -> None:
        self._stored[key] = (points, counts or {})
        if not self._enabled:
            return
        self._vault.put_task_output(
            PARTIAL_TASK,
            key,
            {"points": [p.to_json() for p in points], "counts": counts or {}},
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


def _events(value: Any) -> list[Point]:
    """A chronology window's dated events."""
    events = [e for e in value["events"] if str(e["event"]).strip()]
    return [
        Point(
            " ".join(str(e["event"]).split()), [int(e["page"])], date=str(e["date"]), kind="event"
        )
        for e in events
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
    max_chars: int | None = None,
    fieldset: FieldSet | str | None = None,
    on_points: Callable[[list[Point]], None] | None = None,
) -> Summary:
    """Summarise one document, citing pages; ``window_tokens`` etc. override the defaults.

    ``fieldset`` (a field set or its name) gives the key terms; by default the first
    installed of key_terms.FIELDSETS. ``window_tokens`` caps what the model reads (the
    narrative's numbered sentences, a chronology window). ``on_points`` receives lines
    as soon as they exist (the facts and key terms before the model is asked), so a
    caller can show the summary taking shape. Raises CancelledError when cancelled; what
    finished before is stored (``store``) and reused by the next run with the same
    document, style, settings and model.
    """
    if style not in STYLES:
        raise SummariseError(f"Unknown style {style!r}.", f"Use one of: {', '.join(STYLES)}.")
    cancel = cancel or CancelToken()
    start = time.perf_counter()
    base = STYLE_SPECS[style]
    spec = replace(
        base,
        max_points=max_points if max_points is not None else base.max_points,
        max_chars=max_chars if max_chars is not None else base.max_chars,
    )
    info = vault.get_document_info(document_id)
    pages = [Page(p.page, p.text) for p in sorted(vault.pages(document_id), key=lambda p: p.page)]
    if not pages:
        raise SummariseError(f"{info.title!r} has no pages to summarise.")
    if engine.loaded is None:
        raise SummariseError("No model is loaded.", "Load a model first.")
    progress(0.0, "Reading the document")
    partials = _Partials(vault, document_id, store)
    if style == "chronology":
        summary = _chronology(info, pages, engine, spec, window_tokens, partials, cancel,
                              progress, on_points)  # fmt: skip
    else:
        chosen = fieldset if isinstance(fieldset, FieldSet) else summary_fieldset(fieldset)
        summary = _brief(info, pages, engine, style, spec, chosen, window_tokens, partials,
                         cancel, progress, on_points)  # fmt: skip
    summary.stats.total_seconds = time.perf_counter() - start
    if store:
        vault.put_task_output(
            RESULT_TASK,
            uuid.uuid4().hex,
            summary.to_json(),
            document_ids=[document_id],
            model_sha256=_model_sha(engine),
        )
    progress(1.0, "Done")
    return summary


def _model_sha(engine: EngineLike) -> str:
    loaded = engine.loaded
    assert loaded is not None, "summarise checks that a model is loaded"
    return loaded.model.spec.sha256


def _brief(
    info: DocumentInfo,
    pages: list[Page],
    engine: EngineLike,
    style: str,
    spec: StyleSpec,
    fieldset: FieldSet,
    window_tokens: int | None,
    partials: _Partials,
    cancel: CancelToken,
    progress: Progress,
    on_points: Callable[[list[Point]], None] | None,
) -> Summary:
    """Facts and key terms by rule, then a few checked points from one model call."""
    stats = SummaryStats()
    rules_start = time.perf_counter()
    doc = DocumentText(pages, info.title, document_id=info.id)
    extractors = Extractors(doc)
    header = facts_header(doc, extractors)
    terms, absent = key_terms(extractors, fieldset)
    stats.rules_seconds = time.perf_counter() - rules_start
    if on_points is not None and (header or terms):
        on_points([*header, *terms])
    progress(0.2, "Reading every page for the points the key terms do not cover")

    # What the model reads: a budget of characters (about 3 a token, so that one token
    # count at the end confirms it fits rather than one per sentence).
    loaded = engine.loaded
    assert loaded is not None
    labels = [p.text.split(":", 1)[0] for p in [*header, *terms]]
    empty = points_messages(info.title, labels, [], spec.max_points)
    output = token_budget(points_schema(spec.sentences, spec.max_points, spec.max_chars))
    budget = loaded.plan.n_ctx - _prompt_overhead(engine, empty) - output - MARGIN
    if window_tokens is not None:
        budget = min(budget, window_tokens)
    chars = max(0, min(spec.input_chars, 3 * budget))
    reading = read_document(doc, [*header, *terms], spec.sentences, chars)
    shown = list(reading.shown)
    while shown and engine.count_tokens(numbered(shown)) > budget:
        shown.pop()  # rare: text denser than 3 characters a token
    stats.sentences_read = reading.read
    stats.sentences_boilerplate = reading.boilerplate
    stats.sentences_shown = len(shown)

    checked = Checked([])
    if shown:
        model_sha = loaded.model.spec.sha256
        settings = (FORMAT_VERSION, style, spec.max_points, spec.max_chars, fieldset.name)
        spans = [(s.page, s.start, s.end) for s in shown]
        key = partial_key("points", info.sha256, settings, spans, model_sha)
        stats.windows = 1
        found = partials.get(key)
        if found is not None:
            stats.windows_reused = 1
            points, counts = found
            checked = Checked(points, counts.get("written", 0), counts.get("confirmed", 0),
                              counts.get("quoted", 0), counts.get("dropped", 0))  # fmt: skip
        else:
            progress(0.3, f"Asking the model about {len(shown)} sentences")
            cancel.raise_if_cancelled()
            value = _generate(
                engine,
                points_messages(info.title, labels, shown, spec.max_points),
                points_schema(len(shown), spec.max_points, spec.max_chars),
                cancel,
                stats,
            )
            checked = check_points(value, shown, doc.document_id, spec.max_chars)
            counts = {"written": checked.written, "confirmed": checked.confirmed,
                      "quoted": checked.quoted, "dropped": checked.dropped}  # fmt: skip
            partials.put(key, checked.points, model_sha, counts)
        if on_points is not None and checked.points:
            on_points(list(checked.points))
    summary = Summary(
        info.id,
        info.title,
        "",
        [*header, *terms, *checked.points],
        [p.number for p in pages],  # the filter read every page
        len(pages),
        style,
        sorted(p.number for p in pages if not p.text.strip()),
        stats,
        len(header),
        len(terms),
        absent,
        checked.written,
        checked.confirmed,
        checked.quoted,
        fieldset.name,
    )
    return replace(summary, text=format_sections(summary, absent_line(absent)))


def _chronology(
    info: DocumentInfo,
    pages: list[Page],
    engine: EngineLike,
    spec: StyleSpec,
    window_tokens: int | None,
    partials: _Partials,
    cancel: CancelToken,
    progress: Progress,
    on_points: Callable[[list[Point]], None] | None,
) -> Summary:
    """Dated events, window by window (pages packed to fit the context), in date order."""
    style = "chronology"
    stats = SummaryStats()
    loaded = engine.loaded
    assert loaded is not None
    model_sha = loaded.model.spec.sha256
    all_numbers = [p.number for p in pages]
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
    windows = make_windows([(p.number, p.text) for p in pages], engine.count_tokens, budget)
    stats.windows = len(windows)
    settings = (FORMAT_VERSION, style, spec.max_points, spec.max_chars, budget)
    points: list[Point] = []
    covered: set[int] = set()
    empty_pages = sorted(p.number for p in pages if not p.text.strip())
    for i, window in enumerate(windows):
        cancel.raise_if_cancelled()
        key = partial_key("map", info.sha256, settings, window.key, model_sha)
        stored = partials.get(key)
        if stored is not None:
            stats.windows_reused += 1
            found = stored[0]
        elif all(p in empty_pages for p in window.pages) or not YEAR.search(window.text):
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
            found = _events(value)
            partials.put(key, found, model_sha)
        points.extend(found)
        covered.update(window.pages)
        if on_points is not None and found:
            on_points(list(found))
        progress(0.9 * (i + 1) / len(windows), f"Summarised part {i + 1} of {len(windows)}")
    assert covered == set(all_numbers), "every page must sit in some window"
    points = sorted(merge_repeats(points), key=lambda p: (date_key(p.date), p.pages))
    return Summary(
        info.id,
        info.title,
        format_points(points, info.title, style),
        points,
        sorted(covered),
        len(pages),
        style,
        empty_pages,
        stats,
    )
