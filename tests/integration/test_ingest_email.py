"""E-mail: attachments become linked child documents; odd encodings still import."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.ingest import Extractor, chunk_pages
from tests.shared_data import FILES

MAIL = FILES / "email"


@pytest.fixture(scope="module")
def extractor() -> Iterator[Extractor]:
    with Extractor() as shared:
        yield shared


@pytest.mark.parametrize("name", ["fake-email-attachment.eml", "fake-email-attachment.msg"])
def test_attachment_is_a_child_document(name: str, extractor: Extractor) -> None:
    message = extractor.extract(MAIL / name)
    assert "Subject: Fake email with attachment" in message.text
    assert [child.name for child in message.children] == ["fake-attachment.txt"]
    child = message.children[0]
    assert child.kind == "text" and child.pages[0].text.strip()
    assert child.sha256 != message.sha256 and len(child.content) == child.size


def test_digest_parts_are_child_messages(extractor: Extractor) -> None:
    digest = extractor.extract(MAIL / "mime-multipart-digest.eml")
    texts = [child.text for child in digest.children]
    assert [child.kind for child in digest.children] == ["eml", "eml", "eml"]
    assert "This is the second message in the digest." in texts[1]


def test_a_broken_image_attachment_is_kept_flagged_with_its_reason(extractor: Extractor) -> None:
    # The fixture's JPEG stops before its end-of-image marker (478 bytes for 200 x 200):
    # the message imports, the picture is listed, flagged unreadable, with the reason.
    message = extractor.extract(MAIL / "mime-no-body.eml")
    (image,) = message.children
    assert image.name == "image.jpg" and image.pages == ()
    assert "unreadable" in image.flags and image.metadata.get("refused")


@pytest.mark.parametrize(
    "name", ["fake-email-utf-16.eml", "fake-email-utf-16-be.eml", "fake-email-utf-16-le.eml"]
)
def test_utf16_messages(name: str, extractor: Extractor) -> None:
    message = extractor.extract(MAIL / name)
    assert "Subject: Test Email" in message.text
    assert "Violets are blue" in message.text
    assert "\x00" not in message.text


def test_broken_mime_headers_still_give_the_body(extractor: Extractor) -> None:
    message = extractor.extract(MAIL / "fake-email-malformed-encoding.eml")
    body = message.pages[0].text
    assert "Roses are red" in body and "<div" not in body
    assert body.count("This is a test email to use for unit tests.") == 1  # plain chosen over HTML


def test_html_only_mail_has_no_markup(extractor: Extractor) -> None:
    message = extractor.extract(MAIL / "mime-html-only.eml")
    assert "<" not in message.pages[0].text.split("\n\n", 1)[1]


def test_message_chunks_cite_page_one(extractor: Extractor) -> None:
    message = extractor.extract(MAIL / "fake-email.msg")
    chunks = chunk_pages(message.pages, max_tokens=20)
    assert len(chunks) > 1 and {c.page for c in chunks} == {1}
    assert all(message.pages[0].text[c.start : c.end] == c.text for c in chunks)
