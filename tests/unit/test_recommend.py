"""Which model `chambers doctor` recommends, on made-up machines (no GPU or big box needed)."""

from __future__ import annotations

from pathlib import Path

from app.commands.doctor import recommendation, recommendation_lines
from app.engine.hardware import Device, Hardware
from app.engine.recommend import recommend_model
from app.models.catalog import ModelPart, ModelSpec, load_catalog
from app.models.store import InstalledModel

GiB = 1024**3
DEFAULT_ID = "qwen2.5-coder-0.5b-instruct-q4_k_m"
BIG_ID = "qwen2.5-coder-1.5b-instruct-q4_k_m"
CPU = Device("CPU", "Test CPU", "CPU", "CPU", 0, 0)


def machine(
    *,
    threads: int,
    ram_total: float,
    ram_free: float,
    gpu_free: float | None = None,
    offload: bool = True,
) -> Hardware:
    devices = [CPU]
    if gpu_free is not None:
        devices.append(Device("GPU0", "Test GPU", "GPU", "CUDA", int(gpu_free * GiB), 24 * GiB))
    return Hardware(
        backend="CUDA" if gpu_free is not None and offload else "CPU",
        gpu_offload=gpu_free is not None and offload,
        devices=devices,
        ram_total=int(ram_total * GiB),
        ram_available=int(ram_free * GiB),
        cpu_logical=threads,
        cpu_usable=threads,
    )


def shipped() -> list[ModelSpec]:
    return load_catalog()


def chosen(hw: Hardware, catalog: list[ModelSpec] | None = None) -> str:
    rec = recommend_model(hw, shipped() if catalog is None else catalog)
    assert rec is not None
    return rec.model_id


def test_this_kind_of_laptop_keeps_the_default() -> None:
    """2 threads, as on the shared dev machine: the 1.5B would be too slow."""
    rec = recommend_model(machine(threads=2, ram_total=24, ram_free=20), shipped())
    assert rec is not None and rec.model_id == DEFAULT_ID
    assert "4 CPU threads (here 2)" in rec.reason
    assert BIG_ID in rec.reason


def test_enough_threads_and_memory_recommend_the_bigger_model() -> None:
    rec = recommend_model(machine(threads=8, ram_total=16, ram_free=9), shipped())
    assert rec is not None and rec.model_id == BIG_ID and rec.role == "optional-instruct"
    assert "8 CPU threads" in rec.reason and "9.0 GiB" in rec.reason


def test_the_thresholds_are_inclusive_at_four_threads_and_eight_gib() -> None:
    big = next(s for s in shipped() if s.id == BIG_ID)
    just = (big.size + 2 * GiB) / GiB  # the file plus headroom, available
    assert chosen(machine(threads=4, ram_total=8, ram_free=just)) == BIG_ID
    assert chosen(machine(threads=3, ram_total=8, ram_free=just)) == DEFAULT_ID
    assert chosen(machine(threads=4, ram_total=7.9, ram_free=just)) == DEFAULT_ID
    assert chosen(machine(threads=4, ram_total=8, ram_free=just - 0.01)) == DEFAULT_ID


def test_each_shortfall_is_named_with_numbers() -> None:
    rec = recommend_model(machine(threads=2, ram_total=4, ram_free=1.5), shipped())
    assert rec is not None and rec.model_id == DEFAULT_ID
    assert "4 CPU threads (here 2)" in rec.reason
    assert "8 GiB of RAM (here 4.0)" in rec.reason
    assert "GiB of RAM available (here 1.5)" in rec.reason


def test_a_gpu_that_holds_the_model_is_enough_even_with_few_threads() -> None:
    rec = recommend_model(machine(threads=2, ram_total=8, ram_free=4, gpu_free=6), shipped())
    assert rec is not None and rec.model_id == BIG_ID
    assert "Test GPU" in rec.reason and "6.0 GiB free" in rec.reason


def test_a_small_gpu_or_a_cpu_only_build_does_not_count() -> None:
    small = machine(threads=2, ram_total=8, ram_free=4, gpu_free=2)
    cpu_build = machine(threads=2, ram_total=8, ram_free=4, gpu_free=6, offload=False)
    assert chosen(small) == chosen(cpu_build) == DEFAULT_ID


def test_the_biggest_optional_model_that_fits_wins() -> None:
    def spec(model_id: str, size_gib: float, role: str) -> ModelSpec:
        part = ModelPart("p", "p", "data/p.bin", "1")
        return ModelSpec(
            model_id, model_id, f"{model_id}.gguf", "0" * 64, int(size_gib * GiB), "MIT",
            "tests", "chatml", 4096, role, (part,),
        )  # fmt: skip

    catalog = [
        spec("small", 0.5, "default-instruct"),
        spec("mid", 1.0, "optional-instruct"),
        spec("huge", 8.0, "optional-instruct"),
        spec("base", 9.0, "optional-base"),  # not an instruct model: never recommended
    ]
    assert chosen(machine(threads=8, ram_total=64, ram_free=40), catalog) == "huge"
    assert chosen(machine(threads=8, ram_total=16, ram_free=6), catalog) == "mid"
    rec = recommend_model(machine(threads=2, ram_total=16, ram_free=6), catalog)
    assert rec is not None and rec.model_id == "small"
    assert "huge needs" in rec.reason and "mid needs" in rec.reason
    assert recommend_model(machine(threads=2, ram_total=16, ram_free=6), catalog[3:]) is None


# --- what doctor prints and returns --------------------------------------------------------


def installed(tmp_path: Path, present: set[str]) -> list[InstalledModel]:
    models = []
    for spec in shipped():
        path = tmp_path / spec.file_name
        if spec.id in present:
            path.write_bytes(b"GGUF")
        models.append(InstalledModel(spec, path))
    return models


def test_doctor_field_when_the_bigger_model_is_not_installed(tmp_path: Path) -> None:
    big_box = machine(threads=8, ram_total=32, ram_free=20)
    rec = recommendation(big_box, installed(tmp_path, {DEFAULT_ID}), default_model="")
    assert rec is not None
    assert (rec["model_id"], rec["installed"], rec["in_use"]) == (BIG_ID, False, False)
    assert rec["install"].endswith(f"chambers models install {BIG_ID}")
    lines = recommendation_lines(rec)
    assert lines[0].startswith(f"Recommended model: {BIG_ID} (")
    assert lines[1].strip() == f"install it: {rec['install']}"


def test_doctor_field_when_installed_but_not_chosen_then_chosen(tmp_path: Path) -> None:
    big_box = machine(threads=8, ram_total=32, ram_free=20)
    models = installed(tmp_path, {DEFAULT_ID, BIG_ID})
    rec = recommendation(big_box, models, default_model="")
    assert rec is not None and rec["installed"] and not rec["in_use"] and rec["install"] == ""
    assert f"--model {BIG_ID}" in recommendation_lines(rec)[1]
    rec = recommendation(big_box, models, default_model=BIG_ID)
    assert rec is not None and rec["in_use"]
    assert len(recommendation_lines(rec)) == 1


def test_doctor_field_on_a_small_machine_is_the_default_in_use(tmp_path: Path) -> None:
    laptop = machine(threads=2, ram_total=8, ram_free=5)
    rec = recommendation(laptop, installed(tmp_path, {DEFAULT_ID}), default_model="")
    assert rec is not None
    assert (rec["model_id"], rec["installed"], rec["in_use"]) == (DEFAULT_ID, True, True)
    assert recommendation_lines(rec) == [f"Recommended model: {DEFAULT_ID} ({rec['reason']})"]
    assert recommendation_lines(None) == []
