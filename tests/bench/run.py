"""Run benchmark groups and print one line per figure; JSON goes to bench-results/.

Usage: python -m tests.bench.run [GROUP ...]   (groups: the bench_<group>.py files here)
Each group module exposes ``run() -> list[dict]`` with keys name, value, unit and, where a
target exists, target and ok. Figures that compare two things are measured side by side in
the same run, so the ratio is meaningful on whatever machine runs it. The printing and
writing loop is shared with the evaluations (tests/group_runner.py).
"""

from __future__ import annotations

import sys

from tests.group_runner import run_groups


def main(argv: list[str]) -> int:
    return run_groups(argv, package="tests.bench", prefix="bench_")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
