"""The public contract checker (stanceclf.testing) on toy backends, and register_model -> save -> load.

The checker's run on every registered model is in test_models.py (next to their fast settings).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import stanceclf
from stanceclf import DataError, ModelError, UnknownNameError
from stanceclf.models import PairBatch, StanceModel
from stanceclf.models.params import real
from stanceclf.models.registry import MODELS, create_model, model_class, register_model, unregister_model
from stanceclf.testing import CHECKS, check_stance_model, example_corpus

from conftest import make_corpus


class MajorityStanceModel(StanceModel):
    """Predicts the training label frequencies for every pair (learns nothing else)."""

    model_name = "majority"
    _parameter_constraints = {"smoothing": [real(0, None)]}

    def __init__(self, smoothing: float = 0.0):
        self.smoothing = smoothing

    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        counts = Counter(batch.labels)
        self.classes_ = np.asarray(sorted(counts), dtype=object)
        total = sum(counts.values()) + self.smoothing * len(counts)
        self.prior_ = np.asarray([(counts[c] + self.smoothing) / total for c in self.classes_])

    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        return np.tile(self.prior_, (len(batch), 1))

    def _save_state(self, directory: Path) -> dict[str, Any]:
        return {"prior": self.prior_.tolist()}

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:
        self.prior_ = np.asarray(config["prior"], dtype=float)


class KeywordStanceModel(StanceModel):
    """Naive Bayes over lower-cased words; the word counts are saved as JSON. Uses no dev data."""

    model_name = "keywords"
    _parameter_constraints = {"alpha": [real(0, None, closed="neither")]}

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        self.classes_ = np.asarray(sorted(set(batch.labels or [])), dtype=object)
        self.counts_: dict[str, dict[str, int]] = {c: {} for c in self.classes_}
        for text, label in zip(batch.texts, batch.labels or []):
            for word in text.lower().split():
                self.counts_[label][word] = self.counts_[label].get(word, 0) + 1

    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        vocabulary = {w for counts in self.counts_.values() for w in counts}
        scores = np.zeros((len(batch), len(self.classes_)))
        for j, c in enumerate(self.classes_):
            counts = self.counts_[c]
            total = sum(counts.values()) + self.alpha * (len(vocabulary) + 1)
            for i, text in enumerate(batch.texts):
                scores[i, j] = sum(np.log((counts.get(w, 0) + self.alpha) / total) for w in text.lower().split())
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def _save_state(self, directory: Path) -> dict[str, Any]:
        (directory / "counts.json").write_text(json.dumps(self.counts_, sort_keys=True))
        return {}

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:
        self.counts_ = json.loads((directory / "counts.json").read_text())


@pytest.fixture
def registered():
    """Register the toy models for one test, then remove them again."""
    register_model("toy-keywords", KeywordStanceModel, "Naive Bayes over words (a test backend).")
    register_model("toy-majority", MajorityStanceModel, "The training label frequencies (a test backend).",
                   smoothing=1.0)
    yield
    unregister_model("toy-keywords")
    unregister_model("toy-majority")


def pairs(rows):
    return [(text, target) for text, target, *_ in rows]


def labels(rows):
    return [row[2] for row in rows]


# --------------------------------------------------------------------------------------------------
# Toy backends pass
# --------------------------------------------------------------------------------------------------


def test_registered_toy_models_pass_the_checker(registered) -> None:
    check_stance_model(create_model("toy-keywords"))
    check_stance_model(lambda: create_model("toy-majority"))  # a factory works too
    assert "toy-keywords" in stanceclf.available_models()


def test_unregistered_models_are_checked_through_their_own_load() -> None:
    check_stance_model(KeywordStanceModel(alpha=0.5), train=make_corpus(3), dev=make_corpus(1, seed=4))


def test_register_model_save_load_round_trip(registered, tmp_path: Path) -> None:
    rows = make_corpus()
    model = create_model("toy-keywords", alpha=0.5).fit(pairs(rows), labels(rows))
    assert np.mean(model.predict(pairs(rows)) == np.asarray(labels(rows), dtype=object)) >= 0.9
    directory = model.save(tmp_path / "toy")
    config = json.loads((directory / "config.json").read_text())
    assert config["model_class"] == "KeywordStanceModel" and "counts.json" in config["checksums"]
    loaded = stanceclf.load(directory)
    assert type(loaded) is KeywordStanceModel and loaded.alpha == 0.5
    np.testing.assert_array_equal(loaded.predict_proba(pairs(rows)), model.predict_proba(pairs(rows)))
    # the recorded checksums cover the toy's own files
    (directory / "counts.json").write_text("{}")
    with pytest.raises(ModelError, match="changed since it was saved"):
        stanceclf.load(directory)


def test_loading_an_unregistered_class_is_refused(tmp_path: Path) -> None:
    rows = make_corpus(2)
    directory = MajorityStanceModel().fit(pairs(rows), labels(rows)).save(tmp_path / "m")
    with pytest.raises(ModelError, match="unknown model class 'MajorityStanceModel'") as err:
        stanceclf.load(directory)
    assert "register_model" in str(err.value)
    assert type(MajorityStanceModel.load(directory)) is MajorityStanceModel  # the class itself may load it
    # a config naming an importable but unregistered class path is not imported either
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(json.dumps({**config, "model_class": "collections:OrderedDict"}))
    with pytest.raises(ModelError, match="unknown model class"):
        stanceclf.load(directory)


def test_register_model_checks_what_it_records() -> None:
    with pytest.raises(ModelError, match="StanceModel subclass"):
        register_model("bad", dict, "not a model")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="package.module:Class"):
        register_model("bad", "no_colon_here", "not a class path")

    class TfidfStanceClassifier(MajorityStanceModel):  # the name of a registered class, another class
        pass

    with pytest.raises(ModelError, match="already registered"):
        register_model("clash", TfidfStanceClassifier, "same class name as the TF-IDF model")
    assert "clash" not in MODELS and model_class("TfidfStanceClassifier").__module__ == "stanceclf.models.linear"
    with pytest.raises(UnknownNameError, match="Did you mean"):
        unregister_model("tfidff")


# --------------------------------------------------------------------------------------------------
# Broken backends are caught, each by the check that names the fault
# --------------------------------------------------------------------------------------------------


class UnnormalisedModel(MajorityStanceModel):
    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        return super()._predict_proba_batch(batch) * 0.9


class ForgetfulModel(MajorityStanceModel):
    def _save_state(self, directory: Path) -> dict[str, Any]:
        wrong = np.arange(1.0, len(self.classes_) + 1)
        return {"prior": (wrong / wrong.sum()).tolist()}  # not what it learned


class RandomModel(MajorityStanceModel):
    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        super()._fit_batch(batch, dev)
        self.prior_ = np.random.default_rng().dirichlet(np.ones(len(self.classes_)))


class ParamChangingModel(MajorityStanceModel):
    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        super()._fit_batch(batch, dev)
        self.smoothing = 0.5  # fitted state belongs in attributes ending in "_"


class NoDevModel(MajorityStanceModel):
    def _fit_batch(self, batch: PairBatch) -> None:  # type: ignore[override]  # the old hook signature
        super()._fit_batch(batch, None)


class StringProbaModel(MajorityStanceModel):
    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(["FAVOR"] * len(super().predict(X)), dtype=object)


@pytest.mark.parametrize("cls, check, message", [
    (UnnormalisedModel, "predict_proba", "sum to 1"),
    (ForgetfulModel, "save_load", "predicts differently"),
    (RandomModel, "deterministic", "different probabilities"),
    (ParamChangingModel, "fit", "changed the model's parameters"),
    (NoDevModel, "fit", "TypeError"),
    (StringProbaModel, "predict", "argmax"),
], ids=["unnormalised", "forgetful-save", "random", "changes-params", "old-fit-hook", "predict-not-argmax"])
def test_broken_models_are_caught(cls, check: str, message: str) -> None:
    with pytest.raises(AssertionError, match=f"{cls.__name__} fails the stance-model check '{check}'") as err:
        check_stance_model(cls())
    assert message in str(err.value)


def test_skip_and_bad_arguments() -> None:
    check_stance_model(RandomModel(), skip=["deterministic"])
    with pytest.raises(UnknownNameError, match="Did you mean 'deterministic'"):
        check_stance_model(RandomModel(), skip=["determinstic"])
    with pytest.raises(TypeError, match="unfitted StanceModel"):
        check_stance_model("tfidf")  # type: ignore[arg-type]
    fitted = MajorityStanceModel().fit(pairs(make_corpus(2)), labels(make_corpus(2)))
    with pytest.raises(AssertionError, match="fitted model"):
        check_stance_model(lambda: fitted)
    assert list(CHECKS)[:2] == ["params", "not_fitted"] and "save_load" in CHECKS


def test_example_corpus_is_learnable_and_deterministic() -> None:
    rows = example_corpus()
    assert rows == example_corpus() and len(rows) == 63 and rows != example_corpus(seed=1)
    assert Counter(labels(rows)) == {"FAVOR": 21, "AGAINST": 21, "NONE": 21}


def test_fit_dev_is_one_contract_for_every_model() -> None:
    """``dev`` is validated by the base class for every model, including ones that ignore it."""
    rows = make_corpus(2)
    model = KeywordStanceModel()
    with pytest.raises(DataError, match="not among the training labels"):
        model.fit(pairs(rows), labels(rows), dev=([("I love cats", "cats")], ["MAYBE"]))
    with pytest.raises(DataError, match="label for every pair"):
        model.fit(pairs(rows), labels(rows), dev=pairs(rows))
    assert model.fit(pairs(rows), labels(rows), dev=(pairs(rows), labels(rows))) is model


def test_import_stanceclf_does_not_load_the_checker() -> None:
    code = "import sys, stanceclf; print('stanceclf.testing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
