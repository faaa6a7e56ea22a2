"""`chambers doctor`: what this machine can run, and how each installed model would run."""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any

from app import __version__
from app.bundle.state import installed_root_status
from app.commands._audit_notice import sealing_line
from app.commands._output import print_json
from app.config import load_settings
from app.engine.hardware import detect
from app.engine.plan import make_plan
from app.errors import ChambersError
from app.models.gguf_header import read_gguf_header
from app.models.store import known_models
from app.paths import data_dir, models_dir

GiB = 1024**3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("doctor", help="report hardware, backend and model plans")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=_doctor)


def collect() -> dict[str, Any]:
    hw = detect()
    settings = load_settings()
    models = []
    for model in known_models():
        entry: dict[str, Any] = {
            "id": model.spec.id,
            "path": str(model.path),
            "installed": model.present,
        }
        if model.present:
            try:
                info = read_gguf_header(model.path)
                entry["architecture"] = info.architecture
                entry["layers"] = info.block_count
                entry["plan"] = make_plan(info, hw, settings, model.spec.context_length).to_json()
            except ChambersError as exc:
                entry["error"] = exc.message
        models.append(entry)
    return {
        "app_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "data_dir": str(data_dir()),
        "models_dir": str(models_dir()),
        "network": "none: Chambers opens no network connections",
        "trust_root": installed_root_status(),
        "audit_sealing": sealing_line() or "ok",
        "hardware": hw.to_json(),
        "models": models,
    }


def _doctor(args: argparse.Namespace) -> int:
    report = collect()
    if args.json:
        print_json(report)
        return 0
    hw = report["hardware"]
    print(f"Chambers {report['app_version']} (llama-cpp-python {hw['bindings_version']})")
    print(
        f"Backend: {hw['backend']}  GPU offload compiled in: {'yes' if hw['gpu_offload'] else 'no'}"
    )
    for gpu in hw["gpus"]:
        print(
            f"  GPU {gpu['name']}: {gpu['description']}, {gpu['memory_free'] / GiB:.1f} of "
            f"{gpu['memory_total'] / GiB:.1f} GiB free"
        )
    print(
        f"RAM: {hw['ram_available'] / GiB:.1f} of {hw['ram_total'] / GiB:.1f} GiB available; "
        f"CPU threads usable: {hw['cpu_usable']}"
    )
    print(f"Data: {report['data_dir']}\nModels: {report['models_dir']}")
    if report["audit_sealing"] != "ok":
        print(report["audit_sealing"])
    if report["trust_root"]["test_root"]:
        print("Trust root: THROW-AWAY TEST ROOT (a test build; IT must not deploy it)")
    for model in report["models"]:
        if not model["installed"]:
            print(f"- {model['id']}: not installed")
        elif "error" in model:
            print(f"- {model['id']}: PROBLEM: {model['error']}")
        else:
            plan = model["plan"]
            print(f"- {model['id']}: {plan['summary']}")
            for note in plan["notes"]:
                print(f"    note: {note}")
    return 0
