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
from app.engine.hardware import Hardware, detect
from app.engine.plan import make_plan
from app.engine.recommend import recommend_model
from app.errors import ChambersError
from app.models.gguf_header import read_gguf_header
from app.models.store import InstalledModel, install_instructions, known_models
from app.paths import data_dir, models_dir

GiB = 1024**3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("doctor", help="report hardware, backend and model plans")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=_doctor)


def recommendation(
    hw: Hardware, installed: list[InstalledModel], default_model: str
) -> dict[str, Any] | None:
    """The model doctor recommends here, whether it is installed and in use, and how to get it.

    ``default_model`` is the id chosen in Settings ("" for the catalog default).
    """
    rec = recommend_model(hw, [m.spec for m in installed])
    if rec is None:
        return None
    model = next(m for m in installed if m.spec.id == rec.model_id)
    in_use = default_model == rec.model_id or (not default_model and rec.role == "default-instruct")
    return {
        **rec.to_json(),
        "installed": model.present,
        "in_use": in_use,
        "install": "" if model.present else install_instructions(model.spec),
    }


def collect() -> dict[str, Any]:
    hw = detect()
    settings = load_settings()
    known = known_models()
    models = []
    for model in known:
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
        "recommended_model": recommendation(hw, known, settings.default_model),
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
    for line in recommendation_lines(report["recommended_model"]):
        print(line)
    return 0


def recommendation_lines(rec: dict[str, Any] | None) -> list[str]:
    """The text form of doctor's recommendation: what, why, and the next step if any."""
    if rec is None:
        return []
    lines = [f"Recommended model: {rec['model_id']} ({rec['reason']})"]
    if not rec["installed"]:
        lines.append(f"    install it: {rec['install']}")
    elif not rec["in_use"]:
        lines.append(
            f"    installed but not in use: pass --model {rec['model_id']}, or make it the "
            "default in the desktop app's Models window"
        )
    return lines
