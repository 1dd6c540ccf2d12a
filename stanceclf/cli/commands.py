"""One thin function per ``stanceclf`` command: check the options, call the library, report.

Each takes the parsed arguments and returns the exit code; :data:`COMMANDS` maps command names to them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..files import atomic_output, check_inputs, check_model_dir, check_output_file
from .common import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, check_positive, logger, raise_usage, show_progress

__all__ = ["COMMANDS"]


def _cmd_analyze(args: argparse.Namespace) -> int:
    """Quotes, speakers, targets and stance for every input document (:func:`run_corpus`)."""
    from ..analysis import Analyzer
    from ..analysis.outputs import RecordWriter, format_article_table, record_format
    from ..analysis.quote_listing import write_listing
    from ..analysis.results import ArticleAnalysis
    from ..analysis.runs import partial_path, run_corpus

    check_positive(args, "workers", "batch_size", "max_chars", "rank_claims", "shard_size")
    _check_engine(args, {"report": "--report", "plots": "--plots", "summary": "--summary",
                         "rank_claims": "--rank-claims"})
    if args.engine == "ray":
        return _analyze_on_ray(args)
    if args.rank_claims is not None and args.no_claims:
        raise_usage("--rank-claims needs claim scores; drop --no-claims.")
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
    if args.rank_claims is not None and fmt != "table" and not args.output:
        raise_usage("--rank-claims prints the ranking on standard output, where the records go without --output; "
                    "give --output FILE (or drop --format).")
    targets = _targets(args)
    analyzer = Analyzer(**_analyzer_options(args))
    ranked = Path(args.output).parent / "claims_ranked.csv" if args.output and args.rank_claims else None
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
                         workers=args.workers or 1, progress=show_progress(args), text_column=args.text_column,
                         id_column=args.id_column, date_column=args.date_column, on_result=show,
                         rank_claims=args.rank_claims, claims_output=ranked)
    except (Exception, KeyboardInterrupt):
        if args.output and partial_path(args.output).exists():
            logger.warning("The run stopped; %s keeps what was finished: rerun with --resume to continue.",
                           partial_path(args.output))
        raise
    finally:
        if stream is not None:
            stream.close()
    if run.claims is not None:
        print(f"The {len(run.claims)} most check-worthy quote(s) of {run.claims.scored} scored:")
        write_listing(run.claims.rows(), sys.stdout, "table", _RANKING_TABLE)
        if ranked is not None:
            logger.info("Wrote the ranking to %s", ranked)
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
    return _warn_failed_documents(run.errors)


def _targets(args: argparse.Namespace) -> Any:
    """The targets of ``-t`` and ``--targets`` (``None``: suggest them from each article)."""
    from ..analysis.targets import load_targets, parse_target_option, parse_targets

    targets = load_targets(args.targets) if args.targets else []
    targets += [parse_target_option(t) for t in args.target]
    return parse_targets(targets) if targets else None  # also checks for duplicate names


def _analyzer_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~stanceclf.analysis.Analyzer` options of ``stanceclf analyze`` (either engine)."""
    from ..analysis.corpus import DEFAULT_MAX_CHARS

    return {"model": args.model, "extractor": args.extractor, "all_targets": args.all_targets,
            "batch_size": args.batch_size, "max_chars": args.max_chars or DEFAULT_MAX_CHARS,
            "allow_download": args.allow_download, "claim_model": None if args.no_claims else args.claim_model,
            "precision": args.precision}


def _warn_failed_documents(errors: list[Any]) -> int:
    """Say which documents could not be analysed (the first 50); the exit code."""
    if not errors:
        return EXIT_OK
    logger.warning("%d document(s) could not be analysed:", len(errors))
    for e in errors[:50]:
        logger.warning("  %s (%s, %s): %s", e.id, e.source or "input", e.stage, e.error)
    if len(errors) > 50:
        logger.warning("  ... and %d more (all are error records in the output)", len(errors) - 50)
    return EXIT_PARTIAL


