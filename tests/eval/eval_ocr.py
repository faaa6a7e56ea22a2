"""OCR quality: character error rate of Tesseract against real text layers, at 200 and 300 dpi.

Pages of the dev CUAD contracts and of the court opinions that *have* a text layer are
rendered to images (pypdfium2) and recognised exactly as a scanned page is on import
(app/ingest/ocr.py). The text layer is the ground truth, compared two ways:

- Plain CER: edit distance between the two whole-page texts, whitespace collapsed,
  divided by the layer's length, pooled over pages. It also charges OCR for *reading
  order*: layers put ECF stamps, letterheads, right-hand columns and footnotes wherever
  the producing program wrote them, while OCR reads top to bottom; one moved stamp
  costs a whole line twice. Kept as a diagnostic and for comparison with earlier runs.
- Layout-aware CER (tests/eval/ocr_layout.py): each OCR line against the layer's
  characters inside that line's box on the page, in x order; layer characters under no
  OCR line count as deletions, OCR lines over no layer text as insertions (except over
  a picture, where the layer cannot judge them: counted apart). Both sides are NFKC
  normalised (a layer's U+037E for ";" or "…" for "..." is the same print).

**The target (<= 2 % at 300 dpi, the import default) is judged on the layout-aware CER
with small capitals compared as printed**: it measures misread characters, which is
what makes a scan unsearchable, and not the order in which two programs list a page's
blocks, which search and quotes (found within a page's text) do not depend on. Small
capitals: a court's small-caps font (ca5's "EquityCapsA") draws the layer's lower case
"Vanessa St. Pierre" as capitals, which OCR rightly reads as "VANESSA ST. PIERRE"; a
glyph whose font name marks small caps is compared upper-cased. Beside it: the same
with the layer's case as stored, and ignoring case altogether.

Also the share of reference words OCR did not produce in any order. Pages flagged as
scans (no layer to compare with) and near-empty pages are left out. Two pages per
document (the first and the middle one); ``EVAL_LIMIT=N`` takes the first N CUAD
documents. Per-page results go to bench-results/eval-pages-ocr-<stamp>.json.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from app.ingest.ocr import ocr_pdf_page
from app.ingest.text import normalise
from tests.eval import eval_limit
from tests.eval.ocr_layout import layer_glyphs, ocr_lines, picture_boxes, score
from tests.group_runner import RESULTS
from tests.shared_data import CUAD, FILES

DPIS = (200, 300)
TARGET = 0.02
MIN_CHARS = 200
#: Court opinions with a real text layer (the scans among them are skipped page by page).
COURT = (
    "ca2_1-1.pdf",
    "ca5_00516242060.pdf",
    "ca8_.pdf",
    "missouri.pdf",
    "broken-mime.pdf",
    "vector-pdf.pdf",
)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel (Myers 1999 / Hyyrö): one pass over ``b``.

    A page is a few thousand characters; the textbook table would be millions of
    Python steps per page, this is a few thousand big-integer operations.
    """
    if not a:
        return len(b)
    if not b:
        return len(a)
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << len(a)) - 1
    high = 1 << (len(a) - 1)
    pv, mv, score = full, 0, len(a)
    for char in b:
        eq = masks.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return score


def missed_words(reference: str, recognised: str) -> int:
    """Reference words (case-folded) that OCR did not produce, in any order.

    Separates reading errors from reading *order*: a court's ECF stamp sits at the end
    of some text layers and at the top of the image, which costs CER but no words.
    """
    want = Counter(reference.casefold().split())
    have = Counter(recognised.casefold().split())
    return sum((want - have).values())


def flat(text: str) -> str:
    return " ".join(normalise(text).split())


