"""The stance-model contract, checked for every registered model, plus persistence safety.

A new backend is covered by registering it in :mod:`stanceclf.models.registry` (and, if it needs
them, adding fast test settings to :func:`fast_params`): every registered model runs these tests and
the public checker (:func:`stanceclf.testing.check_stance_model`).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import stanceclf
from stanceclf import DataError, ModelError, NotFittedError, Stance, StanceExample, StancePrediction, UnknownNameError
from stanceclf.models.registry import MODELS, available_models, create_model

from conftest import UNSEEN_TARGET_PAIRS, make_corpus, tiny_encoder_dir

#: Settings that keep a TF-IDF fit well under a second (tuning is not what these tests check).
TFIDF_FAST = {"c_grid": (1.0,), "class_weight_grid": (None,), "cv": 2, "min_target_examples": 10}


def fast_params(name: str) -> dict:
    """Cheap settings for registry entry ``name``; extend when registering a new kind of backend."""
    if MODELS[name].class_path.endswith(":TfidfStanceClassifier"):
        return dict(TFIDF_FAST)
    if MODELS[name].class_path.endswith(":CrossEncoderStanceClassifier"):
        return cross_encoder_fast(MODELS[name].params.get("lora", False))
    if MODELS[name].class_path.endswith(":EnsembleStanceClassifier"):
        # the contract is about the ensemble's mechanics: two fast trainable members (the built-in
        # default member is covered in test_ensemble.py)
        return {"members": [{"model": m, "params": dict(TFIDF_FAST)} for m in ("tfidf", "tfidf-joint")]}
    return {}


def cross_encoder_fast(lora: bool) -> dict:
    """A tiny random BERT (skips without torch), no held-out split, settings that reliably overfit it."""
    common = {"encoder": str(tiny_encoder_dir()), "batch_size": 4, "warmup_ratio": 0.0, "validation_fraction": 0.0}
    if lora:
        return {**common, "epochs": 40, "learning_rate": 1e-3, "lora_r": 16, "lora_alpha": 32}
    return {**common, "epochs": 25, "learning_rate": 3e-3}


#: Every registry entry, plus parameter variants a registry entry does not cover.
#: The stance models (claim models keep the same contract on claim data: tests/test_claim_models.py).
CASES = [pytest.param((name, {}), id=name) for name in sorted(MODELS)
         if MODELS[name].model_class().model_kind != "claims"] + [
    pytest.param(("tfidf", {"classifier": "logreg"}), id="tfidf+logreg"),
]


def build(case: tuple[str, dict]):
    name, extra = case
    return create_model(name, **{**fast_params(name), **extra})


def _lists(value):
    """Tuples as lists, at any depth (what a JSON round trip of the saved parameters gives back)."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return value


def pairs(rows):
    return [(text, target) for text, target, *_ in rows]


def labels(rows):
    return [row[2] for row in rows]


@pytest.fixture(params=CASES)
def case(request) -> tuple[str, dict]:
    return request.param


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    """A model per case, fitted once on the shared corpus (``fitted.case`` says how to build another)."""
    rows = make_corpus()
    model = build(request.param).fit(pairs(rows), labels(rows))
    return model


# --------------------------------------------------------------------------------------------------
# Contract
# --------------------------------------------------------------------------------------------------


def test_registry_lists_models() -> None:
    assert "tfidf" in available_models() and available_models() == sorted(MODELS)
    for name, spec in MODELS.items():
        assert spec.name == name and spec.description


def test_classes_are_sorted_strings(fitted) -> None:
    assert list(fitted.classes_) == ["AGAINST", "FAVOR", "NONE"]
    assert all(isinstance(c, str) for c in fitted.classes_)


def test_predict_proba_shape_and_normalised(fitted, corpus) -> None:
    proba = fitted.predict_proba(pairs(corpus))
    assert proba.shape == (len(corpus), len(fitted.classes_))
    assert np.all(proba >= 0) and np.all(proba <= 1)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


def test_predict_is_argmax_of_proba(fitted, corpus) -> None:
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    proba = fitted.predict_proba(X)
    pred = fitted.predict(X)
    assert pred.shape == (len(X),)
    assert list(pred) == [fitted.classes_[i] for i in proba.argmax(axis=1)]


