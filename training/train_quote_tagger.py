#!/usr/bin/env python
"""Train the quote tagger (stanceclf.extract.tagger) on PolNeAR.

    python training/train_quote_tagger.py --data-dir /path/to/polnear \
        --config training/configs/quote_tagger.yaml --output stanceclf/resources/quote_tagger

Trains on the ``train`` split, early-stops and measures on ``dev`` (token-level F1 over SOURCE / CUE /
CONTENT), saves the best-on-dev artefact (LoRA adapter + head + config + tokenizer) to ``--output``
and writes ``training_log.jsonl`` and ``training_summary.json`` next to it. ``--resume`` continues an
interrupted run from ``<output>/checkpoint``. The test split is never read.
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
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

DEFAULT_CONFIG = REPO / "training" / "configs" / "quote_tagger.yaml"
DEFAULT_OUTPUT = REPO / "stanceclf" / "resources" / "quote_tagger"
ARTEFACT_FILES = ("tagger_config.json", "adapter.safetensors", "model.safetensors", "config.json")


def read_config(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text) or {}
    return json.loads(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, type=Path,
                   help="PolNeAR folder holding train/ and dev/ (or its parent holding polnear/)")
    p.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="YAML or JSON config (default: %(default)s)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="artefact directory (default: %(default)s)")
    p.add_argument("--epochs", type=float, default=None, help="override training.epochs (may be fractional)")
    p.add_argument("--max-train-articles", type=int, default=None, help="use only the first N train articles")
    p.add_argument("--max-dev-articles", type=int, default=None, help="use only the first N dev articles")
    p.add_argument("--resume", action="store_true", help="continue from <output>/checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.time()
    from stanceclf import __version__
    from stanceclf.extract.tagger import QuoteTagger, TrainConfig, load_polnear

    cfg = read_config(args.config)
    model_cfg = dict(cfg.get("model") or {})
    data_cfg = dict(cfg.get("data") or {})
    train_cfg = dict(cfg.get("training") or {})
    if args.epochs is not None:
        train_cfg["epochs"] = args.epochs
    max_train = args.max_train_articles if args.max_train_articles is not None else data_cfg.get("max_train_articles")
    max_dev = args.max_dev_articles if args.max_dev_articles is not None else data_cfg.get("max_dev_articles")
    tc = TrainConfig.from_dict(train_cfg)

    train = load_polnear(args.data_dir, "train", max_articles=max_train)
    dev = load_polnear(args.data_dir, "dev", max_articles=max_dev)
    print(f"PolNeAR: {len(train)} train articles, {len(dev)} dev articles", flush=True)

    tagger = QuoteTagger.from_pretrained(
        model_cfg.get("encoder"),
        lora=model_cfg.get("lora", True),
        lora_r=model_cfg.get("lora_r", 16),
        lora_alpha=model_cfg.get("lora_alpha", 32),
        lora_dropout=model_cfg.get("lora_dropout", 0.1),
        lora_targets=tuple(model_cfg.get("lora_targets", ("query", "value"))),
        window=model_cfg.get("window", 256),
        stride=model_cfg.get("stride", 64),
        seed=model_cfg.get("seed", 0),
    )
    import torch

    print(f"torch threads: {torch.get_num_threads()}; training config: {tc}", flush=True)
    fit = tagger.fit(train, dev, tc, output_dir=args.output, resume=args.resume, progress=not args.no_progress)

    # the tagger now holds the best-on-dev weights (also saved in --output); full dev report
    t_eval = time.time()
    dev_metrics = tagger.evaluate(dev, batch_size=tc.eval_batch_size, attributions=True)
    eval_s = time.time() - t_eval
    # the saved artefact must reproduce the in-memory model
    loaded = QuoteTagger.load(args.output)
    sample = [d.text for d in dev[:3]]
    same = loaded.predict(sample) == tagger.predict(sample) or all(
        [(a.content, a.cue, a.source) for a in x] == [(b.content, b.cue, b.source) for b in y]
        for x, y in zip(loaded.predict(sample), tagger.predict(sample)))
    files = {p.name: p.stat().st_size for p in sorted(args.output.iterdir()) if p.is_file()}
    summary = {
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "stanceclf_version": __version__,
        "config_file": str(args.config),
        "config": {"model": model_cfg, "data": {"max_train_articles": max_train, "max_dev_articles": max_dev},
                   "training": tc.__dict__},
        "data": {"dir": str(args.data_dir), "train_articles": len(train), "dev_articles": len(dev),
                 "train_windows": fit["train_windows"],
                 "train_spans": sum(len(d.spans) for d in train), "dev_spans": sum(len(d.spans) for d in dev)},
        "training": {k: v for k, v in fit.items() if k != "best_dev"},
        "wall_time_s": {"training": fit["wall_time_s"], "final_dev_eval": round(eval_s, 1),
                        "total": round(time.time() - t0, 1)},
        "dev": dev_metrics,
        "dev_token_f1": {t: dev_metrics["token"][t]["f1"] for t in ("SOURCE", "CUE", "CONTENT")}
        | {"macro": dev_metrics["token"]["macro_f1"]},
        "artefact": {"dir": str(args.output), "files": files,
                     "weights_and_tokenizer_bytes": sum(v for k, v in files.items()
                                                        if not k.startswith("training_")),
                     "reload_matches": bool(same)},
        "machine": {"python": platform.python_version(), "torch": torch.__version__,
                    "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
                    "platform": platform.platform()},
    }
    (args.output / "training_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"dev_token_f1": summary["dev_token_f1"], "attribution": dev_metrics["attribution"],
                      "wall_time_s": summary["wall_time_s"], "artefact_bytes": sum(files.values())}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
