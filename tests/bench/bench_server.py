"""Firm-server benchmark: documents per minute for a 10-contract grid and summary batch.

Three runs in the same process, on the same ten CUAD contracts (the ten with the fewest
pages, so the run ends in reasonable time on a laptop) and the same fields, as open fields
so that the model does every cell's work (see ``open_fields``):

1. the local engine (this machine's default plan);
2. the loopback firm server (llama-cpp-python's OpenAI-compatible server, TLS, the same
   model) with one document in flight (``server_parallel = 1``);
3. the same server with two documents in flight (``server_parallel = 2``).

The server shares this machine's CPU with the client, and llama-cpp-python's server
evaluates one request at a time (it has no continuous batching; vLLM and llama.cpp's
``llama-server --parallel N`` do), so run 3 measures how much the client's overlap of
two documents gains against a server that serialises; on a real GPU server with batching
the gain is the point of the setting. llama-cpp-python's server must also be started with
``logits_all`` (option scoring needs log-probabilities), which makes every prompt it
evaluates dearer than the local engine's; see docs/firm-server.md.

The same three runs also summarise the same contracts as one batch (brief style,
app/tasks/summarise/batch.py): one document at a time locally, one or two in flight on
the server. CHAMBERS_BENCH_DOCS=N and CHAMBERS_BENCH_FIELDS=a,b change the grid;
CHAMBERS_BENCH_TASKS=grid or =summaries runs only one of the two (default: both).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pypdfium2

from app import audit, policy
from app.config import Settings, load_settings
from app.engine import Engine
from app.engine.backend import connect_server
from app.engine.hardware import detect
from app.engine.protocol import EngineLike
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.policy_sources import LinuxPolicyFiles
from app.tasks.audited import record_inference_call
from app.tasks.extract import extract_grid
from app.tasks.fieldsets import FieldSet, load_fieldset
from app.tasks.summarise.batch import summarise_batch
from app.vault import create_vault, unlock
from tests.fixtures.audit import file_store, no_anchor_key
from tests.fixtures.firm_server import FirmServer, write_policy
from tests.shared_data import CUAD

DEFAULT_FIELDS = "governing_law,parties"


def _shortest(count: int) -> list[Path]:
    sizes = []
    for path in sorted((CUAD / "pdf").glob("*.pdf")):
        pdf = pypdfium2.PdfDocument(str(path))
        sizes.append((len(pdf), path.name, path))
        pdf.close()
    return [path for _, _, path in sorted(sizes)[:count]]


def open_fields(fields: list[str], folder: Path) -> FieldSet:
    """The named commercial-contract fields as *open* fields (no rule-based extractor).

    On these contracts the typed extractors decide most cells by rule, without the
    model; a grid that never calls the model measures nothing about where it runs. Open
    fields make the model choose the sentence (option scoring) and write the value
    (JSON-constrained generation) for every cell.
    """
    source = json.loads(load_fieldset("commercial-contract").path.read_text(encoding="utf-8"))
    props = {}
    for name in fields:
        prop = {k: v for k, v in source["properties"][name].items()
                if k not in ("x-extractor", "x-label", "x-match")}  # fmt: skip
        props[name] = prop
    data = {**source, "$id": "chambers:fieldset:bench-open", "properties": props}
    path = folder / "bench-open.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_fieldset(path)


def _timed(engine: EngineLike, pdfs: list[Path], fieldset: FieldSet | None, label: str) -> float:
    """Seconds for the grid (or, without a field set, the summary batch) over a fresh vault,
    so no row or summary part is reused from another run."""
    info, recovery = create_vault(f"bench-server-{label}", passphrase="bench", use_keyring=False)
    vault = unlock(info, recovery_key=recovery)
    try:
        ids = [d.document_id for d in import_paths(vault, pdfs).imported]
        start = time.perf_counter()
        if fieldset is None:
            summaries = summarise_batch(ids, engine, vault)
            elapsed = time.perf_counter() - start
            assert len(summaries) == len(ids)
            calls = sum(s.stats.model_calls for s in summaries)
            points = sum(len(s.points) for s in summaries)
            print(f"  {label}: {len(ids)} summaries, {calls} model calls, {points} points "
                  f"in {elapsed:.1f} s", file=sys.stderr)  # fmt: skip
            return elapsed
        grid = extract_grid(ids, fieldset, engine, vault)
        elapsed = time.perf_counter() - start
        assert len(grid.rows) == len(ids)
        cells = sum(len(row.cells) for row in grid.rows)
        print(f"  {label}: {len(ids)} documents, {cells} cells in {elapsed:.1f} s "
              f"({grid.counts()})", file=sys.stderr)  # fmt: skip
        return elapsed
    finally:
        vault.lock()


def _runs(engine: EngineLike, pdfs: list[Path], fieldset: FieldSet, label: str,
          tasks: list[str], results: dict[str, float]) -> None:  # fmt: skip
    if "grid" in tasks:
        results[f"grid, {label}"] = _timed(engine, pdfs, fieldset, f"grid-{label}")
    if "summaries" in tasks:
        results[f"summaries, {label}"] = _timed(engine, pdfs, None, f"summaries-{label}")


def run() -> list[dict[str, Any]]:
    count = int(os.environ.get("CHAMBERS_BENCH_DOCS") or 10)
    fields = (os.environ.get("CHAMBERS_BENCH_FIELDS") or DEFAULT_FIELDS).split(",")
    tasks = (os.environ.get("CHAMBERS_BENCH_TASKS") or "grid,summaries").split(",")
    model, settings = resolve_model(None), load_settings()
    pdfs = _shortest(count)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="chambers-bench-server-") as tmp:
        os.environ["CHAMBERS_HOME"] = tmp
        fieldset = open_fields(fields, Path(tmp))
        audit.configure(key_store_factory=file_store, anchor_key_factory=no_anchor_key)
        engine = Engine()
        engine.load(model, settings=settings, hardware=detect())
        try:
            n_ctx = engine.identity.context if engine.identity else 4096
            _runs(engine, pdfs, fieldset, "local", tasks, results)
        finally:
            engine.close()
        server = FirmServer(Path(tmp) / "server", model.path, model.spec.id, n_ctx=n_ctx)
        etc = Path(tmp) / "etc"
        write_policy(etc, [server.policy_entry()])
        policy.EXTRA_MACHINE_SOURCES.append(LinuxPolicyFiles(etc))
        server.start()
        try:
            for parallel in (1, 2):
                chosen = Settings(context=n_ctx, inference_server=server.base_url,
                                  server_parallel=parallel)  # fmt: skip
                with connect_server(
                    server.base_url, settings=chosen, on_call=record_inference_call
                ) as remote:
                    _runs(remote, pdfs, fieldset, f"server x{parallel}", tasks, results)
        finally:
            server.kill()
            policy.EXTRA_MACHINE_SOURCES.pop()
            audit.reset()
    rows: list[dict[str, Any]] = [
        {
            "name": "documents",
            "value": count,
            "unit": f"contracts; grid of {len(fields)} open fields, brief summaries",
        },
        {"name": "load average", "value": os.getloadavg()[0], "unit": "(1 min)"},
    ]
    for label, seconds in results.items():
        rows.append({"name": f"{label}: time", "value": seconds, "unit": "s"})
        rows.append({"name": f"{label}: documents per minute", "value": 60 * count / seconds,
                     "unit": "docs/min"})  # fmt: skip
    return rows
