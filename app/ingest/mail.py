"""E-mail readers: ``.eml`` (standard library, ``policy.default``) and Outlook ``.msg``.

A message becomes one page (a short header block, then the body, plain text preferred
over HTML) and each attachment becomes a child document read by the same dispatcher,
so a contract attached to an e-mail is searchable and citable on its own pages while
staying linked to its message. Real mail is often malformed (bad charsets, broken
MIME headers, UTF-16 files); the reader degrades to the best text it can recover rather
than refusing. Encrypted mail is refused, because its body cannot be read.
"""

from __future__ import annotations

import email
import mimetypes
from collections.abc import Callable
from email import policy
from email.message import Message

from app.ingest.detect import decode_text, looks_utf16
from app.ingest.errors import EncryptedFileError
from app.ingest.htmltext import html_to_text
from app.ingest.text import normalise
from app.ingest.types import ExtractedDocument, PageText

# Reads an attachment's bytes as a child document (never raises: unreadable
# attachments come back flagged). Passed in by the dispatcher to avoid an import cycle.
ReadChild = Callable[[bytes, str], ExtractedDocument]
MailResult = tuple[list[PageText], dict[str, str], str, list[ExtractedDocument]]

_SIGNATURES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def read_eml(data: bytes, name: str, read_child: ReadChild) -> MailResult:
    if looks_utf16(data):
        # The parser wants bytes in an ASCII-compatible encoding; UTF-16 files are not.
        message = email.message_from_string(decode_text(data)[0], policy=policy.default)
    else:
        message = email.message_from_bytes(data, policy=policy.default)
    if _is_encrypted(message):
        raise EncryptedFileError(
            name,
            "the message is encrypted",
            "Decrypt it in your mail program, then export it again.",
        )
    bodies: list[str] = []
    attachments: list[tuple[bytes, str]] = []
    _walk(message, bodies, attachments)
    header = _header_block(message)
    body = normalise("\n\n".join(part for part in bodies if part.strip()))
    page = normalise(f"{header}\n\n{body}" if body else header)
    children = [read_child(payload, filename) for payload, filename in attachments]
    subject = _header(message, "Subject")
    metadata = {"page_basis": "single", "attachment_count": str(len(children))}
    return [PageText(1, page)], metadata, subject, children


def _is_encrypted(message: Message) -> bool:
    kind = message.get_content_type()
    if kind == "multipart/encrypted":
        return True
    if kind in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        return message.get_param("smime-type") != "signed-data"
    return False


def _header(message: Message, key: str) -> str:
    try:
        value = message.get(key)
    except Exception:  # a header policy.default cannot parse: fall back to raw text
        value = message.get_all(key, failobj=[""])[0] if hasattr(message, "get_all") else ""
    return " ".join(str(value or "").split())


def _header_block(message: Message) -> str:
    lines = [f"{key}: {value}" for key in _HEADERS if (value := _header(message, key))]
    return "\n".join(lines)


def _walk(part: Message, bodies: list[str], attachments: list[tuple[bytes, str]]) -> None:
    """Collect body texts and attachments, without descending into attached messages."""
    kind = part.get_content_type()
    if part.is_multipart() and kind != "message/rfc822":
        children = list(_subparts(part))
        if kind == "multipart/alternative" and children:
            chosen = _best_alternative(children)
            _walk(chosen, bodies, attachments)
            return
        for child in children:
            _walk(child, bodies, attachments)
        return
    if kind == "message/rfc822":
        inner = part.get_payload()
        payload = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(payload, Message):
            subject = _header(payload, "Subject") or "message"
            attachments.append((payload.as_bytes(policy=policy.default), f"{subject[:80]}.eml"))
        return
    if kind in _SIGNATURES:
        return
    filename = _filename(part)
    disposition = (part.get_content_disposition() or "").lower()
    if kind in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        bodies.append(_leaf_text(part))
        return
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes) and payload:
        attachments.append((payload, filename or _default_name(kind, len(attachments) + 1)))


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [item for item in payload if isinstance(item, Message)] if isinstance(payload, list) else []
    )


def _best_alternative(children: list[Message]) -> Message:
    for wanted in ("text/plain", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and _leaf_text(child).strip():
                return child
    return children[-1]


def _leaf_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    charset = None
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text, _ = decode_text(payload, charset)
    if part.get_content_type() == "text/html":
        return html_to_text(text)[0]
    return text


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return " ".join(str(name).split()) if name else ""


def _default_name(kind: str, index: int) -> str:
    return f"attachment-{index}{mimetypes.guess_extension(kind) or '.bin'}"


def read_msg(data: bytes, name: str, read_child: ReadChild) -> MailResult:
    """Outlook .msg through extract-msg; attachments as children like .eml."""
    import extract_msg

    from app.ingest.errors import CorruptFileError

    try:
        message = extract_msg.openMsg(data, strict=False)
    except Exception as exc:
        raise CorruptFileError(name, "the Outlook message is damaged and cannot be read") from exc
    try:
        attachments = list(getattr(message, "attachments", []) or [])
        class_type = str(getattr(message, "classType", "") or "")
        if "SMIME" in class_type.upper() or any(
            str(getattr(att, "mimetype", "") or "")
            in ("application/pgp-encrypted", "application/pkcs7-mime")
            for att in attachments
        ):
            raise EncryptedFileError(
                name, "the message is encrypted", "Decrypt it in Outlook, then export it again."
            )
        fields = [
            ("From", getattr(message, "sender", None)),
            ("To", getattr(message, "to", None)),
            ("Cc", getattr(message, "cc", None)),
            ("Date", getattr(message, "date", None)),
            ("Subject", getattr(message, "subject", None)),
        ]
        header = "\n".join(
            f"{key}: {' '.join(str(value).split())}" for key, value in fields if value
        )
        body = str(getattr(message, "body", "") or "")
        if not body.strip():
            html = getattr(message, "htmlBody", None)
            if isinstance(html, bytes):
                body = html_to_text(decode_text(html)[0])[0]
        children = []
        for index, attachment in enumerate(attachments, start=1):
            payload = getattr(attachment, "data", None)
            filename = str(
                getattr(attachment, "longFilename", "")
                or getattr(attachment, "shortFilename", "")
                or ""
            )
            export = getattr(payload, "exportBytes", None)  # an attached .msg message
            if isinstance(payload, bytes) and payload:
                children.append(read_child(payload, filename or f"attachment-{index}.bin"))
            elif callable(export):
                children.append(read_child(bytes(export()), filename or f"attachment-{index}.msg"))
        subject = " ".join(str(getattr(message, "subject", "") or "").split())
    finally:
        message.close()
    page = normalise(f"{header}\n\n{normalise(body)}")
    metadata = {"page_basis": "single", "attachment_count": str(len(children))}
    return [PageText(1, page)], metadata, subject, children