def test_learns_the_training_data(fitted, corpus) -> None:
    accuracy = np.mean(fitted.predict(pairs(corpus)) == np.asarray(labels(corpus), dtype=object))
    assert accuracy >= 0.95


def test_generalises_to_new_texts_and_unseen_targets(fitted) -> None:
    held_out = make_corpus(3, seed=99)  # new phrasings of the same targets
    accuracy = np.mean(fitted.predict(pairs(held_out)) == np.asarray(labels(held_out), dtype=object))
    assert accuracy >= 0.8
    # a target never seen in training goes to the joint model, which still reads the stance
    assert list(fitted.predict(pairs(UNSEEN_TARGET_PAIRS))) == labels(UNSEEN_TARGET_PAIRS)


def test_label_order_stable_across_shuffled_fits(fitted, corpus) -> None:
    shuffled = list(corpus)
    random.Random(5).shuffle(shuffled)  # FAVOR no longer comes first
    assert shuffled[0][2] != corpus[0][2]
    other = clone(fitted).fit(pairs(shuffled), labels(shuffled))
    assert list(other.classes_) == list(fitted.classes_) == sorted(set(labels(corpus)))
    # same columns mean the same thing: the arg-max agrees on the training data
    assert list(other.predict(pairs(corpus))) == list(fitted.predict(pairs(corpus)))


def test_fit_returns_self_and_two_classes_give_two_columns(case, corpus) -> None:
    rows = [r for r in corpus if r[2] != "NONE"]
    model = build(case)
    assert model.fit(pairs(rows), labels(rows)) is model
    assert list(model.classes_) == ["AGAINST", "FAVOR"]
    assert model.predict_proba(pairs(rows[:4])).shape == (4, 2)


def test_fits_are_deterministic(fitted, corpus) -> None:
    again = clone(fitted).fit(pairs(corpus), labels(corpus))
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    assert np.array_equal(again.predict_proba(X), fitted.predict_proba(X))


def test_save_and_load_give_identical_predictions(fitted, corpus, tmp_path: Path) -> None:
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    directory = fitted.save(tmp_path / "model")
    assert directory == tmp_path / "model" and (directory / "config.json").is_file()
    loaded = stanceclf.load(str(directory))  # stanceclf.load dispatches to type(fitted).load
    assert type(loaded) is type(fitted)
    assert list(loaded.classes_) == list(fitted.classes_)
    assert _lists(loaded.get_params()) == _lists(fitted.get_params())
    assert np.array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert list(loaded.predict(X)) == list(fitted.predict(X))
    # a loaded model saves again (its tuple parameters came back from JSON as lists)
    resaved = stanceclf.load(loaded.save(tmp_path / "again"))
    assert np.array_equal(resaved.predict_proba(X), fitted.predict_proba(X))


def test_unfitted_model_raises_not_fitted(case, tmp_path: Path) -> None:
    model = build(case)
    X = pairs(UNSEEN_TARGET_PAIRS)
    for call in (model.predict, model.predict_proba, model.predict_examples):
        with pytest.raises(NotFittedError, match="not fitted"):
            call(X)
    with pytest.raises(NotFittedError):
        model.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_empty_input_gives_empty_output(fitted) -> None:
    k = len(fitted.classes_)
    assert fitted.predict([]).shape == (0,)
    assert fitted.predict_proba([]).shape == (0, k)
    assert fitted.predict_examples([]) == []
    empty_frame = pd.DataFrame({"text": pd.Series([], dtype=object), "target": pd.Series([], dtype=object)})
    assert fitted.predict_proba(empty_frame).shape == (0, k)
    assert fitted.predict(empty_frame).shape == (0,)


