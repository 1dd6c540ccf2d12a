"""Uncertainty and significance: percentile bootstrap CIs (vectorised for the built-in metrics), the
paired bootstrap test and McNemar's test."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator

import numpy as np

from ..errors import DataError
from .classification import (MetricFn, _accuracy_cm, _codes, _f_avg_cm, _fnc_cm, _groups, _label_list,
                             _macro_f1_cm, _pair, _universe, accuracy, f_avg, fnc_score, macro_f1)

_MAX_CHUNK_ELEMENTS = 2_000_000  # resampled indices held in memory at once by the bootstrap



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
