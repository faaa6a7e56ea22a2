"""GBNF text the engine may hand llama.cpp: literals escaped correctly, grammars checked.

Why this exists: llama-cpp-python's JSON-Schema converter escapes ``"`` in a literal but
not ``\\``, so an enum option such as ``(hereinafter "Confidential Information")`` (whose
JSON text is ``"... \\"Confidential Information\\" ..."``) becomes a literal that ends in
the middle. llama.cpp's grammar parser then fails, ``llama_sampler_init_grammar`` returns
NULL, the bindings add the NULL sampler anyway and the process dies at the first token.

Two defences live here, both pure Python (no llama_cpp import, so they are cheap to test):

- :func:`literal` and :func:`json_literal` write any text as a GBNF string literal that
  llama.cpp reads back as exactly that text. The output is plain printable ASCII: quotes
  and backslashes are escaped, everything else outside ``0x20..0x7E`` becomes a
  ``\\x``/``\\u``/``\\U`` escape, so neither raw control bytes nor a UTF-8 decoder stand
  between the text and the grammar.
- :func:`check` parses a grammar the way llama.cpp's ``llama_grammar_parser`` does (same
  syntax, same repetition limits, undefined rules, a missing root, left recursion) and
  raises :class:`GrammarError` instead of letting the native side fail. The structure it
  returns (rules of ``(kind, value)`` elements) lets tests prove a literal round-trips.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from typing import Any

# llama.cpp's MAX_REPETITION_THRESHOLD (src/llama-grammar.cpp).
MAX_REPETITION = 2000
# Groups nest one parser call deep each; llama.cpp refuses about 1000 levels anyway.
MAX_NESTING = 20_000
_SURROGATE = re.compile("[\ud800-\udfff]")
_recursion_lock = threading.Lock()

# Element kinds, as llama.cpp's llama_gretype.
END, ALT, RULE_REF, CHAR, CHAR_NOT, CHAR_RNG_UPPER, CHAR_ALT, CHAR_ANY = range(8)
Element = tuple[int, int]


class GrammarError(ValueError):
    """A grammar llama.cpp would refuse (or a value that cannot be written as one)."""


def json_text(value: Any) -> str:
    """The JSON text the model must emit for ``value``: ASCII only.

    Non-ASCII characters are written as ``\\uXXXX`` escapes. llama.cpp's grammar matches
    code points and accepts some overlong UTF-8 byte sequences for them (``F0 81 80 80``
    for U+1000); such bytes decode to nothing, and the answer would silently stop being
    one of the options. An ASCII literal leaves no byte sequence to choose. NaN and the
    infinities, which are not JSON, are refused.
    """
    try:
        return json.dumps(value, ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise GrammarError(f"A {type(value).__name__} cannot be written as JSON: {exc}.") from exc


def literal(text: str) -> str:
    """``text`` as a GBNF string literal that llama.cpp decodes back to exactly ``text``."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif 0xD800 <= code <= 0xDFFF:
            raise GrammarError(f"U+{code:04X} is a lone surrogate; no model output can contain it.")
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def json_literal(value: Any) -> str:
    """A GBNF literal that admits exactly the JSON text of ``value`` (an enum or const)."""
    return literal(json_text(value))


def check(grammar: str, root: str = "root") -> dict[str, list[Element]]:
    """Parse ``grammar`` as llama.cpp would; return its named rules or raise GrammarError."""
    if "\x00" in grammar:
        raise GrammarError(_where(grammar, grammar.index("\x00"), "a NUL character"))
    if _SURROGATE.search(grammar):
        raise GrammarError("The grammar holds a lone surrogate, which has no UTF-8 form.")
    depth = grammar.count("(")
    if depth > MAX_NESTING:
        raise GrammarError(f"The grammar nests over {MAX_NESTING} groups.")
    parser = _Parser(grammar)
    with _recursion_lock:  # the limit is process-wide: one deep parse at a time
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * depth + 1000))  # a bounded string nests deeply
        try:
            parser.parse()
        except RecursionError as exc:
            raise GrammarError("The grammar nests too deeply to check.") from exc
        finally:
            sys.setrecursionlimit(limit)
    if root not in parser.symbols:
        raise GrammarError(f"The grammar has no {root!r} rule.")
    parser.check_left_recursion()
    return {name: parser.rules[i] for name, i in parser.symbols.items() if i < len(parser.rules)}