@pytest.mark.parametrize(
    "X, y",
    [
        ([], []),
        ([], None),
        (pd.DataFrame({"text": [], "target": [], "label": []}), None),
        ([("all favor", "cats"), ("still favor", "cats")], ["FAVOR", "FAVOR"]),  # one class
        ([StanceExample("a", "t", Stance.FAVOR), StanceExample("b", "t", Stance.FAVOR)], None),
        ([("a", "t"), ("b", "t")], None),  # no labels
        ([("a", "t"), ("b", "t")], ["FAVOR"]),  # length mismatch
        ([{"text": "a", "target": "t", "label": "FAVOR"}, {"text": "b", "target": "t"}], None),  # a label missing
        ([("", "t"), ("b", "t")], ["FAVOR", "AGAINST"]),  # empty text
        ([("a", " "), ("b", "t")], ["FAVOR", "AGAINST"]),  # empty target
        ("just a string", None),
    ],
    ids=["empty", "empty-no-y", "empty-frame", "single-class", "single-class-examples", "unlabelled",
         "y-length", "missing-label", "empty-text", "empty-target", "bare-string"],
)
def test_fit_rejects_bad_training_data(case, X, y) -> None:
    with pytest.raises(DataError):
        build(case).fit(X, y)


def test_every_input_form_gives_the_same_predictions(fitted, corpus) -> None:
    from datasets import Dataset

    rows = corpus[::4] + UNSEEN_TARGET_PAIRS
    texts, targets = [r[0] for r in rows], [r[1] for r in rows]
    forms = {
        "tuples": [(t, g) for t, g in zip(texts, targets)],
        "lists": [[t, g] for t, g in zip(texts, targets)],
        "triples-no-context": [(t, g, None) for t, g in zip(texts, targets)],
        "dicts": [{"text": t, "target": g} for t, g in zip(texts, targets)],
        "examples": [StanceExample(t, g) for t, g in zip(texts, targets)],
        "labelled-examples": [StanceExample(t, g, Stance(lab)) for t, g, lab in rows],
        "dataframe": pd.DataFrame({"text": texts, "target": targets}),
        "dataframe-labelled": pd.DataFrame({"text": texts, "target": targets, "label": labels(rows), "x": 1}),
        "dataset": Dataset.from_dict({"text": texts, "target": targets}),
        "dataset-labelled": Dataset.from_dict({"text": texts, "target": targets, "label": labels(rows)}),
    }
    reference = fitted.predict_proba(forms["tuples"])
    for name, X in forms.items():
        assert np.array_equal(fitted.predict_proba(X), reference), name
        assert list(fitted.predict(X)) == [fitted.classes_[i] for i in reference.argmax(axis=1)], name


def test_every_training_form_gives_the_same_model(corpus) -> None:
    """Input handling is shared by all backends, so one cheap backend is enough here."""
    from datasets import Dataset

    case = ("tfidf-joint", {})
    frame = pd.DataFrame(corpus, columns=["text", "target", "label"])
    forms = [
        (pairs(corpus), labels(corpus)),
        (pairs(corpus), [Stance(lab) for lab in labels(corpus)]),
        ([StanceExample(t, g, Stance(lab)) for t, g, lab in corpus], None),
        ([{"text": t, "target": g, "label": lab} for t, g, lab in corpus], None),
        (frame, None),
        (Dataset.from_pandas(frame), None),
    ]
    X_eval = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    reference = build(case).fit(*forms[0]).predict_proba(X_eval)
    for i, (X, y) in enumerate(forms[1:], start=1):
        assert np.array_equal(build(case).fit(X, y).predict_proba(X_eval), reference), i


def test_predict_rejects_bad_inputs(fitted) -> None:
    from datasets import Dataset, DatasetDict

    with pytest.raises(DataError, match="single string"):
        fitted.predict("I love reactors")
    with pytest.raises(DataError, match="column"):
        fitted.predict(pd.DataFrame({"sentence": ["x"], "target": ["t"]}))
    with pytest.raises(DataError, match="one split"):
        fitted.predict(DatasetDict({"test": Dataset.from_dict({"text": ["x"], "target": ["t"]})}))
    with pytest.raises(DataError):
        fitted.predict([42])
    with pytest.raises(DataError):
        fitted.predict([{"text": "x"}])


def test_predict_examples_returns_stance_predictions(fitted, corpus) -> None:
    X = pairs(corpus[:5]) + pairs(UNSEEN_TARGET_PAIRS)
    preds = fitted.predict_examples(X)
    proba = fitted.predict_proba(X)
    assert len(preds) == len(X)
    assert all(isinstance(p, StancePrediction) for p in preds)
    assert [p.label for p in preds] == list(fitted.predict(X))
    for p, row in zip(preds, proba):
        assert list(p.probabilities) == list(fitted.classes_)
        assert np.allclose(list(p.probabilities.values()), row)
        assert p.model == fitted.model_name and p.confidence == pytest.approx(row.max())
        json.dumps(p.to_dict())


