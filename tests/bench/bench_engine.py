"""Engine benchmarks: overhead against raw llama-cpp-python, and KV prefix reuse.

Both engines load the same file with the same settings and run the same prompts,
interleaved, best of several runs each, so machine noise hits both sides alike.
"""

from __future__ import annotations

import os
import time
from typing import Any

from app.config import Settings
from app.engine import Engine
from app.engine.chat import Message
from app.engine.hardware import detect
from app.engine.llama_backend import Llama, open_model
from app.engine.plan import make_plan
from app.models.store import check_model, resolve_model
from app.paths import resource_path

REPEATS = 3
GEN_PROMPT = "List the numbers from 1 to 300, separated by commas: 1, 2, 3,"
GEN_TOKENS = 128


def _document(engine: Engine, tokens: int) -> str:
    text = "\n\n".join(
        resource_path("resources", "samples", name).read_text(encoding="utf-8")
        for name in ("cuad-dev-016.txt", "cuad-dev-064.txt", "cuad-dev-009.txt")
    )
    words = text.split(" ")
    lo, hi = 1, len(words)
    while lo < hi:  # the longest prefix of words within the token budget
        mid = (lo + hi + 1) // 2
        if engine.count_tokens(" ".join(words[:mid])) <= tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def _raw_run(llm: Llama, prompt: str, max_tokens: int) -> tuple[float, int, float]:
    """(time to first token, tokens generated, seconds from first to last token)."""
    start = time.perf_counter()
    first = last = 0.0
    count = 0
    for chunk in llm.create_completion(
        prompt, max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.0, stream=True
    ):
        if chunk["choices"][0]["text"]:
            last = time.perf_counter()
            if not count:
                first = last
            count += 1
    return first - start, count, last - first


def _engine_run(engine: Engine, prompt: str, max_tokens: int) -> tuple[float, int, float]:
    generation = engine.stream(prompt=prompt, max_tokens=max_tokens, stop=[])
    generation.read()
    s = generation.stats
    return s.time_to_first_token, s.generated_tokens, s.total_seconds - s.time_to_first_token


def run() -> list[dict[str, Any]]:
    # CHAMBERS_BENCH_MODEL picks another installed model (e.g. a GPU-sized one).
    model = resolve_model(os.environ.get("CHAMBERS_BENCH_MODEL") or None)
    info = check_model(model)
    plan = make_plan(info, detect(), Settings(context=4096), model.spec.context_length)
    raw = open_model(
        model.path,
        n_gpu_layers=plan.n_gpu_layers,
        n_ctx=plan.n_ctx,
        n_threads=plan.n_threads,
        n_batch=plan.n_batch,
        type_k=plan.type_k,
        type_v=plan.type_v,
        flash_attn=plan.flash_attn,
    )
    engine = Engine()
    engine.load(model, plan)
    figures: list[dict[str, Any]] = []
    try:
        doc = _document(engine, 1000)
        pp_tokens = engine.count_tokens(doc)
        best: dict[str, float] = {"raw_pp": 0, "eng_pp": 0, "raw_tg": 0, "eng_tg": 0}
        for rep in range(REPEATS):
            prompt = (
                f"Document {rep} of the data room.\n{doc}"  # new prefix: a cold prompt each time
            )
            ttft, _, _ = _raw_run(raw, prompt, 1)
            best["raw_pp"] = max(best["raw_pp"], pp_tokens / ttft)
            ttft, _, _ = _engine_run(engine, prompt, 1)
            best["eng_pp"] = max(best["eng_pp"], pp_tokens / ttft)
            _, n, span = _raw_run(raw, f"{rep}. {GEN_PROMPT}", GEN_TOKENS)
            best["raw_tg"] = max(best["raw_tg"], (n - 1) / span)
            _, n, span = _engine_run(engine, f"{rep}. {GEN_PROMPT}", GEN_TOKENS)
            best["eng_tg"] = max(best["eng_tg"], (n - 1) / span)
        raw.close()
        for kind, label in (("pp", "prompt processing"), ("tg", "generation")):
            figures.append(
                {"name": f"raw llama_cpp {label}", "value": best[f"raw_{kind}"], "unit": "tok/s"}
            )
            figures.append(
                {"name": f"engine {label}", "value": best[f"eng_{kind}"], "unit": "tok/s"}
            )
            ratio = best[f"eng_{kind}"] / best[f"raw_{kind}"]
            figures.append(
                {
                    "name": f"engine/raw {label} ratio",
                    "value": ratio,
                    "unit": "x",
                    "target": ">= 0.97",
                    "ok": ratio >= 0.97,
                }
            )

        long_doc = _document(engine, 2000)
        system: Message = {"role": "system", "content": "Answer only from the document."}
        cold_ttft, warm_ttft = [], []
        for rep in range(2):
            engine.generate([{"role": "user", "content": f"Unrelated {rep}."}], max_tokens=1)
            for target, question in (
                (cold_ttft, "Which law governs?"),
                (warm_ttft, "Who are the parties?"),
            ):
                messages: list[Message] = [
                    system,
                    {"role": "user", "content": f"{long_doc}\n\nQ: {question}"},
                ]
                generation = engine.stream(messages, max_tokens=1)
                generation.read()
                target.append(generation.stats.time_to_first_token)
        speedup = min(cold_ttft) / min(warm_ttft)
        figures += [
            {
                "name": "time to first token, cold (2k-token doc)",
                "value": min(cold_ttft),
                "unit": "s",
            },
            {
                "name": "time to first token, same doc new question",
                "value": min(warm_ttft),
                "unit": "s",
            },
            {
                "name": "prefix reuse speed-up",
                "value": speedup,
                "unit": "x",
                "target": ">= 5",
                "ok": speedup >= 5,
            },
        ]
    finally:
        engine.close()
    return figures
