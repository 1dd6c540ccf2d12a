"""A whole corpus on a Ray cluster (or on every core of this machine): the records of a local run,
written shard by shard, resumable after a kill. Needs ``pip install 'stanceclf[ray]'``.

>>> from stanceclf.analysis.distributed import analyze_ray, predict_ray
>>> records = analyze_ray(["news/"], {"NATO": ["the alliance"]}, output_dir="quotes/",    # doctest: +SKIP
...                       extractor="rules", workers=8)
>>> records.filter(lambda r: r["status"] == "error").count()                              # doctest: +SKIP
2

A run, step by step (the engine is :mod:`stanceclf.analysis.ray_engine`):

1. **Read** (the driver): the inputs are read in order by the one reader
   (:func:`~stanceclf.analysis.corpus.read_documents`), or a ``ray.data.Dataset``'s rows are read by
   Ray and made documents like table rows (:func:`~stanceclf.analysis.corpus.document_from_values`).
   They are cut into **shards** of ``shard_size`` documents: shard 0 holds documents 0..N-1, so a
   shard's number and content depend on the inputs alone, never on how Ray schedules the work.
2. **Analyse** (``workers`` Ray actors): each actor builds one
   :class:`~stanceclf.analysis.pipeline.Analyzer` (its models load once) and runs
   :meth:`~stanceclf.analysis.pipeline.Analyzer.analyze_documents` on a whole shard (the local
   path's chunks of 32 and its cross-document model batches), so every record, error records
   included, is the local run's record.
3. **Write** (the actor): ``output_dir/part-00000.jsonl`` (or ``.parquet``, by the local
   :class:`~stanceclf.analysis.outputs.RecordWriter`), one file per shard, written atomically; the
   driver then adds the shard to ``output_dir/_manifest.jsonl``. ``resume=True`` skips the shards
   the manifest lists (checking that their documents are the same) and redoes the rest, so a killed
   driver or worker loses nothing.

A worker that dies (killed, out of memory) is replaced and its shard redone; a shard that kills its
worker three times is tried one document at a time, and each document that kills a worker alone
becomes an error record with ``stage="worker"``. The driver reads and numbers the documents
because analysing one costs about half a second of a core and reading it microseconds: one driver
feeds thousands of cores.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..errors import DataError
from .corpus import Document, DocumentError, document_from_values, read_documents
from .pairs import predict_pairs, prediction_line, read_pair_rows
from .pipeline import Analyzer
from .ray_engine import (MANIFEST, RAY_INSTALL_HINT, RayRun, ShardStore, ShardWorker, check_options, connect,
                         dataset_rows, execute, import_ray, input_paths, is_dataset, jsonable)
from .results import records_of
from .targets import parse_targets

__all__ = ["analyze_ray", "predict_ray", "run_analyze_ray", "run_predict_ray", "RayRun", "MANIFEST",
           "DEFAULT_SHARD_SIZE", "DEFAULT_PREDICT_SHARD_SIZE", "RAY_INSTALL_HINT"]

#: Documents per shard of an analysis: a multiple of the analyzer's chunk (32), so that a shard's
#: model batches, and so its records to the last bit, are those of a local run.
DEFAULT_SHARD_SIZE = 256
#: Rows per shard of a prediction run (a pair costs about 1/100 of an article).
DEFAULT_PREDICT_SHARD_SIZE = 8192


# --------------------------------------------------------------------------------------------------
# The workers
# --------------------------------------------------------------------------------------------------

class _AnalysisWorker(ShardWorker):
    """An actor with one analyzer: a shard of documents -> their records (:func:`records_of`)."""

    def __init__(self, analyzer_class: type[Analyzer], options: dict[str, Any], targets: Any,
                 output_dir: str | None, suffix: str, keep: bool):
        self.analyzer_class, self.options, self.targets = analyzer_class, options, targets
        super().__init__(output_dir, suffix, keep)

    def _load(self) -> None:
        self.analyzer = self.analyzer_class(**self.options)
        self.analyzer.model, self.analyzer.extractor, self.analyzer.claim_model  # noqa: B018 - load them now

    def timings(self) -> dict[str, float]:
        return dict(self.analyzer.timings)

    def _process(self, items: list[Any], crashed: dict[int, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        items = [DocumentError(item.id, crashed[i], item.source, stage="worker") if i in crashed else item
                 for i, item in enumerate(items)]
        rows: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for result in self.analyzer.analyze_documents(items, self.targets):
            rows.extend(records_of(result))
            if isinstance(result, DocumentError):
                errors.append(result.to_dict())
        return rows, errors

    def _write(self, path: Path, rows: list[dict[str, Any]]) -> None:
        from .outputs import RecordWriter

        with RecordWriter(path, fmt=self.suffix[1:]) as writer:
            writer.write_rows(rows)

    def _table(self, rows: list[dict[str, Any]]) -> Any:
        return records_table(rows)


class _PredictionWorker(ShardWorker):
    """An actor with one stance model: a shard of ``(row number, row)`` -> prediction rows."""

    def __init__(self, model: Any, options: dict[str, Any], output_dir: str | None, suffix: str, keep: bool):
        self.model_spec, self.options = model, options
        super().__init__(output_dir, suffix, keep)

    def _load(self) -> None:
        from ..models.registry import load

        spec, place = self.model_spec, self.options["place"]
        allow = self.options["allow_download"] or None
        self.model = load(spec, allow_download=allow) if isinstance(spec, (str, os.PathLike)) else spec
        if any(value is not None for value in place.values()):
            move = getattr(self.model, "to", None)
            if move is None:
                raise DataError("device and precision apply to transformer models; drop them for this model.")
            move(**place)
        self.classes = [str(c) for c in self.model.classes_]

    def info(self) -> dict[str, Any]:
        return {"classes": self.classes}

    def _process(self, items: list[Any], crashed: dict[int, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        kept = [item for i, item in enumerate(items) if i not in crashed]
        by_row = {out["row"]: out for out in predict_pairs(self.model, kept, **self.options["pairs"])}
        rows = [{"row": number, "error": f"row {number}: {crashed[i]}"} if i in crashed else by_row[number]
                for i, (number, _) in enumerate(items)]
        return rows, [row for row in rows if "error" in row]

    def _write(self, path: Path, rows: list[dict[str, Any]]) -> None:
        with path.open("w", encoding="utf-8") as fh:
            fh.writelines(prediction_line(row) for row in rows)

    def _table(self, rows: list[dict[str, Any]]) -> Any:
        return predictions_table(rows, self.classes)


# --------------------------------------------------------------------------------------------------
# Records as Arrow tables (the blocks of the records Dataset)
# --------------------------------------------------------------------------------------------------

def records_table(rows: list[dict[str, Any]]) -> Any:
    """Analysis records as an Arrow table with the records' types (categoricals as plain strings).

    >>> records_table([{"doc_id": "a", "status": "no_quotes"}]).column("status").to_pylist()
    ['no_quotes']
    """
    import pyarrow as pa

    from .outputs import records_schema

    return pa.Table.from_pylist(rows, schema=records_schema(categorical=False))


def predictions_table(rows: list[dict[str, Any]], classes: Sequence[str] = ()) -> Any:
    """Prediction rows as a flat Arrow table: ``row, text, target, speaker, label, p_<class>...,
    model, error`` (a ``p_`` column per class of the model, lower-cased).

    >>> predictions_table([{"row": 3, "error": "row 3: missing or empty 'text'/'target'"}], ["FAVOR"]).column_names
    ['row', 'text', 'target', 'speaker', 'label', 'p_favor', 'model', 'error']
    """
    import pyarrow as pa

    text = ("text", "target", "speaker", "label")
    schema = pa.schema([("row", pa.int64()), *[(n, pa.string()) for n in text],
                        *[(f"p_{c.lower()}", pa.float64()) for c in classes], ("model", pa.string()),
                        ("error", pa.string())])
    flat = [{"row": r["row"], **{n: r.get(n) for n in (*text, "model", "error")},
             **{f"p_{c.lower()}": r["probabilities"].get(c) if "probabilities" in r else None for c in classes}}
            for r in rows]
    return pa.Table.from_pylist(flat, schema=schema)


# --------------------------------------------------------------------------------------------------
# The records as a Ray Dataset
# --------------------------------------------------------------------------------------------------

def _records_dataset(ray: Any, run: RayRun, tables: list[Any], to_table: Callable[[list[dict[str, Any]]], Any],
                     verbose: bool) -> Any:
    """The run's records as a Dataset, in shard order: read lazily from its part files, else from the
    Arrow ``tables`` (object references) the workers kept."""
    parts = run.files
    if tables:
        ds = ray.data.from_arrow_refs(tables)
    elif parts:
        ds = ray.data.from_items([{"path": str(p)} for p in parts], override_num_blocks=len(parts))
        ds = ds.map_batches(functools.partial(_read_parts, to_table=to_table), batch_size=1, batch_format="pyarrow")
    else:
        ds = ray.data.from_arrow(to_table([]))
    ds.context.execution_options.preserve_order = True
    ds.context.enable_progress_bars = verbose
    return ds


def _read_parts(batch: Any, *, to_table: Callable[[list[dict[str, Any]]], Any]) -> Any:
    """A Ray Data task: the records of the part files named in ``batch["path"]`` as one Arrow table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..data.tables import BadRow, open_table

    schema = to_table([]).schema
    tables = []
    for name in batch.column("path").to_pylist():
        if name.endswith(".parquet"):
            tables.append(pq.read_table(name).cast(schema))
            continue
        with open_table(name, kind="jsonl") as table:
            rows = []
            for row in table:
                if isinstance(row, BadRow):
                    raise DataError(f"{row.message} The part file is damaged: run again with --overwrite.")
                rows.append(row.values)
        tables.append(to_table(rows))
    return pa.concat_tables(tables)


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------

