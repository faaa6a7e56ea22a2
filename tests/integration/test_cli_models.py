"""The CLI against real model files: listing, verifying, refusing bad files, doctor."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.models.store import InstalledModel

GEMMA = "gemma-3-270m-q4_k_m"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def models_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_model: InstalledModel
) -> Path:
    """A private models folder holding a copy of the small real model."""
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copyfile(default_model.path.parent / f"{GEMMA}.gguf", folder / f"{GEMMA}.gguf")
    monkeypatch.setenv("CHAMBERS_MODELS_DIR", str(folder))
    return folder


def test_list_json_reports_catalog_and_installed(
    capsys: pytest.CaptureFixture[str], models_copy: Path
) -> None:
    code, out, _ = run(["models", "list", "--json"], capsys)
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[GEMMA]["installed"] is True
    assert rows["qwen2.5-coder-0.5b-instruct-q4_k_m"]["installed"] is False
    assert rows["qwen2.5-coder-0.5b-instruct-q4_k_m"]["sha256"].startswith("1d9614638d18")


def test_verify_passes_then_catches_a_flipped_byte(
    capsys: pytest.CaptureFixture[str], models_copy: Path, audit_home: Path
) -> None:
    """``audit_home`` signs with a file key: the OS keyring is not what is tested here."""
    assert run(["models", "verify"], capsys)[0] == 0
    path = models_copy / f"{GEMMA}.gguf"
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))
    code, out, _ = run(["models", "verify", "--json"], capsys)
    assert code == 1
    assert "does not match the approved SHA-256" in json.loads(out)[0]["message"]
    from app.audit import audit_log

    audit_log().checkpoint()
    from app.paths import audit_dir

    lines = [json.loads(x) for x in (audit_dir() / "audit.jsonl").read_text().splitlines()]
    outcomes = [r["outcome"] for r in lines if r["action"] == "model.verify"]
    assert outcomes == ["ok", "failed"]


@pytest.mark.parametrize("damage", ["truncated", "text", "bad_magic"])
def test_generate_refuses_bad_model_files_with_a_clear_error(
    damage: str, capsys: pytest.CaptureFixture[str], models_copy: Path
) -> None:
    path = models_copy / f"{GEMMA}.gguf"
    if damage == "truncated":
        with path.open("r+b") as handle:
            handle.truncate(path.stat().st_size // 2)
    elif damage == "text":
        path.write_text("This is a memo, not a model.\n" * 100)
    else:
        data = bytearray(path.read_bytes()[:4096])
        data[:4] = b"GGUX"
        path.write_bytes(bytes(data))
    code, _, err = run(
        ["generate", "--model", GEMMA, "--prompt", "hi", "--max-tokens", "2"], capsys
    )
    assert code == 1
    assert str(path) in err
    assert "hint:" in err
    assert "Traceback" not in err


def test_generate_streams_with_the_small_base_model(
    capsys: pytest.CaptureFixture[str], models_copy: Path
) -> None:
    code, out, err = run(
        [
            "generate",
            "--model",
            GEMMA,
            "--prompt",
            "The capital of France is",
            "--max-tokens",
            "6",
            "--stats",
        ],
        capsys,
    )
    assert code == 0, err
    assert out.strip()
    stats = json.loads(err.strip().splitlines()[-1])
    assert 1 <= stats["generated_tokens"] <= 6


def test_generate_json_schema_from_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default_model: InstalledModel
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
                "required": ["answer"],
            }
        )
    )
    messages = tmp_path / "messages.json"
    messages.write_text(
        json.dumps([{"role": "user", "content": "Is Paris in France? Answer yes or no."}])
    )
    code, out, err = run(
        ["generate", "--messages", str(messages), "--json-schema", str(schema)], capsys
    )
    assert code == 0, err
    assert json.loads(out) in ({"answer": "yes"}, {"answer": "no"})


def test_missing_model_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], models_copy: Path
) -> None:
    code, _, err = run(["generate", "--prompt", "hi"], capsys)
    assert code == 1
    assert "not installed" in err and "install-default" in err


def test_doctor_json_reports_backend_and_plans(
    capsys: pytest.CaptureFixture[str], models_copy: Path
) -> None:
    code, out, _ = run(["doctor", "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    hw = report["hardware"]
    assert hw["backend"] == ("CPU" if not hw["gpus"] else hw["backend"])
    assert hw["cpu_usable"] >= 1 and hw["ram_total"] > 0
    assert any(d["kind"] == "CPU" for d in hw["devices"])
    gemma = next(m for m in report["models"] if m["id"] == GEMMA)
    plan = gemma["plan"]
    assert plan["n_layers"] == gemma["layers"] + 1
    assert plan["n_ctx"] >= 2048 and plan["n_threads"] >= 1
    assert plan["ram_bytes"] >= plan["weights_bytes"] - plan["gpu_bytes"]
    rec = report["recommended_model"]
    entry = next(m for m in report["models"] if m["id"] == rec["model_id"])
    assert rec["installed"] == entry["installed"]
    assert rec["reason"] and (rec["install"] == "") == rec["installed"]


def test_import_from_disk_recognises_a_catalog_model(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    models_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    usb = tmp_path / "usb" / "renamed-model.gguf"
    usb.parent.mkdir()
    shutil.copyfile(models_copy / f"{GEMMA}.gguf", usb)
    target = tmp_path / "fresh-models"
    monkeypatch.setenv("CHAMBERS_MODELS_DIR", str(target))
    code, out, err = run(["models", "import", str(usb)], capsys)
    assert code == 0, err
    assert "approved by catalog" in out
    assert (target / f"{GEMMA}.gguf").read_bytes() == usb.read_bytes()
