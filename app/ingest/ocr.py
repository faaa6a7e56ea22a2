"""Offline OCR of scanned pages and image documents, with word boxes (Tesseract).

Tesseract (Debian's ``tesseract-ocr`` with its language data) was chosen by measurement
on rendered CUAD pages at 300 dpi on this CPU: 0.24 % character error rate at about
0.7 pages/s, against RapidOCR's ONNX models at 15 % and 0.14 pages/s. It is one
well-kept binary, so nothing here downloads anything or loads a model into our process.

It runs inside the sandboxed parsing worker: the page image goes to ``tesseract`` on
stdin and its TSV (words, boxes, confidences) comes back on stdout, so OCR needs no
network and writes no file. The recognised text becomes the page text exactly as
built here, and every word keeps its character span in that text, which is how a quote
found in the text is mapped back to boxes on the page image (app/ingest/ocr_boxes.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from app.ingest.errors import IngestError
from app.ingest.types import IngestLimits, OcrWord, PageOcr, PageText

ENGINE = "tesseract"
_FALLBACK_DIRS = ("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/opt/local/bin")
_LANGUAGES = re.compile(r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufeff\ufffe]")
# Per-page wall-clock cap for one tesseract run; the worker's own timeout still applies.
PAGE_TIMEOUT_S = 300.0

#: Called with (pages done, pages to do) after each recognised page; set by the worker.
PageProgress = Callable[[int, int], None]
_progress: list[PageProgress] = []


class OcrUnavailableError(IngestError):
    reason = "ocr unavailable"
    default_hint = (
        "Install Tesseract and its language data (Debian: apt-get install tesseract-ocr "
        "tesseract-ocr-eng), or turn OCR off in Settings (policy key ocr.enabled)."
    )


class OcrFailedError(IngestError):
    reason = "ocr failed"
    default_hint = "Check the OCR languages setting (e.g. 'eng' or 'eng+deu') and that their data is installed."


@dataclass(frozen=True)
class Recognised:
    """Text, words (boxes in image pixels) and mean confidence of one image."""

    text: str
    words: tuple[OcrWord, ...]
    confidence: float
    width: int
    height: int


def find_tesseract() -> str | None:
    """The tesseract binary: on PATH, or in the usual places when the worker's clean
    environment has no PATH."""
    found = shutil.which("tesseract")
    if found:
        return found
    for folder in _FALLBACK_DIRS:
        candidate = os.path.join(folder, "tesseract")
        if os.access(candidate, os.X_OK):
            return candidate
    return None


@contextlib.contextmanager
def page_progress(callback: PageProgress) -> Iterator[None]:
    """Report per-page OCR progress to ``callback`` while the block runs (worker use)."""
    _progress.append(callback)
    try:
        yield
    finally:
        _progress.remove(callback)


def report_page(done: int, total: int) -> None:
    for callback in _progress:
        callback(done, total)


def recognise(image: bytes, name: str, *, languages: str, dpi: int | None = None) -> Recognised:
    """Run tesseract on an encoded image (PGM, PNG, JPEG, TIFF) held in memory."""
    if not _LANGUAGES.match(languages):
        raise OcrFailedError(name, f"the OCR languages setting {languages!r} is not valid")
    binary = find_tesseract()
    if binary is None:
        raise OcrUnavailableError(name, "its pages are scans and the OCR engine is not installed")
    command = [binary, "stdin", "stdout", "-l", languages, "--psm", "3"]
    if dpi:
        command += ["--dpi", str(dpi)]
    env = {"OMP_THREAD_LIMIT": "1", "LC_ALL": "C"}
    if "TESSDATA_PREFIX" in os.environ:
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    try:
        result = subprocess.run(
            [*command, "tsv"],
            input=image,
            capture_output=True,
            env=env,
            timeout=PAGE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OcrFailedError(name, f"OCR of one page took over {PAGE_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise OcrUnavailableError(
            name, f"the OCR engine could not start ({exc.strerror})"
        ) from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailedError(
            name, f"the OCR engine failed ({detail[-1] if detail else result.returncode})"
        )
    return parse_tsv(result.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> Recognised:
    """Page text and word boxes from tesseract's TSV output.

    Words of a line are joined by a space, lines by a newline, paragraphs and blocks by
    a blank line; each word records its span in that text. The text is already in the
    shape ``app.ingest.text.normalise`` gives, so spans stay valid in the vault.
    """
    parts: list[str] = []
    words: list[OcrWord] = []
    width = height = 0
    position = 0
    previous: tuple[str, str, str, str] | None = None
    weighted = 0.0
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) < 12:
            continue
        if fields[0] == "1":
            width, height = int(fields[8]), int(fields[9])
            continue
        if fields[0] != "5":
            continue
        text = _CONTROL.sub("", "".join(fields[11].split()))
        if not text:
            continue
        line = (fields[1], fields[2], fields[3], fields[4])
        if previous is not None:
            separator = " " if line == previous else "\n" if line[:3] == previous[:3] else "\n\n"
            parts.append(separator)
            position += len(separator)
        previous = line
        left, top = float(fields[6]), float(fields[7])
        confidence = max(0.0, min(float(fields[10]), 100.0)) / 100.0
        words.append(
            OcrWord(
                text,
                position,
                position + len(text),
                left,
                top,
                left + float(fields[8]),
                top + float(fields[9]),
                confidence,
            )
        )
        weighted += confidence * len(text)
        parts.append(text)
        position += len(text)
    chars = sum(len(w.text) for w in words)
    return Recognised(
        "".join(parts), tuple(words), weighted / chars if chars else 0.0, width, height
    )


def page_ocr(recognised: Recognised, scale: float, languages: str) -> PageOcr:
    """Boxes converted from image pixels to page units (``scale`` units per pixel)."""
    words = tuple(
        OcrWord(
            w.text,
            w.start,
            w.end,
            round(w.left * scale, 2),
            round(w.top * scale, 2),
            round(w.right * scale, 2),
            round(w.bottom * scale, 2),
            round(w.confidence, 3),
        )
        for w in recognised.words
    )
    return PageOcr(
        ENGINE,
        languages,
        round(recognised.confidence, 4),
        round(recognised.width * scale, 2),
        round(recognised.height * scale, 2),
        words,
    )


def pgm(gray: bytes, width: int, height: int, stride: int) -> bytes:
    """An 8-bit grey bitmap as a binary PGM, the simplest image tesseract reads on stdin."""
    if stride == width:
        rows = gray[: width * height]
    else:
        rows = b"".join(gray[i * stride : i * stride + width] for i in range(height))
    return b"P5\n%d %d\n255\n" % (width, height) + rows


def ocr_pdf_page(page: object, name: str, *, languages: str, dpi: int) -> tuple[str, PageOcr]:
    """Render one pypdfium2 page at ``dpi`` in grey and recognise it; boxes in points."""
    width, height = page.get_size()  # type: ignore[attr-defined]
    bitmap = page.render(scale=dpi / 72.0, grayscale=True)  # type: ignore[attr-defined]
    try:
        pixels = bitmap.width
        image = pgm(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride)
    finally:
        bitmap.close()
    found = recognise(image, name, languages=languages, dpi=dpi)
    # Points per pixel from the real bitmap width (the renderer rounds the size).
    ocr = page_ocr(found, float(width) / max(pixels, 1), languages)
    return found.text, replace(ocr, width=float(width), height=float(height))


def ocr_pdf_pages(
    document: object,
    pages: Sequence[PageText],
    name: str,
    limits: IngestLimits,
    metadata: dict[str, str],
) -> list[PageText]:
    """Pages with each scanned page's text replaced by its OCR, progress reported per page.

    OCR is an improvement, never a reason to refuse a file: if the engine is missing or
    fails, the scanned pages stay as they were (flagged ``needs_ocr``) and ``metadata``
    says why (``ocr`` = ``unavailable`` / ``failed``), so the document still imports.
    """
    todo = [page for page in pages if page.needs_ocr]
    done: dict[int, PageText] = {}
    report_page(0, len(todo))
    try:
        for index, page in enumerate(todo, 1):
            pdf_page = document[page.number - 1]  # type: ignore[index]
            try:
                text, ocr = ocr_pdf_page(
                    pdf_page, name, languages=limits.ocr_languages, dpi=limits.ocr_dpi
                )
            finally:
                pdf_page.close()
            if text.strip():
                done[page.number] = replace(page, text=with_layer(text, page.text), ocr=ocr)
            report_page(index, len(todo))
    except (OcrUnavailableError, OcrFailedError) as exc:
        metadata["ocr"] = "unavailable" if isinstance(exc, OcrUnavailableError) else "failed"
        metadata["ocr_error"] = exc.detail
    else:
        metadata["ocr"] = "done"
    if done:
        confidences = [p.ocr.confidence for p in done.values() if p.ocr is not None]
        metadata["ocr_confidence"] = f"{min(confidences):.3f}"
        metadata["ocr_engine"] = f"{ENGINE} ({limits.ocr_languages}, {limits.ocr_dpi} dpi)"
    return [done.get(page.number, page) for page in pages]


def with_layer(ocr_text: str, layer: str) -> str:
    """OCR text, followed by the scan's thin text layer when OCR did not read it as is.

    A court's ECF stamp ("Case 4:08-cv-02214-SBA Document 27") is exact in the text
    layer but often misread in the image; appending it keeps it searchable verbatim.
    The OCR text comes first so every word's span stays valid.
    """
    layer = layer.strip()
    if not layer or " ".join(layer.split()) in " ".join(ocr_text.split()):
        return ocr_text
    return f"{ocr_text}\n\n{layer}"


def ocr_image_pages(
    data: bytes, name: str, limits: IngestLimits, metadata: dict[str, str]
) -> list[PageText]:
    """An image document (PNG, JPEG, TIFF...) as one OCR'd page, boxes in image pixels.

    No page (and ``metadata["ocr"]`` saying why) when OCR is off, fails or finds no text:
    the image is still stored and flagged ``needs_ocr``.
    """
    if not limits.ocr_enabled:
        return []
    report_page(0, 1)
    try:
        found = recognise(data, name, languages=limits.ocr_languages)
    except (OcrUnavailableError, OcrFailedError) as exc:
        metadata["ocr"] = "unavailable" if isinstance(exc, OcrUnavailableError) else "failed"
        metadata["ocr_error"] = exc.detail
        return []
    report_page(1, 1)
    metadata["ocr"] = "done"
    if not found.text.strip():
        return []
    ocr = page_ocr(found, 1.0, limits.ocr_languages)
    metadata["ocr_confidence"] = f"{ocr.confidence:.3f}"
    metadata["ocr_engine"] = f"{ENGINE} ({limits.ocr_languages})"
    metadata["page_basis"] = "image"
    return [PageText(1, found.text, needs_ocr=True, ocr=ocr)]


def _whole(image: bytes) -> bool:
    """A picture that passes app/ingest/images.check_image (others are left out)."""
    from app.ingest.images import check_image

    try:
        check_image(image, "picture", IngestLimits())
    except IngestError:
        return False
    return True


def ocr_docx_images(
    data: bytes, name: str, limits: IngestLimits, metadata: dict[str, str]
) -> list[PageText]:
    """A DOCX with no text but pictures (a scan pasted into Word): one page per picture.

    Called only after ``read_docx`` vetted the archive (sizes, ratio), in the order the
    pictures were added (image1, image2, ... image10). Pictures without text, and those
    that are cut short, empty or bombs (app/ingest/images.py), are left out.
    """
    import io
    import zipfile

    from app.ingest.detect import IMAGE_MAGICS

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = [i for i in archive.infolist() if i.filename.startswith("word/media/")]
        media.sort(
            key=lambda i: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", i.filename)]
        )
        images = [archive.read(info) for info in media[: limits.max_pages]]
    images = [image for image in images if image.startswith(tuple(IMAGE_MAGICS)) and _whole(image)]
    pages: list[PageText] = []
    report_page(0, len(images))
    for index, image in enumerate(images, 1):
        try:
            found = recognise(image, name, languages=limits.ocr_languages)
        except (OcrUnavailableError, OcrFailedError) as exc:
            metadata["ocr"] = "unavailable" if isinstance(exc, OcrUnavailableError) else "failed"
            metadata["ocr_error"] = exc.detail
            return pages
        report_page(index, len(images))
        if found.text.strip():
            ocr = page_ocr(found, 1.0, limits.ocr_languages)
            pages.append(PageText(len(pages) + 1, found.text, needs_ocr=True, ocr=ocr))
    if images:
        metadata["ocr"] = "done"
    if pages:
        metadata["page_basis"] = "docx-images"
        metadata["ocr_confidence"] = f"{min(p.ocr.confidence for p in pages if p.ocr):.3f}"
        metadata["ocr_engine"] = f"{ENGINE} ({limits.ocr_languages})"
    return pages
