"""Every fixture in data/files either imports with its real text or is refused with the
right reason, naming the file. Files run through the sandboxed worker, as in the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.errors import ChambersError
from app.ingest import Extractor, IngestError, IngestLimits, chunk_pages
from tests.shared_data import FILES as SHARED_FILES

FILES = SHARED_FILES

# path -> ("ok", phrase that must be in the text, extra flag or "") or ("refused", reason keyword)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "court/broken-mime.pdf": ("ok", "GIFT SURPLUS, LLC", ""),
    "court/ca2_1-1.pdf": ("ok", "Thurgood Marshall U.S. Courthouse", ""),
    "court/ca5_00516242060.pdf": ("ok", "Vanessa St. Pierre", ""),
    "court/ca8_.pdf": ("ok", "Clerk of Court", ""),
    "court/empty.pdf": ("refused", "empty", ""),
    "court/gov.uscourts.cand.203070.27.0.pdf": ("ok", "Case 4:08-cv-02214-SBA", "needs_ocr"),
    "court/image-pdf.pdf": ("ok", "", "needs_ocr"),
    "court/missouri.pdf": ("ok", "NICHOLE MARIE JAGELS", ""),
    "court/ocr_pdf_variation.pdf": ("ok", "Case: 21-1298 Document: 42", ""),
    "court/vector-pdf.pdf": ("ok", "TARRANT REGIONAL WATER DISTRICT", "needs_ocr"),
    "court/word-doc.doc": ("refused", "unsupported", ""),
    "court/word-docx.docx": ("ok", "Docket No. MD17-00012", ""),
    "court/word-perfect.wpd": ("refused", "unsupported", ""),
    "docx/contains-pictures.docx": ("ok", "An inline picture in the header.", ""),
    "docx/docx-hdrftr.docx": ("ok", "First header para", ""),
    "docx/docx-tables.docx": ("ok", "Header Col 1 | Header Col 2", ""),
    "docx/fake.docx": ("ok", "Lorem ipsum dolor sit amet.", ""),
    "docx/grid_offset_error.docx": ("ok", "A | Merged B1-B3", ""),
    "docx/handbook-872p.docx": ("ok", "Executive Office for United States Trustees", ""),
    "docx/page-breaks.docx": ("ok", "<<Text on second page.", ""),
    "edge/DA-619p.pdf": ("ok", "Table of Contents", ""),
    "edge/bomb.docx": ("refused", "zip bomb", ""),
    "edge/copy-protected.pdf": ("ok", "LayoutParser: A Unified Toolkit for Deep", ""),
    "edge/example-10k.html": ("ok", "SECURITIES AND EXCHANGE COMMISSION", ""),
    "edge/example-with-scripts.html": (
        "ok",
        "Belarusian forces remain unlikely to attack Ukraine",
        "",
    ),
    "edge/fake-doc.rtf": ("ok", "Row 2, Cell 1|Row 2, Cell 2", ""),
    "edge/fake-html-cp1252.html": ("ok", "Der Preis betrug 15,50 €.", ""),
    "edge/not-a-pdf.pdf": ("refused", "wrong type", ""),
    "edge/password.pdf": ("refused", "encrypted", ""),
    "edge/truncated.pdf": ("refused", "truncated", ""),
    "email/email-equals-attachment-filename.eml": (
        "ok",
        "From: Test User <testuser@example.com>",
        "has_attachments",
    ),
    "email/email-inline-content-disposition.eml": (
        "ok",
        "Subject: Testing Inline",
        "has_attachments",
    ),
    "email/email-no-html-content-1.eml": ("ok", "From: GitHub <email@domain.com>", ""),
    "email/email-no-utf8-2008-07-16.062410.eml": ("ok", "From: Tamir Erez", ""),
    "email/email-no-utf8-2014-03-17.111517.eml": (
        "ok",
        "From: no-reply@accounts.google.com",
        "has_attachments",
    ),
    "email/email-replace-mime-encodings-error-1.eml": ("ok", "From: Zoom <email@domain.com>", ""),
    "email/email-replace-mime-encodings-error-2.eml": (
        "ok",
        "From: Someone Real <email@domain.com>",
        "has_attachments",
    ),
    "email/email-replace-mime-encodings-error-3.eml": (
        "ok",
        "'Amazon Web Services' via Engineering",
        "",
    ),
    "email/email-replace-mime-encodings-error-4.eml": (
        "ok",
        "From: Someone K <email@domain.com>",
        "",
    ),
    "email/email-replace-mime-encodings-error-5.eml": (
        "ok",
        "From: Someone <email@domain.com>",
        "",
    ),
    "email/email-with-image.eml": ("ok", "From: Mallori Harrell", "has_attachments"),
    "email/empty.eml": ("refused", "empty", ""),
    "email/fake-email-attachment.eml": ("ok", "Here's the attachments!", "has_attachments"),
    "email/fake-email-attachment.msg": ("ok", "Here's the attachments!", "has_attachments"),
    "email/fake-email-b64.eml": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email-header.eml": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email-image-embedded.eml": ("ok", "From: Mallori Harrell", "has_attachments"),
    "email/fake-email-malformed-encoding.eml": ("ok", "Violets are blue", ""),
    "email/fake-email-utf-16-be.eml": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email-utf-16-le.eml": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email-utf-16.eml": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email-with-cc-and-bcc.msg": ("ok", "This is a test email. Please ignore.", ""),
    "email/fake-email.eml": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email.msg": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-email.txt": ("ok", "This is a test email to use for unit tests.", ""),
    "email/fake-encrypted.eml": ("refused", "encrypted", ""),
    "email/fake-encrypted.msg": ("refused", "encrypted", ""),
    "email/family-day.eml": ("ok", "From: Mallori Harrell", ""),
    "email/mime-different-plain-html.eml": ("ok", "From: sender@example.com", ""),
    "email/mime-html-only.eml": ("ok", "From: sender@example.com", ""),
    "email/mime-multi-to-cc-bcc.eml": (
        "ok",
        "To: Bob <bob@example.com>, Sue <sue@example.com>",
        "",
    ),
    "email/mime-multipart-digest.eml": (
        "ok",
        "Subject: Example Multipart Digest Email",
        "has_attachments",
    ),
    "email/mime-no-body.eml": ("ok", "Subject: Image Only Email", "has_attachments"),
    "email/mime-no-subject.eml": ("ok", "This is a simple email message without", ""),
    "email/mime-no-to.eml": ("ok", "Cc: Tom <tom@example.com>, Alice <alice@example.com>", ""),
    "email/mime-simple.eml": ("ok", "Subject: Example Multipart/Alternative", ""),
    "email/mime-word-encoded-subject.eml": ("ok", "Simple email with ☸☿ Unicode", ""),
    "email/rfc822-no-date.eml": ("ok", "Subject: Example Email Without Date Header", ""),
    "email/signed-doc.p7s": ("ok", "This is a test", ""),
    "email/simple-rfc-822.eml": ("ok", "From: sender@example.com", ""),
    "email/test-invalid-date.eml": ("ok", "This is a test-email with an invalid date format.", ""),
    "email/test-iso-8601-date.eml": ("ok", "Date: 2025-07-29T12:42:06.000Z", ""),
    "email/test-rfc2822-date.eml": ("ok", "Date: Tue, 29 Jul 2025 12:42:06 +0000", ""),
}


@pytest.fixture(scope="module")
def extractor() -> Iterator[Extractor]:
    # The three scans would cost most of this file's time in OCR; OCR through the same
    # sandboxed worker is tested on one of them in test_ocr_import.py.
    with Extractor(IngestLimits(ocr_enabled=False)) as shared:
        yield shared


def test_the_list_covers_every_fixture() -> None:
    on_disk = {str(p.relative_to(FILES)) for p in FILES.rglob("*") if p.is_file()}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_fixture_outcome(relative: str, extractor: Extractor) -> None:
    outcome, expected, flag = EXPECTED[relative]
    path = FILES / relative
    if outcome == "refused":
        with pytest.raises(IngestError) as caught:
            extractor.extract(path)
        error = caught.value
        assert isinstance(error, ChambersError)
        assert error.reason == expected, str(error)
        assert path.name in error.message
        assert error.hint, "every refusal carries a hint"
        return
    document = extractor.extract(path)
    assert expected in document.text
    assert document.content == path.read_bytes()
    assert document.size == path.stat().st_size
    if flag:
        assert flag in document.flags
    else:
        assert not document.flags & {"needs_ocr", "has_attachments"}
    assert [page.number for page in document.pages] == list(range(1, len(document.pages) + 1))
    for chunk in chunk_pages(document.pages, max_tokens=256):
        assert chunk.text == document.pages[chunk.page - 1].text[chunk.start : chunk.end]
    if relative.endswith(".html"):
        assert (
            "jQuery" not in document.text and "<div" not in document.text
        )  # scripts, markup dropped
    if expected:
        owning = [page.number for page in document.pages if expected in page.text]
        assert owning, "the phrase is found on a page, not only across a page join"