def _where(text: str, pos: int, what: str) -> str:
    """Line and column only: a grammar may hold document text, which errors must not echo."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"Grammar error at line {line}, column {column}: {what}."


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "-")


class _Parser:
    """A line-by-line port of ``llama_grammar_parser`` (parse, repetitions, validation)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.symbols: dict[str, int] = {}
        self.rules: list[list[Element]] = []

    # -- helpers --------------------------------------------------------------------
    def fail(self, pos: int, what: str) -> GrammarError:
        return GrammarError(_where(self.text, pos, what))

    def at(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def space(self, pos: int, newline_ok: bool) -> int:
        while (ch := self.at(pos)) and (ch in " \t#" or (newline_ok and ch in "\r\n")):
            if ch == "#":
                while self.at(pos) and self.at(pos) not in "\r\n":
                    pos += 1
            else:
                pos += 1
        return pos

    def name_end(self, pos: int) -> int:
        end = pos
        while _is_word(self.at(end)):
            end += 1
        if end == pos:
            raise self.fail(pos, "expecting a rule name")
        return end

    def int_end(self, pos: int) -> int:
        end = pos
        while self.at(end).isascii() and self.at(end).isdigit():
            end += 1
        if end == pos:
            raise self.fail(pos, "expecting an integer")
        return end

    def symbol(self, name: str) -> int:
        return self.symbols.setdefault(name, len(self.symbols))

    def new_symbol(self, base: str) -> int:
        next_id = len(self.symbols)
        self.symbols[f"{base}_{next_id}"] = next_id
        return next_id

    def add_rule(self, rule_id: int, rule: list[Element]) -> None:
        while len(self.rules) <= rule_id:
            self.rules.append([])
        self.rules[rule_id] = rule

    def char(self, pos: int) -> tuple[int, int]:
        ch = self.at(pos)
        if ch == "\\":
            esc = self.at(pos + 1)
            sizes = {"x": 2, "u": 4, "U": 8}
            if esc in sizes:
                digits = self.text[pos + 2 : pos + 2 + sizes[esc]]
                if len(digits) != sizes[esc] or not re.fullmatch("[0-9a-fA-F]+", digits):
                    raise self.fail(pos, f"expecting {sizes[esc]} hex digits after \\{esc}")
                return int(digits, 16), pos + 2 + sizes[esc]
            simple = {"t": "\t", "r": "\r", "n": "\n", "\\": "\\", '"': '"'}
            simple.update({"[": "[", "]": "]", "-": "-"})
            if esc in simple:
                return ord(simple[esc]), pos + 2
            raise self.fail(pos, "unknown escape")
        if ch:
            return ord(ch), pos + 1
        raise self.fail(pos, "unexpected end of input")

    # -- grammar --------------------------------------------------------------------
    def parse(self) -> None:
        pos = self.space(0, True)
        while pos < len(self.text):
            pos = self.rule(pos)
        for i, rule in enumerate(self.rules):
            if not rule:
                raise GrammarError(
                    f"The grammar uses rule {self.name_of(i)!r} but never defines it."
                )
            for kind, value in rule:
                if kind == RULE_REF and (value >= len(self.rules) or not self.rules[value]):
                    raise GrammarError(
                        f"The grammar uses rule {self.name_of(value)!r} but never defines it."
                    )
        if not self.rules:
            raise GrammarError("The grammar is empty.")

    def name_of(self, rule_id: int) -> str:
        return next((n for n, i in self.symbols.items() if i == rule_id), str(rule_id))

    def rule(self, pos: int) -> int:
        end = self.name_end(pos)
        name = self.text[pos:end]
        pos = self.space(end, False)
        rule_id = self.symbol(name)
        if self.text[pos : pos + 3] != "::=":
            raise self.fail(pos, "expecting ::=")
        pos = self.alternates(self.space(pos + 3, True), name, rule_id, False)
        if self.at(pos) == "\r":
            pos += 2 if self.at(pos + 1) == "\n" else 1
        elif self.at(pos) == "\n":
            pos += 1
        elif self.at(pos):
            raise self.fail(pos, "expecting newline or end")
        return self.space(pos, True)

    def alternates(self, pos: int, name: str, rule_id: int, nested: bool) -> int:
        rule: list[Element] = []
        pos = self.sequence(pos, name, rule, nested)
        while self.at(pos) == "|":
            rule.append((ALT, 0))
            pos = self.sequence(self.space(pos + 1, True), name, rule, nested)
        rule.append((END, 0))
        self.add_rule(rule_id, rule)
        return pos

    def sequence(self, pos: int, name: str, rule: list[Element], nested: bool) -> int:
        last = len(rule)
        n_prev = 1

        def repeat(at: int, low: int, high: int | None) -> None:
            nonlocal n_prev
            if last == len(rule):
                raise self.fail(at, "expecting an item before */+/?/{")
            prev = rule[last:]
            total = high if high is not None and high > 0 else (low if low > 0 else 1)
            if n_prev * total > MAX_REPETITION:
                raise self.fail(at, f"the repetition expands to over {MAX_REPETITION} rules")
            if low == 0:
                del rule[last:]
            else:
                for _ in range(1, low):
                    rule.extend(prev)
            last_rec = 0
            n_opt = 1 if high is None else high - low
            for i in range(n_opt):
                rec_id = self.new_symbol(name)
                rec = list(prev)
                if i > 0 or high is None:
                    rec.append((RULE_REF, rec_id if high is None else last_rec))
                rec += [(ALT, 0), (END, 0)]
                self.add_rule(rec_id, rec)
                last_rec = rec_id
            if n_opt > 0:
                rule.append((RULE_REF, last_rec))
            n_prev *= total

        while pos < len(self.text):
            ch = self.text[pos]
            if ch == '"':
                pos += 1
                last, n_prev = len(rule), 1
                while self.at(pos) != '"':
                    if not self.at(pos):
                        raise self.fail(pos, "unexpected end of input inside a literal")
                    code, pos = self.char(pos)
                    rule.append((CHAR, code))
                pos = self.space(pos + 1, nested)
            elif ch == "[":
                pos += 1
                start = CHAR
                if self.at(pos) == "^":
                    pos, start = pos + 1, CHAR_NOT
                last, n_prev = len(rule), 1
                while self.at(pos) != "]":
                    if not self.at(pos):
                        raise self.fail(pos, "unexpected end of input inside [...]")
                    code, pos = self.char(pos)
                    rule.append((CHAR_ALT if last < len(rule) else start, code))
                    if self.at(pos) == "-" and self.at(pos + 1) != "]":
                        if not self.at(pos + 1):
                            raise self.fail(pos, "unexpected end of input inside [...]")
                        code, pos = self.char(pos + 1)
                        rule.append((CHAR_RNG_UPPER, code))
                pos = self.space(pos + 1, nested)
            elif ch in "<!":
                raise self.fail(pos, "token references are not used by Chambers grammars")
            elif _is_word(ch):
                end = self.name_end(pos)
                ref = self.symbol(self.text[pos:end])
                pos = self.space(end, nested)
                last, n_prev = len(rule), 1
                rule.append((RULE_REF, ref))
            elif ch == "(":
                pos = self.space(pos + 1, True)
                before = len(self.symbols)
                sub_id = self.new_symbol(name)
                pos = self.alternates(pos, name, sub_id, True)
                n_prev = max(1, len(self.symbols) - before)
                last = len(rule)
                rule.append((RULE_REF, sub_id))
                if self.at(pos) != ")":
                    raise self.fail(pos, "expecting ')'")
                pos = self.space(pos + 1, nested)
            elif ch == ".":
                last, n_prev = len(rule), 1
                rule.append((CHAR_ANY, 0))
                pos = self.space(pos + 1, nested)
            elif ch in "*+?":
                at, pos = pos, self.space(pos + 1, nested)
                repeat(at, *{"*": (0, None), "+": (1, None), "?": (0, 1)}[ch])
            elif ch == "{":
                at = pos
                pos = self.space(pos + 1, nested)
                if not (self.at(pos).isascii() and self.at(pos).isdigit()):
                    raise self.fail(pos, "expecting an integer")
                end = self.int_end(pos)
                low, high = int(self.text[pos:end]), None
                pos = self.space(end, nested)
                if self.at(pos) == "}":
                    high = low
                    pos = self.space(pos + 1, nested)
                elif self.at(pos) == ",":
                    pos = self.space(pos + 1, nested)
                    if self.at(pos).isascii() and self.at(pos).isdigit():
                        end = self.int_end(pos)
                        high = int(self.text[pos:end])
                        pos = self.space(end, nested)
                    if self.at(pos) != "}":
                        raise self.fail(pos, "expecting '}'")
                    pos = self.space(pos + 1, nested)
                else:
                    raise self.fail(pos, "expecting ','")
                if low > MAX_REPETITION:
                    raise self.fail(at, f"more than {MAX_REPETITION} repetitions")
                if high is not None and high < low:
                    raise self.fail(at, f"{{{low},{high}}} has its bounds the wrong way round")
                if high is not None and high > MAX_REPETITION:
                    high = None  # llama.cpp silently drops an over-large upper bound
                repeat(at, low, high)
            else:
                break
        return pos

    def check_left_recursion(self) -> None:
        """llama.cpp refuses left-recursive grammars at init; refuse them here first.

        The same walk as ``llama_grammar_detect_left_recursion`` (into the leftmost rule
        reference, and on past it while it may be empty), iterative because a bounded
        repetition is a chain of up to 2000 generated rules.
        """
        count = len(self.rules)
        done, active, may_be_empty = [False] * count, [False] * count, [False] * count

        def enter(index: int) -> list[int]:
            active[index] = True
            at_start = True
            for kind, _ in self.rules[index]:
                if kind in (END, ALT):
                    if at_start:
                        may_be_empty[index] = True
                        break
                    at_start = True
                else:
                    at_start = False
            return [index, 0, 1]  # rule, next element, still at a leftmost position

        for top in range(count):
            if done[top]:
                continue
            stack = [enter(top)]
            while stack:
                frame = stack[-1]
                index, i, leftmost = frame
                rule = self.rules[index]
                if i == len(rule):
                    active[index], done[index] = False, True
                    stack.pop()
                    if stack and not may_be_empty[index]:
                        stack[-1][2] = 0
                    continue
                frame[1] = i + 1
                kind, value = rule[i]
                if kind == RULE_REF and leftmost:
                    if active[value]:
                        raise GrammarError(
                            f"The grammar is left-recursive at rule {self.name_of(value)!r}."
                        )
                    if done[value]:
                        frame[2] = int(may_be_empty[value])
                    else:
                        stack.append(enter(value))
                elif kind in (END, ALT):
                    frame[2] = 1
                else:
                    frame[2] = 0
