"""The parser sandbox: bombs refused without inflating, hangs and memory blow-ups become
IngestErrors naming the file, cancel stops a file mid-read, duplicates are not re-read."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cancel import CancelToken
from app.errors import CancelledError
from app.ingest import (
    Extractor,
    IngestLimits,
    ParserMemoryError,
    ParserTimeoutError,
    TooLargeError,
    ZipBombError,
    extract,
    extract_many,
)
from tests.shared_data import FILES as SHARED_FILES

FILES = SHARED_FILES
BOMB = FILES / "edge" / "bomb.docx"
BIG_PDF = FILES / "edge" / "DA-619p.pdf"
SMALL_PDF = FILES / "court" / "ca2_1-1.pdf"
REPO = Path(__file__).resolve().parents[2]

MEASURE = """
import json, resource, sys
from pathlib import Path
from app.ingest import extract, read_bytes, IngestLimits, ZipBombError
path = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcomes = []
for run in (lambda: read_bytes(path.read_bytes(), path.name, IngestLimits()), lambda: extract(path)):
    try:
        run()
        outcomes.append("imported")
    except ZipBombError as exc:
        outcomes.append(exc.reason)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"grew_kb": after - before, "children_kb": children, "outcomes": outcomes}))
"""


def test_bomb_is_refused_before_inflating() -> None:
    # A fresh interpreter so that ru_maxrss measures this refusal and nothing else; the
    # worker's peak (RUSAGE_CHILDREN) is checked too, since that is where parsing runs.
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(BOMB)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["outcomes"] == ["zip bomb", "zip bomb"]
    assert report["grew_kb"] < 200 * 1024, report
    assert report["children_kb"] < 200 * 1024 + 150 * 1024, (
        report
    )  # interpreter + PDFium + the 1 MB file


def test_bomb_message_names_file_and_sizes() -> None:
    with pytest.raises(ZipBombError) as caught:
        extract(BOMB)
    assert "bomb.docx" in caught.value.message and "1024 MiB" in caught.value.message


def test_hang_becomes_timeout_and_worker_recovers() -> None:
    with Extractor(IngestLimits(timeout_s=0.2)) as extractor:
        started = time.monotonic()
        with pytest.raises(ParserTimeoutError) as caught:
            extractor.extract(BIG_PDF)
        # the timeout error itself proves the read was cut short; the ceiling only says
        # it was not a full read, and is generous so a loaded machine's slow worker start
        # cannot fail it
        assert time.monotonic() - started < 60
        assert "DA-619p.pdf" in caught.value.message
        assert "Case No. 08-1280" not in caught.value.message
        document = extractor.extract(SMALL_PDF)  # a fresh worker takes over
        assert "Second Circuit" in document.text


def test_memory_cap_becomes_ingest_error() -> None:
    # 619 pages of text cannot be read within 40 MiB of address space on top of the
    # interpreter; the worker must report it, not take the caller down.
    limits = IngestLimits(memory_mb=40)
    with Extractor(limits) as extractor, pytest.raises(ParserMemoryError) as caught:
        extractor.extract(BIG_PDF)
    assert "DA-619p.pdf" in caught.value.message


def test_too_many_pages_and_too_many_bytes() -> None:
    with pytest.raises(TooLargeError, match="30 pages"):
        extract(FILES / "court" / "vector-pdf.pdf", IngestLimits(max_pages=10))
    with pytest.raises(TooLargeError, match=r"vector-pdf\.pdf"):
        extract(FILES / "court" / "vector-pdf.pdf", IngestLimits(max_bytes=1000))


def test_cancel_stops_a_file_mid_read() -> None:
    token = CancelToken()
    import threading

    cancelled_at: list[float] = []

    def cancel() -> None:
        cancelled_at.append(time.monotonic())
        token.cancel()

    timer = threading.Timer(0.3, cancel)
    timer.start()
    with Extractor() as extractor:
        with pytest.raises(CancelledError):
            extractor.extract(BIG_PDF, cancel=token)
        # measured from the cancel, not from the start: a loaded machine may take seconds
        # to start the worker, but once cancelled the read stops within a poll or two
        assert cancelled_at and time.monotonic() - cancelled_at[0] < 10
        assert "Second Circuit" in extractor.extract(SMALL_PDF).text


def test_extract_many_dedupes_reports_progress_and_resumes(tmp_path: Path) -> None:
    copy = tmp_path / "same-bytes.pdf"
    copy.write_bytes(SMALL_PDF.read_bytes())
    paths = [SMALL_PDF, FILES / "edge" / "not-a-pdf.pdf", copy, FILES / "email" / "fake-email.eml"]
    updates: list[float] = []
    outcomes = list(extract_many(paths, progress=lambda f, m: updates.append(f)))
    first, refused, duplicate, mail = outcomes
    assert first.document is not None and refused.error is not None
    assert refused.error.reason == "wrong type"
    assert duplicate.document is None and duplicate.duplicate_of == first.document.sha256
    assert mail.document is not None
    assert updates == sorted(updates) and updates[-1] == 1.0
    # Resuming: hashes already stored are skipped without parsing.
    again = list(extract_many([SMALL_PDF], known_sha256={first.document.sha256}))
    assert again[0].duplicate_of == first.document.sha256


def test_extract_many_cancelled_between_files() -> None:
    token = CancelToken()
    produced = []
    with pytest.raises(CancelledError):
        for outcome in extract_many([SMALL_PDF, SMALL_PDF], cancel=token):
            produced.append(outcome)
            token.cancel()
    assert len(produced) == 1
