"""Check an image document's structure before OCR: refuse it by name, quickly, if it
could not be a real picture.

The OCR engine (Tesseract, through Leptonica) is handed whatever bytes the file holds.
A truncated PNG or a picture declared 0 pixels wide made it fail, and the file was
stored as a document of no pages with nothing said; a 50-byte TIFF whose page list
points back at itself kept it busy until the worker's timeout (120 s); a small PNG that
declares 60,000 x 60,000 pixels asks it for gigabytes. ``check_image`` walks the file's
own structure in pure Python, without decoding pixels, and refuses:

- **truncated** data: a chunk, segment, strip or block that runs past the end, a PNG
  without its end chunk or with an unfinished compressed stream, a JPEG without its end
  marker;
- **corrupt** data: a PNG chunk whose checksum fails, a TIFF page list that loops, a
  structure that is not the format's;
- **empty** pictures: 0 pixels wide or high;
- **bombs**: more than ``MAX_PIXELS`` pixels (Pillow's own decompression-bomb limit), a
  PNG whose data inflates past what its size allows, more pages or frames than
  ``limits.max_pages``.

Other decoding errors are still the OCR engine's to report (``ocr_error`` in the
document's metadata).
"""

from __future__ import annotations

import struct
import zlib

from app.ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    TooLargeError,
    TruncatedFileError,
    ZipBombError,
)
from app.ingest.types import IngestLimits

#: Pillow's MAX_IMAGE_PIXELS (~ 9,459 x 9,459): a 600 dpi A3 scan (7,016 x 9,921) fits.
MAX_PIXELS = 89_478_485
#: Strips or tiles of one TIFF page: a real page has at most one per row of pixels.
_MAX_STRIPS = 100_000
_PNG = b"\x89PNG\r\n\x1a\n"


def check_image(data: bytes, name: str, limits: IngestLimits) -> None:
    """Raise an IngestError naming ``name`` unless ``data`` is a whole, sane image."""
    if data.startswith(_PNG):
        _png(data, name)
    elif data.startswith(b"\xff\xd8\xff"):
        _jpeg(data, name)
    elif data.startswith((b"II*\x00", b"MM\x00*")):
        _tiff(data, name, limits)
    elif data.startswith(b"GIF8"):
        _gif(data, name, limits)


def _size(width: int, height: int, name: str) -> None:
    if width <= 0 or height <= 0:
        raise EmptyFileError(name, f"the image is {width} x {height} pixels: it has no picture")
    if width * height > MAX_PIXELS:
        raise TooLargeError(
            name,
            f"the image declares {width} x {height} pixels, more than the limit of "
            f"{MAX_PIXELS:,} (a decompression bomb, or a scan far beyond 600 dpi)",
        )


def _short(name: str, what: str) -> TruncatedFileError:
    return TruncatedFileError(name, f"the image is cut short ({what})")


# -- PNG -----------------------------------------------------------------------------------


def _png(data: bytes, name: str) -> None:
    position, end = len(_PNG), len(data)
    width = height = 0
    inflate = zlib.decompressobj()
    inflated, bound = 0, 0
    seen_end = False
    while not seen_end:
        if position + 8 > end:
            raise _short(name, "it ends inside a chunk header, before the end chunk")
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body_at = position + 8
        if body_at + length + 4 > end:
            raise _short(name, f"its {kind.decode('latin-1')} chunk runs past the end")
        body = data[body_at : body_at + length]
        (crc,) = struct.unpack(">I", data[body_at + length : body_at + length + 4])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise CorruptFileError(name, f"its {kind.decode('latin-1')} chunk is damaged")
        if position == len(_PNG):
            if kind != b"IHDR" or length < 13:
                raise CorruptFileError(name, "it does not begin with a PNG header chunk")
            width, height = struct.unpack(">II", body[:8])
            _size(width, height, name)
            bound = height * (8 + width * 8) + 1024  # 64 bits a pixel at most, row filters
        elif kind == b"IDAT":
            inflated += _inflate(inflate, body, bound - inflated, name)
        seen_end = kind == b"IEND"
        position = body_at + length + 4
    if not inflate.eof:
        raise _short(name, "its compressed picture data is unfinished")


def _inflate(inflate: zlib._Decompress, body: bytes, room: int, name: str) -> int:
    """Inflate one IDAT chunk without keeping the output; refuse more than ``room``."""
    total = 0
    pending = body
    while pending and not inflate.eof:
        try:
            out = inflate.decompress(pending, 1 << 20)
        except zlib.error:
            raise CorruptFileError(name, "its compressed picture data is damaged") from None
        total += len(out)
        if total > room:
            raise ZipBombError(name, "its picture data inflates past the size it declares")
        pending = inflate.unconsumed_tail
    return total


# -- JPEG ----------------------------------------------------------------------------------

