"""Ranking metrics for check-worthiness: sentences ranked within each group (a debate, a speech).

These follow the official scorer of CheckThat! 2020 Task 5 (``scorer/main.py`` of
``sshaar/clef2020-factchecking-task5``): within a group, lines are ranked by score, highest first,
ties keeping their input order (a stable sort); per group, average precision (AP), R-precision
(precision at R, the number of positive lines), precision at k and the reciprocal rank of the first
positive; each is then averaged over the groups with equal weight (MAP, mean R-precision, mean
P@k, MRR).

>>> ranked = [0, 1, 0, 1]                      # the gold labels in rank order, 2 positives
>>> average_precision(ranked), r_precision(ranked), precision_at_k(ranked, 3), reciprocal_rank(ranked)
(0.5, 0.5, 0.3333333333333333, 0.5)
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import DataError

__all__ = ["RANKING_KS", "GROUP_KEYS", "average_precision", "precision_at_k", "r_precision", "reciprocal_rank", "rank_labels",
           "ranking_scores", "ranking_bootstrap_ci", "group_bootstrap_ci"]

#: The k of precision at k that CheckThat! 2020 Task 5 reports.
RANKING_KS: tuple[int, ...] = (1, 3, 5, 10, 20, 50)
#: The per-group name of a metric averaged over groups (``ranking_scores(...)["per_group"]``).
GROUP_KEYS: dict[str, str] = {"map": "ap", "mrr": "rr"}


def _relevance(ranked: Sequence[Any]) -> np.ndarray:
    return np.asarray([bool(x) for x in ranked], dtype=bool)


def average_precision(ranked: Sequence[Any]) -> float:
    """Mean of the precisions at the ranks of the positives (truthy items of ``ranked``, the gold labels in
    rank order); 0.0 without positives.

    >>> average_precision([1, 0, 1])    # (1/1 + 2/3) / 2
    0.8333333333333333
    """
    rel = _relevance(ranked)
    if not rel.any():
        return 0.0
    ranks = np.flatnonzero(rel) + 1
    return float(np.mean(np.arange(1, len(ranks) + 1) / ranks))


def precision_at_k(ranked: Sequence[Any], k: int) -> float:
    """Share of positives among the first ``k`` ranked items (divided by ``k`` even when fewer are ranked).

    >>> precision_at_k([1, 0, 1], 2)
    0.5
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise DataError(f"k must be a positive integer, got {k!r}.")
    return float(_relevance(ranked)[:k].sum() / k)


def r_precision(ranked: Sequence[Any]) -> float:
    """Precision at R, R being the number of positives; 0.0 without positives.

    >>> r_precision([0, 1, 1, 0])       # R = 2: one positive in the first two
    0.5
    """
    n_positive = int(_relevance(ranked).sum())
    return precision_at_k(ranked, n_positive) if n_positive else 0.0


def reciprocal_rank(ranked: Sequence[Any]) -> float:
    """1 / the rank of the first positive; 0.0 without positives.

    >>> reciprocal_rank([0, 0, 1])
    0.3333333333333333
    """
    hits = np.flatnonzero(_relevance(ranked))
    return float(1.0 / (hits[0] + 1)) if len(hits) else 0.0


def rank_labels(y_true: Sequence[Any], scores: Sequence[float], positive: Any = 1) -> list[bool]:
    """Whether each item is ``positive``, in the order of ``scores`` from highest to lowest (ties keep
    their input order, as the official scorer's stable sort does).

    >>> rank_labels(["no", "yes", "no"], [0.2, 0.9, 0.2], positive="yes")
    [True, False, False]
    """
    if len(y_true) != len(scores):
        raise DataError(f"y_true has {len(y_true)} items but scores has {len(scores)}; give one score per item.")
    values = np.asarray(scores, dtype=float)
    if np.isnan(values).any():
        raise DataError("scores contain NaN; give every item a number.")
    order = np.argsort(-values, kind="stable")
    return [y_true[i] == positive for i in order]


