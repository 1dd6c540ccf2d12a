"""The ``stanceclf`` command line: train, evaluate, predict and benchmark stance models.

Exit codes (stable, for scripts):
  0  success
  1  unexpected internal error (please report it)
  2  bad usage or bad input (unknown name, missing file, malformed data)
  3  partial failure: some inputs could not be processed (each one is reported)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from .files import check_inputs, check_model_dir, check_output_file

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3

_EPILOG = "exit codes: 0 success, 1 internal error, 2 bad usage or input, 3 some inputs failed."
_DATA_EPILOG = """data: pass --data-dir or set STANCECLF_DATA to the folder holding the datasets
(one subfolder each, e.g. semeval2016_task6/, pstance/, polnear/; `stanceclf datasets` lists them)."""

logger = logging.getLogger("stanceclf")


def _parse_param(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param expects KEY=VALUE, got {text!r}")
    key, raw = text.split("=", 1)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=os.environ.get("STANCECLF_DATA"),
                   help="folder holding the benchmark datasets (default: $STANCECLF_DATA)")
    p.epilog = f"{_EPILOG}\n{_DATA_EPILOG}"


def _common_options() -> argparse.ArgumentParser:
    """Options every command takes: how much it says on standard error."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("messages")
    group.add_argument("-q", "--quiet", action="store_true", help="only errors and warnings on standard error; no progress bars")
    group.add_argument("-v", "--verbose", action="store_true", help="also debugging messages")
    group.add_argument("--no-progress", action="store_true", help="no progress bars (they are drawn only on a terminal anyway)")
    return common


def _show_progress(args: argparse.Namespace) -> bool:
    """Progress bars go to standard error, only when it is a terminal and not turned off."""
    return not (args.no_progress or args.quiet) and sys.stderr.isatty()


def _setup_logging(args: argparse.Namespace) -> None:
    """stanceclf's messages go to standard error through :mod:`logging` (the library itself only logs)."""
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _add_inputs(p: argparse.ArgumentParser) -> None:
    """Documents to read: the same for every command that reads articles."""
    p.add_argument("inputs", nargs="+", metavar="PATH",
                   help=".txt files, folders (every .txt/.jsonl/.csv inside), .jsonl/.csv/.tsv files, or '-' for stdin")
    p.add_argument("--text-column", default="text", help="JSONL/CSV column holding the article text (default text)")
    p.add_argument("--id-column", default="id", help="JSONL/CSV column holding a document id (default id; else file:row)")
    p.add_argument("--date-column", default="date",
                   help="JSONL/CSV column holding the publication date, ISO 8601 (default date; optional)")


def _add_allow_download(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-download", action="store_true",
                   help="let a saved model fetch its base encoder from the Hugging Face hub if it is not on this "
                        "machine (never done otherwise)")


def _add_extractor(p: argparse.ArgumentParser) -> None:
    p.add_argument("--extractor", default="hybrid", choices=["rules", "tagger", "hybrid"],
                   help="quote extraction: hybrid (rules + span tagger, default, most complete), rules (fastest) "
                        "or tagger")


def _add_model_params(p: argparse.ArgumentParser) -> None:
    p.add_argument("--param", action="append", type=_parse_param, default=[], metavar="KEY=VALUE",
                   help="override a model parameter, e.g. --param mode=joint --param 'c_grid=[0.1,1]' (repeatable)")


