"""Recovery keys: printable, forgiving of case and spacing, and typo-detecting."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.vault import recovery_key
from app.vault.errors import MistypedRecoveryKeyError


def test_format_is_nine_groups_of_four_and_round_trips() -> None:
    raw, text = recovery_key.new_key()
    groups = text.split("-")
    assert len(groups) == 9 and all(len(g) == 4 for g in groups)
    assert recovery_key.parse_key(text) == raw
    assert len(raw) * 8 >= 128


def test_case_spacing_and_lookalikes_are_accepted() -> None:
    raw = bytes(range(20))
    text = recovery_key.format_key(raw)
    sloppy = " ".join(text.lower().split("-"))
    assert recovery_key.parse_key(sloppy) == raw
    assert recovery_key.parse_key(text.replace("0", "O").replace("1", "I")) == raw


def test_every_sampled_single_character_typo_is_reported_as_mistyped() -> None:
    rng = random.Random(1234)
    for _ in range(300):
        raw = bytes(rng.randrange(256) for _ in range(20))
        chars = list(recovery_key.format_key(raw).replace("-", ""))
        i = rng.randrange(len(chars))
        chars[i] = rng.choice([c for c in recovery_key.ALPHABET if c != chars[i]])
        with pytest.raises(MistypedRecoveryKeyError):
            recovery_key.parse_key("".join(chars))


@pytest.mark.parametrize(
    "text",
    ["", "ABCD-EFGH", "UUUU-" * 8 + "UUUU", "AAAA-" * 9 + "AAAA"],
)
def test_malformed_keys_are_mistyped(text: str) -> None:
    with pytest.raises(MistypedRecoveryKeyError) as info:
        recovery_key.parse_key(text)
    assert info.value.exit_code == 2


@given(st.binary(min_size=20, max_size=20))
def test_any_key_round_trips_through_its_printed_form(raw: bytes) -> None:
    text = recovery_key.format_key(raw)
    assert recovery_key.parse_key(text) == raw
    assert recovery_key.parse_key(text.lower().replace("-", " ")) == raw
