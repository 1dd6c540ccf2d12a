#!/usr/bin/env python
"""Speed and label cost of each inference precision (fp32, bf16, int8), side by side in one process.

    python benchmarks/precision.py --data-dir ../shared/data                         # the default stance model
    python benchmarks/precision.py --data-dir ../shared/data --model default-claims  # the claim model

For each precision (:mod:`stanceclf.models.precision`) the same model scores, in the same run:

* two generated workloads (fictional texts, as ``benchmarks/throughput.py``): ``max_length`` (texts
  that fill the 128-token window) and ``news`` (25-45 word sentences); pairs/s, and the share of
  labels identical to fp32;
* the model's development pairs (what its training config holds out, built by
  ``training/train_stance.py``'s own data builder; never a test split): macro-F1 and agreement with fp32.

``--student-layers 3 2`` adds the speed ceiling of a smaller student: a copy of the model that keeps
that many evenly spaced encoder layers (as ``training/make_student.py`` chooses them), untrained, so
only its pairs/s are reported, never its labels: what an N-layer student could reach at best.

bf16 runs even where the hardware has no fast bf16 (``precision_`` is forced), so the slowdown there
is measured too; ``fast_bf16`` in the result says which case it was. Writes
``benchmarks/results/precision_<model>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "training", REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402

from throughput import make_pairs  # noqa: E402

CONFIGS = {"stance": REPO / "training" / "configs" / "default_stance.yaml",
           "claims": REPO / "training" / "configs" / "default_claims.yaml"}


def dev_rows(kind: str, data_dir: Path, limit: int, seed: int = 0) -> list[dict[str, str]]:
    """A seeded sample of the default ``kind`` model's development pairs."""
    from train_stance import build_data, read_config

    config = read_config(CONFIGS[kind])
    _, dev, _ = build_data(config, data_dir, int(config.get("seed", 0)))
    order = np.random.default_rng(seed).permutation(len(dev))[:limit]
    return [dev[i] for i in sorted(order)]


def labels_of(model, rows: list[dict[str, str]]) -> np.ndarray:
    """Predicted class index per row (claim rows: within the row's own task, as the model masks it)."""
    from stanceclf.models.base import PairBatch

    batch = PairBatch([r["text"] for r in rows], [r["target"] for r in rows], [r.get("context", "") for r in rows],
                      None, [r.get("speaker", "") for r in rows])
    return np.asarray(model.predict_proba(batch)).argmax(axis=1)


def set_precision(model, precision: str) -> None:
    """``model.to(precision=...)``, except that bf16 is forced where the hardware is slow at it."""
    if precision == "bf16":
        model.precision_ = "bf16"
        return
    model.to("cpu", precision=precision)


def timed(model, rows: list[dict[str, str]]) -> tuple[np.ndarray, float]:
    labels_of(model, rows[:64])  # warm-up (and, for int8, the first build or cache read)
    t0 = time.perf_counter()
    labels = labels_of(model, rows)
    return labels, len(rows) / (time.perf_counter() - t0)


