"""The OCR evaluation's edit distance (bit-parallel) agrees with the textbook table."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.eval.eval_ocr import edit_distance


def table_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@given(st.text(alphabet="abc ,.", max_size=40), st.text(alphabet="abcd ,.", max_size=40))
def test_matches_the_dynamic_programming_table(a: str, b: str) -> None:
    assert edit_distance(a, b) == table_distance(a, b)


def test_known_values() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3 and edit_distance("abc", "") == 3
    assert edit_distance("Section 12.3", "Secti0n 12.3") == 1
    long = "the Licensee shall pay " * 200  # wider than a machine word
    assert edit_distance(long, long.replace("pay", "pav", 3)) == 3
