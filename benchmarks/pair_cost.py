#!/usr/bin/env python
"""Stance-model cost per (quote, target) pair in ``stanceclf analyze``: this checkout against an earlier
commit, side by side in one run (these machines are noisy: only the ratio is meaningful).

    python benchmarks/pair_cost.py --baseline 37d09cd --articles 40

Each side analyses the same generated articles (``benchmarks/analysis.py``'s generator, rules extractor,
its own built-in default model and linking) in a fresh process; the sides alternate ``--rounds`` times.
Cost per pair = seconds of the stance stage / pairs scored; the inputs differ as the versions build them
(this one adds the speaker and more link contexts). Writes ``benchmarks/results/pair_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, random, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/benchmarks")
import analysis as bench
from stanceclf.analysis import Analyzer, Document
rng = random.Random(0)
docs = [bench.generate_article(rng) for _ in range(int(sys.argv[2]))]
analyzer = Analyzer(extractor="rules")
warm_text, warm_targets = bench.generate_article(random.Random(1))
analyzer.analyze(warm_text, warm_targets)
analyzer.timings.clear()
pairs = 0
for i, (text, targets) in enumerate(docs):
    (result,) = analyzer.analyze_documents([Document(f"g{i}", text)], targets)
    pairs += sum(1 for q in result.quotes for s in q.stances if s.via != "none")
print(json.dumps({"pairs": pairs, "stance_s": analyzer.timings["stance"], "targets_s": analyzer.timings["targets"]}))
"""


def run_side(tree: Path, articles: int) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tree), str(articles)], capture_output=True, text=True,
                         check=True, env=env, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", required=True, help="git commit of the earlier version")
    p.add_argument("--articles", type=int, default=40)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "pair_cost.json")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stanceclf-baseline-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base), args.baseline], check=True,
                       capture_output=True)
        try:
            runs: dict[str, list[dict]] = {"baseline": [], "current": []}
            for _ in range(args.rounds):
                for side, tree in (("baseline", base), ("current", REPO)):
                    runs[side].append(run_side(tree, args.articles))
                    print(side, json.dumps(runs[side][-1]), flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], check=False)
    per_pair = {side: statistics.median(r["stance_s"] / max(r["pairs"], 1) for r in rs) for side, rs in runs.items()}
    result = {
        "command": "python benchmarks/pair_cost.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "baseline": args.baseline, "articles": args.articles, "runs": runs,
        "stance_ms_per_pair": {k: round(1000 * v, 3) for k, v in per_pair.items()},
        "pairs_per_article": {k: round(statistics.median(r["pairs"] for r in rs) / args.articles, 2)
                              for k, rs in runs.items()},
        "ratio_current_to_baseline": round(per_pair["current"] / per_pair["baseline"], 3),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("stance_ms_per_pair", "pairs_per_article", "ratio_current_to_baseline")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
