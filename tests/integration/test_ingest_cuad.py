"""PDF extraction matches CUAD's own text twins for all 80 contracts."""

from __future__ import annotations

import difflib
import re
import statistics
from pathlib import Path

from app.ingest import extract_many
from app.ingest.types import IngestLimits
from tests.shared_data import CUAD as SHARED_CUAD

CUAD = SHARED_CUAD
THRESHOLD = 0.95


def _words(text: str) -> list[str]:
    # Word-level comparison: the TXT twins differ from PDF text in whitespace and line
    # layout only, which is not what this test is about.
    return re.findall(r"\w+", text.lower())


def test_cuad_pdf_text_matches_txt_twins(tmp_path: Path) -> None:
    pdfs = sorted((CUAD / "pdf").glob("*.pdf"))
    assert len(pdfs) == 80
    scores: dict[str, float] = {}
    pages = 0
    # The twins are the PDFs' text layers: the few scanned pages are compared without OCR
    # (OCR quality has its own eval, tests/eval/eval_ocr.py).
    for outcome in extract_many(pdfs, IngestLimits(ocr_enabled=False)):
        assert outcome.document is not None, f"{outcome.path.name}: {outcome.error}"
        pages += len(outcome.document.pages)
        twin = (CUAD / "txt" / f"{outcome.path.stem}.txt").read_text(
            encoding="utf-8", errors="replace"
        )
        matcher = difflib.SequenceMatcher(
            None, _words(outcome.document.text), _words(twin), autojunk=False
        )
        scores[outcome.path.stem] = matcher.ratio()
    values = sorted(scores.values())
    summary = (
        f"CUAD similarity over {len(values)} PDFs ({pages} pages): min {values[0]:.4f} "
        f"median {statistics.median(values):.4f} max {values[-1]:.4f}; lowest: "
        + ", ".join(f"{k}={v:.4f}" for k, v in sorted(scores.items(), key=lambda kv: kv[1])[:5])
    )
    (tmp_path / "cuad-similarity.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary)
    below = {k: v for k, v in scores.items() if v < THRESHOLD}
    assert not below, summary
