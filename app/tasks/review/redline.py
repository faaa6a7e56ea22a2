"""The redline: a copy of the counterparty's DOCX with the review's changes tracked.

A lawyer's review ends in Word. For each accepted finding the copy gets a tracked
deletion of the sentence that deviates and a tracked insertion of the firm's fallback
language (or, for a missing point, the fallback clause as a new tracked paragraph at
the end of the body), with a Word comment on it giving the risk, the guidance and the
playbook reference. Word, LibreOffice and the counterparty can accept or reject each.

Only what must change is rewritten: the main document part, the comments part, and
(when the document had no comments) its relationship and content type. Every other
part (styles, numbering, headers, footers, images, other people's tracked changes and
comments, custom XML) is copied byte for byte, so nothing of the original is lost and
no external reference is ever added. python-docx's package writer re-serialises every
part it loads, so the ZIP is rewritten here with zipfile and the parts edited with lxml.

Refused before any change: an archive that fails the ingest limits (zip bombs), a
macro-enabled document (.docm: a copy would carry or break its macros), XML with a
DOCTYPE or nesting past libxml2's safe depth.
"""

from __future__ import annotations

import copy
import io
import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.ingest.docx import check_archive
from app.ingest.types import IngestLimits
from app.tasks.review.ooxml import (
    Mark,
    RedlineError,
    W,
    anchor_comment,
    comment,
    delete_runs,
    holding,
    inserted,
    max_id,
    new_run,
    parse_part,
    serialise,
    span_in,
    top_level,
    w,
)

PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
DEFAULT_AUTHOR = "Chambers review"


@dataclass(frozen=True)
class Edit:
    """One accepted change: ``kind`` insert (a new clause), replace (the quoted sentence
    by ``text``; "" deletes it) or comment (the quoted sentence annotated only)."""

    statement_id: str
    kind: Literal["insert", "replace", "comment"]
    text: str
    quote: str | None
    comment: tuple[str, ...]
    #: Which paragraph holding ``quote`` is meant (0: the first), where a sentence
    #: recurs: the review's page and character span say which one it quoted.
    occurrence: int = 0


