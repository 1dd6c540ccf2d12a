#!/usr/bin/env python
"""Inference throughput and peak memory of a stance or claim model, measured apart from any evaluation.

    python benchmarks/throughput.py                          # the built-in default model
    python benchmarks/throughput.py --model default-claims   # the built-in claim model (all tasks per text)
    python benchmarks/throughput.py --model runs/mine --pairs 2000

Two workloads, each in a fresh process so peak memory (RSS) is the model's own:

* ``max_length``: (target, text) pairs whose text fills the whole 128-token window (the worst case
  the issue's target is stated for);
* ``news``: pairs built from generated news sentences of typical length (25-45 words).

A claim model (``model_kind == "claims"``) reads the texts alone and scores every task in one pass
(:meth:`~stanceclf.models.claims.ClaimClassifier.score_texts`); its rate is sentences per second.

Texts are generated (fictional), so no dataset is needed. Writes ``benchmarks/results/throughput_<model>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

WORDS = ("the government said new rules on energy prices would protect families while critics warned that "
         "the plan could cost taxpayers billions and hurt small firms across the northern regions this winter").split()
TARGETS = ["energy prices", "the government", "NATO", "the minerals deal", "Zelenskyy"]


def make_pairs(n: int, words: tuple[int, int], seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(" ".join(rng.choice(WORDS) for _ in range(rng.randint(*words))).capitalize() + ".", rng.choice(TARGETS))
            for _ in range(n)]


def child(model_name: str, workload: str, n: int, batch_size: int) -> dict:
    import stanceclf
    from stanceclf.models.base import as_pair_batch

    t0 = time.perf_counter()
    model = stanceclf.load(model_name)
    load_s = time.perf_counter() - t0
    if hasattr(model, "predict_batch_size"):
        model.predict_batch_size = batch_size
    pairs = make_pairs(n, (150, 170) if workload == "max_length" else (25, 45))
    tokens = None
    if getattr(model, "model_kind", "stance") == "claims":  # the texts alone, every task in one pass
        texts = [text for text, _ in pairs]
        pairs = [(text, sorted(model.tasks_)[0]) for text in texts]
        run = lambda batch: model.score_texts([text for text, _ in batch])  # noqa: E731
    else:
        run = model.predict_proba
    if hasattr(model, "tokenizer_"):
        enc = model._encode(model.tokenizer_, as_pair_batch(pairs[:200]))
        tokens = sum(len(x) for x in enc["input_ids"]) / 200
    run(pairs[:64])  # warm-up
    t0 = time.perf_counter()
    run(pairs)
    seconds = time.perf_counter() - t0
    return {"workload": workload, "pairs": n, "batch_size": batch_size, "mean_tokens": tokens,
            "max_length": getattr(model, "max_length", None), "seconds": round(seconds, 2),
            "pairs_per_s": round(n / seconds, 1), "load_s": round(load_s, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="default")
    p.add_argument("--pairs", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--output", type=Path)
    p.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._child:
        print(json.dumps(child(args.model, args._child[0], int(args._child[1]), args.batch_size)))
        return 0
    import torch

    from stanceclf import __version__

    runs = []
    for workload in ("max_length", "news"):
        out = subprocess.run([sys.executable, __file__, "--model", args.model, "--batch-size", str(args.batch_size),
                              "--_child", workload, str(args.pairs)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]))
    name = Path(args.model).name if args.model not in ("default", "default-claims") else args.model
    output = args.output or REPO / "benchmarks" / "results" / f"throughput_{name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"model": args.model, "stanceclf_version": __version__, "torch_threads": torch.get_num_threads(),
                                  "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                                  "command": "python benchmarks/throughput.py " + " ".join(sys.argv[1:] if argv is None else argv),
                                  "runs": runs}, indent=2) + "\n")
    print(f"Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