def run_analyze_ray(inputs: Any, targets: Any = None, *, output_dir: str | os.PathLike[str] | None = None,
                    fmt: str = "jsonl", address: str | None = None, workers: int | None = None,
                    shard_size: int = DEFAULT_SHARD_SIZE, resume: bool = False, overwrite: bool = False,
                    text_column: str = "text", id_column: str = "id", date_column: str = "date",
                    analyzer_class: type[Analyzer] = Analyzer, cpus_per_worker: float = 1,
                    ray_remote_args: dict[str, Any] | None = None, progress: bool = False, verbose: bool = False,
                    **analyzer_options: Any) -> RayRun:
    """Analyse a corpus on Ray (module docstring): what ``stanceclf analyze --engine ray`` runs.

    ``inputs``: files and folders (as :func:`~stanceclf.analysis.corpus.read_documents` reads them), or a
    ``ray.data.Dataset`` with a text column (id and date columns optional, the others kept as
    metadata; a row without an id is ``row<N>``). ``targets``: as for :func:`stanceclf.analyze`.
    ``output_dir``: a new or empty folder (or an earlier run's, with ``resume``/``overwrite``) for
    ``part-NNNNN.jsonl`` files (``fmt="parquet"``: ``.parquet``) and the manifest, on a file system
    every node sees; without it the records stay in Ray's object store. ``address``: ``None`` uses
    this process's Ray or starts one here (``workers`` CPUs, default all); ``"auto"``, ``HOST:PORT``
    or ``ray://HOST:PORT`` joins a cluster. ``workers``: actors, each with ``cpus_per_worker`` CPUs
    (default: one per CPU of the cluster). ``analyzer_options`` go to
    :class:`~stanceclf.analysis.pipeline.Analyzer` (``model``, ``extractor``, ``claim_model``,
    ``batch_size``, ...); ``analyzer_class`` may be a subclass. ``ray_remote_args``: more actor
    options (e.g. ``{"num_gpus": 1}``). Ray's messages and progress bars stay off unless ``verbose``;
    ``progress`` draws a bar of documents done.

    Raises :class:`~stanceclf.errors.DataError` for bad inputs or options (before any work),
    :class:`~stanceclf.errors.EngineError` when Ray is missing, cannot start or cannot be reached,
    and :class:`~stanceclf.errors.ModelError` when the workers cannot load a model.

    >>> run = run_analyze_ray(["news/"], ["NATO"], output_dir="out/", extractor="rules")  # doctest: +SKIP
    >>> run.documents, len(run.errors), run.files[0].name                               # doctest: +SKIP
    (1200, 3, 'part-00000.jsonl')
    """
    check_options(output_dir=output_dir, fmt=fmt, formats=("jsonl", "parquet"), shard_size=shard_size,
                  workers=workers, cpus_per_worker=cpus_per_worker, resume=resume, overwrite=overwrite)
    ray = import_ray()
    dataset = is_dataset(ray, inputs)
    paths = [] if dataset else input_paths(inputs)
    target_list = parse_targets(targets) if targets is not None else None
    if target_list is not None and not target_list:
        raise DataError("The target list is empty; give at least one target, or targets=None to suggest them.")
    try:
        analyzer_class(**analyzer_options)  # an unknown option fails here, not in every worker
    except TypeError as exc:
        raise DataError(f"Bad analyzer option: {exc}.") from None
    columns = {"text_column": text_column, "id_column": id_column, "date_column": date_column}
    store = None
    if output_dir is not None:
        options = {"analyzer": f"{analyzer_class.__module__}.{analyzer_class.__qualname__}",
                   "targets": None if target_list is None else [[t.name, list(t.aliases)] for t in target_list],
                   **columns, **analyzer_options}
        header = {"kind": "analyze", "inputs": ["<ray.data.Dataset>"] if dataset else paths, "format": fmt,
                  "shard_size": shard_size, "options": jsonable(options)}
        store = ShardStore(output_dir, f".{fmt}", header, resume=resume, overwrite=overwrite)
    connect(ray, address, None if workers is None else math.ceil(workers * cpus_per_worker), verbose)
    if dataset:
        items: Iterable[Any] = (
            document_from_values(values, default_id=f"row{i}", source="dataset", where=f"dataset row {i}", **columns)
            for i, values in enumerate(dataset_rows(inputs, shard_size), start=1))
    else:
        items = read_documents(paths, **columns)
    args = (analyzer_class, analyzer_options, target_list, None if store is None else str(store.folder), f".{fmt}",
            store is None)
    run, tables, _ = execute(ray, worker_class=_AnalysisWorker, worker_args=args, items=items,
                             identity=_document_identity, store=store, shard_size=shard_size, workers=workers,
                             cpus_per_worker=cpus_per_worker, ray_remote_args=ray_remote_args, progress=progress,
                             unit="doc")
    run.records = _records_dataset(ray, run, tables, records_table, verbose)
    return run


