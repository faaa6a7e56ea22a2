"""Argon2id caps: an edited vault.json cannot make one unlock attempt take minutes.

Before issue 14 the caps were 4 GiB and 64 passes: one attempt took about 300 s. Now
memory x passes is capped at 12 passes over 256 MiB, refused before any derivation.
"""

from __future__ import annotations

import os
import time

import pytest

from app.vault import WeakKdfParametersError, crypto, open_info, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.unit.test_vault_header import _rewrite


def test_caps_bound_the_work_of_one_derivation() -> None:
    p = crypto.Argon2Params
    assert p(4 * 1024 * 1024, 64, 4).check_floors() is not None  # the old caps
    assert p(1024 * 1024, 4, 4).check_floors() is not None  # 1 GiB x 4 passes
    assert p(262144, 13, 4).check_floors() is not None
    assert p(2 * 1024 * 1024, 2, 4).check_floors() is not None
    assert p(262144, crypto.ARGON2_MAX_ITERATIONS, 4).check_floors() is None
    assert p(1024 * 1024, 3, 4).check_floors() is None
    biggest = crypto.ARGON2_MAX_WORK_KIB
    assert biggest <= crypto.ARGON2_MIN_MEMORY_KIB * 12


@pytest.mark.parametrize(("memory_kib", "iterations"), [(4 * 1024 * 1024, 64), (1048576, 8)])
def test_excessive_parameters_are_refused_quickly(
    ready_vault: Ready, memory_kib: int, iterations: int
) -> None:
    path = ready_vault.info.path / "vault.json"

    def inflate(obj: dict) -> None:  # type: ignore[type-arg]
        for slot in obj["slots"]:
            if slot["type"] == "passphrase":
                slot["kdf"]["memory_kib"] = memory_kib
                slot["kdf"]["iterations"] = iterations

    _rewrite(path, inflate)
    start = time.perf_counter()
    with pytest.raises(WeakKdfParametersError) as caught:
        unlock(ready_vault.info, passphrase=PASSPHRASE)
    # one derivation at these settings takes tens of seconds to minutes; the refusal comes
    # before any, so even a loaded machine answers far inside this ceiling
    assert time.perf_counter() - start < 10.0
    assert "caps" in caught.value.message and caught.value.exit_code == 3
    with pytest.raises(WeakKdfParametersError):
        open_info(ready_vault.info.path)


def test_one_derivation_at_the_caps_stays_under_ten_seconds() -> None:
    """The heaviest accepted corner (1 GiB x 3 passes), in CPU seconds of this process.

    CPU time, not wall time: on a shared test machine wall time mostly measures the other
    jobs. On an idle machine the derivation (single-threaded) takes about its CPU time.
    """
    params = crypto.Argon2Params(1024 * 1024, 3, crypto.ARGON2_LANES)
    assert params.check_floors() is None
    start = time.process_time()
    crypto.wipe(crypto.argon2id("a passphrase", os.urandom(16), params))
    elapsed = time.process_time() - start
    assert elapsed < 10.0, f"one unlock at the caps took {elapsed:.1f} CPU seconds"
