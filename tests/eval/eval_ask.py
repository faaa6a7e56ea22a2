"""Ask on the whole dev set: a lawyer's question per field and per playbook statement.

CUAD dev contracts (``EVAL_LIMIT=N``: the first N) get one natural question per field of
the commercial-contract set; ContractNLI dev NDAs get each playbook statement as a yes/no
question. Printed beside two baselines from the same run (top keyword sentence, and the
grid's cell / the review's row for the same field), with the grounding figures: answers
holding a fact no shown quote states (target 0), verbatim quotes (target 100 %), seconds
per question (median, p95). ``EVAL_ASK_ROUTING=0`` asks with routing switched off (the
model's own path). Every outcome goes to bench-results/eval-outcomes-ask-<stamp>.json.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.evaluation.ask import (
    FIELD_QUESTIONS,
    STATEMENT_QUESTIONS,
    AskOutcome,
    ask_field,
    ask_statement,
    outcomes_json,
    summarise_outcomes,
)
from app.evaluation.extraction import scratch_matter
from app.evaluation.labels import document_files, load_labels
from app.evaluation.playbook import load_contractnli
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.fieldsets import load_fieldset
from app.tasks.review import load_playbook
from tests.eval import eval_limit, eval_model_id, temporary_home
from tests.group_runner import RESULTS
from tests.shared_data import CUAD, SHARED_DATA

NLI_DEV = SHARED_DATA / "contractnli" / "dev.json"


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _contracts(engine: Engine, routing: bool) -> list[AskOutcome]:
    fieldset = load_fieldset("commercial-contract")
    labels = load_labels(CUAD / "labels.csv", fieldset)
    limit = eval_limit()
    ids = labels.document_ids[:limit] if limit else labels.document_ids
    files = document_files(ids, CUAD / "pdf")
    outcomes: list[AskOutcome] = []
    with scratch_matter("ask evaluation") as vault:
        summary = import_paths(vault, list(files.values()))
        by_path = {d.path: d.document_id for d in summary.imported}
        for n, (doc, path) in enumerate(files.items()):
            document_id = by_path.get(str(path))
            if document_id is None:
                continue
            for item in fieldset.fields:
                label = labels.rows[doc].get(item.name)
                if label is None or item.name not in FIELD_QUESTIONS:
                    continue
                outcome = ask_field(engine, vault, document_id, fieldset, item.name, label,
                                    routing=routing)  # fmt: skip
                outcome.document = doc
                outcomes.append(outcome)
            _log(f"contract {n + 1} of {len(files)} ({doc})")
    return outcomes


def _ndas(engine: Engine, routing: bool) -> list[AskOutcome]:
    book = load_playbook("nda")
    _, ndas = load_contractnli(NLI_DEV, eval_limit())
    outcomes: list[AskOutcome] = []
    with scratch_matter("ask evaluation") as vault, tempfile.TemporaryDirectory() as folder:
        files = []
        for nda in ndas:
            file = Path(folder) / f"nda-{nda.id}.txt"
            file.write_text(nda.text, encoding="utf-8")
            files.append(file)
        summary = import_paths(vault, files)
        by_path = {d.path: d.document_id for d in summary.imported}
        for n, (nda, file) in enumerate(zip(ndas, files, strict=True)):
            document_id = by_path.get(str(file))
            if document_id is None:
                continue
            for statement_id, (gold, _) in nda.gold.items():
                if statement_id not in STATEMENT_QUESTIONS:
                    continue
                outcome = ask_statement(engine, vault, document_id, book, statement_id, gold,
                                        routing=routing)  # fmt: skip
                outcome.document = nda.id
                outcomes.append(outcome)
            _log(f"NDA {n + 1} of {len(ndas)}")
    return outcomes


def _figures(group: str, block: dict[str, Any]) -> list[dict[str, Any]]:
    n = f"of {block['questions']}"
    return [
        {"name": f"{group} ask accuracy", "value": block["ask_accuracy"], "unit": n},
        {"name": f"{group} keyword-sentence accuracy", "value": block["keyword_accuracy"], "unit": n},
        {"name": f"{group} grid/review accuracy", "value": block["grid_accuracy"], "unit": n},
        {"name": f"{group} answers with invented facts", "value": block["answers_with_invented_facts"], "unit": n},
        {"name": f"{group} verbatim quotes", "value": block["verbatim_share"], "unit": f"of {block['quotes']}"},
        {"name": f"{group} confirmed answers", "value": block["confirmed_share"], "unit": n},
        {"name": f"{group} routed answers", "value": block["routed_share"], "unit": n},
        {"name": f"{group} median seconds per question", "value": block["median_seconds"], "unit": "s"},
        {"name": f"{group} p95 seconds per question", "value": block["p95_seconds"], "unit": "s"},
    ]  # fmt: skip


def run() -> list[dict[str, Any]]:
    routing = os.environ.get("EVAL_ASK_ROUTING", "1") != "0"
    settings = load_settings()
    model = resolve_model(eval_model_id(settings.default_model))
    out: list[dict[str, Any]] = []
    every: list[AskOutcome] = []
    with temporary_home():
        engine = Engine()
        try:
            engine.load(model, settings=settings, hardware=detect())
            for group, collect in (("contracts", _contracts), ("ndas", _ndas)):
                outcomes = collect(engine, routing)
                every += outcomes
                block = summarise_outcomes(outcomes)
                _log(f"{group}: {json.dumps(block)}")
                out += _figures(group, block)
        finally:
            engine.close()
    out += _figures("all", summarise_outcomes(every))
    out.append({"name": "routing", "value": int(routing), "unit": "on" if routing else "off"})
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"eval-outcomes-ask-{stamp}.json").write_text(
        json.dumps(outcomes_json(every), indent=2)
    )
    return out
