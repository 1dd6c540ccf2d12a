"""The estimator contract shared by every stance model backend.

A stance model is a scikit-learn style classifier over (text, target) pairs:

* ``fit(X, y=None)`` returns ``self``; ``y`` may be omitted when ``X`` carries labels;
* ``predict(X)`` returns an array of label strings, ``predict_proba(X)`` an ``(n, k)`` array whose
  columns follow ``classes_``;
* ``save(path)`` writes a directory (JSON config + safe weights), ``load(path)`` reads it back.

``X`` may be any of: a :class:`datasets.Dataset`, a :class:`pandas.DataFrame` with ``text`` and
``target`` columns, a list of :class:`~stanceclf.types.StanceExample`, of ``(text, target)`` tuples
or of dicts with ``text``/``target`` keys.

>>> batch = as_pair_batch([("We must leave NATO.", "NATO")])
>>> batch.targets
['NATO']
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..errors import DataError, ModelError, NotFittedError, StanceclfError
from ..types import Stance, StanceExample, StancePrediction

__all__ = ["PairBatch", "as_pair_batch", "StanceModel", "CONFIG_FILE", "read_config"]

CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class PairBatch:
    """Column view of a batch of (text, target[, context[, speaker]]) pairs with optional labels.

    ``speakers`` holds who says each text ("" when unknown); models that read speakers use it,
    the others ignore it.
    """

    texts: list[str]
    targets: list[str]
    contexts: list[str]
    labels: list[str] | None
    speakers: list[str] | None = None

    def __post_init__(self) -> None:
        sizes = {len(self.targets), len(self.contexts), *(() if self.speakers is None else (len(self.speakers),)),
                 *(() if self.labels is None else (len(self.labels),))}
        if sizes - {len(self.texts)}:
            raise DataError(f"PairBatch columns differ in length: {len(self.texts)} texts but lengths {sorted(sizes)}.")

    def __len__(self) -> int:
        return len(self.texts)

    def speaker_list(self) -> list[str]:
        """One speaker per pair ("" where unknown)."""
        return list(self.speakers) if self.speakers is not None else [""] * len(self.texts)

    def take(self, index: Iterable[int]) -> "PairBatch":
        """The pairs at ``index``, in that order."""
        idx = list(index)
        speakers = self.speaker_list()
        return PairBatch([self.texts[i] for i in idx], [self.targets[i] for i in idx],
                         [self.contexts[i] for i in idx],
                         None if self.labels is None else [self.labels[i] for i in idx],
                         [speakers[i] for i in idx])


def _label_str(value: Any) -> str:
    if isinstance(value, Stance):
        return value.value
    return "" if value is None else str(value)


def as_pair_batch(X: Any, y: Iterable[Any] | None = None) -> PairBatch:
    """Normalise any supported input into a :class:`PairBatch` (see the module docstring)."""
    texts: list[Any]
    if X is None:
        raise DataError("Expected a batch of (text, target) pairs, got None. Pass e.g. model.predict([(text, target)]), "
                        "a DataFrame with 'text' and 'target' columns, or a list of StanceExample.")
    if y is not None and (isinstance(y, (str, bytes)) or not isinstance(y, Iterable)):
        raise DataError(f"y must be a sequence of labels (one per pair), got {type(y).__name__} {y!r:.80}.")
    if isinstance(X, PairBatch):  # already normalised (e.g. an ensemble passing its batch on)
        if y is None:
            return X
        X = list(zip(X.texts, X.targets, X.contexts, X.speaker_list()))
    if hasattr(X, "column_names") and isinstance(X, dict):
        # a DatasetDict (a dict subclass, so test before the Dataset and item branches)
        raise DataError("Got a DatasetDict; pass one split instead, e.g. model.fit(dataset['train']).")
    if hasattr(X, "column_names") and hasattr(X, "__getitem__") and not isinstance(X, dict):
        cols = set(X.column_names)
        _require_columns(cols, "dataset")
        texts, targets = list(X["text"]), list(X["target"])
        contexts = list(X["context"]) if "context" in cols else [""] * len(texts)
        speakers = list(X["speaker"]) if "speaker" in cols else [""] * len(texts)
        labels = list(X["label"]) if "label" in cols else None
    elif hasattr(X, "columns") and hasattr(X, "to_dict"):  # pandas DataFrame
        cols = set(map(str, X.columns))
        _require_columns(cols, "DataFrame")
        texts, targets = X["text"].tolist(), X["target"].tolist()
        contexts = X["context"].fillna("").tolist() if "context" in cols else [""] * len(texts)
        speakers = X["speaker"].fillna("").tolist() if "speaker" in cols else [""] * len(texts)
        labels = X["label"].tolist() if "label" in cols else None
    elif isinstance(X, (str, bytes)):
        raise DataError(
            "Expected a batch of (text, target) pairs, got a single string. "
            "Wrap it: model.predict([(text, target)])."
        )
    elif not isinstance(X, Iterable):
        raise DataError(
            f"Expected a batch of (text, target) pairs, got a {type(X).__name__}. Pass a list of (text, target) "
            "tuples, of dicts or StanceExample, a DataFrame or a datasets.Dataset."
        )
    else:
        texts, targets, contexts, speakers, labels_list = [], [], [], [], []
        for i, item in enumerate(X):
            if isinstance(item, StanceExample):
                texts.append(item.text)
                targets.append(item.target)
                contexts.append(item.context or "")
                speakers.append(item.speaker or "")
                labels_list.append(item.label)
            elif isinstance(item, dict):
                if "text" not in item or "target" not in item:
                    raise DataError(f"Item {i} is a dict without 'text' and 'target' keys: {sorted(item)}.")
                texts.append(item["text"])
                targets.append(item["target"])
                contexts.append(item.get("context") or "")
                speakers.append(item.get("speaker") or "")
                labels_list.append(item.get("label"))
            elif isinstance(item, (tuple, list)) and len(item) in (2, 3, 4):
                texts.append(item[0])
                targets.append(item[1])
                contexts.append(item[2] if len(item) >= 3 and item[2] is not None else "")
                speakers.append(item[3] if len(item) == 4 and item[3] is not None else "")
                labels_list.append(None)
            else:
                raise DataError(
                    f"Item {i} is a {type(item).__name__}; expected a StanceExample, a dict with "
                    "'text'/'target' keys or a (text, target[, context[, speaker]]) tuple."
                )
        labels = labels_list if any(lab is not None for lab in labels_list) else None
    for i, (text, target) in enumerate(zip(texts, targets)):
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"Item {i}: text must be a non-empty string, got {text!r}.")
        if not isinstance(target, str) or not target.strip():
            raise DataError(f"Item {i}: target must be a non-empty string, got {target!r}.")
    if y is not None:
        labels = list(y)
        if len(labels) != len(texts):
            raise DataError(f"X has {len(texts)} items but y has {len(labels)} labels.")
    if labels is not None:
        labels = [_label_str(v) for v in labels]
    return PairBatch(list(texts), list(targets), [c or "" for c in contexts], labels,
                     [s if isinstance(s, str) else "" for s in speakers])


def _require_columns(cols: set[str], what: str) -> None:
    missing = {"text", "target"} - cols
    if missing:
        raise DataError(
            f"The {what} lacks column(s) {sorted(missing)} (found {sorted(cols)}). "
            "Rename your columns to 'text' and 'target', or load it with stanceclf.data.load_table(...)."
        )


class StanceModel(ClassifierMixin, BaseEstimator):
    """Base class of stance classifiers: shared input handling, predictions and persistence checks.

    Subclasses implement ``_fit_batch(batch)``, ``_predict_proba_batch(batch)``, ``_save_state(dir)``
    and ``_load_state(dir, config)``, and set ``classes_`` in ``_fit_batch``.
    """

    #: Short name used in results and predictions.
    model_name: str = "stance-model"
    #: Bumped whenever the on-disk layout changes; ``load`` refuses newer formats.
    format_version: int = 1

    # -- scikit-learn API -------------------------------------------------------------------------
    def fit(self, X: Any, y: Iterable[Any] | None = None) -> "StanceModel":
        batch = as_pair_batch(X, y)
        if len(batch) == 0:
            raise DataError("Cannot fit on an empty training set; pass at least one labelled pair.")
        if batch.labels is None or any(not lab for lab in batch.labels):
            raise DataError("Training data needs a label for every pair: pass y=... or a 'label' column.")
        if len(set(batch.labels)) < 2:
            raise DataError(f"Training data has a single label {batch.labels[0]!r}; need at least two classes.")
        self._fit_batch(batch)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        self._check_fitted()
        batch = as_pair_batch(X)
        if len(batch) == 0:
            return np.zeros((0, len(self.classes_)))
        return self._predict_proba_batch(batch)

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)] if len(proba) else np.array([], dtype=object)

    def score(self, X: Any, y: Iterable[Any] | None = None, sample_weight: Any = None) -> float:
        """Accuracy on labelled pairs, taking the same inputs as :meth:`fit` (labels in ``X`` or ``y``).

        scikit-learn's convention for classifiers; the benchmark metrics (macro-F1 and friends, with
        confidence intervals) are in :mod:`stanceclf.eval`.
        """
        from sklearn.metrics import accuracy_score

        batch = as_pair_batch(X, y)
        if batch.labels is None or any(not lab for lab in batch.labels):
            raise DataError("score needs a label for every pair: pass y=... or a 'label' column.")
        return float(accuracy_score(batch.labels, self.predict(batch), sample_weight=sample_weight))

    def predict_examples(self, X: Any) -> list[StancePrediction]:
        """Predict and return one :class:`StancePrediction` per input pair."""
        proba = self.predict_proba(X)
        classes = [str(c) for c in self.classes_]
        out = []
        for row in proba:
            probs = {c: float(p) for c, p in zip(classes, row)}
            out.append(StancePrediction(classes[int(row.argmax())], probs, model=self.model_name))
        return out

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(...) first, or load a saved model "
                "with stanceclf.load(path)."
            )

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save to directory ``path`` (created if needed) and return it.

        ``config.json`` records the SHA-256 of every file the save wrote (``"checksums"``); :meth:`load`
        refuses files that changed since.
        """
        self._check_fitted()
        from .. import __version__
        from . import persistence

        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        before = _file_stats(directory)
        config = {
            "model_class": type(self).__name__,
            "model_name": self.model_name,
            "format_version": self.format_version,
            "stanceclf_version": __version__,
            "params": _jsonable(self.get_params(deep=False)),
            "classes": [str(c) for c in self.classes_],
        }
        config.update(self._save_state(directory))
        written = [name for name, stat in _file_stats(directory).items()
                   if before.get(name) != stat and name not in (CONFIG_FILE, persistence.CHECKSUMS_FILE)]
        config["checksums"] = persistence.file_checksums(directory, written)
        stale = directory / persistence.CHECKSUMS_FILE  # a packaged artefact's list, superseded by this save
        if stale.is_file():
            stale.unlink()
        (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        return directory

    @classmethod
    def load(cls, path: str | Path, *, allow_download: bool | None = None) -> "StanceModel":
        """Load a model saved with :meth:`save`.

        Loading reads local files only: a model whose base encoder is neither a local directory nor in
        the Hugging Face cache raises :class:`ModelError` unless ``allow_download=True``. Files whose
        SHA-256 differs from the one recorded at save time are refused.
        """
        from .._hf import allow_downloads
        from . import persistence

        if not isinstance(path, (str, os.PathLike)):
            raise ModelError(f"load needs the directory of a saved model, got {type(path).__name__} {path!r:.80}.")
        directory = Path(path)
        config = read_config(directory)
        if config["model_class"] != cls.__name__:
            raise ModelError(
                f"{directory} holds a {config['model_class']!r} model, not a {cls.__name__}. "
                "Use stanceclf.load(path) to load any model type."
            )
        version = config["format_version"]
        if version > cls.format_version:
            raise ModelError(
                f"{directory} was saved in format version {version}, newer than this stanceclf supports "
                f"({cls.format_version}). Upgrade stanceclf: pip install -U stanceclf."
            )
        # before any weights are read: files that changed since the save (or since packaging) are refused
        # (a save without recorded checksums, from before they existed, loads; a checksums.json is read then)
        persistence.verify_checksums(directory, config.get("checksums"))
        if config.get("checksums") is not None:
            persistence.verify_checksums(directory)  # a packaged checksums.json too, when there is one
        try:
            model = cls(**config["params"])
        except TypeError as exc:
            raise ModelError(f"{directory}: config.json has parameters this {cls.__name__} does not accept "
                             f"({exc}); it was saved by another stanceclf version or is corrupt.") from None
        try:
            model._check_params()
        except (ModelError, TypeError, ValueError) as exc:
            raise ModelError(f"{directory}: config.json has invalid parameters ({exc}); the saved model is corrupt "
                             "or was edited. Save it again from the fitted model.") from None
        with allow_downloads(allow_download):
            try:
                model._load_state(directory, config)
            except StanceclfError:
                raise
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
                raise ModelError(f"{directory}: config.json or the weights are not what stanceclf writes "
                                 f"({type(exc).__name__}: {exc}); the saved model is corrupt or was edited. "
                                 "Save it again from the fitted model.") from exc
        model.classes_ = np.asarray(config["classes"], dtype=object)
        return model

    # -- hooks for subclasses ---------------------------------------------------------------------
    def _check_params(self) -> Any:
        """Raise :class:`ModelError` for invalid hyper-parameters (run by ``fit`` and ``load``)."""

    def _fit_batch(self, batch: PairBatch) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _save_state(self, directory: Path) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:  # pragma: no cover
        raise NotImplementedError


def read_config(directory: Path) -> dict[str, Any]:
    """Read and validate a saved model's ``config.json``: the fields every model has, with their types.

    Raises :class:`ModelError` saying which field is wrong; ``params`` defaults to ``{}``.
    """
    from . import persistence

    config_path = Path(directory) / CONFIG_FILE
    if not config_path.is_file():
        raise ModelError(
            f"No saved model at {directory}: {CONFIG_FILE} is missing. Pass the directory written by "
            "model.save(...) or `stanceclf train --output DIR`."
        )
    persistence.check_file_size(config_path, "MAX_JSON_BYTES", "config.json")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{config_path} is not valid JSON ({exc}); the saved model is corrupt.") from None
    if not isinstance(config, dict) or "model_class" not in config or "classes" not in config:
        raise ModelError(f"{config_path} is not a stanceclf model config (no 'model_class'/'classes').")

    def bad(field: str, expected: str) -> ModelError:
        return ModelError(f"{config_path}: {field} must be {expected}, got {config.get(field)!r:.120}; the saved model "
                          "is corrupt or was edited. Save it again from the fitted model.")

    if not isinstance(config["model_class"], str) or not config["model_class"]:
        raise bad("model_class", "a class name")
    classes = config["classes"]
    if (not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(c, str) and c for c in classes)
            or len(set(classes)) != len(classes)):
        raise bad("classes", "a list of at least two distinct label names")
    version = config.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise bad("format_version", "a whole number >= 1 (the on-disk format version)")
    config.setdefault("params", {})
    if not isinstance(config["params"], dict):
        raise bad("params", "a JSON object of hyper-parameters")
    checksums = config.get("checksums")
    if checksums is not None and not isinstance(checksums, dict):
        raise bad("checksums", "a JSON object of file names and SHA-256 digests")
    return config


def _file_stats(directory: Path) -> dict[str, tuple[int, int, int]]:
    """``{relative posix path: (size, mtime_ns, inode)}`` of every file under ``directory``."""
    out = {}
    for path in directory.rglob("*"):
        if path.is_file():
            stat = path.stat()
            out[path.relative_to(directory).as_posix()] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return out


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            value = list(value)
        json.dumps(value)  # fail early on parameters that cannot be persisted
        out[key] = value
    return out


def check_labels_known(labels: Sequence[str], classes: Sequence[str]) -> None:
    unknown = sorted(set(labels) - set(classes))
    if unknown:
        raise DataError(f"Labels {unknown} are not among the model's classes {list(classes)}.")
