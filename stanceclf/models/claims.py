"""Claim classification: one transformer encoder, one head per claim task, one pass per sentence.

:class:`ClaimClassifier` is the cross-encoder (:mod:`stanceclf.models.transformer`) turned into a
multi-task sentence classifier. Each training row is a ``(text, task, label)`` triple in the canonical
schema, the task in the ``target`` column (``"check-worthiness"``, ``"subjectivity"``, ``"causal"``;
see :mod:`stanceclf.data.claims`), and every task has labels of its own. The encoder reads the text
alone; its classification layer holds the classes of all tasks, and each row's softmax (in the loss,
in early stopping, in ``predict_proba``) runs over its own task's classes only. So one forward pass
gives every task's probabilities (:meth:`ClaimClassifier.score_texts`), and each task gets its own
calibration temperature.

It keeps the estimator contract of the stance models (``fit``/``predict``/``predict_proba``/
``classes_``/``save``/``load``): ``predict_proba`` rows are zero outside the row's task, so
``predict`` always answers with one of the task's labels.

>>> from stanceclf.models.claims import ClaimClassifier
>>> model = ClaimClassifier(epochs=3)
>>> model.fit([("Taxes rose 40% in 2019.", "check-worthiness", "CHECKWORTHY"), ...])  # doctest: +SKIP
>>> model.score_texts(["Unemployment fell by 40% under my plan."])                   # doctest: +SKIP
[ClaimScores(checkworthy=0.93, subjective=0.08, causal=0.31, model='claim-encoder')]
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..data.claims import CAUSALITY, CHECKWORTHINESS, SUBJECTIVITY, TASK_LABELS
from ..errors import DataError, ModelError
from ..types import ClaimScores
from .base import PairBatch, as_pair_batch
from .hf_training import _softmax, fit_temperature, fit_temperature_and_bias, mask_other_groups
from .transformer import MIN_CALIBRATION_PAIRS, CrossEncoderStanceClassifier

__all__ = ["ClaimClassifier", "SCORE_FIELDS", "tasks_of"]

#: Which :class:`~stanceclf.types.ClaimScores` field each task fills, and with which label's probability.
SCORE_FIELDS: dict[str, tuple[str, str]] = {
    CHECKWORTHINESS: ("checkworthy", TASK_LABELS[CHECKWORTHINESS][-1]),
    SUBJECTIVITY: ("subjective", TASK_LABELS[SUBJECTIVITY][-1]),
    CAUSALITY: ("causal", TASK_LABELS[CAUSALITY][-1]),
}


def tasks_of(tasks: Sequence[str], labels: Sequence[str]) -> dict[str, list[str]]:
    """Each task's sorted labels, from parallel task and label columns; a label under two tasks, or a
    task with a single label, is a :class:`DataError`.

    >>> tasks_of(["causal", "causal", "subjectivity", "subjectivity"], ["CAUSAL", "NOT_CAUSAL", "OBJ", "SUBJ"])
    {'causal': ['CAUSAL', 'NOT_CAUSAL'], 'subjectivity': ['OBJ', 'SUBJ']}
    """
    found: dict[str, set[str]] = {}
    owner: dict[str, str] = {}
    for task, label in zip(tasks, labels):
        if not task:
            raise DataError("A claim training row has an empty task; put the task name (e.g. 'check-worthiness') "
                            "in the target column of every row.")
        if owner.setdefault(label, task) != task:
            raise DataError(f"Label {label!r} appears under two tasks ({owner[label]!r} and {task!r}); each claim "
                            "task needs labels of its own (see stanceclf.data.claims.TASK_LABELS).")
        found.setdefault(task, set()).add(label)
    single = {t: sorted(labs) for t, labs in found.items() if len(labs) < 2}
    if single:
        raise DataError(f"Tasks {single} have a single label in the training data; each task needs at least two.")
    return {task: sorted(found[task]) for task in sorted(found)}


class ClaimClassifier(CrossEncoderStanceClassifier):
    """Multi-task claim classifier: a transformer encoder over the text and one softmax per task.

    Parameters are the cross-encoder's (:class:`~stanceclf.models.transformer.CrossEncoderStanceClassifier`;
    the packaged MiniLM by default, full fine-tuning or LoRA, temperature calibration on the
    development rows, one temperature per task). ``class_weight="balanced"`` balances classes within
    each task. ``speaker_input`` is accepted for the shared interface and ignored: the text is read alone.

    Fitted attributes, besides the cross-encoder's: ``tasks_`` (task -> its labels, in ``classes_``
    order), ``task_temperatures_`` (task -> calibration temperature), ``task_biases_`` (task -> label
    -> bias added to its scaled logit; empty until :meth:`recalibrate`) and ``recalibrated_on_`` (one
    record per :meth:`recalibrate` call and task: source, rows, temperature, biases, ECE before/after).
    """

    model_name = "claim-encoder"
    model_kind = "claims"

    # -- tasks --------------------------------------------------------------------------------------
    def _label_groups(self, classes: list[str]) -> list[int] | None:
        task_of = {label: task for task, labels in self._fit_tasks.items() for label in labels}
        order = sorted(self._fit_tasks)
        return [order.index(task_of[c]) for c in classes]

    def _row_tasks(self, batch: PairBatch) -> np.ndarray:
        """The task index (into ``sorted(tasks_)``) of each row; an unknown task is a :class:`DataError`."""
        order = sorted(self.tasks_)
        index = {task: i for i, task in enumerate(order)}
        unknown = sorted({t for t in batch.targets if t not in index})
        if unknown:
            raise DataError(f"Unknown claim task(s) {unknown[:5]}: this model knows {order}. Put one of these in the "
                            "target column, or use score_texts(texts) for every task at once.")
        return np.asarray([index[t] for t in batch.targets], dtype=np.int64)

    def _class_groups(self) -> np.ndarray:
        return np.asarray(self._label_groups([str(c) for c in self.classes_]), dtype=np.int64)

    # -- fitting ------------------------------------------------------------------------------------
    def _encode(self, tokenizer: Any, batch: PairBatch) -> Any:
        """The text alone (and its context, when given, as the second sequence): the task is not read."""
        if any(batch.contexts):
            return tokenizer(list(batch.texts), [c or "" for c in batch.contexts], truncation="only_second",
                             max_length=int(self.max_length))
        return tokenizer(list(batch.texts), truncation=True, max_length=int(self.max_length))

    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        self._fit_tasks = tasks_of(batch.targets, batch.labels or [])
        self.task_biases_, self.recalibrated_on_ = {}, []  # a new fit starts from its own calibration
        if dev is not None:
            known = {(t, lab) for t, labs in self._fit_tasks.items() for lab in labs}
            stray = sorted({(t, lab) for t, lab in zip(dev.targets, dev.labels or []) if (t, lab) not in known})
            if stray:
                raise DataError(f"Development rows have (task, label) pairs the training data lacks: {stray[:5]}.")
        try:
            super()._fit_batch(batch, dev)
        finally:
            if hasattr(self, "classes_"):
                self.tasks_ = {t: [str(c) for c in self.classes_ if c in labs] for t, labs in self._fit_tasks.items()}
        if not hasattr(self, "task_temperatures_") or self.calibration_ != "temperature":
            self.task_temperatures_ = {task: 1.0 for task in self.tasks_}

    def _calibrate(self, dev: PairBatch, index: dict[str, int]) -> None:
        """One temperature per task, fitted on that task's development rows over its own classes."""
        from ..metrics import expected_calibration_error

        self.tasks_ = {t: [str(c) for c in self.classes_ if c in labs] for t, labs in self._fit_tasks.items()}
        logits = self._logits(dev)
        rows = self._row_tasks(dev)
        classes = [str(c) for c in self.classes_]
        self.task_temperatures_ = {}
        for i, task in enumerate(sorted(self.tasks_)):
            mask = rows == i
            cols = [index[c] for c in self.tasks_[task]]
            if mask.sum() < MIN_CALIBRATION_PAIRS:
                self.task_temperatures_[task] = 1.0
                continue
            local = {c: j for j, c in enumerate(self.tasks_[task])}
            gold = [local[c] for c, m in zip(dev.labels or [], mask) if m]
            self.task_temperatures_[task] = fit_temperature(logits[mask][:, cols], gold)
        before = _softmax(mask_other_groups(logits, self._class_groups(), rows))
        self.ece_before_ = expected_calibration_error(dev.labels, before, classes)
        self.ece_after_ = expected_calibration_error(dev.labels, self._proba_from_logits(logits, rows), classes)

    def recalibrate(self, X: Any, y: Any = None, *, source: str = "") -> "ClaimClassifier":
        """Refit the calibration of each task in ``X`` on these labelled rows: a temperature and a bias
        per label (:func:`~stanceclf.models.hf_training.fit_temperature_and_bias`). The weights stay.

        For data unlike the development rows the model was calibrated on (a newer debate season, another
        outlet's sentences): a few hundred labelled rows from that data move the probabilities, and so
        the predicted labels, to fit it. Rows as for :meth:`fit` (the task in ``target``); tasks absent
        from ``X``, or with fewer than 20 rows, keep their calibration. ``source`` names the rows (e.g.
        ``"checkthat2024_en/dev_test"``); :func:`stanceclf.eval.evaluate` marks a score on that split as
        in-sample. Returns the model.

        >>> model.recalibrate(dataset["dev_test"], source="checkthat2024_en/dev_test")   # doctest: +SKIP
        >>> model.recalibrated_on_[-1]["bias"]                                           # doctest: +SKIP
        {'CHECKWORTHY': 0.0, 'NOT_CHECKWORTHY': -0.81}
        """
        from ..metrics import expected_calibration_error

        self._check_fitted()
        batch = as_pair_batch(X, y)
        if batch.labels is None or any(not lab for lab in batch.labels):
            raise DataError("recalibrate needs a label for every row: pass y=... or a 'label' column.")
        rows = self._row_tasks(batch)
        order = sorted(self.tasks_)
        unknown = sorted({(order[r], lab) for r, lab in zip(rows, batch.labels) if lab not in self.tasks_[order[r]]})
        if unknown:
            raise DataError(f"(task, label) pairs the model does not know: {unknown[:5]}; its tasks: {self.tasks_}.")
        logits = self._logits(batch)
        index = {str(c): j for j, c in enumerate(self.classes_)}
        tasks = [(i, task) for i, task in enumerate(order) if (rows == i).sum() >= MIN_CALIBRATION_PAIRS]
        if not tasks:
            raise DataError(f"No task has {MIN_CALIBRATION_PAIRS} or more labelled rows here; recalibrating on fewer "
                            "would fit noise. Give more rows.")

        def task_proba(mask: np.ndarray, columns: list[int]) -> np.ndarray:
            return self._proba_from_logits(logits[mask], rows[mask])[:, columns]

        records = []
        for i, task in tasks:
            mask, labels = rows == i, self.tasks_[task]
            columns = [index[c] for c in labels]
            gold = [labels.index(lab) for lab, m in zip(batch.labels, mask) if m]
            truth = [labels[g] for g in gold]
            before = task_proba(mask, columns)
            temperature, bias = fit_temperature_and_bias(logits[mask][:, columns], gold)
            self.task_temperatures_[task] = temperature
            self.task_biases_[task] = {lab: float(b) for lab, b in zip(labels, bias)}
            records.append({"source": str(source), "task": task, "rows": int(mask.sum()),
                            "temperature": round(temperature, 6),
                            "bias": {lab: round(b, 6) for lab, b in self.task_biases_[task].items()},
                            "ece_before": expected_calibration_error(truth, before, labels),
                            "ece_after": expected_calibration_error(truth, task_proba(mask, columns), labels)})
        self.recalibrated_on_ = list(self.recalibrated_on_) + records
        return self

    def fitted_summary(self) -> dict[str, Any]:
        """Each task's calibration (temperature, biases) and the rows any :meth:`recalibrate` fitted it on."""
        self._check_fitted()
        return {"task_temperatures": dict(self.task_temperatures_), "task_biases": dict(self.task_biases_),
                "recalibrated_on": list(self.recalibrated_on_)}

    # -- prediction ---------------------------------------------------------------------------------
    def _temperatures(self) -> np.ndarray:
        temps = getattr(self, "task_temperatures_", None) or {}
        return np.asarray([float(temps.get(task, 1.0)) for task in sorted(self.tasks_)])

    def _biases(self) -> np.ndarray:
        """The bias of each class in ``classes_`` (0 unless :meth:`recalibrate` fitted one)."""
        per_label = {lab: b for labels in (getattr(self, "task_biases_", None) or {}).values() for lab, b in labels.items()}
        return np.asarray([float(per_label.get(str(c), 0.0)) for c in self.classes_])

    def _proba_from_logits(self, logits: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per-row softmax over the row's task's classes, each task at its own temperature (plus the
        biases :meth:`recalibrate` fitted)."""
        scaled = np.asarray(logits, dtype=np.float64) / self._temperatures()[rows][:, None] + self._biases()[None, :]
        proba = _softmax(mask_other_groups(scaled, self._class_groups(), rows))
        return np.nan_to_num(proba, nan=0.0)

    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        rows = self._row_tasks(batch)
        return self._proba_from_logits(self._logits(batch), rows)

    def task_probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Every task's ``(n, k)`` probabilities (columns in ``tasks_[task]`` order) for ``texts``,
        from one encoder pass.

        >>> model.task_probabilities(["Crime fell by 40%."])["check-worthiness"]   # doctest: +SKIP
        array([[0.93, 0.07]])
        """
        self._check_fitted()
        texts = _check_texts(texts)
        order = sorted(self.tasks_)
        if not texts:
            return {task: np.zeros((0, len(self.tasks_[task]))) for task in order}
        batch = PairBatch(list(texts), [order[0]] * len(texts), [""] * len(texts), None)
        logits = self._logits(batch)
        out = {}
        index = {str(c): j for j, c in enumerate(self.classes_)}
        for i, task in enumerate(order):
            rows = np.full(len(texts), i, dtype=np.int64)
            proba = self._proba_from_logits(logits, rows)
            out[task] = proba[:, [index[c] for c in self.tasks_[task]]]
        return out

    def score_texts(self, texts: Sequence[str]) -> list[ClaimScores]:
        """One :class:`~stanceclf.types.ClaimScores` per text (tasks the model lacks are ``None``).

        >>> model.score_texts(["This is a disgrace."])[0].subjective            # doctest: +SKIP
        0.87
        """
        probabilities = self.task_probabilities(texts)
        columns: dict[str, np.ndarray] = {}
        for task, (field, positive) in SCORE_FIELDS.items():
            if task in probabilities:
                columns[field] = probabilities[task][:, self.tasks_[task].index(positive)]
        n = len(next(iter(probabilities.values()))) if probabilities else 0
        return [ClaimScores(**{field: (float(columns[field][i]) if field in columns else None)
                               for field, _ in SCORE_FIELDS.values()}, model=self.model_name) for i in range(n)]

    # -- persistence --------------------------------------------------------------------------------
    def _save_state(self, directory: Path) -> dict[str, Any]:
        state = super()._save_state(directory)
        state["tasks"] = {t: list(labs) for t, labs in self.tasks_.items()}
        state["task_temperatures"] = {t: float(v) for t, v in (getattr(self, "task_temperatures_", None) or {}).items()}
        state["task_biases"] = {t: dict(b) for t, b in (getattr(self, "task_biases_", None) or {}).items()}
        state["recalibrated_on"] = list(getattr(self, "recalibrated_on_", None) or [])
        return state

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:
        tasks = config.get("tasks")
        classes = [str(c) for c in config.get("classes", [])]
        if (not isinstance(tasks, dict) or not tasks
                or sorted(lab for labs in tasks.values() for lab in labs) != sorted(classes)):
            raise ModelError(f"{directory}/config.json: 'tasks' must map each task to its labels, together exactly "
                             "the model's classes; the saved claim model is corrupt or was edited.")
        temps = config.get("task_temperatures") or {}
        if not isinstance(temps, dict) or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0
                                              for v in temps.values()):
            raise ModelError(f"{directory}/config.json: 'task_temperatures' must map tasks to positive numbers.")
        biases = config.get("task_biases") or {}
        if not isinstance(biases, dict) or any(
                t not in tasks or not isinstance(b, dict) or not set(b) <= set(tasks[t])
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in b.values())
                for t, b in biases.items()):
            raise ModelError(f"{directory}/config.json: 'task_biases' must map tasks to {{label: finite number}} "
                             "with the task's own labels.")
        recalibrated = config.get("recalibrated_on") or []
        if not isinstance(recalibrated, list) or not all(isinstance(r, dict) for r in recalibrated):
            raise ModelError(f"{directory}/config.json: 'recalibrated_on' must be a list of records.")
        self._fit_tasks = {str(t): [str(lab) for lab in labs] for t, labs in tasks.items()}
        super()._load_state(directory, config)
        self.tasks_ = self._fit_tasks
        self.task_temperatures_ = {str(t): float(v) for t, v in temps.items()}
        self.task_biases_ = {str(t): {str(k): float(v) for k, v in b.items()} for t, b in biases.items()}
        self.recalibrated_on_ = recalibrated


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise DataError("Expected a list of texts, got a single string; wrap it: score_texts([text]).")
    try:
        items = list(texts)
    except TypeError:
        raise DataError(f"Expected a list of texts, got {type(texts).__name__}.") from None
    bad = [i for i, t in enumerate(items) if not isinstance(t, str) or not t.strip()]
    if bad:
        raise DataError(f"Text {bad[0]} (of {len(items)}) is empty or not a string ({items[bad[0]]!r:.60}); "
                        f"{len(bad)} such item(s). Drop them before classifying.")
    return items