def truncated(name: str, layers: int):
    """A fresh copy of model ``name`` whose encoder keeps ``layers`` evenly spaced layers (speed only)."""
    import stanceclf
    from make_student import drop_layers

    student = stanceclf.load(name)
    drop_layers(student.model_, layers)
    return student


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="default", help="default (stance) or default-claims, or a saved model")
    p.add_argument("--data-dir", type=Path, default=os.environ.get("STANCECLF_DATA"),
                   help="benchmark data root (for the development pairs)")
    p.add_argument("--pairs", type=int, default=768, help="pairs per generated workload (default 768)")
    p.add_argument("--dev-pairs", type=int, default=1500, help="development pairs scored per precision")
    p.add_argument("--bf16-pairs", type=int, default=256,
                   help="pairs per workload for bf16 where the hardware is slow at it (default 256)")
    p.add_argument("--precisions", nargs="+", default=["fp32", "int8", "bf16"])
    p.add_argument("--rounds", type=int, default=2, help="timed rounds per precision, interleaved (default 2)")
    p.add_argument("--student-layers", nargs="*", type=int, default=[],
                   help="also time untrained copies keeping this many encoder layers (speed ceiling of a student)")
    p.add_argument("--output", type=Path)
    args = p.parse_args(argv)
    import torch

    import stanceclf
    from stanceclf import __version__
    from stanceclf.metrics import macro_f1
    from stanceclf.models.precision import fast_bf16

    model = stanceclf.load(args.model)
    kind = getattr(model, "model_kind", "stance")
    tasks = sorted(getattr(model, "tasks_", []) or [])
    workloads = {}
    for name, words in (("max_length", (150, 170)), ("news", (25, 45))):
        pairs = make_pairs(args.pairs, words)
        if kind == "claims":  # one row per text, the first task (the model scores every task in the pass)
            pairs = [(text, tasks[0]) for text, _ in pairs]
        workloads[name] = [{"text": text, "target": target} for text, target in pairs]
    dev = dev_rows(kind, args.data_dir, args.dev_pairs) if args.data_dir and args.model in ("default", "default-claims") else []
    bf16_fast = fast_bf16("cpu")
    classes = [str(c) for c in model.classes_]
    reference: dict[str, np.ndarray | None] = {}
    runs = []
    for name, rows in [*workloads.items(), *((("dev", dev),) if dev else ())]:
        best: dict[str, tuple[np.ndarray, float]] = {}
        for _ in range(args.rounds):  # precisions interleaved, best rate of the rounds: fair on a noisy machine
            for precision in args.precisions:
                set_precision(model, precision)
                subset = rows[:args.bf16_pairs] if precision == "bf16" and not bf16_fast else rows
                labels, rate = timed(model, subset)
                best[precision] = (labels, max(rate, best.get(precision, (None, 0.0))[1]))
        reference[name] = best["fp32"][0] if "fp32" in best else None
        for precision, (labels, rate) in best.items():
            same = None if reference[name] is None else labels == reference[name][:len(labels)]
            run = {"precision": precision, "workload": name, "pairs": len(labels), "pairs_per_s": round(rate, 1),
                   "label_agreement_with_fp32": None if same is None else round(float(same.mean()), 4)}
            if name == "dev":
                gold = [r["label"] for r in rows[:len(labels)]]
                run["macro_f1"] = round(macro_f1(gold, [classes[i] for i in labels]), 4)
                if len(labels) < len(rows) and reference[name] is not None:  # bf16 on fewer pairs: fp32 on those
                    fp32_labels = reference[name][:len(labels)]
                    run["macro_f1_fp32_same_pairs"] = round(macro_f1(gold, [classes[i] for i in fp32_labels]), 4)
            runs.append(run)
            print(json.dumps(run), flush=True)
    for layers in args.student_layers:  # speed only: an untrained student's labels mean nothing
        student = truncated(args.model, layers)
        for name, rows in workloads.items():
            for precision in [q for q in args.precisions if q != "bf16"]:
                set_precision(student, precision)
                rate = max(timed(student, rows)[1] for _ in range(args.rounds))
                run = {"precision": precision, "workload": name, "pairs": len(rows), "pairs_per_s": round(rate, 1),
                       "student_layers": layers, "note": "untrained copy: speed ceiling only"}
                runs.append(run)
                print(json.dumps(run), flush=True)
    for run in runs:  # speed-up against fp32 on the same workload, measured in this run
        base = next((r for r in runs if r["precision"] == "fp32" and r["workload"] == run["workload"]), None)
        if base:
            run["speedup_vs_fp32"] = round(run["pairs_per_s"] / base["pairs_per_s"], 2)
    name = Path(args.model).name if args.model not in ("default", "default-claims") else args.model
    output = args.output or REPO / "benchmarks" / "results" / f"precision_{name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "model": args.model, "model_kind": kind, "stanceclf_version": __version__,
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "fast_bf16": bf16_fast,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "command": "python benchmarks/precision.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "dev_note": "a seeded sample of the development pairs the model's training config holds out" if dev else None,
        "runs": runs}, indent=2) + "\n")
    print(f"Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
