"""The ``stanceclf`` argument parser: :func:`build_parser`, one ``_add_<command>`` function per command."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

__all__ = ["build_parser"]

_EPILOG = "exit codes: 0 success, 1 internal error, 2 bad usage or input, 3 some inputs failed."
_DATA_EPILOG = """data: pass --data-dir or set STANCECLF_DATA to the folder holding the datasets
(one subfolder each, e.g. semeval2016_task6/, pstance/, polnear/; `stanceclf datasets` lists them)."""


def _parse_param(text: str) -> tuple[str, Any]:
    """``--param KEY=VALUE``: the value read as JSON when it parses, else kept as text."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param expects KEY=VALUE, got {text!r}")
    key, raw = text.split("=", 1)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    """``--data-dir`` (default ``$STANCECLF_DATA``), and the epilog that explains it."""
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


def _add_inputs(p: argparse.ArgumentParser) -> None:
    """Documents to read: the same for every command that reads articles."""
    p.add_argument("inputs", nargs="+", metavar="PATH",
                   help=".txt files, folders (every .txt/.jsonl/.csv inside), .jsonl/.csv/.tsv files, or '-' for stdin")
    p.add_argument("--text-column", default="text", help="JSONL/CSV column holding the article text (default text)")
    p.add_argument("--id-column", default="id", help="JSONL/CSV column holding a document id (default id; else file:row)")
    p.add_argument("--date-column", default="date",
                   help="JSONL/CSV column holding the publication date, ISO 8601 (default date; optional)")


def _add_allow_download(p: argparse.ArgumentParser) -> None:
    """``--allow-download``: the only way a command reaches the network."""
    p.add_argument("--allow-download", action="store_true",
                   help="let a saved model fetch its base encoder from the Hugging Face hub if it is not on this "
                        "machine (never done otherwise)")


def _add_extractor(p: argparse.ArgumentParser) -> None:
    """``--extractor``: how quotes are found."""
    p.add_argument("--extractor", default="hybrid", choices=["rules", "tagger", "hybrid"],
                   help="quote extraction: hybrid (rules + span tagger, default, most complete), rules (fastest) "
                        "or tagger")


def _add_model_params(p: argparse.ArgumentParser) -> None:
    """``--param KEY=VALUE`` (repeatable): model parameter overrides."""
    p.add_argument("--param", action="append", type=_parse_param, default=[], metavar="KEY=VALUE",
                   help="override a model parameter, e.g. --param mode=joint --param 'c_grid=[0.1,1]' (repeatable)")


