"""DOCX reader: body paragraphs and tables, headers, footers, footnotes, endnotes.

The archive is vetted before anything is inflated (member sizes, compression ratio,
member count), because a 1 MB DOCX can expand to gigabytes. python-docx then opens the
package; text is taken from the WordprocessingML tree directly so that tracked
insertions, content controls and nested tables are included in reading order.

DOCX files carry no fixed pagination. Pages here follow the breaks stored in the file:
explicit page breaks, section breaks, and the breaks Word recorded when it last laid the
document out (``lastRenderedPageBreak``), so page numbers match what the author saw in
Word as closely as the file allows (``metadata["page_basis"] == "docx-breaks"``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from app.ingest.errors import (
    CorruptFileError,
    EncryptedFileError,
    TooLargeError,
    TruncatedFileError,
    ZipBombError,
)
from app.ingest.text import normalise
from app.ingest.types import IngestLimits, PageText

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RATIO_FLOOR = 1024 * 1024  # members smaller than this cannot hurt whatever their ratio
_MAX_MEMBERS = 10_000
_MARGIN_PART = re.compile(r"^/word/(header|footer)\d*\.xml$")


def check_archive(data: bytes, name: str, limits: IngestLimits) -> None:
    """Refuse a ZIP whose declared sizes exceed the limits, before inflating any member.

    zipfile never returns more than a member's declared size, so a member that lies
    about its size cannot inflate past what was checked here.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        if b"PK\x05\x06" not in data[-66_000:]:
            raise TruncatedFileError(name, "the document's ZIP container is cut short") from None
        raise CorruptFileError(name, "the document's ZIP container is damaged") from None
    if len(infos) > _MAX_MEMBERS:
        raise ZipBombError(name, f"it holds {len(infos)} parts, far more than a real document")
    if any(info.flag_bits & 0x1 for info in infos):
        raise EncryptedFileError(name, "parts of the document are encrypted")
    total = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise ZipBombError(
                name,
                f"a part would expand {ratio:.0f}-fold to {info.file_size / 2**20:.0f} MiB "
                f"(the limit is {limits.max_ratio:.0f}-fold)",
            )
    if total > limits.max_uncompressed:
        kind = ZipBombError if total / packed > limits.max_ratio else TooLargeError
        raise kind(
            name,
            f"it would expand to {total / 2**20:.0f} MiB, more than the limit of "
            f"{limits.max_uncompressed / 2**20:.0f} MiB",
        )


def read_docx(
    data: bytes, name: str, limits: IngestLimits
) -> tuple[list[PageText], dict[str, str], str]:
    """Pages, metadata and title of a DOCX held in memory (archive already vetted)."""
    check_archive(data, name, limits)
    import docx
    from docx.oxml.parser import parse_xml

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise CorruptFileError(name, "the Word document is damaged and cannot be read") from exc

    parts = {str(part.partname): part for part in document.part.package.iter_parts()}
    notes: dict[str, str] = {}
    for partname in ("/word/footnotes.xml", "/word/endnotes.xml"):
        if partname in parts:
            root = parse_xml(parts[partname].blob)
            for note in root:
                if note.get(f"{W}type") in (None, "normal"):
                    notes[f"{partname}#{note.get(f'{W}id')}"] = normalise(_blocks_text(note))
    margins: dict[str, list[str]] = {"header": [], "footer": []}
    for partname in sorted(parts):
        match = _MARGIN_PART.match(partname)
        if match:
            kind = match.group(1)
            text = normalise(_blocks_text(parse_xml(parts[partname].blob)))
            if text and text not in margins[kind]:
                margins[kind].append(text)

    pages = _paginate(document.element.body, notes)
    if len(pages) > limits.max_pages:
        raise TooLargeError(
            name, f"it has {len(pages)} pages, more than the limit of {limits.max_pages}"
        )
    endnotes = [
        text for key, text in notes.items() if key.startswith("/word/endnotes.xml") and text
    ]
    pages[-1] = "\n\n".join([pages[-1], *endnotes]) if endnotes else pages[-1]
    pages[0] = "\n\n".join([*margins["header"], pages[0], *margins["footer"]])
    title = " ".join((document.core_properties.title or "").split())[:300]
    result = [PageText(number, normalise(text)) for number, text in enumerate(pages, start=1)]
    return result, {"page_basis": "docx-breaks", "page_count": str(len(result))}, title


