"""WordprocessingML surgery for the redline: find a quoted sentence among a paragraph's
runs, split the runs at its edges, wrap them in tracked changes and comment ranges.

Everything is built as lxml elements (never XML text), and a parse refuses what a
hostile file could use against the parser: a DOCTYPE (entity expansion), external
entities, and nesting deeper than libxml2's safe default.

A paragraph's text here is the text a reader sees in it, which is what the ingest step
extracted (app/ingest/docx.py): ``w:t`` of runs that are not deleted, tabs and breaks.
Runs inside another author's tracked change or a field are left alone: a sentence that
crosses one is commented on, never rewritten.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from app.errors import ChambersError
from app.tasks.quotes import find_quote

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: Run children that carry text, and how many characters each stands for.
_EDGE = " \t\r\n\"'.,;:\u2026"  # what find_quote ignores at a quote's edges
_TEXT_WIDTH = {f"{W}tab": 1, f"{W}br": 1, f"{W}cr": 1}  # as app/ingest/docx.py reads them


class RedlineError(ChambersError):
    default_hint = (
        "Open the document in Word, save it as a plain .docx (no macros), import that copy "
        "and review it again."
    )


def parse_part(data: bytes, name: str) -> Any:
    """One XML part, parsed without DTDs, entities or network, within libxml2's limits."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise RedlineError(
            f"The document's part {name} cannot be read safely ({exc.msg}); it may be "
            "damaged, deeply nested or built to attack a parser."
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise RedlineError(
            f"The document's part {name} declares a DOCTYPE, which Word never writes."
        )
    return root


