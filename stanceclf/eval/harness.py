"""Evaluation harness: train (if needed) and score a model on a dataset under a protocol.

Protocols
---------
``in-target``
    Train on the training split (all targets), score every test split.
``cross-target``
    Train on the ``train_targets`` of the training split, score the ``test_targets`` of the test
    split(s) (e.g. P-Stance Trump -> Biden).
``zero-shot``
    Leave one target out: for each target, train on all others and score the held-out target;
    predictions are pooled over folds, and per-target scores are reported as well.

Every run yields an :class:`EvaluationResult` (written as JSON by ``stanceclf evaluate``).

>>> from stanceclf.eval.harness import evaluate      # doctest: +SKIP
>>> results = evaluate("tfidf", "semeval2016", data_dir="../shared/data")  # doctest: +SKIP
>>> print(results[0].table())                       # doctest: +SKIP
"""

from __future__ import annotations

import copy
import json
import logging
import platform
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import DataError
from ..metrics import group_bootstrap_ci, ranking_scores, score_all
from ..metrics.ranking import GROUP_KEYS

__all__ = ["PROTOCOLS", "EvaluationResult", "evaluate", "peak_memory_mb", "train_dev_splits"]

PROTOCOLS = ("in-target", "cross-target", "zero-shot", "cross-dataset")
#: Per-target scores are reported when a split has at most this many distinct targets.
_MAX_PER_TARGET = 50
logger = logging.getLogger(__name__)
#: Main metrics that rank items within groups (scored by :func:`_ranking`), not classify them.
RANKING_METRICS = ("map", "r_precision", "mrr")


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux/macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass
class EvaluationResult:
    """Scores of one model on one dataset split under one protocol, plus cost measurements."""

    model: str
    dataset: str
    split: str
    protocol: str
    scores: dict[str, Any]
    n_examples: int
    train_targets: list[str] | None = None
    test_targets: list[str] | None = None
    train_time_s: float | None = None
    inference_time_s: float | None = None
    examples_per_s: float | None = None
    wall_time_s: float | None = None
    peak_memory_mb: float | None = None
    model_params: dict[str, Any] = field(default_factory=dict)
    #: what the fitted model chose that its parameters do not say (e.g. an ensemble's weights)
    fitted: dict[str, Any] = field(default_factory=dict)
    #: what a reader of the score must know (e.g. that the model's calibration was fitted on this split)
    notes: list[str] = field(default_factory=list)
    stanceclf_version: str = ""
    python: str = field(default_factory=platform.python_version)
    timestamp: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def table(self) -> str:
        """A readable plain-text summary: headline scores, per-class and per-target tables."""
        s = self.scores
        lo, hi = s.get("main_ci95") or (float("nan"), float("nan"))
        lines = [
            f"{self.model} on {self.dataset}/{self.split} ({self.protocol}), n={self.n_examples}",
            f"  {s['main_metric']}: {s['main_score']:.4f}  (95% CI {lo:.4f}-{hi:.4f})",
        ]
        extra = [f"{k}={s[k]:.4f}" for k in ("accuracy", "macro_f1", "f_avg", "fnc_score") if k in s and k != s["main_metric"]]
        if "calibration" in s:
            extra += [f"ECE={s['calibration']['ece']:.4f}", f"Brier={s['calibration']['brier']:.4f}"]
        if "ranking" in s:
            extra += [f"{k}={v:.4f}" for k, v in s["ranking"].items() if isinstance(v, float) and k != s["main_metric"]]
        lines.append("  " + "  ".join(extra))
        lines.append(f"  {'class':<12}{'P':>8}{'R':>8}{'F1':>8}{'n':>8}")
        for label, row in s["per_class"].items():
            lines.append(f"  {label:<12}{row['precision']:>8.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}{row['support']:>8d}")
        if s.get("per_target") and len(s["per_target"]) > 1:
            lines.append(f"  {'target':<34}{'n':>6}{s['main_metric']:>10}")
            for target, row in s["per_target"].items():
                lines.append(f"  {target[:33]:<34}{row['n']:>6}{row['main_score']:>10.4f}")
            lines.append(f"  {'mean over targets':<34}{'':>6}{s['target_mean']:>10.4f}")
        timing = [f"{name}={value:.1f}s" for name, value in (("train", self.train_time_s), ("wall", self.wall_time_s)) if value is not None]
        if self.examples_per_s:
            timing.append(f"{self.examples_per_s:,.0f} ex/s")
        if self.peak_memory_mb:
            timing.append(f"peak {self.peak_memory_mb:,.0f} MB")
        lines.append("  " + "  ".join(timing))
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _subset(split: Any, targets: Sequence[str] | None) -> Any:
    """The rows of ``split`` whose target is one of ``targets`` (case-insensitive); all if None."""
    if not targets:
        return split
    wanted = {t.lower() for t in targets}
    column = split["target"]
    missing = sorted(wanted - {t.lower() for t in column})
    if missing:
        raise DataError(f"Target(s) {missing} are not in this split. Available: {sorted(set(column))}.")
    return split.select([i for i, t in enumerate(column) if t.lower() in wanted])