def _command(sub: Any, name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand parser with the shared options and epilog (exit codes) and verbatim examples."""
    return sub.add_parser(name, help=help, description=description or help, epilog=_EPILOG,
                          parents=[_COMMON], formatter_class=argparse.RawDescriptionHelpFormatter)


_COMMON = _common_options()


def build_parser() -> argparse.ArgumentParser:
    """The whole argument tree: the top-level options and one subcommand per ``_add_<command>``."""
    parser = argparse.ArgumentParser(
        prog="stanceclf",
        description="Stance and claims in news: find quotes and their speakers, the targets they address and the\n"
                    "speaker's stance toward each, and how check-worthy each claim is; train, evaluate, predict\n"
                    "and benchmark stance models.\n\n"
                    "start here:\n"
                    "  stanceclf analyze examples/article.txt --targets examples/targets.yaml",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"stanceclf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_command in (_add_analyze, _add_quotes, _add_claims, _add_train, _add_calibrate, _add_evaluate, _add_predict,
                        _add_benchmark, _add_evaluate_quotes, _add_models, _add_datasets):
        add_command(sub)
    return parser


def _add_analyze(sub: Any) -> None:
    """``stanceclf analyze``: quotes, speakers, targets and stance in articles."""
    p = _command(sub, "analyze", help="who said what about which target: quotes, speakers and stance",
                       description="Find every quote in news articles, its speaker, the targets it addresses and the\n"
                                   "speaker's stance toward each (FAVOR / AGAINST / NONE with probabilities), and\n"
                                   "how check-worthy, subjective and causal each quote's claim is (the claim model).\n"
                                   "Inputs: .txt files, folders, JSONL/CSV files with a text column, or '-' (stdin).\n"
                                   "Every input document yields records or an error record; failures are summarised.\n\n"
                                   "examples:\n"
                                   "  stanceclf analyze examples/article.txt --targets examples/targets.yaml\n"
                                   "  stanceclf analyze news/ -t NATO -t 'Zelenskyy=Zelensky|the Ukrainian president' \\\n"
                                   "      --output quotes.jsonl --report report.html --plots plots/\n"
                                   "  stanceclf analyze corpus.csv --text-column body --date-column published --workers 2 -o out.csv\n"
                                   "  stanceclf analyze news/ -t NATO -o quotes.csv --rank-claims 10   # + the 10 most check-worthy\n"
                                   "  stanceclf analyze news/ -t NATO --engine ray --address auto -o quotes/   # on a Ray cluster")
    _add_inputs(p)
    p.add_argument("-t", "--target", action="append", default=[], metavar="NAME[=ALIAS|ALIAS]",
                   help="a target and its aliases (repeatable)")
    p.add_argument("--targets", metavar="FILE", help="targets file: YAML/JSON {name: [aliases]} or CSV name,aliases")
    p.add_argument("--all-targets", action="store_true",
                   help="a row for every target for every quote (matrix view); unaddressed pairs are NONE by rule, via=none")
    p.add_argument("--model", default="default", help="stance model: \"default\" (built in) or a saved-model directory")
    claims = p.add_mutually_exclusive_group()
    claims.add_argument("--claim-model", default="default", metavar="PATH|default",
                        help="claim model scoring each quote (p_checkworthy, p_subjective, p_causal): \"default\" "
                             "(built in; claims are left empty when it is not installed) or a saved claim-model directory")
    claims.add_argument("--no-claims", action="store_true", help="score no claims (the p_* claim columns stay empty)")
    p.add_argument("--rank-claims", nargs="?", type=int, const=20, default=None, metavar="N",
                   help="after the run, list the N (default 20) most check-worthy quotes of all inputs on standard "
                        "output; with --output also as claims_ranked.csv beside it. Put it after the inputs, or give N")
    _add_allow_download(p)
    _add_extractor(p)
    p.add_argument("-o", "--output", metavar="FILE",
                   help="records file, one row per (quote, target): .jsonl, .csv, .tsv or .parquet (by suffix); "
                        "with --engine ray a folder of part-NNNNN.jsonl files (.parquet with --format parquet)")
    p.add_argument("--format", choices=["table", "jsonl", "csv", "tsv", "parquet"],
                   help="format of --output or of standard output (default: table on screen, else by suffix; "
                        "jsonl or parquet with --engine ray, default jsonl)")
    p.add_argument("--report", metavar="HTML", help="write an HTML report (highlighted quotes + aggregates)")
    p.add_argument("--report-max-articles", type=int, default=200, help="articles shown in full in the report")
    p.add_argument("--plots", metavar="DIR", help="write stance_matrix.png/.svg (and stance_over_time.* with dates)")
    p.add_argument("--summary", metavar="JSON", help="write the speaker x target aggregate and failures as JSON")
    p.add_argument("--workers", type=int, default=None,
                   help="processes for quote extraction (default 1); with --engine ray the Ray workers, each with "
                        "its own models (default: one per CPU of the cluster)")
    p.add_argument("--batch-size", type=int, default=64, help="(target, text) pairs per stance-model call")
    p.add_argument("--max-chars", type=int, default=None, help="refuse longer documents (default 200,000)")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed or failed run of the same command from its --output FILE.partial")
    p.add_argument("--overwrite", action="store_true",
                   help="discard a killed run's --output FILE.partial and start again")
    _add_engine(p, "documents", 256)
    _add_precision(p, "the stance model, the claim model and the quote tagger")


def _add_engine(p: argparse.ArgumentParser, items: str, shard_size: int) -> None:
    """``--engine`` and the options of the Ray engine (docs/scaling.md)."""
    group = p.add_argument_group("engine")
    group.add_argument("--engine", choices=["local", "ray"], default="local",
                       help="where the work runs: local (this process, default) or ray (Ray on this machine's "
                            "cores, or a cluster with --address; --output then names a folder of shards, which --resume "
                            "continues shard by shard)")
    group.add_argument("--address", metavar="ADDR",
                       help="with --engine ray: the cluster to join, HOST:PORT, ray://HOST:10001 or auto (default: "
                            "start Ray on this machine)")
    group.add_argument("--shard-size", type=int, metavar="N",
                       help=f"with --engine ray: {items} per shard, the unit of work, output and --resume "
                            f"(default {shard_size})")


def _add_precision(p: argparse.ArgumentParser, models: str) -> None:
    """``--precision``: how the transformer models compute (stanceclf.models.precision)."""
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "int8"], default=None,
                   help=f"how {models} compute: fp32 (default), bf16 (only where the CPU or GPU has fast bfloat16; "
                        "else fp32 with a warning), int8 (ONNX Runtime on the CPU: faster, changes ~3%% of stance "
                        "labels; needs stanceclf[fast]) or auto (the fastest that keeps the labels: bf16 where "
                        "fast, else fp32). Measured costs: docs/scaling.md")


def _add_quotes(sub: Any) -> None:
    """``stanceclf quotes``: quotes and their speakers, without stance."""
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


def _add_claims(sub: Any) -> None:
    """``stanceclf claims``: claim scores of sentences."""
    p = _command(sub, "claims", help="score sentences as claims: check-worthy, subjective, causal",
                 description="Score every sentence of the inputs with the claim model: the probability that it is a\n"
                             "check-worthy factual claim, subjective (opinion), and causal (one thing causes another).\n"
                             "Inputs: .txt files (one sentence per line, blank lines skipped) or .csv/.tsv/.jsonl/.json\n"
                             "tables with a text column. Rows without text are reported and skipped (exit code 3).\n\n"
                             "examples:\n"
                             "  stanceclf claims sentences.txt\n"
                             "  stanceclf claims statements.csv --text-column sentence --sort --top 10\n"
                             "  stanceclf claims a.txt b.jsonl -o scores.csv --claim-model runs/my-claims")
    p.add_argument("inputs", nargs="+", metavar="FILE",
                   help=".txt (one sentence per line), .csv, .tsv, .jsonl or .json files")
    p.add_argument("--text-column", default="text", help="table column holding the sentence (default text)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write file, line, text, p_checkworthy, p_subjective, p_causal here: .csv or .jsonl (by suffix)")
    p.add_argument("--sort", action="store_true", help="most check-worthy first (default: input order)")
    p.add_argument("--top", type=int, metavar="N", help="only the N most check-worthy sentences, most check-worthy first")
    p.add_argument("--claim-model", default="default", metavar="PATH|default",
                   help="\"default\" (the built-in claim model) or a saved claim-model directory")
    _add_allow_download(p)
    _add_precision(p, "the claim model")


def _add_train(sub: Any) -> None:
    """``stanceclf train``: train a registered model and save it."""
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


def _add_calibrate(sub: Any) -> None:
    """``stanceclf calibrate``: refit a claim model's calibration on labelled rows, save a copy."""
    p = _command(sub, "calibrate", help="refit a claim model's probabilities on labelled rows of your data",
                 description="Refit a claim model's calibration (a temperature and a bias per label, for each task the\n"
                             "rows hold; at least 20 rows a task) on labelled rows from the data you will score, and save\n"
                             "the recalibrated copy. The weights do not change. Scores on those rows are in-sample\n"
                             "afterwards; `stanceclf evaluate` marks them so.\n\n"
                             "examples:\n"
                             "  stanceclf calibrate --model runs/my-claims --dataset checkthat2024_en --split dev_test \\\n"
                             "      --data-dir ../shared/data --output runs/my-claims-2023\n"
                             "  stanceclf calibrate --model default-claims --file labelled.csv --text-column sentence \\\n"
                             "      --label-column label --task check-worthiness --output runs/claims-our-desk")
    p.add_argument("--model", required=True, help="a saved claim-model directory, or default-claims")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="registered claim dataset (see `stanceclf datasets`); with --split")
    src.add_argument("--file", help="your own labelled CSV/TSV/JSONL file")
    p.add_argument("--split", default="validation", help="--dataset split to calibrate on (default validation)")
    p.add_argument("--text-column", default="text", help="--file column holding the sentence (default text)")
    p.add_argument("--target-column", default="target", help="--file column holding the task (default target)")
    p.add_argument("--label-column", default="label", help="--file column holding the label (default label)")
    p.add_argument("--task", help="one task for every row of --file (e.g. check-worthiness), instead of --target-column")
    p.add_argument("--output", required=True, help="directory to save the recalibrated model to (new or empty)")
    p.add_argument("--overwrite", action="store_true", help="replace a model already saved in --output")
    _add_data_dir(p)
    _add_allow_download(p)


