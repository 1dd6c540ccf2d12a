"""Evaluation: metrics, calibration, bootstrap confidence intervals and significance tests.

Importing this package loads only numpy (scipy is imported lazily by :func:`mcnemar_test`).
"""

from ..metrics import (
    FNC_LABELS,
    FNC_RELATED,
    METRICS,
    accuracy,
    bootstrap_ci,
    brier_score,
    confusion,
    expected_calibration_error,
    f_avg,
    f_avg_per_target,
    fnc_raw_score,
    fnc_score,
    get_metric,
    macro_f1,
    mcnemar_test,
    paired_bootstrap_test,
    per_class,
    score_all,
)

__all__ = [
    "FNC_LABELS",
    "FNC_RELATED",
    "METRICS",
    "accuracy",
    "bootstrap_ci",
    "brier_score",
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