@dataclass
class _Package:
    names: list[str]
    infos: dict[str, zipfile.ZipInfo]
    parts: dict[str, bytes]
    main: str

    def rels_name(self, part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", f"{base}.rels")

    def target(self, part: str, rel_type: str) -> str | None:
        rels = self.rels_name(part)
        if rels not in self.parts:
            return None
        for rel in parse_part(self.parts[rels], rels).iter(f"{PKG_REL}Relationship"):
            if rel.get("Type") == rel_type and rel.get("TargetMode") != "External":
                target = str(rel.get("Target"))
                folder = posixpath.dirname(part)
                return posixpath.normpath(
                    target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                )
        return None


def _open(data: bytes, name: str) -> _Package:
    check_archive(data, name, IngestLimits())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        parts = {info.filename: archive.read(info) for info in infos}
    lowered = [info.filename.lower() for info in infos]
    content_types = parts.get("[Content_Types].xml", b"")
    if (
        any(n.rsplit("/", 1)[-1] in _MACRO_PARTS for n in lowered)
        or b"macroEnabled" in content_types
    ):
        raise RedlineError(
            f"{name} is a macro-enabled Word document: Chambers does not write a copy of it.",
            "Save it in Word as a plain .docx (Word removes the macros), import that copy and "
            "review it again.",
        )
    package = _Package([i.filename for i in infos], {i.filename: i for i in infos}, parts, "")
    main = package.target("", OFFICE_DOCUMENT)
    if main is None or main not in parts:
        raise RedlineError(f"{name} has no main document part: it is not a Word document.")
    package.main = main
    return package


def _comments_root(package: _Package) -> tuple[str, Any, bool]:
    """The comments part's name and root (created when the document has none)."""
    existing = package.target(package.main, COMMENTS_REL)
    if existing is not None and existing in package.parts:
        return existing, parse_part(package.parts[existing], existing), False
    name = posixpath.join(posixpath.dirname(package.main), "comments.xml")
    if name in package.parts:  # a stray part of that name: do not overwrite it
        name = posixpath.join(posixpath.dirname(package.main), "comments-chambers.xml")
    return name, w("comments"), True


def _register_comments(package: _Package, comments_name: str) -> None:
    """Relate the new comments part to the main part and give it its content type."""
    rels_name = package.rels_name(package.main)
    rels = parse_part(package.parts[rels_name], rels_name)
    used = {rel.get("Id") for rel in rels}
    number = 1
    while f"rId{number}" in used:
        number += 1
    relation = rels.makeelement(f"{PKG_REL}Relationship")
    relation.set("Id", f"rId{number}")
    relation.set("Type", COMMENTS_REL)
    relation.set("Target", posixpath.relpath(comments_name, posixpath.dirname(package.main)))
    rels.append(relation)
    package.parts[rels_name] = serialise(rels)
    types = parse_part(package.parts["[Content_Types].xml"], "[Content_Types].xml")
    override = types.makeelement(f"{CT}Override")
    override.set("PartName", f"/{comments_name}")
    override.set("ContentType", COMMENTS_TYPE)
    types.append(override)
    package.parts["[Content_Types].xml"] = serialise(types)


def _mark_inserted(paragraph: Any, mark: Mark, ident: int) -> None:
    """Track ``paragraph``'s mark (the break after it) as inserted."""
    props = paragraph.find(f"{W}pPr")
    if props is None:
        props = w("pPr")
        paragraph.insert(0, props)
    run_props = props.find(f"{W}rPr")
    if run_props is None:
        run_props = w("rPr")
        later = [c for c in props if c.tag in (f"{W}sectPr", f"{W}pPrChange")]
        if later:
            later[0].addprevious(run_props)
        else:
            props.append(run_props)
    run_props.insert(0, w("ins", mark.attrs(ident)))  # change marks come first


def _new_paragraph(body: Any, edit: Edit, mark: Mark, ident: int, comment_id: int) -> None:
    """The clause as a tracked new paragraph at the end of the body.

    As Word records Enter at the end of the last paragraph and then the clause: the last
    paragraph's mark is the inserted break, and the new paragraph carries its formatting,
    so rejecting the change leaves the original paragraph for paragraph.
    """
    final = body.find(f"{W}sectPr")
    last = final.getprevious() if final is not None else (body[-1] if len(body) else None)
    paragraph = w("p")
    props = last.find(f"{W}pPr") if last is not None and last.tag == f"{W}p" else None
    if (
        last is not None
        and last.tag == f"{W}p"
        and (props is None or props.find(f"{W}sectPr") is None)
    ):
        if props is not None:
            copied = copy.deepcopy(props)
            for change in copied.iter(f"{W}ins", f"{W}del", f"{W}pPrChange", f"{W}rPrChange"):
                change.getparent().remove(change)
            paragraph.append(copied)
        _mark_inserted(last, mark, ident)
    else:  # after a table: the new paragraph's own mark is the inserted one
        _mark_inserted(paragraph, mark, ident)
    added = inserted([new_run(edit.text)], mark, ident + 1)
    paragraph.append(added)
    anchor_comment(added, added, comment_id)
    if final is not None:
        final.addprevious(paragraph)
    else:
        body.append(paragraph)


def apply_edits(
    document: Any, edits: Sequence[Edit], mark: Mark, first_id: int
) -> tuple[list[Any], list[str]]:
    """Make ``edits`` in ``document``; returns the comments to add and notes on edits
    that could only be commented (or not placed at all).

    Two statements may quote one sentence: replacements go first, and a later edit of a
    sentence already changed comments on that change (its wording, if any, in the note).
    """
    body = document.find(f"{W}body")
    if body is None:
        raise RedlineError("The Word document has no body.")
    ident = first_id
    comments: list[Any] = []
    notes: list[str] = []
    anchors: dict[tuple[str, int], tuple[Any, Any]] = {}
    targets = {}  # where each quote is, found before any edit changes the text
    for edit in edits:
        found = holding(body, edit.quote) if edit.quote and edit.kind != "insert" else []
        targets[id(edit)] = found[min(edit.occurrence, len(found) - 1)] if found else None
    for edit in sorted(edits, key=lambda e: e.kind == "comment"):
        comment_id, ident = ident, ident + 1
        text = list(edit.comment)
        if edit.kind == "insert":
            _new_paragraph(body, edit, mark, ident, comment_id)
            ident += 2
            comments.append(comment(comment_id, mark, text))
            continue
        quote, target = edit.quote or "", targets[id(edit)]
        key = (quote, id(target))
        if key in anchors:
            first, last = anchors[key]
            if edit.kind == "replace":
                text.append(f"Proposed: {edit.text}")
            anchor_comment(first, last, comment_id)
            comments.append(comment(comment_id, mark, text))
            continue
        span = span_in(target, quote) if target is not None else None
        if span is None or not span.runs:
            notes.append(
                f"{edit.statement_id}: the quoted sentence was not found in the "
                "document's paragraphs; no change was made for it."
            )
            continue
        if edit.kind == "replace" and span.editable:
            first = last = delete_runs(span, mark, ident)
            if edit.text:
                last = inserted([new_run(edit.text, span.runs[0])], mark, ident + 1)
                first.addnext(last)
            ident += 2
        else:
            if edit.kind == "replace":
                notes.append(
                    f"{edit.statement_id}: the sentence lies in a field or another "
                    "tracked change; the replacement is in the comment."
                )
                text.append(f"Proposed: {edit.text}")
            first = top_level(span.runs[0], span.paragraph)
            last = top_level(span.runs[-1], span.paragraph)
        anchors[key] = (first, last)
        anchor_comment(first, last, comment_id)
        comments.append(comment(comment_id, mark, text))
    return comments, notes


def write_redline(
    data: bytes, name: str, edits: Sequence[Edit], mark: Mark
) -> tuple[bytes, list[str]]:
    """The DOCX ``data`` with ``edits`` as tracked changes and comments, and notes."""
    package = _open(data, name)
    document = parse_part(package.parts[package.main], package.main)
    comments_name, comments_root, created = _comments_root(package)
    first = max_id(document, comments_root) + 1
    new_comments, notes = apply_edits(document, edits, mark, first)
    package.parts[package.main] = serialise(document)
    if new_comments:
        for item in new_comments:
            comments_root.append(item)
        package.parts[comments_name] = serialise(comments_root)
        if created:
            _register_comments(package, comments_name)
            package.names.append(comments_name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in package.names:
            info = package.infos.get(part)
            if info is None:
                info = zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, package.parts[part])
    return out.getvalue(), notes
