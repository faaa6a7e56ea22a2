"""Type detection by magic bytes, and refusals for built-in-memory bad inputs."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.ingest import (
    EmptyFileError,
    IngestError,
    IngestLimits,
    UnsupportedFormatError,
    WrongTypeError,
    ZipBombError,
    read_bytes,
)
from app.ingest.detect import decode_text, detect_kind
from app.ingest.errors import TruncatedFileError


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_that_is_not_a_docx_is_wrong_type() -> None:
    with pytest.raises(WrongTypeError, match="not a Word document"):
        detect_kind(_zip({"hello.txt": b"hi"}), "letter.docx")


def test_pdf_bytes_named_docx_are_wrong_type() -> None:
    with pytest.raises(WrongTypeError, match=r"letter\.docx"):
        read_bytes(b"%PDF-1.7\n%%EOF\n", "letter.docx", IngestLimits())


def test_small_bomb_is_caught_by_ratio_before_inflating() -> None:
    bomb = _zip({"word/document.xml": b"<" * (8 * 1024 * 1024), "[Content_Types].xml": b"x"})
    with pytest.raises(ZipBombError) as caught:
        read_bytes(bomb, "small-bomb.docx", IngestLimits())
    assert caught.value.reason == "zip bomb"


def test_uncompressed_cap_applies_to_docx() -> None:
    data = _zip({"word/document.xml": b"<w:document/>" + bytes(range(256)) * 8192})
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "big.docx", IngestLimits(max_uncompressed=1024 * 1024))
    assert caught.value.reason in {"too large", "zip bomb"}


def test_truncated_docx() -> None:
    data = _zip({"word/document.xml": b"<w:document/>" * 1000})
    with pytest.raises(TruncatedFileError):
        read_bytes(data[: len(data) // 2], "cut.docx", IngestLimits())


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", b"\x00\x00"])
def test_empty_inputs(data: bytes) -> None:
    with pytest.raises(EmptyFileError, match=r"note\.txt"):
        read_bytes(data, "note.txt", IngestLimits())


def test_binary_named_txt_is_refused() -> None:
    with pytest.raises(WrongTypeError):
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "notes.txt", IngestLimits())


def test_unknown_binary_is_unsupported_with_hint() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        read_bytes(b"\x01\x02\x03\x00\x04" * 50, "blob.xyz", IngestLimits())
    assert "blob.xyz" in caught.value.message and caught.value.hint


def test_decode_text_fallbacks() -> None:
    assert decode_text("Café €5".encode("cp1252")) == ("Café €5", "cp1252")
    assert decode_text("Café".encode())[0] == "Café"
    assert decode_text("Hi there".encode("utf-16-le"))[0] == "Hi there"
    assert decode_text("\ufeffHi".encode("utf-16"))[0].lstrip("\ufeff") == "Hi"


def test_same_bytes_same_identity() -> None:
    one = read_bytes(b"Clause 1. Payment within 30 days.", "a.txt", IngestLimits())
    two = read_bytes(b"Clause 1. Payment within 30 days.", "b.md", IngestLimits())
    assert one.sha256 == two.sha256 and one.kind == "text" and two.kind == "markdown"


def test_markdown_and_html_named_files() -> None:
    md = read_bytes(b"# Heads of terms\n\n1. Price: 10\n", "terms.md", IngestLimits())
    assert md.pages[0].text.startswith("# Heads of terms")
    page = read_bytes(
        b"<html><head><title>T</title><style>p{}</style><script>var x=1</script></head>"
        b"<body><p>Visible</p><div style='display:none'>Hidden</div></body></html>",
        "p.htm",
        IngestLimits(),
    )
    assert page.pages[0].text == "Visible" and page.title == "T"
