"""Training plumbing of the cross-encoder (:mod:`stanceclf.models.transformer`) on
:class:`transformers.Trainer`: the weighted-loss Trainer and the monitor callback (early stopping,
time budget, log), the features and collator it reads, torch set-up, and calibration
(:func:`fit_temperature`; :func:`fit_temperature_and_bias` for data unlike the development rows).

>>> fit_temperature([[2.0, 0.0], [0.0, 2.0]], [0, 1], prior_sd=None) < 1.0   # confident and right: sharpen
True
"""

from __future__ import annotations

import contextlib
import math
import time
from functools import lru_cache
from typing import Any, Iterator

import numpy as np

from ..errors import DataError, ModelError

INSTALL_HINT = "pip install 'stanceclf[transformer]'"
_TEMPERATURE_BOUNDS = (0.05, 20.0)


# --------------------------------------------------------------------------------------------------
# Helpers that need no torch
# --------------------------------------------------------------------------------------------------


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax(logits: np.ndarray) -> np.ndarray:
    return np.exp(_log_softmax(np.asarray(logits, dtype=np.float64)))


def mask_other_groups(logits: np.ndarray, groups: Any, rows: Any) -> np.ndarray:
    """``logits`` with the columns outside each row's group set to ``-inf`` (multi-task heads).

    ``groups``: the group id of each column; ``rows``: the group id of each row.

    >>> mask_other_groups(np.array([[1.0, 2.0, 3.0]]), [0, 0, 1], [1])
    array([[-inf, -inf,   3.]])
    """
    z = np.array(logits, dtype=np.float64)
    z[np.asarray(rows)[:, None] != np.asarray(groups)[None, :]] = -np.inf
    return z


