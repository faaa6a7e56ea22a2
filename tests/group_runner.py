"""Run groups of figures and report them: shared by the benchmarks and the evaluations.

A group is a module ``<prefix><group>.py`` in a package (tests/bench/bench_ingest.py,
tests/eval/eval_cuad.py) exposing ``run() -> list[dict]``; each figure has keys name,
value (a number, or None when it cannot be computed) and unit and, where a target
exists, target and ok. Each figure is printed on one line as it comes; each group's
figures are written as JSON to bench-results/<results prefix><group>-<stamp>.json.
The exit status is 1 when any figure misses its target.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "bench-results"


def available_groups(package: str, prefix: str) -> list[str]:
    spec = importlib.import_module(package).__file__
    assert spec is not None
    folder = Path(spec).parent
    return sorted(p.stem.removeprefix(prefix) for p in folder.glob(f"{prefix}*.py"))


def format_figure(group: str, fig: dict[str, Any]) -> str:
    verdict = "" if "ok" not in fig else ("  [ok]" if fig["ok"] else "  [BELOW TARGET]")
    target = f" (target {fig['target']})" if "target" in fig else ""
    value = fig["value"]
    shown = f"{value:>12.3f}" if isinstance(value, int | float) else f"{'-':>12}"
    return f"{group:8} {fig['name']:<44} {shown} {fig['unit']}{target}{verdict}"


def write_results(group: str, figures: list[dict[str, Any]], started: float, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "group": group,
                "started": started,
                "seconds": time.time() - started,
                "machine": platform.platform(),
                "figures": figures,
            },
            indent=2,
        )
    )
    return out


def run_groups(argv: list[str], *, package: str, prefix: str, results_prefix: str = "") -> int:
    """Run the groups named in ``argv`` (comma or space separated; none: all of them)."""
    known = available_groups(package, prefix)
    groups = [g for arg in argv for g in arg.split(",") if g] or known
    unknown = set(groups) - set(known)
    if unknown:
        print(
            f"Unknown group(s): {', '.join(sorted(unknown))}; available: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    failed = 0
    for group in groups:
        module = importlib.import_module(f"{package}.{prefix}{group}")
        started = time.time()
        figures: list[dict[str, Any]] = module.run()
        for fig in figures:
            print(format_figure(group, fig), flush=True)
            failed += fig.get("ok") is False
        out = write_results(group, figures, started, f"{results_prefix}{group}")
        print(f"{group:8} wrote {out.relative_to(RESULTS.parent)}", flush=True)
    return 0 if not failed else 1
