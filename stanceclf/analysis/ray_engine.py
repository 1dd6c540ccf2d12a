"""The engine under :mod:`stanceclf.analysis.distributed`: deterministic shards, a pool of Ray actors
that load their models once, and an output folder that a killed run resumes from.

It knows nothing of analyses or predictions: a :class:`ShardWorker` subclass says how to load,
process a shard, write its part file and build its Arrow table; :func:`execute` does the rest.

* **Shards**: the items (documents, table rows) in input order, ``shard_size`` at a time; shard 0
  holds items 0..N-1. A shard's digest (its items' identities) lets a resumed run check its inputs.
* **Workers**: ``workers`` actors, each one task at a time, so a worker that dies is blamed on one
  shard. It is replaced and the shard redone; a shard that kills its worker :data:`ATTEMPTS` times is
  probed one item at a time, and the items that kill a worker alone are given to the worker as
  crashed (they become error records).
* **Output folder**: ``part-00000.jsonl`` (or ``.parquet``) per shard, written atomically by the
  worker, and :data:`MANIFEST`, written by the driver alone: a header (kind, inputs, format, shard
  size, options), one line per finished shard (after its part file is complete; with the worker that
  did it and that worker's peak memory so far) and a ``finished`` line with the run's counts. A line
  cut by a kill is ignored, so its shard is redone.

>>> part_name(7, ".jsonl")
'part-00007.jsonl'
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import os
import socket
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import DataError, EngineError, StanceclfError
from ..files import atomic_output, check_inputs, check_output_dir

__all__ = ["RayRun", "ShardWorker", "execute", "import_ray", "connect", "check_options", "input_paths",
           "dataset_rows", "is_dataset", "jsonable", "part_name", "ShardStore", "MANIFEST", "RAY_INSTALL_HINT",
           "ATTEMPTS"]

logger = logging.getLogger(__name__)

#: The run's manifest in its output folder: the inputs and options, then one line per finished shard.
MANIFEST = "_manifest.jsonl"
RAY_INSTALL_HINT = "pip install 'stanceclf[ray]'"
#: Runs of a shard whose worker died, before its items are tried one by one.
ATTEMPTS = 3
_MANIFEST_VERSION = 1


@dataclasses.dataclass
class RayRun:
    """What a Ray run did. ``records``: a ``ray.data.Dataset`` of every record, in input order (read
    lazily from the part files when there is an output folder); ``documents``: items read (documents
    or table rows); ``errors``: the error records (analysis: ``doc_id, source, status, stage,
    error``; predictions: ``row, error``), earlier sessions' too; ``seconds``: the whole run, of which
    ``startup_seconds`` starting the workers and loading their models; ``workers``: per actor, the
    shards it did and its peak memory (MB); ``timings``: seconds per analysis stage, summed over the
    workers."""

    records: Any = None
    documents: int = 0
    shards: int = 0
    resumed_shards: int = 0
    errors: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    startup_seconds: float = 0.0
    output_dir: Path | None = None
    files: list[Path] = dataclasses.field(default_factory=list)
    workers: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    timings: Counter[str] = dataclasses.field(default_factory=Counter)

    @property
    def analysed(self) -> int:
        """Items that gave records rather than an error."""
        return self.documents - len(self.errors)

    def summary(self) -> dict[str, Any]:
        """Counts and workers as JSON-ready data (the manifest's ``finished`` line)."""
        return {"finished": True, "documents": self.documents, "shards": self.shards,
                "resumed_shards": self.resumed_shards, "errors": len(self.errors), "seconds": round(self.seconds, 2),
                "startup_seconds": round(self.startup_seconds, 2), "workers": list(self.workers.values())}


# --------------------------------------------------------------------------------------------------
# Ray: import, connect, errors
# --------------------------------------------------------------------------------------------------

def import_ray() -> Any:
    """The ``ray`` module (with Ray Data), or :class:`EngineError` saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401 - the records are a Ray Dataset
    except ImportError as exc:
        raise EngineError(f"The Ray engine needs Ray and Ray Data: {RAY_INSTALL_HINT} ({exc}).") from None
    return ray


def connect(ray: Any, address: str | None, num_cpus: int | None, verbose: bool) -> None:
    """Use this process's Ray connection, else start Ray on this machine (``address=None``, with
    ``num_cpus`` CPUs, default all) or join the cluster at ``address``. Ray's logs, its workers'
    output and Ray Data's messages are kept to errors unless ``verbose``."""
    if not verbose:
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # progress and hints, once per dataset
    if address not in (None, "auto", "local"):
        _check_reachable(address)
    if ray.is_initialized():
        current = ray.get_runtime_context().gcs_address
        if address not in (None, "auto", "local") and not address.startswith("ray://") and address != current:
            raise EngineError(f"This process is already connected to the Ray cluster at {current}, not {address}; "
                              "leave the address out to use it, or call ray.shutdown() first.")
        return
    quiet = {"logging_level": logging.INFO if verbose else logging.ERROR, "log_to_driver": verbose}
    if address is None:
        try:
            ray.init(num_cpus=num_cpus, include_dashboard=False, **quiet)
        except Exception as exc:  # noqa: BLE001 - Ray raises many kinds here; the message is what matters
            raise EngineError(f"Could not start Ray on this machine: {type(exc).__name__}: {exc}") from None
        return
    try:
        ray.init(address=address, **quiet)
    except Exception as exc:  # noqa: BLE001
        raise EngineError(f"Could not connect to the Ray cluster at {address!r}: {exc} Check the address (`ray "
                          "status` on the head node shows it; 'auto' finds a cluster started here with `ray start "
                          "--head`), or leave it out to run on this machine.") from None


