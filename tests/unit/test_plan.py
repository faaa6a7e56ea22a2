"""The offload planner, on made-up machines: no GPU, big GPU, small GPU, tiny GPU, tiny RAM."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.engine.hardware import Device, Hardware
from app.engine.plan import (
    DEFAULT_CONTEXT,
    HOST_OVERHEAD,
    MIN_CONTEXT,
    GiB,
    MiB,
    compute_buffer_bytes,
    kv_cache_bytes,
    make_plan,
)
from app.errors import ModelTooLargeError
from app.models.gguf_header import GGUFInfo, read_gguf_header
from tests.fixtures.tiny_gguf import tiny_gguf

__all__ = ["tiny_gguf"]  # the fixture is used by name

WEIGHTS_8B = 4_920_000_000
CPU_DEVICE = Device("CPU", "Test CPU", "CPU", "CPU", 0, 0)


def llama_8b(**overrides: int) -> GGUFInfo:
    """Header numbers of Llama-3-8B at Q4_K_M, without the file."""
    metadata: dict[str, int | float | bool | str] = {
        "general.architecture": "llama",
        "general.name": "Llama 8B",
        "llama.block_count": 32,
        "llama.embedding_length": 4096,
        "llama.attention.head_count": 32,
        "llama.attention.head_count_kv": 8,
        "llama.context_length": 8192,
    }
    metadata.update({f"llama.{k}": v for k, v in overrides.items()})
    return GGUFInfo(
        path=Path("/models/llama-8b-q4_k_m.gguf"),
        version=3,
        file_size=WEIGHTS_8B,
        metadata=metadata,
        array_lengths={"tokenizer.ggml.tokens": 128256},
    )


def machine(
    ram: float, gpu: tuple[float, float] | None = None, *, backend: str = "CUDA", usable: int = 8
) -> Hardware:
    """``ram`` GiB available; ``gpu`` = (free GiB, total GiB) of one GPU."""
    devices = [CPU_DEVICE]
    if gpu is not None:
        free, total = gpu
        devices.append(
            Device("RTX", "NVIDIA RTX test", "GPU", backend, int(free * GiB), int(total * GiB))
        )
    return Hardware(
        backend=backend if gpu is not None else "CPU",
        gpu_offload=gpu is not None,
        devices=devices,
        ram_total=int(ram * GiB) + GiB,
        ram_available=int(ram * GiB),
        cpu_logical=16,
        cpu_usable=usable,
    )


# --- arithmetic ----------------------------------------------------------------------------


def test_kv_cache_bytes_by_hand() -> None:
    info = llama_8b()
    assert info.kv_width == 128 * 8  # head_dim 4096/32 = 128, 8 KV heads
    # K and V, 32 layers, 1024 elements per token per layer, 8192 tokens, 2 bytes each
    assert kv_cache_bytes(info, 8192, "f16") == 2 * 32 * 1024 * 8192 * 2 == GiB
    # q8_0: 34 bytes per block of 32 elements
    assert kv_cache_bytes(info, 8192, "q8_0") == 2 * 32 * 1024 * 8192 * 34 // 32 == 544 * MiB
    assert kv_cache_bytes(info, 2048, "q8_0") == 142_606_336


def test_kv_cache_bytes_uses_key_length_when_present() -> None:
    info = llama_8b(**{"attention.key_length": 256, "attention.head_count_kv": 1})
    assert info.kv_width == 256
    assert kv_cache_bytes(info, 1000, "f16") == 2 * 32 * 256 * 1000 * 2


def test_kv_cache_bytes_of_tiny_file(tiny_gguf: Path) -> None:
    info = read_gguf_header(tiny_gguf)
    # 2 layers, head_dim 64/4 = 16, 2 KV heads
    assert kv_cache_bytes(info, 2048, "f16") == 2 * 2 * 32 * 2048 * 2 == 524_288


def test_compute_buffer_by_hand() -> None:
    assert compute_buffer_bytes(llama_8b()) == 64 * MiB + 512 * (4096 * 16 + 128256 * 4)


# --- the scenarios -------------------------------------------------------------------------


def test_cpu_only_with_plenty_of_ram() -> None:
    plan = make_plan(llama_8b(), machine(32))
    assert plan.n_gpu_layers == 0
    assert not plan.on_gpu
    assert plan.backend == "CPU"
    assert plan.device == "CPU"
    assert plan.n_ctx == DEFAULT_CONTEXT
    assert plan.type_k == plan.type_v == "f16"
    assert plan.n_threads == 8
    assert plan.gpu_bytes == 0
    assert plan.ram_bytes == HOST_OVERHEAD + WEIGHTS_8B + GiB + compute_buffer_bytes(llama_8b())
    assert plan.notes == []
    assert plan.summary() == "CPU (8 threads), context 8192, KV f16"


def test_tiny_model_on_cpu(tiny_gguf: Path) -> None:
    info = read_gguf_header(tiny_gguf)
    plan = make_plan(info, machine(8))
    assert plan.n_gpu_layers == 0
    assert plan.backend == "CPU"
    assert plan.n_layers == 3  # 2 blocks + the output layer
    assert plan.n_ctx == 2048  # the model's own maximum
    assert plan.weights_bytes == tiny_gguf.stat().st_size


def test_tiny_model_fits_entirely_on_a_gpu(tiny_gguf: Path) -> None:
    plan = make_plan(read_gguf_header(tiny_gguf), machine(8, (7.5, 8)))
    assert plan.n_gpu_layers == plan.n_layers == 3
    assert plan.backend == "CUDA"


def test_24gb_gpu_takes_every_layer() -> None:
    plan = make_plan(llama_8b(), machine(32, (23, 24)))
    assert plan.n_gpu_layers == plan.n_layers == 33
    assert plan.on_gpu
    assert plan.backend == "CUDA"
    assert plan.device == "NVIDIA RTX test"
    assert plan.n_ctx == 8192
    assert plan.flash_attn
    assert plan.notes == []
    assert plan.gpu_bytes <= 23 * GiB - int(2.4 * GiB)
    assert plan.ram_bytes == HOST_OVERHEAD  # no weights in RAM, only the runtime
    assert plan.summary().startswith("CUDA 33/33 layers")


def test_6gb_gpu_offloads_part_of_the_model() -> None:
    plan = make_plan(llama_8b(), machine(16, (5.5, 6)))
    assert 0 < plan.n_gpu_layers < plan.n_layers
    assert plan.n_gpu_layers == 25  # (4.9 GiB budget - KV - compute) // (weights / 33)
    assert plan.backend == "CUDA"
    assert plan.gpu_bytes <= int(5.5 * GiB) - int(0.6 * GiB)
    assert any(f"Only {plan.n_gpu_layers} of 33 layers" in note for note in plan.notes), plan.notes
    assert (
        plan.gpu_bytes + plan.ram_bytes
        == HOST_OVERHEAD + WEIGHTS_8B + plan.kv_bytes + plan.compute_bytes
    )


def test_1gb_gpu_falls_back_to_cpu_and_says_so() -> None:
    plan = make_plan(llama_8b(), machine(16, (0.9, 1)))
    assert plan.n_gpu_layers == 0
    assert plan.backend == "CPU"
    assert plan.device == "CPU"
    assert plan.gpu_bytes == 0
    assert len(plan.notes) == 1
    assert "RTX" in plan.notes[0]
    assert "running on CPU" in plan.notes[0]
    assert "0.9 GiB" in plan.notes[0]


def test_4gb_ram_no_gpu_is_too_large_with_numbers() -> None:
    with pytest.raises(ModelTooLargeError) as caught:
        make_plan(llama_8b(), machine(4))
    message = caught.value.message
    # need = 0.25 GiB host + 4.92e9 weights + 142,606,336 KV (2048 tokens, q8_0)
    #      + 363,331,584 compute = 5,694,373,376 bytes = 5.30 GiB; budget = 3.0 GiB
    assert "llama-8b-q4_k_m.gguf" in message
    assert "about 5.3 GiB" in message
    assert "weights 4.6 GiB" in message
    assert "2048-token context" in message
    assert "only 3.0 GiB of RAM" in message
    assert "GPU" not in message
    assert caught.value.hint


def test_too_large_with_a_gpu_mentions_gpu_memory() -> None:
    with pytest.raises(ModelTooLargeError) as caught:
        make_plan(llama_8b(), machine(2, (1.5, 2)))
    assert "GiB of GPU memory" in caught.value.message


def test_fixed_context_is_honoured() -> None:
    plan = make_plan(llama_8b(), machine(32), Settings(context=4096))
    assert plan.n_ctx == 4096
    assert plan.kv_bytes == kv_cache_bytes(llama_8b(), 4096, "f16")


def test_fixed_context_is_capped_at_the_model_maximum() -> None:
    assert make_plan(llama_8b(), machine(64), Settings(context=65536)).n_ctx == 8192


def test_fixed_context_is_not_shrunk_when_it_does_not_fit() -> None:
    # 6.3 GiB leaves room for 4096 tokens but not for the 8192 the user fixed.
    with pytest.raises(ModelTooLargeError) as caught:
        make_plan(llama_8b(), machine(6.3), Settings(context=8192))
    assert "8192-token context" in caught.value.message


def test_catalog_context_limits_the_window() -> None:
    assert make_plan(llama_8b(), machine(32), catalog_ctx=4096).n_ctx == 4096


def test_long_context_model_defaults_to_8192() -> None:
    plan = make_plan(llama_8b(context_length=131072), machine(32))
    assert plan.n_ctx == DEFAULT_CONTEXT


def test_tight_ram_quantises_the_kv_cache_first() -> None:
    # budget = min(0.9 * 6.75, 6.75 - 1) = 5.75 GiB: with 0.25 GiB of host overhead,
    # f16 at 8192 needs 6.17 and q8_0 needs 5.70.
    plan = make_plan(llama_8b(), machine(6.75))
    assert plan.n_ctx == 8192
    assert plan.type_k == plan.type_v == "q8_0"
    assert plan.flash_attn  # llama.cpp needs flash attention for a quantised V cache
    assert plan.ram_bytes <= 5.75 * GiB


def test_tighter_ram_shrinks_the_context() -> None:
    plan = make_plan(llama_8b(), machine(6.55))
    assert plan.n_ctx < 8192
    assert plan.n_ctx >= 2048
    assert plan.ram_bytes <= 5.55 * GiB
    if plan.type_k == "q8_0":
        assert plan.flash_attn


def test_kv_cache_setting_is_honoured() -> None:
    plan = make_plan(llama_8b(), machine(32), Settings(kv_cache="q8_0"))
    assert plan.type_k == plan.type_v == "q8_0"
    assert plan.flash_attn
    plan = make_plan(llama_8b(), machine(6.5), Settings(kv_cache="f16"))
    assert plan.type_k == "f16"
    assert plan.n_ctx < 8192


def test_gpu_layers_zero_forces_cpu() -> None:
    plan = make_plan(llama_8b(), machine(32, (23, 24)), Settings(gpu_layers="0"))
    assert plan.n_gpu_layers == 0
    assert plan.backend == "CPU"
    assert plan.device == "CPU"
    assert plan.gpu_bytes == 0
    # The user chose CPU; the plan must not blame a 24 GB GPU for lack of memory.
    assert not any("not enough" in note for note in plan.notes), plan.notes


def test_fixed_gpu_layers_are_used_as_given() -> None:
    plan = make_plan(llama_8b(), machine(32, (23, 24)), Settings(gpu_layers="10"))
    assert plan.n_gpu_layers == 10
    plan = make_plan(llama_8b(), machine(32, (23, 24)), Settings(gpu_layers="999"))
    assert plan.n_gpu_layers == 33


def test_fixed_gpu_layers_without_a_gpu_run_on_cpu() -> None:
    plan = make_plan(llama_8b(), machine(32), Settings(gpu_layers="20"))
    assert plan.n_gpu_layers == 0
    assert plan.backend == "CPU"


@pytest.mark.parametrize("threads", [1, 3, 64])
def test_threads_setting_is_honoured(threads: int) -> None:
    assert make_plan(llama_8b(), machine(32), Settings(threads=threads)).n_threads == threads


def test_threads_default_to_usable_cores() -> None:
    assert make_plan(llama_8b(), machine(32, usable=5)).n_threads == 5
    assert make_plan(llama_8b(), machine(32, usable=0)).n_threads == 1


def test_gpu_backend_without_devices_notes_the_fallback() -> None:
    hw = Hardware(
        backend="Vulkan",
        gpu_offload=True,
        devices=[CPU_DEVICE],
        ram_total=33 * GiB,
        ram_available=32 * GiB,
        cpu_usable=4,
    )
    plan = make_plan(llama_8b(), hw)
    assert plan.backend == "CPU"
    assert any("Vulkan" in note and "no GPU device" in note for note in plan.notes)


def test_the_gpu_with_most_free_memory_is_chosen() -> None:
    small = Device("Small", "small", "GPU", "CUDA", 2 * GiB, 4 * GiB)
    big = Device("Big", "big", "GPU", "CUDA", 20 * GiB, 24 * GiB)
    hw = Hardware(
        backend="CUDA",
        gpu_offload=True,
        devices=[CPU_DEVICE, small, big],
        ram_total=33 * GiB,
        ram_available=32 * GiB,
        cpu_usable=4,
    )
    assert make_plan(llama_8b(), hw).device == "big"  # the description names the card


def test_plan_to_json_has_a_summary() -> None:
    data = make_plan(llama_8b(), machine(32)).to_json()
    assert data["summary"] == "CPU (8 threads), context 8192, KV f16"
    assert data["n_gpu_layers"] == 0


@settings(max_examples=150, deadline=None)
@given(
    ram=st.floats(0.5, 64),
    gpu=st.none() | st.tuples(st.floats(0.1, 1.0), st.floats(0.5, 48)),
    context=st.sampled_from([0, 0, 1024, 4096, 8192, 32768]),
    kv=st.sampled_from(["auto", "f16", "q8_0"]),
)
def test_any_plan_stays_within_budget(
    ram: float, gpu: tuple[float, float] | None, context: int, kv: str
) -> None:
    hw = machine(ram, None if gpu is None else (gpu[0] * gpu[1], gpu[1]))
    try:
        plan = make_plan(llama_8b(), hw, Settings(context=context, kv_cache=kv))
    except ModelTooLargeError as exc:
        assert "GiB" in exc.message
        return
    assert plan.ram_bytes <= 0.9 * hw.ram_available
    assert plan.ram_bytes <= hw.ram_available - GiB
    assert 0 <= plan.n_gpu_layers <= plan.n_layers
    if plan.on_gpu:
        assert plan.gpu_bytes <= hw.gpus[0].memory_free - 512 * MiB
    assert plan.n_ctx <= 8192
    if context:  # fixed by the user; only clamped to [MIN_CONTEXT, model maximum]
        assert plan.n_ctx == min(max(context, MIN_CONTEXT), 8192)
    if plan.type_k == "q8_0":
        assert plan.flash_attn
    # more memory never makes a workable plan fail
    more = machine(ram * 2, None if gpu is None else (gpu[0] * gpu[1] * 2, gpu[1] * 2))
    make_plan(llama_8b(), more, Settings(context=context, kv_cache=kv))