def _add_evaluate(sub: Any) -> None:
    """``stanceclf evaluate``: score a model on a dataset."""
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


def _add_predict(sub: Any) -> None:
    """``stanceclf predict``: stance of (text, target) pairs with a saved model."""
    p = _command(sub, "predict", help="predict stance for (text, target) pairs",
                       description="Predict stance with a saved model, for one pair or a whole file.\n\n"
                                   "examples:\n"
                                   "  stanceclf predict --model runs/tfidf-semeval --text 'We must act on climate now' \\\n"
                                   "      --target 'Climate Change is a Real Concern'\n"
                                   "  stanceclf predict --model runs/tfidf-semeval --input pairs.jsonl --output preds.jsonl\n"
                                   "  stanceclf predict --model default --input big.csv --engine ray --workers 8 --output preds/")
    p.add_argument("--model", required=True, help="saved-model directory, or \"default\" for the built-in model")
    _add_allow_download(p)
    p.add_argument("--text", help="one text to classify (with --target)")
    p.add_argument("--target", help="the target for --text, or a fixed target for every --input row")
    p.add_argument("--speaker", help="who says --text (read by models trained with speakers, e.g. the built-in one)")
    p.add_argument("--input", help="CSV/TSV/JSONL file with text and target columns ('-' reads JSONL from stdin)")
    p.add_argument("--text-column", default="text", help="--input column holding the text (default text)")
    p.add_argument("--target-column", default="target", help="--input column holding the target (default target)")
    p.add_argument("--speaker-column", default="speaker", help="column naming who says each text, when present")
    p.add_argument("--output", help="write JSONL here (default: stdout); with --engine ray a folder of part-NNNNN.jsonl "
                                    "files")
    p.add_argument("--batch-size", type=int, default=256, help="pairs per model call (default 256; lower it to save memory)")
    p.add_argument("--workers", type=int, default=None,
                   help="with --engine ray: the Ray workers, each with its own model (default: one per CPU of the "
                        "cluster)")
    p.add_argument("--resume", action="store_true", help="with --engine ray: continue a killed run in --output DIR")
    p.add_argument("--overwrite", action="store_true",
                   help="with --engine ray: discard an earlier run in --output DIR and start again")
    _add_engine(p, "rows", 8192)
    _add_precision(p, "transformer stance models")


