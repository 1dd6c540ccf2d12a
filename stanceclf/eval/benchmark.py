"""Benchmark suite: every registered model on every present dataset.

Each job (model, dataset, protocol) runs :func:`~stanceclf.eval.harness.evaluate` in a fresh
process of its own, so its peak memory is its own; each job's results are one JSON file. The
markdown table beside the published anchors (docs/benchmarks.md) is research tooling, not part of
the installed package: ``python benchmarks/render.py`` in a checkout renders it from those files.

>>> from stanceclf.eval.benchmark import SUITE
>>> ("semeval2016", "in-target") in [(job.dataset, job.protocol) for job in SUITE]
True
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

__all__ = ["SUITE", "BenchmarkJob", "BenchmarkSummary", "run_benchmark"]


@dataclass(frozen=True)
class BenchmarkJob:
    """One suite entry: a dataset under a protocol (for cross-target, the targets trained and scored)."""

    dataset: str
    protocol: str = "in-target"
    train_targets: tuple[str, ...] = ()
    test_targets: tuple[str, ...] = ()

    def slug(self, model: str) -> str:
        parts = [model, self.dataset, self.protocol]
        if self.train_targets:
            parts.append("-".join(t.split()[-1].lower() for t in self.train_targets) + "-to-" +
                         "-".join(t.split()[-1].lower() for t in self.test_targets))
        return "__".join(parts).replace("/", "_")


_PSTANCE_TARGETS = ("Donald Trump", "Joe Biden", "Bernie Sanders")

#: The default suite. Datasets without a training split (PerSenT) are scored by models trained
#: elsewhere and are not part of this in-dataset suite.
SUITE: tuple[BenchmarkJob, ...] = (
    BenchmarkJob("semeval2016", "in-target"),
    BenchmarkJob("semeval2016", "zero-shot"),
    BenchmarkJob("pstance", "in-target"),
    BenchmarkJob("pstance", "zero-shot"),
    *(BenchmarkJob("pstance", "cross-target", (source,), (target,))
      for source in _PSTANCE_TARGETS for target in _PSTANCE_TARGETS if source != target),
    BenchmarkJob("fnc1", "in-target"),
    BenchmarkJob("newsmtsc", "in-target"),
    BenchmarkJob("dse", "in-target"),
    BenchmarkJob("perspectrum", "in-target"),
    BenchmarkJob("polnear-stance", "in-target"),
    # claim tasks (stanceclf.data.claims): run by claim models and task-agnostic baselines only
    BenchmarkJob("checkthat2024_en", "in-target"),
    BenchmarkJob("checkthat2020_t5", "in-target"),
    BenchmarkJob("newssd_eng", "in-target"),
    BenchmarkJob("cnc_subtask1", "in-target"),
)


@dataclass
class BenchmarkSummary:
    """What a suite run produced: the results (as in the JSON files), those files, and the failed jobs."""

    results: list[dict[str, Any]]
    files: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def run_benchmark(
    models: Sequence[str] | None = None,
    datasets: Sequence[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] = "benchmarks/results",
    n_resamples: int = 1000,
    skip_existing: bool = False,
    jobs: Sequence[BenchmarkJob] = SUITE,
) -> BenchmarkSummary:
    """Run ``jobs`` for every model on the datasets present; write one result JSON per job into
    ``output_dir`` (``<model>__<dataset>__<protocol>.json``) and return the results."""
    from tqdm.auto import tqdm

    from ..data.loaders import available_datasets, resolve_data_dir
    from ..errors import UnknownNameError, suggest
    from ..models.registry import available_models

    root = resolve_data_dir(data_dir)
    model_names = list(models or available_models())
    for name in model_names:
        if name not in available_models():
            raise UnknownNameError(f"Unknown model {name!r}.{suggest(name, available_models())}")
    present = set(available_datasets(root))
    wanted = [j for j in jobs if j.dataset in present and (not datasets or j.dataset in datasets)]
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = BenchmarkSummary(results=[])
    work = [(m, j) for j in wanted for m in model_names if _can_run(m, j)]
    for model, job in tqdm(work, desc="benchmark", unit="job"):
        path = out / f"{job.slug(model)}.json"
        if not (skip_existing and path.is_file()):
            start = time.perf_counter()
            # a fresh process per job (spawned: no state shared with this one), so peak memory is the job's
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                try:
                    pool.submit(_run_job, model, job, str(root), str(path), n_resamples).result()
                except Exception as exc:  # noqa: BLE001 - a failed job is reported, the suite goes on
                    summary.failures.append((job.slug(model), f"{type(exc).__name__}: {exc}"))
                    continue
            tqdm.write(f"{job.slug(model)}: {time.perf_counter() - start:.0f}s")
        summary.results.extend(json.loads(path.read_text()))
        summary.files.append(path)
    return summary


def _run_job(model: str, job: BenchmarkJob, data_dir: str, path: str, n_resamples: int) -> None:
    """One benchmark job (in its own process): evaluate, then write the result JSON atomically."""
    from ..files import atomic_output
    from .harness import evaluate

    results = evaluate(model, job.dataset, data_dir=data_dir, protocol=job.protocol,
                       train_targets=job.train_targets or None, test_targets=job.test_targets or None,
                       n_resamples=n_resamples, name=model)
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps([r.to_dict() for r in results], indent=2) + "\n")


def _can_run(model: str, job: BenchmarkJob) -> bool:
    """Whether ``model`` runs ``job``: a stance model on stance datasets, a claim model on claim datasets,
    a task-agnostic one (``model_kind == "any"``, e.g. TF-IDF) on both; and not the protocols that hide
    targets when the model has members trained before the run (an ensemble with the built-in default
    model), which the harness refuses."""
    from ..data.loaders import get_dataset_info
    from ..models.registry import MODELS, create_model

    kind = MODELS[model].model_class().model_kind
    dataset_kind = "stance" if get_dataset_info(job.dataset).task == "stance" else "claims"
    if kind not in ("any", dataset_kind):
        return False
    if job.protocol not in ("zero-shot", "cross-target"):
        return True
    return not getattr(create_model(model), "uses_prefitted_members", False)