def train_dev_splits(data: Any, info: Any, targets: Sequence[str] | None = None) -> tuple[Any, Any | None]:
    """The pairs a model of ``info``'s dataset is trained on: its training split and its own
    development split (``None`` when it has none), both restricted to ``targets`` when given.

    For a claim dataset, rows whose normalised text is also in a scored split are left out (training
    rows also when in the dev split; :func:`stanceclf.data.claims.drop_overlaps`), so no evaluated
    sentence is trained on.

    ``stanceclf train`` and :func:`evaluate` both train through this, so a model trained by one is the
    model the other scores: the dev split drives early stopping and calibration (cross-encoder) and
    ensemble weights, and models that need no dev data ignore it.

    >>> from stanceclf.data.loaders import get_dataset_info, load_dataset  # doctest: +SKIP
    >>> info = get_dataset_info("pstance")                                  # doctest: +SKIP
    >>> train, dev = train_dev_splits(load_dataset("pstance"), info)        # doctest: +SKIP
    >>> model.fit(train, dev=dev)                                           # doctest: +SKIP
    """
    if not info.train_split or info.train_split not in data:
        raise DataError(f"{info.name} has no training split; evaluate a trained model (a saved-model path) on it.")
    train = _subset(data[info.train_split], targets)
    dev = _subset(data[info.dev_split], targets) if info.dev_split and info.dev_split in data else None
    if getattr(info, "task", "stance") != "stance":  # claim datasets: no evaluated sentence is trained on
        from ..data.claims import drop_overlaps

        held_out = [data[name] for name in data if name not in (info.train_split, info.dev_split)]
        train, dropped = drop_overlaps(train, *held_out, *([dev] if dev is not None else []))
        if dev is not None:
            dev, dropped_dev = drop_overlaps(dev, *held_out)
            dropped += dropped_dev
        if dropped:
            logger.info("%s: %d training/dev row(s) left out: their text is also in a split that is scored.",
                        info.name, dropped)
    return train, dev


def _score(model: Any, split: Any, info: Any, n_resamples: int, seed: int) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    proba = model.predict_proba(split)
    elapsed = time.perf_counter() - start
    classes = [str(c) for c in model.classes_]
    y_pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    groups = split["group"] if "group" in split.column_names else None
    scores = _score_predictions(split["label"], y_pred, proba, classes, split["target"], info, n_resamples, seed,
                                groups=groups)
    return scores, elapsed


def _score_predictions(y_true, y_pred, proba, classes, targets, info, n_resamples, seed, groups=None) -> dict[str, Any]:
    labels = list(info.labels)
    targets = list(targets)
    if len(set(targets)) > _MAX_PER_TARGET:  # open-ended targets (headlines, mentions): no per-target table
        targets = None
    # probabilities are only comparable when the model's label set is the dataset's
    calibrated = sorted(classes) == sorted(labels)
    positive = getattr(info, "positive_label", None)
    ranked = info.main_metric in RANKING_METRICS
    scores = score_all(
        list(y_true), list(y_pred), labels=labels, proba=proba if calibrated else None,
        classes=classes if calibrated else None, targets=targets,
        main_metric="macro_f1" if ranked else info.main_metric, positive_label=positive,
        n_resamples=n_resamples, seed=seed,
    )
    if ranked:  # the classification scores stay beside it; per-target rows would be classification scores
        scores.update(_ranking(y_true, proba, classes, groups, info, n_resamples, seed))
        scores.pop("per_target", None)
    per_target = scores.get("per_target") or {}
    scores["target_mean"] = float(np.mean([row["main_score"] for row in per_target.values()])) if per_target else scores["main_score"]
    return scores


def _ranking(y_true, proba, classes, groups, info, n_resamples, seed) -> dict[str, Any]:
    """The main score of a ranking dataset: items ranked within their group by the probability of
    the positive class (CheckThat! 2020 Task 5: MAP over debates, with R-precision, P@k and MRR)."""
    positive = getattr(info, "positive_label", None)
    if groups is None or positive is None or positive not in classes:
        raise DataError(f"{info.name} is scored by ranking ({info.main_metric}): it needs a 'group' column, the "
                        f"dataset's positive label and a model that predicts it (classes: {classes}).")
    score = np.asarray(proba)[:, classes.index(positive)]
    ranking = ranking_scores(list(y_true), score, list(groups), positive=positive)
    key = GROUP_KEYS.get(info.main_metric, info.main_metric)
    ci = group_bootstrap_ci([g[key] for g in ranking["per_group"].values()], n_resamples=n_resamples,
                            seed=seed) if n_resamples else None
    summary = {k: v for k, v in ranking.items() if k != "per_group"}
    return {"main_metric": info.main_metric, "main_score": ranking[info.main_metric],
            "main_ci95": list(ci) if ci else None, "ranking": summary, "per_group": ranking["per_group"]}