def _check_reachable(address: str) -> None:
    """Fail in seconds, not minutes, when a ``HOST:PORT`` or ``ray://HOST:PORT`` address does not answer."""
    host, sep, port = address.split("://", 1)[-1].rstrip("/").rpartition(":")
    if not sep or not host or not port.isdigit():
        raise EngineError(f"{address!r} is not a Ray address: give HOST:PORT (e.g. 10.0.0.5:6379), "
                          "ray://HOST:10001 or auto.")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as exc:
        raise EngineError(f"Cannot reach the Ray cluster at {address!r} ({exc}). Check the address and that the "
                          "cluster is up (`ray status` on its head node).") from None


def _died_errors(ray: Any) -> tuple[type[BaseException], ...]:
    """The exceptions that mean a worker process or its node died (the shard is redone)."""
    ex = ray.exceptions
    return ex.RayActorError, ex.WorkerCrashedError, ex.OutOfMemoryError, ex.NodeDiedError


def _get(ray: Any, ref: Any) -> Any:
    """``ray.get``, a worker's own error raised as it is (a :class:`ModelError` stays one, without Ray's
    remote traceback in its message)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, (StanceclfError, ImportError)):
            raise exc.cause from None
        raise


# --------------------------------------------------------------------------------------------------
# Options and inputs
# --------------------------------------------------------------------------------------------------

def check_options(*, output_dir: Any, fmt: str, formats: tuple[str, ...], shard_size: int, workers: int | None,
                  cpus_per_worker: float, resume: bool, overwrite: bool) -> None:
    """Refuse bad run options with a :class:`DataError` before any work."""
    if shard_size < 1:
        raise DataError(f"shard_size (--shard-size) must be at least 1, got {shard_size}.")
    if workers is not None and workers < 1:
        raise DataError(f"workers (--workers) must be at least 1, got {workers}.")
    if cpus_per_worker <= 0:
        raise DataError(f"cpus_per_worker must be above 0, got {cpus_per_worker}.")
    if fmt not in formats:
        raise DataError(f"The Ray engine writes {' or '.join(formats)} part files, not {fmt!r}.")
    if (resume or overwrite) and not output_dir:
        raise DataError("resume and overwrite (--resume, --overwrite) apply to an output folder (output_dir=..., "
                        "-o DIR).")


def input_paths(inputs: Any) -> list[str]:
    """``inputs`` (a path or paths) as strings, each checked to exist; standard input is refused."""
    paths = [str(inputs)] if isinstance(inputs, (str, os.PathLike)) else [str(p) for p in inputs]
    if "-" in paths:
        raise DataError("The Ray engine reads files, folders or a ray.data.Dataset; standard input ('-') works with "
                        "the local engine only.")
    if not paths:
        raise DataError("No inputs: give files or folders, or a ray.data.Dataset.")
    check_inputs(paths)
    return paths


def is_dataset(ray: Any, inputs: Any) -> bool:
    return isinstance(inputs, ray.data.Dataset)


def dataset_rows(dataset: Any, batch_size: int) -> Iterator[dict[str, Any]]:
    """A Dataset's rows as dicts, in order (``preserve_order`` is turned on for it), read by Ray
    ``batch_size`` at a time."""
    dataset.context.execution_options.preserve_order = True
    for batch in dataset.iter_batches(batch_size=batch_size, batch_format="pyarrow"):
        yield from batch.to_pylist()


def jsonable(value: Any) -> Any:
    """An option as the manifest keeps it (an object by its type), so that a resumed run can compare."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, os.PathLike):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


