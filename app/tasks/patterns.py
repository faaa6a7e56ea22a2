"""Cue patterns from playbooks and field sets: checked when loaded, bounded when matched.

A firm writes cue patterns by hand, and a backtracking regular-expression engine can
spend exponential time on one: ``(\\w+\\s?)+$`` on an ordinary sentence runs for longer
than anyone waits, and while it runs the task never reaches its next cancel check.
Two independent defences:

- **at load time** ``pattern_problem`` refuses a pattern longer than
  ``MAX_PATTERN_CHARS``, and the shapes that backtrack exponentially, read from the
  pattern's syntax tree: a repeat (``+``, ``*``, ``{n,}`` or more than
  ``MAX_BOUNDED_REPEAT`` times) around another repeat (``(x+)+``, ``(x*)*``,
  ``(\\w+\\s?)+``), or around alternatives that can match the same text (``(a|a)*``,
  ``(\\w|\\d)+``). The loaders name the file and the statement or field at fault;
  every built-in pattern passes (tests/unit/test_cue_patterns.py).
- **at match time** every cue is matched with the ``regex`` engine under a time
  budget: ``CueBudget`` gives each pattern ``BUDGET_S`` seconds per document in all,
  and a pattern that needs more stops the task with an error naming the pattern and
  its file (a slow pattern the static check cannot see, such as a long chain of
  overlapping ``\\w+``). No single match can therefore outlast the budget, and the
  task's cancel token (tripped by Ctrl-C or Cancel) is checked before every match, so
  Ctrl-C is answered within it. (Where Ctrl-C raises KeyboardInterrupt instead, the
  ``regex`` engine lets it through mid-match.)
"""

from __future__ import annotations

import importlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

import regex

from app.cancel import CancelToken
from app.errors import ChambersError

#: Longer patterns are refused: a cue is a phrase of the law's language, not a program.
MAX_PATTERN_CHARS = 500
#: A bounded repeat up to this many times may hold another repeat (``(\w+\s+){0,5}``).
MAX_BOUNDED_REPEAT = 10
#: Seconds one pattern may spend on one document, all its sentences together.
BUDGET_S = 2.0

_FLAGS = regex.IGNORECASE | regex.VERSION0


class CueTimeoutError(ChambersError):
    default_hint = (
        "Simplify the pattern (avoid a repeated group holding another repeat, such as "
        "(\\w+\\s?)+), or remove it from the file."
    )


@dataclass(frozen=True, eq=False)
class CuePattern:
    """A compiled cue with where it came from ("playbook nda.json, statement 3 (id) topic")."""

    pattern: str
    origin: str
    compiled: Any = field(repr=False)

    def search(self, text: str, timeout: float = BUDGET_S) -> Any:
        """The first match in ``text`` (or None); CueTimeoutError past ``timeout`` seconds."""
        try:
            return self.compiled.search(text, timeout=timeout)
        except TimeoutError:
            raise CueTimeoutError(
                f"The cue pattern '{self.pattern[:80]}' ({self.origin}) took longer than "
                f"{BUDGET_S:g} s on one document and was stopped."
            ) from None


def compile_cue(pattern: str, origin: str) -> CuePattern:
    """Check and compile one cue (case-insensitive); ValueError says what is wrong."""
    problem = pattern_problem(pattern)
    if problem is not None:
        raise ValueError(problem)
    try:
        compiled = regex.compile(pattern, _FLAGS)
    except regex.error as exc:
        raise ValueError(f"it is not a valid regular expression ({exc})") from None
    return CuePattern(pattern, origin, compiled)


class CueBudget:
    """Time left to each pattern on one document (make one per document).

    ``cancel`` is checked before every match, and a match stopped by the budget after
    Ctrl-C or Cancel ends the task as cancelled, not as a faulty pattern.
    """

    def __init__(self, seconds: float = BUDGET_S, cancel: CancelToken | None = None) -> None:
        self._seconds = seconds
        self._cancel = cancel
        self._used: dict[int, float] = {}

    def search(self, cue: CuePattern, text: str) -> Any:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        used = self._used.get(id(cue), 0.0)
        start = time.monotonic()
        try:
            return cue.search(text, timeout=max(self._seconds - used, 0.001))
        except CueTimeoutError:
            if self._cancel is not None:
                self._cancel.raise_if_cancelled()
            raise
        finally:
            self._used[id(cue)] = used + time.monotonic() - start

    def any(self, cues: tuple[CuePattern, ...], text: str) -> bool:
        return any(self.search(cue, text) is not None for cue in cues)