def _check_engine(args: argparse.Namespace, local_only: dict[str, str]) -> None:
    """Refuse options that do not fit ``--engine`` (exit code 2) before any work."""
    if args.engine != "ray":
        for name in ("address", "shard_size"):
            if getattr(args, name) is not None:
                raise_usage(f"--{name.replace('_', '-')} applies to --engine ray.")
        return
    inputs = args.inputs if hasattr(args, "inputs") else [args.input] if args.input else []
    if "-" in inputs:
        raise_usage("--engine ray reads files and folders, not standard input ('-'); save the input to a file, or "
                    "use --engine local.")
    for name, option in local_only.items():
        if getattr(args, name) not in (None, False):
            raise_usage(f"{option} works with --engine local only (the Ray engine writes record shards; build "
                        "summaries from them, see docs/scaling.md).")
    if not args.output:
        raise_usage("--engine ray writes its records to a folder of shards: give --output DIR.")


def _on_ray(args: argparse.Namespace, start: Callable[[], Any]) -> Any:
    """Run a Ray run, saying how to continue it when it stops before the end."""
    from ..analysis.distributed import MANIFEST

    try:
        return start()
    except (Exception, KeyboardInterrupt):
        if (Path(args.output) / MANIFEST).exists():
            logger.warning("The run stopped; %s keeps the finished shards: rerun with --resume to continue.",
                           args.output)
        raise


def _analyze_on_ray(args: argparse.Namespace) -> int:
    """``stanceclf analyze --engine ray``: :func:`~stanceclf.analysis.distributed.run_analyze_ray`."""
    from ..analysis.corpus import DocumentError
    from ..analysis.distributed import DEFAULT_SHARD_SIZE, run_analyze_ray

    if args.format not in (None, "jsonl", "parquet"):
        raise_usage(f"--engine ray writes jsonl or parquet shards, not {args.format}.")
    run = _on_ray(args, lambda: run_analyze_ray(
        args.inputs, _targets(args), output_dir=args.output, fmt=args.format or "jsonl", address=args.address,
        workers=args.workers, shard_size=args.shard_size or DEFAULT_SHARD_SIZE, resume=args.resume,
        overwrite=args.overwrite, text_column=args.text_column, id_column=args.id_column,
        date_column=args.date_column, progress=show_progress(args), verbose=args.verbose, **_analyzer_options(args)))
    logger.info("stanceclf analyze --engine ray: %d document(s) in %d shard(s) (%d finished before), %d analysed, "
                "%d failed, %.1f s; records in %s", run.documents, run.shards, run.resumed_shards, run.analysed,
                len(run.errors), run.seconds, args.output)
    if run.documents == 0:
        logger.error("stanceclf analyze: no documents found in the inputs.")
        return EXIT_USAGE
    return _warn_failed_documents([DocumentError(e["doc_id"], e["error"], e["source"], e["stage"])
                                   for e in run.errors])


def _cmd_quotes(args: argparse.Namespace) -> int:
    """Quotes and speakers of every input document, as a table, JSON or JSONL."""
    from tqdm.auto import tqdm

    from ..analysis import read_documents
    from ..analysis.quote_listing import quote_records, write_quote_records
    from ..extract import QuoteExtractor

    check_inputs(args.inputs)
    check_output_file(args.output, "--output", args.inputs)
    fmt = args.format or ("table" if not args.output else "json" if args.output.lower().endswith(".json") else "jsonl")
    extractor = QuoteExtractor(mode=args.extractor)
    documents = read_documents(args.inputs, text_column=args.text_column, id_column=args.id_column,
                               date_column=args.date_column)
    bar = tqdm(documents, desc="quotes", unit="doc", disable=not show_progress(args), file=sys.stderr)
    records = list(quote_records(bar, extractor))
    failures = [f"{rec['id']}: {rec['error']}" for rec in records if "error" in rec]
    out = open(args.output, "w", encoding="utf-8", errors="backslashreplace") if args.output else sys.stdout
    try:
        write_quote_records(records, out, fmt)
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


