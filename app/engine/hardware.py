"""What this workstation can run: the backend compiled into llama.cpp, devices, RAM, cores.

The backend is read from the library actually loaded (not from what the user hoped to
install), so a CPU-only build on a GPU machine is reported as CPU, visibly.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from app.engine import llama_backend

GPU_BACKENDS = ("CUDA", "Metal", "Vulkan", "ROCm", "HIP", "SYCL")


@dataclass(frozen=True)
class Device:
    name: str
    description: str
    kind: str  # CPU, GPU, IGPU, ACCEL
    backend: str
    memory_free: int
    memory_total: int


@dataclass(frozen=True)
class Hardware:
    backend: str  # the best compiled-in backend: CUDA, Metal, Vulkan or CPU
    gpu_offload: bool
    devices: list[Device] = field(default_factory=list)
    ram_total: int = 0
    ram_available: int = 0
    cpu_logical: int = 1
    cpu_usable: int = 1
    system_info: str = ""
    bindings_version: str = ""

    @property
    def gpus(self) -> list[Device]:
        return [d for d in self.devices if d.kind in ("GPU", "IGPU")]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["gpus"] = [asdict(d) for d in self.gpus]
        return data


def memory() -> tuple[int, int]:
    """(total, available) RAM in bytes, read from the OS."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            fields = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in handle}
        return fields["MemTotal"], fields.get("MemAvailable", fields.get("MemFree", 0))
    except (OSError, KeyError, ValueError, IndexError):
        pass
    if hasattr(os, "sysconf"):
        try:
            page = os.sysconf("SC_PAGE_SIZE")
            total = page * os.sysconf("SC_PHYS_PAGES")
            avail = page * os.sysconf("SC_AVPHYS_PAGES") if sys.platform != "darwin" else total // 2
            return total, avail
        except (ValueError, OSError):
            pass
    return 0, 0


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _backend_name(devices: list[Device], system_info: str, offload: bool) -> str:
    for device in devices:
        if device.kind in ("GPU", "IGPU"):
            for name in GPU_BACKENDS:
                if name.lower() in device.backend.lower():
                    return name
            return device.backend or "GPU"
    if offload:
        upper = system_info.upper()
        for name in GPU_BACKENDS:
            if f"{name.upper()} :" in upper or f"{name.upper()}:" in upper:
                return name
    return "CPU"


def detect() -> Hardware:
    raw = llama_backend.devices()
    devices = [Device(**vars(d)) for d in raw]
    info = llama_backend.system_info()
    offload = llama_backend.supports_gpu_offload()
    total, available = memory()
    return Hardware(
        backend=_backend_name(devices, info, offload),
        gpu_offload=offload,
        devices=devices,
        ram_total=total,
        ram_available=available,
        cpu_logical=os.cpu_count() or 1,
        cpu_usable=usable_cpus(),
        system_info=info,
        bindings_version=llama_backend.bindings_version(),
    )
