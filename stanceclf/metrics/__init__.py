"""Evaluation metrics for stance classification.

Labels are strings (``"FAVOR"``/``"AGAINST"``/``"NONE"``, FNC-1's ``"agree"``/``"disagree"``/
``"discuss"``/``"unrelated"``, ...); :class:`enum.Enum` members (e.g. ``Stance.FAVOR``) are read
through their ``.value`` and any other value through ``str()``. Inputs may be lists, tuples, pandas
Series or 1-D numpy arrays.

Every count-based metric is computed from one confusion matrix, so the bootstrap helpers can score
thousands of resamples at once for the built-in metrics (``accuracy``, ``macro_f1``, ``f_avg``,
``fnc_score``); any other callable is simply called once per resample.

The package's modules: :mod:`.classification` (the label metrics and calibration),
:mod:`.ranking` (MAP, R-precision, P@k, MRR of sentences ranked within groups) and
:mod:`.significance` (bootstrap CIs and tests); this module adds the name registry and
:func:`score_all`. It imports only numpy (scipy is imported lazily by :func:`mcnemar_test`).

>>> score_all(["FAVOR", "AGAINST", "NONE"], ["FAVOR", "AGAINST", "AGAINST"], n_resamples=0)["f_avg"]
0.8333333333333333
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np

from ..errors import DataError, UnknownNameError, suggest
from .classification import (_AGAINST, _FAVOR, FNC_LABELS, FNC_RELATED, MetricFn, _groups, _label_list, _pair,
                             _universe, accuracy, brier_score, cohen_kappa, confusion, expected_calibration_error,
                             f1_positive, f_avg, f_avg_per_target, fnc_raw_score, fnc_score, harmonic_f1, macro_f1,
                             per_class, precision_recall_f1)
from .ranking import (RANKING_KS, average_precision, group_bootstrap_ci, precision_at_k, r_precision, rank_labels,
                      ranking_bootstrap_ci, ranking_scores, reciprocal_rank)
from .significance import bootstrap_ci, mcnemar_test, paired_bootstrap_test

__all__ = [
    "FNC_LABELS",
    "FNC_RELATED",
    "METRICS",
    "RANKING_KS",
    "accuracy",
    "average_precision",
    "bootstrap_ci",
    "brier_score",
    "cohen_kappa",
    "confusion",
    "expected_calibration_error",
    "f1_positive",
    "f_avg",
    "f_avg_per_target",
    "fnc_raw_score",
    "fnc_score",
    "get_metric",
    "group_bootstrap_ci",
    "harmonic_f1",
    "macro_f1",
    "mcnemar_test",
    "paired_bootstrap_test",
    "per_class",
    "precision_at_k",
    "precision_recall_f1",
    "r_precision",
    "rank_labels",
    "ranking_bootstrap_ci",
    "ranking_scores",
    "reciprocal_rank",
    "score_all",
]



#: Metrics selectable by name (e.g. ``score_all(main_metric=...)``); each is ``(y_true, y_pred) -> float``.
METRICS: dict[str, MetricFn] = {
    "f_avg": f_avg,
    "macro_f1": macro_f1,
    "accuracy": accuracy,
    "fnc_score": fnc_score,
}


def get_metric(name: str, positive: str | None = None) -> MetricFn:
    """Look up a metric of :data:`METRICS` by name (case and ``-``/``_`` insensitive).

    ``f1_positive`` (the F1 of one class) needs the ``positive`` label, e.g. a dataset's
    ``DatasetInfo.positive_label``.

    >>> get_metric("macro-f1") is macro_f1
    True
    >>> get_metric("f1_positive", positive="Yes")(["Yes", "No"], ["Yes", "Yes"])
    0.6666666666666666
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key == "f1_positive":
        if positive is None:
            raise DataError("The metric f1_positive needs the positive label (e.g. positive='Yes').")
        return functools.partial(macro_f1, labels=[str(positive)])  # F1 of that class; bootstrap fast path
    if key in METRICS:
        return METRICS[key]
    known = [*METRICS, "f1_positive"]
    raise UnknownNameError(f"Unknown metric {name!r}. Known metrics: {', '.join(known)}.{suggest(str(name), known)}")


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
    positive_label: str | None = None,
    n_resamples: int = 1000,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Every applicable metric in one JSON-serialisable dict (plain Python types only).

    Keys: ``main_metric``, ``main_score``, ``main_ci95`` (percentile bootstrap; ``None`` when
    ``n_resamples=0``), ``n``, ``labels``, ``accuracy``, ``macro_f1``, ``f_avg`` (only when FAVOR or
    AGAINST is among the labels), ``fnc_score`` (only for FNC-1 labels), ``per_class``, ``confusion``,
    ``per_target`` (with ``targets``: target -> ``{"n", "main_score", "macro_f1"[, "f_avg"]}``) and
    ``calibration`` (``{"ece", "brier"}``, with ``proba`` and ``classes``). ``positive_label`` is the
    class of ``main_metric="f1_positive"``.

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
    base = get_metric(metric_name, positive=positive_label)
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
