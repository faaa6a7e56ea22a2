"""The GGUF header reader: real tiny files parse, every kind of broken file is refused."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import gguf
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ModelFileError
from app.models.gguf_header import MAX_STRING, MAX_TENSORS, read_gguf_header
from tests.fixtures.tiny_gguf import tiny_gguf, write_tiny_gguf

__all__ = ["tiny_gguf"]  # the fixture is used by name

# Layout of the start of every GGUF v2/v3 file.
OFF_VERSION = 4
OFF_TENSOR_COUNT = 8
OFF_KV_COUNT = 16
OFF_FIRST_KEY_LEN = 24
OFF_FIRST_KEY = 32


def _copy_with(src: Path, dst: Path, edits: dict[int, bytes]) -> Path:
    data = bytearray(src.read_bytes())
    for offset, patch in edits.items():
        data[offset : offset + len(patch)] = patch
    dst.write_bytes(bytes(data))
    return dst


def _first_key_len(path: Path) -> int:
    with path.open("rb") as handle:
        handle.seek(OFF_FIRST_KEY_LEN)
        return int(struct.unpack("<Q", handle.read(8))[0])


def _refused(path: Path) -> ModelFileError:
    with pytest.raises(ModelFileError) as caught:
        read_gguf_header(path)
    assert str(path) in caught.value.message, caught.value.message
    assert caught.value.hint, "a ModelFileError must say what to do"
    return caught.value


# --- the good file -------------------------------------------------------------------------


def test_tiny_file_parses(tiny_gguf: Path) -> None:
    info = read_gguf_header(tiny_gguf)
    assert info.version == 3
    assert info.architecture == "llama"
    assert info.block_count == 2
    assert info.context_length == 2048
    assert info.embedding_length == 64
    assert info.head_count == 4
    assert info.head_count_kv == 2
    assert info.kv_width == (64 // 4) * 2
    assert info.vocab_size == 300
    assert info.name == "tiny-random-llama"
    assert info.file_size == tiny_gguf.stat().st_size
    assert info.expected_size == tiny_gguf.stat().st_size
    assert info.data_offset % 32 == 0
    # token_embd, output_norm, output + 9 per layer
    assert len(info.tensors) == 3 + 9 * 2
    names = {t.name for t in info.tensors}
    assert {"token_embd.weight", "output.weight", "blk.1.ffn_down.weight"} <= names
    # tokenizer arrays are counted, not loaded into metadata
    assert "tokenizer.ggml.tokens" not in info.metadata
    assert info.array_lengths["tokenizer.ggml.scores"] == 300


def test_other_shapes_parse(tmp_path: Path) -> None:
    path = write_tiny_gguf(
        tmp_path / "other.gguf",
        n_layer=3,
        n_embd=128,
        n_head=8,
        n_kv=8,
        vocab=512,
        context_length=4096,
    )
    info = read_gguf_header(path)
    assert (info.block_count, info.context_length, info.vocab_size) == (3, 4096, 512)
    assert info.expected_size == path.stat().st_size


def test_writer_is_deterministic(tmp_path: Path, tiny_gguf: Path) -> None:
    again = write_tiny_gguf(tmp_path / "again.gguf")
    assert again.read_bytes() == tiny_gguf.read_bytes()
    other = write_tiny_gguf(tmp_path / "seed1.gguf", seed=1)
    assert other.read_bytes() != tiny_gguf.read_bytes()


def test_padding_after_the_data_is_accepted(tmp_path: Path, tiny_gguf: Path) -> None:
    path = tmp_path / "padded.gguf"
    path.write_bytes(tiny_gguf.read_bytes() + b"\0" * 64)
    info = read_gguf_header(path)
    assert info.expected_size == tiny_gguf.stat().st_size


# --- broken files --------------------------------------------------------------------------


@pytest.mark.parametrize("keep", ["half", "minus_one", "header_only"])
def test_truncated_copy_is_refused(tmp_path: Path, tiny_gguf: Path, keep: str) -> None:
    data = tiny_gguf.read_bytes()
    info = read_gguf_header(tiny_gguf)
    cuts = {"half": len(data) // 2, "minus_one": len(data) - 1, "header_only": info.data_offset}
    cut = cuts[keep]
    path = tmp_path / f"truncated-{keep}.gguf"
    path.write_bytes(data[:cut])
    error = _refused(path)
    if keep != "half":  # header intact: the size check names the shortfall
        assert "truncated" in error.message
        assert f"{len(data) - cut:,} missing" in error.message


def test_truncated_inside_the_header_is_refused(tmp_path: Path, tiny_gguf: Path) -> None:
    path = tmp_path / "cut-header.gguf"
    path.write_bytes(tiny_gguf.read_bytes()[:1000])
    assert "ends early" in _refused(path).message


def test_zero_byte_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    assert "0 bytes" in _refused(path).message


def test_text_file_renamed_gguf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("These are my notes about the Smith matter.\n" * 20, encoding="utf-8")
    assert "GGUF signature" in _refused(path).message


def test_wrong_magic_is_refused(tmp_path: Path, tiny_gguf: Path) -> None:
    path = _copy_with(tiny_gguf, tmp_path / "magic.gguf", {0: b"GGML"})
    assert "signature" in _refused(path).message


@pytest.mark.parametrize("version", [0, 1, 4, 0xFFFFFFFF])
def test_unsupported_version_is_refused(tmp_path: Path, tiny_gguf: Path, version: int) -> None:
    path = _copy_with(
        tiny_gguf, tmp_path / "version.gguf", {OFF_VERSION: struct.pack("<I", version)}
    )
    assert f"version {version}" in _refused(path).message


@pytest.mark.parametrize("count", [0, MAX_TENSORS + 1, 2**63])
def test_absurd_tensor_count_is_refused(tmp_path: Path, tiny_gguf: Path, count: int) -> None:
    path = _copy_with(
        tiny_gguf, tmp_path / "tensors.gguf", {OFF_TENSOR_COUNT: struct.pack("<Q", count)}
    )
    assert "tensors" in _refused(path).message


def test_tensor_count_slightly_too_high_is_refused(tmp_path: Path, tiny_gguf: Path) -> None:
    info = read_gguf_header(tiny_gguf)
    path = _copy_with(
        tiny_gguf,
        tmp_path / "tensors.gguf",
        {OFF_TENSOR_COUNT: struct.pack("<Q", len(info.tensors) + 1)},
    )
    _refused(path)


def test_absurd_metadata_count_is_refused(tmp_path: Path, tiny_gguf: Path) -> None:
    path = _copy_with(tiny_gguf, tmp_path / "kv.gguf", {OFF_KV_COUNT: struct.pack("<Q", 2**40)})
    assert "metadata entries" in _refused(path).message


@pytest.mark.parametrize("length", [MAX_STRING + 1, 2**62, 2**64 - 1])
def test_absurd_string_length_is_refused(tmp_path: Path, tiny_gguf: Path, length: int) -> None:
    path = _copy_with(
        tiny_gguf, tmp_path / "string.gguf", {OFF_FIRST_KEY_LEN: struct.pack("<Q", length)}
    )
    assert f"{length:,} bytes" in _refused(path).message


def test_string_length_past_the_end_is_refused(tmp_path: Path, tiny_gguf: Path) -> None:
    size = tiny_gguf.stat().st_size
    path = _copy_with(
        tiny_gguf, tmp_path / "string.gguf", {OFF_FIRST_KEY_LEN: struct.pack("<Q", size * 2)}
    )
    _refused(path)


def test_invalid_utf8_key_is_refused(tmp_path: Path, tiny_gguf: Path) -> None:
    path = _copy_with(tiny_gguf, tmp_path / "utf8.gguf", {OFF_FIRST_KEY: b"\xff\xfe"})
    assert "UTF-8" in _refused(path).message


@pytest.mark.parametrize("value_type", [13, 99, 0xFFFFFFFF])
def test_unknown_metadata_value_type_is_refused(
    tmp_path: Path, tiny_gguf: Path, value_type: int
) -> None:
    type_offset = OFF_FIRST_KEY + _first_key_len(tiny_gguf)
    path = _copy_with(
        tiny_gguf, tmp_path / "type.gguf", {type_offset: struct.pack("<I", value_type)}
    )
    assert f"unknown value type {value_type}" in _refused(path).message


def test_missing_file_is_a_model_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.gguf"
    with pytest.raises(ModelFileError) as caught:
        read_gguf_header(path)
    assert str(path) in caught.value.message


def test_directory_is_a_model_file_error(tmp_path: Path) -> None:
    path = tmp_path / "folder.gguf"
    path.mkdir()
    with pytest.raises(ModelFileError) as caught:
        read_gguf_header(path)
    assert str(path) in caught.value.message


# --- fuzzing -------------------------------------------------------------------------------

HEADER_REGION = 2048


@pytest.fixture(scope="module")
def fuzz_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("gguf_fuzz")
    return folder, write_tiny_gguf(folder / "source.gguf").read_bytes()


def _check_info_is_usable(info: object) -> None:
    """Whatever parses must also be safe to plan with (no crash in the derived numbers)."""
    for name in (
        "architecture",
        "block_count",
        "context_length",
        "embedding_length",
        "head_count",
        "head_count_kv",
        "kv_width",
        "vocab_size",
        "name",
    ):
        getattr(info, name)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, HEADER_REGION - 1), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=6,
    )
)
def test_corrupted_header_parses_or_raises_model_file_error(
    fuzz_source: tuple[Path, bytes], edits: list[tuple[int, bytes]]
) -> None:
    folder, original = fuzz_source
    data = bytearray(original)
    for offset, patch in edits:
        data[offset : offset + len(patch)] = patch
    path = folder / "fuzzed.gguf"
    path.write_bytes(bytes(data))
    try:
        info = read_gguf_header(path)
    except ModelFileError as exc:
        assert str(path) in exc.message
        return
    _check_info_is_usable(info)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(
        st.tuples(st.integers(0, HEADER_REGION - 1), st.integers(0, 7)), min_size=1, max_size=4
    )
)
def test_bit_flips_in_header_parse_or_raise_model_file_error(
    fuzz_source: tuple[Path, bytes], flips: list[tuple[int, int]]
) -> None:
    folder, original = fuzz_source
    data = bytearray(original)
    for offset, bit in flips:
        data[offset] ^= 1 << bit
    path = folder / "flipped.gguf"
    path.write_bytes(bytes(data))
    try:
        info = read_gguf_header(path)
    except ModelFileError:
        return
    _check_info_is_usable(info)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_float_in_a_numeric_key_does_not_crash(
    tmp_path: Path, tiny_gguf: Path, bad: float
) -> None:
    """A header whose llama.block_count is a float NaN/inf must not crash later users."""
    path = tmp_path / "nan.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_float32("llama.block_count", bad)
    writer.add_tensor("t.weight", np.ones(32, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    try:
        info = read_gguf_header(path)
    except ModelFileError:
        return
    assert isinstance(info.block_count, int)


def test_fixture_file_is_untouched(tiny_gguf: Path, tmp_path: Path) -> None:
    """Guard: tests copy the session file rather than editing it."""
    fresh = write_tiny_gguf(tmp_path / "fresh.gguf")
    assert fresh.read_bytes() == tiny_gguf.read_bytes()
