"""Run evaluation groups and print one line per figure; JSON goes to bench-results/.

Usage: python -m tests.eval.run [GROUP ...]   (groups: the eval_<group>.py files here)
``EVAL_LIMIT=N`` evaluates only the first N documents of each group. Results are written
to bench-results/eval-<group>-<stamp>.json by the loop the benchmarks use too.
"""

from __future__ import annotations

import sys

from tests.group_runner import run_groups


def main(argv: list[str]) -> int:
    return run_groups(argv, package="tests.eval", prefix="eval_", results_prefix="eval-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
