"""Decide how a model runs here: GPU layers, context, threads, KV-cache type.

A pure function of the model header, the hardware and the settings, so it is tested with
made-up machines (a 6 GB laptop GPU, a 4 GB RAM box) without owning them. The plan keeps
headroom for the OS and the app, shrinks the context and then quantises the KV cache
before giving up, and when it does give up it says with numbers why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from app.config import Settings
from app.engine.hardware import Hardware
from app.errors import ModelTooLargeError
from app.models.gguf_header import GGUFInfo

MiB = 1024 * 1024
GiB = 1024 * MiB
DEFAULT_CONTEXT = 8192
MIN_CONTEXT = 2048
N_BATCH = 512
#: Host memory the runtime needs even with every layer on the GPU (tokenizer, logits, app).
HOST_OVERHEAD = 256 * MiB
_KV_BYTES = {"f16": 2.0, "q8_0": 34 / 32}


@dataclass
class OffloadPlan:
    backend: str
    device: str
    n_layers: int
    n_gpu_layers: int
    n_ctx: int
    n_threads: int
    n_batch: int
    type_k: str
    type_v: str
    flash_attn: bool
    weights_bytes: int
    kv_bytes: int
    compute_bytes: int
    gpu_bytes: int
    ram_bytes: int
    notes: list[str] = field(default_factory=list)

    @property
    def on_gpu(self) -> bool:
        return self.n_gpu_layers > 0

    def summary(self) -> str:
        where = (
            f"{self.backend} {min(self.n_gpu_layers, self.n_layers)}/{self.n_layers} layers"
            if self.on_gpu
            else f"CPU ({self.n_threads} threads)"
        )
        return f"{where}, context {self.n_ctx}, KV {self.type_k}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = self.summary()
        return data


def kv_cache_bytes(info: GGUFInfo, n_ctx: int, kv_type: str) -> int:
    return int(2 * info.block_count * info.kv_width * n_ctx * _KV_BYTES[kv_type])


def compute_buffer_bytes(info: GGUFInfo, n_batch: int = N_BATCH) -> int:
    """Scratch memory for one batch: activations plus the logits row buffer (estimate)."""
    return 64 * MiB + n_batch * (info.embedding_length * 16 + info.vocab_size * 4)


def _context_candidates(info: GGUFInfo, settings: Settings, catalog_ctx: int) -> list[int]:
    model_max = min(x for x in (info.context_length, catalog_ctx or info.context_length) if x > 0)
    wanted = settings.context or DEFAULT_CONTEXT
    top = max(min(wanted, model_max), min(MIN_CONTEXT, model_max))
    sizes = [top]
    while sizes[-1] // 2 >= min(MIN_CONTEXT, model_max) and not settings.context:
        sizes.append(sizes[-1] // 2)
    return sizes


def _kv_types(settings: Settings) -> list[str]:
    return [settings.kv_cache] if settings.kv_cache in _KV_BYTES else ["f16", "q8_0"]


def make_plan(
    info: GGUFInfo, hw: Hardware, settings: Settings | None = None, catalog_ctx: int = 0
) -> OffloadPlan:
    """The best way to run ``info`` on ``hw``; raises ModelTooLargeError if none fits."""
    settings = settings or Settings()
    weights = info.file_size
    n_layers = max(info.block_count, 1)
    per_layer = weights // (n_layers + 1)
    compute = compute_buffer_bytes(info)
    threads = settings.threads or max(1, hw.cpu_usable)
    ram_budget = max(0, min(int(hw.ram_available * 0.9), hw.ram_available - GiB))
    gpu = max(hw.gpus, key=lambda d: d.memory_free, default=None) if hw.gpu_offload else None
    gpu_budget = max(0, gpu.memory_free - max(512 * MiB, gpu.memory_total // 10)) if gpu else 0
    fixed_layers = settings.gpu_layers_value()
    notes: list[str] = []
    gpu_label = (gpu.description or gpu.name) if gpu else ""
    if gpu is None and hw.gpu_offload and hw.backend != "CPU":
        notes.append(f"{hw.backend} is compiled in but no GPU device was found: running on CPU.")

    for n_ctx in _context_candidates(info, settings, catalog_ctx):
        for kv_type in _kv_types(settings):
            kv = kv_cache_bytes(info, n_ctx, kv_type)
            flash = kv_type != "f16" or (gpu is not None and hw.backend != "CPU")
            gpu_layers = 0
            if gpu is not None:
                if fixed_layers is not None:
                    gpu_layers = min(fixed_layers, n_layers + 1)
                else:
                    room = gpu_budget - compute - kv
                    gpu_layers = max(0, min(n_layers + 1, room // max(per_layer, 1)))
            offloaded = min(gpu_layers, n_layers + 1)
            gpu_bytes = offloaded * per_layer + (kv + compute if offloaded else 0)
            on_cpu = 0 if offloaded > n_layers else weights - offloaded * per_layer
            ram_bytes = HOST_OVERHEAD + on_cpu + (0 if offloaded else kv + compute)
            if gpu is not None and gpu_bytes > gpu_budget and fixed_layers is None:
                continue
            if ram_bytes > ram_budget:
                continue
            if gpu is not None and offloaded == 0 and fixed_layers == 0:
                notes.append("GPU offload is off in the settings (gpu_layers=0): running on CPU.")
            elif gpu is not None and offloaded == 0:
                notes.append(
                    f"The GPU {gpu_label} has {gpu.memory_free / GiB:.1f} GiB free, not enough for "
                    f"any layer with a {n_ctx}-token context: running on CPU."
                )
            elif gpu is not None and offloaded <= n_layers and fixed_layers is None:
                notes.append(f"Only {offloaded} of {n_layers + 1} layers fit on {gpu_label}.")
            elif gpu is not None and offloaded <= n_layers:
                notes.append(
                    f"{offloaded} of {n_layers + 1} layers on {gpu_label}, as set in Settings."
                )
            return OffloadPlan(
                backend=hw.backend if offloaded else "CPU",
                device=gpu_label if (gpu and offloaded) else "CPU",
                n_layers=n_layers + 1,
                n_gpu_layers=int(offloaded),
                n_ctx=n_ctx,
                n_threads=threads,
                n_batch=N_BATCH,
                type_k=kv_type,
                type_v=kv_type,
                flash_attn=flash,
                weights_bytes=weights,
                kv_bytes=kv,
                compute_bytes=compute,
                gpu_bytes=int(gpu_bytes) if offloaded else 0,
                ram_bytes=int(ram_bytes),
                notes=notes,
            )
    smallest = min(_context_candidates(info, settings, catalog_ctx))
    need = HOST_OVERHEAD + weights + kv_cache_bytes(info, smallest, "q8_0") + compute
    raise ModelTooLargeError(
        f"{info.path.name} needs about {need / GiB:.1f} GiB (weights {weights / GiB:.1f} GiB, "
        f"{smallest}-token context), but only {ram_budget / GiB:.1f} GiB of RAM"
        + (f" and {gpu_budget / GiB:.1f} GiB of GPU memory" if gpu else "")
        + " can be used safely."
    )