def _calibration_inputs(name: str, logits: Any, labels: Any, prior_sd: float | None) -> tuple[np.ndarray, np.ndarray, float]:
    """``(logits, labels, prior penalty)`` of a calibration fit, checked: (n, k) logits, n column indices."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    if z.ndim != 2 or len(z) != len(y) or len(z) == 0:
        raise DataError(f"{name} needs (n, k) logits and n labels, got shapes {z.shape} and {y.shape}.")
    if y.min() < 0 or y.max() >= z.shape[1]:
        raise DataError(f"Labels must be column indices in [0, {z.shape[1]}).")
    if prior_sd is not None and not float(prior_sd) > 0:
        raise DataError(f"prior_sd must be positive or None, got {prior_sd!r}.")
    return z, y, 0.0 if prior_sd is None else 1.0 / (2.0 * float(prior_sd) ** 2)


def fit_temperature(logits: Any, labels: Any, *, prior_sd: float | None = 1.0) -> float:
    """The temperature ``T`` minimising the NLL of ``softmax(logits / T)`` on ``labels`` (indices).

    One scalar, fitted on ``log T`` (so ``T`` stays positive) by bounded scalar minimisation within
    ``[0.05, 20]``. ``T > 1`` softens over-confident logits, ``T < 1`` sharpens timid ones; it never
    changes the arg-max. ``prior_sd`` adds a weak Gaussian prior on ``log T`` (a penalty of
    ``log(T)**2 / (2 * prior_sd**2)`` on the summed NLL): negligible for hundreds of pairs, but it
    keeps a small development set that the model gets entirely right from driving ``T`` to its
    lower bound (every probability 0 or 1). ``None`` gives the plain maximum-likelihood fit.

    >>> rng = np.random.default_rng(0)
    >>> true_logits = rng.normal(size=(500, 3)) * 2
    >>> labels = [rng.choice(3, p=p) for p in _softmax(true_logits)]
    >>> 4.5 < fit_temperature(true_logits * 5, labels) < 6.0   # over-confident by 5x
    True
    """
    from scipy.optimize import minimize_scalar

    z, y, penalty = _calibration_inputs("fit_temperature", logits, labels, prior_sd)

    def objective(log_t: float) -> float:
        nll = -_log_softmax(z / math.exp(log_t))[np.arange(len(y)), y].sum()
        return float(nll + penalty * log_t**2)

    lo, hi = (math.log(b) for b in _TEMPERATURE_BOUNDS)
    result = minimize_scalar(objective, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    best = float(result.x)
    return float(math.exp(best)) if objective(best) < objective(0.0) else 1.0


def fit_temperature_and_bias(logits: Any, labels: Any, *, prior_sd: float | None = 1.0) -> tuple[float, np.ndarray]:
    """The temperature ``T`` and class biases ``b`` minimising the NLL of ``softmax(logits / T + b)``.

    Platt scaling for ``k`` classes: besides how sharp the probabilities are (``T``, as in
    :func:`fit_temperature`), ``b`` moves them towards the classes the labelled rows hold more often
    than the model expects, so it can change the arg-max (``b[0]`` is fixed at 0: only differences
    matter). Use it where the model meets data unlike its development rows, with labelled rows from
    that data. ``prior_sd``: a weak Gaussian prior on ``log T`` and on each bias (``None``: none).

    >>> rng = np.random.default_rng(0)
    >>> true_logits = rng.normal(size=(2000, 2)) * 2
    >>> labels = [rng.choice(2, p=p) for p in _softmax(true_logits + [0.0, 1.5])]   # class 1 under-predicted
    >>> t, b = fit_temperature_and_bias(true_logits, labels)
    >>> round(t, 1), round(float(b[1]), 1)
    (1.0, 1.5)
    """
    from scipy.optimize import minimize

    z, y, penalty = _calibration_inputs("fit_temperature_and_bias", logits, labels, prior_sd)
    rows = np.arange(len(y))

    def objective(params: np.ndarray) -> float:
        bias = np.concatenate([[0.0], params[1:]])
        nll = -_log_softmax(z / math.exp(params[0]) + bias)[rows, y].sum()
        return float(nll + penalty * float(params @ params))

    lo, hi = (math.log(b) for b in _TEMPERATURE_BOUNDS)
    start = np.zeros(z.shape[1])
    result = minimize(objective, start, method="L-BFGS-B", bounds=[(lo, hi)] + [(-20.0, 20.0)] * (z.shape[1] - 1))
    best = result.x if objective(result.x) < objective(start) else start
    return float(math.exp(best[0])), np.concatenate([[0.0], best[1:]])


def _import_torch() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise ModelError(f"The transformer models need torch and transformers ({exc}). "
                         f"Install them with: {INSTALL_HINT}") from None
    return torch, transformers


def _import_peft() -> Any:
    try:
        import peft
    except ImportError as exc:
        raise ModelError(f"LoRA fine-tuning needs peft ({exc}). Install it with: {INSTALL_HINT}") from None
    return peft


@contextlib.contextmanager
def _torch_threads(torch: Any, n: int | None) -> Iterator[None]:
    if not n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


@lru_cache(maxsize=1)
def _trainer_classes() -> tuple[type, type]:
    """Build the Trainer subclass and the callback lazily (transformers is heavy to import)."""
    torch, transformers = _import_torch()

    class WeightedTrainer(transformers.Trainer):
        """Cross-entropy with optional class weights; a per-batch mean (Trainer scales it for accumulation).

        ``label_groups`` (one group id per class, for multi-task heads): each pair's softmax runs over
        the classes of its gold label's group only (:func:`mask_other_groups`)."""

        loss_is_scaled_for_ga = False

        def __init__(self, *args: Any, class_weights: Any = None, label_groups: Any = None, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.class_weights = class_weights
            self.label_groups = label_groups
            # transformers 4.x: our loss is a per-batch mean, so let Trainer divide it for accumulation
            self.model_accepts_loss_kwargs = False

        def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                         num_items_in_batch: Any = None) -> Any:
            labels = inputs["labels"]
            outputs = model(**{k: v for k, v in inputs.items() if k != "labels"})
            weight = None if self.class_weights is None else self.class_weights.to(outputs.logits.device)
            logits = outputs.logits.float()
            if self.label_groups is not None:
                groups = self.label_groups.to(logits.device)
                logits = logits.masked_fill(groups[None, :] != groups[labels][:, None], -1e4)
            loss = torch.nn.functional.cross_entropy(logits, labels, weight=weight)
            return (loss, outputs) if return_outputs else loss

    class Monitor(transformers.TrainerCallback):
        """Training log, early stopping on dev macro-F1 (ties: lower dev loss), best weights, time budget."""

        def __init__(self, has_dev: bool, patience: int | None, deadline: float | None, started: float):
            self.has_dev, self.patience, self.deadline, self.started = has_dev, patience, deadline, started
            self.log: list[dict[str, Any]] = []
            self.pending: dict[str, Any] = {}
            self.best_key: tuple[float, float] | None = None
            self.best_state: dict[str, Any] | None = None
            self.best_epoch: float | None = None
            self.bad_evals = 0
            self.stop_reason = "completed"
            self.bar: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=state.max_steps, desc="fine-tuning", unit="step", dynamic_ncols=True)
            return control

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if self.bar is not None:
                self.bar.close()
            return control

        def _record(self, state: Any, extra: dict[str, Any]) -> dict[str, Any]:
            rec = {"epoch": round(float(state.epoch or 0.0), 4), "step": int(state.global_step), **self.pending, **extra,
                   "elapsed_s": round(time.monotonic() - self.started, 3)}
            self.pending = {}
            self.log.append(rec)
            return rec

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if self.bar is not None:
                self.bar.update(1)
            if self.deadline is not None and time.monotonic() >= self.deadline:
                control.should_training_stop = True
                self.stop_reason = "time_budget"
            return control

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any) -> Any:
            if logs and "loss" in logs:
                self.pending = {"train_loss": float(logs["loss"]), "learning_rate": float(logs.get("learning_rate", 0.0))}
                if not self.has_dev:
                    self._record(state, {})
            return control

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None,
                        model: Any = None, **kwargs: Any) -> Any:
            metrics = metrics or {}
            f1, loss = float(metrics.get("eval_macro_f1", 0.0)), float(metrics.get("eval_loss", math.inf))
            key = (round(f1, 9), -loss)
            improved = self.best_key is None or key > self.best_key
            self._record(state, {"dev_loss": loss, "dev_macro_f1": f1,
                                 "dev_accuracy": float(metrics.get("eval_accuracy", 0.0)), "best": improved})
            if self.bar is not None:
                self.bar.set_postfix(dev_f1=f"{f1:.3f}", dev_loss=f"{loss:.3f}")
            if improved:
                self.best_key, self.best_epoch, self.bad_evals = key, float(state.epoch or 0.0), 0
                self.best_state = {n: p.detach().to("cpu", copy=True)
                                   for n, p in model.named_parameters() if p.requires_grad}
                for rec in self.log[:-1]:
                    rec["best"] = False
            else:
                self.bad_evals += 1
                if self.patience and self.bad_evals >= self.patience and not control.should_training_stop:
                    control.should_training_stop = True
                    self.stop_reason = "early_stopping"
            return control

    return WeightedTrainer, Monitor


