"""`chambers evaluate` on real CUAD contracts with the real default model.

Two short contracts (cuad-dev-009: 1 page, Pennsylvania law, 3/30/2009; cuad-dev-005:
3 pages, Massachusetts law, 6/24/2020) and two fields keep it to a few minutes on a
laptop CPU. The labels are CUAD's own rows, copied from ../shared/data/cuad/labels.csv.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cancel import CancelToken
from app.cli import main
from app.engine import Engine
from app.errors import CancelledError
from app.evaluation.extraction import evaluate
from app.evaluation.labels import document_files, load_labels
from app.tasks.fieldsets import load_fieldset
from app.vault import list_vaults
from tests.shared_data import CUAD

SHORT, OTHER = "cuad-dev-009", "cuad-dev-005"
FIELDS = "governing_law,agreement_date"


def _labels(tmp_path: Path) -> Path:
    """CUAD's label rows for SHORT and OTHER, in that order."""
    with (CUAD / "labels.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    keep = {row[0]: row for row in rows[1:]}
    out = tmp_path / "labels.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], keep[SHORT], keep[OTHER]])
    return out


def _audit_log(home: Path) -> str:
    return (home / "audit" / "audit.jsonl").read_text(encoding="utf-8")


def test_cli_evaluate_scores_model_and_baseline_with_one_audit_record(
    cli_engine: Engine,
    qwen_engine: Engine,
    vault_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli_engine is qwen_engine  # the verbs get the session engine
    args = ["evaluate", "--fieldset", "commercial-contract", "--fields", FIELDS]
    args += ["--labels", str(_labels(tmp_path)), "--docs", str(CUAD / "pdf"), "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == [SHORT, OTHER] and data["skipped"] == {}
    fields = {f["name"]: f for f in data["fields"]}
    assert set(fields) == {"governing_law", "agreement_date"}
    assert all(f["n"] == 2 for f in fields.values())
    # The baseline reads "laws of the Commonwealth of Pennsylvania/Massachusetts" by regex.
    assert fields["governing_law"]["baseline_correct"] == 2
    cells = {(o["document"], o["field"]): o for o in data["outcomes"]}
    law = cells[SHORT, "governing_law"]
    assert law["label"] == "Pennsylvania" and law["correct"] is True, law
    assert "Pennsylvania" in law["value"]
    for name, score in fields.items():
        found = [o for o in data["outcomes"] if o["field"] == name and o["status"] != "not_found"]
        assert score["found"] == len(found)
        assert score["verified"] == sum(o["status"] == "supported" for o in found)
        assert score["model_correct"] == sum(
            bool(o["correct"]) for o in data["outcomes"] if o["field"] == name
        )
    overall = data["overall"]
    assert overall["n"] == 4 and overall["model_correct"] >= 1

    assert list_vaults() == []  # the scratch matter is destroyed
    log = _audit_log(vault_home)
    records = [json.loads(line) for line in log.splitlines()]
    runs = [r for r in records if r["action"] == "task.run"]
    assert len(runs) == 1
    run = runs[0]
    assert run["details"]["kind"] == "evaluate" and run["outcome"] == "ok"
    assert len(run["object_ids"]) == 2
    assert run["details"]["documents"] == 2 and run["details"]["fields"] == 2
    assert run["details"]["scored"] == 4
    assert run["details"]["model_correct"] == overall["model_correct"]
    assert [r["action"] for r in records].count("vault.delete") == 1
    for word in ("Pennsylvania", "Massachusetts", "cuad-dev", "Federated", "governing"):
        assert word.lower() not in log.lower()


def test_cancelled_evaluation_is_audited_and_leaves_no_matter(vault_home: Path) -> None:
    fieldset = load_fieldset("commercial-contract").subset(["governing_law"])
    labels = load_labels(CUAD / "labels.csv", fieldset)
    files = document_files([SHORT], CUAD / "pdf")
    cancel = CancelToken()
    cancel.cancel()
    engine = Engine()  # never reached: the import stops first
    try:
        with pytest.raises(CancelledError):
            evaluate(files, fieldset, labels, engine, cancel=cancel)
    finally:
        engine.close()
    assert list_vaults() == []
    runs = [json.loads(x) for x in _audit_log(vault_home).splitlines() if '"task.run"' in x]
    assert [(r["details"]["kind"], r["outcome"]) for r in runs] == [("evaluate", "cancelled")]
