"""Truncated, empty and bomb images are refused by name, quickly (issue 25).

Before, they reached Tesseract: a cut PNG or a 0-pixel picture was stored as a document
of no pages with nothing said, and a 50-byte TIFF whose page list points back at itself
kept the reader busy for the full 120 s timeout. Each file here is crafted byte by byte
(the app has no imaging library) and imported through the real sandboxed worker.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ingest import Extractor
from app.ingest.errors import IngestError
from app.ingest.importer import import_paths
from app.ingest.types import IngestLimits
from app.vault import Vault, unlock
from tests.fixtures.vault import (  # noqa: F401
    Ready,
    ready_vault_fixture,
    vault_home_fixture,
    vault_template_fixture,
)

#: Worker start-up plus the check; the reader's own timeout is 120 s.
QUICK_S = 20.0


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, pixels: bytes | None = None) -> bytes:
    rows = pixels if pixels is not None else (b"\x00" + b"\xff" * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int, end: bool = True) -> bytes:
    """SOI, a baseline frame header, a scan header, scan data, EOI (unless ``end`` is off)."""
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    scan = b"\x01\x01\x00\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + b"\xff\xc0"
        + struct.pack(">H", len(frame) + 2)
        + frame
        + b"\xff\xda"
        + struct.pack(">H", len(scan) + 2)
        + scan
        + b"\x12\x34\xff\x00\x56" * 40
        + (b"\xff\xd9" if end else b"")
    )


def tiff_pages(count: int, loop: bool = False) -> bytes:
    """A little-endian TIFF of ``count`` 10 x 10 pages; ``loop``: the last points to the first."""
    entries = 2
    size = 2 + 12 * entries + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for index in range(count):
        at = 8 + index * size
        following = 0 if index == count - 1 else at + size
        if loop and index == count - 1:
            following = 8
        out += struct.pack("<H", entries)
        out += struct.pack("<HHIHH", 256, 3, 1, 10, 0) + struct.pack("<HHIHH", 257, 3, 1, 10, 0)
        out += struct.pack("<I", following)
    return bytes(out)


ATTACKS = {
    "cut.png": (png(400, 300)[:120], "truncated"),
    "no-end.png": (png(40, 30)[:-12], "truncated"),
    "damaged.png": (png(40, 30).replace(b"IDAT", b"IDAX"), "corrupt"),
    "zero-wide.png": (png(0, 100, b""), "empty"),
    "bomb.png": (png(60_000, 60_000, b"\x00" * 16), "too large"),
    "inflating.png": (png(10, 10, b"\x00" * (8 << 20)), "zip bomb"),
    "cut.jpg": (jpeg(640, 480, end=False), "truncated"),
    "zero-high.jpg": (jpeg(640, 0), "empty"),
    "bomb.jpg": (jpeg(65_000, 65_000), "too large"),
    "loop.tif": (tiff_pages(1, loop=True), "corrupt"),
    "ring.tif": (tiff_pages(3, loop=True), "corrupt"),
    "many-pages.tif": (tiff_pages(5_001), "too large"),
    "zero.gif": (b"GIF89a" + struct.pack("<HH", 0, 0) + b"\x00\x00\x00;", "empty"),
}


def test_the_looping_tiff_is_tiny() -> None:
    assert len(ATTACKS["loop.tif"][0]) == 38


@pytest.fixture(scope="module")
def extractor() -> Iterator[Extractor]:
    with Extractor() as opened:
        yield opened


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_hostile_image_is_refused_by_name_quickly(extractor: Extractor, name: str) -> None:
    data, reason = ATTACKS[name]
    start = time.monotonic()
    with pytest.raises(IngestError) as caught:
        extractor.extract_bytes(data, name)
    assert time.monotonic() - start < QUICK_S
    assert caught.value.reason == reason, caught.value
    assert name in caught.value.message


def test_whole_images_still_pass(extractor: Extractor) -> None:
    for name, data in {"blank.png": png(64, 48), "blank.jpg": jpeg(64, 48)}.items():
        document = extractor.extract_bytes(data, name)
        assert document.kind == "image"


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened
    opened.lock()


def test_import_stores_nothing_and_says_why(vault: Vault, tmp_path: Path) -> None:
    paths = []
    for name in ("cut.png", "zero-wide.png", "loop.tif"):
        path = tmp_path / name
        path.write_bytes(ATTACKS[name][0])
        paths.append(path)
    start = time.monotonic()
    summary = import_paths(vault, paths, limits=IngestLimits())
    assert time.monotonic() - start < QUICK_S * 2
    assert summary.imported == []
    assert {Path(r.path).name: r.reason for r in summary.refused} == {
        "cut.png": "truncated",
        "zero-wide.png": "empty",
        "loop.tif": "corrupt",
    }
    assert vault.list_documents() == []