class _Features:
    """A list of tokenised pairs, indexable as Trainer expects (dicts of lists, with labels)."""

    def __init__(self, encoding: Any, labels: list[int] | None):
        self.encoding = encoding
        self.labels = labels
        self.keys = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in encoding]

    def __len__(self) -> int:
        return len(self.encoding["input_ids"])

    def __getitem__(self, i: int) -> dict[str, Any]:
        item = {k: self.encoding[k][i] for k in self.keys}
        if self.labels is not None:
            item["labels"] = self.labels[i]
        return item


class _Collator:
    """Pads tokenised pairs into tensors (the tokenizer's pad id and side); keeps ``labels``."""

    def __init__(self, tokenizer: Any):
        self.pad_id = int(tokenizer.pad_token_id or 0)
        self.left = getattr(tokenizer, "padding_side", "right") == "left"

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        width = max(len(f["input_ids"]) for f in features)
        out: dict[str, Any] = {}
        for key in (k for k in ("input_ids", "token_type_ids", "attention_mask") if k in features[0]):
            fill = self.pad_id if key == "input_ids" else 0
            array = np.full((len(features), width), fill, dtype=np.int64)
            for row, f in enumerate(features):
                values = f[key]
                if self.left:
                    array[row, width - len(values):] = values
                else:
                    array[row, :len(values)] = values
            out[key] = torch.from_numpy(array)
        if "labels" in features[0]:
            out["labels"] = torch.tensor([f["labels"] for f in features], dtype=torch.long)
        return out
