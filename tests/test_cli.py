"""The command line: train -> predict -> evaluate on a tiny fixture, and stable exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanceclf.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, main

from conftest import write_semeval_fixture

FAST = ["--param", "c_grid=[1.0]", "--param", "class_weight_grid=[null]", "--param", "cv=2"]


@pytest.fixture(scope="module")
def data_root(tmp_path_factory) -> Path:
    return write_semeval_fixture(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def trained(data_root: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "model"
    assert main(["train", "--model", "tfidf", "--dataset", "semeval2016", "--data-dir", str(data_root),
                 "--output", str(out), *FAST]) == EXIT_OK
    return out


def test_train_writes_a_loadable_model(trained: Path) -> None:
    assert (trained / "config.json").is_file() and (trained / "model.skops").is_file()


def test_predict_single_pair(trained: Path, capsys) -> None:
    assert main(["predict", "--model", str(trained), "--text", "I love reactors, a brilliant idea",
                 "--target", "Nuclear Power"]) == EXIT_OK
    record = json.loads(capsys.readouterr().out)
    assert record["label"] == "FAVOR"
    assert abs(sum(record["probabilities"].values()) - 1) < 1e-6


def test_predict_file_reports_bad_rows_and_exits_3(trained: Path, tmp_path: Path, capsys) -> None:
    rows = [{"text": "I hate uranium, they are terrible", "target": "Nuclear Power"},
            {"text": "", "target": "Nuclear Power"},
            {"text": "hooray for rockets", "target": "Space Exploration"}]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(trained), "--input", str(src), "--output", str(out)]) == EXIT_PARTIAL
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3  # one output per input row, errors included
    by_row = {r["row"]: r for r in records}
    assert by_row[1]["label"] == "AGAINST" and by_row[3]["label"] == "FAVOR"
    assert "error" in by_row[2]
    assert "1 of 3 rows" in capsys.readouterr().err


def test_predict_carries_speakers_through(trained: Path, tmp_path: Path, capsys) -> None:
    assert main(["predict", "--model", str(trained), "--text", "I love reactors", "--target", "Nuclear Power",
                 "--speaker", "Ada Lind"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["speaker"] == "Ada Lind"
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "hooray for rockets", "target": "Space Exploration", "who": "Bo Kerr"}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(trained), "--input", str(src), "--output", str(out),
                 "--speaker-column", "who"]) == EXIT_OK
    assert json.loads(out.read_text())["speaker"] == "Bo Kerr"


def test_evaluate_saved_model_writes_json(trained: Path, data_root: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "result.json"
    assert main(["evaluate", "--model", str(trained), "--dataset", "semeval2016", "--data-dir", str(data_root),
                 "--output", str(out), "--bootstrap", "50"]) == EXIT_OK
    (result,) = json.loads(out.read_text())
    assert result["dataset"] == "semeval2016" and result["scores"]["main_metric"] == "f_avg"
    assert "f_avg" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["evaluate", "--model", "tfidf", "--dataset", "semevall"], "Did you mean"),
    (["train", "--model", "tfidff", "--dataset", "semeval2016", "--output", "x"], "tfidf"),
    (["predict", "--model", "/no/such/model", "--text", "a", "--target", "b"], "does not exist"),
    (["evaluate", "--model", "tfidf", "--dataset", "semeval2016", "--data-dir", "/no/such/dir"], "/no/such/dir"),
])
def test_bad_input_exits_2_with_a_clear_message(argv, message, capsys, data_root: Path) -> None:
    if "--data-dir" not in argv:
        argv = [*argv, "--data-dir", str(data_root)] if argv[0] != "predict" else argv
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "error:" in err and message in err
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == EXIT_USAGE
    assert "train" in capsys.readouterr().out


def test_quotes_command_reports_bad_files_and_refuses_missing_ones(tmp_path: Path, capsys) -> None:
    pytest.importorskip("spacy")
    good = tmp_path / "a.txt"
    good.write_text('"We will rebuild the bridge," Mayor Anna Lind said.', encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   \n")
    assert main(["quotes", str(good), str(tmp_path / "missing.txt")]) == EXIT_USAGE  # a typo: nothing runs
    assert "input not found" in capsys.readouterr().err
    code = main(["quotes", str(good), str(tmp_path / "empty.txt"), "--format", "jsonl"])
    captured = capsys.readouterr()
    assert code == EXIT_PARTIAL
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert lines[0]["speaker"] == "Anna Lind"
    assert any("empty" in line.get("error", "") for line in lines)  # an empty file is reported, not "0 quotes"


def test_evaluate_with_param_keeps_the_registry_name(data_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    # tfidf-joint's class calls itself "tfidf": the result must still say which registry entry ran
    assert main(["evaluate", "--model", "tfidf-joint", "--dataset", "semeval2016", "--data-dir", str(data_root),
                 "--output", str(out), "--bootstrap", "20", *FAST]) == EXIT_OK
    (result,) = json.loads(out.read_text())
    assert result["model"] == "tfidf-joint" and result["model_params"]["cv"] == 2


def test_train_never_overwrites_what_is_not_its_model(data_root: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "project"
    other.mkdir()
    (other / "config.json").write_text('{"my": "settings"}')
    argv = ["train", "--model", "tfidf", "--dataset", "semeval2016", "--data-dir", str(data_root), *FAST]
    assert main([*argv, "--output", str(other)]) == EXIT_USAGE
    assert (other / "config.json").read_text() == '{"my": "settings"}'
    assert "holds no stanceclf model" in capsys.readouterr().err
    saved = tmp_path / "model"
    assert main([*argv, "--output", str(saved)]) == EXIT_OK
    assert main([*argv, "--output", str(saved)]) == EXIT_USAGE  # an earlier model: only with --overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert main([*argv, "--output", str(saved), "--overwrite"]) == EXIT_OK


def test_predict_reports_odd_rows_and_keeps_going(trained: Path, tmp_path: Path, capsys) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('[1]\n{"text": "I love reactors", "target": "Nuclear Power"}\n')
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(trained), "--input", str(src), "--output", str(out)]) == EXIT_PARTIAL
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert "error" in records[0] and records[1]["label"] in {"FAVOR", "AGAINST", "NONE"}  # the row after is predicted
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,target\ncaf\xe9 au lait,coffee\n".encode("latin-1"))
    assert main(["predict", "--model", str(trained), "--input", str(latin)]) == EXIT_USAGE
    assert "not valid UTF-8" in capsys.readouterr().err
    assert main(["predict", "--model", str(trained), "--input", str(src), "--batch-size", "0"]) == EXIT_USAGE


def write_pstance_fixture(root: Path) -> Path:
    """A learnable P-Stance-format fixture (FAVOR/AGAINST tweets, invented) with its validation split."""
    import csv

    from conftest import make_corpus

    d = root / "pstance"
    d.mkdir(parents=True)
    targets = {"trump": ("Donald Trump", ("the wall", "tax cuts")), "biden": ("Joe Biden", ("the infrastructure bill",
               "student debt relief")), "bernie": ("Bernie Sanders", ("medicare for all", "free college"))}
    for key, (name, nouns) in targets.items():
        for split, n, seed in (("train", 6, 1), ("val", 4, 2), ("test", 2, 3)):
            rows = [r for r in make_corpus(n, seed=seed, targets={name: nouns}) if r[2] != "NONE"]
            with open(d / f"raw_{split}_{key}.csv", "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["Tweet", "Target", "Stance"])
                writer.writerows([[text, target, label] for text, target, label in rows])
    return root


def test_train_and_evaluate_train_the_same_model_with_the_dev_split(tmp_path: Path) -> None:
    """Both commands pick train/dev the same way (harness.train_dev_splits): the ensemble's weights
    are chosen on P-Stance's validation split by `train` just as by `evaluate`."""
    import stanceclf

    root = write_pstance_fixture(tmp_path / "data")
    member = {"c_grid": [1.0], "class_weight_grid": [None], "cv": 2}
    members = json.dumps([{"model": "tfidf", "params": member}, {"model": "tfidf-joint", "params": member}])
    common = ["--model", "default+tfidf", "--dataset", "pstance", "--data-dir", str(root),
              "--param", f"members={members}"]
    assert main(["train", *common, "--output", str(tmp_path / "trained")]) == EXIT_OK
    assert main(["evaluate", *common, "--save-model", str(tmp_path / "evaluated"), "--bootstrap", "20"]) == EXIT_OK
    trained = json.loads((tmp_path / "trained" / "config.json").read_text())
    evaluated = json.loads((tmp_path / "evaluated" / "config.json").read_text())
    assert trained["dev_scores_"] and trained["dev_scores_"] == evaluated["dev_scores_"]  # weights chosen on dev
    assert trained["weights_"] == evaluated["weights_"] and trained["params"] == evaluated["params"]
    X = [("I love the wall, a brilliant idea", "Donald Trump"), ("shame on free college", "Bernie Sanders")]
    a, b = stanceclf.load(tmp_path / "trained"), stanceclf.load(tmp_path / "evaluated")
    assert (a.predict_proba(X) == b.predict_proba(X)).all()


def test_a_closed_standard_output_stops_quietly(tmp_path):
    """`stanceclf ... | head`: the reader leaves early; no traceback, exit code 141."""
    import subprocess
    import sys

    pytest.importorskip("spacy")
    article = tmp_path / "a.txt"
    article.write_text(" ".join(f'"We need {n} more ferries," said Mayor Lena Dahl.' for n in range(300)),
                       encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "stanceclf.cli", "quotes", str(article), "--extractor", "rules",
                             "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)  # one look, then the reader goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err
