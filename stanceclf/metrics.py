"""Evaluation metrics for stance classification.

Labels are strings (``"FAVOR"``/``"AGAINST"``/``"NONE"``, FNC-1's ``"agree"``/``"disagree"``/
``"discuss"``/``"unrelated"``, ...); :class:`enum.Enum` members (e.g. ``Stance.FAVOR``) are read
through their ``.value`` and any other value through ``str()``. Inputs may be lists, tuples, pandas
Series or 1-D numpy arrays.

Every count-based metric is computed from one confusion matrix, so the bootstrap helpers can score
thousands of resamples at once for the built-in metrics (``accuracy``, ``macro_f1``, ``f_avg``,
``fnc_score``); any other callable is simply called once per resample.

This module imports only numpy (scipy is imported lazily by :func:`mcnemar_test`).

>>> score_all(["FAVOR", "AGAINST", "NONE"], ["FAVOR", "AGAINST", "AGAINST"], n_resamples=0)["f_avg"]
0.8333333333333333
"""

from __future__ import annotations

import functools
import math
from enum import Enum
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from .errors import DataError, UnknownNameError, suggest

__all__ = [
    "FNC_LABELS",
    "FNC_RELATED",
    "METRICS",
    "accuracy",
    "bootstrap_ci",
    "brier_score",
    "cohen_kappa",
    "confusion",
    "expected_calibration_error",
    "f_avg",
    "f_avg_per_target",
    "fnc_raw_score",
    "fnc_score",
    "get_metric",
    "macro_f1",
    "mcnemar_test",
    "paired_bootstrap_test",
    "per_class",
    "score_all",
]

#: The four FNC-1 stance labels, in the official scorer's order.
FNC_LABELS: tuple[str, ...] = ("agree", "disagree", "discuss", "unrelated")
#: FNC-1 labels that count as "related" (headline and body are about the same story).
FNC_RELATED: tuple[str, ...] = FNC_LABELS[:3]

_FAVOR, _AGAINST = "FAVOR", "AGAINST"
_MAX_CHUNK_ELEMENTS = 2_000_000  # resampled indices held in memory at once by the bootstrap

MetricFn = Callable[[Any, Any], float]


# --------------------------------------------------------------------------- input validation


def _to_label(x: Any, name: str, i: int) -> str:
    if isinstance(x, Enum):
        x = x.value
    if x is None or (isinstance(x, float) and math.isnan(x)):
        raise DataError(f"{name} has a missing label (None/NaN) at position {i}; drop or label it first.")
    if isinstance(x, (list, tuple, dict, set, np.ndarray)):
        raise DataError(f"{name} must be a flat sequence of labels, but position {i} holds a {type(x).__name__}.")
    return x if isinstance(x, str) else str(x)


def _labels(y: Any, name: str) -> np.ndarray:
    """Return ``y`` as a non-empty 1-D numpy array of str, or raise :class:`DataError`."""
    if y is None:
        raise DataError(f"{name} is None; pass a sequence of labels.")
    if isinstance(y, (str, bytes)):
        raise DataError(f"{name} must be a sequence of labels, not a single string ({y!r}).")
    if isinstance(y, np.ndarray) and y.ndim != 1:
        raise DataError(f"{name} must be 1-D, got an array of shape {y.shape}.")
    try:
        items = list(y)
    except TypeError:
        raise DataError(f"{name} must be a sequence of labels, got {type(y).__name__}.") from None
    if not items:
        raise DataError(f"{name} is empty; metrics need at least one example.")
    return np.asarray([_to_label(x, name, i) for i, x in enumerate(items)], dtype=str)