# --------------------------------------------------------------------------------------------------
# The output folder
# --------------------------------------------------------------------------------------------------

def part_name(shard: int, suffix: str) -> str:
    """The file name of a shard's records."""
    return f"part-{shard:05d}{suffix}"


class ShardStore:
    """A run's output folder (module docstring). Refusals happen in ``__init__``, before any work;
    nothing is written before :meth:`open`."""

    def __init__(self, folder: str | os.PathLike[str], suffix: str, header: dict[str, Any], *, resume: bool,
                 overwrite: bool):
        self.folder, self.suffix, self.manifest = Path(folder), suffix, Path(folder) / MANIFEST
        self.header = {"version": _MANIFEST_VERSION, **header}
        #: shard -> its manifest line, for the shards finished before (resume only)
        self.done: dict[int, dict[str, Any]] = {}
        #: the manifest header of the run resumed (resume only)
        self.previous: dict[str, Any] = {}
        check_output_dir(self.folder, "The output folder")
        ours = set(self._our_files())
        others = sorted(p.name for p in self.folder.iterdir() if p not in ours) if self.folder.is_dir() else []
        if others:
            raise DataError(f"{self.folder} holds files that are not a stanceclf Ray run's ({', '.join(others[:3])}"
                            f"{' ...' if len(others) > 3 else ''}); give a new or empty folder.")
        if self.manifest.exists() and not resume and not overwrite:
            raise DataError(f"{self.folder} holds an earlier run: pass --resume (resume=True) to continue or reuse it, "
                            "or --overwrite (overwrite=True) to discard it and start again.")
        if ours and not self.manifest.exists() and not overwrite:
            raise DataError(f"{self.folder} holds part files but no {MANIFEST}; pass --overwrite (overwrite=True) to "
                            "discard them.")
        self._fresh = not (resume and self.manifest.exists())
        if not self._fresh:
            self._read_manifest()

    def _our_files(self) -> Iterator[Path]:
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name == MANIFEST or path.name.startswith(("part-", ".part-", f".{MANIFEST}.")):
                    yield path

    def _read_manifest(self) -> None:
        lines = self.manifest.read_bytes().splitlines()
        try:
            self.previous = json.loads(lines[0])
        except (IndexError, ValueError):
            raise DataError(f"{self.manifest} is damaged, so the run cannot be resumed; run again with --overwrite "
                            "(overwrite=True).") from None
        for key in ("version", "kind", "inputs", "format", "shard_size", "options"):
            if self.previous.get(key) != self.header.get(key):
                raise DataError(f"{self.folder} holds a run with other {key.replace('_', ' ')} "
                                f"({self.previous.get(key)!r}, now {self.header.get(key)!r}); resume with the same "
                                "ones, or run again with --overwrite (overwrite=True).")
        for raw in lines[1:]:
            try:
                entry = json.loads(raw)
            except ValueError:  # the last line, cut by a kill: its shard is redone
                break
            if "shard" in entry and self.part(entry["shard"]).exists():
                self.done[int(entry["shard"])] = entry

    def part(self, shard: int) -> Path:
        return self.folder / part_name(shard, self.suffix)

    def open(self, extra: dict[str, Any]) -> None:
        """Start writing: a fresh run clears the folder of an earlier run's files; a resumed one drops
        its unfinished temporary files. The manifest is rewritten: the header (with ``extra``, e.g. the
        model's classes) and the finished shards' lines."""
        self.folder.mkdir(exist_ok=True)
        for path in self._our_files():
            if self._fresh or path.name.startswith("."):
                path.unlink()
        lines = [{**self.header, **extra}, *[self.done[shard] for shard in sorted(self.done)]]
        with atomic_output(self.manifest) as tmp:
            tmp.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines), encoding="utf-8")

    def commit(self, entry: dict[str, Any]) -> None:
        """Append one line (a finished shard, whose part file is complete; or the run's summary), flushed."""
        with self.manifest.open("a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------------
# The workers
# --------------------------------------------------------------------------------------------------

class ShardWorker:
    """One Ray actor: loads its models once (:meth:`_load`), then processes one shard per :meth:`run`
    (:meth:`_process`), writing its part file (:meth:`_write`) and, without an output folder, keeping
    its records as an Arrow table (:meth:`_table`). A load error is raised again by every call."""

    def __init__(self, output_dir: str | None, suffix: str, keep: bool):
        self.output_dir = Path(output_dir) if output_dir else None
        self.suffix, self.keep, self.shards = suffix, keep, 0
        self._load_error: BaseException | None = None
        try:
            self._load()
        except Exception as exc:  # noqa: BLE001 - raised again by every call, so the driver sees it
            self._load_error = exc

    # -- what a subclass gives --------------------------------------------------------------------
    def _load(self) -> None:
        raise NotImplementedError

    def _process(self, items: list[Any], crashed: dict[int, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The records of ``items`` and the error records among them; ``crashed`` (position -> why):
        the items to report as errors instead of processing them."""
        raise NotImplementedError

    def _write(self, path: Path, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def _table(self, rows: list[dict[str, Any]]) -> Any:
        raise NotImplementedError

    def timings(self) -> dict[str, float]:
        """Cumulative seconds per stage (an analyzer's), for the run's breakdown."""
        return {}

    def info(self) -> dict[str, Any]:
        """What the driver learns once the models are loaded (e.g. a model's classes)."""
        return {}

    # -- the calls --------------------------------------------------------------------------------
    def ready(self) -> dict[str, Any]:
        """Who this worker is, once its models are loaded."""
        if self._load_error is not None:
            raise self._load_error
        return {**self._stats(), **self.info()}

    def _stats(self) -> dict[str, Any]:
        import ray

        return {"worker": f"{os.getpid()}@{ray.get_runtime_context().get_node_id()[:8]}", "pid": os.getpid(),
                "peak_rss_mb": _peak_rss_mb()}

    def sees(self, path: str) -> bool:
        return Path(path).exists()

    def probe(self, items: list[Any]) -> None:
        """Process ``items`` and keep nothing: whether they kill the worker is all that is asked."""
        self._process(items, {})

    def run(self, shard: int, items: list[Any], crashed: dict[int, str]) -> tuple[dict[str, Any], Any]:
        """Process a shard and write its part file atomically; returns a summary and, when keeping
        them, the records as an Arrow table (left in Ray's object store)."""
        if self._load_error is not None:
            raise self._load_error
        started, before = time.perf_counter(), Counter(self.timings())
        rows, errors = self._process(items, crashed)
        if self.output_dir is not None:
            with atomic_output(self.output_dir / part_name(shard, self.suffix)) as tmp:
                self._write(tmp, rows)
        self.shards += 1
        spent = Counter(self.timings())
        spent.subtract(before)
        summary = {"shard": shard, "documents": len(items), "records": len(rows), "errors": errors,
                   "seconds": time.perf_counter() - started, "timings": dict(spent), **self._stats()}
        return summary, (self._table(rows) if self.keep else None)


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


class _Pool:
    """``size`` actors of ``worker_class``; a dead one is replaced by a new one."""

    def __init__(self, ray: Any, worker_class: type[ShardWorker], args: tuple[Any, ...], size: int,
                 options: dict[str, Any]):
        self.ray, self.args = ray, args
        self.remote = ray.remote(worker_class).options(max_restarts=0, max_task_retries=0, **options)
        self.actors = [self.remote.remote(*args) for _ in range(size)]

    def replace(self, index: int) -> None:
        self._kill(self.actors[index])
        self.actors[index] = self.remote.remote(*self.args)

    def close(self) -> None:
        for actor in self.actors:
            self._kill(actor)

    def _kill(self, actor: Any) -> None:
        try:
            self.ray.kill(actor, no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass


def _start_pool(ray: Any, worker_class: type[ShardWorker], args: tuple[Any, ...], *, workers: int | None,
                cpus_per_worker: float, ray_remote_args: dict[str, Any] | None) -> tuple[_Pool, list[dict[str, Any]]]:
    """Start the actors and wait until every one has loaded its models (their errors raised)."""
    total = ray.cluster_resources().get("CPU", 0)
    size = workers or max(1, int(total // cpus_per_worker))
    if size * cpus_per_worker > total:
        logger.warning("%d worker(s) of %g CPU each ask for more than the cluster's %g CPUs; some wait until the "
                       "cluster grows.", size, cpus_per_worker, total)
    pool = _Pool(ray, worker_class, args, size, {"num_cpus": cpus_per_worker, **(ray_remote_args or {})})
    try:
        infos = [_get(ray, actor.ready.remote()) for actor in pool.actors]
    except BaseException:
        pool.close()
        raise
    return pool, infos


# --------------------------------------------------------------------------------------------------
# Shards through the pool
# --------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Shard:
    index: int
    first: int  # the position of its first item in the inputs
    items: list[Any]
    digest: str
    attempts: int = 0
    crashed: dict[int, str] | None = None  # after probing: position -> why the worker died

    def span(self) -> str:
        return f"shard {self.index} (items {self.first + 1}-{self.first + len(self.items)})"


def _shards(items: Iterable[Any], size: int, identity: Callable[[Any], str]) -> Iterator[_Shard]:
    stream = iter(items)
    for index in itertools.count():
        chunk = list(itertools.islice(stream, size))
        if not chunk:
            return
        digest = hashlib.sha256("\x1f".join(identity(item) for item in chunk).encode("utf-8", "surrogatepass"))
        yield _Shard(index, index * size, chunk, digest.hexdigest()[:32])


class _Engine:
    """One run's shards through one pool, each finished shard committed to the store."""

    def __init__(self, ray: Any, run: RayRun, store: ShardStore | None, keep: bool, progress: Any):
        self.ray, self.run, self.store, self.keep, self.progress = ray, run, store, keep, progress
        self.died = _died_errors(ray)
        self.tables: dict[int, Any] = {}

    def skip_done(self, shards: Iterator[_Shard]) -> _Shard | None:
        """Skip the leading shards an earlier session finished; the first shard with work, or None."""
        for shard in shards:
            if not self._skipped(shard):
                return shard
        return None

    def _skipped(self, shard: _Shard) -> bool:
        self.run.shards = max(self.run.shards, shard.index + 1)
        entry = self.store.done.get(shard.index) if self.store is not None else None
        if entry is None:
            return False
        if entry.get("digest") != shard.digest:
            raise DataError(f"The inputs changed since the run started: {shard.span()} is not the one written "
                            "before. Resume with the same inputs, or run again with --overwrite (overwrite=True).")
        self.run.resumed_shards += 1
        self.run.documents += len(shard.items)
        self.run.errors.extend(entry.get("errors", []))
        self._progress(len(shard.items))
        return True

    def _progress(self, count: int) -> None:
        if self.progress is not None:
            self.progress(count)

    def feed(self, pool: _Pool, shards: Iterator[_Shard]) -> None:
        """Give each idle worker the next shard until all are done; redo the shards of dead workers."""
        idle, running, retry = list(range(len(pool.actors))), {}, []
        exhausted = False
        while True:
            while idle and (retry or not exhausted):
                if retry:
                    shard = retry.pop()
                else:
                    shard = next(shards, None)
                    if shard is None:
                        exhausted = True
                        continue
                    if self._skipped(shard):
                        continue
                worker = idle.pop()
                summary, table = pool.actors[worker].run.options(num_returns=2).remote(shard.index, shard.items,
                                                                                       shard.crashed or {})
                running[summary] = (worker, shard, table)
            if not running:
                return
            (ref,), _ = self.ray.wait(list(running), num_returns=1)
            worker, shard, table = running.pop(ref)
            idle.append(worker)
            try:
                summary = _get(self.ray, ref)
            except self.died as exc:
                self._died(pool, worker, shard, exc)
                retry.append(shard)
                continue
            if self.keep:
                self.tables[shard.index] = table
            self._finished(shard, summary)

    def _died(self, pool: _Pool, worker: int, shard: _Shard, exc: BaseException) -> None:
        logger.warning("A worker died on %s (%s); it is replaced and the shard redone.", shard.span(),
                       type(exc).__name__)
        pool.replace(worker)
        shard.attempts += 1
        if shard.attempts < ATTEMPTS:
            return
        if shard.crashed is not None:
            raise EngineError(f"{shard.span()} killed its worker {shard.attempts} times, even with the items that did "
                              "so alone left out. The finished shards are kept: resume (--resume) once the cause is "
                              "fixed.") from None
        logger.warning("%s killed its worker %d times: trying its items one by one.", shard.span(), shard.attempts)
        shard.crashed, shard.attempts = {}, 0
        for position, item in enumerate(shard.items):
            try:
                _get(self.ray, pool.actors[worker].probe.remote([item]))
            except self.died as probe_exc:
                shard.crashed[position] = (f"the worker process died on this item, every time it was tried "
                                           f"({type(probe_exc).__name__}).")
                pool.replace(worker)

    def _finished(self, shard: _Shard, summary: dict[str, Any]) -> None:
        run = self.run
        run.documents += summary["documents"]
        run.errors.extend(summary["errors"])
        run.timings.update(summary["timings"])
        stats = run.workers.setdefault(summary["worker"], {"worker": summary["worker"], "shards": 0, "documents": 0})
        stats.update(shards=stats["shards"] + 1, documents=stats["documents"] + summary["documents"],
                     peak_rss_mb=summary["peak_rss_mb"])
        if self.store is not None:
            self.store.commit({"shard": shard.index, "first": shard.first, "documents": summary["documents"],
                               "records": summary["records"], "digest": shard.digest, "errors": summary["errors"],
                               "worker": summary["worker"], "peak_rss_mb": summary["peak_rss_mb"]})
        self._progress(summary["documents"])


def execute(ray: Any, *, worker_class: type[ShardWorker], worker_args: tuple[Any, ...], items: Iterable[Any],
            identity: Callable[[Any], str], store: ShardStore | None, shard_size: int, workers: int | None,
            cpus_per_worker: float, ray_remote_args: dict[str, Any] | None, progress: bool, unit: str
            ) -> tuple[RayRun, list[Any], dict[str, Any]]:
    """Run ``items`` through a pool of ``worker_class(*worker_args)`` actors, shard by shard. Returns
    the run (without its ``records``), the Arrow tables the workers kept (references, in shard order;
    none with a ``store``) and the workers' :meth:`~ShardWorker.info` (an earlier session's when no
    shard was left to do).

    The pool starts (and its models load) when the first shard with work is read, before ``store`` is
    opened: a model that fails to load leaves an earlier run's folder untouched."""
    started = time.perf_counter()
    run = RayRun()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(unit=unit, desc=f"{unit}s (ray)", file=sys.stderr)
    engine = _Engine(ray, run, store, store is None, bar.update if bar is not None else None)
    shards = _shards(items, shard_size, identity)
    pool = None
    info = {key: store.previous[key] for key in ("classes",) if key in store.previous} if store is not None else {}
    try:
        first = engine.skip_done(shards)
        if first is not None:
            pool, infos = _start_pool(ray, worker_class, worker_args, workers=workers, cpus_per_worker=cpus_per_worker,
                                      ray_remote_args=ray_remote_args)
            run.startup_seconds = time.perf_counter() - started
            info = {k: v for k, v in infos[0].items() if k not in ("worker", "pid", "peak_rss_mb")}
            for stats in infos:
                run.workers[stats["worker"]] = {"worker": stats["worker"], "shards": 0, "documents": 0,
                                                "peak_rss_mb": stats["peak_rss_mb"]}
        if store is not None:
            store.open(info)
            blind = [] if pool is None else [stats["worker"] for actor, stats in zip(pool.actors, infos)
                                             if not ray.get(actor.sees.remote(str(store.manifest)))]
            if blind:
                raise EngineError(f"Worker(s) {', '.join(blind)} cannot see {store.folder}: the output folder must be "
                                  "on a file system every node mounts at the same path (one machine, NFS, ...).")
        if pool is not None:
            engine.feed(pool, itertools.chain([first], shards))
    finally:
        if pool is not None:
            pool.close()
        if bar is not None:
            bar.close()
    if store is not None and any(index >= run.shards for index in store.done):
        raise DataError(f"The inputs changed since the run started: they now make {run.shards} shard(s), but "
                        f"{store.folder} holds later ones. Resume with the same inputs, or run again with "
                        "--overwrite.")
    run.seconds = time.perf_counter() - started
    if store is not None:
        run.output_dir = store.folder
        run.files = [store.part(i) for i in range(run.shards)]
        store.commit(run.summary())
    return run, [engine.tables[i] for i in sorted(engine.tables)], info
