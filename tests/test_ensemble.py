"""The probability ensemble: weights chosen on dev, pre-fitted members, class handling, guards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import stanceclf
from stanceclf import DataError, ModelError
from stanceclf.models.ensemble import EnsembleStanceClassifier, weight_grid

from conftest import make_corpus

FAST = {"c_grid": (1.0,), "class_weight_grid": (None,), "cv": 2, "min_target_examples": 10}


def pairs(rows):
    return [(text, target) for text, target, *_ in rows]


def labels(rows):
    return [row[2] for row in rows]


def test_weight_grid() -> None:
    grid = weight_grid(3, 0.5)
    assert grid == [(0.0, 0.0, 1.0), (0.0, 0.5, 0.5), (0.0, 1.0, 0.0), (0.5, 0.0, 0.5), (0.5, 0.5, 0.0),
                    (1.0, 0.0, 0.0)]
    assert all(abs(sum(w) - 1) < 1e-9 for w in weight_grid(2, 0.1)) and len(weight_grid(2, 0.1)) == 11
    with pytest.raises(ModelError, match="weight_step"):
        weight_grid(2, 0.3)


@pytest.fixture(scope="module")
def saved_members(tmp_path_factory) -> tuple[Path, Path]:
    """A good TF-IDF model and one trained on shuffled labels, both saved (pre-fitted members)."""
    rows = make_corpus()
    root = tmp_path_factory.mktemp("members")
    good = stanceclf.create_model("tfidf", **FAST).fit(pairs(rows), labels(rows)).save(root / "good")
    rng = np.random.default_rng(0)
    noisy = list(rng.permutation(labels(rows)))
    bad = stanceclf.create_model("tfidf", **FAST).fit(pairs(rows), noisy).save(root / "bad")
    return good, bad


def test_weights_are_chosen_on_dev(saved_members) -> None:
    good, bad = saved_members
    train, dev = make_corpus(), make_corpus(3, seed=7)
    model = EnsembleStanceClassifier(members=[str(bad), str(good)]).fit(pairs(train), labels(train), dev=_dev(dev))
    assert model.prefitted_ == [True, True] and model.uses_prefitted_members
    assert model.weights_[1] > model.weights_[0]  # the member that reads stance gets the weight
    assert model.dev_scores_ and max(model.dev_scores_.values()) == model.dev_scores_[
        ",".join(f"{w:g}" for w in model.weights_)]
    assert model.describe() == f"{model.weights_[0]:.2f} x {bad} + {model.weights_[1]:.2f} x {good}"
    summary = model.fitted_summary()
    assert summary["weights_from"] == "dev" and summary["weights"][str(good)] == model.weights_[1]
    # without dev data every member counts the same; fixed weights are normalised
    even = EnsembleStanceClassifier(members=[str(bad), str(good)]).fit(pairs(train), labels(train))
    assert even.weights_ == [0.5, 0.5] and even.dev_scores_ is None
    assert even.fitted_summary()["weights_from"] == "equal"
    fixed = EnsembleStanceClassifier(members=[str(bad), str(good)], weights=[1, 3]).fit(pairs(train), labels(train))
    assert fixed.weights_ == [0.25, 0.75] and fixed.fitted_summary()["weights_from"] == "given"


def _dev(rows):
    return [{"text": t, "target": g, "label": y} for t, g, y in rows]


def test_classes_follow_the_training_labels(saved_members) -> None:
    good, _ = saved_members
    rows = [r for r in make_corpus() if r[2] != "NONE"]
    model = EnsembleStanceClassifier(members=[str(good), {"model": "tfidf", "params": FAST}])
    model.fit(pairs(rows), labels(rows))
    proba = model.predict_proba(pairs(rows))
    # the saved member also predicts NONE: that column is dropped and the rest renormalised
    assert list(model.classes_) == ["AGAINST", "FAVOR"] and proba.shape == (len(rows), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.prefitted_ == [True, False] and model.uses_prefitted_members


@pytest.mark.parametrize("kwargs, message", [
    ({"members": []}, "at least one member"),
    ({"members": ["tfidf", "tfidf-joint"], "weights": [1.0]}, "weights must be 2"),
    ({"members": ["tfidf", "tfidf-joint"], "weights": [-1.0, 2.0]}, "non-negative"),
    ({"members": [{"name": "tfidf"}]}, "needs 'model'"),
    ({"members": ["tfidf"], "weight_step": 0.3}, "weight_step"),
])
def test_bad_parameters_are_explained(kwargs, message) -> None:
    rows = make_corpus()
    with pytest.raises(ModelError, match=message):
        EnsembleStanceClassifier(**kwargs).fit(pairs(rows), labels(rows))


def test_saved_member_takes_no_params(saved_members) -> None:
    good, _ = saved_members
    rows = make_corpus()
    with pytest.raises(ModelError, match="takes no 'params'"):
        EnsembleStanceClassifier(members=[{"model": str(good), "params": {"cv": 3}}]).fit(pairs(rows), labels(rows))
    with pytest.raises(ModelError, match="No saved model"):
        EnsembleStanceClassifier(members=["no-such-model"]).fit(pairs(rows), labels(rows))


def test_harness_refuses_protocols_that_hide_targets_from_prefitted_members(semeval_root) -> None:
    from stanceclf.eval.harness import evaluate

    with pytest.raises(DataError, match="trained before this run"):
        evaluate("default+tfidf", "semeval2016", data_dir=semeval_root, protocol="zero-shot")


def test_default_plus_tfidf_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from stanceclf.models.default import default_model_available

    if not default_model_available():
        pytest.skip("the built-in default model is not packaged in this checkout")
    rows = make_corpus()
    model = stanceclf.create_model("default+tfidf", members=["default", {"model": "tfidf", "params": FAST}])
    model.fit(pairs(rows), labels(rows), dev=_dev(make_corpus(2, seed=3)))
    X = pairs(make_corpus(2, seed=11))
    loaded = stanceclf.load(model.save(tmp_path / "ens"))
    assert (tmp_path / "ens" / "members" / "0" / "config.json").is_file()  # the default model is copied
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), atol=1e-6)
    assert loaded.weights_ == model.weights_