def serialise(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def w(tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> Any:
    """A ``w:`` element with ``w:`` attributes (and text, space preserved)."""
    element = etree.Element(f"{W}{tag}", nsmap={"w": W_NS})
    for key, value in (attrs or {}).items():
        element.set(f"{W}{key}", value)
    if text is not None:
        element.text = text
        element.set(XML_SPACE, "preserve")
    return element


def _width(child: Any) -> int:
    if child.tag == f"{W}t":
        return len(child.text or "")
    return _TEXT_WIDTH.get(child.tag, 0)


def _run_text(child: Any) -> str:
    if child.tag == f"{W}t":
        return str(child.text or "")
    return "\t" if child.tag == f"{W}tab" else "\n" if _width(child) else ""


def _owner_paragraph(node: Any) -> Any:
    parent = node.getparent()
    while parent is not None and parent.tag != f"{W}p":
        parent = parent.getparent()
    return parent


def paragraph_runs(paragraph: Any) -> Iterator[Any]:
    """The runs a reader sees in ``paragraph`` (not deleted, not in a nested text box)."""
    for run in paragraph.iter(f"{W}r"):
        if _owner_paragraph(run) is not paragraph:
            continue
        parent = run.getparent()
        if parent.tag in (f"{W}del", f"{W}moveFrom"):
            continue
        yield run


def paragraph_text(paragraph: Any) -> str:
    return "".join(_run_text(c) for r in paragraph_runs(paragraph) for c in r)


@dataclass(frozen=True)
class Span:
    """The runs that hold a quoted sentence, split so they hold exactly it."""

    paragraph: Any
    runs: list[Any]

    @property
    def editable(self) -> bool:
        """Plain runs of the paragraph itself, side by side: safe to delete and replace."""
        if not self.runs:
            return False
        parent = self.paragraph
        if any(r.getparent() is not parent for r in self.runs):
            return False
        if any(
            r.find(f"{W}fldChar") is not None or r.find(f"{W}instrText") is not None
            for r in self.runs
        ):
            return False
        positions = [parent.index(r) for r in self.runs]
        between = parent[positions[0] : positions[-1] + 1]
        return all(
            c.tag in (f"{W}r", f"{W}proofErr", f"{W}bookmarkStart", f"{W}bookmarkEnd")
            for c in between
        )


def _split_run(run: Any, offset: int) -> Any:
    """Cut ``run`` after ``offset`` characters; returns the new second half (placed after)."""
    second = copy.deepcopy(run)
    seen = 0
    for first_child, second_child in zip(list(run), list(second), strict=True):
        if first_child.tag == f"{W}rPr":
            continue
        width = _width(first_child)
        if seen + width <= offset:
            second.remove(second_child)
        elif seen >= offset:
            run.remove(first_child)
        else:  # a w:t that the cut falls inside
            cut = offset - seen
            first_child.text, second_child.text = first_child.text[:cut], first_child.text[cut:]
            first_child.set(XML_SPACE, "preserve")
            second_child.set(XML_SPACE, "preserve")
        seen += width
    run.addnext(second)
    return second


def _isolate(paragraph: Any, start: int, end: int) -> list[Any]:
    """Split runs so that [start, end) of the paragraph's text is whole runs; returns them."""
    position = 0
    for run in list(paragraph_runs(paragraph)):
        length = sum(_width(c) for c in run)
        if position < start < position + length:
            _split_run(run, start - position)
            return _isolate(paragraph, start, end)
        if position < end < position + length:
            _split_run(run, end - position)
            return _isolate(paragraph, start, end)
        position += length
    out, position = [], 0
    for run in paragraph_runs(paragraph):
        length = sum(_width(c) for c in run)
        if start <= position and position + length <= end and length:
            out.append(run)
        position += length
    return out


def _with_edges(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a found span by the punctuation the quote has at its edges (find_quote
    ignores it), so a replaced sentence takes its full stop with it."""
    lead = quote[: len(quote) - len(quote.lstrip(_EDGE))].strip()
    trail = quote[len(quote.rstrip(_EDGE)) :].strip()
    if trail and text[end : end + len(trail)] == trail:
        end += len(trail)
    if lead and text[max(0, start - len(lead)) : start] == lead:
        start -= len(lead)
    return start, end


def holding(body: Any, quote: str) -> list[Any]:
    """The paragraphs of ``body`` whose text holds ``quote``, in reading order."""
    return [
        paragraph
        for paragraph in body.iter(f"{W}p")
        if len(text := paragraph_text(paragraph)) >= len(quote) // 2 and find_quote(quote, text)
    ]


def span_in(paragraph: Any, quote: str) -> Span | None:
    """``quote`` in ``paragraph``, with the runs that hold it split out; None if absent."""
    text = paragraph_text(paragraph)
    found = find_quote(quote, text)
    if found is None:
        return None
    return Span(paragraph, _isolate(paragraph, *_with_edges(quote, text, *found)))


@dataclass(frozen=True)
class Mark:
    """Who and when, for every tracked change and comment of one redline."""

    author: str
    date: str

    def attrs(self, ident: int) -> dict[str, str]:
        return {"id": str(ident), "author": self.author, "date": self.date}


def new_run(text: str, like: Any | None = None) -> Any:
    """A run of ``text`` formatted like the run ``like`` (its w:rPr, without change marks)."""
    run = w("r")
    if like is not None and (props := like.find(f"{W}rPr")) is not None:
        props = copy.deepcopy(props)
        for change in props.findall(f"{W}rPrChange"):
            props.remove(change)
        run.append(props)
    run.append(w("t", text=text))
    return run


def delete_runs(span: Span, mark: Mark, ident: int) -> Any:
    """Wrap the span's runs in ``w:del`` (their text becomes w:delText); returns it."""
    deleted = w("del", mark.attrs(ident))
    span.runs[0].addprevious(deleted)
    for run in span.runs:
        for text in run.findall(f"{W}t"):
            text.tag = f"{W}delText"
        deleted.append(run)
    return deleted


def inserted(runs: list[Any], mark: Mark, ident: int) -> Any:
    element = w("ins", mark.attrs(ident))
    for run in runs:
        element.append(run)
    return element


def comment_reference(ident: int) -> Any:
    run = w("r")
    run.append(w("commentReference", {"id": str(ident)}))
    return run


def top_level(node: Any, paragraph: Any) -> Any:
    """The child of ``paragraph`` that holds ``node`` (a hyperlink, another's change...)."""
    while node.getparent() is not paragraph:
        node = node.getparent()
    return node


def anchor_comment(first: Any, last: Any, ident: int) -> None:
    """Comment range from before ``first`` to after ``last`` (siblings), then its mark."""
    first.addprevious(w("commentRangeStart", {"id": str(ident)}))
    end = w("commentRangeEnd", {"id": str(ident)})
    last.addnext(end)
    end.addnext(comment_reference(ident))


def comment(ident: int, mark: Mark, paragraphs: list[str]) -> Any:
    """A ``w:comment`` of plain paragraphs (the first carries the annotation mark)."""
    element = w("comment", mark.attrs(ident) | {"initials": _initials(mark.author)})
    for i, text in enumerate(paragraphs):
        paragraph = w("p")
        if i == 0:
            ref = w("r")
            ref.append(w("annotationRef"))
            paragraph.append(ref)
        paragraph.append(new_run(text))
        element.append(paragraph)
    return element


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[:1].isalnum())[:4] or "CR"


def max_id(*roots: Any) -> int:
    """The largest numeric w:id in ``roots`` (tracked changes, comments, bookmarks)."""
    best = 0
    for root in roots:
        for node in root.iter():
            value = node.get(f"{W}id") if isinstance(node.tag, str) else None
            if value is not None and value.lstrip("-").isdigit():
                best = max(best, int(value))
    return best
