"""Refusals raised by ingestion.

Every refusal names the file and the reason in plain words, and carries a hint, because
the lawyer who drops 300 files into a matter needs to know which ones did not go in and
what to do about each. ``reason`` is a short stable keyword (``"encrypted"``,
``"truncated"``...) so callers and tests can branch on it without parsing prose; it
never contains document content, so it is safe to write to the audit log.
"""

from __future__ import annotations

from app.errors import ChambersError


class IngestError(ChambersError):
    """A file that could not be imported; ``reason`` is a stable keyword."""

    reason = "unreadable"
    default_hint = "Open the file in its own program, save a fresh copy, and import that."

    def __init__(self, name: str, detail: str, hint: str | None = None) -> None:
        super().__init__(f"Cannot import {name}: {detail}", hint)
        self.name = name
        self.detail = detail

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions pickle through ``args`` by default, which would drop name and hint
        # on the way back from the worker process.
        return (_rebuild, (type(self).__name__, self.name, self.detail, self.hint))


class EmptyFileError(IngestError):
    reason = "empty"
    default_hint = "The file has no content. Check that it was copied completely."


class TruncatedFileError(IngestError):
    reason = "truncated"
    default_hint = (
        "The file was cut short (an interrupted download or copy). Copy it again from its source."
    )


class CorruptFileError(IngestError):
    reason = "corrupt"
    default_hint = "Open the file in its own program, save a fresh copy, and import that."


class WrongTypeError(IngestError):
    reason = "wrong type"
    default_hint = (
        "Rename the file with the extension that matches its real type, or export it again."
    )


class UnsupportedFormatError(IngestError):
    reason = "unsupported"
    default_hint = "Save it as DOCX or PDF in the program that created it, then import that copy."


class EncryptedFileError(IngestError):
    reason = "encrypted"
    default_hint = (
        "Remove the password or decrypt it in its own program, save a copy, and import that."
    )


class TooLargeError(IngestError):
    reason = "too large"
    default_hint = "Split the file into smaller parts, or ask IT to raise the import limits."


class ZipBombError(IngestError):
    reason = "zip bomb"
    default_hint = (
        "The file would expand to far more data than a real document holds. Do not open it; "
        "ask the sender for a genuine copy."
    )


class ParserTimeoutError(IngestError):
    reason = "timeout"
    default_hint = "The file took too long to read. Save a fresh copy as PDF and import that."


class ParserCrashError(IngestError):
    reason = "parser crashed"
    default_hint = (
        "The reader stopped unexpectedly on this file. Save a fresh copy as PDF and import that."
    )


class ParserMemoryError(IngestError):
    reason = "out of memory"
    default_hint = (
        "The file needs more memory than allowed. Split it, or ask IT to raise the import limits."
    )


_CLASSES: dict[str, type[IngestError]] = {
    cls.__name__: cls
    for cls in (
        IngestError,
        EmptyFileError,
        TruncatedFileError,
        CorruptFileError,
        WrongTypeError,
        UnsupportedFormatError,
        EncryptedFileError,
        TooLargeError,
        ZipBombError,
        ParserTimeoutError,
        ParserCrashError,
        ParserMemoryError,
    )
}


def _rebuild(cls_name: str, name: str, detail: str, hint: str) -> IngestError:
    return _CLASSES.get(cls_name, IngestError)(name, detail, hint)
