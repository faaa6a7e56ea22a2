"""Key recipes: canonical associated data, Argon2id floors and tuning."""

from __future__ import annotations

import itertools

from app.vault import crypto


def test_aad_is_length_prefixed_so_field_boundaries_cannot_shift() -> None:
    assert crypto.encode_aad(["ab", "c"]) != crypto.encode_aad(["a", "bc"])
    assert crypto.encode_aad(["x"]) == crypto.AAD_DOMAIN + b"\x00\x00\x00\x01x"


def test_floors_refuse_weak_and_absurd_parameters() -> None:
    ok = crypto.Argon2Params(crypto.ARGON2_MIN_MEMORY_KIB, crypto.ARGON2_MIN_ITERATIONS, 4)
    assert ok.check_floors() is None
    assert crypto.Argon2Params(65536, 3, 4).check_floors() is not None
    assert crypto.Argon2Params(262144, 1, 4).check_floors() is not None
    assert crypto.Argon2Params(262144, 1000, 4).check_floors() is not None
    assert crypto.Argon2Params(262144, 2, 0).check_floors() is not None


def test_tuning_raises_iterations_when_the_floor_is_too_fast() -> None:
    ticks = itertools.count(0.0, 0.4)  # each derivation "takes" 0.4 s on this fake clock
    params, key = crypto.tuned_argon2id("pw", b"s" * 16, clock=lambda: next(ticks))
    assert params.memory_kib == crypto.ARGON2_MIN_MEMORY_KIB
    assert params.iterations > crypto.ARGON2_MIN_ITERATIONS
    assert key == crypto.argon2id("pw", b"s" * 16, params)


def test_tuning_keeps_the_floor_when_it_is_already_slow_enough() -> None:
    ticks = itertools.count(0.0, 2.0)
    params, _ = crypto.tuned_argon2id("pw", b"s" * 16, clock=lambda: next(ticks))
    assert params.iterations == crypto.ARGON2_MIN_ITERATIONS


def test_wipe_zeroes_in_place() -> None:
    key = crypto.random_key()
    crypto.wipe(key)
    assert key == bytearray(32)


def test_passphrases_are_nfc_normalised() -> None:
    assert crypto.normalise_passphrase("caf\u00e9") == crypto.normalise_passphrase("cafe\u0301")
