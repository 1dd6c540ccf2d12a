"""Hyper-parameter rules, declared once per model in scikit-learn's ``_parameter_constraints`` form.

Every model class lists, per constructor parameter, the values it accepts; :class:`StanceModel`
checks them with scikit-learn's own ``_validate_params`` at ``fit`` and ``load`` and turns a
violation into a :class:`~stanceclf.errors.ModelError`. The constraints are scikit-learn's
(``Interval``, ``StrOptions``, ``None``, ``"boolean"``, a type) plus the few below for values those
cannot describe: whole numbers that are not booleans, lists of values, and :class:`Satisfies` (any
test on one value, with its description).

>>> from stanceclf.models.params import ListOf, NgramRange, whole
>>> whole(1).is_satisfied_by(True), whole(1).is_satisfied_by(3)
(False, True)
>>> ListOf(whole(0), what="whole numbers >= 0").is_satisfied_by([0, 2])
True
>>> NgramRange().is_satisfied_by((3, 1))
False
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import Interval, Options, StrOptions, make_constraint

__all__ = ["Interval", "StrOptions", "Number", "whole", "real", "ListOf", "NgramRange", "Satisfies"]


class Number(Interval):
    """scikit-learn's ``Interval`` without booleans (``True`` is an ``int`` to Python, never a count here)."""

    def is_satisfied_by(self, val: Any) -> bool:
        return not isinstance(val, bool) and super().is_satisfied_by(val)


def whole(low: int, high: int | None = None) -> Number:
    """Whole numbers in ``[low, high]`` (``high=None``: no upper bound)."""
    return Number(Integral, low, high, closed="both" if high is not None else "left")


def real(low: float | None, high: float | None = None, *, closed: str = "both") -> Number:
    """Real numbers (ints included, booleans not) between ``low`` and ``high``; ``closed`` as in ``Interval``."""
    return Number(Real, low, high, closed=closed)


# scikit-learn's make_constraint passes an ``Options`` instance through as it is and only calls
# ``is_satisfied_by`` and ``str`` on it; the constraints below build on that, so that
# ``_parameter_constraints`` stays the one place where a model's rules are declared.


class ListOf(Options):
    """A list or tuple of ``min_len`` or more items (exactly ``length`` if given), each satisfying one
    of ``items`` (scikit-learn constraints); ``what`` describes them in error messages."""

    def __init__(self, *items: Any, what: str, min_len: int = 1, length: int | None = None):
        super().__init__(object, set())
        self.items = [make_constraint(c) for c in items]
        self.what, self.min_len, self.length = what, min_len, length

    def is_satisfied_by(self, val: Any) -> bool:
        if not isinstance(val, (list, tuple)):
            return False
        if len(val) < self.min_len or (self.length is not None and len(val) != self.length):
            return False
        return all(any(c.is_satisfied_by(v) for c in self.items) for v in val)

    def __str__(self) -> str:
        return self.what


class NgramRange(Options):
    """Two whole numbers ``(low, high)`` with ``1 <= low <= high`` (a list or tuple)."""

    def __init__(self) -> None:
        super().__init__(object, set())

    def is_satisfied_by(self, val: Any) -> bool:
        item = whole(1)
        return (isinstance(val, (list, tuple)) and len(val) == 2 and all(item.is_satisfied_by(v) for v in val)
                and val[0] <= val[1])

    def __str__(self) -> str:
        return "two whole numbers (low, high) with 1 <= low <= high"


class Satisfies(Options):
    """Values for which ``test(value)`` is true; ``what`` describes them in error messages.

    >>> Satisfies(lambda v: isinstance(v, dict) and "model" in v, what="a dict with 'model'").is_satisfied_by({})
    False
    """

    def __init__(self, test: Callable[[Any], bool], *, what: str):
        super().__init__(object, set())
        self.test, self.what = test, what

    def is_satisfied_by(self, val: Any) -> bool:
        try:
            return bool(self.test(val))
        except (TypeError, ValueError, AttributeError, KeyError):
            return False

    def __str__(self) -> str:
        return self.what
