"""Read and sanity-check a GGUF file's header before llama.cpp ever sees it.

llama.cpp trusts its input: a truncated download, a renamed text file or a corrupt header
can abort the whole process. So every model file is parsed here first, with hard limits on
every count and length, and the tensor table is checked against the file size. The reader
streams the header (the tokenizer arrays are skipped, not loaded) and never maps the
weights, so checking a multi-gigabyte file costs milliseconds.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# Limits far above any real model, low enough to stop a corrupt header early.
MAX_TENSORS = 1_000_000
MAX_KV = 100_000
MAX_STRING = 64 * 1024 * 1024
MAX_ARRAY = 50_000_000
MAX_DIMS = 4

_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1),  # UINT8
    1: ("<b", 1),  # INT8
    2: ("<H", 2),  # UINT16
    3: ("<h", 2),  # INT16
    4: ("<I", 4),  # UINT32
    5: ("<i", 4),  # INT32
    6: ("<f", 4),  # FLOAT32
    7: ("<?", 1),  # BOOL
    10: ("<Q", 8),  # UINT64
    11: ("<q", 8),  # INT64
    12: ("<d", 8),  # FLOAT64
}
_STRING = 8
_ARRAY = 9

Scalar = int | float | bool | str


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    nbytes: int


@dataclass
class GGUFInfo:
    """What the header says about a model: enough to plan memory and to reject bad files."""

    path: Path
    version: int
    file_size: int
    metadata: dict[str, Scalar] = field(default_factory=dict)
    array_lengths: dict[str, int] = field(default_factory=dict)
    tensors: list[TensorInfo] = field(default_factory=list)
    data_offset: int = 0
    expected_size: int = 0

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    def arch_int(self, key: str, default: int = 0) -> int:
        value = self.metadata.get(f"{self.architecture}.{key}", default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return default
        if isinstance(value, float) and not math.isfinite(value):
            return default
        return int(value)

    @property
    def block_count(self) -> int:
        return self.arch_int("block_count")

    @property
    def context_length(self) -> int:
        return self.arch_int("context_length", 2048)

    @property
    def embedding_length(self) -> int:
        return self.arch_int("embedding_length")

    @property
    def head_count(self) -> int:
        return self.arch_int("attention.head_count", 1) or 1

    @property
    def head_count_kv(self) -> int:
        return self.arch_int("attention.head_count_kv", self.head_count) or self.head_count

    @property
    def kv_width(self) -> int:
        """Elements of K (and of V) stored per token per layer."""
        key_length = self.arch_int("attention.key_length", 0)
        head_dim = key_length or (self.embedding_length // self.head_count)
        return head_dim * self.head_count_kv

    @property
    def vocab_size(self) -> int:
        return self.array_lengths.get("tokenizer.ggml.tokens", 0)

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name", self.path.stem))


class _Reader:
    """Bounded little-endian reads that turn every short read into a ModelFileError."""

    def __init__(self, handle: BinaryIO, path: Path, size: int) -> None:
        self.handle = handle
        self.path = path
        self.size = size

    def fail(self, reason: str) -> ModelFileError:
        return ModelFileError(f"{self.path} is not a usable GGUF model: {reason}.")

    def read(self, count: int) -> bytes:
        data = self.handle.read(count)
        if len(data) != count:
            raise self.fail(f"the file ends early (at byte {self.handle.tell()} of its header)")
        return data

    def skip(self, count: int) -> None:
        target = self.handle.tell() + count
        if target > self.size:
            raise self.fail("the file ends early (the header points past its end)")
        self.handle.seek(target)

    def unpack(self, fmt: str, size: int) -> int | float | bool:
        value: int | float | bool = struct.unpack(fmt, self.read(size))[0]
        return value

    def u32(self) -> int:
        return int(self.unpack("<I", 4))

    def u64(self) -> int:
        return int(self.unpack("<Q", 8))

    def string(self) -> str:
        length = self.u64()
        if length > MAX_STRING:
            raise self.fail(f"a header string claims {length:,} bytes")
        try:
            return self.read(length).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.fail("a header string is not valid UTF-8") from exc


def _read_value(reader: _Reader, value_type: int, key: str, info: GGUFInfo) -> Scalar | None:
    if value_type in _SCALARS:
        fmt, size = _SCALARS[value_type]
        return reader.unpack(fmt, size)
    if value_type == _STRING:
        return reader.string()
    if value_type == _ARRAY:
        item_type = reader.u32()
        count = reader.u64()
        if count > MAX_ARRAY:
            raise reader.fail(f"metadata array {key!r} claims {count:,} items")
        info.array_lengths[key] = count
        if item_type in _SCALARS:
            reader.skip(count * _SCALARS[item_type][1])
        elif item_type == _STRING:
            for _ in range(count):
                length = reader.u64()
                if length > MAX_STRING:
                    raise reader.fail(f"a string in {key!r} claims {length:,} bytes")
                reader.skip(length)
        else:
            raise reader.fail(f"metadata array {key!r} has unsupported item type {item_type}")
        return None
    raise reader.fail(f"metadata key {key!r} has unknown value type {value_type}")


def _tensor_nbytes(reader: _Reader, name: str, shape: tuple[int, ...], ggml_type: int) -> int:
    from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

    try:
        block_size, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError) as exc:
        raise reader.fail(f"tensor {name!r} has unknown type {ggml_type}") from exc
    elements = 1
    for dim in shape:
        elements *= dim
    if shape and shape[0] % block_size:
        raise reader.fail(f"tensor {name!r} has a row length that does not fit its type")
    return elements // block_size * type_size


def read_gguf_header(path: Path) -> GGUFInfo:
    """Parse and check ``path``; raise ModelFileError naming the file on any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise ModelFileError(f"Cannot read model file {path}: {exc.strerror or exc}.") from exc
    with handle:
        reader = _Reader(handle, path, size)
        if size < 24:
            raise reader.fail(f"it is only {size} bytes long")
        magic = reader.read(4)
        if magic != GGUF_MAGIC:
            raise reader.fail(f"it does not start with the GGUF signature (found {magic!r})")
        version = reader.u32()
        if version not in SUPPORTED_VERSIONS:
            raise reader.fail(f"GGUF version {version} is not supported (expected 2 or 3)")
        info = GGUFInfo(path=path, version=version, file_size=size)
        tensor_count, kv_count = reader.u64(), reader.u64()
        if tensor_count == 0 or tensor_count > MAX_TENSORS:
            raise reader.fail(f"the header claims {tensor_count:,} tensors")
        if kv_count > MAX_KV:
            raise reader.fail(f"the header claims {kv_count:,} metadata entries")
        for _ in range(kv_count):
            key = reader.string()
            value = _read_value(reader, reader.u32(), key, info)
            if value is not None:
                info.metadata[key] = value
        _read_tensors(reader, info, tensor_count)
    if "general.architecture" not in info.metadata:
        raise reader.fail("the header names no model architecture")
    if info.expected_size > size:
        missing = info.expected_size - size
        raise ModelFileError(
            f"{path} is truncated: the header describes {info.expected_size:,} bytes but the "
            f"file has {size:,} ({missing:,} missing).",
        )
    return info


def _read_tensors(reader: _Reader, info: GGUFInfo, tensor_count: int) -> None:
    for _ in range(tensor_count):
        name = reader.string()
        n_dims = reader.u32()
        if not 1 <= n_dims <= MAX_DIMS:
            raise reader.fail(f"tensor {name!r} claims {n_dims} dimensions")
        shape = tuple(reader.u64() for _ in range(n_dims))
        if any(dim == 0 or dim > 1 << 40 for dim in shape):
            raise reader.fail(f"tensor {name!r} has an impossible shape {shape}")
        ggml_type = reader.u32()
        offset = reader.u64()
        nbytes = _tensor_nbytes(reader, name, shape, ggml_type)
        info.tensors.append(TensorInfo(name, shape, ggml_type, offset, nbytes))
    alignment_value = info.metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    alignment = int(alignment_value) if isinstance(alignment_value, int) else DEFAULT_ALIGNMENT
    if alignment <= 0 or alignment & (alignment - 1):
        raise reader.fail(f"alignment {alignment} is not a power of two")
    header_end = reader.handle.tell()
    info.data_offset = (header_end + alignment - 1) // alignment * alignment
    end = max(t.offset + t.nbytes for t in info.tensors)
    info.expected_size = info.data_offset + end
