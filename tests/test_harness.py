"""The evaluation harness end to end, on a tiny learnable SemEval-2016-format fixture (text invented)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import stanceclf
from stanceclf import DataError, UnknownNameError, create_model, evaluate, load_dataset
from stanceclf.eval.harness import PROTOCOLS, EvaluationResult

from conftest import SEMEVAL_TRAIN_TARGETS, write_semeval_fixture

TARGETS = sorted(SEMEVAL_TRAIN_TARGETS)  # Atheism, Climate Change is a Real Concern, Feminist Movement
CLIMATE = "Climate Change is a Real Concern"
FAST = {"c_grid": (1.0,), "class_weight_grid": (None,), "cv": 2}
N_TEST = 36  # 3 targets x 3 labels x 4


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return write_semeval_fixture(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def in_target(root: Path) -> list[EvaluationResult]:
    return evaluate("tfidf", "semeval2016", data_dir=root, n_resamples=50)


def check_result(r: EvaluationResult, protocol: str, n: int, tmp_path: Path, model: str = "tfidf") -> None:
    assert isinstance(r, EvaluationResult)
    assert (r.model, r.dataset, r.split, r.protocol) == (model, "semeval2016", "test", protocol)
    s = r.scores
    assert s["main_metric"] == "f_avg" and s["main_score"] == s["f_avg"]
    assert 0.0 <= s["main_score"] <= 1.0
    lo, hi = s["main_ci95"]
    assert lo <= s["main_score"] <= hi and 0.0 <= lo <= hi <= 1.0
    assert r.n_examples == s["n"] == n
    assert set(s["per_class"]) == {"AGAINST", "FAVOR", "NONE"}
    assert {"ece", "brier"} <= set(s["calibration"])
    assert s["per_target"] and sum(row["n"] for row in s["per_target"].values()) == n
    assert s["target_mean"] == pytest.approx(sum(row["main_score"] for row in s["per_target"].values()) / len(s["per_target"]))
    assert r.train_time_s is not None and r.train_time_s > 0
    assert r.inference_time_s > 0 and r.examples_per_s == pytest.approx(n / r.inference_time_s)
    assert r.wall_time_s >= r.train_time_s
    assert r.peak_memory_mb > 0
    assert r.stanceclf_version == stanceclf.__version__ and r.python and r.timestamp
    # JSON round trip
    path = r.save(tmp_path / "results" / f"{protocol}.json")
    loaded = json.loads(path.read_text())
    assert loaded == json.loads(json.dumps(r.to_dict()))
    assert EvaluationResult(**loaded).to_dict() == loaded
    assert loaded["scores"]["main_score"] == s["main_score"] and loaded["protocol"] == protocol
    # readable table
    table = r.table()
    assert "f_avg" in table and model in table and protocol in table and f"n={n}" in table
    if len(s["per_target"]) > 1:  # a single target gets no per-target table
        assert "mean over targets" in table
        for target in s["per_target"]:
            assert target[:33] in table


def test_in_target(in_target, tmp_path: Path) -> None:
    assert len(in_target) == 1
    r = in_target[0]
    check_result(r, "in-target", N_TEST, tmp_path)
    assert set(r.scores["per_target"]) == set(TARGETS)
    assert r.scores["main_score"] >= 0.6  # learnable despite the mislabelled test tweets
    assert r.scores["main_ci95"][0] < r.scores["main_ci95"][1]
    assert r.train_targets is None and r.test_targets is None
    assert r.model_params["mode"] == "per_target" and r.model_params["c_grid"] == [0.03, 0.1, 0.3, 1.0]


def test_zero_shot(root: Path, tmp_path: Path) -> None:
    (r,) = evaluate("tfidf", "semeval2016", data_dir=root, protocol="zero-shot", n_resamples=50)
    check_result(r, "zero-shot", N_TEST, tmp_path)
    assert r.test_targets == TARGETS and r.train_targets is None
    assert set(r.scores["per_target"]) == set(TARGETS)
    assert r.scores["main_score"] >= 0.5  # stance phrases are shared across targets, so they transfer

    (one,) = evaluate("tfidf", "semeval2016", data_dir=root, protocol="zero-shot", test_targets=["Atheism"],
                      n_resamples=50)
    assert one.n_examples == 12 and one.test_targets == ["Atheism"] and set(one.scores["per_target"]) == {"Atheism"}


def test_zero_shot_with_a_model_object(root: Path, tmp_path: Path) -> None:
    model = create_model("tfidf", **FAST)
    (r,) = evaluate(model, "semeval2016", data_dir=root, protocol="zero-shot", n_resamples=50)
    check_result(r, "zero-shot", N_TEST, tmp_path)
    assert r.model_params["c_grid"] == [1.0]
    assert not hasattr(model, "classes_"), "zero-shot folds must train copies, not the caller's model"
    (again,) = evaluate(model, "semeval2016", data_dir=root, protocol="zero-shot", n_resamples=50)
    assert again.scores == r.scores  # deterministic


def test_cross_target(root: Path, tmp_path: Path) -> None:
    train_targets = ["Atheism", "Feminist Movement"]
    model = create_model("tfidf", **FAST, min_target_examples=10)
    (r,) = evaluate(model, "semeval2016", data_dir=root, protocol="cross-target", train_targets=train_targets,
                    test_targets=[CLIMATE], n_resamples=50)
    check_result(r, "cross-target", 12, tmp_path)
    assert r.train_targets == train_targets and r.test_targets == [CLIMATE]
    assert set(r.scores["per_target"]) == {CLIMATE}
    # the model object was trained in place, on the training targets only
    assert model.trained_targets_ == ["atheism", "feminist movement"]
    # target names match case-insensitively; the registry name works too
    (by_name,) = evaluate("tfidf", "semeval2016", data_dir=root, protocol="cross-target",
                          train_targets=["atheism", "FEMINIST MOVEMENT"], test_targets=[CLIMATE.lower()], n_resamples=50)
    assert by_name.n_examples == 12


def test_fitted_and_saved_models_are_scored_as_they_are(root: Path, tmp_path: Path) -> None:
    model = create_model("tfidf", **FAST).fit(load_dataset("semeval2016", root)["train"])
    (fitted,) = evaluate(model, "semeval2016", data_dir=root, n_resamples=50)
    assert fitted.train_time_s is None and fitted.n_examples == N_TEST
    saved = model.save(tmp_path / "my-model")
    (from_path,) = evaluate(str(saved), "semeval2016", data_dir=root, n_resamples=50)
    assert from_path.model == "my-model" and from_path.train_time_s is None
    assert from_path.scores == fitted.scores
    # an unfitted object is trained in place and then scores the same
    fresh = create_model("tfidf", **FAST)
    (trained,) = evaluate(fresh, "semeval2016", data_dir=root, n_resamples=50)
    assert hasattr(fresh, "classes_") and trained.train_time_s > 0 and trained.scores == fitted.scores


def test_saved_models_are_labelled_cross_dataset_on_data_they_never_saw(root: Path, tmp_path: Path) -> None:
    model = create_model("tfidf", **FAST).fit(load_dataset("semeval2016", root)["train"])
    saved = model.save(tmp_path / "m")
    (unknown,) = evaluate(str(saved), "semeval2016", data_dir=root, n_resamples=0)
    assert unknown.protocol == "in-target"  # no training_summary.json: keep what was asked
    summary = {"data": {"per_source": {"pstance": {}, "newsmtsc": {}}}}
    (saved / "training_summary.json").write_text(json.dumps(summary))
    (other,) = evaluate(str(saved), "semeval2016", data_dir=root, n_resamples=0)
    assert other.protocol == "cross-dataset"
    summary["data"]["per_source"]["semeval2016"] = {}
    (saved / "training_summary.json").write_text(json.dumps(summary))
    assert evaluate(str(saved), "semeval2016", data_dir=root, n_resamples=0)[0].protocol == "in-target"
    with pytest.raises(DataError, match="trained elsewhere"):
        evaluate("tfidf", "semeval2016", data_dir=root, protocol="cross-dataset")


def test_dataset_alias_and_no_bootstrap(root: Path) -> None:
    (r,) = evaluate(create_model("tfidf", **FAST), "semeval", data_dir=root, n_resamples=0)
    assert r.dataset == "semeval2016"
    assert r.scores["main_ci95"] is None
    assert "f_avg" in r.table()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"protocol": "leave-one-out"}, DataError, "Unknown protocol"),
        ({"protocol": "cross-target"}, DataError, "train_targets and test_targets"),
        ({"protocol": "cross-target", "train_targets": ["Atheism"]}, DataError, "train_targets and test_targets"),
        ({"test_targets": ["Nope"]}, DataError, "not in this split"),
        ({"protocol": "cross-target", "train_targets": ["Nope"], "test_targets": ["Atheism"]}, DataError, "not in this split"),
        ({"splits": ["validation"]}, DataError, "no split"),
    ],
    ids=["unknown-protocol", "cross-target-no-targets", "cross-target-no-test-targets", "unknown-test-target",
         "unknown-train-target", "unknown-split"],
)
def test_bad_arguments(root: Path, kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        evaluate(create_model("tfidf", **FAST), "semeval2016", data_dir=root, n_resamples=0, **kwargs)


def test_trained_models_cannot_be_re_trained_by_protocol(root: Path, tmp_path: Path) -> None:
    model = create_model("tfidf", **FAST).fit(load_dataset("semeval2016", root)["train"])
    saved = model.save(tmp_path / "m")
    for protocol in ("zero-shot", "cross-target"):
        for candidate in (str(saved), model):
            with pytest.raises(DataError, match="trains new models"):
                evaluate(candidate, "semeval2016", data_dir=root, protocol=protocol,
                         train_targets=["Atheism"], test_targets=[CLIMATE], n_resamples=0)


def test_unknown_dataset_and_missing_training_split(root: Path) -> None:
    with pytest.raises(UnknownNameError, match="semeval2016"):
        evaluate("tfidf", "semeval2061", data_dir=root)
    with pytest.raises(DataError, match="no training split"):
        evaluate("tfidf", "semeval2016_taskb", data_dir=root)
    with pytest.raises(stanceclf.ModelError, match="Did you mean 'tfidf'"):  # not a name nor a saved model
        evaluate("tfidff", "semeval2016", data_dir=root)


def test_protocols_constant() -> None:
    assert PROTOCOLS == ("in-target", "cross-target", "zero-shot", "cross-dataset")


def test_train_dev_splits_is_the_one_choice_of_training_data() -> None:
    from types import SimpleNamespace

    from datasets import Dataset, DatasetDict

    from stanceclf.eval.harness import train_dev_splits

    def split(*targets: str) -> Dataset:
        return Dataset.from_dict({"text": [f"about {t}" for t in targets], "target": list(targets),
                                  "label": ["FAVOR"] * len(targets)})

    data = DatasetDict({"train": split("A", "B", "b"), "validation": split("a", "B"), "test": split("A")})
    info = SimpleNamespace(name="toy", train_split="train", dev_split="validation")
    train, dev = train_dev_splits(data, info)
    assert (len(train), len(dev)) == (3, 2)
    train, dev = train_dev_splits(data, info, ["b"])  # targets match case-insensitively, in both splits
    assert train["target"] == ["B", "b"] and dev["target"] == ["B"]
    assert train_dev_splits(data, SimpleNamespace(name="toy", train_split="train", dev_split=None))[1] is None
    with pytest.raises(DataError, match="no training split"):
        train_dev_splits(data, SimpleNamespace(name="toy", train_split=None, dev_split=None))


def test_a_ranking_dataset_is_scored_by_map_within_its_groups() -> None:
    from types import SimpleNamespace

    from stanceclf.eval.harness import _score_predictions

    info = SimpleNamespace(name="toy-debates", labels=("CHECKWORTHY", "NOT_CHECKWORTHY"), main_metric="map",
                           positive_label="CHECKWORTHY")
    classes = ["CHECKWORTHY", "NOT_CHECKWORTHY"]
    y_true = ["CHECKWORTHY", "NOT_CHECKWORTHY", "NOT_CHECKWORTHY", "CHECKWORTHY"]
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    y_pred = [classes[i] for i in proba.argmax(axis=1)]
    # debate a ranks its claim first (AP 1), debate b second (AP 1/2): MAP 0.75
    scores = _score_predictions(y_true, y_pred, proba, classes, ["check-worthiness"] * 4, info, 200, 0,
                                groups=["a", "a", "b", "b"])
    assert scores["main_metric"] == "map" and scores["main_score"] == pytest.approx(0.75)
    assert scores["target_mean"] == pytest.approx(0.75) and "per_target" not in scores
    assert scores["ranking"]["mrr"] == pytest.approx(0.75) and scores["per_group"]["b"]["ap"] == pytest.approx(0.5)
    assert scores["main_ci95"][0] <= 0.75 <= scores["main_ci95"][1]
    assert scores["accuracy"] == pytest.approx(0.5)  # the classification scores stay beside the ranking
    with pytest.raises(DataError, match="needs a 'group' column"):
        _score_predictions(y_true, y_pred, proba, classes, ["check-worthiness"] * 4, info, 0, 0)


def test_claim_training_leaves_out_every_scored_sentence() -> None:
    from types import SimpleNamespace

    from datasets import Dataset, DatasetDict

    from stanceclf.eval.harness import train_dev_splits

    def split(texts: list[str]) -> Dataset:
        return Dataset.from_dict({"text": texts, "target": ["check-worthiness"] * len(texts),
                                  "label": ["CHECKWORTHY"] * len(texts)})

    data = DatasetDict(train=split(["Taxes rose 5%.", "Thank you.", "We built 3 schools.", "Crime fell."]),
                       validation=split(["We built three schools", "crime fell!"]),
                       test=split(["THANK YOU"]), dev_test=split(["Taxes rose 50%"]))
    claims = SimpleNamespace(name="toy", train_split="train", dev_split="validation", task="check-worthiness")
    train, dev = train_dev_splits(data, claims)
    assert train["text"] == ["Taxes rose 5%.", "We built 3 schools."]  # "Thank you." (test), "Crime fell." (dev)
    assert dev["text"] == ["We built three schools", "crime fell!"]
    stance = SimpleNamespace(name="toy", train_split="train", dev_split="validation", task="stance")
    assert len(train_dev_splits(data, stance)[0]) == 4  # stance datasets are read as published
