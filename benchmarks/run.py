"""Run the stanceclf benchmark suite (same as `stanceclf benchmark`).

Usage:
    python benchmarks/run.py --data-dir ../shared/data --markdown docs/benchmarks.md

Results: one JSON per (model, dataset, protocol) job in benchmarks/results/, and the markdown table.
"""

import sys

from stanceclf.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if "--output-dir" not in args:
        args += ["--output-dir", "benchmarks/results"]
    sys.exit(main(["benchmark", *args]))
