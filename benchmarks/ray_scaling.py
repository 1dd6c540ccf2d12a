#!/usr/bin/env python
"""Ray on one machine, side by side in one run: the local path (``run_corpus``), Ray with 1 worker and
Ray with 2 workers (``run_analyze_ray``) on the same corpus; articles/second, the 2-worker / 1-worker
scaling ratio, whether every run wrote exactly the local run's records, and the peak memory of each
Ray worker.

    python benchmarks/ray_scaling.py --articles 400                       # generated articles
    python benchmarks/ray_scaling.py --corpus polnear --data-dir ../shared/data --articles 300
    python benchmarks/ray_scaling.py --memory --mode rules --articles 10000 # worker memory over a long run

* **corpus**: ``synthetic`` (default): ~500-word fictional articles from ``benchmarks/analysis.py``'s
  generator, all about the same 5 targets; ``polnear``: the texts of PolNeAR articles (``--split``)
  from ``--data-dir``, targets suggested per article unless ``--targets`` names them.
* **speed**: ``articles_per_s`` counts the analysis only (Ray: the run's time after its workers have
  loaded their models, ``startup_seconds`` beside it; local: after the analyzer's models are loaded);
  ``wall_articles_per_s`` counts everything. Shards are ``--shard-size`` (32) articles, a multiple of
  the local chunk, so every record is the local run's to the last bit (``identical``).
* **memory**: ``peak_rss_mb`` per Ray worker (its own ``ru_maxrss``), and the local process's.
* **memory as the corpus grows** (``--memory``): one Ray run with 2 workers over ``--articles``
  articles; the manifest's shard lines give each worker's peak memory after every shard, reported at
  100, 1,000, 2,000, 5,000 and 10,000 articles done (``ray_memory_<corpus>_<mode>.json``).
* **threads**: a Ray worker has one CPU, so torch runs one thread in it; the local path uses torch's
  default (all cores) for the stance model while the rest of the pipeline runs on one.

This machine's other load changes the numbers: the configurations run one after another (``--rounds``
alternates them) and the load average is recorded. Results: ``benchmarks/results/ray_scaling_<corpus>_<mode>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

RESULTS = REPO / "benchmarks" / "results"


def write_corpus(args: argparse.Namespace, path: Path) -> dict[str, list[str]] | None:
    """Write the corpus as JSONL (``id``, ``text``); return its targets (``None``: suggested)."""
    rng = random.Random(args.seed)
    if args.corpus == "synthetic":
        import analysis as bench

        chosen = bench._TARGETS[:5]
        rows = [{"id": f"g{i:05d}", "text": bench.generate_article(rng, args.words, chosen)[0]}
                for i in range(args.articles)]
        targets: dict[str, list[str]] | None = {name: aliases for name, aliases in chosen}
    else:
        from stanceclf.eval.gold import read_polnear

        if args.data_dir is None:
            raise SystemExit("--corpus polnear needs --data-dir (or $STANCECLF_DATA)")
        articles = read_polnear(args.data_dir, split=args.split)
        rows = [{"id": a.id, "text": a.text} for a in articles[: args.articles]]
        targets = {t: [] for t in args.targets} if args.targets else None
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return targets


def records(folder: Path) -> list[dict]:
    return [json.loads(line) for part in sorted(folder.glob("part-*.jsonl")) for line in part.open(encoding="utf-8")]


def run_local(corpus: Path, targets: dict | None, options: dict, out: Path) -> dict:
    from stanceclf.analysis import Analyzer
    from stanceclf.analysis.runs import run_corpus

    t0 = time.perf_counter()
    analyzer = Analyzer(**options)
    analyzer.model, analyzer.extractor, analyzer.claim_model  # load them before timing the analysis
    loaded = time.perf_counter() - t0
    run = run_corpus([str(corpus)], analyzer, targets, output=out)
    wall = time.perf_counter() - t0
    return {"engine": "local", "articles": run.documents, "errors": len(run.errors), "seconds": round(wall, 2),
            "startup_seconds": round(loaded, 2), "articles_per_s": round(run.documents / run.seconds, 3),
            "wall_articles_per_s": round(run.documents / wall, 3),
            "stage_seconds": {k: round(v, 2) for k, v in analyzer.timings.items()},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run_ray(corpus: Path, targets: dict | None, options: dict, out: Path, workers: int, shard_size: int) -> dict:
    from stanceclf.analysis.distributed import run_analyze_ray

    run = run_analyze_ray([str(corpus)], targets, output_dir=out, workers=workers, shard_size=shard_size, **options)
    busy = run.seconds - run.startup_seconds
    return {"engine": "ray", "workers": workers, "articles": run.documents, "errors": len(run.errors),
            "shards": run.shards, "seconds": round(run.seconds, 2), "startup_seconds": round(run.startup_seconds, 2),
            "articles_per_s": round(run.documents / busy, 3),
            "wall_articles_per_s": round(run.documents / run.seconds, 3),
            "stage_seconds": {k: round(v, 2) for k, v in run.timings.items()},
            "peak_rss_mb": [w["peak_rss_mb"] for w in run.workers.values()],
            "worker_shards": [w["shards"] for w in run.workers.values()]}


MEMORY_MARKS = (100, 1_000, 2_000, 5_000, 10_000)


def memory_marks(manifest: Path) -> dict:
    """Each worker's peak memory (MB) when the run had finished 100, 1,000, ... articles, from the
    shard lines of a Ray run's manifest (in the order the shards finished)."""
    lines = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()[1:]]
    done, peaks, marks = 0, {}, []
    pending = list(MEMORY_MARKS)
    for line in lines:
        if "shard" not in line:
            continue
        done += line["documents"]
        peaks[line["worker"]] = line["peak_rss_mb"]
        while pending and done >= pending[0]:
            marks.append({"articles": pending.pop(0), "articles_done": done, "peak_rss_mb": dict(peaks)})
    return {"marks": marks, "articles_done": done, "final_peak_rss_mb": peaks}