def _per_group(y_true: Sequence[Any], scores: Sequence[float], groups: Sequence[Any], positive: Any,
               ks: Sequence[int]) -> dict[str, dict[str, float]]:
    if not (len(y_true) == len(scores) == len(groups)):
        raise DataError(f"y_true, scores and groups must have the same length, got {len(y_true)}, {len(scores)} "
                        f"and {len(groups)}.")
    if not len(y_true):
        raise DataError("Nothing to rank: y_true is empty.")
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(str(group), []).append(i)
    out = {}
    for group, idx in members.items():
        ranked = rank_labels([y_true[i] for i in idx], [scores[i] for i in idx], positive)
        out[group] = {"ap": average_precision(ranked), "r_precision": r_precision(ranked),
                      "rr": reciprocal_rank(ranked), **{f"p@{k}": precision_at_k(ranked, k) for k in ks},
                      "n": len(idx), "n_positive": int(sum(ranked))}
    return out


def ranking_scores(y_true: Sequence[Any], scores: Sequence[float], groups: Sequence[Any], *, positive: Any = 1,
                   ks: Sequence[int] = RANKING_KS) -> dict[str, Any]:
    """MAP, mean R-precision, MRR and mean P@k over the groups, and the per-group values.

    ``y_true`` are gold labels (``positive`` marks the relevant ones), ``scores`` the model's scores
    (higher = rank first), ``groups`` the group of each item. Groups without a positive count with
    AP 0, as in the official scorer; ``groups_without_positive`` says how many there were.

    >>> s = ranking_scores([0, 1, 0, 1, 1, 0], [0.9, 0.8, 0.1, 0.2, 0.7, 0.3], ["a", "a", "a", "a", "b", "b"], ks=(1,))
    >>> round(s["map"], 4), s["mrr"], s["p@1"]     # a: AP (1/2 + 2/3) / 2, RR 1/2; b: AP 1, RR 1
    (0.7917, 0.75, 0.5)
    """
    per_group = _per_group(list(y_true), list(scores), list(groups), positive, ks)
    keys = ["ap", "r_precision", "rr", *(f"p@{k}" for k in ks)]
    means = {key: float(np.mean([g[key] for g in per_group.values()])) for key in keys}
    return {"map": means.pop("ap"), "mrr": means.pop("rr"), **means, "n_groups": len(per_group),
            "groups_without_positive": sum(1 for g in per_group.values() if not g["n_positive"]),
            "per_group": per_group}


def ranking_bootstrap_ci(y_true: Sequence[Any], scores: Sequence[float], groups: Sequence[Any], *,
                         metric: str = "map", positive: Any = 1, n_resamples: int = 1000, alpha: float = 0.05,
                         seed: int | None = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of a ranking metric (``map``, ``r_precision``, ``mrr``, ``p@k``), resampling
    whole groups: the groups, not the lines, are the independent units.

    >>> lo, hi = ranking_bootstrap_ci([1, 0, 0, 1], [0.9, 0.1, 0.9, 0.1], ["a", "a", "b", "b"], n_resamples=200)
    >>> lo <= 0.75 <= hi
    True
    """
    key = GROUP_KEYS.get(metric, metric)
    ks = [int(metric[2:])] if metric.startswith("p@") and metric[2:].isdigit() else []
    if key not in ("ap", "r_precision", "rr") and not ks:
        raise DataError(f"Unknown ranking metric {metric!r}; use map, r_precision, mrr or p@k (e.g. p@10).")
    per_group = _per_group(list(y_true), list(scores), list(groups), positive, ks)
    return group_bootstrap_ci([g[key] for g in per_group.values()], n_resamples=n_resamples, alpha=alpha, seed=seed)


def group_bootstrap_ci(values: Sequence[float], *, n_resamples: int = 1000, alpha: float = 0.05,
                       seed: int | None = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of per-group ``values`` (e.g. the APs of the debates, from
    :func:`ranking_scores`'s ``per_group``), resampling the groups.

    >>> group_bootstrap_ci([1.0, 1.0])
    (1.0, 1.0)
    """
    if n_resamples < 1:
        raise DataError(f"n_resamples must be at least 1, got {n_resamples}.")
    array = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = array[rng.integers(0, len(array), size=(n_resamples, len(array)))].mean(axis=1)
    return float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
