"""Loaders on tiny invented fixtures written in each dataset's real on-disk format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stanceclf.data import (
    CANONICAL_COLUMNS,
    DATASETS,
    DatasetInfo,
    available_datasets,
    load_dataset,
    load_fnc1,
    load_newsmtsc,
    load_persent,
    load_pstance,
    load_semeval2016,
    load_dse,
    load_perspectrum,
    load_table,
    load_vast,
    resolve_data_dir,
)
from stanceclf.errors import DataError, UnknownNameError

# --------------------------------------------------------------------------------------------------
# Fixture writers (all text invented)
# --------------------------------------------------------------------------------------------------

SEMEVAL_HEADER = "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment"


def _tsv_bytes(rows: list[str]) -> bytes:
    return ("\r\n".join([SEMEVAL_HEADER, *rows]) + "\r\n").encode("utf-8")


def write_semeval(root: Path) -> Path:
    d = root / "semeval2016_task6"
    d.mkdir(parents=True)
    train = _tsv_bytes([
        "101\tAtheism\tPrayer gets me through the morning #SemST\tAGAINST\tOTHER\tPOSITIVE",
        "102\tFeminist Movement\tEqual pay is overdue. #SemST\tFAVOR\tTARGET\tNEGATIVE",
    ])
    # a line with cp1252 smart quotes (invalid UTF-8), as in the real training file
    train += b'103\tHillary Clinton\t\x93Quoted words\x94 and more "half quote #SemST\tNONE\tOTHER\tNEUTRAL\r\n'
    (d / "trainingdata-all-annotations.txt").write_bytes(train)
    (d / "trialdata-all-annotations.txt").write_bytes(_tsv_bytes([
        "1\tHillary Clinton\tShe has my vote in the fall #SemST\tFAVOR\tTARGET\tPOSITIVE",
    ]))
    (d / "testdata-taskA-all-annotations.txt").write_bytes(_tsv_bytes([
        "10001\tClimate Change is a Real Concern\tThe glaciers are shrinking fast #SemST\tFAVOR\tTARGET\tNEGATIVE",
        "10002\tLegalization of Abortion\tEvery life counts #SemST\tAGAINST\tTARGET\tPOSITIVE",
    ]))
    (d / "testdata-taskB-all-annotations.txt").write_bytes(_tsv_bytes([
        "20001\tDonald Trump\tThe tower in town is tall #SemST\tNONE\tOTHER\tNEUTRAL",
    ]))
    return d


def _write_csv(path: Path, header: list[str], rows: list[list[object]], lineterminator: str = "\r\n") -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator=lineterminator)
        w.writerow(header)
        w.writerows(rows)


PSTANCE_NAMES = {"trump": "Donald Trump", "biden": "Joe Biden", "bernie": "Bernie Sanders"}


def write_pstance(root: Path) -> Path:
    d = root / "pstance"
    d.mkdir(parents=True)
    for t, full in PSTANCE_NAMES.items():
        for split, n in (("train", 3), ("val", 2), ("test", 1)):
            rows = [[f"Tweet {i} about {full}, with a comma", full, "FAVOR" if i % 2 else "AGAINST"] for i in range(n)]
            _write_csv(d / f"raw_{split}_{t}.csv", ["Tweet", "Target", "Stance"], rows)
    return d


def write_fnc1(root: Path) -> Path:
    d = root / "fnc1"
    d.mkdir(parents=True)
    for prefix, offset in (("train", 0), ("competition_test", 100)):
        _write_csv(
            d / f"{prefix}_bodies.csv",
            ["Body ID", "articleBody"],
            [[offset + 1, 'A rocket landed on a barge.\n\nOfficials called it "routine".'],
             [offset + 2, "Local bakery wins prize."]],
            lineterminator="\n",
        )
        _write_csv(
            d / f"{prefix}_stances.csv",
            ["Headline", "Body ID", "Stance"],
            [["Rocket lands on barge", offset + 1, "agree"],
             ["Rocket explodes", offset + 1, "disagree"],
             ["Rocket lands on barge", offset + 2, "unrelated"]],
            lineterminator="\n",
        )
    return d


def write_newsmtsc(root: Path) -> Path:
    d = root / "newsmtsc"
    d.mkdir(parents=True)
    s1 = "Mayor Ann Lee praised Governor Bo Chen on Tuesday."
    s2 = "Critics blasted Senator Ray Dunn."
    lines = [
        {"primary_gid": "g1", "sentence_normalized": s1, "targets": [
            {"Input.gid": "g1a", "from": 6, "to": 13, "mention": "Ann Lee", "polarity": 6.0},
            {"Input.gid": "g1b", "from": 31, "to": 38, "mention": "Bo Chen", "polarity": 4.0,
             "further_mentions": []},
        ]},
        {"primary_gid": "g2", "sentence_normalized": s2, "targets": [
            {"Input.gid": "g2a", "from": 24, "to": 32, "mention": "Ray Dunn", "polarity": 2.0},
        ]},
    ]
    for name in ("train", "devtest_rw", "devtest_mt"):
        (d / f"{name}.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return d


PERSENT_HEADER = ["DOCUMENT_INDEX", "TITLE", "TARGET_ENTITY", "DOCUMENT", "MASKED_DOCUMENT", "TRUE_SENTIMENT",
                  *[f"Paragraph{i}" for i in range(16)]]


def write_persent(root: Path) -> Path:
    d = root / "persent"
    d.mkdir(parents=True)
    for k, name in enumerate(("dev", "random_test", "fixed_test")):
        rows = [
            [k * 10 + 1, "LOCAL HERO", "Dana Fox", 'Dana Fox saved a cat.\n "It was nothing" Fox said.',
             '[TGT] saved a cat.\n "It was nothing" [TGT] said.', "Positive", "Positive", "Neutral", *[""] * 14],
            [k * 10 + 2, "COUNCIL VOTE", "Eli Moss", "Eli Moss voted.\n Nobody noticed.", "[TGT] voted.",
             "Neutral", "Neutral", *[""] * 15],
            [k * 10 + 3, "SCANDAL", "Kim Roe", "Kim Roe was fined.", "[TGT] was fined.", "Negative", "Negative",
             *[""] * 15],
        ]
        _write_csv(d / f"{name}.csv", PERSENT_HEADER, rows)
    return d


VAST_HEADER = ["author", "post", "ori_topic", "ori_id", "new_topic", "label", "type_idx", "new_id", "arc_id",
               "topic", "topic_str", "seen?", "contains_topic?"]


def write_vast(root: Path) -> Path:
    d = root / "vast"
    d.mkdir(parents=True)
    rows = [
        ["Ann", "Bike lanes make the city safer, I ride every day.", "bike lanes", "A1-P", "bike lanes", "1", "1",
         "11", "900", '["bike", "lanes"]', "bike lane", "1", "1"],
        ["Bo", "Taxes on soda never helped anyone.", "soda", "A2-P", "soda taxes", "0", "2", "12", "901",
         '["soda", "tax"]', "soda tax", "0", "0"],
        ["Cy", "The weather was mild.", "weather", "A3-P", "nuclear power", "2", "4", "13", "902",
         '["nuclear", "power"]', "nuclear power", "0", "0"],
    ]
    _write_csv(d / "vast_train.csv", VAST_HEADER, rows, lineterminator="\n")
    _write_csv(d / "vast_dev.csv", VAST_HEADER, rows[:2], lineterminator="\n")
    test_header = [*VAST_HEADER, "LexSim", "Qte", "Sarc", "Imp", "mlS", "mlT"]
    test_rows = [r + ["[]", "1", "0", "1", "0", "1"] for r in rows]
    _write_csv(d / "vast_test.csv", test_header, test_rows, lineterminator="\n")
    return d


def write_dse(root: Path) -> Path:
    d = root / "dse"
    d.mkdir(parents=True)
    lines = ["[Ada Lind] praised [Bo Kerr] for the canal plan.\tAda Lind\tBo Kerr\t1",
             "[Bo Kerr]'s allies blamed [Los Angele]s officials.\tBo Kerr\tLos Angele\t3",
             "[Cy Moe] met [Dee Ray] on Monday.\tCy Moe\tDee Ray\t0",
             "[Eve Sol] was attacked by [Fay Um] again.\tEve Sol\tFay Um\t4"]
    (d / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "valid.tsv").write_text(lines[0] + "\n" + "[Gus] admired [Hal] ?s courage.\tGus\tHal\t2\n",
                                 encoding="utf-8")
    return d


def write_perspectrum(root: Path) -> Path:
    d = root / "perspectrum"
    d.mkdir(parents=True)
    claims = [{"cId": 1, "text": "Towns should ban cars", "source": "x", "perspectives": [
                  {"pids": [10, 11], "stance_label_3": "SUPPORT"}, {"pids": [12], "stance_label_3": "UNDERMINE"},
                  {"pids": [11], "stance_label_3": "SUPPORT"}]},  # 11 listed twice: one row
              {"cId": 2, "text": "Homework should be abolished", "source": "x", "perspectives": [
                  {"pids": [13], "stance_label_3": "UNDERMINE"}]},
              {"cId": 3, "text": "Zoos are cruel", "source": "x", "perspectives": [
                  {"pids": [14], "stance_label_3": "SUPPORT"}]}]
    pool = [{"pId": i, "text": f"Perspective number {i}.", "source": "x"} for i in range(10, 15)]
    (d / "perspectrum_with_answers_v1.0.json").write_text(json.dumps(claims))
    (d / "perspective_pool_v1.0.json").write_text(json.dumps(pool))
    (d / "dataset_split_v1.0.json").write_text(json.dumps({"1": "train", "2": "dev", "3": "test"}))
    return d


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "data"
    for writer in (write_semeval, write_pstance, write_fnc1, write_newsmtsc, write_persent, write_vast, write_dse,
                   write_perspectrum):
        writer(r)
    return r


def _check_schema(ds) -> None:
    for split in ds.values():
        for col in CANONICAL_COLUMNS:
            assert col in split.column_names
            assert split.features[col].dtype == "string"
        ids = split["id"]
        assert len(set(ids)) == len(ids)


# --------------------------------------------------------------------------------------------------
# Dataset loaders
# --------------------------------------------------------------------------------------------------


def test_semeval_task_a(root: Path) -> None:
    ds = load_semeval2016(root)
    _check_schema(ds)
    assert sorted(ds) == ["test", "train"]
    assert ds["train"].num_rows == 4 and ds["test"].num_rows == 2  # train + trial
    row = ds["train"][2]
    assert row["text"].startswith("\u201cQuoted words\u201d")  # cp1252 fallback, no crash
    assert '"half quote' in row["text"]  # QUOTE_NONE: the stray quote stays
    assert row["text"].endswith("#SemST")
    assert row["label"] == "NONE" and row["target"] == "Hillary Clinton" and row["id"] == "semeval2016:103"
    assert ds["train"][0]["opinion_towards"] == "OTHER" and ds["train"][0]["sentiment"] == "POSITIVE"
    assert set(ds["train"]["dataset"]) == {"semeval2016"}
    assert "\r" not in "".join(ds["train"]["sentiment"])


def test_semeval_task_b_and_dataset_folder_itself(root: Path) -> None:
    ds = load_semeval2016(root / "semeval2016_task6", task="b")
    assert list(ds) == ["test"]
    assert ds["test"]["target"] == ["Donald Trump"]
    assert ds["test"]["dataset"] == ["semeval2016_taskb"]
    with pytest.raises(DataError, match="task"):
        load_semeval2016(root, task="C")


def test_pstance_targets(root: Path) -> None:
    ds = load_pstance(root)
    _check_schema(ds)
    assert {k: v.num_rows for k, v in ds.items()} == {"train": 9, "validation": 6, "test": 3}
    assert set(ds["train"]["label"]) == {"FAVOR", "AGAINST"}
    assert ds["train"][0]["text"] == "Tweet 0 about Donald Trump, with a comma"
    two = load_pstance(root, targets=("Donald Trump", "SANDERS", "bernie"))
    assert set(two["train"]["target"]) == {"Donald Trump", "Bernie Sanders"}
    assert load_pstance(root, targets="biden")["test"]["target"] == ["Joe Biden"]
    with pytest.raises(DataError, match="obama"):
        load_pstance(root, targets=["obama"])


def test_fnc1_joins_bodies(root: Path) -> None:
    ds = load_fnc1(root)
    _check_schema(ds)
    assert ds["train"].num_rows == 3 and ds["test"].num_rows == 3
    row = ds["train"][0]
    assert row["text"] == 'A rocket landed on a barge.\n\nOfficials called it "routine".'
    assert row["target"] == "Rocket lands on barge" and row["label"] == "agree" and row["body_id"] == 1
    assert ds["test"]["body_id"] == [101, 101, 102]
    assert ds["train"].features["body_id"].dtype == "int64"


def test_fnc1_missing_body_names_file_and_row(root: Path) -> None:
    path = root / "fnc1" / "train_stances.csv"
    _write_csv(path, ["Headline", "Body ID", "Stance"], [["ok", 1, "agree"], ["lost", 77, "discuss"]], "\n")
    with pytest.raises(DataError) as err:
        load_fnc1(root)
    msg = str(err.value)
    assert str(path) in msg and "row 2" in msg and "77" in msg


def test_newsmtsc_one_row_per_target(root: Path) -> None:
    ds = load_newsmtsc(root)
    _check_schema(ds)
    assert sorted(ds) == ["devtest_mt", "devtest_rw", "train"]
    tr = ds["train"]
    assert tr.num_rows == 3
    assert tr["label"] == ["FAVOR", "NONE", "AGAINST"]
    assert tr["target"] == ["Ann Lee", "Bo Chen", "Ray Dunn"]
    for r in tr:
        assert r["text"][r["target_start"]:r["target_end"]] == r["target"]
    assert tr.features["target_start"].dtype == "int64"


def test_persent_multiline(root: Path) -> None:
    ds = load_persent(root)
    _check_schema(ds)
    assert sorted(ds) == ["fixed_test", "random_test", "validation"]
    v = ds["validation"]
    assert v["label"] == ["FAVOR", "NONE", "AGAINST"]
    assert v["target"] == ["Dana Fox", "Eli Moss", "Kim Roe"]
    assert '"It was nothing"' in v[0]["text"] and "\n" in v[0]["text"]
    assert v[0]["title"] == "LOCAL HERO"


def test_vast(root: Path) -> None:
    ds = load_vast(root)
    _check_schema(ds)
    assert {k: v.num_rows for k, v in ds.items()} == {"train": 3, "validation": 2, "test": 3}
    te = ds["test"]
    assert te["label"] == ["FAVOR", "AGAINST", "NONE"]
    assert te["target"] == ["bike lanes", "soda taxes", "nuclear power"]  # new_topic, not topic_str
    assert te["speaker"] == ["Ann", "Bo", "Cy"]
    assert te["seen"] == [1, 0, 0]
    assert te["qte"] == [1, 1, 1] and te["is_sarc"] == [0, 0, 0] and te["is_imp"] == [1, 1, 1]
    assert ds["train"]["qte"] == [-1, -1, -1]  # column only in the test file
    assert te.features["seen"].dtype == "int64"
    assert te[0]["id"] == "vast:test:11"


def test_vast_topic_str_fallback(tmp_path: Path) -> None:
    d = tmp_path / "vast"
    d.mkdir()
    for name in ("vast_train.csv", "vast_dev.csv", "vast_test.csv"):
        _write_csv(d / name, ["post", "topic_str", "label", "seen?"], [["Invented post.", "gun control", "0.0", "1"]])
    ds = load_vast(d)
    assert ds["test"][0]["target"] == "gun control" and ds["test"][0]["label"] == "AGAINST"
    assert "qte" not in ds["test"].column_names


# --------------------------------------------------------------------------------------------------
# load_table
# --------------------------------------------------------------------------------------------------


def test_table_csv_synonyms_and_fixed_target(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    _write_csv(path, ["text", "label", "who"], [["We need it.", "pro", "Al"], ["No way.", "con", "Bea"],
                                                  ["Hmm.", "neutral", "Cal"]])
    ds = load_table(path, target="Vaccines", speaker_column="who", name="mine")
    _check_schema(ds)
    tr = ds["train"]
    assert tr["label"] == ["FAVOR", "AGAINST", "NONE"]
    assert tr["target"] == ["Vaccines"] * 3 and tr["speaker"] == ["Al", "Bea", "Cal"]
    assert set(tr["dataset"]) == {"mine"}


def test_table_jsonl_int_label_map_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    rows = [{"body": "Invented one.", "topic": "x", "y": 0, "uid": "a", "ctx": "before"},
            {"body": "Invented two.", "topic": "y", "y": 1, "uid": "b", "ctx": ""}]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    ds = load_table(path, text_column="body", target_column="topic", label_column="y",
                    label_map={0: "AGAINST", 1: "FAVOR"}, id_column="uid", context_column="ctx", split="test")
    te = ds["test"]
    assert te["label"] == ["AGAINST", "FAVOR"] and te["id"] == ["custom:a", "custom:b"]
    assert te["context"] == ["before", ""]


def test_table_tsv_string_label_map(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    _write_csv(path, ["text", "target", "label"], [["Invented.", "t", "1"]])
    path.write_text(path.read_text().replace(",", "\t"))
    ds = load_table(path, label_map={"1": "FAVOR"})
    assert ds["train"]["label"] == ["FAVOR"]


def test_table_dataset_and_datasetdict_and_unlabelled(tmp_path: Path) -> None:
    from datasets import Dataset, DatasetDict

    raw = Dataset.from_dict({"text": ["Invented a.", "Invented b."], "target": ["t", "t"], "label": [2, 0]})
    ds = load_table(raw, label_map={0: "AGAINST", 1: "FAVOR", 2: "NONE"})
    assert ds["train"]["label"] == ["NONE", "AGAINST"]
    dd = load_table(DatasetDict({"dev": raw, "eval": raw}), label_map={0: "AGAINST", 2: "NONE"})
    assert sorted(dd) == ["dev", "eval"]
    unl = load_table(raw.remove_columns("label"), label_column=None)
    assert unl["train"]["label"] == ["", ""]


def test_table_bad_inputs(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    _write_csv(path, ["text", "target", "label"], [["Fine.", "t", "FAVOR"], ["Odd.", "t", "maybe"]])
    with pytest.raises(DataError) as err:
        load_table(path)
    msg = str(err.value)
    assert str(path) in msg and "row 2" in msg and "'maybe'" in msg and "label_map=" in msg and "FAVOR" in msg

    _write_csv(path, ["text", "target", "label"], [["Fine.", "t", "FAVOR"], ["   ", "t", "FAVOR"]])
    with pytest.raises(DataError) as err:
        load_table(path)
    assert str(path) in str(err.value) and "row 2" in str(err.value) and "Empty text" in str(err.value)

    _write_csv(path, ["text", "target"], [["Fine.", "t"]])
    with pytest.raises(DataError) as err:
        load_table(path)
    msg = str(err.value)
    assert str(path) in msg and "'label'" in msg and "found columns" in msg and "'text'" in msg
    assert load_table(path, label_column=None)["train"]["label"] == [""]

    _write_csv(path, ["text", "label"], [["Fine.", "FAVOR"]])
    with pytest.raises(DataError, match="target="):
        load_table(path)

    with pytest.raises(DataError) as err:
        load_table(tmp_path / "nope.csv")
    assert str(tmp_path / "nope.csv") in str(err.value)

    with pytest.raises(DataError) as err:
        load_table(path, target="t", label_map={"AGAINST": "AGAINST"})
    assert "'FAVOR'" in str(err.value) and "label_map" in str(err.value)


# --------------------------------------------------------------------------------------------------
# Data directory, registry and errors in the bundled loaders
# --------------------------------------------------------------------------------------------------


def test_env_var_and_no_default(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCECLF_DATA", str(root))
    assert resolve_data_dir(None) == root
    assert load_semeval2016()["test"].num_rows == 2
    assert load_dataset("fnc1")["train"].num_rows == 3
    monkeypatch.delenv("STANCECLF_DATA")
    with pytest.raises(DataError) as err:
        load_semeval2016()
    assert "--data-dir" in str(err.value) and "STANCECLF_DATA" in str(err.value)
    with pytest.raises(DataError, match="does not exist"):
        resolve_data_dir(root / "missing")


def test_missing_file_names_full_path(root: Path) -> None:
    (root / "persent" / "fixed_test.csv").unlink()
    with pytest.raises(DataError) as err:
        load_persent(root)
    assert str(root / "persent" / "fixed_test.csv") in str(err.value)
    empty = root.parent / "empty"
    empty.mkdir()
    with pytest.raises(DataError) as err:
        load_newsmtsc(empty)
    assert str(empty / "newsmtsc" / "train.jsonl") in str(err.value)


def test_missing_column_names_file_and_columns(root: Path) -> None:
    path = root / "pstance" / "raw_val_biden.csv"
    _write_csv(path, ["Tweet", "Target", "Label"], [["Invented.", "Joe Biden", "FAVOR"]])
    with pytest.raises(DataError) as err:
        load_pstance(root, targets="biden")
    msg = str(err.value)
    assert str(path) in msg and "'Stance'" in msg and "'Label'" in msg


def test_unknown_label_in_builtin_loader(root: Path) -> None:
    path = root / "pstance" / "raw_test_trump.csv"
    _write_csv(path, ["Tweet", "Target", "Stance"], [["Invented a.", "Donald Trump", "FAVOR"],
                                                     ["Invented b.", "Donald Trump", "NONE"]])
    with pytest.raises(DataError) as err:
        load_pstance(root, targets="trump")
    msg = str(err.value)
    assert str(path) in msg and "row 2" in msg and "'NONE'" in msg and "AGAINST, FAVOR" in msg
    assert "label_map=" in msg


def test_empty_text_in_builtin_loader(root: Path) -> None:
    d = root / "semeval2016_task6"
    (d / "testdata-taskA-all-annotations.txt").write_bytes(_tsv_bytes([
        "10001\tAtheism\tFine text\tFAVOR\tTARGET\tNEGATIVE",
        "10002\tAtheism\t  \tAGAINST\tTARGET\tPOSITIVE",
    ]))
    with pytest.raises(DataError) as err:
        load_semeval2016(root)
    msg = str(err.value)
    assert str(d / "testdata-taskA-all-annotations.txt") in msg and "line 3" in msg and "row 2" in msg


def test_bad_newsmtsc_polarity(root: Path) -> None:
    path = root / "newsmtsc" / "devtest_mt.jsonl"
    path.write_text(json.dumps({"sentence_normalized": "Invented.", "targets": [
        {"from": 0, "to": 3, "mention": "Inv", "polarity": 5.0}]}) + "\n")
    with pytest.raises(DataError) as err:
        load_newsmtsc(root)
    assert str(path) in str(err.value) and "line 1" in str(err.value) and "5.0" in str(err.value)


def test_registry_and_unknown_name(root: Path) -> None:
    stance = {n for n, record in DATASETS.items() if record.task == "stance"}  # claims: tests/test_claim_loaders.py
    assert stance == {"semeval2016", "semeval2016_taskb", "pstance", "fnc1", "newsmtsc", "persent", "vast",
                      "dse", "perspectrum", "polnear-stance"}
    info = DATASETS["newsmtsc"]
    assert isinstance(info, DatasetInfo)
    assert info.test_splits == ("devtest_rw", "devtest_mt") and info.dev_split is None
    assert DATASETS["semeval2016"].main_metric == "f_avg" and DATASETS["fnc1"].main_metric == "fnc_score"
    assert DATASETS["persent"].train_split is None
    with pytest.raises(AttributeError):
        info.name = "other"  # type: ignore[misc]
    with pytest.raises(UnknownNameError) as err:
        load_dataset("semeval2061", root)
    assert "Did you mean 'semeval2016'" in str(err.value)
    assert isinstance(err.value, KeyError)
    assert load_dataset("semeval2016_taskb", root)["test"].num_rows == 1
    assert load_dataset("pstance", root, targets=["trump"])["train"].num_rows == 3
    assert available_datasets(root) == [n for n in DATASETS if n in stance - {"polnear-stance"}]  # no PolNeAR here
    (root / "vast" / "vast_dev.csv").unlink()
    assert "vast" not in available_datasets(root)


# --------------------------------------------------------------------------------------------------
# DSE and Perspectrum
# --------------------------------------------------------------------------------------------------


def test_dse_gives_both_directions_with_speakers(root: Path) -> None:
    ds = load_dse(root)
    _check_schema(ds)
    train = ds["train"]
    assert train.num_rows == 8  # 4 sentences x 2 directions
    rows = list(zip(train["speaker"], train["target"], train["label"]))
    assert rows[:2] == [("Ada Lind", "Bo Kerr", "FAVOR"), ("Bo Kerr", "Ada Lind", "NONE")]
    assert rows[2:4] == [("Bo Kerr", "Los Angeles", "AGAINST"), ("Los Angeles", "Bo Kerr", "NONE")]  # word grown
    assert rows[4:6] == [("Cy Moe", "Dee Ray", "NONE"), ("Dee Ray", "Cy Moe", "NONE")]
    assert rows[6:8] == [("Eve Sol", "Fay Um", "NONE"), ("Fay Um", "Eve Sol", "AGAINST")]  # label 4: ent2 -> ent1
    assert train["text"][0] == "Ada Lind praised Bo Kerr for the canal plan."  # brackets stripped
    assert ds["validation"]["direction"] == ["forward", "backward", "forward", "backward"]
    assert ds["validation"]["label"][2:] == ["NONE", "FAVOR"]
    assert load_dataset("dse", root)["validation"].num_rows == 4


def test_dse_rejects_bad_rows(root: Path) -> None:
    path = root / "dse" / "valid.tsv"
    path.write_text("[Ada] met [Bo].\tAda\tBo\t7\n")
    with pytest.raises(DataError, match="7"):
        load_dse(root)
    path.write_text("Ada met [Bo].\tAda\tBo\t1\n")
    with pytest.raises(DataError, match="two entities"):
        load_dse(root)


def test_perspectrum_splits_by_claim(root: Path) -> None:
    ds = load_perspectrum(root)
    _check_schema(ds)
    assert {k: v.num_rows for k, v in ds.items()} == {"train": 3, "validation": 1, "test": 1}
    assert ds["train"]["label"] == ["FAVOR", "FAVOR", "AGAINST"]
    assert set(ds["train"]["target"]) == {"Towns should ban cars"}
    assert ds["validation"][0]["text"] == "Perspective number 13." and ds["validation"][0]["claim_id"] == 2
    assert not set(ds["train"]["target"]) & set(ds["validation"]["target"])  # unseen targets
    assert DATASETS["perspectrum"].labels == ("AGAINST", "FAVOR")


def test_perspectrum_unknown_perspective_is_reported(root: Path) -> None:
    path = root / "perspectrum" / "perspectrum_with_answers_v1.0.json"
    path.write_text(json.dumps([{"cId": 1, "text": "Towns should ban cars", "perspectives": [
        {"pids": [99], "stance_label_3": "SUPPORT"}]}]))
    with pytest.raises(DataError, match="99"):
        load_perspectrum(root)


# --------------------------------------------------------------------------------------------------
# Malformed files: only DataError, naming the file and line; nothing lost silently
# --------------------------------------------------------------------------------------------------

_PSTANCE_ROWS = [
    "Tweet,Target,Stance",
    "First tweet about the wall,Donald Trump,FAVOR",
    '"Second tweet opens a quote and never closes it,Donald Trump,AGAINST',
    "Third tweet,Donald Trump,FAVOR",
]


@pytest.mark.parametrize("last_row", [
    "Fourth tweet,Donald Trump,AGAINST",  # the quote runs to the end of the file
    'Fourth tweet ends with a bare quote",Donald Trump,AGAINST',  # it closes on a later row: fields still fit
    '"Fourth, quoted tweet",Donald Trump,AGAINST',  # it closes at the next quoted field
])
def test_unclosed_quote_does_not_swallow_rows(root: Path, last_row: str) -> None:
    path = root / "pstance" / "raw_test_trump.csv"
    path.write_text("\r\n".join([*_PSTANCE_ROWS, last_row]) + "\r\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_pstance(root, targets="trump")
    msg = str(err.value)
    assert str(path) in msg and "line 3" in msg and "quote" in msg


def test_unclosed_quote_in_a_multiline_column(root: Path) -> None:
    # article bodies may span lines, so the quote is caught by the strict quoting rules instead
    path = root / "fnc1" / "train_bodies.csv"
    path.write_text('Body ID,articleBody\n1,"A rocket landed.\n\nOfficials agreed.\n2,Bakery "wins", said "Bo"\n'
                    '3,"Last body."\n', encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        load_fnc1(root)
    table = root / "table.csv"
    table.write_text('text,label\n"unclosed,FAVOR\nsecond,AGAINST\n', encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        load_table(table, target="Cars")


def test_quoted_multiline_fields_still_load(root: Path) -> None:
    ds = load_fnc1(root)  # the fixture's first body spans three lines
    assert "\n\n" in ds["train"][0]["text"]


@pytest.mark.parametrize("content, message", [
    ("Tweet,Target,Stance\nCaf\xe9 tweet,Donald Trump,FAVOR\n".encode("latin-1"), "not valid UTF-8"),
    (b"\xff\xfe\x00\x01binary", "not valid UTF-8"),
    (b"Tweet,Target\n", "missing column"),
    (b"Tweet,Target,Stance\nOnly two,fields\n", "2 fields but the header has 3"),
    (b"", "is empty"),
])
def test_broken_pstance_files(root: Path, content: bytes, message: str) -> None:
    (root / "pstance" / "raw_val_trump.csv").write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_pstance(root, targets="trump")


@pytest.mark.parametrize("line, message", [
    ('{"sentence_normalized": "Bad \\ud800 text.", "targets": [{"from": 0, "to": 3, "mention": "Bad", '
     '"polarity": 6.0}]}', "lone surrogate"),
    ('{"sentence_normalized": "Big.", "targets": [{"from": 1000000000000000000000000000000, "to": 3, '
     '"mention": "Big", "polarity": 6.0}]}', "64-bit"),
    ('{"sentence_normalized": "Big.", "targets": [{"from": ' + "9" * 5000 + ', "to": 3}]}', "not valid JSON"),
    ('{"sentence_normalized": ["a", "list"], "targets": [{"from": 0, "to": 3, "mention": "x", "polarity": 6.0}]}',
     "should hold a string"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_broken_json_lines(root: Path, line: str, message: str) -> None:
    path = root / "newsmtsc" / "train.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_newsmtsc(root)


@pytest.mark.parametrize("claims, pool, message", [
    ([{"cId": 1, "text": "Claim", "perspectives": 5}], None, "list of clusters"),
    ([{"cId": "x", "text": "Claim", "perspectives": []}], None, "cId"),
    ([{"cId": 1, "text": "Claim", "perspectives": [{"pids": [10], "stance_label_3": ["SUPPORT"]}]}], None,
     "Unknown label"),
    (None, [{"pId": "ten", "text": "A perspective."}], "pId"),
])
def test_broken_perspectrum(root: Path, claims, pool, message: str) -> None:
    d = root / "perspectrum"
    if claims is not None:
        (d / "perspectrum_with_answers_v1.0.json").write_text(json.dumps(claims))
    if pool is not None:
        (d / "perspective_pool_v1.0.json").write_text(json.dumps(pool))
    with pytest.raises(DataError, match=message):
        load_perspectrum(root)


POLNEAR_TEXT = "Ann Lee said the canal plan would fail."


def polnear_record() -> dict:
    from stanceclf.data.polnear_stance import content_hash

    return {"id": "r1", "article": "a1", "attribution": "E1", "content": [[13, 38]],
            "content_sha1": content_hash(POLNEAR_TEXT, [(13, 38)]), "target": "canal plan", "label": "AGAINST",
            "speaker": "Ann Lee", "source": [[0, 7]], "cue": [[8, 12]], "aliases": ["the canal"]}


def write_polnear_stance(root: Path) -> Path:
    """A PolNeAR copy with one article per split under ``root/polnear`` and its records in ``root/records``."""
    for split in ("train", "dev"):
        (root / "polnear" / split / "text").mkdir(parents=True)
        (root / "polnear" / split / "text" / "a1.txt").write_text(POLNEAR_TEXT, encoding="utf-8")
    (root / "records").mkdir()
    for name in ("train.jsonl", "dev.jsonl"):
        (root / "records" / name).write_text(json.dumps(polnear_record()) + "\n")
    return root / "records"


def test_broken_polnear_stance_records(tmp_path: Path) -> None:
    from stanceclf.data.polnear_stance import load_polnear_stance

    data = tmp_path
    records = write_polnear_stance(data)
    good = polnear_record()
    row = load_polnear_stance(data, records_dir=records)["validation"][0]
    assert (row["label"], row["text"]) == ("AGAINST", POLNEAR_TEXT)
    for change, message in [({"content": 5}, "offset pairs"), ({"aliases": [1, 2]}, "aliases"),
                            ({"label": ["AGAINST"]}, "label"), ({"article": "x" * 5000}, "missing"),
                            ({"target": {"a": 1}}, "target should be a string")]:
        (records / "dev.jsonl").write_text(json.dumps({**good, **change}) + "\n")
        with pytest.raises(DataError, match=message):
            load_polnear_stance(data, records_dir=records)
    (records / "dev.jsonl").write_text(json.dumps(good) + "\n")
    (data / "polnear" / "dev" / "text" / "a1.txt").write_bytes("Ann Lee said caf\xe9.".encode("latin-1"))
    with pytest.raises(DataError, match="not valid UTF-8"):
        load_polnear_stance(data, records_dir=records)
