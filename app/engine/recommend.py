"""Which instruct model this workstation should use: the default, or a bigger optional one.

A pure function of the hardware and the catalog, like the offload plan, so it is tested
with made-up machines. The bigger catalog models (role "optional-…") are recommended only
where they run at a usable speed: on a GPU that holds the whole file with room for the
context, or on a CPU with enough threads and memory. Elsewhere the default stays, and the
reason says with numbers what was missing. Whether the bigger model is more *right* is
not decided here; the evals measure that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from app.engine.hardware import Hardware
from app.models.catalog import ModelSpec

GiB = 1024**3
#: A CPU-only machine needs this many usable threads for a 1.5B model to answer in
#: seconds rather than minutes (token rate scales with cores up to memory bandwidth).
MIN_CPU_THREADS = 4
#: ... and this much installed RAM, so the model is not competing with the OS and Word.
MIN_RAM_TOTAL = 8 * GiB
#: Available RAM (or free GPU memory) beyond the model file: KV cache, compute buffers, app.
HEADROOM = 2 * GiB


@dataclass(frozen=True)
class Recommendation:
    model_id: str
    role: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _fits_gpu(spec: ModelSpec, hw: Hardware) -> str:
    """Why ``spec`` runs well on a GPU here, or "" when no GPU can hold it."""
    if not hw.gpu_offload:
        return ""
    for gpu in sorted(hw.gpus, key=lambda d: d.memory_free, reverse=True):
        if gpu.memory_free >= spec.size + HEADROOM:
            return (
                f"the GPU {gpu.description or gpu.name} has {gpu.memory_free / GiB:.1f} GiB free, "
                f"room for all of its {spec.size / GiB:.1f} GiB"
            )
    return ""


def _fits_cpu(spec: ModelSpec, hw: Hardware) -> tuple[str, str]:
    """(why it runs well on the CPU, what it lacks): exactly one of the two is empty."""
    short = []
    if hw.cpu_usable < MIN_CPU_THREADS:
        short.append(f"{MIN_CPU_THREADS} CPU threads (here {hw.cpu_usable})")
    if hw.ram_total < MIN_RAM_TOTAL:
        short.append(f"{MIN_RAM_TOTAL / GiB:.0f} GiB of RAM (here {hw.ram_total / GiB:.1f})")
    needed = spec.size + HEADROOM
    if hw.ram_available < needed:
        short.append(f"{needed / GiB:.1f} GiB of RAM available (here {hw.ram_available / GiB:.1f})")
    if short:
        return "", " and ".join(short)
    return (
        f"{hw.cpu_usable} CPU threads and {hw.ram_available / GiB:.1f} GiB of RAM available",
        "",
    )


def recommend_model(hw: Hardware, catalog: list[ModelSpec]) -> Recommendation | None:
    """The instruct model to use on ``hw``: the biggest optional one that runs well, else
    the default. None when the catalog names no instruct model at all (a firm's own)."""
    default = next((s for s in catalog if s.role == "default-instruct"), None)
    optional = sorted(
        (s for s in catalog if s.optional and s.role.endswith("instruct")),
        key=lambda s: s.size,
        reverse=True,
    )
    missing: list[str] = []
    for spec in optional:
        why = _fits_gpu(spec, hw)
        if not why:
            why, short = _fits_cpu(spec, hw)
            if short:
                gpu_need = (spec.size + HEADROOM) / GiB
                missing.append(f"{spec.id} needs {short}, or a GPU with {gpu_need:.1f} GiB free")
                continue
        return Recommendation(spec.id, spec.role, f"optional, larger model: {why}")
    if default is None:
        return None
    return Recommendation(default.id, default.role, "; ".join(["the default", *missing]))
