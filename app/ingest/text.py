"""Plain text, Markdown and RTF readers, and the one text normaliser every reader uses.

All readers pass their output through ``normalise`` so that page texts look alike
whatever the source (LF line ends, no control characters, no trailing blanks): chunk
offsets are offsets into exactly this normalised text, which is what the vault stores.
"""

from __future__ import annotations

import re

from app.ingest.detect import decode_text
from app.ingest.types import PageText

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff\ufffe]")
_TRAILING = re.compile(r"[ \t\u00a0]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """LF line ends, control characters dropped, trailing blanks and blank runs trimmed.

    PDFium marks a hyphen it inserted at a line break with U+0002; it becomes a plain
    hyphen so the word is still found by search. Form feeds become paragraph breaks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    text = text.replace("\x02", "-")
    text = _CONTROL.sub("", text)
    text = _TRAILING.sub("\n", text + "\n")
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def read_text(data: bytes) -> tuple[list[PageText], dict[str, str]]:
    """A text file is one page; the charset that decoded it goes in metadata."""
    text, encoding = decode_text(data)
    return [PageText(1, normalise(text))], {"charset": encoding, "page_basis": "single"}


def read_rtf(data: bytes, name: str) -> tuple[list[PageText], dict[str, str]]:
    """RTF via striprtf; RTF is 7-bit with escapes, so latin-1 decoding loses nothing."""
    from striprtf.striprtf import rtf_to_text

    from app.ingest.errors import CorruptFileError

    try:
        text = rtf_to_text(data.decode("latin-1"), errors="replace")  # type: ignore[no-untyped-call]
    except Exception as exc:
        raise CorruptFileError(name, "the RTF document is damaged and cannot be read") from exc
    # striprtf ends table cells with "|"; keep them as column separators.
    return [PageText(1, normalise(str(text)))], {"page_basis": "single"}