def _paginate(body: Any, notes: dict[str, str]) -> list[str]:
    """Split the body's text at the page breaks it records; footnotes end their page."""
    pages: list[str] = []
    current: list[str] = []
    referenced: list[str] = []

    def flush(force: bool) -> None:
        text = "\n\n".join(current)
        if not force and not text.strip():
            return  # consecutive breaks (explicit + rendered) mark one page turn
        notes_here = [
            f"[{key.rsplit('#', 1)[1]}] {notes[key]}" for key in referenced if notes.get(key)
        ]
        pages.append("\n\n".join([text, *notes_here]) if notes_here else text)
        current.clear()
        referenced.clear()

    # A paragraph's sectPr ends a section; how the *next* section starts (its w:type)
    # decides whether that is a page turn or a continuous break.
    blocks = list(_body_blocks(body))
    sections = [s for b in blocks if (s := b.find(f"{W}pPr/{W}sectPr")) is not None]
    final = body.find(f"{W}sectPr")
    starts = [_section_start(s) for s in [*sections[1:], *([final] if final is not None else [])]]
    section_index = 0
    for block in blocks:
        if block.tag == f"{W}tbl":
            current.append(_table_text(block))
            continue
        pieces = _paragraph_pieces(block, referenced)
        for index, piece in enumerate(pieces):
            if index:
                flush(force=False)
            current.append(piece)
        if block.find(f"{W}pPr/{W}sectPr") is not None:
            start = starts[section_index] if section_index < len(starts) else "nextPage"
            section_index += 1
            if start != "continuous":
                flush(force=False)
    flush(force=not pages)
    return pages


def _section_start(section: Any) -> str:
    kind = section.find(f"{W}type")
    return "nextPage" if kind is None else str(kind.get(f"{W}val") or "nextPage")


def _body_blocks(container: Any) -> Iterator[Any]:
    """Paragraphs and tables in reading order, looking through content controls."""
    for child in container:
        if child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag in (f"{W}sdt", f"{W}customXml", f"{W}ins"):
            content = child.find(f"{W}sdtContent")
            yield from _body_blocks(content if content is not None else child)


def _paragraph_pieces(paragraph: Any, referenced: list[str] | None = None) -> list[str]:
    """A paragraph's text, cut where it records a page break."""
    pieces: list[str] = [""]
    for node in paragraph.iter():
        tag = node.tag
        if tag == f"{W}t" and node.text:
            pieces[-1] += node.text
        elif tag == f"{W}tab":
            pieces[-1] += "\t"
        elif tag == f"{W}br":
            if node.get(f"{W}type") == "page":
                pieces.append("")
            else:
                pieces[-1] += "\n"
        elif tag == f"{W}cr":
            pieces[-1] += "\n"
        elif tag == f"{W}lastRenderedPageBreak":
            pieces.append("")
        elif tag in (f"{W}footnoteReference", f"{W}endnoteReference"):
            note_id = node.get(f"{W}id")
            pieces[-1] += f"[{note_id}]"
            if referenced is not None and tag == f"{W}footnoteReference":
                referenced.append(f"/word/footnotes.xml#{note_id}")
    return pieces


def _blocks_text(container: Any) -> str:
    """Text of any container of paragraphs and tables, ignoring page breaks."""
    out: list[str] = []
    for block in _body_blocks(container):
        if block.tag == f"{W}tbl":
            out.append(_table_text(block))
        else:
            out.append("".join(_paragraph_pieces(block)))
    return "\n".join(out)


def _table_text(table: Any) -> str:
    """One line per row, cells separated by " | "; merged and missing cells tolerated."""
    rows: list[str] = []
    for row in table.iter(f"{W}tr"):
        if _nearest_table(row) is not table:
            continue
        cells = [" ".join(_blocks_text(cell).split()) for cell in _cells(row)]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _cells(row: Any) -> Iterable[Any]:
    for child in row:
        if child.tag == f"{W}tc":
            yield child
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _cells(content)


def _nearest_table(node: Any) -> Any:
    parent = node.getparent()
    while parent is not None and parent.tag != f"{W}tbl":
        parent = parent.getparent()
    return parent
