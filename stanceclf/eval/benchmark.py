"""Benchmark suite: every registered model on every present dataset, beside published anchors.

Each job (model, dataset, protocol) runs :func:`~stanceclf.eval.harness.evaluate` in a fresh
process of its own, so its peak memory is its own; results are JSON files, summarised in a markdown
table.

>>> from stanceclf.eval.benchmark import SUITE
>>> ("semeval2016", "in-target") in [(job.dataset, job.protocol) for job in SUITE]
True
"""

from __future__ import annotations

import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

__all__ = ["ANCHORS", "SUITE", "BenchmarkJob", "BenchmarkSummary", "run_benchmark", "render_markdown", "render_existing"]


@dataclass(frozen=True)
class Anchor:
    """A published reference result (score on a 0-100 scale, as papers report it)."""

    system: str
    score: float
    metric: str
    source: str
    note: str = ""


#: Published anchors by (dataset, split). Not computed by us: quoted from the papers cited.
ANCHORS: dict[tuple[str, str], list[Anchor]] = {
    ("semeval2016", "test"): [
        Anchor("MITRE (best SemEval-2016 team)", 67.82, "F_avg", "Zarrella & Marsh, SemEval 2016"),
        Anchor("TweetEval RoBERTa-base", 68.0, "F_avg", "Barbieri et al., Findings of EMNLP 2020",
               "TweetEval's stance subset; averaged over its 5 targets"),
    ],
    ("pstance", "test"): [
        Anchor("BERTweet (in-target)", 80.53, "macro-F1", "Li et al., Findings of ACL 2021", "mean over the 3 targets"),
    ],
    ("fnc1", "test"): [
        Anchor("SOLAT in the SWEN (FNC-1 winner)", 82.02, "relative score", "Baird et al., 2017"),
    ],
    ("newsmtsc", "devtest_rw"): [
        Anchor("GRU-TSC", 83.1, "F1m", "Hamborg & Donnay, EACL 2021"),
    ],
}


@dataclass(frozen=True)
class BenchmarkJob:
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
)


@dataclass
class BenchmarkSummary:
    results: list[dict[str, Any]]
    failures: list[tuple[str, str]] = field(default_factory=list)
    markdown: str = ""


def run_benchmark(
    models: Sequence[str] | None = None,
    datasets: Sequence[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] = "benchmarks/results",
    markdown_path: str | os.PathLike[str] | None = None,
    n_resamples: int = 1000,
    skip_existing: bool = False,
    jobs: Sequence[BenchmarkJob] = SUITE,
    command: str = "stanceclf benchmark",
) -> BenchmarkSummary:
    """Run ``jobs`` for every model on the datasets present; write JSON (+ markdown) and return them."""
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
    work = [(m, j) for j in wanted for m in model_names if _can_run(m, j.protocol)]
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
    summary.markdown = render_markdown(summary.results, command=command)
    if markdown_path:
        Path(markdown_path).parent.mkdir(parents=True, exist_ok=True)
        Path(markdown_path).write_text(summary.markdown)
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


def _can_run(model: str, protocol: str) -> bool:
    """False for protocols that hide targets when the model has members trained before the run
    (an ensemble with the built-in default model): the harness refuses those."""
    from ..models.registry import create_model

    if protocol not in ("zero-shot", "cross-target"):
        return True
    return not getattr(create_model(model), "uses_prefitted_members", False)


