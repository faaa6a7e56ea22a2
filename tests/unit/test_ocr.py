"""OCR core: tesseract's TSV into page text + word spans, quotes into boxes, settings.

One real recognition (a CUAD page rendered at 300 dpi) checks the word boxes against
the page's own text layer: a quote outlined from OCR boxes must sit where PDFium
finds the same words.
"""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.ingest import ocr
from app.ingest.ocr import ocr_pdf_page, ocr_pdf_pages, parse_tsv, with_layer
from app.ingest.ocr_boxes import ocr_record, quote_rects, span_rects
from app.ingest.types import IngestLimits, OcrWord, PageText
from tests.shared_data import CUAD

HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)


def row(
    block: int,
    par: int,
    line: int,
    word: int,
    box: tuple[int, int, int, int],
    conf: float,
    text: str,
) -> str:
    left, top, width, height = box
    return f"5\t1\t{block}\t{par}\t{line}\t{word}\t{left}\t{top}\t{width}\t{height}\t{conf}\t{text}"


TSV = "\n".join(
    [
        HEADER,
        "1\t1\t0\t0\t0\t0\t0\t0\t2550\t3300\t-1\t",
        "2\t1\t1\t0\t0\t0\t100\t100\t800\t100\t-1\t",
        row(1, 1, 1, 1, (100, 100, 200, 40), 96.5, "The"),
        row(1, 1, 1, 2, (320, 100, 300, 40), 91.0, "Licensee"),
        row(1, 1, 2, 1, (100, 160, 250, 40), 88.0, "shall"),
        row(1, 1, 2, 2, (380, 160, 10, 40), 95.0, " "),  # empty word: skipped
        row(1, 2, 1, 1, (100, 260, 150, 40), 50.0, "pay\x07"),  # a control character
        row(2, 1, 1, 1, (100, 400, 200, 40), 99.0, "Fees."),
    ]
)


def test_tsv_becomes_page_text_with_word_spans() -> None:
    found = parse_tsv(TSV)
    assert found.text == "The Licensee\nshall\n\npay\n\nFees."
    assert (found.width, found.height) == (2550, 3300)
    assert [w.text for w in found.words] == ["The", "Licensee", "shall", "pay", "Fees."]
    for word in found.words:
        assert found.text[word.start : word.end] == word.text
    licensee = found.words[1]
    assert (licensee.left, licensee.top, licensee.right, licensee.bottom) == (320, 100, 620, 140)
    # Mean confidence weighted by word length, on a 0..1 scale.
    chars = [3, 8, 5, 3, 5]
    confs = [0.965, 0.91, 0.88, 0.5, 0.99]
    expected = sum(c * w for c, w in zip(confs, chars, strict=True)) / sum(chars)
    assert found.confidence == pytest.approx(expected)


def test_empty_tsv_gives_no_text_and_zero_confidence() -> None:
    found = parse_tsv(HEADER + "\n1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n")
    assert (found.text, found.words, found.confidence) == ("", (), 0.0)


def test_span_rects_merges_a_line_and_splits_at_line_breaks() -> None:
    found = parse_tsv(TSV)
    start = found.text.index("Licensee")
    end = found.text.index("pay") + 3
    rects = span_rects(found.words, start, end, scale=0.5)
    assert rects == [
        (160.0, 50.0, 310.0, 70.0),
        (50.0, 80.0, 175.0, 100.0),
        (50.0, 130.0, 125.0, 150.0),
    ]
    assert span_rects(found.words, 0, 0) == []


def test_span_rects_starts_a_new_box_when_a_line_wraps_back_left() -> None:
    words = [
        OcrWord("end", 0, 3, 500, 100, 560, 120, 0.9),
        OcrWord("start", 4, 9, 100, 105, 160, 118, 0.9),  # overlaps vertically, but left of it
    ]
    assert len(span_rects(words, 0, 9)) == 2


def test_layer_text_is_kept_only_when_ocr_misread_it() -> None:
    assert with_layer("Case 4:08-cv-1 Document 2\nbody", "Case 4:08-cv-1 Document 2") == (
        "Case 4:08-cv-1 Document 2\nbody"
    )
    assert with_layer("Caséat08 body", "Case 4:08-cv-1") == "Caséat08 body\n\nCase 4:08-cv-1"
    assert with_layer("body", "  ") == "body"


