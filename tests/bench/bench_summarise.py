"""Summarise benchmark: DA-619p.pdf end to end on this machine's default plan.

The figure that matters is throughput: tokens the model processed (prompt + generated)
per second of wall-clock time, as a ratio of raw llama-cpp-python prompt processing on
the same model and plan, measured in the same run (on prompts as long as the
summary's, best of two). Target >= 0.8: windows
filled to the context, the prompt's shared prefix reused, no idle gaps between calls.

CHAMBERS_BENCH_PAGES=N summarises only the first N pages (a quick check; the full
document takes over an hour on a 2-core CPU).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pypdfium2

from app.cancel import Progress
from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.engine.llama_backend import open_model
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.summarise.pipeline import summarise
from app.vault import create_vault, unlock
from tests.bench.bench_engine import _raw_run
from tests.shared_data import FILES

SOURCE = FILES / "edge" / "DA-619p.pdf"


def _first_pages(source: Path, pages: int, out: Path) -> Path:
    pdf = pypdfium2.PdfDocument(str(source))
    cut = pypdfium2.PdfDocument.new()
    cut.import_pages(pdf, list(range(min(pages, len(pdf)))))
    cut.save(str(out))
    cut.close()
    pdf.close()
    return out


def _raw_pp_rate(engine: Engine, text: str, tokens: int, repeats: int = 2) -> float:
    """Best raw llama-cpp-python prompt-processing rate on the engine's own plan.

    Measured on prompts as long as the summary's own (attention cost grows with length,
    so a short prompt would flatter the raw side).
    """
    loaded = engine.loaded
    assert loaded is not None
    plan = loaded.plan
    raw = open_model(
        loaded.model.path,
        n_gpu_layers=plan.n_gpu_layers,
        n_ctx=plan.n_ctx,
        n_threads=plan.n_threads,
        n_batch=plan.n_batch,
        type_k=plan.type_k,
        type_v=plan.type_v,
        flash_attn=plan.flash_attn,
    )
    try:
        lo, hi = 1, len(text)
        while lo < hi:  # the longest prefix of the pages within ``tokens``
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if engine.count_tokens(text[:mid]) <= tokens else (lo, mid - 1)
        doc = text[:lo]
        tokens = engine.count_tokens(doc)
        best = 0.0
        for rep in range(repeats):
            ttft, _, _ = _raw_run(raw, f"Bundle {rep} {time.time()}.\n{doc}", 1)
            best = max(best, tokens / ttft)
        return best
    finally:
        raw.close()


def _log_progress(start: float) -> Progress:
    """Progress on stderr, a line per 5 %, so an hour-long run shows it is alive."""
    shown = [-1]

    def log(fraction: float, message: str) -> None:
        step = int(fraction * 20)
        if step > shown[0]:
            shown[0] = step
            print(
                f"  {time.perf_counter() - start:7.0f}s {fraction:4.0%} {message}", file=sys.stderr
            )

    return log


def run() -> list[dict[str, Any]]:
    limit = int(os.environ.get("CHAMBERS_BENCH_PAGES") or 0)
    model, settings = resolve_model(None), load_settings()  # the user's, before the temp home
    with tempfile.TemporaryDirectory(prefix="chambers-bench-sum-") as tmp:
        os.environ["CHAMBERS_HOME"] = tmp
        source = _first_pages(SOURCE, limit, Path(tmp) / "DA-first.pdf") if limit else SOURCE
        engine = Engine()
        engine.load(model, settings=settings, hardware=detect())
        info, recovery = create_vault("bench-summarise", passphrase="bench", use_keyring=False)
        vault = unlock(info, recovery_key=recovery)
        try:
            document = import_paths(vault, [source]).imported[0]
            load_before = os.getloadavg()[0]
            start = time.perf_counter()
            summary = summarise(
                document.document_id, engine, vault, style="brief", progress=_log_progress(start)
            )
            elapsed = time.perf_counter() - start
            load_after = os.getloadavg()[0]
            stats = summary.stats
            text = "\n".join(p.text for p in vault.pages(document.document_id))
            raw = _raw_pp_rate(engine, text, stats.prompt_tokens // max(1, stats.model_calls))
        finally:
            vault.lock()
            engine.close()
    processed = stats.prompt_tokens + stats.generated_tokens
    rate = processed / elapsed
    ratio = rate / raw
    return [
        {"name": "pages summarised", "value": summary.total_pages, "unit": "pages"},
        {
            "name": "pages covered",
            "value": len(summary.covered_pages),
            "unit": "pages",
            "target": f"== {summary.total_pages}",
            "ok": len(summary.covered_pages) == summary.total_pages,
        },
        {"name": "total time", "value": elapsed, "unit": "s"},
        {"name": "model calls", "value": stats.model_calls, "unit": "calls"},
        {"name": "prompt tokens", "value": stats.prompt_tokens, "unit": "tok"},
        {"name": "generated tokens", "value": stats.generated_tokens, "unit": "tok"},
        {"name": "summarise throughput", "value": rate, "unit": "tok/s"},
        {"name": "raw prompt processing, same length", "value": raw, "unit": "tok/s"},
        {
            "name": "summarise/raw pp ratio",
            "value": ratio,
            "unit": "x",
            "target": ">= 0.8",
            "ok": ratio >= 0.8,
        },
        {"name": "load average (start, end)", "value": load_before, "unit": f"/{load_after:.2f}"},
    ]