def _training_datasets(model: Any) -> set[str] | None:
    """The datasets a saved model was trained on, from its ``training_summary.json`` (written by
    ``training/train_stance.py``); ``None`` when unknown (then results keep the protocol asked for)."""
    if not isinstance(model, (str, Path)):
        return None
    directory = Path(model)
    if str(model) in ("default", "default-claims") and not directory.exists():
        from ..models.default import DEFAULT_CLAIMS_DIR, DEFAULT_MODEL_DIR

        directory = DEFAULT_MODEL_DIR if str(model) == "default" else DEFAULT_CLAIMS_DIR
    try:
        summary = json.loads((directory / "training_summary.json").read_text())
        return set(summary["data"]["per_source"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _fitted(model: Any) -> dict[str, Any]:
    """The model's ``fitted_summary()`` when it has one (JSON-ready), else ``{}``."""
    summary = getattr(model, "fitted_summary", None)
    return dict(summary()) if callable(summary) and hasattr(model, "classes_") else {}


def _build(model: Any) -> tuple[Any, bool, str]:
    """Return (model, needs_training, display name) for a registry name, a path or a model object."""
    from ..models.registry import MODELS, create_model, load

    if isinstance(model, str):
        if model in MODELS:
            return create_model(model), True, model
        return load(model), False, Path(model).name
    name = getattr(model, "model_name", type(model).__name__)
    return model, not hasattr(model, "classes_"), name


def evaluate(
    model: Any,
    dataset: str,
    *,
    data_dir: str | Path | None = None,
    splits: Sequence[str] | None = None,
    protocol: str = "in-target",
    train_targets: Sequence[str] | None = None,
    test_targets: Sequence[str] | None = None,
    dataset_kwargs: dict[str, Any] | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    progress: bool = False,
    save_model: str | Path | None = None,
    name: str | None = None,
) -> list[EvaluationResult]:
    """Evaluate ``model`` (registry name, saved-model path or model object) on ``dataset``.

    Untrained models are trained on the dataset's training split first (on ``train_targets`` when
    given); saved/fitted models are scored as they are (``in-target`` only). Returns one result per
    evaluated split. ``save_model`` saves the trained model (not with ``zero-shot``, which trains
    one model per held-out target). ``name`` labels the results (default: the registry name, the
    saved model's folder name, or the model object's ``model_name``).
    """
    from .. import __version__
    from ..data.loaders import get_dataset_info, load_dataset

    if protocol not in PROTOCOLS:
        raise DataError(f"Unknown protocol {protocol!r}; choose one of {list(PROTOCOLS)}.")
    info = get_dataset_info(dataset)  # resolves aliases such as "semeval" or "fnc-1"
    dataset = info.name
    data = load_dataset(dataset, data_dir=data_dir, **(dataset_kwargs or {}))
    eval_splits = list(splits or info.test_splits)
    unknown = [s for s in eval_splits if s not in data]
    if unknown:
        raise DataError(f"{dataset} has no split(s) {unknown}; available: {list(data)}.")
    built, needs_training, built_name = _build(model)
    name = name or built_name
    if protocol == "cross-dataset" and needs_training:
        raise DataError("The cross-dataset protocol scores a model trained elsewhere; pass a saved-model path "
                        "(or \"default\"), not a registry name.")
    if not needs_training and protocol not in ("in-target", "cross-dataset"):
        raise DataError(f"The {protocol} protocol trains new models; pass a registry model name, not a fitted model.")
    if not needs_training and protocol == "in-target":
        trained_on = _training_datasets(model)
        if trained_on is not None and dataset not in trained_on:
            protocol = "cross-dataset"  # the saved model never saw this dataset: label the result honestly
    if needs_training and not info.train_split:
        raise DataError(f"{dataset} has no training split; evaluate a trained model (a saved-model path) on it.")

    if protocol in ("zero-shot", "cross-target") and getattr(built, "uses_prefitted_members", False):
        raise DataError(f"{name} has members trained before this run (e.g. the built-in default model, which saw "
                        f"the benchmark targets), so a {protocol} result would not be one; evaluate it in-target.")
    if protocol == "cross-target" and not (train_targets and test_targets):
        raise DataError("The cross-target protocol needs train_targets and test_targets.")
    train_time = None
    if needs_training and protocol != "zero-shot":
        start = time.perf_counter()
        train_split, dev = train_dev_splits(data, info, train_targets)
        built.fit(train_split, dev=dev)  # early stopping / calibration / weights on the dataset's own dev split
        train_time = time.perf_counter() - start
        if save_model:
            built.save(save_model)

    results: list[EvaluationResult] = []
    for split_name in eval_splits:
        wall_start = time.perf_counter()
        if protocol == "zero-shot":
            scores, split_train_time, infer_time, n, tested = _zero_shot(
                model, data[info.train_split], data[split_name], test_targets, info, n_resamples, seed, progress)
        else:
            test = _subset(data[split_name], test_targets)
            scores, infer_time = _score(built, test, info, n_resamples, seed)
            split_train_time = train_time
            n, tested = len(test), sorted(test.unique("target")) if test_targets else None
        wall = time.perf_counter() - wall_start
        results.append(EvaluationResult(
            model=name, dataset=dataset, split=split_name, protocol=protocol, scores=scores, n_examples=n,
            train_targets=list(train_targets) if train_targets else None, test_targets=tested,
            train_time_s=split_train_time, inference_time_s=infer_time,
            examples_per_s=n / infer_time if infer_time else None,
            # the first split's wall time includes the (shared) training run
            wall_time_s=wall + ((train_time or 0.0) if not results else 0.0),
            peak_memory_mb=peak_memory_mb(),
            model_params=_params(built), fitted=_fitted(built), notes=_notes(built, dataset, split_name),
            stanceclf_version=__version__,
        ))
    return results


def _notes(model: Any, dataset: str, split: str) -> list[str]:
    """A warning when the model's calibration was refitted on the split being scored (in-sample)."""
    sources = {str(r.get("source")) for r in getattr(model, "recalibrated_on_", None) or []}
    if f"{dataset}/{split}" not in sources:
        return []
    note = (f"the model's calibration was fitted on {dataset}/{split} (recalibrate): this score is in-sample, "
            "not a held-out result")
    logger.warning("%s", note)
    return [note]


def _zero_shot(model, train, test, test_targets, info, n_resamples, seed, progress):
    """Leave-one-target-out: one model per held-out target, predictions pooled."""
    from tqdm.auto import tqdm

    targets = list(test_targets or sorted(set(test.unique("target")) & set(train.unique("target"))))
    if len(targets) < 1 or len(train.unique("target")) < 2:
        raise DataError("The zero-shot protocol needs at least two targets in the training split.")
    y_true: list[str] = []
    target_col: list[str] = []
    folds: list[tuple[list[str], np.ndarray]] = []
    train_time = infer_time = 0.0
    for target in tqdm(targets, desc="zero-shot folds", disable=not progress):
        built = _build(model)[0] if isinstance(model, str) else _fresh_copy(model)
        held_out = target.lower()
        fold_train = train.select([i for i, t in enumerate(train["target"]) if t.lower() != held_out])
        fold_test = _subset(test, [target])
        start = time.perf_counter()
        built.fit(fold_train)
        train_time += time.perf_counter() - start
        start = time.perf_counter()
        folds.append(([str(c) for c in built.classes_], built.predict_proba(fold_test)))
        infer_time += time.perf_counter() - start
        y_true += list(fold_test["label"])
        target_col += list(fold_test["target"])
    # folds may have seen different label sets: align every fold on the union
    classes = sorted({c for fold_classes, _ in folds for c in fold_classes})
    proba = np.vstack([_align(p, fold_classes, classes) for fold_classes, p in folds])
    y_pred = [classes[i] for i in proba.argmax(axis=1)]
    scores = _score_predictions(y_true, y_pred, proba, classes, target_col, info, n_resamples, seed)
    return scores, train_time, infer_time, len(y_true), targets


def _align(proba: np.ndarray, from_classes: list[str], to_classes: list[str]) -> np.ndarray:
    aligned = np.zeros((len(proba), len(to_classes)))
    aligned[:, [to_classes.index(c) for c in from_classes]] = proba
    return aligned


def _fresh_copy(model: Any) -> Any:
    """An unfitted copy of a model object, so zero-shot folds never share (or mutate) the caller's."""
    from sklearn.base import clone

    try:
        return clone(model)
    except TypeError:  # a user model that is not a scikit-learn estimator
        return copy.deepcopy(model)


def _params(model: Any) -> dict[str, Any]:
    try:
        params = model.get_params(deep=False)
    except Exception:  # noqa: BLE001 - a user model without get_params
        return {}
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()
            if isinstance(v, (str, int, float, bool, tuple, list, type(None)))}