def analyze_ray(inputs: Any, targets: Any = None, **options: Any) -> Any:
    """Analyse a corpus on Ray and return its records as a ``ray.data.Dataset`` (one row per record,
    the columns of ``docs/records.schema.json``, in input order): :func:`run_analyze_ray`, whose
    options it takes, without the counts.

    >>> ds = analyze_ray("news/", {"NATO": ["the alliance"]}, output_dir="quotes/", workers=4)  # doctest: +SKIP
    >>> ds.groupby("stance").count().take_all()                                               # doctest: +SKIP
    """
    return run_analyze_ray(inputs, targets, **options).records


def run_predict_ray(inputs: Any, *, model: Any = "default", output_dir: str | os.PathLike[str] | None = None,
                    address: str | None = None, workers: int | None = None,
                    shard_size: int = DEFAULT_PREDICT_SHARD_SIZE, batch_size: int = 256, text_column: str = "text",
                    target_column: str = "target", speaker_column: str = "speaker", target: str | None = None,
                    speaker: str | None = None, resume: bool = False, overwrite: bool = False,
                    allow_download: bool = False, device: str | None = None, precision: str | None = None,
                    cpus_per_worker: float = 1, ray_remote_args: dict[str, Any] | None = None,
                    progress: bool = False, verbose: bool = False) -> RayRun:
    """The stance of every (text, target) row of large tables, on Ray: what ``stanceclf predict
    --engine ray`` runs. Each worker loads ``model`` once (a saved-model folder, ``"default"``, or a
    fitted model object) and scores a shard of rows ``batch_size`` pairs at a time with
    :func:`~stanceclf.analysis.pairs.predict_pairs`, as ``stanceclf predict --input`` does on one
    machine: the part files hold its JSON lines (``row`` counts the rows of all inputs, in order).

    ``inputs``: CSV/TSV/JSONL files, or a ``ray.data.Dataset`` of rows. ``target``/``speaker``: one
    for every row. The records Dataset has the columns of :func:`predictions_table`.
    ``device``/``precision`` place a transformer model; the other options are those of
    :func:`run_analyze_ray` (part files are JSONL).

    >>> run = run_predict_ray(["pairs.csv"], model="runs/mine", output_dir="preds/")   # doctest: +SKIP
    >>> run.records.filter(lambda r: r["label"] == "AGAINST").count()                   # doctest: +SKIP
    """
    check_options(output_dir=output_dir, fmt="jsonl", formats=("jsonl",), shard_size=shard_size, workers=workers,
                  cpus_per_worker=cpus_per_worker, resume=resume, overwrite=overwrite)
    if batch_size < 1:
        raise DataError(f"batch_size (--batch-size) must be at least 1, got {batch_size}.")
    ray = import_ray()
    dataset = is_dataset(ray, inputs)
    paths = [] if dataset else input_paths(inputs)
    pairs = {"batch_size": batch_size, "text_column": text_column, "target_column": target_column,
             "speaker_column": speaker_column, "target": target, "speaker": speaker}
    store = None
    if output_dir is not None:
        options = {"model": model, **pairs, "device": device, "precision": precision}
        header = {"kind": "predict", "inputs": ["<ray.data.Dataset>"] if dataset else paths, "format": "jsonl",
                  "shard_size": shard_size, "options": jsonable(options)}
        store = ShardStore(output_dir, ".jsonl", header, resume=resume, overwrite=overwrite)
    connect(ray, address, None if workers is None else math.ceil(workers * cpus_per_worker), verbose)
    rows = dataset_rows(inputs, shard_size) if dataset else itertools.chain.from_iterable(
        read_pair_rows(path) for path in paths)
    options = {"pairs": pairs, "allow_download": allow_download, "place": {"device": device, "precision": precision}}
    args = (model, options, None if store is None else str(store.folder), ".jsonl", store is None)
    run, tables, info = execute(ray, worker_class=_PredictionWorker, worker_args=args, items=enumerate(rows, start=1),
                                identity=_row_identity, store=store, shard_size=shard_size, workers=workers,
                                cpus_per_worker=cpus_per_worker, ray_remote_args=ray_remote_args, progress=progress,
                                unit="row")
    table_of = functools.partial(predictions_table, classes=info.get("classes", ()))
    run.records = _records_dataset(ray, run, tables, table_of, verbose)
    return run


def predict_ray(inputs: Any, **options: Any) -> Any:
    """The stance of every row of large tables as a ``ray.data.Dataset``: :func:`run_predict_ray`,
    whose options it takes, without the counts.

    >>> predict_ray("pairs.jsonl", model="default", workers=8).take(1)                 # doctest: +SKIP
    [{'row': 1, 'text': '...', 'target': 'NATO', 'speaker': None, 'label': 'AGAINST', 'p_against': 0.91, ...}]
    """
    return run_predict_ray(inputs, **options).records


def _document_identity(item: Document | DocumentError) -> str:
    """What a resumed run compares: a document's id and text (an error's id and message)."""
    body = item.text if isinstance(item, Document) else item.error
    return f"{item.id}\x1e{hashlib.sha256(body.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _row_identity(item: tuple[int, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
