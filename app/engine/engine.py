"""The engine: one model, owned by one worker thread.

llama.cpp contexts are not thread-safe, and a GUI must never block on them, so every call
into the model runs on a single dedicated thread (a one-worker executor). Callers get
futures or a ``Generation`` that yields text pieces as they arrive. Cancelling sets a flag
that the sampling loop checks before every token, so a cancel lands within one token.
Consecutive prompts that share a prefix (a document, then several questions about it)
reuse the KV cache: only the new tokens are evaluated.

Every call into the model goes through ``runtime`` (app/engine/llama_backend.py: open,
tokenize, cached tokens, complete, evaluate, log-probabilities, grammar, close); this
class never touches the bindings' objects, so a second local runtime is one module with
those functions and the import line below.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from app.cancel import CancelToken
from app.config import Settings, load_settings
from app.engine import llama_backend as runtime
from app.engine.calibration import CalibrationCache
from app.engine.chat import Message, render, stop_strings
from app.engine.generation import DONE, Generation
from app.engine.hardware import Hardware, detect
from app.engine.identity import Capabilities, ModelIdentity
from app.engine.plan import OffloadPlan, make_plan
from app.engine.stats import GenerationStats, StatsFeed
from app.engine.structured import grammar_for
from app.errors import ChambersError, EngineError
from app.models.gguf_header import GGUFInfo
from app.models.store import InstalledModel, check_model

T = TypeVar("T")
#: What the local engine can do: one model, one call at a time, on this computer.
LOCAL = Capabilities()


class ContextOverflowError(ChambersError):
    default_hint = "Ask about a shorter passage, or raise the context size in Settings."


@dataclass(frozen=True)
class LoadedModel:
    model: InstalledModel
    info: GGUFInfo
    plan: OffloadPlan
    load_seconds: float

    @property
    def chat_format(self) -> str:
        return self.model.spec.chat_format

    @property
    def identity(self) -> ModelIdentity:
        return ModelIdentity.of(self.model.spec, self.plan.n_ctx)


class Engine:
    """Load one model at a time and run it on a dedicated thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chambers-engine")
        self._llm: Any = None
        self._loaded: LoadedModel | None = None
        self._lock = threading.Lock()
        #: Listeners for the stats of every generation and scoring call (the status bar).
        self.stats_feed = StatsFeed()
        self.calibration = CalibrationCache()
        self.capabilities = LOCAL
        #: Timing of the most recent ``score_options`` call (benchmarks and the status bar).
        self.last_score_stats: GenerationStats | None = None

    # -- plumbing ---------------------------------------------------------------------
    def _submit(self, fn: Callable[[], T]) -> Future[T]:
        return self._executor.submit(fn)

    def _call(self, fn: Callable[[], T]) -> T:
        return self._submit(fn).result()

    @property
    def loaded(self) -> LoadedModel | None:
        """The file, header and memory plan (the owner's view; tasks read ``identity``)."""
        return self._loaded

    @property
    def identity(self) -> ModelIdentity | None:
        return self._loaded.identity if self._loaded is not None else None

    @property
    def plan(self) -> OffloadPlan | None:
        return self._loaded.plan if self._loaded is not None else None

    def _require(self) -> tuple[Any, LoadedModel]:
        if self._llm is None or self._loaded is None:
            raise EngineError("No model is loaded.", "Load a model first (chambers models list).")
        return self._llm, self._loaded

    # -- lifecycle --------------------------------------------------------------------
    def load(
        self,
        model: InstalledModel,
        plan: OffloadPlan | None = None,
        *,
        settings: Settings | None = None,
        hardware: Hardware | None = None,
        verify_hash: bool = True,
    ) -> LoadedModel:
        """Check the file, plan memory, and load it on the worker (unloading any previous)."""
        info = check_model(model, verify_hash=verify_hash)
        if plan is None:
            plan = make_plan(
                info, hardware or detect(), settings or load_settings(), model.spec.context_length
            )
        chosen = plan

        def _load() -> LoadedModel:
            self._unload()
            start = time.perf_counter()
            try:
                self._llm = runtime.open_model(
                    model.path,
                    n_gpu_layers=chosen.n_gpu_layers,
                    n_ctx=chosen.n_ctx,
                    n_threads=chosen.n_threads,
                    n_batch=chosen.n_batch,
                    type_k=chosen.type_k,
                    type_v=chosen.type_v,
                    flash_attn=chosen.flash_attn,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise EngineError(f"llama.cpp could not load {model.path}: {exc}") from exc
            self._loaded = LoadedModel(model, info, chosen, time.perf_counter() - start)
            return self._loaded

        return self._call(_load)

    def _unload(self) -> None:
        if self._llm is not None:
            runtime.close(self._llm)
        self._llm, self._loaded = None, None

    def close(self) -> None:
        """Free the model and stop the worker thread."""
        with self._lock:
            with contextlib.suppress(RuntimeError):
                self._call(self._unload)
            self._executor.shutdown(wait=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tokens -----------------------------------------------------------------------
    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        def _tok() -> list[int]:
            llm, _ = self._require()
            return runtime.tokenize(llm, text, add_bos=True, special=special)

        return self._call(_tok)

    def count_tokens(self, text: str) -> int:
        def _count() -> int:
            llm, _ = self._require()
            return len(runtime.tokenize(llm, text, add_bos=False, special=False))

        return self._call(_count)

    def render(self, messages: Sequence[Message]) -> str:
        _, loaded = self._require()
        return render(messages, loaded.chat_format)

    # -- generation -------------------------------------------------------------------
    def stream(
        self,
        messages: Sequence[Message] | None = None,
        *,
        prompt: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
        schema: dict[str, Any] | None = None,
        cancel: CancelToken | None = None,
        stop: Sequence[str] | None = None,
    ) -> Generation:
        """Start generating; iterate the result for text pieces as they come.

        ``schema`` becomes a llama.cpp grammar here (checked twice and cached by
        app.engine.structured.grammar_for), so the model can only write JSON matching it.
        """
        _, loaded = self._require()
        if (messages is None) == (prompt is None):
            raise EngineError("Give either messages or a raw prompt.", "")
        grammar = (
            grammar_for(schema, task="generate", build=runtime.grammar_from_schema)
            if schema is not None
            else None
        )
        text = prompt if prompt is not None else render(messages or [], loaded.chat_format)
        stops = list(stop) if stop is not None else stop_strings(loaded.chat_format)
        generation = Generation(cancel or CancelToken())
        self._submit(
            lambda: self._generate(generation, text, max_tokens, temperature, grammar, stops)
        )
        return generation

    def _generate(
        self,
        gen: Generation,
        text: str,
        max_tokens: int,
        temperature: float,
        grammar: Any,
        stops: list[str],
    ) -> None:
        stats, token = gen.stats, gen.cancel_token
        try:
            llm, loaded = self._require()
            tokens = runtime.tokenize(llm, text, add_bos=True, special=True)
            n_ctx = loaded.plan.n_ctx
            if len(tokens) >= n_ctx:
                raise ContextOverflowError(
                    f"The prompt is {len(tokens):,} tokens but the model's context holds {n_ctx:,}."
                )
            stats.prompt_tokens = len(tokens)
            stats.reused_tokens = _common_prefix(runtime.cached_tokens(llm), tokens[:-1])
            budget = min(max_tokens, n_ctx - len(tokens))
            start = time.perf_counter()
            pieces = runtime.complete(
                llm,
                tokens,
                max_tokens=budget,
                temperature=temperature,
                grammar=grammar,
                stop=stops,
                cancelled=lambda: token.cancelled,
            )
            finish = ""
            with contextlib.closing(pieces):
                for piece, reason in pieces:
                    if token.cancelled:
                        finish = "cancelled"
                        break
                    if piece:
                        if not stats.generated_tokens:
                            stats.time_to_first_token = time.perf_counter() - start
                        stats.generated_tokens += 1
                        gen._put(piece)
                        self.stats_feed.running(stats, start)
                    finish = reason or finish
            stats.finish_reason = "cancelled" if token.cancelled else (finish or "stop")
            stats.total_seconds = time.perf_counter() - start
            self.stats_feed.finished(stats)
            gen._put(DONE)
        except BaseException as exc:  # delivered to the reading thread
            gen._put(
                exc if isinstance(exc, ChambersError) else EngineError(f"Generation failed: {exc}")
            )

    # -- option scoring ---------------------------------------------------------------
    def score_options(
        self,
        prompt: str,
        labels: Sequence[str],
        *,
        cancel: CancelToken | None = None,
    ) -> list[float]:
        """Log-probabilities of each option label as the next token after ``prompt``.

        One forward pass and no sampling: the model reads the prompt (only the part not
        already in the KV cache, so many questions over the same document sentences pay for
        them once) and the next-token distribution is read at the last position. Each label
        must be a single token; choosing among numbered sentences this way is what a small
        model does well, and it cannot copy text wrongly because it copies nothing.
        ``logits_all`` stays off: only the last row of logits is ever read.
        """
        token = cancel or CancelToken()

        def _score() -> list[float]:
            llm, loaded = self._require()
            token.raise_if_cancelled()
            shared, ids = _label_tokens(llm, labels)
            tokens = runtime.tokenize(llm, prompt, add_bos=True, special=True)
            tokens += shared
            if len(tokens) >= loaded.plan.n_ctx:
                raise ContextOverflowError(
                    f"The prompt is {len(tokens):,} tokens but the model's context holds "
                    f"{loaded.plan.n_ctx:,}."
                )
            start = time.perf_counter()
            reused = min(_common_prefix(runtime.cached_tokens(llm), tokens), len(tokens) - 1)
            runtime.eval_suffix(llm, tokens, reused)
            logprobs = runtime.last_logprobs(llm)
            stats = GenerationStats(
                prompt_tokens=len(tokens),
                reused_tokens=reused,
                total_seconds=time.perf_counter() - start,
                finish_reason="scored",
            )
            self.last_score_stats = stats
            self.stats_feed.finished(stats)
            return [float(logprobs[i]) for i in ids]

        return self._call(_score)

    def generate(self, messages: Sequence[Message], **kwargs: Any) -> tuple[str, GenerationStats]:
        """Blocking convenience: the whole answer and its statistics."""
        return self.stream(messages, **kwargs).result()


def _label_tokens(llm: Any, labels: Sequence[str]) -> tuple[list[int], list[int]]:
    """(tokens all labels share, each label's one distinguishing last token).

    Usually each label is one token and nothing is shared. A SentencePiece tokenizer
    may put the same word-start piece before every label ("\u2581" then "A"); that shared
    run is appended to the prompt and the distinguishing token is scored after it.
    """
    pieces = [runtime.tokenize(llm, label, add_bos=False, special=False) for label in labels]
    shared = pieces[0][:-1] if pieces and pieces[0] else []
    for label, ids in zip(labels, pieces, strict=True):
        if len(ids) != len(shared) + 1 or ids[: len(shared)] != shared:
            raise EngineError(
                f"Option label {label!r} is not one token for this model.",
                "Use short labels such as A, B, C or 1, 2, 3.",
            )
    last = [ids[-1] for ids in pieces]
    if len(set(last)) != len(last):
        raise EngineError("Two option labels are the same token.", "Use distinct labels.")
    return [int(t) for t in shared], [int(t) for t in last]


def _common_prefix(cached: Sequence[int], tokens: Sequence[int]) -> int:
    count = 0
    for a, b in zip(cached, tokens, strict=False):
        if int(a) != int(b):
            break
        count += 1
    return count
