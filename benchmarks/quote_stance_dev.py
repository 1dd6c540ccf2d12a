#!/usr/bin/env python
"""Score a stance model on the project's own news-quote development set (benchmarks/data/).

    python benchmarks/quote_stance_dev.py --model default
    python benchmarks/quote_stance_dev.py --model runs/candidate --input sentence

``--input``: what the model reads -- ``sentence`` (the quote's sentence, as the analysis pipeline
does; default), ``quote`` (the quote alone) or ``quote+context`` (the quote, with its sentence as
context). Prints accuracy and macro-F1; ``--output`` writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
DEV = REPO / "benchmarks" / "data" / "news_quotes_dev.jsonl"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="default")
    p.add_argument("--input", default="sentence", choices=["sentence", "quote", "quote+context"])
    p.add_argument("--output", type=Path)
    args = p.parse_args(argv)
    import stanceclf
    from stanceclf.metrics import accuracy, confusion, macro_f1

    rows = [json.loads(line) for line in DEV.read_text().splitlines() if line.strip()]
    if args.input == "sentence":
        pairs = [(r["sentence"], r["target"]) for r in rows]
    elif args.input == "quote":
        pairs = [(r["quote"], r["target"]) for r in rows]
    else:
        pairs = [(r["quote"], r["target"], r["sentence"]) for r in rows]
    model = stanceclf.load(args.model)
    predicted = [str(x) for x in model.predict(pairs)]
    gold = [r["label"] for r in rows]
    result = {"model": args.model, "input": args.input, "n": len(rows), "accuracy": round(accuracy(gold, predicted), 4),
              "macro_f1": round(macro_f1(gold, predicted, labels=["AGAINST", "FAVOR", "NONE"]), 4),
              "predicted": dict(Counter(predicted)), "confusion": confusion(gold, predicted, labels=["AGAINST", "FAVOR", "NONE"]),
              "command": "python benchmarks/quote_stance_dev.py " + " ".join(sys.argv[1:] if argv is None else argv)}
    print(json.dumps({k: v for k, v in result.items() if k != "confusion"}))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