def test_is_a_scikit_learn_estimator(fitted, corpus) -> None:
    copy = clone(fitted)
    assert not hasattr(copy, "classes_") and copy.get_params() == fitted.get_params()
    assert fitted.score(pairs(corpus), labels(corpus)) >= 0.95  # ClassifierMixin.score


def test_every_registered_model_passes_the_public_checker(case) -> None:
    from stanceclf.testing import check_stance_model

    check_stance_model(lambda: build(case))


def test_parameter_rules_are_declared_for_every_parameter() -> None:
    """One mechanism: scikit-learn's ``_parameter_constraints``, checked by its ``_validate_params``."""
    for name, spec in MODELS.items():
        cls = spec.model_class()
        assert set(cls._parameter_constraints) == set(cls._get_param_names()), name
        assert not hasattr(cls, "_check_params"), name
        create_model(name)._validate_params()  # the registered defaults pass their own rules


# --------------------------------------------------------------------------------------------------
# TF-IDF specifics
# --------------------------------------------------------------------------------------------------


def test_per_target_trains_dedicated_models(corpus) -> None:
    # "Tea" has enough examples but a single label, so it never gets its own model
    rows = corpus + [(f"I love tea number {i}", "Tea", "FAVOR") for i in range(12)]
    model = create_model("tfidf", **TFIDF_FAST).fit(pairs(rows), labels(rows))
    assert model.trained_targets_ == ["nuclear power", "school uniforms", "space exploration"]
    # targets are matched case- and whitespace-insensitively
    text = corpus[0][0]
    assert np.array_equal(model.predict_proba([(text, "Nuclear Power")]), model.predict_proba([(text, " nuclear   POWER ")]))
    # too little data per target: everything goes to the joint model
    few = create_model("tfidf", **{**TFIDF_FAST, "min_target_examples": 1000}).fit(pairs(corpus), labels(corpus))
    assert few.trained_targets_ == []
    assert create_model("tfidf-joint", **TFIDF_FAST).fit(pairs(corpus), labels(corpus)).trained_targets_ == []


def test_trained_targets_needs_fit() -> None:
    with pytest.raises(NotFittedError):
        create_model("tfidf").trained_targets_


def test_unknown_model_name_suggests() -> None:
    with pytest.raises(UnknownNameError, match="tfidf") as err:
        create_model("tfidff")
    assert "Did you mean" in str(err.value)
    assert isinstance(err.value, KeyError)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"mode": "foo"}, "mode"),
        ({"classifier": "forest"}, "classifier"),
        ({"tune_metric": "accuracy"}, "tune_metric"),
        ({"c_grid": ()}, "c_grid"),
        ({"c_grid": (0.1, float("inf"))}, "c_grid"),
        ({"class_weight_grid": ("inverse",)}, "class_weight_grid"),
        ({"cv": 1}, "cv"),
        ({"cv": True}, "cv"),  # a boolean is not a count
        ({"word_ngram_range": (2, 1)}, "word_ngram_range"),
        ({"max_features": 0}, "max_features"),
        ({"random_state": -1}, "random_state"),
    ],
)
def test_invalid_params_raise_model_error_at_fit(params, message, corpus) -> None:
    from sklearn.utils._param_validation import InvalidParameterError

    model = create_model("tfidf", **{**TFIDF_FAST, **params})  # construction never validates (sklearn rule)
    with pytest.raises(ModelError, match=message) as err:
        model.fit(pairs(corpus), labels(corpus))
    assert not isinstance(err.value, InvalidParameterError)  # stanceclf's error, saying where to fix it
    assert "TfidfStanceClassifier" in str(err.value) and "--param" in str(err.value)


def test_tfidf_ignores_dev_data(corpus) -> None:
    dev = [{"text": t, "target": g, "label": y} for t, g, y in make_corpus(2, seed=3)]
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    with_dev = create_model("tfidf", **TFIDF_FAST).fit(pairs(corpus), labels(corpus), dev=dev)
    without = create_model("tfidf", **TFIDF_FAST).fit(pairs(corpus), labels(corpus))
    assert np.array_equal(with_dev.predict_proba(X), without.predict_proba(X))