def render_existing(output_dir: str | os.PathLike[str], markdown_path: str | os.PathLike[str] | None = None,
                    command: str = "stanceclf benchmark --render-only") -> str:
    """Render the markdown table from every stance result JSON already in ``output_dir``."""
    results: list[dict[str, Any]] = []
    for path in sorted(Path(output_dir).glob("*__*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, list) and data and "scores" in data[0]:
            results.extend(data)
    markdown = render_markdown(results, command=command)
    if markdown_path:
        Path(markdown_path).parent.mkdir(parents=True, exist_ok=True)
        Path(markdown_path).write_text(markdown)
    return markdown


def _fmt_ci(scores: dict[str, Any]) -> str:
    lo, hi = scores.get("main_ci95") or (None, None)
    ci = f" ({100 * lo:.1f}-{100 * hi:.1f})" if lo is not None else ""
    return f"{100 * scores['main_score']:.2f}{ci}"


#: Datasets with more distinct targets than this (FNC-1 headlines, NewsMTSC mentions) get no
#: mean-over-targets column: the mean over hundreds of tiny groups is noise.
_MAX_TARGETS_SHOWN = 20


def render_markdown(results: Sequence[dict[str, Any]], command: str = "stanceclf benchmark") -> str:
    """Render benchmark results as a markdown page with anchors, costs and the producing command."""
    from .. import __version__

    header = (
        "| Dataset | Split | Protocol | Model | Metric | Ours (95% CI) | Mean over targets | Published anchor "
        "| Train s | Infer ex/s | Peak MB |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = []
    for r in sorted(results, key=_row_order):
        s = r["scores"]
        anchors = ANCHORS.get((r["dataset"], r["split"]), []) if r["protocol"] == "in-target" else []
        anchor = "; ".join(f"{a.system} {a.score:.2f}" for a in anchors) or "-"
        per_target = s.get("per_target") or {}
        shown = 1 < len(per_target) <= _MAX_TARGETS_SHOWN and "target_mean" in s
        target_mean = f"{100 * s['target_mean']:.2f}" if shown else "-"
        rows.append(
            f"| {r['dataset']} | {r['split']} | {_protocol_cell(r)} | {r['model']} | {s['main_metric']} | {_fmt_ci(s)} "
            f"| {target_mean} | {anchor} | {_num(r.get('train_time_s'), 1)} | {_num(r.get('examples_per_s'), 0)} "
            f"| {_num(r.get('peak_memory_mb'), 0)} |"
        )
    cpu = _cpu_name()
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{command}` with stanceclf {__version__} on {datetime.now(timezone.utc):%Y-%m-%d} "
        f"({cpu}, {os.cpu_count()} cores, Python {platform.python_version()}).",
        "",
        "Scores are on a 0-100 scale. The 95% CI is a percentile bootstrap over test examples (1,000 resamples).",
        "`zero-shot` is leave-one-target-out: each target is scored by a model that never saw it in training.",
        "Published anchors are quoted from the papers (see `stanceclf/eval/benchmark.py`), not re-run here.",
        "Each row is one result file in `benchmarks/results/`, written by `stanceclf benchmark` or by a single",
        "`stanceclf evaluate --model M --dataset D --protocol P --output benchmarks/results/M__D__P.json`;",
        "`stanceclf benchmark --render-only` rebuilds this page from those files.",
        "A saved model scored as it is shows `in-target` on datasets it was trained on and `cross-dataset` on the",
        "others (read from its training_summary.json). `default` (the built-in model) is one model trained on",
        "polnear-stance + DSE + SemEval-2016 + P-Stance + NewsMTSC + Perspectrum + synthetic news quotes (see",
        "docs/model-card-default.md); its PerSenT rows are cross-dataset zero-shot. DSE and polnear-stance are scored on",
        "their validation splits (DSE's test split is held back; polnear-stance's validation split is PolNeAR's dev",
        "articles, never trained on); Perspectrum's test claims are unseen targets. Cross-target rows of `minilm-cross` were trained for 2 epochs (`--param epochs=2`; see each file's",
        "`model_params`), its other rows for its default 3.",
        "`default+tfidf` averages the built-in model's probabilities with a TF-IDF model fitted on the row's training",
        "split; the weights are chosen on the dataset's dev split (P-Stance) or equal (SemEval, NewsMTSC have none):",
        "see each file's `fitted`. It is scored in-target only, since its default member saw every benchmark target.",
        "Peak MB is the evaluating process's peak resident memory (training included).",
        "`tfidf` trains per-target models only for targets seen in training and only when there are at most 100 of",
        "them; on FNC-1 and NewsMTSC (open-ended targets) and in zero-shot it uses its joint model, so its rows",
        "match `tfidf-joint` there.",
        "",
        *_generalisation_section(results),
        "## All results",
        "",
        header,
        *rows,
        "",
    ]
    return "\n".join(lines)


def _row_order(r: dict[str, Any]) -> tuple:
    return (r["dataset"], r["protocol"] != "in-target", r["protocol"], r.get("train_targets") or [],
            r.get("test_targets") or [], r["split"], r["model"])


def _protocol_cell(r: dict[str, Any]) -> str:
    """``cross-target (Trump -> Biden)`` for cross-target rows, the bare protocol otherwise."""
    if r["protocol"] == "cross-target" and r.get("train_targets") and r.get("test_targets"):
        short = lambda names: "+".join(n.split()[-1] for n in names)  # noqa: E731
        return f"cross-target ({short(r['train_targets'])} -> {short(r['test_targets'])})"
    return r["protocol"]


def _generalisation_section(results: Sequence[dict[str, Any]]) -> list[str]:
    """A table of the rows where the scored targets were never trained on, best score first per dataset."""
    unseen = [r for r in results if r["protocol"] in ("zero-shot", "cross-target", "cross-dataset")]
    if not unseen:
        return []
    meaning = {"zero-shot": "leave one target out", "cross-target": "trained on one target, scored on another",
               "cross-dataset": "trained on other datasets"}
    rows = [
        f"| {r['dataset']} | {r['split']} | {_protocol_cell(r)} | {r['model']} | {r['scores']['main_metric']} "
        f"| {_fmt_ci(r['scores'])} |"
        for r in sorted(unseen, key=lambda r: (r["dataset"], r["protocol"], -r["scores"]["main_score"], r["split"]))
    ]
    return [
        "## Generalisation to unseen targets",
        "",
        "The results (from the full table below) in which no scored target was seen in training: "
        + "; ".join(f"`{k}` = {v}" for k, v in meaning.items()) + ".",
        "",
        "| Dataset | Split | Protocol | Model | Metric | Ours (95% CI) |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _num(value: Any, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