# -- the static check ---------------------------------------------------------------------

#: The stdlib's own pattern parser and its node names (Python >= 3.11; untyped).
_p: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_ATOMS = {_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN}
#: Characters tried when asking whether two single-character atoms can match alike.
_ALPHABET = [chr(i) for i in range(0x250)] + list("\u2013\u2014\u2018\u2019\u201c\u201d\u00a0")


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused as a cue, or None when it passes."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"it is {len(pattern)} characters long, over the limit of {MAX_PATTERN_CHARS}"
    try:
        tree = _p.parse(pattern, re.IGNORECASE)
    except re.error as exc:
        return f"it is not a valid regular expression ({exc})"
    return _problem(list(tree), outer=None)


def _children(op: Any, av: Any) -> list[list[Any]]:
    """The sub-sequences of one node."""
    if op in _REPEATS:
        return [list(av[2])]
    if op is _c.SUBPATTERN:
        return [list(av[3])]
    if op is _c.BRANCH:
        return [list(alt) for alt in av[1]]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [list(av[1])]
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return [list(av)]
    if op is _c.GROUPREF_EXISTS:
        return [list(av[1])] + ([list(av[2])] if av[2] is not None else [])
    return []


def _problem(seq: list[Any], outer: Any) -> str | None:
    """Walk the tree; ``outer`` is the enclosing unbounded repeat's node, if any."""
    for op, av in seq:
        if op in _REPEATS and av[1] > 1 and outer is not None:
            return (
                "it repeats a group that holds another repeat, e.g. (x+)+, which can take forever"
            )
        if op is _c.BRANCH and outer is not None:
            alternatives = [list(alt) for alt in av[1]]
            for i, first in enumerate(alternatives):
                for second in alternatives[i + 1 :]:
                    if _may_overlap(first, second):
                        return (
                            "it repeats alternatives that can match the same text, "
                            "e.g. (a|a)*, which can take forever"
                        )
        inner = outer
        if op in _REPEATS and av[1] > MAX_BOUNDED_REPEAT:
            inner = (op, av)
        for child in _children(op, av):
            found = _problem(child, inner)
            if found is not None:
                return found
    return None


def _flatten(seq: list[Any]) -> list[Any]:
    """Plain groups opened, so (?:ab)c reads as a b c."""
    out: list[Any] = []
    for op, av in seq:
        if op is _c.SUBPATTERN:
            out.extend(_flatten(list(av[3])))
        else:
            out.append((op, av))
    return out


def _may_overlap(first: list[Any], second: list[Any]) -> bool:
    """Whether two alternatives may match the same text: compared atom by atom, they
    are told apart only by a position where no character matches both."""
    a, b = _flatten(first), _flatten(second)
    for x, y in zip(a, b, strict=False):
        if x[0] not in _ATOMS or y[0] not in _ATOMS:
            return True  # a repeat, a group reference...: assume the worst
        if not any(_accepts(x, ch) and _accepts(y, ch) for ch in _ALPHABET):
            return False
    return True  # one is a prefix of the other


def _accepts(atom: Any, ch: str) -> bool:
    op, av = atom
    if op is _c.LITERAL:
        return chr(av).casefold() == ch.casefold()
    if op is _c.NOT_LITERAL:
        return chr(av).casefold() != ch.casefold()
    if op is _c.ANY:
        return ch != "\n"
    negate = hit = False
    for item_op, item in av:
        if item_op is _c.NEGATE:
            negate = True
        elif item_op is _c.LITERAL:
            hit = hit or chr(item).casefold() == ch.casefold()
        elif item_op is _c.RANGE:
            low, high = item
            hit = hit or any(low <= ord(c) <= high for c in {ch, ch.lower(), ch.upper()})
        elif item_op is _c.CATEGORY:
            hit = hit or _in_category(item, ch)
        else:
            hit = True  # anything unusual: assume it matches
    return hit != negate


def _in_category(category: Any, ch: str) -> bool:
    word = ch.isalnum() or ch == "_"
    table = {
        _c.CATEGORY_DIGIT: ch.isdigit(),
        _c.CATEGORY_NOT_DIGIT: not ch.isdigit(),
        _c.CATEGORY_SPACE: ch.isspace(),
        _c.CATEGORY_NOT_SPACE: not ch.isspace(),
        _c.CATEGORY_WORD: word,
        _c.CATEGORY_NOT_WORD: not word,
    }
    return table.get(category, True)
