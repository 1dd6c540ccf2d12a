"""Claim models: the estimator contract on claim data (every registered claim model and the TF-IDF
baseline), the multi-task ClaimClassifier's per-task softmax and calibration, classify_claims, and
the bad inputs a claim model refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stanceclf.errors import DataError, ModelError
from stanceclf.analysis.claims import classify_claims
from stanceclf.models.claims import SCORE_FIELDS, ClaimClassifier, tasks_of
from stanceclf.models.hf_training import mask_other_groups
from stanceclf.models.registry import MODELS, create_model
from stanceclf.testing import check_claim_model, claim_corpus
from stanceclf.types import ClaimScores
from conftest import tiny_encoder_dir
from test_models import TFIDF_FAST

CLAIM_MODELS = sorted(name for name, spec in MODELS.items() if spec.model_class().model_kind == "claims")


def claim_fast(lora: bool) -> dict:
    """A tiny random BERT (skips without torch) that overfits the claim corpus quickly."""
    common = {"encoder": str(tiny_encoder_dir()), "batch_size": 4, "warmup_ratio": 0.0, "validation_fraction": 0.0}
    if lora:
        return {**common, "epochs": 30, "learning_rate": 1e-3, "lora_r": 16, "lora_alpha": 32}
    return {**common, "epochs": 20, "learning_rate": 3e-3}


def rows_as_dicts(rows):
    return [{"text": t, "target": g, "label": lab} for t, g, lab in rows]


@pytest.fixture(scope="module")
def fitted() -> ClaimClassifier:
    model = create_model("claim-encoder", **{**claim_fast(False), "validation_fraction": 0.0})
    return model.fit(rows_as_dicts(claim_corpus()))


def test_claim_models_are_registered() -> None:
    assert CLAIM_MODELS == ["claim-encoder", "claim-lora"]


@pytest.mark.parametrize("name", CLAIM_MODELS)
def test_every_registered_claim_model_keeps_the_contract(name: str) -> None:
    # the contract is about mechanics (shapes, persistence, errors), not learning: two epochs do
    fast = {**claim_fast(MODELS[name].params.get("lora", False)), "epochs": 2}
    check_claim_model(lambda: create_model(name, **fast))


def test_tfidf_baseline_keeps_the_contract_on_claim_data() -> None:
    """The TF-IDF baseline fits one classifier per target, so per task: a claim baseline as it is."""
    check_claim_model(create_model("tfidf", **TFIDF_FAST))


def test_each_row_is_decided_among_its_own_tasks_labels(fitted: ClaimClassifier) -> None:
    texts = ["Crime rose 12 percent under the governor.", "What a shameful decision, part 3!"]
    classes = list(fitted.classes_)
    assert classes == sorted(["CAUSAL", "NOT_CAUSAL", "CHECKWORTHY", "NOT_CHECKWORTHY", "OBJ", "SUBJ"])
    assert fitted.tasks_ == {"causal": ["CAUSAL", "NOT_CAUSAL"], "check-worthiness": ["CHECKWORTHY", "NOT_CHECKWORTHY"],
                             "subjectivity": ["OBJ", "SUBJ"]}
    for task, labels in fitted.tasks_.items():
        proba = fitted.predict_proba([(t, task) for t in texts])
        inside = [classes.index(lab) for lab in labels]
        outside = [j for j in range(len(classes)) if j not in inside]
        np.testing.assert_allclose(proba[:, inside].sum(axis=1), 1.0, atol=1e-9)
        assert np.all(proba[:, outside] == 0.0)
        assert set(fitted.predict([(t, task) for t in texts])) <= set(labels)


def test_it_learns_the_claim_corpus(fitted: ClaimClassifier) -> None:
    rows = claim_corpus()
    assert fitted.score([(t, g) for t, g, _ in rows], [lab for *_, lab in rows]) >= 0.95


def test_score_texts_is_one_pass_over_every_task(fitted: ClaimClassifier, monkeypatch) -> None:
    texts = ["The deficit tripled to 40 billion dollars.", "Protesters gathered in square 9."]
    calls = []
    original = fitted._logits
    monkeypatch.setattr(fitted, "_logits", lambda batch: calls.append(len(batch)) or original(batch))
    scores = fitted.score_texts(texts)
    assert calls == [2]  # one encoder pass for all three tasks
    assert [type(s) for s in scores] == [ClaimScores, ClaimScores]
    assert scores[0].checkworthy > 0.5 and scores[1].checkworthy < 0.5
    assert scores[1].causal < 0.5 and scores[0].model == "claim-encoder"
    assert fitted.score_texts([]) == []


def test_per_task_temperatures_are_fitted_on_each_tasks_dev_rows() -> None:
    train, dev = claim_corpus(8), claim_corpus(7, seed=3)  # 14 dev rows per task: under the minimum of 20
    model = ClaimClassifier(**{**claim_fast(False), "epochs": 2}).fit(rows_as_dicts(train), dev=rows_as_dicts(dev))
    assert model.calibration_ == "temperature" and model.task_temperatures_ == {t: 1.0 for t in model.tasks_}
    dev = claim_corpus(10, seed=3)  # 20 per task: each task gets its own temperature
    model = ClaimClassifier(**{**claim_fast(False), "epochs": 2}).fit(rows_as_dicts(train), dev=rows_as_dicts(dev))
    temps = model.task_temperatures_
    assert set(temps) == set(model.tasks_) and all(t > 0 for t in temps.values())
    assert len(set(temps.values())) > 1
    assert model.ece_after_ is not None


def test_label_groups_mask_the_softmax() -> None:
    z = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]])
    masked = mask_other_groups(z, [0, 0, 1, 1], [0, 1])
    assert np.isinf(masked[0, 2:]).all() and np.isinf(masked[1, :2]).all()
    assert masked[0, 1] == 2.0 and masked[1, 3] == 4.0


def test_balanced_weights_are_balanced_within_each_task() -> None:
    model = ClaimClassifier()
    model._fit_tasks = {"a": ["A0", "A1"], "b": ["B0", "B1"]}
    classes = ["A0", "A1", "B0", "B1"]
    y = [0] * 30 + [1] * 10 + [2] * 2 + [3] * 2  # task a: 30/10, task b: 2/2
    np.testing.assert_allclose(model._balanced_weights(y, classes), [40 / 60, 40 / 20, 1.0, 1.0])


def test_tasks_of_refuses_shared_or_single_labels() -> None:
    with pytest.raises(DataError, match="appears under two tasks"):
        tasks_of(["causal", "subjectivity"], ["X", "X"])
    with pytest.raises(DataError, match="single label"):
        tasks_of(["causal", "causal", "subjectivity"], ["CAUSAL", "NOT_CAUSAL", "OBJ"])


def test_bad_claim_inputs_get_clear_errors(fitted: ClaimClassifier) -> None:
    with pytest.raises(DataError, match="Unknown claim task"):
        fitted.predict([("Taxes rose.", "NATO")])
    with pytest.raises(DataError, match="single string"):
        fitted.score_texts("Taxes rose.")
    with pytest.raises(DataError, match="empty"):
        fitted.score_texts(["Taxes rose.", "  "])
    with pytest.raises(DataError, match="empty"):
        fitted.score_texts(["Taxes rose.", None])
    with pytest.raises(DataError, match="training data lacks"):
        ClaimClassifier(**claim_fast(False)).fit(rows_as_dicts(claim_corpus(2)),
                                                 dev=[{"text": "x y", "target": "causal", "label": "OBJ"}])
    with pytest.raises(ModelError, match="score_texts"):
        classify_claims(["Taxes rose."], model=object())


def test_saved_claim_model_round_trips_and_refuses_edited_tasks(fitted: ClaimClassifier, tmp_path) -> None:
    import stanceclf

    fitted.save(tmp_path / "claims")
    loaded = stanceclf.load(tmp_path / "claims")
    assert isinstance(loaded, ClaimClassifier) and loaded.tasks_ == fitted.tasks_
    texts = ["Crime rose 12 percent.", "The march ended near bridge 4."]
    assert [s.to_dict() for s in loaded.score_texts(texts)] == [s.to_dict() for s in fitted.score_texts(texts)]
    assert [s.to_dict() for s in stanceclf.classify_claims(texts, model=tmp_path / "claims")] == \
        [s.to_dict() for s in fitted.score_texts(texts)]
    config_path = tmp_path / "claims" / "config.json"
    config = json.loads(config_path.read_text())
    config["tasks"] = {"causal": ["CAUSAL", "NOT_CAUSAL"]}
    config_path.write_text(json.dumps(config))
    with pytest.raises(ModelError, match="'tasks'"):
        stanceclf.load(tmp_path / "claims")


def test_score_fields_cover_every_claim_task() -> None:
    from stanceclf.data.claims import CLAIM_TASKS, TASK_LABELS
    from stanceclf.types import CLAIM_SCORE_FIELDS

    assert set(SCORE_FIELDS) == set(CLAIM_TASKS)
    assert [field for field, _ in SCORE_FIELDS.values()] == list(CLAIM_SCORE_FIELDS)
    assert all(positive == TASK_LABELS[task][-1] for task, (_, positive) in SCORE_FIELDS.items())


def test_recalibrate_fits_the_given_tasks_and_survives_save_and_load(fitted: ClaimClassifier, tmp_path) -> None:
    import stanceclf
    from stanceclf.eval.harness import _notes

    fitted.save(tmp_path / "claims")
    model = stanceclf.load(tmp_path / "claims")
    assert model.task_biases_ == {} and model.recalibrated_on_ == []
    # rows from "another domain": check-worthiness only, where nine in ten sentences are check-worthy
    rows = [r for r in rows_as_dicts(claim_corpus(30, seed=5)) if r["target"] == "check-worthiness"]
    rows = [r for r in rows if r["label"] == "CHECKWORTHY"] + [r for r in rows if r["label"] != "CHECKWORTHY"][:3]
    for r in rows[:6]:  # some sentences the model does not know as check-worthy
        r["text"] = "They spoke for a while about the weather."
    texts = [r["text"] for r in rows]
    before = model.task_probabilities(texts)["check-worthiness"][:, model.tasks_["check-worthiness"].index("CHECKWORTHY")]
    others = {t: v for t, v in model.task_temperatures_.items() if t != "check-worthiness"}
    model.recalibrate(rows, source="mine/dev")
    after = model.task_probabilities(texts)["check-worthiness"][:, model.tasks_["check-worthiness"].index("CHECKWORTHY")]
    assert after.mean() > before.mean()  # moved towards the rows' nine-in-ten
    assert {t: v for t, v in model.task_temperatures_.items() if t != "check-worthiness"} == others
    assert set(model.task_biases_) == {"check-worthiness"}
    (record,) = model.recalibrated_on_
    assert record["source"] == "mine/dev" and record["task"] == "check-worthiness" and record["rows"] == len(rows)
    proba = model.predict_proba([(t, "check-worthiness") for t in texts])
    assert list(model.predict([(t, "check-worthiness") for t in texts])) == list(model.classes_[proba.argmax(1)])
    assert _notes(model, "mine", "dev") and not _notes(model, "mine", "test")
    assert model.fitted_summary()["recalibrated_on"] == [record]

    model.save(tmp_path / "recalibrated")
    loaded = stanceclf.load(tmp_path / "recalibrated")
    assert loaded.task_biases_ == model.task_biases_ and loaded.recalibrated_on_ == model.recalibrated_on_
    np.testing.assert_allclose(loaded.predict_proba([(t, "check-worthiness") for t in texts]), proba)
    config_path = tmp_path / "recalibrated" / "config.json"
    config = json.loads(config_path.read_text())
    config["task_biases"] = {"check-worthiness": {"OBJ": 1.0}}
    config_path.write_text(json.dumps(config))
    with pytest.raises(ModelError, match="'task_biases'"):
        stanceclf.load(tmp_path / "recalibrated")


def test_recalibrate_refuses_too_few_unlabelled_or_unknown_rows(fitted: ClaimClassifier) -> None:
    rows = rows_as_dicts(claim_corpus(10, seed=2))
    with pytest.raises(DataError, match="20 or more"):
        fitted.recalibrate(rows[:15])
    with pytest.raises(DataError, match="label for every row"):
        fitted.recalibrate([(r["text"], r["target"]) for r in rows])
    with pytest.raises(DataError, match="does not know"):
        fitted.recalibrate([{**r, "label": "OBJ"} if r["target"] == "causal" else r for r in rows])
    assert fitted.recalibrated_on_ == []  # nothing half-done


def test_calibrate_command_saves_a_recalibrated_copy(fitted: ClaimClassifier, tmp_path, capsys) -> None:
    import csv

    import stanceclf
    from stanceclf.cli import EXIT_OK, EXIT_USAGE, main

    fitted.save(tmp_path / "claims")
    path = tmp_path / "labelled.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sentence", "gold"])
        writer.writerows((t, lab) for t, task, lab in claim_corpus(12, seed=4) if task == "subjectivity")
    assert main(["calibrate", "--model", str(tmp_path / "claims"), "--file", str(path), "--text-column", "sentence",
                 "--label-column", "gold", "--task", "subjectivity", "--output", str(tmp_path / "out")]) == EXIT_OK
    model = stanceclf.load(tmp_path / "out")
    assert [(r["source"], r["task"], r["rows"]) for r in model.recalibrated_on_] == [("labelled.csv", "subjectivity", 24)]
    stance = stanceclf.create_model("tfidf", **TFIDF_FAST).fit(
        [("We back the plan.", "plan"), ("We support it.", "plan"), ("We oppose it.", "plan"), ("Scrap it.", "plan")],
        ["FAVOR", "FAVOR", "AGAINST", "AGAINST"])
    stance.save(tmp_path / "stance")
    capsys.readouterr()
    assert main(["calibrate", "--model", str(tmp_path / "stance"), "--file", str(path), "--task", "subjectivity",
                 "--output", str(tmp_path / "out2")]) == EXIT_USAGE
    assert "only claim models" in capsys.readouterr().err
