#!/usr/bin/env python
"""Run the stanceclf benchmark suite (`stanceclf benchmark`), then render its table (`benchmarks/render.py`).

Usage:
    python benchmarks/run.py --data-dir ../shared/data --markdown docs/benchmarks.md

Results: one JSON per (model, dataset, protocol) job in benchmarks/results/ (or --output-dir), and the
markdown table from every result file there when --markdown is given. Other options go to
`stanceclf benchmark` (see `stanceclf benchmark --help`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from benchmarks.render import render_results_dir  # noqa: E402
from stanceclf.cli import EXIT_OK, EXIT_PARTIAL, main as stanceclf_main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the suite; render the table (also after a partial failure) when ``--markdown`` is given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--markdown", help="also write the markdown table to this file")
    parser.add_argument("--output-dir", default="benchmarks/results")
    args, rest = parser.parse_known_args(argv)
    code = stanceclf_main(["benchmark", "--output-dir", args.output_dir, *rest])
    if args.markdown and code in (EXIT_OK, EXIT_PARTIAL):
        render_results_dir(args.output_dir, markdown_path=args.markdown,
                           command=" ".join(["python", "benchmarks/run.py", *argv]))
    return code


if __name__ == "__main__":
    sys.exit(main())
