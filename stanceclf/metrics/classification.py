"""Label metrics from one confusion matrix: accuracy, macro-F1, F_avg, FNC-1 score, kappa, per-class
scores, counts-based precision/recall/F1, and the calibration of probabilities (ECE, Brier).

>>> round(macro_f1(["a", "a", "b"], ["a", "b", "b"]), 4)
0.6667
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import DataError

#: The four FNC-1 stance labels, in the official scorer's order.
FNC_LABELS: tuple[str, ...] = ("agree", "disagree", "discuss", "unrelated")
#: FNC-1 labels that count as "related" (headline and body are about the same story).
FNC_RELATED: tuple[str, ...] = FNC_LABELS[:3]

_FAVOR, _AGAINST = "FAVOR", "AGAINST"

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


def harmonic_f1(precision: float, recall: float) -> float:
    """F1, the harmonic mean of ``precision`` and ``recall`` (0.0 when both are 0).

    >>> harmonic_f1(0.75, 0.5)
    0.6
    """
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def precision_recall_f1(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts: ``tp`` hits among ``n_pred`` predicted and ``n_gold``
    gold items (0.0 where a ratio is undefined). Span and token scorers build on it.

    >>> precision_recall_f1(3, 4, 6)
    (0.75, 0.5, 0.6)
    """
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return precision, recall, harmonic_f1(precision, recall)


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


def f1_positive(y_true: Any, y_pred: Any, positive: str) -> float:
    """F1 of the ``positive`` class alone: the official metric of CheckThat! check-worthiness
    (``"Yes"``) and of the Causal News Corpus (the causal class).

    >>> f1_positive(["Yes", "No", "Yes", "No"], ["Yes", "Yes", "No", "No"], "Yes")
    0.5
    """
    return macro_f1(y_true, y_pred, labels=[str(positive)])


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
