"""Quote extraction benchmark: quality and speed on PolNeAR dev (and the annotated examples).

Usage:
    python benchmarks/quotes.py --data-dir ../shared/data [--modes rules hybrid] [--limit N]
    python benchmarks/quotes.py --data-dir ../shared/data --modes tagger --precisions fp32 int8

Writes benchmarks/results/quotes_<mode>.json (scores + words/second) and prints a summary. Speed is
measured on the batched path (``QuoteExtractor.pipe``) after a warm-up, with spaCy's own parse
speed (same pipeline, no rules) alongside as the reference.

PolNeAR is scored per attribution (its annotation unit: a quote split by its cue is one attribution),
``polnear_dev_segments`` per quoted segment (the unit of numbers reported before v0.1.1), and
``polnear_agreement`` gives the human ceiling: PolNeAR's second annotators scored against the
first on the 18 doubly annotated train/dev articles (written to quotes_agreement.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from stanceclf import __version__
from stanceclf.data.loaders import resolve_data_dir
from stanceclf.eval.quotes import polnear_agreement, read_example_articles, read_polnear, score_quotes
from stanceclf.extract import QuoteExtractor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=os.environ.get("STANCECLF_DATA"))
    parser.add_argument("--modes", nargs="+", default=["rules", "tagger", "hybrid"])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--output-dir", default="benchmarks/results")
    parser.add_argument("--tagger", help="a tagger artefact directory to use instead of the packaged one")
    parser.add_argument("--precisions", nargs="+", choices=["fp32", "bf16", "int8", "auto"],
                        help="run the tagger modes in each of these precisions, one after another, to "
                             "quotes_<mode>_<precision>.json (default: the tagger's own, to quotes_<mode>.json)")
    parser.add_argument("--processes", type=int, default=2,
                        help="also time rules mode with this many spaCy processes (default 2: both cores; 1 to skip)")
    args = parser.parse_args()

    root = resolve_data_dir(args.data_dir)
    articles = read_polnear(root, split="dev")[: args.limit]
    examples = read_example_articles(root / "examples")
    texts = [a.text for a in articles]
    n_words = sum(len(t.split()) for t in texts)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    agreement = polnear_agreement(root)
    (out / "quotes_agreement.json").write_text(json.dumps(agreement, indent=2) + "\n")
    print(f"human agreement (PolNeAR, {agreement['n_articles']} doubly annotated articles): "
          f"F1@0.3 {agreement['by_threshold']['0.3']['f1']:.3f}")

    baseline = QuoteExtractor(mode="rules")
    list(baseline.nlp.pipe(texts[:2]))  # warm-up
    start = time.perf_counter()
    for _ in baseline.nlp.pipe(texts, batch_size=16):
        pass
    spacy_wps = n_words / (time.perf_counter() - start)

    runs = [(mode, precision) for mode in args.modes
            for precision in (args.precisions if args.precisions and mode != "rules" else [None])]
    for mode, precision in runs:
        extractor = QuoteExtractor(mode=mode, tagger_path=args.tagger, precision=precision)
        list(extractor.pipe(texts[:2]))  # warm-up: load models
        start = time.perf_counter()
        predictions = list(extractor.pipe(texts))
        seconds = time.perf_counter() - start
        result = {
            "mode": mode,
            "precision": precision or "fp32",
            "corpus": "polnear/dev",
            "n_articles": len(articles),
            "n_words": n_words,
            "seconds": seconds,
            "words_per_s": n_words / seconds,
            "spacy_parse_words_per_s": spacy_wps,
            "polnear_dev": score_quotes(articles, predictions),
            "polnear_dev_segments": score_quotes(articles, predictions, unit="segment"),
            "examples": score_quotes(examples, list(extractor.pipe([a.text for a in examples]))),
            "stanceclf_version": __version__,
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
        }
        if mode == "rules" and args.processes > 1:
            parallel = QuoteExtractor(mode="rules", n_process=args.processes)
            list(parallel.pipe(texts[:2]))
            start = time.perf_counter()
            same = list(parallel.pipe(texts))
            result["parallel"] = {"processes": args.processes, "words_per_s": n_words / (time.perf_counter() - start),
                                  "identical_output": same == predictions}
            print(f"rules with {args.processes} processes: {result['parallel']['words_per_s']:,.0f} words/s "
                  f"(output identical: {result['parallel']['identical_output']})")
        path = out / (f"quotes_{mode}_{precision}.json" if precision else f"quotes_{mode}.json")
        path.write_text(json.dumps(result, indent=2) + "\n")
        dev = result["polnear_dev"]["by_threshold"]
        print(f"{mode:<7} {precision or '':<5} {result['words_per_s']:>8,.0f} words/s (spaCy parse alone {spacy_wps:,.0f})  "
              f"PolNeAR dev F1@0.3 {dev['0.3']['f1']:.3f}  F1@0.8 {dev['0.8']['f1']:.3f}  "
              f"examples speaker acc {result['examples']['speaker_accuracy']['accuracy']}  -> {path}")


if __name__ == "__main__":
    main()