def _pair(y_true: Any, y_pred: Any, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    yt, yp = _labels(y_true, "y_true"), _labels(y_pred, pred_name)
    if len(yt) != len(yp):
        raise DataError(f"y_true has {len(yt)} labels but {pred_name} has {len(yp)}; they must be the same length.")
    return yt, yp


def _label_list(labels: Any, name: str = "labels") -> list[str] | None:
    if labels is None:
        return None
    out = [str(v) for v in _labels(labels, name)]
    dup = sorted({v for v in out if out.count(v) > 1})
    if dup:
        raise DataError(f"{name} contains duplicates: {dup}.")
    return out


def _groups(groups: Any, n: int, name: str) -> np.ndarray:
    g = _labels(groups, name)
    if len(g) != n:
        raise DataError(f"{name} has {len(g)} entries but there are {n} examples; they must be the same length.")
    return g


# --------------------------------------------------------------------------- confusion-matrix core
# Each ``_*_cm`` function takes confusion matrices of shape (..., K, K) (rows = gold) over the label
# ``universe`` and returns the metric with shape (...). Public functions call them with one matrix;
# the bootstrap calls them with a stack of matrices, one per resample.


def _universe(*arrays: np.ndarray, extra: Sequence[str] | None = None) -> list[str]:
    parts = [np.unique(a) for a in arrays]
    if extra:
        parts.append(np.asarray(list(extra), dtype=str))
    return [str(v) for v in np.unique(np.concatenate(parts))]


def _codes(y: np.ndarray, universe: list[str]) -> np.ndarray:
    return np.searchsorted(np.asarray(universe, dtype=str), y)


def _cm(yt: np.ndarray, yp: np.ndarray, universe: list[str]) -> np.ndarray:
    k = len(universe)
    flat = _codes(yt, universe) * k + _codes(yp, universe)
    return np.bincount(flat, minlength=k * k).reshape(k, k)


def _f1_cm(cm: np.ndarray, idx: int | np.ndarray) -> np.ndarray:
    """F1 = 2TP / (n_gold + n_pred); 0 when the class has neither gold nor predicted items."""
    tp = cm[..., idx, idx]
    denom = cm[..., idx, :].sum(-1) + cm[..., :, idx].sum(-1)
    return np.where(denom > 0, 2.0 * tp / np.maximum(denom, 1), 0.0)


def _all_f1_cm(cm: np.ndarray) -> np.ndarray:
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    denom = cm.sum(-1) + cm.sum(-2)
    return np.where(denom > 0, 2.0 * tp / np.maximum(denom, 1), 0.0)


def _accuracy_cm(cm: np.ndarray, universe: list[str]) -> np.ndarray:
    return np.trace(cm, axis1=-2, axis2=-1) / cm.sum((-2, -1))


def _macro_f1_cm(cm: np.ndarray, universe: list[str], labels: list[str] | None = None) -> np.ndarray:
    f1 = _all_f1_cm(cm)
    if labels is not None:
        idx = np.searchsorted(np.asarray(universe, dtype=str), np.asarray(labels, dtype=str))
        return f1[..., idx].mean(-1)
    present = cm.sum(-1) > 0  # classes with gold support in this sample
    return (f1 * present).sum(-1) / present.sum(-1)


def _f_avg_cm(cm: np.ndarray, universe: list[str]) -> np.ndarray:
    total = np.zeros(cm.shape[:-2])
    for lab in (_FAVOR, _AGAINST):
        if lab in universe:
            total = total + _f1_cm(cm, universe.index(lab))
    return total / 2.0


def _fnc_weights(universe: list[str]) -> np.ndarray:
    """Per-(gold, pred) points of the official FNC-1 scorer (``score_submission``)."""
    k = len(universe)
    w = np.zeros((k, k))
    for g, gl in enumerate(universe):
        for p, pl in enumerate(universe):
            if gl == pl:
                w[g, p] += 0.25
                if gl != "unrelated":
                    w[g, p] += 0.50
            if gl in FNC_RELATED and pl in FNC_RELATED:
                w[g, p] += 0.25
    return w


def _fnc_raw_cm(cm: np.ndarray, universe: list[str]) -> np.ndarray:
    return (cm * _fnc_weights(universe)).sum((-2, -1))


def _fnc_cm(cm: np.ndarray, universe: list[str]) -> np.ndarray:
    w = _fnc_weights(universe)
    best = (cm.sum(-1) * np.diagonal(w)).sum(-1)  # score of pred == gold
    return (cm * w).sum((-2, -1)) / best


def _check_fnc_gold(yt: np.ndarray) -> None:
    bad = sorted(set(np.unique(yt).tolist()) - set(FNC_LABELS))
    if bad:
        raise DataError(
            f"FNC-1 scoring needs gold labels in {list(FNC_LABELS)}, but y_true contains {bad}. "
            "Map your labels to the FNC-1 scheme or pick another metric."
        )


# --------------------------------------------------------------------------- point metrics


def f_avg(y_true: Any, y_pred: Any) -> float:
    """SemEval-2016 Task 6 official score: ``(F1_FAVOR + F1_AGAINST) / 2``.

    F1 of each class is computed from the pooled counts over all examples. ``NONE`` (or any other
    label) is a valid prediction and affects the FAVOR/AGAINST precision and recall, but it is not
    averaged. A class with no gold and no predicted items has F1 = 0 (so it lowers the average).

    >>> round(f_avg(["FAVOR", "AGAINST", "NONE", "FAVOR"], ["FAVOR", "NONE", "NONE", "AGAINST"]), 4)
    0.3333
    """
    yt, yp = _pair(y_true, y_pred)
    universe = _universe(yt, yp)
    return float(_f_avg_cm(_cm(yt, yp, universe), universe))


def f_avg_per_target(y_true: Any, y_pred: Any, targets: Any) -> dict[str, float]:
    """:func:`f_avg` computed separately on the examples of each target (keys sorted).

    >>> f_avg_per_target(["FAVOR", "AGAINST"], ["FAVOR", "FAVOR"], ["a", "b"])
    {'a': 0.5, 'b': 0.0}
    """
    yt, yp = _pair(y_true, y_pred)
    tg = _groups(targets, len(yt), "targets")
    return {str(t): f_avg(yt[tg == t], yp[tg == t]) for t in np.unique(tg)}


def macro_f1(y_true: Any, y_pred: Any, labels: Sequence[str] | None = None) -> float:
    """Unweighted mean of per-class F1 over ``labels`` (default: sorted set of gold labels).

    Predicted labels outside that set count as errors (a missed gold item) but add no class.
    Matches ``sklearn.metrics.f1_score(..., labels=labels, average="macro", zero_division=0)``.

    >>> round(macro_f1(["a", "a", "b"], ["a", "b", "b"]), 4)
    0.6667
    """
    yt, yp = _pair(y_true, y_pred)
    labs = _label_list(labels)
    universe = _universe(yt, yp, extra=labs)
    return float(_macro_f1_cm(_cm(yt, yp, universe), universe, labs))


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of exact matches.

    >>> accuracy(["a", "b", "b", "a"], ["a", "b", "a", "a"])
    0.75
    """
    yt, yp = _pair(y_true, y_pred)
    return float(np.mean(yt == yp))


def cohen_kappa(y_a: Any, y_b: Any, labels: Sequence[str] | None = None) -> float:
    """Cohen's kappa between two annotators' labels of the same items (chance-corrected agreement).

    Computed as ``sklearn.metrics.cohen_kappa_score``; 1.0 when both agree perfectly, 0.0 at chance.

    >>> round(cohen_kappa(["F", "A", "N", "N"], ["F", "A", "N", "A"]), 3)
    0.636
    """
    from sklearn.metrics import cohen_kappa_score

    ya, yb = _pair(y_a, y_b, "y_b")
    if len(ya) == 0:
        raise DataError("cohen_kappa needs at least one doubly labelled item.")
    return float(cohen_kappa_score(ya, yb, labels=_label_list(labels)))


def per_class(
    y_true: Any, y_pred: Any, labels: Sequence[str] | None = None
) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and gold support of each label (default: sorted set of gold labels).

    Undefined precision/recall (no predicted/no gold items) is reported as 0.

    >>> per_class(["a", "b"], ["a", "a"])["a"]
    {'precision': 0.5, 'recall': 1.0, 'f1': 0.6666666666666666, 'support': 1}
    """
    yt, yp = _pair(y_true, y_pred)
    labs = _label_list(labels) or [str(v) for v in np.unique(yt)]
    universe = _universe(yt, yp, extra=labs)
    cm = _cm(yt, yp, universe)
    out: dict[str, dict[str, float | int]] = {}
    for lab in labs:
        i = universe.index(lab)
        tp, n_gold, n_pred = int(cm[i, i]), int(cm[i, :].sum()), int(cm[:, i].sum())
        out[lab] = {
            "precision": tp / n_pred if n_pred else 0.0,
            "recall": tp / n_gold if n_gold else 0.0,
            "f1": float(_f1_cm(cm, i)),
            "support": n_gold,
        }
    return out


def confusion(y_true: Any, y_pred: Any, labels: Sequence[str] | None = None) -> dict[str, list]:
    """Confusion matrix as ``{"labels": [...], "matrix": [[int]]}``; rows = gold, columns = predicted.

    ``labels`` defaults to the sorted union of gold and predicted labels (like scikit-learn);
    when given, examples whose gold or predicted label is not listed are left out of the matrix.

    >>> confusion(["a", "b", "b"], ["a", "a", "b"])
    {'labels': ['a', 'b'], 'matrix': [[1, 0], [1, 1]]}
    """
    yt, yp = _pair(y_true, y_pred)
    labs = _label_list(labels) or _universe(yt, yp)
    universe = _universe(yt, yp, extra=labs)
    idx = [universe.index(lab) for lab in labs]
    cm = _cm(yt, yp, universe)[np.ix_(idx, idx)]
    return {"labels": labs, "matrix": [[int(v) for v in row] for row in cm]}


def fnc_raw_score(y_true: Any, y_pred: Any) -> float:
    """Raw FNC-1 score, as the official ``scorer.py`` (``score_submission``) computes it.

    Per example: +0.25 if gold and prediction are the same label (any label), a further +0.50 if that
    label is related (agree/disagree/discuss), and +0.25 if both are related. So an exact related
    hit earns 1.0, an exact ``unrelated`` hit 0.25, a related-but-wrong-stance prediction 0.25 and
    anything else 0. Gold labels must be FNC-1 labels; other predicted labels simply earn nothing.

    >>> fnc_raw_score(["agree", "discuss", "unrelated"], ["agree", "agree", "discuss"])
    1.25
    """
    yt, yp = _pair(y_true, y_pred)
    _check_fnc_gold(yt)
    universe = _universe(yt, yp)
    return float(_fnc_raw_cm(_cm(yt, yp, universe), universe))


def fnc_score(y_true: Any, y_pred: Any) -> float:
    """Relative FNC-1 score: :func:`fnc_raw_score` divided by the score of a perfect prediction.

    >>> fnc_score(["agree", "discuss", "unrelated"], ["agree", "agree", "discuss"])  # 1.25 / 2.25
    0.5555555555555556
    """
    yt, yp = _pair(y_true, y_pred)
    _check_fnc_gold(yt)
    universe = _universe(yt, yp)
    return float(_fnc_cm(_cm(yt, yp, universe), universe))


# --------------------------------------------------------------------------- calibration


def _proba(y_true: Any, proba: Any, classes: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    yt = _labels(y_true, "y_true")
    cls = _label_list(classes, "classes")
    if cls is None:
        raise DataError("classes is None; pass the class order of proba's columns.")
    try:
        p = np.asarray(proba, dtype=float)
    except (TypeError, ValueError):
        raise DataError("proba must be a numeric (n_examples, n_classes) array.") from None
    if p.ndim != 2 or p.shape != (len(yt), len(cls)):
        raise DataError(
            f"proba must have shape (n_examples, n_classes) = ({len(yt)}, {len(cls)}), got {p.shape}. "
            "Its columns must follow `classes`."
        )
    if not np.all(np.isfinite(p)) or np.any(p < -1e-9):
        raise DataError("proba must contain finite, non-negative probabilities.")
    sums = p.sum(1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-3)
    if bad.size:
        raise DataError(
            f"Each row of proba must sum to 1 (tolerance 1e-3); row {int(bad[0])} sums to {sums[bad[0]]:.6g}. "
            "Pass probabilities (e.g. softmax outputs), not scores."
        )
    unknown = sorted(set(np.unique(yt).tolist()) - set(cls))
    if unknown:
        raise DataError(f"y_true contains labels {unknown} that are not in classes {cls}.")
    return yt, p, cls


def expected_calibration_error(y_true: Any, proba: Any, classes: Sequence[str], n_bins: int = 15) -> float:
    """Top-label expected calibration error with ``n_bins`` equal-width confidence bins.

    Confidence is the highest probability of a row and the prediction its class; bins are
    ``(lo, hi]`` intervals of [0, 1]. ECE = sum over bins of ``|bin| / n * |accuracy - mean confidence|``.

    >>> p = [[0.9, 0.1], [0.7, 0.3]]  # both in bin (0.5, 1]: accuracy 0.5, mean confidence 0.8
    >>> round(expected_calibration_error(["a", "b"], p, ["a", "b"], n_bins=2), 4)
    0.3
    """
    yt, p, cls = _proba(y_true, proba, classes)
    if not isinstance(n_bins, (int, np.integer)) or isinstance(n_bins, bool) or n_bins < 1:
        raise DataError(f"n_bins must be a positive integer, got {n_bins!r}.")
    conf = p.max(1)
    correct = np.asarray(cls, dtype=str)[p.argmax(1)] == yt
    edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    bins = np.digitize(conf, edges[1:-1], right=True)
    sum_conf = np.bincount(bins, weights=conf, minlength=n_bins)
    sum_acc = np.bincount(bins, weights=correct.astype(float), minlength=n_bins)
    return float(np.abs(sum_acc - sum_conf).sum() / len(yt))


def brier_score(y_true: Any, proba: Any, classes: Sequence[str]) -> float:
    """Multi-class Brier score: mean over examples of ``sum_k (p_k - onehot_k)^2`` (0 is perfect, 2 worst).

    >>> round(brier_score(["a", "b"], [[0.9, 0.1], [0.8, 0.2]], ["a", "b"]), 4)  # (0.02 + 1.28) / 2
    0.65
    """
    yt, p, cls = _proba(y_true, proba, classes)
    onehot = (np.asarray(cls, dtype=str)[None, :] == yt[:, None]).astype(float)
    return float(((p - onehot) ** 2).sum(1).mean())


# --------------------------------------------------------------------------- bootstrap & significance


def _fast_path(metric: Callable) -> tuple[Callable, list[str] | None] | None:
    """Confusion-matrix implementation of a built-in metric (and its fixed labels), else None."""
    fns: dict[Any, Callable] = {
        accuracy: _accuracy_cm,
        macro_f1: _macro_f1_cm,
        f_avg: _f_avg_cm,
        fnc_score: _fnc_cm,
    }
    if isinstance(metric, functools.partial):
        if metric.func is macro_f1 and not metric.args and set(metric.keywords) <= {"labels"}:
            return _macro_f1_cm, _label_list(metric.keywords.get("labels"))
        return None
    fn = fns.get(metric)
    return (fn, None) if fn is not None else None


def _resamples(
    rng: np.random.Generator, n: int, n_resamples: int, groups: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(flat_indices, offsets)`` chunks: resample r is ``flat[offsets[r]:offsets[r + 1]]``."""
    if groups is None:
        chunk = max(1, _MAX_CHUNK_ELEMENTS // n)
        for start in range(0, n_resamples, chunk):
            c = min(chunk, n_resamples - start)
            yield rng.integers(0, n, size=(c, n)).ravel(), np.arange(c + 1) * n
        return
    # Cluster bootstrap: draw whole groups with replacement and keep all their examples.
    _, codes = np.unique(groups, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.cumsum(sizes) - sizes
    n_groups = len(sizes)
    chunk = max(1, _MAX_CHUNK_ELEMENTS // n)
    for start in range(0, n_resamples, chunk):
        c = min(chunk, n_resamples - start)
        chosen = rng.integers(0, n_groups, size=(c, n_groups))
        lens = sizes[chosen].ravel()
        run_starts = np.cumsum(lens) - lens
        within = np.arange(lens.sum()) - np.repeat(run_starts, lens)
        flat = order[np.repeat(starts[chosen].ravel(), lens) + within]
        offsets = np.concatenate([[0], np.cumsum(sizes[chosen].sum(1))])
        yield flat, offsets


def _bootstrap_scores(
    metric: Callable,
    yt: np.ndarray,
    preds: list[np.ndarray],
    n_resamples: int,
    seed: int | None,
    groups: np.ndarray | None,
) -> np.ndarray:
    """Metric of each prediction array on the same resamples: shape (len(preds), n_resamples)."""
    if not isinstance(n_resamples, (int, np.integer)) or isinstance(n_resamples, bool) or n_resamples < 1:
        raise DataError(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    rng = np.random.default_rng(seed)
    out = np.empty((len(preds), int(n_resamples)))
    fast = _fast_path(metric)
    pos = 0
    if fast is not None:
        fn, labs = fast
        universe = _universe(yt, *preds, extra=labs)
        k = len(universe)
        gold = _codes(yt, universe) * k
        codes = [_codes(p, universe) for p in preds]
        for flat, offsets in _resamples(rng, len(yt), n_resamples, groups):
            c = len(offsets) - 1
            base = np.repeat(np.arange(c) * k * k, np.diff(offsets)) + gold[flat]
            for j, pc in enumerate(codes):
                cms = np.bincount(base + pc[flat], minlength=c * k * k).reshape(c, k, k)
                out[j, pos : pos + c] = fn(cms, universe, labs) if labs is not None else fn(cms, universe)
            pos += c
        return out
    for flat, offsets in _resamples(rng, len(yt), n_resamples, groups):
        for r in range(len(offsets) - 1):
            idx = flat[offsets[r] : offsets[r + 1]]
            for j, p in enumerate(preds):
                out[j, pos + r] = float(metric(yt[idx], p[idx]))
        pos += len(offsets) - 1
    return out


def bootstrap_ci(
    metric: MetricFn,
    y_true: Any,
    y_pred: Any,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int | None = 0,
    groups: Any = None,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of ``metric(y_true, y_pred)``.

    Examples are resampled with replacement (all resamples drawn as numpy index arrays from
    ``numpy.random.default_rng(seed)``, so the result is deterministic for a given seed). With
    ``groups`` (e.g. targets or topics), whole groups are resampled instead (cluster bootstrap).
    ``metric`` receives numpy arrays of str; the built-in metrics (and
    ``functools.partial(macro_f1, labels=...)``) are evaluated on all resamples at once.

    >>> lo, hi = bootstrap_ci(accuracy, ["a", "b"] * 20, ["a", "a"] * 20, n_resamples=200)
    >>> lo <= 0.5 <= hi
    True
    """
    yt, yp = _pair(y_true, y_pred)
    if not 0.0 < float(confidence) < 1.0:
        raise DataError(f"confidence must be strictly between 0 and 1, got {confidence!r}.")
    g = None if groups is None else _groups(groups, len(yt), "groups")
    metric(yt, yp)  # validate the inputs for this metric once (e.g. FNC-1 gold labels)
    scores = _bootstrap_scores(metric, yt, [yp], n_resamples, seed, g)[0]
    alpha = (1.0 - float(confidence)) / 2.0
    lo, hi = np.percentile(scores, [100.0 * alpha, 100.0 * (1.0 - alpha)])
    return float(lo), float(hi)


def paired_bootstrap_test(
    metric: MetricFn,
    y_true: Any,
    pred_a: Any,
    pred_b: Any,
    *,
    n_resamples: int = 10000,
    seed: int | None = 0,
    groups: Any = None,
) -> dict[str, Any]:
    """Paired bootstrap significance test of ``metric(pred_a) - metric(pred_b)``.

    Both systems are scored on the same resamples, giving deltas ``d_r``. Following
    Berg-Kirkpatrick et al. (2012), the bootstrap distribution is shifted to mean zero to
    approximate the null hypothesis, and the two-sided p-value is
    ``(1 + #{r : |d_r - delta| >= |delta|}) / (n_resamples + 1)``.
    Identical systems give ``p_value == 1``. ``ci95`` is the percentile 95 % interval of ``d_r``.

    >>> res = paired_bootstrap_test(accuracy, ["a"] * 50, ["a"] * 50, ["b"] * 50, n_resamples=200)
    >>> res["delta"], res["p_value"] < 0.01
    (1.0, True)
    """
    yt, pa = _pair(y_true, pred_a, "pred_a")
    _, pb = _pair(yt, pred_b, "pred_b")
    g = None if groups is None else _groups(groups, len(yt), "groups")
    delta = float(metric(yt, pa)) - float(metric(yt, pb))
    scores = _bootstrap_scores(metric, yt, [pa, pb], n_resamples, seed, g)
    deltas = scores[0] - scores[1]
    extreme = int(np.sum(np.abs(deltas - delta) >= abs(delta) - 1e-12))
    lo, hi = np.percentile(deltas, [2.5, 97.5])
    return {
        "delta": delta,
        "p_value": (1 + extreme) / (int(n_resamples) + 1),
        "ci95": [float(lo), float(hi)],
        "n_resamples": int(n_resamples),
    }


def mcnemar_test(y_true: Any, pred_a: Any, pred_b: Any) -> dict[str, Any]:
    """Exact McNemar test on the discordant pairs (binomial test with p = 0.5, two-sided).

    ``b`` = examples that A gets right and B wrong, ``c`` = the reverse. ``p_value`` is 1 when
    there are no discordant pairs.

    >>> mcnemar_test(["a", "a", "a"], ["a", "a", "b"], ["a", "b", "b"])
    {'b': 1, 'c': 0, 'p_value': 1.0}
    """
    yt, pa = _pair(y_true, pred_a, "pred_a")
    _, pb = _pair(yt, pred_b, "pred_b")
    ok_a, ok_b = pa == yt, pb == yt
    b, c = int(np.sum(ok_a & ~ok_b)), int(np.sum(~ok_a & ok_b))
    if b + c == 0:
        return {"b": b, "c": c, "p_value": 1.0}
    from scipy.stats import binomtest

    return {"b": b, "c": c, "p_value": float(min(1.0, binomtest(b, b + c, 0.5).pvalue))}


# --------------------------------------------------------------------------- registry & report

#: Metrics selectable by name (e.g. ``score_all(main_metric=...)``); each is ``(y_true, y_pred) -> float``.
METRICS: dict[str, MetricFn] = {
    "f_avg": f_avg,
    "macro_f1": macro_f1,
    "accuracy": accuracy,
    "fnc_score": fnc_score,
}


def get_metric(name: str) -> MetricFn:
    """Look up a metric of :data:`METRICS` by name (case and ``-``/``_`` insensitive).

    >>> get_metric("macro-f1") is macro_f1
    True
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key in METRICS:
        return METRICS[key]
    raise UnknownNameError(f"Unknown metric {name!r}. Known metrics: {', '.join(METRICS)}.{suggest(str(name), list(METRICS))}")


def _looks_fnc(labels: Sequence[str]) -> bool:
    s = set(labels)
    return s <= set(FNC_LABELS) and bool(s & {"discuss", "unrelated"})


def score_all(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[str] | None = None,
    proba: Any = None,
    classes: Sequence[str] | None = None,
    targets: Any = None,
    main_metric: str = "macro_f1",
    n_resamples: int = 1000,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Every applicable metric in one JSON-serialisable dict (plain Python types only).

    Keys: ``main_metric``, ``main_score``, ``main_ci95`` (percentile bootstrap; ``None`` when
    ``n_resamples=0``), ``n``, ``labels``, ``accuracy``, ``macro_f1``, ``f_avg`` (only when FAVOR or
    AGAINST is among the labels), ``fnc_score`` (only for FNC-1 labels), ``per_class``, ``confusion``,
    ``per_target`` (with ``targets``: target -> ``{"n", "main_score", "macro_f1"[, "f_avg"]}``) and
    ``calibration`` (``{"ece", "brier"}``, with ``proba`` and ``classes``).

    ``labels`` defaults to the sorted set of gold labels; predicted labels outside it count as
    errors but add no class. Per target, macro-F1 uses ``labels`` when given, otherwise that
    target's own gold labels.

    >>> r = score_all(["FAVOR", "AGAINST", "NONE"], ["FAVOR", "NONE", "NONE"], n_resamples=0)
    >>> r["accuracy"], r["f_avg"], r["confusion"]["labels"]
    (0.6666666666666666, 0.5, ['AGAINST', 'FAVOR', 'NONE'])
    """
    yt, yp = _pair(y_true, y_pred)
    given = _label_list(labels)
    labs = given or [str(v) for v in np.unique(yt)]
    metric_name = str(main_metric).strip().lower().replace("-", "_")
    base = get_metric(metric_name)
    metric: MetricFn = functools.partial(macro_f1, labels=given) if base is macro_f1 and given else base
    has_favg = _FAVOR in labs or _AGAINST in labs
    is_fnc = _looks_fnc(labs)

    extra = [str(v) for v in _universe(yt, yp) if v not in labs]
    result: dict[str, Any] = {
        "main_metric": metric_name,
        "main_score": float(metric(yt, yp)),
        "main_ci95": None,
        "n": int(len(yt)),
        "labels": list(labs),
        "accuracy": accuracy(yt, yp),
        "macro_f1": macro_f1(yt, yp, labs),
    }
    if n_resamples:
        result["main_ci95"] = list(bootstrap_ci(metric, yt, yp, n_resamples=n_resamples, seed=seed))
    if has_favg:
        result["f_avg"] = f_avg(yt, yp)
    if is_fnc:
        result["fnc_score"] = fnc_score(yt, yp)
    result["per_class"] = per_class(yt, yp, labs)
    result["confusion"] = confusion(yt, yp, labs + extra)

    if targets is not None:
        tg = _groups(targets, len(yt), "targets")
        per_target: dict[str, dict[str, Any]] = {}
        for t in np.unique(tg):
            m = tg == t
            entry: dict[str, Any] = {
                "n": int(m.sum()),
                "main_score": float(metric(yt[m], yp[m])),
                "macro_f1": macro_f1(yt[m], yp[m], given),
            }
            if has_favg:
                entry["f_avg"] = f_avg(yt[m], yp[m])
            per_target[str(t)] = entry
        result["per_target"] = per_target

    if proba is not None:
        if classes is None:
            raise DataError("score_all got proba without classes; pass the class order of proba's columns.")
        result["calibration"] = {
            "ece": expected_calibration_error(yt, proba, classes),
            "brier": brier_score(yt, proba, classes),
        }
    elif classes is not None:
        raise DataError("score_all got classes without proba; pass both or neither.")
    return result