def _command(sub: Any, name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand parser with the shared options and epilog (exit codes) and verbatim examples."""
    return sub.add_parser(name, help=help, description=description or help, epilog=_EPILOG,
                          parents=[_COMMON], formatter_class=argparse.RawDescriptionHelpFormatter)


_COMMON = _common_options()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stanceclf",
        description="Stance and claims in news: find quotes and their speakers, the targets they address and the\n"
                    "speaker's stance toward each; train, evaluate, predict and benchmark stance models.\n\n"
                    "start here:\n"
                    "  stanceclf analyze examples/article.txt --targets examples/targets.yaml",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"stanceclf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # analyze -------------------------------------------------------------------------------------
    p = _command(sub, "analyze", help="who said what about which target: quotes, speakers and stance",
                       description="Find every quote in news articles, its speaker, the targets it addresses and the\n"
                                   "speaker's stance toward each (FAVOR / AGAINST / NONE with probabilities).\n"
                                   "Inputs: .txt files, folders, JSONL/CSV files with a text column, or '-' (stdin).\n"
                                   "Every input document yields records or an error record; failures are summarised.\n\n"
                                   "examples:\n"
                                   "  stanceclf analyze examples/article.txt --targets examples/targets.yaml\n"
                                   "  stanceclf analyze news/ -t NATO -t 'Zelenskyy=Zelensky|the Ukrainian president' \\\n"
                                   "      --output quotes.jsonl --report report.html --plots plots/\n"
                                   "  stanceclf analyze corpus.csv --text-column body --date-column published --workers 2 -o out.csv")
    _add_inputs(p)
    p.add_argument("-t", "--target", action="append", default=[], metavar="NAME[=ALIAS|ALIAS]",
                   help="a target and its aliases (repeatable)")
    p.add_argument("--targets", metavar="FILE", help="targets file: YAML/JSON {name: [aliases]} or CSV name,aliases")
    p.add_argument("--all-targets", action="store_true",
                   help="a row for every target for every quote (matrix view); unaddressed pairs are NONE by rule, via=none")
    p.add_argument("--model", default="default", help="stance model: \"default\" (built in) or a saved-model directory")
    _add_allow_download(p)
    _add_extractor(p)
    p.add_argument("-o", "--output", metavar="FILE",
                   help="records file, one row per (quote, target): .jsonl, .csv, .tsv or .parquet (by suffix)")
    p.add_argument("--format", choices=["table", "jsonl", "csv", "tsv", "parquet"],
                   help="format of --output or of standard output (default: table on screen, else by suffix)")
    p.add_argument("--report", metavar="HTML", help="write an HTML report (highlighted quotes + aggregates)")
    p.add_argument("--report-max-articles", type=int, default=200, help="articles shown in full in the report")
    p.add_argument("--plots", metavar="DIR", help="write stance_matrix.png/.svg (and stance_over_time.* with dates)")
    p.add_argument("--summary", metavar="JSON", help="write the speaker x target aggregate and failures as JSON")
    p.add_argument("--workers", type=int, default=1, help="processes for quote extraction (default 1)")
    p.add_argument("--batch-size", type=int, default=64, help="(target, text) pairs per stance-model call")
    p.add_argument("--max-chars", type=int, default=None, help="refuse longer documents (default 200,000)")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed or failed run of the same command from its --output FILE.partial")
    p.add_argument("--overwrite", action="store_true",
                   help="discard a killed run's --output FILE.partial and start again")

    # quotes --------------------------------------------------------------------------------------
    p = _command(sub, "quotes", help="extract quotes and their speakers from text files",
                       description="Find every quoted claim (direct, partial, reported speech) and its speaker,\n"
                                   "without stance (see `stanceclf analyze` for that). Same inputs as analyze.\n\n"
                                   "examples:\n"
                                   "  stanceclf quotes examples/article.txt\n"
                                   "  stanceclf quotes news/ --extractor rules -o quotes.jsonl\n"
                                   "  cat article.txt | stanceclf quotes - --format json")
    _add_inputs(p)
    _add_extractor(p)
    p.add_argument("--mode", choices=["rules", "tagger", "hybrid"], dest="extractor", help=argparse.SUPPRESS)  # old name
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of the screen: .json or .jsonl (by suffix)")
    p.add_argument("--format", choices=["table", "json", "jsonl"],
                   help="default: table on screen, else by the suffix of --output (jsonl unless .json)")

    # train ---------------------------------------------------------------------------------------
    p = _command(sub, "train", help="train a model and save it to a directory",
                       description="Train a registered model on a benchmark dataset or your own file, then save it.\n\n"
                                   "examples:\n"
                                   "  stanceclf train --model tfidf --dataset semeval2016 --output runs/tfidf-semeval\n"
                                   "  stanceclf train --model tfidf-joint --train-file my.csv --text-column quote \\\n"
                                   "      --target-column entity --label-column stance --output runs/mine")
    p.add_argument("--model", default="tfidf", help="registered model name (see `stanceclf models`); default tfidf")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="registered dataset name (see `stanceclf datasets`)")
    src.add_argument("--train-file", help="your own CSV/TSV/JSONL file")
    p.add_argument("--text-column", default="text", help="--train-file column holding the text (default text)")
    p.add_argument("--target-column", default="target", help="--train-file column holding the target (default target)")
    p.add_argument("--label-column", default="label", help="--train-file column holding the stance label (default label)")
    p.add_argument("--target", help="one fixed target for every row of --train-file")
    p.add_argument("--train-targets", nargs="+", help="train only on these targets of --dataset")
    p.add_argument("--output", required=True, help="directory to save the trained model to (new or empty)")
    p.add_argument("--overwrite", action="store_true", help="replace a model already saved in --output")
    _add_data_dir(p)
    _add_model_params(p)

    # evaluate ------------------------------------------------------------------------------------
    p = _command(sub, "evaluate", help="score a model on a dataset (table; result JSON with --output)",
                       description="Train (for a registered name) or load (for a saved directory) a model and score it\n"
                                   "on a dataset's test split(s), printing a table (and writing a result JSON with --output).\n\n"
                                   "examples:\n"
                                   "  stanceclf evaluate --model tfidf --dataset semeval2016 --data-dir ../shared/data\n"
                                   "  stanceclf evaluate --model tfidf --dataset semeval2016 --protocol zero-shot\n"
                                   "  stanceclf evaluate --model tfidf --dataset pstance --protocol cross-target \\\n"
                                   "      --train-targets 'Donald Trump' --test-targets 'Joe Biden'\n"
                                   "  stanceclf evaluate --model runs/tfidf-semeval --dataset semeval2016")
    p.add_argument("--model", default="tfidf", help="registered model name or saved-model directory")
    p.add_argument("--dataset", required=True, help="registered dataset name (see `stanceclf datasets`)")
    p.add_argument("--split", nargs="+", help="split(s) to score (default: the dataset's test splits)")
    p.add_argument("--protocol", default="in-target", choices=["in-target", "cross-target", "zero-shot", "cross-dataset"],
                   help="in-target (default), cross-target, zero-shot (leave one target out), or cross-dataset (a saved "
                        "model on a dataset it was not trained on; chosen automatically when its training_summary.json "
                        "shows so)")
    p.add_argument("--train-targets", nargs="+", help="cross-target: targets to train on")
    p.add_argument("--test-targets", nargs="+", help="targets to score (cross-target, or a zero-shot subset)")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% CI (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resampling (default 0)")
    p.add_argument("--output", metavar="JSON", help="write the result JSON here (scores, CIs, model and data details)")
    p.add_argument("--save-model", help="also save the trained model to this directory")
    _add_data_dir(p)
    _add_model_params(p)

    # predict -------------------------------------------------------------------------------------
    p = _command(sub, "predict", help="predict stance for (text, target) pairs",
                       description="Predict stance with a saved model, for one pair or a whole file.\n\n"
                                   "examples:\n"
                                   "  stanceclf predict --model runs/tfidf-semeval --text 'We must act on climate now' \\\n"
                                   "      --target 'Climate Change is a Real Concern'\n"
                                   "  stanceclf predict --model runs/tfidf-semeval --input pairs.jsonl --output preds.jsonl")
    p.add_argument("--model", required=True, help="saved-model directory, or \"default\" for the built-in model")
    _add_allow_download(p)
    p.add_argument("--text", help="one text to classify (with --target)")
    p.add_argument("--target", help="the target for --text, or a fixed target for every --input row")
    p.add_argument("--speaker", help="who says --text (read by models trained with speakers, e.g. the built-in one)")
    p.add_argument("--input", help="CSV/TSV/JSONL file with text and target columns ('-' reads JSONL from stdin)")
    p.add_argument("--text-column", default="text", help="--input column holding the text (default text)")
    p.add_argument("--target-column", default="target", help="--input column holding the target (default target)")
    p.add_argument("--speaker-column", default="speaker", help="column naming who says each text, when present")
    p.add_argument("--output", help="write JSONL here (default: stdout)")
    p.add_argument("--batch-size", type=int, default=256, help="pairs per model call (default 256; lower it to save memory)")

    # benchmark -----------------------------------------------------------------------------------
    p = _command(sub, "benchmark", help="run every model on every available dataset and render a table",
                       description="Run the benchmark suite: each (model, dataset, protocol) job in its own process\n"
                                   "(so peak memory is per job), results as JSON, a markdown table beside the\n"
                                   "published anchors.\n\n"
                                   "example:\n"
                                   "  stanceclf benchmark --data-dir ../shared/data --output-dir benchmarks/results \\\n"
                                   "      --markdown docs/benchmarks.md")
    p.add_argument("--models", nargs="+", help="registered model names (default: all)")
    p.add_argument("--datasets", nargs="+", help="dataset names (default: all present in --data-dir)")
    p.add_argument("--output-dir", default="benchmarks/results", help="folder of the result JSONs (default benchmarks/results)")
    p.add_argument("--markdown", help="also write the markdown table to this file")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% CIs (default 1000)")
    p.add_argument("--skip-existing", action="store_true", help="reuse result files that already exist")
    p.add_argument("--render-only", action="store_true",
                   help="run nothing: render the table from the result files already in --output-dir")
    _add_data_dir(p)

    p = _command(sub, "evaluate-quotes", help="score quote extraction on PolNeAR or annotated example articles",
                       description="Score quote extraction: precision/recall/F1 at overlap 0.3 and 0.8, recall per kind,\n"
                                   "speaker accuracy, and speed (words/second).\n\n"
                                   "examples:\n"
                                   "  stanceclf evaluate-quotes --corpus polnear --split dev --data-dir ../shared/data\n"
                                   "  stanceclf evaluate-quotes --corpus examples --data-dir ../shared/data --extractor rules")
    p.add_argument("--corpus", default="polnear", choices=["polnear", "examples"],
                   help="polnear (PolNeAR political news, default) or examples (the annotated example articles)")
    p.add_argument("--split", default="dev", help="PolNeAR split (train/dev/test); default dev")
    _add_extractor(p)
    p.add_argument("--mode", choices=["rules", "tagger", "hybrid"], dest="extractor", help=argparse.SUPPRESS)  # old name
    p.add_argument("--limit", type=int, help="only the first N articles (quick checks)")
    p.add_argument("--output", metavar="JSON", help="write the scores as JSON here")
    _add_data_dir(p)

    _command(sub, "models", help="list the built-in model and the models you can train")
    p = _command(sub, "datasets", help="list registered datasets and which are present")
    _add_data_dir(p)
    return parser


# -- commands ---------------------------------------------------------------------------------------
def _cmd_train(args: argparse.Namespace) -> int:
    from .data.loaders import get_dataset_info, load_dataset, load_table
    from .eval.harness import train_dev_splits
    from .models.registry import create_model

    check_model_dir(args.output, overwrite=args.overwrite)
    model = create_model(args.model, **dict(args.param))
    dev, dev_note = None, ""
    if args.dataset:
        info = get_dataset_info(args.dataset)
        if not info.train_split:
            raise_usage(f"{args.dataset} has no training split; train on another dataset or your own --train-file.")
        # the same train/dev choice as `stanceclf evaluate`, so both train the same model
        train, dev = train_dev_splits(load_dataset(args.dataset, data_dir=args.data_dir), info, args.train_targets)
        dev_note = f" (dev: {len(dev):,} pairs of the {info.dev_split!r} split)" if dev is not None else ""
    else:
        train = load_table(args.train_file, text_column=args.text_column, target_column=None if args.target else args.target_column,
                           label_column=args.label_column, target=args.target)["train"]
    logger.info("Training %s on %s pairs%s ...", args.model, f"{len(train):,}", dev_note)
    start = time.perf_counter()
    model.fit(train, dev=dev)
    path = model.save(args.output)
    logger.info("Saved to %s (%.1f s).", path, time.perf_counter() - start)
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .eval.harness import evaluate
    from .models.registry import MODELS, create_model

    _check_positive(args, "bootstrap")
    check_output_file(args.output, "--output")
    check_model_dir(args.save_model)
    model: Any = args.model
    if args.param:
        if args.model not in MODELS:
            raise_usage("--param only applies to registered model names, not saved models.")
        model = create_model(args.model, **dict(args.param))
    results = evaluate(model, args.dataset, data_dir=args.data_dir, splits=args.split, protocol=args.protocol,
                       train_targets=args.train_targets, test_targets=args.test_targets,
                       n_resamples=args.bootstrap, seed=args.seed, progress=_show_progress(args),
                       save_model=args.save_model,
                       name=args.model if args.model in MODELS else None)  # keep the registry name with --param
    for result in results:
        print(result.table())
        print()
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps([r.to_dict() for r in results], indent=2) + "\n")
        logger.info("Wrote %s", output)
    else:
        logger.info("Add --output FILE.json to keep the full result (scores, CIs, model and data details).")
    return EXIT_OK


def _cmd_predict(args: argparse.Namespace) -> int:
    from .models.registry import load

    _check_positive(args, "batch_size")
    if args.input and args.input != "-":
        check_inputs([args.input])
    check_output_file(args.output, "--output", [args.input] if args.input else [])
    model = load(args.model, allow_download=args.allow_download or None)
    if args.text is not None:
        if not args.target:
            raise_usage("--text needs --target.")
        pred = model.predict_examples([(args.text, args.target, "", args.speaker or "")])[0]
        print(json.dumps({"text": args.text, "target": args.target, **({"speaker": args.speaker} if args.speaker else {}),
                          **pred.to_dict()}))
        return EXIT_OK
    if not args.input:
        raise_usage("Give --text and --target, or --input FILE.")
    rows = _read_rows(args.input)
    out = open(args.output, "w") if args.output else sys.stdout
    failures: list[str] = []
    try:
        from tqdm.auto import tqdm

        good: list[tuple[int, str, str, str]] = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                failures.append(f"row {i + 1}: a JSON {type(row).__name__}, not an object with "
                                f"{args.text_column!r} and {args.target_column!r} fields")
                out.write(json.dumps({"row": i + 1, "error": failures[-1]}) + "\n")
                continue
            text, target = row.get(args.text_column), args.target or row.get(args.target_column)
            if not isinstance(text, str) or not text.strip() or not isinstance(target, str) or not target.strip():
                failures.append(f"row {i + 1}: missing or empty {args.text_column!r}/{args.target_column!r}")
                out.write(json.dumps({"row": i + 1, "error": failures[-1]}) + "\n")
                continue
            speaker = args.speaker or row.get(args.speaker_column)
            good.append((i, text, target, speaker if isinstance(speaker, str) else ""))
        for start in tqdm(range(0, len(good), args.batch_size), desc="predict", unit="batch",
                          disable=not good or not _show_progress(args), file=sys.stderr):
            chunk = good[start:start + args.batch_size]
            preds = model.predict_examples([(t, g, "", s) for _, t, g, s in chunk])
            for (i, text, target, speaker), pred in zip(chunk, preds):
                out.write(json.dumps({"row": i + 1, "text": text, "target": target,
                                      **({"speaker": speaker} if speaker else {}), **pred.to_dict()}) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if failures:
        logger.warning("%d of %d rows could not be processed:", len(failures), len(rows))
        for message in failures[:20]:
            logger.warning("  %s", message)
        return EXIT_PARTIAL
    return EXIT_OK


def _read_rows(source: str) -> list[dict[str, Any]]:
    from .errors import DataError

    if source == "-":
        lines = sys.stdin.read().splitlines()
        path_desc = "stdin"
    else:
        path = Path(source)
        if not path.is_file():
            raise DataError(f"Input file {path} does not exist.")
        path_desc = str(path)
        if path.suffix.lower() in (".csv", ".tsv"):
            import csv

            try:
                with path.open(newline="", encoding="utf-8-sig") as handle:
                    return list(csv.DictReader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",",
                                               strict=True))
            except UnicodeDecodeError as exc:
                raise DataError(f"{path} is not valid UTF-8 ({exc.reason} at byte {exc.start}); re-encode it as UTF-8.") from None
            except csv.Error as exc:
                raise DataError(f"{path} is not valid CSV ({exc}); check its quoting.") from None
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise DataError(f"{path} is not valid UTF-8 ({exc.reason} at byte {exc.start}); re-encode it as UTF-8.") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path_desc}, line {n}: not valid JSON ({exc.msg}). Each line must be one JSON object.") from None
    return rows


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from .eval.benchmark import render_existing, run_benchmark

    if args.render_only:
        markdown = render_existing(args.output_dir, markdown_path=args.markdown,
                                   command=" ".join(["stanceclf", *args.argv]))
        print(markdown)
        return EXIT_OK
    summary = run_benchmark(models=args.models, datasets=args.datasets, data_dir=args.data_dir,
                            output_dir=args.output_dir, markdown_path=args.markdown,
                            n_resamples=args.bootstrap, skip_existing=args.skip_existing,
                            command=" ".join(["stanceclf", *args.argv]))
    print(summary.markdown)
    if summary.failures:
        logger.warning("%d benchmark job(s) failed:", len(summary.failures))
        for job, message in summary.failures:
            logger.warning("  %s: %s", job, message)
        return EXIT_PARTIAL
    return EXIT_OK


def _read_text_file(name: str) -> str:
    from .errors import DataError

    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    if not path.is_file():
        raise DataError(f"{path} does not exist (or is not a file).")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); convert it to UTF-8 first.") from None


def _check_positive(args: argparse.Namespace, *names: str) -> None:
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise_usage(f"--{name.replace('_', '-')} must be at least 1, got {value}.")


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .analysis import Analyzer
    from .analysis.corpus import DEFAULT_MAX_CHARS
    from .analysis.outputs import RecordWriter, format_article_table, record_format
    from .analysis.results import ArticleAnalysis
    from .analysis.runs import partial_path, run_corpus
    from .analysis.targets import load_targets, parse_target_option, parse_targets

    _check_positive(args, "workers", "batch_size", "max_chars")
    if args.report_max_articles < 0:
        raise_usage("--report-max-articles must be 0 or more.")
    fmt = args.format or ("table" if not args.output else None)
    if args.output and fmt == "table":
        raise_usage("--format table writes to the screen; give --output a .jsonl, .csv, .tsv or .parquet name, "
                    "or drop --format.")
    if args.output:
        record_format(args.output, fmt)  # an unknown suffix is refused before any work
    if fmt == "parquet" and not args.output:
        raise_usage("--format parquet needs --output FILE.parquet.")
    targets = load_targets(args.targets) if args.targets else []
    targets += [parse_target_option(t) for t in args.target]
    targets = parse_targets(targets) if targets else None  # also checks for duplicate names
    analyzer = Analyzer(model=args.model, extractor=args.extractor, all_targets=args.all_targets,
                        batch_size=args.batch_size, max_chars=args.max_chars or DEFAULT_MAX_CHARS,
                        allow_download=args.allow_download)
    stream = RecordWriter(sys.stdout, fmt=fmt) if fmt != "table" and not args.output else None

    def show(result: Any) -> None:  # the screen: a table, or records when no --output is given
        if stream is not None:
            stream.write(result)
        elif fmt == "table" and isinstance(result, ArticleAnalysis):
            print(format_article_table(result) + "\n")
        elif fmt == "table":
            print(f"{result.id}: ERROR ({result.stage}) {result.error}\n")

    try:
        run = run_corpus(args.inputs, analyzer, targets, output=args.output, fmt=None if fmt == "table" else fmt,
                         resume=args.resume, overwrite=args.overwrite, report=args.report,
                         report_max_articles=args.report_max_articles, plots=args.plots, summary=args.summary,
                         workers=args.workers, progress=_show_progress(args), text_column=args.text_column,
                         id_column=args.id_column, date_column=args.date_column, on_result=show)
    except (Exception, KeyboardInterrupt):
        if args.output and partial_path(args.output).exists():
            logger.warning("The run stopped; %s keeps what was finished: rerun with --resume to continue.",
                           partial_path(args.output))
        raise
    finally:
        if stream is not None:
            stream.close()
    if run.resumed:
        logger.info("Resumed after %d document(s) finished before.", run.resumed)
    logger.info("stanceclf analyze: %d document(s), %d analysed, %d quote(s), %d failed, %.1f s",
                run.documents, run.analysed, run.aggregate.quotes, len(run.errors), run.seconds)
    if run.aggregate.unparsed_dates:
        logger.warning("%d quote-target pair(s) have a date that is not ISO 8601 (YYYY-MM-DD); they are left out "
                       "of the over-time view.", run.aggregate.unparsed_dates)
    if run.documents == 0:
        logger.error("stanceclf analyze: no documents found in the inputs.")
        return EXIT_USAGE
    if run.errors:
        logger.warning("%d document(s) could not be analysed:", len(run.errors))
        for e in run.errors[:50]:
            logger.warning("  %s (%s, %s): %s", e.id, e.source or "input", e.stage, e.error)
        if len(run.errors) > 50:
            logger.warning("  ... and %d more (all are error records in the output)", len(run.errors) - 50)
        return EXIT_PARTIAL
    return EXIT_OK


def _cmd_quotes(args: argparse.Namespace) -> int:
    from .analysis import read_documents
    from .analysis.corpus import DEFAULT_MAX_CHARS, Document, validate_text
    from .extract import QuoteExtractor

    check_inputs(args.inputs)
    check_output_file(args.output, "--output", args.inputs)
    fmt = args.format or ("table" if not args.output else "json" if args.output.lower().endswith(".json") else "jsonl")
    extractor = QuoteExtractor(mode=args.extractor)
    records, failures = [], []
    documents = read_documents(args.inputs, text_column=args.text_column, id_column=args.id_column,
                               date_column=args.date_column)
    from tqdm.auto import tqdm

    for doc in tqdm(documents, desc="quotes", unit="doc", disable=not _show_progress(args), file=sys.stderr):
        where = {"id": doc.id, "file": doc.source}
        try:
            if not isinstance(doc, Document):
                raise ValueError(doc.error)
            found = extractor.extract(validate_text(doc.text, DEFAULT_MAX_CHARS))
        except Exception as exc:  # noqa: BLE001 - report every document that failed, keep going
            failures.append(f"{doc.id}: {exc}")
            records.append({**where, "error": str(exc)})
            continue
        records.append({**where, "quotes": [q.to_dict() for q in found]})
    out = open(args.output, "w", encoding="utf-8", errors="backslashreplace") if args.output else sys.stdout
    try:
        if fmt == "json":
            out.write(json.dumps(records if len(records) != 1 else records[0], indent=2, ensure_ascii=False) + "\n")
        elif fmt == "jsonl":
            for rec in records:
                for q in rec.get("quotes", []):
                    out.write(json.dumps({"id": rec["id"], "file": rec["file"], **q}, ensure_ascii=False) + "\n")
                if "error" in rec:
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        else:
            for rec in records:
                out.write(f"== {rec['id']}" + (f"  ERROR: {rec['error']}" if "error" in rec else "") + "\n")
                for q in rec.get("quotes", []):
                    text = q["text"] if len(q["text"]) <= 70 else q["text"][:67] + "..."
                    out.write(f"{q['kind']:<9}{(q['speaker'] or '?')[:28]:<30}{q['confidence']:.2f}  {text}\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if not records:
        logger.error("stanceclf quotes: no documents found in the inputs.")
        return EXIT_USAGE
    if failures:
        logger.warning("%d of %d document(s) could not be processed:", len(failures), len(records))
        for message in failures:
            logger.warning("  %s", message)
        return EXIT_PARTIAL
    return EXIT_OK


def _cmd_evaluate_quotes(args: argparse.Namespace) -> int:
    from .data.loaders import resolve_data_dir
    from .eval.quotes import evaluate_quotes, format_quote_scores, read_example_articles, read_polnear
    from .extract import QuoteExtractor

    root = resolve_data_dir(args.data_dir)
    if args.corpus == "polnear":
        articles = read_polnear(root, split=args.split)
    else:
        articles = read_example_articles(root / "examples" if (root / "examples").is_dir() else root)
    if args.limit:
        articles = articles[: args.limit]
    extractor = QuoteExtractor(mode=args.extractor)
    extractor.extract("Warm-up.")  # load models before timing
    scores = evaluate_quotes(extractor.extract, articles)
    from . import __version__

    scores.update({"corpus": args.corpus, "split": args.split if args.corpus == "polnear" else None,
                   "mode": args.extractor, "stanceclf_version": __version__})
    print(format_quote_scores(scores))
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(scores, indent=2) + "\n")
        logger.info("Wrote %s", output)
    return EXIT_OK


def _cmd_models(args: argparse.Namespace) -> int:
    from .models.registry import BUILT_IN, MODELS

    print("built in, ready to use (stanceclf predict/analyze --model NAME):")
    for name, description in BUILT_IN.items():
        print(f"  {name:<16}{description}")
    print("\nto train (stanceclf train/evaluate --model NAME):")
    for name, spec in sorted(MODELS.items()):
        print(f"  {name:<16}{spec.description}")
    return EXIT_OK


def _cmd_datasets(args: argparse.Namespace) -> int:
    from .data.loaders import DATASETS, available_datasets

    present: set[str] | None = None
    if args.data_dir:
        present = set(available_datasets(args.data_dir))  # a missing folder is a usage error (exit 2)
    for name, info in DATASETS.items():
        mark = "?" if present is None else "present" if name in present else "missing"
        print(f"{name:<20}{mark:<9}{info.description}")
    if present is None:
        logger.warning("No data folder given, so presence is unknown (?): pass --data-dir DIR or set STANCECLF_DATA.")
    return EXIT_OK


class _UsageError(Exception):
    pass


def raise_usage(message: str) -> None:
    raise _UsageError(message)


_COMMANDS = {
    "train": _cmd_train,
    "evaluate": _cmd_evaluate,
    "predict": _cmd_predict,
    "benchmark": _cmd_benchmark,
    "analyze": _cmd_analyze,
    "quotes": _cmd_quotes,
    "evaluate-quotes": _cmd_evaluate_quotes,
    "models": _cmd_models,
    "datasets": _cmd_datasets,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stanceclf`` command; returns the exit code."""
    from .errors import StanceclfError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    _setup_logging(args)
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in a file name must not crash the output
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _COMMANDS[args.command](args)
    except (StanceclfError, _UsageError) as exc:
        print(f"stanceclf {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