def test_load_overrides_are_validated(saved_dir: Path) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'allow_download'") as err:
        stanceclf.load(saved_dir, allow_downloads=True)
    assert "Load options: allow_download" in str(err.value)
    with pytest.raises(UnknownNameError, match="'cv' is a training parameter"):
        stanceclf.load(saved_dir, cv=3)
    with pytest.raises(ModelError, match="allow_download must be"):
        stanceclf.load(saved_dir, allow_download="yes")
    assert stanceclf.load(saved_dir, allow_download=False).classes_.tolist() == ["AGAINST", "FAVOR", "NONE"]


# --------------------------------------------------------------------------------------------------
# Persistence safety
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_dir(tmp_path_factory) -> Path:
    rows = make_corpus()
    model = create_model("tfidf", **TFIDF_FAST).fit(pairs(rows), labels(rows))
    return model.save(tmp_path_factory.mktemp("saved") / "model")


@pytest.fixture
def model_copy(saved_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved_dir, tmp_path / "copy"))


def _edit_config(directory: Path, **changes) -> None:
    path = directory / "config.json"
    config = json.loads(path.read_text())
    config.update(changes)
    path.write_text(json.dumps(config))


def _drop_checksums(directory: Path) -> None:
    """Make ``directory`` a save from before checksums were recorded (or one whose config an attacker
    edited too): the checks that follow must hold on their own."""
    path = directory / "config.json"
    config = json.loads(path.read_text())
    del config["checksums"]
    path.write_text(json.dumps(config))


@pytest.fixture
def no_skops_load(monkeypatch):
    """Fail the test if anything gets as far as building objects from a skops file."""
    import skops.io

    def forbidden(*args, **kwargs):
        raise AssertionError("skops.io.load was called on a file that should have been refused")

    monkeypatch.setattr(skops.io, "load", forbidden)


def test_load_missing_path_or_config(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        stanceclf.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="config.json is missing"):
        stanceclf.load(tmp_path / "empty")