#: The columns of the claim tables on screen.
_RANKING_TABLE = ("rank", "p_checkworthy", "speaker", "doc_id", "quote")
_CLAIMS_TABLE = ("p_checkworthy", "p_subjective", "p_causal", "file", "line", "text")


def _cmd_claims(args: argparse.Namespace) -> int:
    """Claim scores of every sentence of the inputs (:func:`classify_claims_in_files`)."""
    from tqdm.auto import tqdm

    from ..analysis.claims import CLAIM_LISTING_FIELDS, classify_claims_in_files
    from ..analysis.quote_listing import by_checkworthiness, listing_format, write_listing

    check_positive(args, "top")
    check_inputs(args.inputs)
    check_output_file(args.output, "--output", args.inputs)
    fmt = listing_format(args.output)
    with tqdm(desc="claims", unit="text", disable=not show_progress(args), file=sys.stderr) as bar:
        listing = classify_claims_in_files(args.inputs, args.claim_model, text_column=args.text_column,
                                           allow_download=args.allow_download, progress=bar.update,
                                           precision=args.precision)
    rows = by_checkworthiness(listing.rows, args.top) if args.top or args.sort else listing.rows
    out = open(args.output, "w", encoding="utf-8", errors="backslashreplace", newline="") if args.output else sys.stdout
    try:
        write_listing(rows, out, fmt, CLAIM_LISTING_FIELDS if args.output else _CLAIMS_TABLE)
    finally:
        if out is not sys.stdout:
            out.close()
    logger.info("stanceclf claims: %d text(s) scored by the claim model %s%s", len(listing.rows), listing.model,
                f"; wrote {args.output}" if args.output else "")
    if listing.problems:
        logger.warning("%d row(s) could not be scored:", len(listing.problems))
        for message in listing.problems[:50]:
            logger.warning("  %s", message)
        if len(listing.problems) > 50:
            logger.warning("  ... and %d more", len(listing.problems) - 50)
        return EXIT_PARTIAL
    return EXIT_OK


def _cmd_train(args: argparse.Namespace) -> int:
    """Train a registered model on a dataset (with its dev split) or a file, and save it."""
    from ..data.loaders import get_dataset_info, load_dataset, load_table
    from ..eval.harness import train_dev_splits
    from ..models.registry import create_model

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