def sample_pages(paths: list[Path]) -> list[tuple[Path, int]]:
    """(file, 0-based page) pairs: the first and the middle page of each file."""
    chosen: list[tuple[Path, int]] = []
    for path in paths:
        document = pdfium.PdfDocument(path)
        try:
            count = len(document)
        finally:
            document.close()
        chosen += [(path, index) for index in sorted({0, count // 2})]
    return chosen


def measure(path: Path, index: int) -> dict[str, Any] | None:
    """CER and seconds at each dpi for one page, or None when it has no usable layer."""
    document = pdfium.PdfDocument(path)
    try:
        page = document[index]
        textpage = page.get_textpage()
        reference = flat(textpage.get_text_range())
        textpage.close()
        if len(reference) < MIN_CHARS:
            page.close()
            return None
        row: dict[str, Any] = {"file": path.name, "page": index + 1, "chars": len(reference)}
        row["words"] = len(reference.split())
        glyphs, pictures = layer_glyphs(page), picture_boxes(page)
        for dpi in DPIS:
            start = time.perf_counter()
            text, result = ocr_pdf_page(page, path.name, languages="eng", dpi=dpi)
            row[f"s_{dpi}"] = time.perf_counter() - start
            layout, _ = score(glyphs, ocr_lines(text, result.words), pictures)
            row |= {f"layout_{key}_{dpi}": value for key, value in vars(layout).items()}
            row[f"errors_{dpi}"] = edit_distance(reference, flat(text))
            row[f"folded_{dpi}"] = edit_distance(reference.casefold(), flat(text).casefold())
            row[f"missed_words_{dpi}"] = missed_words(reference, flat(text))
            row[f"confidence_{dpi}"] = result.confidence
        page.close()
        return row
    finally:
        document.close()


def figures(rows: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    chars = sum(r["chars"] for r in rows)
    out: list[dict[str, Any]] = [
        {"name": f"{label}: pages compared", "value": len(rows), "unit": "pages"}
    ]
    for dpi in DPIS:
        out += layout_figures(rows, label, dpi)
        cer = sum(r[f"errors_{dpi}"] for r in rows) / chars if chars else None
        seconds = sum(r[f"s_{dpi}"] for r in rows)
        figure = {"name": f"{label}: plain CER at {dpi} dpi", "value": cer, "unit": "errors/char"}
        worst = max((r[f"errors_{dpi}"] / r["chars"] for r in rows), default=None)
        folded = sum(r[f"folded_{dpi}"] for r in rows) / chars if chars else None
        words = sum(r["words"] for r in rows)
        missed = sum(r[f"missed_words_{dpi}"] for r in rows) / words if words else None
        out += [
            figure,
            {"name": f"{label}: plain CER ignoring case at {dpi} dpi", "value": folded, "unit": "errors/char"},
            {"name": f"{label}: words missed (any order) at {dpi} dpi", "value": missed, "unit": "of words"},
            {"name": f"{label}: worst page CER at {dpi} dpi", "value": worst, "unit": "errors/char"},
            {"name": f"{label}: OCR speed at {dpi} dpi", "value": len(rows) / seconds if seconds else None, "unit": "pages/s"},
            {"name": f"{label}: mean confidence at {dpi} dpi", "value": sum(r[f"confidence_{dpi}"] for r in rows) / len(rows) if rows else None, "unit": "0..1"},
        ]  # fmt: skip
    return out


def layout_figures(rows: list[dict[str, Any]], label: str, dpi: int) -> list[dict[str, Any]]:
    """The layout-aware CER (the target's figure) and what it counted, at ``dpi``."""

    def total(key: str) -> int:
        return sum(int(r[f"layout_{key}_{dpi}"]) for r in rows)

    chars = total("chars")

    def share(key: str) -> float | None:
        return total(key) / chars if chars else None

    cer = share("errors")
    return [
        {"name": f"{label}: layout-aware CER at {dpi} dpi", "value": cer, "unit": "errors/char"}
        | ({"target": f"<= {TARGET}", "ok": cer is not None and cer <= TARGET} if dpi == 300 else {}),
        {"name": f"{label}: layout-aware CER, layer case as stored, {dpi} dpi", "value": share("stored"), "unit": "errors/char"},
        {"name": f"{label}: layout-aware CER ignoring case at {dpi} dpi", "value": share("folded"), "unit": "errors/char"},
        {"name": f"{label}: layer chars under no OCR line at {dpi} dpi", "value": share("deleted"), "unit": "of chars"},
        {"name": f"{label}: OCR chars over no layer text at {dpi} dpi", "value": share("inserted"), "unit": "of chars"},
        {"name": f"{label}: OCR chars over pictures (not judged) at {dpi} dpi", "value": total("unjudged"), "unit": "chars"},
    ]  # fmt: skip


def run() -> list[dict[str, Any]]:
    limit = eval_limit()
    cuad = sorted((CUAD / "pdf").glob("*.pdf"))[:limit]
    court = [FILES / "court" / name for name in COURT]
    results: dict[str, list[dict[str, Any]]] = {}
    for label, paths in (("CUAD dev", cuad), ("court opinions", court)):
        rows = [row for path, index in sample_pages(paths) if (row := measure(path, index))]
        results[label] = rows
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"eval-pages-ocr-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    every = [row for rows in results.values() for row in rows]
    return [
        *figures(results["CUAD dev"], "CUAD dev"),
        *figures(results["court opinions"], "court opinions"),
        *figures(every, "all"),
    ]
