#!/usr/bin/env python
"""Two cheap levers for a claim model, measured on its development data only (never a test split).

    python benchmarks/claim_levers.py --data-dir ../shared/data                       # default-claims
    python benchmarks/claim_levers.py --data-dir ../shared/data --model runs/claims-full

The development rows are those ``training/configs/default_claims.yaml`` holds out (built by
``training/train_stance.py``'s own data builder). For each task, with its dataset's official metric:

* ``at_0.5``: the model as it predicts (the positive label when its probability is at least 0.5);
* ``best_threshold`` / ``at_best``: the decision threshold (0.05 to 0.95 in steps of 0.01) that scores
  best on these same rows. In-sample, so optimistic: an upper bound on what a tuned threshold brings;
* ``ensemble_<w>``: the probability ``(1 - w) * model + w * TF-IDF`` at 0.5, the TF-IDF model
  (``create_model("tfidf")``) fitted on the same training rows.

Writes ``benchmarks/results/claim_levers_<model>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402

CONFIG = REPO / "training" / "configs" / "default_claims.yaml"
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="default-claims", help="a claim model: default-claims or a saved-model folder")
    p.add_argument("--data-dir", type=Path, default=os.environ.get("STANCECLF_DATA"),
                   help="benchmark data root (default: $STANCECLF_DATA)")
    p.add_argument("--weights", nargs="+", type=float, default=[0.2, 0.3, 0.5], help="TF-IDF ensemble weights")
    p.add_argument("--output", type=Path)
    args = p.parse_args(argv)
    if args.data_dir is None:
        p.error("pass --data-dir (or set STANCECLF_DATA)")
    import stanceclf
    from stanceclf.data.loaders import get_dataset_info
    from stanceclf.metrics import score_all
    from stanceclf.models.claims import SCORE_FIELDS
    from train_stance import build_data, read_config

    config = read_config(CONFIG)
    train, dev, _ = build_data(config, args.data_dir, int(config.get("seed", 0)))
    model = stanceclf.load(args.model)
    tfidf = stanceclf.create_model("tfidf").fit([(r["text"], r["target"]) for r in train], [r["label"] for r in train])
    model_p = model.task_probabilities([r["text"] for r in dev])
    results = {}
    for source in sorted({r["source"] for r in dev}):
        info = get_dataset_info(source)
        idx = [i for i, r in enumerate(dev) if r["source"] == source]
        task = dev[idx[0]]["target"]
        positive = SCORE_FIELDS[task][1]
        negative = next(label for label in model.tasks_[task] if label != positive)
        gold = [dev[i]["label"] for i in idx]

        def score(p_positive: np.ndarray, threshold: float = 0.5) -> float:
            pred = [positive if x >= threshold else negative for x in p_positive]
            return round(score_all(gold, pred, labels=list(info.labels), main_metric=info.main_metric,
                                   positive_label=info.positive_label, n_resamples=0)["main_score"], 4)

        p_model = model_p[task][idx, model.tasks_[task].index(positive)]
        p_tfidf = np.asarray(tfidf.predict_proba([(dev[i]["text"], task) for i in idx]))[
            :, [str(c) for c in tfidf.classes_].index(positive)]
        sweep = [score(p_model, t) for t in THRESHOLDS]
        best = int(np.argmax(sweep))
        results[source] = {
            "task": task, "metric": info.main_metric, "n": len(idx),
            "positive_rate": round(float(np.mean([g == positive for g in gold])), 3),
            "predicted_positive_rate": round(float(np.mean(p_model >= 0.5)), 3),
            "at_0.5": score(p_model), "best_threshold": float(THRESHOLDS[best]), "at_best": sweep[best],
            **{f"ensemble_{w:g}": score((1 - w) * p_model + w * p_tfidf) for w in args.weights},
            "tfidf_alone": score(p_tfidf)}
        print(source, json.dumps(results[source]), flush=True)
    name = args.model if args.model == "default-claims" else Path(args.model).name
    output = args.output or REPO / "benchmarks" / "results" / f"claim_levers_{name}.json"
    output.write_text(json.dumps({
        "model": args.model, "dev_from": str(CONFIG.relative_to(REPO)),
        "command": "python benchmarks/claim_levers.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "note": "at_best is in-sample (the threshold is chosen on the rows it is scored on)",
        "results": results}, indent=2) + "\n")
    print(f"Wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