def run_memory(args: argparse.Namespace, corpus: Path, targets: dict | None, options: dict, folder: Path) -> dict:
    """One Ray run with 2 workers; each worker's peak memory as the articles go by."""
    run = run_ray(corpus, targets, options, folder / "ray_memory", 2, args.shard_size)
    print(json.dumps(run), flush=True)
    return {**run, **memory_marks(folder / "ray_memory" / "_manifest.jsonl")}


def start_ray(cpus: int) -> None:
    """A local Ray instance with ``cpus`` CPUs, quiet."""
    import ray

    ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)


def environment(args: argparse.Namespace, argv: list[str] | None) -> dict:
    import ray

    from stanceclf import __version__

    try:
        import torch

        torch_info = {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    except ImportError:
        torch_info = {}
    return {"stanceclf_version": __version__, "ray": ray.__version__, **torch_info, "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "ray_cpus": args.cpus,
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
            "command": "python benchmarks/ray_scaling.py " + " ".join(sys.argv[1:] if argv is None else argv)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", choices=["synthetic", "polnear"], default="synthetic")
    p.add_argument("--data-dir", type=Path, default=os.environ.get("STANCECLF_DATA"),
                   help="the data folder (polnear/ inside); needed for --corpus polnear")
    p.add_argument("--split", default="dev", help="PolNeAR split (default dev)")
    p.add_argument("--targets", nargs="+", help="targets for --corpus polnear (default: suggested per article)")
    p.add_argument("--articles", type=int, default=200, help="articles in the corpus (default 200)")
    p.add_argument("--words", type=int, default=500, help="words per generated article (default 500)")
    p.add_argument("--mode", default="hybrid", choices=["rules", "tagger", "hybrid"], help="quote extractor")
    p.add_argument("--model", default="default", help="stance model (a registry name or a saved-model folder)")
    p.add_argument("--no-claims", action="store_true", help="score no claims")
    p.add_argument("--shard-size", type=int, default=32, help="articles per Ray shard (default 32)")
    p.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance (default 2)")
    p.add_argument("--rounds", type=int, default=1, help="times to run the three configurations, alternating")
    p.add_argument("--memory", action="store_true",
                   help="instead of the three configurations: one 2-worker Ray run, each worker's memory over it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", type=Path,
                   help="result JSON (default benchmarks/results/ray_scaling_<corpus>_<mode>.json; ray_memory_... with --memory)")
    args = p.parse_args(argv)
    import ray

    options = {"model": args.model, "extractor": args.mode, "claim_model": None if args.no_claims else "default"}
    result = {**environment(args, argv), "corpus": args.corpus, "articles": args.articles, "extractor": args.mode,
              "model": args.model, "claims": not args.no_claims, "shard_size": args.shard_size, "rounds": []}
    output = args.output or RESULTS / f"ray_{'memory' if args.memory else 'scaling'}_{args.corpus}_{args.mode}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stanceclf-ray-scaling-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus.jsonl"
        targets = write_corpus(args, corpus)
        if args.memory:
            start_ray(args.cpus)
            result["memory"] = run_memory(args, corpus, targets, options, folder)
            result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            output.write_text(json.dumps(result, indent=2) + "\n")
            print(f"Wrote {output}")
            return 0
        for index in range(args.rounds):
            local = run_local(corpus, targets, options, folder / f"local{index}.jsonl")  # before Ray starts here
            print(json.dumps(local), flush=True)
            expected = [json.loads(line) for line in (folder / f"local{index}.jsonl").open(encoding="utf-8")]
            if not ray.is_initialized():
                start_ray(args.cpus)
            runs = [local]
            for workers in (1, 2):
                out = folder / f"ray{workers}_{index}"
                runs.append(run_ray(corpus, targets, options, out, workers, args.shard_size))
                runs[-1]["identical"] = records(out) == expected
                print(json.dumps(runs[-1]), flush=True)
            one, two = runs[1], runs[2]
            result["rounds"].append({"runs": runs,
                                     "scaling_2w_over_1w": round(two["articles_per_s"] / one["articles_per_s"], 3),
                                     "ray_1w_over_local": round(one["articles_per_s"] / local["articles_per_s"], 3),
                                     "identical": one["identical"] and two["identical"]})
            result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            output.write_text(json.dumps(result, indent=2) + "\n")  # after every round: partial results survive
    ratios = [r["scaling_2w_over_1w"] for r in result["rounds"]]
    print(f"scaling 2 workers / 1 worker: {ratios}; identical records: {[r['identical'] for r in result['rounds']]}")
    print(f"Wrote {output}")
    return 0 if all(r["identical"] for r in result["rounds"]) else 1


if __name__ == "__main__":
    sys.exit(main())