def _cmd_calibrate(args: argparse.Namespace) -> int:
    """Refit a claim model's calibration on labelled rows from the data it will score; save the copy."""
    from ..data.loaders import load_dataset, load_table
    from ..models.registry import load

    check_model_dir(args.output, overwrite=args.overwrite)
    model = load(args.model, allow_download=args.allow_download)
    if not hasattr(model, "recalibrate"):
        raise_usage(f"{args.model} is a {type(model).__name__}; only claim models (ClaimClassifier) can be "
                    "recalibrated here.")
    if args.dataset:
        data = load_dataset(args.dataset, data_dir=args.data_dir)
        if args.split not in data:
            raise_usage(f"{args.dataset} has no split {args.split!r}; its splits: {sorted(data)}.")
        rows, source = data[args.split], f"{args.dataset}/{args.split}"
    else:
        rows = load_table(args.file, text_column=args.text_column, target_column=None if args.task else args.target_column,
                          label_column=args.label_column, target=args.task,
                          label_map={str(c): str(c) for c in model.classes_})["train"]  # the model's own labels
        source = Path(args.file).name
    known = len(model.recalibrated_on_)
    model.recalibrate(rows, source=source)
    path = model.save(args.output)
    for record in model.recalibrated_on_[known:]:
        logger.info("%s: recalibrated on %d rows of %s: temperature %.3f, biases %s; ECE %.4f -> %.4f (in-sample)",
                    record["task"], record["rows"], source, record["temperature"], record["bias"],
                    record["ece_before"], record["ece_after"])
    logger.info("Saved to %s. Scores on %s are in-sample from now on (`stanceclf evaluate` says so).", path, source)
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    """Score a model on a dataset (:func:`stanceclf.eval.evaluate`); print tables, write the JSON."""
    from ..eval.harness import evaluate
    from ..models.registry import MODELS, create_model

    check_positive(args, "bootstrap")
    check_output_file(args.output, "--output")
    check_model_dir(args.save_model)
    model: Any = args.model
    if args.param:
        if args.model not in MODELS:
            raise_usage("--param only applies to registered model names, not saved models.")
        model = create_model(args.model, **dict(args.param))
    results = evaluate(model, args.dataset, data_dir=args.data_dir, splits=args.split, protocol=args.protocol,
                       train_targets=args.train_targets, test_targets=args.test_targets,
                       n_resamples=args.bootstrap, seed=args.seed, progress=show_progress(args),
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
    """Stance of one (text, target) pair or of every row of an input file, as JSON lines."""
    from ..models.registry import load

    check_positive(args, "batch_size", "workers", "shard_size")
    _check_engine(args, {"text": "--text"})
    if args.engine == "ray":
        return _predict_on_ray(args)
    for name in ("workers", "resume", "overwrite"):
        if getattr(args, name) not in (None, False):
            raise_usage(f"--{name} applies to --engine ray.")
    if args.input and args.input != "-":
        check_inputs([args.input])
    check_output_file(args.output, "--output", [args.input] if args.input else [])
    model = _with_precision(load(args.model, allow_download=args.allow_download or None), args.precision)
    if args.text is not None:
        if not args.target:
            raise_usage("--text needs --target.")
        pred = model.predict_examples([(args.text, args.target, "", args.speaker or "")])[0]
        print(json.dumps({"text": args.text, "target": args.target, **({"speaker": args.speaker} if args.speaker else {}),
                          **pred.to_dict()}))
        return EXIT_OK
    if not args.input:
        raise_usage("Give --text and --target, or --input FILE.")
    from tqdm.auto import tqdm

    from ..analysis.pairs import predict_pairs, prediction_line, read_pair_rows

    rows = tqdm(enumerate(read_pair_rows(args.input), start=1), desc="predict", unit="row",
                disable=not show_progress(args), file=sys.stderr)
    failures: list[str] = []
    total = 0
    with contextlib.ExitStack() as stack:  # a file appears, atomically, only once every row is written
        out = stack.enter_context(atomic_output(args.output)).open("w") if args.output else sys.stdout
        if out is not sys.stdout:
            stack.callback(out.close)
        for record in predict_pairs(model, rows, batch_size=args.batch_size, text_column=args.text_column,
                                    target_column=args.target_column, speaker_column=args.speaker_column,
                                    target=args.target, speaker=args.speaker):
            out.write(prediction_line(record))
            total = record["row"]
            if "error" in record:
                failures.append(record["error"])
    return _warn_failed_rows(failures, total)


def _with_precision(model: Any, precision: str | None) -> Any:
    """``model`` set to compute in ``--precision`` (transformer models; others have no precision)."""
    if precision is None:
        return model
    if not callable(getattr(model, "to", None)):
        raise_usage(f"--precision applies to transformer models; {type(model).__name__} has none to set.")
    return model.to(precision=precision)


def _warn_failed_rows(failures: list[str], total: int) -> int:
    """Say which rows could not be scored (the first 20); the exit code."""
    if not failures:
        return EXIT_OK
    logger.warning("%d of %d rows could not be processed:", len(failures), total)
    for message in failures[:20]:
        logger.warning("  %s", message)
    return EXIT_PARTIAL


def _predict_on_ray(args: argparse.Namespace) -> int:
    """``stanceclf predict --engine ray``: :func:`~stanceclf.analysis.distributed.run_predict_ray`."""
    from ..analysis.distributed import DEFAULT_PREDICT_SHARD_SIZE, run_predict_ray

    if not args.input:
        raise_usage("--engine ray predicts the rows of an --input file; for one --text use --engine local.")
    run = _on_ray(args, lambda: run_predict_ray(
        [args.input], model=args.model, output_dir=args.output, address=args.address, workers=args.workers,
        shard_size=args.shard_size or DEFAULT_PREDICT_SHARD_SIZE, batch_size=args.batch_size,
        text_column=args.text_column, target_column=args.target_column, speaker_column=args.speaker_column,
        target=args.target, speaker=args.speaker, resume=args.resume, overwrite=args.overwrite,
        allow_download=args.allow_download, precision=args.precision, progress=show_progress(args),
        verbose=args.verbose))
    logger.info("stanceclf predict --engine ray: %d row(s) in %d shard(s) (%d finished before), %d failed, %.1f s; "
                "predictions in %s", run.documents, run.shards, run.resumed_shards, len(run.errors), run.seconds,
                args.output)
    return _warn_failed_rows([e["error"] for e in run.errors], run.documents)


def _cmd_benchmark(args: argparse.Namespace) -> int:
    """Run the benchmark suite (:func:`run_benchmark`); print the result files written."""
    from ..eval.benchmark import run_benchmark

    if args.render_only or args.markdown:
        removed = "--render-only" if args.render_only else "--markdown"
        raise_usage(f"{removed} was removed: the installed package runs the benchmark but no longer renders its "
                    f"table. In a stanceclf checkout run: python benchmarks/render.py --results {args.output_dir} "
                    "--output docs/benchmarks.md")
    summary = run_benchmark(models=args.models, datasets=args.datasets, data_dir=args.data_dir,
                            output_dir=args.output_dir, n_resamples=args.bootstrap,
                            skip_existing=args.skip_existing)
    for path in summary.files:
        print(path)
    logger.info("Render the table in a stanceclf checkout: python benchmarks/render.py --results %s", args.output_dir)
    if summary.failures:
        logger.warning("%d benchmark job(s) failed:", len(summary.failures))
        for job, message in summary.failures:
            logger.warning("  %s: %s", job, message)
        return EXIT_PARTIAL
    return EXIT_OK


def _cmd_evaluate_quotes(args: argparse.Namespace) -> int:
    """Score quote extraction on PolNeAR or the annotated example articles."""
    from ..data.loaders import resolve_data_dir
    from ..eval.quotes import evaluate_quotes, format_quote_scores, read_example_articles, read_polnear
    from ..extract import QuoteExtractor

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
    from .. import __version__

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
    """List the built-in models and the registered models to train."""
    from ..models.registry import BUILT_IN, MODELS

    print("built in, ready to use (stanceclf predict/analyze --model NAME):")
    for name, description in BUILT_IN.items():
        print(f"  {name:<16}{description}")
    print("\nto train (stanceclf train/evaluate --model NAME):")
    for name, spec in sorted(MODELS.items()):
        print(f"  {name:<16}{spec.description}")
    return EXIT_OK


def _cmd_datasets(args: argparse.Namespace) -> int:
    """List the registered datasets and, with a data folder, which are present."""
    from ..data.loaders import DATASETS, available_datasets

    present: set[str] | None = None
    if args.data_dir:
        present = set(available_datasets(args.data_dir))  # a missing folder is a usage error (exit 2)
    for name, info in DATASETS.items():
        mark = "?" if present is None else "present" if name in present else "missing"
        print(f"{name:<20}{mark:<9}{info.description}")
    if present is None:
        logger.warning("No data folder given, so presence is unknown (?): pass --data-dir DIR or set STANCECLF_DATA.")
    return EXIT_OK


#: Command name -> the function that runs it.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "train": _cmd_train,
    "calibrate": _cmd_calibrate,
    "evaluate": _cmd_evaluate,
    "predict": _cmd_predict,
    "benchmark": _cmd_benchmark,
    "analyze": _cmd_analyze,
    "quotes": _cmd_quotes,
    "claims": _cmd_claims,
    "evaluate-quotes": _cmd_evaluate_quotes,
    "models": _cmd_models,
    "datasets": _cmd_datasets,
}
