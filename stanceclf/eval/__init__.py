"""Evaluation: metrics, calibration, bootstrap confidence intervals and significance tests.

Importing this package loads only numpy (scipy is imported lazily by :func:`mcnemar_test`).
"""

from .. import metrics as _metrics
from ..metrics import *  # noqa: F401,F403 - the metrics, re-exported where evaluation code looks for them

__all__ = list(_metrics.__all__)
