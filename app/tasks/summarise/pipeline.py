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

Resume (app/tasks/resume.py): each finished model step (the narrative's call, a
chronology window) is stored in the vault's ``task_outputs`` table, keyed by the
document's SHA-256, the style, the step's input, the settings and the model's SHA-256,
so a run interrupted by Ctrl-C (or a firm server that went away) picks up where it
stopped.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from app.cancel import CancelToken, Progress, no_progress
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import generate_json, token_budget
from app.errors import CancelledError
from app.tasks.candidates import DocumentText, Extractors, Page, Sentence
from app.tasks.fieldsets import FieldSet
from app.tasks.resume import KeptSteps, step_key
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
    """Finished steps of earlier runs of this document (app/tasks/resume.py), as points."""

    def __init__(self, vault: Vault, document_id: str, enabled: bool) -> None:
        self._document_id = document_id
        self._kept = KeptSteps(vault, PARTIAL_TASK, document_id, enabled=enabled)

    def get(self, key: str) -> tuple[list[Point], dict[str, int]] | None:
        stored = self._kept.get(key)
        if stored is None:
            return None
        try:
            points = [Point.from_json(p, self._document_id) for p in stored["points"]]
            counts = {str(k): int(v) for k, v in stored.get("counts", {}).items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return None  # an unreadable partial is recomputed
        return points, counts

    def put(
        self,
        key: str,
        points: list[Point],
        model_sha256: str | None,
        counts: dict[str, int] | None = None,
    ) -> None:
        result = {"points": [p.to_json() for p in points], "counts": counts or {}}
        self._kept.put(key, result, model_sha256)


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


@dataclass
class _Run:
    """One summary being made: what every step reads, so a step takes the run, not a dozen
    parameters. The steps below are its parts in order (rules, reading, the model)."""

    info: DocumentInfo
    pages: list[Page]
    engine: EngineLike
    style: str
    spec: StyleSpec
    window_tokens: int | None
    partials: _Partials
    cancel: CancelToken
    progress: Progress
    on_points: Callable[[list[Point]], None] | None
    stats: SummaryStats = field(default_factory=SummaryStats)


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
    spec = _style_spec(style, max_points, max_chars)
    info = vault.get_document_info(document_id)
    pages = [Page(p.page, p.text) for p in sorted(vault.pages(document_id), key=lambda p: p.page)]
    if not pages:
        raise SummariseError(f"{info.title!r} has no pages to summarise.")
    if engine.identity is None:
        raise SummariseError("No model is loaded.", "Load a model first.")
    progress(0.0, "Reading the document")
    partials = _Partials(vault, document_id, store)
    run = _Run(
        info, pages, engine, style, spec, window_tokens, partials, cancel, progress, on_points
    )
    if style == "chronology":
        summary = _chronology(run)
    else:
        chosen = fieldset if isinstance(fieldset, FieldSet) else summary_fieldset(fieldset)
        summary = _brief(run, chosen)
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


def _style_spec(style: str, max_points: int | None, max_chars: int | None) -> StyleSpec:
    """The style's defaults with the caller's overrides."""
    base = STYLE_SPECS[style]
    spec = replace(
        base,
        max_points=max_points if max_points is not None else base.max_points,
        max_chars=max_chars if max_chars is not None else base.max_chars,
    )
    return spec


def _model_sha(engine: EngineLike) -> str:
    identity = engine.identity
    assert identity is not None, "summarise checks that a model is loaded"
    return identity.sha256


def _brief(run: _Run, fieldset: FieldSet) -> Summary:
    """Facts and key terms by rule, then a few checked points from one model call."""
    info, pages, style, stats = run.info, run.pages, run.style, run.stats
    doc, header, terms, absent = _brief_rules(run, fieldset)
    labels, shown = _brief_reading(run, doc, header, terms)
    checked = _brief_points(run, fieldset, labels, shown)
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


def _brief_rules(
    run: _Run, fieldset: FieldSet
) -> tuple[DocumentText, list[Point], list[Point], list[str]]:
    """The facts header and the key terms, by rule (no model), shown as soon as found."""
    info, pages, stats = run.info, run.pages, run.stats
    on_points, progress = run.on_points, run.progress
    rules_start = time.perf_counter()
    doc = DocumentText(pages, info.title, document_id=info.id)
    extractors = Extractors(doc)
    header = facts_header(doc, extractors)
    terms, absent = key_terms(extractors, fieldset)
    stats.rules_seconds = time.perf_counter() - rules_start
    if on_points is not None and (header or terms):
        on_points([*header, *terms])
    progress(0.2, "Reading every page for the points the key terms do not cover")
    return doc, header, terms, absent


def _brief_reading(
    run: _Run, doc: DocumentText, header: list[Point], terms: list[Point]
) -> tuple[list[str], list[Sentence]]:
    """The labels already listed, and the salient sentences that fit the model's budget."""
    info, engine, spec, stats = run.info, run.engine, run.spec, run.stats
    window_tokens = run.window_tokens
    # What the model reads: a budget of characters (about 3 a token, so that one token
    # count at the end confirms it fits rather than one per sentence).
    identity = engine.identity
    assert identity is not None
    labels = [p.text.split(":", 1)[0] for p in [*header, *terms]]
    empty = points_messages(info.title, labels, [], spec.max_points)
    output = token_budget(points_schema(spec.sentences, spec.max_points, spec.max_chars))
    budget = identity.context - _prompt_overhead(engine, empty) - output - MARGIN
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
    return labels, shown


def _brief_points(
    run: _Run, fieldset: FieldSet, labels: list[str], shown: list[Sentence]
) -> Checked:
    """The model's checked points over the shown sentences (or those of an earlier run)."""
    info, engine, style, spec, stats = run.info, run.engine, run.style, run.spec, run.stats
    partials, cancel, progress, on_points = run.partials, run.cancel, run.progress, run.on_points
    identity = engine.identity
    assert identity is not None
    checked = Checked([])
    if shown:
        model_sha = identity.sha256
        settings = (FORMAT_VERSION, style, spec.max_points, spec.max_chars, fieldset.name)
        spans = [(s.page, s.start, s.end) for s in shown]
        key = step_key("points", info.sha256, settings, spans, model_sha)
        stats.windows = 1
        found = partials.get(key)
        if found is not None:
            stats.windows_reused = 1
            points, counts = found
            checked = Checked(
                points,
                counts.get("written", 0),
                counts.get("confirmed", 0),
                counts.get("quoted", 0),
                counts.get("dropped", 0),
            )
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
            checked = check_points(value, shown, info.id, spec.max_chars)
            counts = {
                "written": checked.written,
                "confirmed": checked.confirmed,
                "quoted": checked.quoted,
                "dropped": checked.dropped,
            }
            partials.put(key, checked.points, model_sha, counts)
        if on_points is not None and checked.points:
            on_points(list(checked.points))
    return checked


def _chronology(run: _Run) -> Summary:
    """Dated events, window by window (pages packed to fit the context), in date order."""
    info, pages, engine, spec, stats = run.info, run.pages, run.engine, run.spec, run.stats
    on_points, progress = run.on_points, run.progress
    style = "chronology"
    all_numbers = [p.number for p in pages]
    budget = _chronology_budget(run, all_numbers)
    stats.window_tokens = budget
    windows = make_windows([(p.number, p.text) for p in pages], engine.count_tokens, budget)
    stats.windows = len(windows)
    settings = (FORMAT_VERSION, style, spec.max_points, spec.max_chars, budget)
    points: list[Point] = []
    covered: set[int] = set()
    empty_pages = sorted(p.number for p in pages if not p.text.strip())
    for i, window in enumerate(windows):
        found = _chronology_window(run, windows, i, settings, empty_pages)
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


def _chronology_budget(run: _Run, all_numbers: list[int]) -> int:
    """Tokens of pages one window may hold: the context less the prompt and the answer."""
    info, engine, spec, window_tokens = run.info, run.engine, run.spec, run.window_tokens
    style = "chronology"
    identity = engine.identity
    assert identity is not None
    empty = Window(tuple(all_numbers[:1]), "", 0)
    overhead = _prompt_overhead(engine, window_messages(style, info.title, empty))
    output = token_budget(window_schema(style, all_numbers[:1], spec))
    budget = identity.context - overhead - output - MARGIN
    if window_tokens is not None:
        budget = min(budget, window_tokens)
    if budget < 64:
        raise SummariseError(
            f"The model's context ({identity.context} tokens) leaves no room for the pages.",
            "Raise the context size in Settings.",
        )
    return budget


def _chronology_window(
    run: _Run, windows: list[Window], i: int, settings: tuple[object, ...], empty_pages: list[int]
) -> list[Point]:
    """One window's dated events: kept from an earlier run, none (no year), or asked for."""
    info, engine, spec, stats = run.info, run.engine, run.spec, run.stats
    partials, cancel, progress = run.partials, run.cancel, run.progress
    style, window = "chronology", windows[i]
    identity = engine.identity
    assert identity is not None
    model_sha = identity.sha256
    cancel.raise_if_cancelled()
    key = step_key("map", info.sha256, settings, window.key, model_sha)
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
    return found
