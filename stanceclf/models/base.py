"""The estimator contract shared by every stance model backend.

A stance model is a scikit-learn style classifier over (text, target) pairs:

* ``fit(X, y=None, *, dev=None)`` returns ``self``; ``y`` may be omitted when ``X`` carries labels;
  ``dev`` (labelled pairs) is the one way to give development data (early stopping, calibration,
  ensemble weights); models that need none ignore it;
* ``predict(X)`` returns an array of label strings, ``predict_proba(X)`` an ``(n, k)`` array whose
  columns follow ``classes_``;
* ``save(path)`` writes a directory (JSON config + safe weights), ``load(path, **overrides)`` reads
  it back (overrides: ``allow_download`` and the class's :attr:`StanceModel.load_overrides`);
* hyper-parameter rules are declared once per class in ``_parameter_constraints``
  (scikit-learn's form, see :mod:`stanceclf.models.params`) and checked by ``fit`` and ``load``.

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

from ..errors import DataError, ModelError, NotFittedError, StanceclfError, UnknownNameError, suggest
from ..types import Stance, StanceExample, StancePrediction

__all__ = ["PairBatch", "as_pair_batch", "as_dev_batch", "StanceModel", "CONFIG_FILE", "read_config"]

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


def as_dev_batch(dev: Any, classes: Sequence[str]) -> PairBatch:
    """Normalise ``fit``'s ``dev=``: any input form of :func:`as_pair_batch` with a label for every
    pair, or an ``(X_dev, y_dev)`` tuple. Every label must be one of ``classes`` (the training labels).

    >>> as_dev_batch(([("I back it.", "the deal")], ["FAVOR"]), ["AGAINST", "FAVOR"]).labels
    ['FAVOR']
    """
    if (isinstance(dev, tuple) and len(dev) == 2
            and not isinstance(dev[0], (str, bytes, tuple, dict, StanceExample))):
        batch = as_pair_batch(*dev)  # (X_dev, y_dev)
    else:
        batch = as_pair_batch(dev)
    if len(batch) == 0 or batch.labels is None or any(not lab for lab in batch.labels):
        raise DataError("The dev set needs at least one pair and a label for every pair: pass labelled pairs "
                        "(a 'label' column or key, labelled StanceExamples) or dev=(X_dev, y_dev).")
    unknown = sorted(set(batch.labels) - set(classes))
    if unknown:
        raise DataError(f"The dev set has labels {unknown} that are not among the training labels {sorted(classes)}; "
                        "drop those pairs from the dev set or add examples of them to the training data.")
    return batch


class StanceModel(ClassifierMixin, BaseEstimator):
    """Base class of stance classifiers: shared input handling, checks, predictions and persistence.

    A backend subclasses it and implements four hooks:

    * ``_fit_batch(batch, dev)``: learn from ``batch`` (a :class:`PairBatch` with labels) and set
      ``classes_`` (sorted label strings); ``dev`` is a labelled :class:`PairBatch` or ``None``, and a
      model that has no use for development data ignores it;
    * ``_predict_proba_batch(batch)``: an ``(n, len(classes_))`` array whose rows sum to 1;
    * ``_save_state(directory)``: write the fitted state into ``directory`` and return extra JSON
      fields for ``config.json``; ``_load_state(directory, config)`` reads them back.

    Hyper-parameters are the ``__init__`` arguments, stored unchanged (scikit-learn's rule); their
    rules go in ``_parameter_constraints`` and are checked by :meth:`fit` and :meth:`load`.
    ``load_overrides`` names the parameters a caller may change when loading a fitted model.
    Register the class with :func:`stanceclf.models.registry.register_model` so that
    :func:`stanceclf.load` finds it, and check it with :func:`stanceclf.testing.check_stance_model`.
    """

    #: Short name used in results and predictions.
    model_name: str = "stance-model"
    #: What the model classifies: ``"stance"`` (FAVOR/AGAINST/NONE toward a target), ``"claims"``
    #: (claim tasks named in the target column, :class:`~stanceclf.models.claims.ClaimClassifier`) or
    #: ``"any"`` (learns whatever labels each target has: a baseline for both, e.g. TF-IDF).
    model_kind: str = "stance"
    #: Bumped whenever the on-disk layout changes; ``load`` refuses newer formats.
    format_version: int = 1
    #: scikit-learn parameter constraints: ``{parameter: [accepted constraints]}`` (see
    #: :mod:`stanceclf.models.params`); checked by ``fit`` and ``load``.
    _parameter_constraints: dict[str, list[Any]] = {}
    #: Parameters :meth:`load` may override on a fitted model (they change how it is read or how it
    #: predicts, not what it learned); ``allow_download`` is accepted by every model.
    load_overrides: tuple[str, ...] = ()

    # -- scikit-learn API -------------------------------------------------------------------------
    def fit(self, X: Any, y: Iterable[Any] | None = None, *, dev: Any = None) -> "StanceModel":
        """Fit on labelled pairs ``X`` (labels in ``X`` or in ``y``) and return ``self``.

        ``dev``: development data (labelled pairs in any input form, or ``(X_dev, y_dev)``) for early
        stopping, calibration or ensemble weights; models that need none ignore it. Invalid
        hyper-parameters raise :class:`ModelError`, bad training or dev data :class:`DataError`.
        """
        self._validate_params()
        batch = as_pair_batch(X, y)
        if len(batch) == 0:
            raise DataError("Cannot fit on an empty training set; pass at least one labelled pair.")
        if batch.labels is None or any(not lab for lab in batch.labels):
            raise DataError("Training data needs a label for every pair: pass y=... or a 'label' column.")
        if len(set(batch.labels)) < 2:
            raise DataError(f"Training data has a single label {batch.labels[0]!r}; need at least two classes.")
        dev_batch = None if dev is None else as_dev_batch(dev, sorted(set(batch.labels)))
        self._fit_batch(batch, dev_batch)
        return self

    def _validate_params(self) -> None:
        """Check the hyper-parameters against ``_parameter_constraints`` with scikit-learn's
        ``_validate_params``; a violation raises :class:`ModelError` naming the parameter, what it
        must be and what it got. A class with rules between parameters extends this (super() first).
        """
        from sklearn.utils._param_validation import InvalidParameterError

        try:
            super()._validate_params()
        except InvalidParameterError as exc:
            raise ModelError(f"{exc} Set it where the model is built: {type(self).__name__}(...), "
                             "stanceclf.create_model(name, ...) or `--param NAME=VALUE`.") from None

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
    def load(cls, path: str | Path, **overrides: Any) -> "StanceModel":
        """Load a model saved with :meth:`save`.

        ``overrides`` (all optional):

        * ``allow_download``: loading reads local files only; a model whose base encoder is neither a
          local directory nor in the Hugging Face cache raises :class:`ModelError` unless
          ``allow_download=True``;
        * any parameter named in the class's :attr:`load_overrides` (e.g. the cross-encoder's
          ``encoder``, ``predict_batch_size``, ``num_threads``), checked like a parameter given to ``fit``.

        An unknown name raises :class:`UnknownNameError` with the nearest accepted ones. Files whose
        SHA-256 differs from the one recorded at save time are refused.

        >>> model = stanceclf.load("runs/my-model", predict_batch_size=16)  # doctest: +SKIP
        """
        from .._hf import allow_downloads
        from . import persistence

        allow_download, params = cls._check_load_overrides(overrides)
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
            model._validate_params()
        except (ModelError, TypeError, ValueError) as exc:
            raise ModelError(f"{directory}: config.json has invalid parameters ({exc}); the saved model is corrupt "
                             "or was edited. Save it again from the fitted model.") from None
        if params:
            model.set_params(**params)
            try:
                model._validate_params()
            except ModelError as exc:
                raise ModelError(f"Invalid load override for {directory}: {exc}") from None
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

    @classmethod
    def _check_load_overrides(cls, overrides: dict[str, Any]) -> tuple[bool | None, dict[str, Any]]:
        """Split :meth:`load`'s overrides into ``allow_download`` and parameter values; refuse unknown
        names (:class:`UnknownNameError`) and a non-boolean ``allow_download`` (:class:`ModelError`)."""
        known = ["allow_download", *cls.load_overrides]
        for name in overrides:
            if name not in known:
                why = (f" {name!r} is a training parameter: a fitted model keeps the value it was trained with."
                       if name in cls._get_param_names() else "")
                raise UnknownNameError(f"Unknown load option {name!r} for {cls.__name__}.{suggest(name, known)}{why} "
                                       f"Load options: {', '.join(known)}.")
        params = dict(overrides)
        allow_download = params.pop("allow_download", None)
        if allow_download is not None and not isinstance(allow_download, bool):
            raise ModelError(f"allow_download must be True, False or None, got {allow_download!r}.")
        # a path given for a path-valued parameter (the encoder) is stored as its string, as JSON keeps it
        params = {k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in params.items()}
        return allow_download, params

    # -- hooks for subclasses ---------------------------------------------------------------------
    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:  # pragma: no cover - abstract
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
