"""Weighted probability ensembles of stance models.

:class:`EnsembleStanceClassifier` averages the calibrated probabilities of its members. A member is
a registry name (``"tfidf"``, or ``{"model": "tfidf", "params": {...}}``: built and fitted on the
training data by :meth:`fit`) or a saved model (``"default"``, a directory: loaded as it is, never
refitted). The ensemble predicts the classes of its training labels: a member's probability for
any other class (the default model's NONE on P-Stance, which has none) is dropped and the rest
renormalised. The weights are given, or
chosen on development data: with ``dev`` the grid of weights (step ``weight_step``) that scores
the highest macro-F1 on it wins, ties going to the most even weights; without ``dev`` every member
counts the same. Nothing is tuned on training or test data.

A member that was trained elsewhere (the built-in default model saw SemEval-2016, P-Stance and
NewsMTSC) keeps what it learned, so an ensemble with such members must not be scored on protocols
that hide targets or datasets from training (the harness refuses zero-shot and cross-target runs).

>>> from stanceclf.models.ensemble import weight_grid
>>> weight_grid(2, 0.25)
[(0.0, 1.0), (0.25, 0.75), (0.5, 0.5), (0.75, 0.25), (1.0, 0.0)]
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import DataError, ModelError
from ..metrics import macro_f1
from .base import PairBatch, StanceModel
from .params import ListOf, Satisfies, real

__all__ = ["EnsembleStanceClassifier", "weight_grid"]

MEMBERS_DIR = "members"


def weight_grid(n_members: int, step: float) -> list[tuple[float, ...]]:
    """All weight vectors of ``n_members`` non-negative multiples of ``step`` that sum to 1."""
    if n_members < 1:
        raise ModelError("An ensemble needs at least one member.")
    if not 0 < step <= 1 or abs(round(1 / step) - 1 / step) > 1e-9:
        raise ModelError(f"weight_step must divide 1 (0.05, 0.1, 0.25, ...), got {step}.")
    units = round(1 / step)
    grid = [combo + (units - sum(combo),) for combo in itertools.product(range(units + 1), repeat=n_members - 1)
            if sum(combo) <= units]
    return [tuple(round(u * step, 10) for u in combo) for combo in sorted(grid)]


def _is_member_dict(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("model"), str) and isinstance(value.get("params", {}), dict)
            and not set(value) - {"model", "params"})


class EnsembleStanceClassifier(StanceModel):
    """Average of member models' probabilities, weights fixed or chosen on dev data.

    Parameters
    ----------
    members:
        Registry names or ``{"model": name, "params": {...}}`` (fitted by :meth:`fit`), or saved
        models (``"default"`` or a directory; used as they are).
    weights:
        One non-negative weight per member, or ``None`` to choose them on ``dev`` in :meth:`fit`
        (equal weights without ``dev``).
    weight_step:
        Grid step of the weight search.

    Examples
    --------
    >>> model = EnsembleStanceClassifier(members=["tfidf", "tfidf-joint"])  # doctest: +SKIP
    >>> model.fit(train, dev=dev).weights_                                  # doctest: +SKIP
    [0.6, 0.4]
    """

    model_name = "ensemble"

    def __init__(self, members: Sequence[str | dict[str, Any]] = ("default", "tfidf"),
                 weights: Sequence[float] | None = None, weight_step: float = 0.1):
        self.members = members
        self.weights = weights
        self.weight_step = weight_step

    _parameter_constraints = {
        "members": [ListOf(str, Satisfies(_is_member_dict, what="member dict"),
                           what="a list of at least one member: a registry name, a saved-model path, or a dict "
                                "that needs 'model' (a name) and optional 'params' (a dict)")],
        "weights": [None, ListOf(real(0, None), what="a list of non-negative numbers, one per member")],
        "weight_step": [real(0, 1, closed="right")],
    }

    def _validate_params(self) -> None:
        """The declared rules, then those between parameters: one weight per member, a positive sum,
        a weight step that divides 1."""
        super()._validate_params()
        n_members = len(self.members)
        if self.weights is not None and (len(self.weights) != n_members or sum(self.weights) <= 0):
            raise ModelError(f"weights must be {n_members} non-negative numbers with a positive sum (one per member), "
                             f"got {list(self.weights)}.")
        weight_grid(n_members, self.weight_step)  # validates the step

    def _member_specs(self) -> list[tuple[str, dict[str, Any]]]:
        """``(name, params)`` per member, after validating the parameters."""
        self._validate_params()
        return [(m["model"], dict(m.get("params", {}))) if isinstance(m, dict) else (str(m), {}) for m in self.members]

    # -- fitting ----------------------------------------------------------------------------------
    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        """Fit the registry members on ``batch`` (passing ``dev`` on), load the saved ones, then fix the
        weights: given, chosen on ``dev``, or equal."""
        from .registry import MODELS, create_model, load

        fitted, prefitted = [], []
        for name, params in self._member_specs():
            if name in MODELS:
                model = create_model(name, **params).fit(batch, dev=dev)
                prefitted.append(False)
            else:
                if params:
                    raise ModelError(f"Ensemble member {name!r} is a saved model; it takes no 'params'.")
                model = load(name)
                prefitted.append(True)
            fitted.append(model)
        self.members_ = fitted
        self.prefitted_ = prefitted
        self.classes_ = np.asarray(sorted(set(batch.labels or [])), dtype=object)
        missing = [c for c in self.classes_ if not any(c in {str(k) for k in m.classes_} for m in fitted)]
        if missing:
            raise DataError(f"No ensemble member predicts the training label(s) {missing}.")
        if self.weights is not None:
            total = float(sum(self.weights))
            self.weights_ = [float(w) / total for w in self.weights]
            self.dev_scores_ = None
        elif dev is None or len(fitted) == 1:
            self.weights_ = [1.0 / len(fitted)] * len(fitted)
            self.dev_scores_ = None
        else:
            self.weights_, self.dev_scores_ = self._choose_weights(dev)

    def _choose_weights(self, dev: PairBatch) -> tuple[list[float], dict[str, float]]:
        probs = [self._aligned(m, dev) for m in self.members_]
        gold = list(dev.labels or [])
        even = np.full(len(probs), 1.0 / len(probs))
        best: tuple[float, float, tuple[float, ...]] | None = None
        scores: dict[str, float] = {}
        for w in weight_grid(len(probs), self.weight_step):
            mixed = sum(wi * p for wi, p in zip(w, probs))
            score = macro_f1(gold, list(self.classes_[np.argmax(mixed, axis=1)]))
            scores[",".join(f"{x:g}" for x in w)] = round(score, 4)
            key = (score, -float(np.abs(np.asarray(w) - even).sum()), w)
            if best is None or key[:2] > best[:2]:
                best = key
        assert best is not None
        return [float(x) for x in best[2]], scores

    # -- prediction -------------------------------------------------------------------------------
    def _aligned(self, member: StanceModel, batch: PairBatch) -> np.ndarray:
        """A member's probabilities over this ensemble's classes (0 for those it lacks), renormalised."""
        proba = member.predict_proba(batch)
        out = np.zeros((len(batch), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for j, c in enumerate(member.classes_):
            if str(c) in index:
                out[:, index[str(c)]] = proba[:, j]
        total = out.sum(axis=1, keepdims=True)
        return np.divide(out, total, out=np.full_like(out, 1.0 / len(self.classes_)), where=total > 1e-12)

    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        return np.asarray(sum(w * self._aligned(m, batch) for w, m in zip(self.weights_, self.members_) if w > 0),
                          dtype=float)

    # -- persistence ------------------------------------------------------------------------------
    def _save_state(self, directory: Path) -> dict[str, Any]:
        root = directory / MEMBERS_DIR
        if root.exists():
            shutil.rmtree(root)
        names = [str(i) for i in range(len(self.members_))]
        for name, model in zip(names, self.members_):
            model.save(root / name)
        return {"weights_": self.weights_, "member_dirs": names, "prefitted_": self.prefitted_,
                "dev_scores_": self.dev_scores_}

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:
        from .registry import load

        dirs = config.get("member_dirs")
        weights = config.get("weights_")
        if not isinstance(dirs, list) or not isinstance(weights, list) or len(dirs) != len(weights) or not dirs:
            raise ModelError(f"{directory}/config.json has no valid member list; the saved ensemble is corrupt.")
        for d in dirs:
            if not isinstance(d, str) or not d.isdigit():
                raise ModelError(f"{directory}/config.json names an invalid member folder {d!r}.")
        self.members_ = [load(directory / MEMBERS_DIR / d) for d in dirs]
        self.weights_ = [float(w) for w in weights]
        self.prefitted_ = list(config.get("prefitted_", [False] * len(dirs)))
        self.dev_scores_ = config.get("dev_scores_")

    @property
    def uses_prefitted_members(self) -> bool:
        """True when a member was trained before :meth:`fit` (its training data is not controlled)."""
        from .registry import MODELS

        return any(name not in MODELS for name, _ in self._member_specs())

    def fitted_summary(self) -> dict[str, Any]:
        """The chosen weights, how they were chosen and the dev macro-F1 of every weight tried."""
        self._check_fitted()
        how = "given" if self.weights is not None else "dev" if self.dev_scores_ else "equal"
        return {"weights": dict(zip(self.describe_members(), self.weights_)), "weights_from": how,
                "dev_macro_f1_by_weights": self.dev_scores_}

    def describe_members(self) -> list[str]:
        """Member names (registry name or saved-model path), in order."""
        return [name for name, _ in self._member_specs()]

    def describe(self) -> str:
        """One line: members and weights."""
        self._check_fitted()
        return " + ".join(f"{w:.2f} x {name}" for w, name in zip(self.weights_, self.describe_members()))