def _add_benchmark(sub: Any) -> None:
    """``stanceclf benchmark``: the benchmark suite."""
    p = _command(sub, "benchmark", help="run every model on every available dataset (a result JSON per job)",
                       description="Run the benchmark suite: each (model, dataset, protocol) job in its own process\n"
                                   "(so peak memory is per job), one result JSON per job; prints the files written.\n"
                                   "The markdown table beside the published anchors is rendered in a stanceclf\n"
                                   "checkout: python benchmarks/render.py --results DIR --output FILE.\n\n"
                                   "example:\n"
                                   "  stanceclf benchmark --data-dir ../shared/data --output-dir benchmarks/results")
    p.add_argument("--models", nargs="+", help="registered model names (default: all)")
    p.add_argument("--datasets", nargs="+", help="dataset names (default: all present in --data-dir)")
    p.add_argument("--output-dir", default="benchmarks/results", help="folder of the result JSONs (default benchmarks/results)")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% CIs (default 1000)")
    p.add_argument("--skip-existing", action="store_true", help="reuse result files that already exist")
    p.add_argument("--render-only", action="store_true", help=argparse.SUPPRESS)  # removed: says where it went
    p.add_argument("--markdown", help=argparse.SUPPRESS)  # removed: says where it went
    _add_data_dir(p)


def _add_evaluate_quotes(sub: Any) -> None:
    """``stanceclf evaluate-quotes``: score quote extraction."""
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


def _add_models(sub: Any) -> None:
    """``stanceclf models``: list the models."""
    _command(sub, "models", help="list the built-in model and the models you can train")


def _add_datasets(sub: Any) -> None:
    """``stanceclf datasets``: list the datasets."""
    p = _command(sub, "datasets", help="list registered datasets and which are present")
    _add_data_dir(p)
