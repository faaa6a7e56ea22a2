"""Decide what a file really is from its bytes, not its name.

A file named ``.pdf`` that holds plain text, or a Word 97 file renamed ``.docx``, must be
refused with the real reason rather than handed to a parser that fails obscurely. The
extension says what the user expects; the magic bytes say what we have; a mismatch is a
``WrongTypeError`` and a known-but-unsupported format gets a hint on how to convert it.
"""

from __future__ import annotations

import io
import re
import zipfile

from app.ingest.errors import (
    EmptyFileError,
    EncryptedFileError,
    UnsupportedFormatError,
    WrongTypeError,
)

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"
WPD_MAGIC = b"\xffWPC"
IMAGE_MAGICS: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
}

MIME_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook",
    "html": "text/html",
    "rtf": "application/rtf",
    "text": "text/plain",
    "markdown": "text/markdown",
    "image": "application/octet-stream",
}

_EXTENSION_KIND: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".eml": "eml",
    ".msg": "msg",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rtf": "rtf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}

_UNSUPPORTED: dict[str, str] = {
    ".doc": "it is an old Word 97-2003 document (.doc), which Chambers cannot read",
    ".wpd": "it is a WordPerfect document, which Chambers cannot read",
    ".xls": "spreadsheets are not supported yet",
    ".xlsx": "spreadsheets are not supported yet",
    ".pptx": "presentations are not supported yet",
    ".ppt": "presentations are not supported yet",
}

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]?\S", re.MULTILINE)
_MAIL_HEADERS = re.compile(
    rb"^(from|to|subject|date|mime-version|content-type|received|message-id|return-path):",
    re.IGNORECASE | re.MULTILINE,
)


def sniff(head: bytes) -> str | None:
    """The format the leading bytes prove, or None when they prove nothing."""
    stripped = head.lstrip(b"\r\n\t ")
    # PDF readers accept the header anywhere in the first KiB (real files start with
    # junk such as a stray %%EOF or CRLF), so do we.
    if PDF_MAGIC in head[:1024]:
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if stripped.startswith(RTF_MAGIC):
        return "rtf"
    if head.startswith(WPD_MAGIC):
        return "wpd"
    for magic in IMAGE_MAGICS:
        if head.startswith(magic):
            return "image"
    return None


def looks_binary(head: bytes) -> bool:
    """True for bytes that are not text in any encoding we decode (NULs outside UTF-16)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        return False
    return b"\x00" in head[:8192]


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def looks_utf16(data: bytes) -> bool:
    """UTF-16 with or without a byte-order mark (some mail exports write it bare)."""
    return data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data) is not None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode text bytes: BOM first, then a declared charset, then UTF-8, then cp1252.

    cp1252 is the last resort because it maps every byte, so it never fails, and it is
    what legacy Windows files without a declaration almost always are.
    """
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding.replace("-sig", "")
    guessed = _utf16_without_bom(data)
    if guessed:
        return data.decode(guessed, errors="replace"), guessed
    candidates = [declared] if declared else []
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1"), "latin-1"


def looks_like_email(head: bytes) -> bool:
    """RFC 822 shape: the first lines are headers and some of them are mail headers."""
    text = head[:4096]
    guessed = _utf16_without_bom(text)
    if text.startswith((b"\xff\xfe", b"\xfe\xff")) or guessed:
        text = decode_text(text)[0].encode("utf-8", "replace")
    first_block = re.split(rb"\r?\n\r?\n", text.lstrip(), maxsplit=1)[0]
    lines = [line for line in first_block.splitlines() if line and not line[:1].isspace()]
    if not lines or (not _HEADER_LINE.match(lines[0]) and not lines[0].startswith(b"From ")):
        return False
    return len(_MAIL_HEADERS.findall(first_block)) >= 2


def _docx_or_wrong(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return "docx"  # the DOCX reader reports truncation/corruption precisely
    if "word/document.xml" in names:
        return "docx"
    raise WrongTypeError(
        name, "it is a ZIP archive, not a Word document (no word/document.xml inside)"
    )


def _ole_refusal(data: bytes, name: str, expected: str) -> None:
    """OLE containers are Word 97, Outlook .msg, or an encrypted (password) DOCX."""
    import olefile  # type: ignore[import-untyped]

    try:
        ole = olefile.OleFileIO(data)
        streams = {"/".join(entry) for entry in ole.listdir()}
        ole.close()
    except Exception:  # a damaged container: say what it is not
        streams = set()
    if "EncryptedPackage" in streams:
        raise EncryptedFileError(name, "the Word document is protected with a password")
    if "WordDocument" in streams:
        raise UnsupportedFormatError(
            name, "it is an old Word 97-2003 document (.doc), which Chambers cannot read"
        )
    raise WrongTypeError(name, f"it is an Office container file, not {expected}")


def detect_kind(data: bytes, name: str) -> str:
    """The reader to use for ``data`` named ``name``, or a refusal saying why not."""
    if not data.strip(b" \t\r\n\x00"):
        raise EmptyFileError(name, "the file is empty")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = _EXTENSION_KIND.get(suffix)
    magic = sniff(data[:2048])

    if magic == "wpd":
        raise UnsupportedFormatError(
            name, "it is a WordPerfect document, which Chambers cannot read"
        )
    if suffix in _UNSUPPORTED and magic != "rtf":
        if magic == "ole" and suffix == ".doc":
            _ole_refusal(data, name, "a Word document")
        raise UnsupportedFormatError(name, _UNSUPPORTED[suffix])

    if expected == "pdf":
        if magic != "pdf":
            what = (
                "plain text" if not looks_binary(data[:8192]) else f"a {magic or 'different'} file"
            )
            raise WrongTypeError(name, f"it is not a PDF (no PDF header; it looks like {what})")
        return "pdf"
    if expected == "docx":
        if magic == "ole":
            _ole_refusal(data, name, "a DOCX document")
        if magic != "zip":
            raise WrongTypeError(name, "it is not a Word DOCX document (no ZIP container)")
        return _docx_or_wrong(data, name)
    if expected == "msg":
        if magic != "ole":
            raise WrongTypeError(name, "it is not an Outlook .msg message")
        return "msg"
    if expected == "rtf":
        if magic != "rtf":
            raise WrongTypeError(name, "it is not an RTF document (no {\\rtf header)")
        return "rtf"
    if expected in ("eml", "html", "text", "markdown"):
        if magic is not None or looks_binary(data[:8192]):
            raise WrongTypeError(name, f"it is a {magic or 'binary'} file, not text")
        return expected

    # Unknown or missing extension: trust the bytes when they are unambiguous.
    if magic == "pdf":
        return "pdf"
    if magic == "zip":
        return _docx_or_wrong(data, name)
    if magic == "rtf":
        return "rtf"
    if magic == "image":
        return "image"
    if magic is None and not looks_binary(data[:8192]):
        if looks_like_email(data):
            return "eml"
        head = data[:2048].lstrip().lower()
        if (
            head.startswith((b"<!doctype html", b"<html", b"<?xml"))
            and b"<html" in data[:8192].lower()
        ):
            return "html"
        return "text"
    raise UnsupportedFormatError(name, "its file type is not one Chambers can read")


def image_mime(data: bytes) -> str:
    for magic, mime in IMAGE_MAGICS.items():
        if data.startswith(magic):
            return mime
    return "application/octet-stream"