def test_stored_record_round_trips_through_json_and_maps_a_quote() -> None:
    found = parse_tsv(TSV)
    page = ocr.page_ocr(found, 72 / 300, "eng")
    record = ocr_record(page)
    assert json.loads(json.dumps([list(w) for w in record.words]))[1][0] == "Licensee"
    assert record.width == pytest.approx(612.0) and record.height == pytest.approx(792.0)
    start = found.text.index("The Licensee\nshall")
    span = (start, start + len("The Licensee\nshall"))
    rects = quote_rects(record, span, image_width=1224)  # rendered at 2x the page's points
    assert len(rects) == 2
    left, top, right, bottom = rects[0]
    assert (left, top) == pytest.approx((100 * 72 / 300 * 2, 100 * 72 / 300 * 2))
    assert (right, bottom) == pytest.approx((620 * 72 / 300 * 2, 140 * 72 / 300 * 2))
    assert quote_rects(record, None, 1224) == []


def test_bad_languages_are_refused_before_running_anything() -> None:
    with pytest.raises(ocr.OcrFailedError, match="not valid"):
        ocr.recognise(b"", "scan.pdf", languages="eng; rm -rf /")


def scanned_page() -> list[PageText]:
    return [PageText(1, "", needs_ocr=True)]


def test_missing_engine_leaves_the_scan_flagged_not_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ocr, "find_tesseract", lambda: None)
    document = pdfium.PdfDocument(CUAD / "pdf" / "cuad-dev-000.pdf")
    metadata: dict[str, str] = {}
    try:
        pages = ocr_pdf_pages(document, scanned_page(), "scan.pdf", IngestLimits(), metadata)
    finally:
        document.close()
    assert pages == scanned_page()
    assert metadata["ocr"] == "unavailable" and "not installed" in metadata["ocr_error"]


def test_missing_language_data_is_reported_as_failed() -> None:
    document = pdfium.PdfDocument(CUAD / "pdf" / "cuad-dev-000.pdf")
    metadata: dict[str, str] = {}
    try:
        limits = IngestLimits(ocr_languages="zzz", ocr_dpi=72)
        pages = ocr_pdf_pages(document, scanned_page(), "scan.pdf", limits, metadata)
    finally:
        document.close()
    assert pages[0].ocr is None and metadata["ocr"] == "failed"


def test_ocr_boxes_sit_where_the_text_layer_puts_the_same_words() -> None:
    document = pdfium.PdfDocument(CUAD / "pdf" / "cuad-dev-000.pdf")
    try:
        page = document[0]
        text, result = ocr_pdf_page(page, "cuad-dev-000.pdf", languages="eng", dpi=300)
        textpage = page.get_textpage()
        layer = " ".join(textpage.get_text_range().split())
        # A line of the cover page, as its text layer has it, must be read exactly.
        phrase = "2525 Northwest Expressway, #105"
        assert phrase in layer
        start = text.index(phrase)
        (box,) = span_rects(result.words, start, start + len(phrase))
        searcher = textpage.search(phrase, match_case=True)
        index, count = searcher.get_next()
        searcher.close()
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects(index, count))]
        textpage.close()
        width, height = page.get_size()
        page.close()
    finally:
        document.close()
    assert result.confidence > 0.85
    assert (result.width, result.height) == pytest.approx((width, height), abs=1)
    left = min(r[0] for r in rects)
    right = max(r[2] for r in rects)
    top = height - max(r[3] for r in rects)
    bottom = height - min(r[1] for r in rects)
    # Same place within a few points (glyph boxes vs. ink boxes differ a little).
    assert box == pytest.approx((left, top, right, bottom), abs=4)


def test_settings_and_policy_decide_the_import_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import ingest_limits
    from app.paths import settings_path

    monkeypatch.delenv("CHAMBERS_POLICY", raising=False)
    assert (ingest_limits().ocr_enabled, ingest_limits().ocr_languages) == (True, "eng")
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"ocr_languages": "eng+deu"}), encoding="utf-8")
    assert ingest_limits().ocr_languages == "eng+deu"
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"ocr": {"enabled": False, "languages": "fra"}}))
    monkeypatch.setenv("CHAMBERS_POLICY", str(policy))
    limits = ingest_limits()
    assert (limits.ocr_enabled, limits.ocr_languages) == (False, "fra")
    policy.write_text(json.dumps({"ocr": {"languages": "eng; rm"}}))
    from app.policy import PolicyError

    with pytest.raises(PolicyError):
        ingest_limits()