#: Start-of-frame markers (baseline, progressive, lossless...): not DHT, JPG, DAC.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes, name: str) -> None:
    position, end = 2, len(data)
    frame = False
    while True:
        if position >= end:
            raise _short(name, "it has no end-of-image marker")
        if data[position] != 0xFF:
            raise CorruptFileError(name, "its JPEG segments are damaged")
        while position < end and data[position] == 0xFF:
            position += 1  # fill bytes
        if position >= end:
            raise _short(name, "it has no end-of-image marker")
        marker = data[position]
        position += 1
        if marker == 0xD9:
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if position + 2 > end:
            raise _short(name, "it ends inside a segment")
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2 or position + length > end:
            raise _short(name, "a segment runs past the end")
        if marker in _SOF:
            if length < 8:
                raise CorruptFileError(name, "its frame header is damaged")
            height, width = struct.unpack(">HH", data[position + 3 : position + 7])
            _size(width, height, name)
            frame = True
        position += length
        if marker == 0xDA:  # entropy-coded data runs to the next real marker
            if not frame:
                raise CorruptFileError(name, "its picture data comes before its frame header")
            position = _after_scan(data, position, name)
    if not frame:
        raise CorruptFileError(name, "it holds no picture (no frame header)")


def _after_scan(data: bytes, position: int, name: str) -> int:
    end = len(data)
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= end:
            raise _short(name, "its picture data has no end-of-image marker")
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1 if following == 0xFF else 2
            continue
        return position


# -- TIFF ----------------------------------------------------------------------------------

_TYPE_SIZES = {1: 1, 3: 2, 4: 4, 16: 8}  # BYTE, SHORT, LONG, LONG8


def _tiff(data: bytes, name: str, limits: IngestLimits) -> None:
    order = "<" if data[:2] == b"II" else ">"
    end = len(data)
    if end < 8:
        raise _short(name, "it ends inside its header")
    (offset,) = struct.unpack(order + "I", data[4:8])
    seen: set[int] = set()
    while offset:
        if offset in seen:
            raise CorruptFileError(name, "its list of pages loops back on itself")
        seen.add(offset)
        if len(seen) > limits.max_pages:
            raise TooLargeError(name, f"it has more than {limits.max_pages} pages")
        if offset + 2 > end:
            raise _short(name, "a page directory lies past the end")
        (count,) = struct.unpack(order + "H", data[offset : offset + 2])
        next_at = offset + 2 + 12 * count
        if next_at + 4 > end:
            raise _short(name, "a page directory runs past the end")
        tags: dict[int, list[int]] = {}
        for index in range(count):
            at = offset + 2 + 12 * index
            tag, kind, number = struct.unpack(order + "HHI", data[at : at + 8])
            if tag in (256, 257, 273, 279, 324, 325):
                tags[tag] = _values(data, order, kind, number, at + 8, name)
        width, height = tags.get(256, [0])[0], tags.get(257, [0])[0]
        _size(width, height, name)
        for offsets_tag, counts_tag in ((273, 279), (324, 325)):
            starts, sizes = tags.get(offsets_tag, []), tags.get(counts_tag, [])
            for start, size in zip(starts, sizes, strict=False):
                if start + size > end:
                    raise _short(name, "a strip of picture data runs past the end")
        (offset,) = struct.unpack(order + "I", data[next_at : next_at + 4])


def _values(data: bytes, order: str, kind: int, number: int, field: int, name: str) -> list[int]:
    """The numbers of one directory entry, inline or at the offset it holds."""
    size = _TYPE_SIZES.get(kind)
    if size is None or number == 0:
        raise CorruptFileError(name, "a page directory entry is damaged")
    if number > _MAX_STRIPS:
        raise TooLargeError(name, f"a page has more than {_MAX_STRIPS:,} strips or tiles")
    total = size * number
    if total <= 4:
        at = field
    else:
        (at,) = struct.unpack(order + "I", data[field : field + 4])
    if at + total > len(data):
        raise _short(name, "a page directory entry points past the end")
    code = {1: "B", 2: "H", 4: "I", 8: "Q"}[size]
    return list(struct.unpack(f"{order}{number}{code}", data[at : at + total]))


# -- GIF -----------------------------------------------------------------------------------


def _gif(data: bytes, name: str, limits: IngestLimits) -> None:
    end = len(data)
    if end < 13:
        raise _short(name, "it ends inside its header")
    width, height = struct.unpack("<HH", data[6:10])
    _size(width, height, name)
    position = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    frames = 0
    while True:
        if position >= end and frames == 0:
            raise _short(name, "it ends before its first frame")
        if position >= end or data[position] == 0x3B:  # the trailer (some writers omit it)
            break
        block = data[position]
        if block == 0x21:  # extension: label, then sub-blocks
            position = _sub_blocks(data, position + 2, name)
        elif block == 0x2C:  # image: descriptor, local colours, LZW size, sub-blocks
            if position + 10 > end:
                raise _short(name, "a frame header runs past the end")
            flags = data[position + 9]
            position += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
            position = _sub_blocks(data, position, name)
            frames += 1
            if frames > limits.max_pages:
                raise TooLargeError(name, f"it has more than {limits.max_pages} frames")
        else:
            raise CorruptFileError(name, "its GIF blocks are damaged")
    if frames == 0:
        raise EmptyFileError(name, "the image holds no picture")


def _sub_blocks(data: bytes, position: int, name: str) -> int:
    while True:
        if position >= len(data):
            raise _short(name, "a block runs past the end")
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