def test_load_invalid_json(model_copy: Path) -> None:
    (model_copy / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        stanceclf.load(model_copy)
    (model_copy / "config.json").write_text("[1, 2]")
    with pytest.raises(ModelError, match="not a stanceclf model config"):
        stanceclf.load(model_copy)


def test_load_newer_format_version(model_copy: Path) -> None:
    _edit_config(model_copy, format_version=99)
    with pytest.raises(ModelError, match="format version 99"):
        stanceclf.load(model_copy)
    _edit_config(model_copy, format_version="one")
    with pytest.raises(ModelError, match="format_version"):
        stanceclf.load(model_copy)


def test_load_wrong_model_class(model_copy: Path) -> None:
    from stanceclf.models.linear import TfidfStanceClassifier

    _edit_config(model_copy, model_class="os.system")
    with pytest.raises(ModelError, match="unknown model class 'os.system'"):
        stanceclf.load(model_copy)
    with pytest.raises(ModelError, match="not a TfidfStanceClassifier"):
        TfidfStanceClassifier.load(model_copy)


def test_load_unknown_params(model_copy: Path) -> None:
    config = json.loads((model_copy / "config.json").read_text())
    _edit_config(model_copy, params={**config["params"], "flux_capacitor": 1})
    with pytest.raises(ModelError, match="flux_capacitor"):
        stanceclf.load(model_copy)


def test_load_missing_or_damaged_weights(model_copy: Path, no_skops_load) -> None:
    weights = model_copy / "model.skops"
    weights.write_bytes(b"this is not a zip file")
    with pytest.raises(ModelError, match="changed since it was saved"):
        stanceclf.load(model_copy)
    _drop_checksums(model_copy)
    with pytest.raises(ModelError, match="not a readable skops file"):
        stanceclf.load(model_copy)
    weights.unlink()
    with pytest.raises(ModelError, match="missing"):
        stanceclf.load(model_copy)


def test_load_weights_config_mismatch(model_copy: Path) -> None:
    config = json.loads((model_copy / "config.json").read_text())
    del config["submodels"]["nuclear power"]
    (model_copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="different sub-models"):
        stanceclf.load(model_copy)


class Tripwire:
    """Records any attempt to rebuild it: loading must refuse it before that."""

    built: list[str] = []

    def __setstate__(self, state):
        Tripwire.built.append("setstate")
        self.__dict__.update(state)


def _untrusted_payloads():
    import collections
    import os

    from sklearn.ensemble import RandomForestClassifier

    return [
        pytest.param({"x": collections.OrderedDict()}, "collections.OrderedDict", id="ordereddict"),
        pytest.param({"__joint__": {"featurizer": {}, "classifier": RandomForestClassifier()}},
                     "RandomForestClassifier", id="sklearn-not-trusted"),
        pytest.param({"x": Tripwire()}, "Tripwire", id="custom-class"),
        pytest.param({"x": os.getcwd}, "getcwd", id="function"),
    ]


@pytest.mark.parametrize("payload, type_name", _untrusted_payloads())
def test_load_refuses_untrusted_types(model_copy: Path, payload, type_name: str, no_skops_load) -> None:
    import skops.io as sio

    sio.dump(payload, str(model_copy / "model.skops"))
    _drop_checksums(model_copy)
    Tripwire.built.clear()
    with pytest.raises(ModelError, match=type_name) as err:
        stanceclf.load(model_copy)
    assert "does not trust" in str(err.value) and "nothing was executed" in str(err.value)
    assert Tripwire.built == []


def test_persistence_helpers_refuse_untrusted_types_on_save(tmp_path: Path) -> None:
    from sklearn.ensemble import RandomForestClassifier

    from stanceclf.models.persistence import dump_sklearn, load_sklearn

    with pytest.raises(ModelError, match="RandomForestClassifier"):
        dump_sklearn({"m": RandomForestClassifier()}, tmp_path / "rf.skops")
    assert not (tmp_path / "rf.skops").exists()
    dump_sklearn({"a": [1, 2.0, "x", None, True]}, tmp_path / "ok.skops")
    assert load_sklearn(tmp_path / "ok.skops") == {"a": [1, 2.0, "x", None, True]}


def test_tfidf_with_a_realistic_vocabulary_saves_and_loads_quickly(tmp_path: Path) -> None:
    """A SemEval-size vocabulary (>= 300k features) once took minutes to save (skops wrote every
    vocabulary entry as its own zip member); it is now one array per vectorizer."""
    import time
    import zipfile

    rng = random.Random(0)
    words = [f"w{i}" for i in range(60_000)]
    rows = [(" ".join(rng.choice(words) for _ in range(120)), "topic", ("FAVOR", "AGAINST")[i % 2]) for i in range(1_600)]
    model = create_model("tfidf", **{**TFIDF_FAST, "min_df": 1, "min_target_examples": 10_000})
    model.fit([(t, g) for t, g, _ in rows], [y for *_, y in rows])
    features = sum(len(v.vocabulary_) for sub in model.models_.values() for v in sub["featurizer"].values() if v is not None)
    assert features >= 300_000
    started = time.perf_counter()
    directory = model.save(tmp_path / "big")
    loaded = stanceclf.load(directory)
    seconds = time.perf_counter() - started
    with zipfile.ZipFile(directory / "model.skops") as zf:
        assert len(zf.namelist()) < 100  # not one member per vocabulary entry
    X = [(t, g) for t, g, _ in rows[:200]]
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert seconds < 60, f"save + load of {features} features took {seconds:.0f} s"


def test_score_takes_the_same_inputs_as_fit(fitted, corpus) -> None:
    frame = pd.DataFrame([{"text": t, "target": g, "label": y} for t, g, y in corpus])
    expected = float(np.mean(fitted.predict(pairs(corpus)) == np.asarray(labels(corpus), dtype=object)))
    assert fitted.score(frame) == pytest.approx(expected)  # labels inside X, as fit accepts
    assert fitted.score(pairs(corpus), labels(corpus)) == pytest.approx(expected)
    with pytest.raises(DataError, match="label"):
        fitted.score(pairs(corpus))


def test_not_fitted_error_is_also_scikit_learns() -> None:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    with pytest.raises(SklearnNotFittedError):
        create_model("tfidf").predict([("text", "target")])
    assert issubclass(NotFittedError, stanceclf.StanceclfError)
