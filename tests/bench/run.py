"""Run benchmark groups and print one line per figure; JSON goes to bench-results/.

Usage: python -m tests.bench.run [GROUP ...]   (groups: the bench_<group>.py files here)
Each group module exposes ``run() -> list[dict]`` with keys name, value, unit and, where a
target exists, target and ok. Figures that compare two things are measured side by side in
the same run, so the ratio is meaningful on whatever machine runs it.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parents[1] / "bench-results"


def available_groups() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    groups = [g for arg in argv for g in arg.split(",") if g] or available_groups()
    unknown = set(groups) - set(available_groups())
    if unknown:
        print(
            f"Unknown benchmark group(s): {', '.join(sorted(unknown))}; "
            f"available: {', '.join(available_groups())}",
            file=sys.stderr,
        )
        return 2
    RESULTS.mkdir(exist_ok=True)
    failed = 0
    for group in groups:
        module = importlib.import_module(f"tests.bench.bench_{group}")
        started = time.time()
        figures = module.run()
        for fig in figures:
            verdict = "" if "ok" not in fig else ("  [ok]" if fig["ok"] else "  [BELOW TARGET]")
            target = f" (target {fig['target']})" if "target" in fig else ""
            print(
                f"{group:8} {fig['name']:<44} {fig['value']:>12.3f} {fig['unit']}{target}{verdict}",
                flush=True,
            )
            failed += fig.get("ok") is False
        stamp = time.strftime("%Y%m%d-%H%M%S")
        out = RESULTS / f"{group}-{stamp}.json"
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
        print(f"{group:8} wrote {out.relative_to(RESULTS.parent)}", flush=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
