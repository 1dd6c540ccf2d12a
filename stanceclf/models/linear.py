"""A strong classical baseline: TF-IDF word + character n-grams with a linear classifier.

Target-aware in two ways:

* ``mode="per_target"`` (default) trains one model per target seen in training (the classic
  SemEval-2016 recipe) and a joint model that handles targets never seen in training;
* ``mode="joint"`` trains a single model whose features also describe the target: target words,
  words near the target's mention in the text, and target/text overlap (needed for FNC-1, where
  the "target" is a headline, or NewsMTSC, where it is an entity mention).

Hyper-parameters (``C`` and class weighting) are chosen by stratified cross-validation on the
training data only; probabilities come from sigmoid calibration (cross-validated), so
``predict`` is always the arg-max of ``predict_proba``. Everything is seeded and deterministic.

>>> from stanceclf.models.linear import TfidfStanceClassifier
>>> model = TfidfStanceClassifier(mode="joint")          # doctest: +SKIP
>>> model.fit(train_dataset).predict([("Ban fracking now", "fracking")])  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.svm import LinearSVC

from ..errors import DataError, ModelError
from ..metrics import macro_f1
from ..types import STANCE_LABELS, Stance
from .base import PairBatch, StanceModel
from .params import ListOf, NgramRange, StrOptions, real, whole

__all__ = ["TfidfStanceClassifier"]

WEIGHTS_FILE = "model.skops"
#: Above this many training pairs, tuning uses at most ``_LARGE_CV`` folds to bound training time.
_LARGE_N, _LARGE_CV = 20_000, 3
_TOKEN = re.compile(r"(?u)\b\w+\b")
_STOPWORDS = frozenset(
    "a an the of to in on for and or but is are was were be been being it its this that these those "
    "with as at by from has have had will would can could should may might do does did not no so "
    "than then there their they them he she his her him we our you your i me my".split()
)


def _content_tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS}


def _target_window(text: str, target: str, width: int) -> str:
    """Words within ``width`` tokens of each mention of ``target`` in ``text`` ('' if absent)."""
    lowered = text.lower()
    words = [m for m in _TOKEN.finditer(lowered)]
    if not words:
        return ""
    spans = [m.span() for m in re.finditer(re.escape(target.lower().strip()), lowered)]
    if not spans:
        return ""
    starts = np.array([w.start() for w in words])
    keep: set[int] = set()
    for begin, end in spans:
        first = int(np.searchsorted(starts, begin))
        last = int(np.searchsorted(starts, end))
        keep.update(range(max(0, first - width), min(len(words), last + width)))
        keep.difference_update(range(first, last))  # the mention itself carries no stance
    return " ".join(words[i].group() for i in sorted(keep))


class _PairFeaturizer:
    """Turns (text, target) pairs into one sparse matrix; state is scikit-learn objects only.

    Texts are vectorised once per unique string, so corpora where one article body is paired with
    many headlines (FNC-1) stay fast.
    """

    def __init__(self, params: dict[str, Any], joint: bool, vectorizers: dict[str, Any] | None = None):
        self.params = params
        self.joint = joint
        self.vectorizers = vectorizers or self._new_vectorizers()

    def _new_vectorizers(self) -> dict[str, TfidfVectorizer]:
        p = self.params
        common = dict(sublinear_tf=True, lowercase=True, dtype=np.float32)
        vecs = {
            "text_word": TfidfVectorizer(ngram_range=tuple(p["word_ngram_range"]), min_df=p["min_df"],
                                         max_features=p["max_features"], token_pattern=r"(?u)\b\w+\b|[#@]\w+", **common),
            "text_char": TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(p["char_ngram_range"]),
                                         min_df=p["min_df"], max_features=p["max_features"], **common),
        }
        if self.joint:
            vecs["target_word"] = TfidfVectorizer(ngram_range=(1, 2), **common)
            vecs["window_word"] = TfidfVectorizer(ngram_range=(1, 2), min_df=p["min_df"],
                                                  max_features=p["max_features"], **common)
        return vecs

    def _columns(self, batch: PairBatch) -> dict[str, list[str]]:
        texts = [f"{c} {t}" if c else t for t, c in zip(batch.texts, batch.contexts)]
        limit = self.params.get("char_max_chars")
        cols = {"text_word": texts, "text_char": [t[:limit] for t in texts] if limit else texts}
        if self.joint:
            cols["target_word"] = batch.targets
            cols["window_word"] = [_target_window(t, g, self.params["window"]) for t, g in zip(batch.texts, batch.targets)]
        return cols

    def _overlap(self, batch: PairBatch) -> sp.csr_matrix:
        cache: dict[str, set[str]] = {}
        rows = []
        for text, target in zip(batch.texts, batch.targets):
            if text not in cache:
                cache[text] = _content_tokens(text)
            text_tokens, target_tokens = cache[text], _content_tokens(target)
            shared = len(text_tokens & target_tokens)
            frac = shared / len(target_tokens) if target_tokens else 0.0
            jaccard = shared / len(text_tokens | target_tokens) if (text_tokens or target_tokens) else 0.0
            mentioned = float(target.lower().strip() in text.lower())
            # several monotone transforms let a linear model draw non-linear thresholds
            rows.append([frac, frac**2, float(frac >= 0.5), float(shared == 0), jaccard, np.sqrt(jaccard), mentioned])
        return sp.csr_matrix(np.asarray(rows, dtype=np.float32))

    def fit_transform(self, batch: PairBatch) -> sp.csr_matrix:
        return self._transform(batch, fit=True)

    def transform(self, batch: PairBatch) -> sp.csr_matrix:
        return self._transform(batch, fit=False)

    def _transform(self, batch: PairBatch, fit: bool) -> sp.csr_matrix:
        blocks = []
        for name, values in self._columns(batch).items():
            vec = self.vectorizers.get(name)
            if vec is None:  # dropped at fit time: its column had no usable vocabulary
                continue
            unique, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
            if fit:
                try:
                    matrix = vec.fit_transform(unique)
                except ValueError:  # empty vocabulary, e.g. the target is never mentioned
                    self.vectorizers[name] = None
                    continue
            else:
                matrix = vec.transform(unique)
            blocks.append(matrix[inverse])
        if self.joint:
            blocks.append(self._overlap(batch))
        return sp.hstack(blocks, format="csr")


class TfidfStanceClassifier(StanceModel):
    """TF-IDF word/char n-grams + a calibrated linear classifier, per target or joint.

    Parameters
    ----------
    mode:
        ``"per_target"`` (one model per training target, joint fallback for unseen targets) or
        ``"joint"`` (one target-aware model).
    classifier:
        ``"svm"`` (LinearSVC) or ``"logreg"`` (LogisticRegression).
    c_grid, class_weight_grid:
        Values tried by stratified ``cv``-fold cross-validation on the training data (at most 3
        folds above 20,000 training pairs, to bound training time). Every label needs at least 2
        training pairs (else :class:`~stanceclf.errors.DataError`); a label with fewer pairs than
        ``cv`` reduces the folds to its count, automatically.
    tune_metric:
        ``"f_avg"`` (SemEval: mean F1 of FAVOR and AGAINST), ``"macro_f1"``, or ``"auto"``
        (``f_avg`` when the labels are FAVOR/AGAINST/NONE, else macro-F1).
    min_target_examples:
        Targets with fewer training pairs (or a single label) use the joint model.
    max_targets:
        When the training data has more distinct targets than this (FNC-1 headlines, NewsMTSC
        mentions), targets are open-ended and only the joint model is trained.
    word_ngram_range, char_ngram_range, min_df, max_features, window:
        Feature settings; ``window`` is the number of words kept each side of a target mention.
    char_max_chars:
        Character n-grams read only the first this many characters of each text (word n-grams
        read all of it): tweets and quotes are unaffected, while long article bodies (FNC-1) do not
        blow the feature matrix up to gigabytes. ``None`` reads everything.
    random_state:
        Seed for the cross-validation splits and the solvers.

    Example
    -------
    >>> model = TfidfStanceClassifier(c_grid=(1.0,), class_weight_grid=(None,), cv=2)
    >>> train = [("I love cats", "cats", "FAVOR"), ("cats are great", "cats", "FAVOR"),
    ...          ("I hate cats", "cats", "AGAINST"), ("cats are awful", "cats", "AGAINST")]
    >>> _ = model.fit([(t, g) for t, g, _ in train], [y for *_, y in train])
    >>> model.classes_.tolist()
    ['AGAINST', 'FAVOR']
    """

    model_name = "tfidf"
    model_kind = "any"  # one classifier per target over that target's labels: claim tasks too

    def __init__(
        self,
        mode: str = "per_target",
        classifier: str = "svm",
        c_grid: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0),
        class_weight_grid: tuple[str | None, ...] = (None, "balanced"),
        tune_metric: str = "auto",
        cv: int = 5,
        min_target_examples: int = 30,
        max_targets: int = 100,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        max_features: int | None = 300_000,
        window: int = 6,
        char_max_chars: int | None = 500,
        random_state: int = 0,
    ):
        self.mode = mode
        self.classifier = classifier
        self.c_grid = c_grid
        self.class_weight_grid = class_weight_grid
        self.tune_metric = tune_metric
        self.cv = cv
        self.min_target_examples = min_target_examples
        self.max_targets = max_targets
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.window = window
        self.char_max_chars = char_max_chars
        self.random_state = random_state

    _parameter_constraints = {
        "mode": [StrOptions({"per_target", "joint"})],
        "classifier": [StrOptions({"svm", "logreg"})],
        "c_grid": [ListOf(real(0, None, closed="neither"), what="a non-empty list of positive numbers, e.g. (0.1, 1.0)")],
        "class_weight_grid": [ListOf(None, StrOptions({"balanced"}),
                                     what="a non-empty list of None and/or 'balanced', e.g. (None, 'balanced')")],
        "tune_metric": [StrOptions({"auto", "f_avg", "macro_f1"})],
        "cv": [whole(2)],
        "min_target_examples": [whole(0)],
        "max_targets": [whole(0)],
        "word_ngram_range": [NgramRange()],
        "char_ngram_range": [NgramRange()],
        "min_df": [whole(0)],
        "max_features": [whole(1), None],
        "window": [whole(0)],
        "char_max_chars": [whole(1), None],
        "random_state": [whole(0), None],
    }

    # -- fitting ----------------------------------------------------------------------------------
    def _check_class_counts(self, labels: list[str]) -> None:
        """Cross-validation (tuning and calibration) needs every label at least twice."""
        values, counts = np.unique(np.asarray(labels, dtype=object), return_counts=True)
        rare = {str(v): int(c) for v, c in zip(values, counts) if c < 2}
        if rare:
            raise DataError(
                f"Every label needs at least 2 training pairs: the TF-IDF model tunes C and calibrates its "
                f"probabilities by stratified cross-validation, and {', '.join(f'{k!r} has {v}' for k, v in rare.items())}. "
                f"Add examples of it, or drop the label. (With fewer pairs of a label than cv={self.cv!r} folds, "
                "the folds are reduced to that count automatically.)"
            )

    def _feature_params(self) -> dict[str, Any]:
        return {
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "min_df": int(self.min_df),
            "max_features": self.max_features,
            "window": int(self.window),
            "char_max_chars": self.char_max_chars,
        }

    def _scorer(self, labels: list[str]):
        metric = self.tune_metric
        if metric == "auto":
            metric = "f_avg" if set(STANCE_LABELS) <= set(labels) else "macro_f1"
        averaged = [Stance.FAVOR.value, Stance.AGAINST.value] if metric == "f_avg" else sorted(labels)  # f_avg: macro-F1 of FAVOR, AGAINST

        def score(estimator: Any, X: Any, y: Any) -> float:
            return macro_f1(y, estimator.predict(X), labels=averaged)

        return score

    def _base_estimator(self, C: float = 1.0, class_weight: str | None = None):
        if self.classifier == "svm":
            return LinearSVC(C=C, class_weight=class_weight, max_iter=2000, random_state=self.random_state)
        return LogisticRegression(C=C * 10, class_weight=class_weight, max_iter=2000, random_state=self.random_state)

    def _fit_one(self, batch: PairBatch, joint: bool) -> dict[str, Any]:
        """Featurise, tune on cross-validation, then fit a calibrated model; return its state."""
        featurizer = _PairFeaturizer(self._feature_params(), joint=joint)
        X = featurizer.fit_transform(batch)
        y = np.asarray(batch.labels, dtype=object)
        n_splits = min(int(self.cv), _LARGE_CV) if len(y) > _LARGE_N else int(self.cv)
        n_splits = max(2, min(n_splits, int(min(np.unique(y, return_counts=True)[1]))))
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        grid = {"C": list(self.c_grid), "class_weight": list(self.class_weight_grid)}
        search = GridSearchCV(self._base_estimator(), grid, scoring=self._scorer(sorted(set(y))), cv=folds, n_jobs=1)
        with warnings.catch_warnings(record=True) as caught:
            # liblinear may stop at max_iter on large, long-text corpora (FNC-1); record it, don't spam
            warnings.simplefilter("always", ConvergenceWarning)
            search.fit(X, y)
            best = search.best_params_
            model = CalibratedClassifierCV(self._base_estimator(**best), method="sigmoid", cv=folds)
            model.fit(X, y)
        unconverged = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        return {
            "featurizer": featurizer.vectorizers,
            "classifier": model,
            "best_params": {"C": float(best["C"]), "class_weight": best["class_weight"]},
            "cv_score": float(search.best_score_),
            "n_train": int(len(y)),
            "unconverged_fits": int(unconverged),
        }

    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        # dev is not used: C and the class weights are tuned by cross-validation on the training data
        labels = batch.labels or []
        self._check_class_counts(labels)
        self.classes_ = np.asarray(sorted(set(labels)), dtype=object)
        self.models_: dict[str, dict[str, Any]] = {"__joint__": self._fit_one(batch, joint=True)}
        if self.mode == "per_target":
            groups: dict[str, list[int]] = {}
            for i, target in enumerate(batch.targets):
                groups.setdefault(_target_key(target), []).append(i)
            if len(groups) > int(self.max_targets):
                return
            for key, idx in sorted(groups.items()):
                sub_labels = [labels[i] for i in idx]
                counts = np.unique(sub_labels, return_counts=True)[1]
                if len(idx) < int(self.min_target_examples) or len(counts) < 2 or counts.min() < 2:
                    continue
                sub = batch.take(idx)
                self.models_[key] = self._fit_one(sub, joint=False)

    # -- prediction -------------------------------------------------------------------------------
    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        proba = np.zeros((len(batch), len(self.classes_)))
        class_index = {c: i for i, c in enumerate(self.classes_)}
        groups: dict[str, list[int]] = {}
        for i, target in enumerate(batch.targets):
            key = _target_key(target)
            groups.setdefault(key if key in self.models_ else "__joint__", []).append(i)
        for key, idx in groups.items():
            state = self.models_[key]
            featurizer = _PairFeaturizer(self._feature_params(), joint=key == "__joint__", vectorizers=state["featurizer"])
            sub = batch.take(idx)
            part = state["classifier"].predict_proba(featurizer.transform(sub))
            columns = [class_index[c] for c in state["classifier"].classes_]
            proba[np.ix_(idx, columns)] = part
        return proba / proba.sum(axis=1, keepdims=True)

    @property
    def trained_targets_(self) -> list[str]:
        """Targets with a dedicated model (lower-cased); others use the joint model."""
        self._check_fitted()
        return [k for k in self.models_ if k != "__joint__"]

    # -- persistence ------------------------------------------------------------------------------
    def _save_state(self, directory: Path) -> dict[str, Any]:
        from .persistence import dump_sklearn

        dump_sklearn({k: {"featurizer": _without_vocabularies(v["featurizer"]), "classifier": v["classifier"],
                          "vocabularies": _vocabulary_arrays(v["featurizer"])} for k, v in self.models_.items()},
                     directory / WEIGHTS_FILE)
        return {
            "submodels": {k: {kk: v[kk] for kk in ("best_params", "cv_score", "n_train", "unconverged_fits")} for k, v in self.models_.items()},
        }

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:
        from .persistence import load_sklearn

        meta = config.get("submodels", {})
        if not isinstance(meta, dict) or not all(isinstance(v, dict) for v in meta.values()):
            raise ModelError(f"{directory}/config.json: submodels must map sub-model names to their details, got "
                             f"{meta!r:.120}; the save is corrupt or was edited.")
        state = load_sklearn(directory / WEIGHTS_FILE)
        if not isinstance(state, dict) or not all(isinstance(v, dict) and "classifier" in v and "featurizer" in v
                                                  for v in state.values()):
            raise ModelError(f"{directory / WEIGHTS_FILE} does not hold TF-IDF sub-models; the save is corrupt.")
        if set(state) != set(meta):
            raise ModelError(f"{directory}: the weights and config.json list different sub-models; the save is corrupt.")
        for part in state.values():
            if "vocabularies" in part:  # saves before 0.1.1 kept vocabulary_ inside the vectorizers
                _restore_vocabularies(part["featurizer"], part.pop("vocabularies"))
        self.models_ = {k: {**state[k], **meta[k]} for k in state}


# A fitted vectorizer's ``vocabulary_`` is a dict of up to hundreds of thousands of numpy integers;
# skops writes each as its own zip entry (a save of a SemEval-size model took minutes, growing with the
# square of the vocabulary). It is stored instead as one array of terms in column order.

def _vocabulary_arrays(vectorizers: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each vectorizer's terms as one string array, index ``i`` holding the term of column ``i``."""
    arrays = {}
    for name, vec in vectorizers.items():
        if vec is None:  # dropped at fit time
            continue
        terms = np.empty(len(vec.vocabulary_), dtype=object)
        for term, column in vec.vocabulary_.items():
            terms[column] = term
        arrays[name] = terms.astype(str)
    return arrays


def _without_vocabularies(vectorizers: dict[str, Any]) -> dict[str, Any]:
    """Shallow copies of the vectorizers without ``vocabulary_`` (the fitted originals are untouched)."""
    stripped: dict[str, Any] = {}
    for name, vec in vectorizers.items():
        if vec is None:
            stripped[name] = None
            continue
        clone = copy.copy(vec)
        del clone.vocabulary_
        stripped[name] = clone
    return stripped


def _restore_vocabularies(vectorizers: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    fitted = {name: vec for name, vec in vectorizers.items() if vec is not None}
    if set(arrays) != set(fitted):
        raise ModelError("The saved vectorizers and their vocabularies do not match; the save is corrupt.")
    for name, vec in fitted.items():
        vec.vocabulary_ = {str(term): column for column, term in enumerate(arrays[name].tolist())}


def _target_key(target: str) -> str:
    return " ".join(target.lower().split())

