"""Claim loaders (CheckThat! 2024 and 2020, ClaimBuster, NewsSD-ENG, Causal News Corpus) and the overlap check.

Tiny invented fixtures in each dataset's on-disk format; then, when the real data is there
(``STANCECLF_DATA``, else ``<repo>/../shared/data``), the row and label counts of each dataset and the
measured overlaps between training sources and test splits. No data is stored in the repository.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from stanceclf.data import (CANONICAL_COLUMNS, DATASETS, available_datasets, drop_overlaps, get_dataset_info,
                            load_checkthat2020, load_checkthat2024, load_claimbuster, load_cnc, load_dataset,
                            load_newssd, normalise_text, overlapping_texts)
from stanceclf.data.claims import (CAUSAL, CHECKWORTHINESS, CHECKWORTHINESS_LABELS, CHECKWORTHY, CLAIM_TASKS,
                                   NOT_CAUSAL, NOT_CHECKWORTHY, SUBJ, TASK_LABELS)
from stanceclf.data.claims_debates import fix_mojibake
from stanceclf.errors import DataError

# --------------------------------------------------------------------------------------------------
# Fixture writers (all sentences invented)
# --------------------------------------------------------------------------------------------------



def _mojibake(text: str, times: int) -> str:
    """``text`` written as UTF-8 and read as cp1252 ``times`` times (the bytes cp1252 leaves undefined
    become C1 controls, as a lenient decoder leaves them)."""
    for _ in range(times):
        text = "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
                       for b in text.encode("utf-8"))
    return text


#: "it’s" as in ClaimBuster's crowdsourced.csv: "itÃ¢â‚¬â„¢s"
MOJIBAKE_ITS = _mojibake("it\u2019s", 2)

CT24_FILES = {"train": "CT24_checkworthy_english_train.tsv", "validation": "CT24_checkworthy_english_dev.tsv",
              "dev_test": "CT24_checkworthy_english_dev-test.tsv", "test": "CT24_checkworthy_english_test_gold.tsv"}


def _write(path: Path, lines: list[str], end: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + end, encoding="utf-8")


def write_ct24(root: Path) -> Path:
    d = root / "checkthat2024_task1_en"
    header = "Sentence_id\tText\tclass_label"
    _write(d / CT24_FILES["train"], [header, "1\tThe bridge cost nine million dollars.\tYes",
                                     '2\t"Well, I said ""never."""\tNo', "3\t#NAME?\tNo",
                                     f"4\tBut {MOJIBAKE_ITS} late now.\tNo"], end="")  # no final newline
    _write(d / CT24_FILES["validation"], [header, "10\tWe hired four thousand teachers.\tYes"])
    _write(d / CT24_FILES["dev_test"], [header, "20\tThank you all for coming.\tNo"])
    _write(d / CT24_FILES["test"], [header, "30\tCrime fell by half in my state.\tYes", "31\t#NAME?\tNo"])
    return d


def _ct20_lines(lines: list[tuple[str, str, int]]) -> list[str]:
    return [f"{i}\t{speaker}\t{text}\t{label}" for i, (speaker, text, label) in enumerate(lines, start=1)]


def write_ct20(root: Path) -> Path:
    d = root / "checkthat2020_task5"
    # the first train and the test file have the names the record checks for presence
    stems = ("20121023_third_presidential_debate", "20150202_debate_b", "20150303_debate_c", "20150404_debate_d",
             "20150505_Tump_rally")
    for k, stem in enumerate(stems):
        _write(d / "train" / f"{stem}.tsv", _ct20_lines([
            ("MODERATOR", "Welcome to the debate.", 0),
            ("Ann Smith", f"Wages grew {k + 2} percent last year.", 1),
            ("SYSTEM", "[Applause]", 0),
        ]))
    _write(d / "test_gold" / "20160303_GOP_michigan.tsv", _ct20_lines([
        ("BOB", 'He said "no" twice and left.', 0),
        ("BOB", "#NAME?", 0),
        ("BOB", "Our exports doubled since 2010.", 1),
    ]))
    return d


CB_HEADER = "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"


def write_claimbuster(root: Path) -> Path:
    d = root / "claimbuster"
    _write(d / "crowdsourced.csv", [
        CB_HEADER,
        "16,I think the plan is sound.,Ann Smith,Senator,DEMOCRAT,1990-01-01.txt,6,16,0.2,-1",
        '17,"The deficit, they say, is $4 billion.",Bob Jones,Governor,REPUBLICAN,1990-01-01.txt,8,18,-0.1,1',
        f"18,And {MOJIBAKE_ITS} true.,Bob Jones,Governor,REPUBLICAN,1990-01-01.txt,4,19,,0",
    ])
    _write(d / "groundtruth.csv", [CB_HEADER,
                                   "40,We built ten schools.,Ann Smith,Senator,DEMOCRAT,1992-02-02.txt,4,3,0.5,1"])
    for name in ("2xNCS.json", "2.5xNCS.json", "3xNCS.json"):
        (d / name).write_text(json.dumps([
            {"sentence_id": 17, "label": 0, "text": "The deficit, they say, is $4 billion."},
            {"sentence_id": 40, "label": 1, "text": "We built ten schools."}]))
    return d


def write_newssd(root: Path) -> Path:
    d = root / "newssd_eng"
    header = "Sentence,Label,Solved conflict"
    _write(d / "train.csv", [header, '"The council met on Tuesday.\n",OBJ,False',
                             '" This plan is a disgrace.\n",SUBJ,True', "Why?,SUBJ,False"])
    _write(d / "val.csv", [header, '"Rail workers struck for a day.\n",OBJ,False'])
    _write(d / "test.csv", [header, '"Nobody sensible believes that.\n",SUBJ,false'])
    return d


def write_cnc(root: Path) -> Path:
    d = root / "causal_news_corpus"
    d.mkdir(parents=True)
    bom = "\ufeff"
    (d / "train_subtask1.csv").write_text(
        bom + "index,text,label\ntrain_01_0_1,Police fired tear gas after students marched .,1\n"
              "train_01_1_2,The workers \x92 union met on Friday .,0\n", encoding="utf-8")
    (d / "dev_subtask1.csv").write_text(bom + "index,text,label\ntrain_10_0_3,Farmers protested the new tax .,0\n",
                                        encoding="utf-8")
    (d / "test_subtask1_text.csv").write_text(bom + "index,text\ntest_01_A_0_4,The strike led to delays .\n",
                                              encoding="utf-8")
    return d


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "data"
    for writer in (write_ct24, write_ct20, write_claimbuster, write_newssd, write_cnc):
        writer(r)
    return r


def _check_schema(ds, task: str) -> None:
    for split in ds.values():
        for col in CANONICAL_COLUMNS:
            assert split.features[col].dtype == "string"
        assert split.features["group"].dtype == "string" and split.features["position"].dtype == "int64"
        assert set(split["target"]) == {task}
        ids = split["id"]
        assert len(set(ids)) == len(ids)


# --------------------------------------------------------------------------------------------------
# CheckThat! 2024
# --------------------------------------------------------------------------------------------------


def test_ct24_quoting_spreadsheet_errors_and_mojibake(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="stanceclf.data.claims_debates"):
        ds = load_checkthat2024(root)
    _check_schema(ds, CHECKWORTHINESS)
    assert list(ds) == ["train", "validation", "dev_test", "test"]
    train = ds["train"]
    assert train["text"] == ["The bridge cost nine million dollars.", 'Well, I said "never."', "But it’s late now."]
    assert train["label"] == [CHECKWORTHY, NOT_CHECKWORTHY, NOT_CHECKWORTHY]
    assert train["id"] == ["checkthat2024:1", "checkthat2024:2", "checkthat2024:4"]
    assert "dropped 1 #NAME? rows" in caplog.text and CT24_FILES["train"] in caplog.text
    assert ds["test"]["text"] == ["Crime fell by half in my state.", "#NAME?"]  # kept in evaluation splits
    assert (train[0]["group"], train[0]["position"], train[0]["speaker"]) == ("", -1, "")


@pytest.mark.parametrize("line, message", [
    ("31\tSomething was said.\tyes", "Unknown label 'yes'"),
    ("31\t   \tNo", "Empty text"),
    ("30\tAnother sentence.\tNo", "Duplicate id 'checkthat2024:30'"),
    ("\tA sentence without id.\tNo", "Empty id"),
    ('31\t"An unclosed quote.\tNo', "quote"),
])
def test_ct24_bad_rows_name_file_and_row(root: Path, line: str, message: str) -> None:
    path = root / "checkthat2024_task1_en" / CT24_FILES["test"]
    _write(path, ["Sentence_id\tText\tclass_label", "30\tCrime fell by half in my state.\tYes", line])
    with pytest.raises(DataError, match=message) as err:
        load_checkthat2024(root)
    assert str(path) in str(err.value) and ("row 2" in str(err.value) or "line 3" in str(err.value))


def test_ct24_ids_are_unique_across_splits_and_files_must_exist(root: Path) -> None:
    d = root / "checkthat2024_task1_en"
    _write(d / CT24_FILES["dev_test"], ["Sentence_id\tText\tclass_label", "1\tA reused id.\tNo"])
    with pytest.raises(DataError, match="Duplicate id 'checkthat2024:1'.*first seen in .*train"):
        load_checkthat2024(root)
    _write(d / CT24_FILES["dev_test"], ["Sentence_id\tSentence\tclass_label", "20\tThanks.\tNo"])
    with pytest.raises(DataError, match="missing column.*'Text'"):
        load_checkthat2024(root)
    (d / CT24_FILES["test"]).unlink()
    with pytest.raises(DataError, match="test_gold.tsv"):
        load_checkthat2024(root)


# --------------------------------------------------------------------------------------------------
# CheckThat! 2020
# --------------------------------------------------------------------------------------------------


def test_ct20_groups_positions_and_organisers_validation_split(root: Path) -> None:
    ds = load_checkthat2020(root)
    _check_schema(ds, CHECKWORTHINESS)
    assert {k: v.num_rows for k, v in ds.items()} == {"train": 12, "validation": 3, "test": 3}
    assert set(ds["validation"]["group"]) == {"20150505_Tump_rally"}  # the last of the sorted files, typo kept
    test = ds["test"]
    assert test["text"] == ['He said "no" twice and left.', "#NAME?", "Our exports doubled since 2010."]
    assert test["position"] == [1, 2, 3] and set(test["group"]) == {"20160303_GOP_michigan"}
    assert test["label"] == [NOT_CHECKWORTHY, NOT_CHECKWORTHY, CHECKWORTHY]
    assert test["id"][2] == "checkthat2020:20160303_GOP_michigan:3" and test["speaker"][0] == "BOB"
    assert ds["train"]["is_system"][:3] == [False, False, True]
    whole = load_checkthat2020(root, validation=False)
    assert list(whole) == ["train", "test"] and whole["train"].num_rows == 15


@pytest.mark.parametrize("content, message", [
    ("1\tBOB\tToo few fields\n", "expected 4 tab-separated fields.*got 3"),
    ("1\tBOB\tA tab\tinside\t0\n", "got 5"),
    ("1\tBOB\tFirst.\t0\n3\tBOB\tSkipped one.\t0\n", "line number '3' where 2 was expected"),
    ("1\tBOB\tA label out of range.\t2\n", "Unknown label '2'"),
    ("x\tBOB\tNo number.\t0\n", "'line_number'.*integer"),
    ("1\tBOB\t \t0\n", "Empty text"),
])
def test_ct20_bad_lines_name_file_and_line(root: Path, content: str, message: str) -> None:
    path = root / "checkthat2020_task5" / "test_gold" / "20160303_GOP_michigan.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        load_checkthat2020(root)
    assert f"{path}:" in str(err.value)


def test_ct20_needs_its_files(root: Path) -> None:
    for path in (root / "checkthat2020_task5" / "test_gold").iterdir():
        path.unlink()
    with pytest.raises(DataError, match="No .tsv files in .*test_gold"):
        load_checkthat2020(root)


# --------------------------------------------------------------------------------------------------
# ClaimBuster
# --------------------------------------------------------------------------------------------------


def test_claimbuster_binary_labels_verdict3_and_extras(root: Path) -> None:
    ds = load_claimbuster(root)
    _check_schema(ds, CHECKWORTHINESS)
    train = ds["train"]
    assert train["label"] == [NOT_CHECKWORTHY, CHECKWORTHY, NOT_CHECKWORTHY]
    assert train["verdict3"] == ["NFS", "CFS", "UFS"]
    assert train["text"][1] == "The deficit, they say, is $4 billion." and train["text"][2] == "And it’s true."
    assert train["sentiment"] == ["0.2", "-0.1", ""]
    assert train["group"] == ["1990-01-01.txt"] * 3 and train["position"] == [16, 18, 19]
    assert train["speaker"][0] == "Ann Smith" and train["speaker_party"][0] == "DEMOCRAT"
    assert train["speaker_title"][1] == "Governor" and train["id"][0] == "claimbuster:16"
    assert ds["test"]["label"] == [CHECKWORTHY]


def test_claimbuster_ncs_sources_join_the_csvs(root: Path) -> None:
    ncs = load_claimbuster(root, source="2.5x")
    assert list(ncs) == ["train"]
    rows = ncs["train"]
    assert rows["label"] == [NOT_CHECKWORTHY, CHECKWORTHY]  # the NCS label wins over Verdict (17 is CFS)
    assert rows["verdict3"] == ["CFS", "CFS"] and rows["group"] == ["1990-01-01.txt", "1992-02-02.txt"]
    assert load_claimbuster(root, source="3xNCS.json")["train"].num_rows == 2
    with pytest.raises(DataError, match="Unknown ClaimBuster source '4x'"):
        load_claimbuster(root, source="4x")
    (root / "claimbuster" / "2xNCS.json").write_text(json.dumps([{"sentence_id": 99, "label": 1, "text": "Lost."}]))
    with pytest.raises(DataError, match="sentence_id 99 is in neither"):
        load_claimbuster(root, source="2x")


@pytest.mark.parametrize("line, message", [
    ("19,Invented.,Bob Jones,Governor,REPUBLICAN,1990-01-01.txt,1,20,0.1,2", "Unknown label '2'"),
    ("19,Invented.,Bob Jones,Governor,REPUBLICAN,1990-01-01.txt,1,20,high,1", "'Sentiment'.*number"),
    ("19,Invented.,Bob Jones,Governor,REPUBLICAN,1990-01-01.txt,1,twenty,0.1,1", "'Line_number'"),
    ("16,Invented.,Bob Jones,Governor,REPUBLICAN,1990-01-01.txt,1,20,0.1,1", "Duplicate id 'claimbuster:16'"),
])
def test_claimbuster_bad_rows(root: Path, line: str, message: str) -> None:
    path = root / "claimbuster" / "crowdsourced.csv"
    path.write_text(path.read_text() + line + "\n")
    with pytest.raises(DataError, match=message) as err:
        load_claimbuster(root)
    assert str(path) in str(err.value) and "row 4" in str(err.value)


def test_claimbuster_missing_column(root: Path) -> None:
    path = root / "claimbuster" / "groundtruth.csv"
    _write(path, [CB_HEADER.replace("Verdict", "Label"), "40,We built ten schools.,A,B,C,D,4,3,0.5,1"])
    with pytest.raises(DataError, match="missing column.*'Verdict'"):
        load_claimbuster(root)


def test_fix_mojibake() -> None:
    assert fix_mojibake(f"Yes, {MOJIBAKE_ITS} so.") == "Yes, it’s so."
    assert MOJIBAKE_ITS == "it\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2s"
    assert fix_mojibake(f"them {_mojibake('–', 3)} I") == "them – I"  # encoded three times
    assert _mojibake("”", 2).endswith("\x9d")  # a byte cp1252 leaves undefined
    assert fix_mojibake(f"say, {_mojibake('“we”', 2)}") == "say, “we”"
    assert fix_mojibake("the 80\u00c3\x8f\u00e2\u201a\u00acs") == "the 80’s"  # a leftover mapped by hand
    assert fix_mojibake("numbers \u00c3\u201a $100") == "numbers $100"  # a lost no-break space
    for clean in ("naïve café", "It’s “fine” – 5 € ≥ 4", "plain ASCII"):
        assert fix_mojibake(clean) == clean


# --------------------------------------------------------------------------------------------------
# NewsSD-ENG and the Causal News Corpus
# --------------------------------------------------------------------------------------------------


def test_newssd_strips_text_and_reads_solved_conflict(root: Path) -> None:
    ds = load_newssd(root)
    _check_schema(ds, "subjectivity")
    train = ds["train"]
    assert train["text"] == ["The council met on Tuesday.", "This plan is a disgrace.", "Why?"]
    assert train["label"] == ["OBJ", SUBJ, SUBJ] and train["solved_conflict"] == [False, True, False]
    assert train["id"] == ["newssd_eng:train:1", "newssd_eng:train:2", "newssd_eng:train:3"]
    assert ds["test"]["solved_conflict"] == [False] and ds["validation"].num_rows == 1


@pytest.mark.parametrize("line, message", [
    ('"Fine.",NEUTRAL,False', "Unknown label 'NEUTRAL'"),
    ('"Fine.",OBJ,maybe', "'Solved conflict'.*True or False"),
    ('"  \n",OBJ,False', "Empty text"),
])
def test_newssd_bad_rows(root: Path, line: str, message: str) -> None:
    path = root / "newssd_eng" / "val.csv"
    _write(path, ["Sentence,Label,Solved conflict", line])
    with pytest.raises(DataError, match=message) as err:
        load_newssd(root)
    assert str(path) in str(err.value) and "row 1" in str(err.value)


def test_cnc_bom_apostrophe_and_unlabelled_test(root: Path) -> None:
    ds = load_cnc(root)
    _check_schema(ds, "causal")
    assert ds["train"]["label"] == [CAUSAL, NOT_CAUSAL]
    assert ds["train"]["text"][1] == "The workers ’ union met on Friday ."
    assert ds["train"]["id"][0] == "cnc:train_01_0_1"  # the BOM is not part of the first column's name
    assert ds["test"]["label"] == [""] and ds["test"]["id"] == ["cnc:test_01_A_0_4"]
    path = root / "causal_news_corpus" / "test_subtask1_text.csv"
    path.write_text("index,text,label\ntest_01_A_0_4,The strike led to delays .,1\n", encoding="utf-8")
    assert load_cnc(root)["test"]["label"] == [CAUSAL]  # a copy with gold labels is read with them


@pytest.mark.parametrize("name, content, message", [
    ("dev_subtask1.csv", "index,text,label\ntrain_10_0_3,Farmers protested .,yes\n", "Unknown label 'yes'"),
    ("dev_subtask1.csv", "index,text,label\ntrain_01_0_1,Farmers protested .,1\n", "Duplicate id 'cnc:train_01_0_1'"),
    ("dev_subtask1.csv", "index,text\ntrain_10_0_3,Farmers protested .\n", "missing column.*'label'"),
    ("test_subtask1_text.csv", "index,sentence\nt1,Text .\n", "missing column.*'text'"),
])
def test_cnc_bad_files(root: Path, name: str, content: str, message: str) -> None:
    (root / "causal_news_corpus" / name).write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        load_cnc(root)
    assert name in str(err.value)


# --------------------------------------------------------------------------------------------------
# Registry and records
# --------------------------------------------------------------------------------------------------

CLAIM_DATASETS = {"checkthat2024_en": ("checkthat2024_task1_en", ("train", "validation", "dev_test", "test")),
                  "checkthat2020_t5": ("checkthat2020_task5", ("train", "validation", "test")),
                  "claimbuster": ("claimbuster", ("train", "test")),
                  "newssd_eng": ("newssd_eng", ("train", "validation", "test")),
                  "cnc_subtask1": ("causal_news_corpus", ("train", "validation", "test"))}


def test_claim_records_in_the_registry(root: Path) -> None:
    assert [n for n, info in DATASETS.items() if info.task != "stance"] == list(CLAIM_DATASETS)
    for name, (_, splits) in CLAIM_DATASETS.items():
        info = DATASETS[name]
        assert info.task in CLAIM_TASKS and info.labels == TASK_LABELS[info.task]
        assert info.positive_label == info.labels[-1]
        ds = load_dataset(name, root)
        assert tuple(ds) == splits and set(ds) >= set(info.test_splits)
        assert info.dev_split is None or info.dev_split in ds
        assert {label for split in ds.values() for label in split["label"]} <= {*info.labels, ""}
    assert {n: DATASETS[n].main_metric for n in CLAIM_DATASETS} == {
        "checkthat2024_en": "f1_positive", "checkthat2020_t5": "map", "claimbuster": "macro_f1",
        "newssd_eng": "macro_f1", "cnc_subtask1": "f1_positive"}
    assert DATASETS["cnc_subtask1"].test_splits == ("validation",)  # its test split is unlabelled
    assert DATASETS["checkthat2024_en"].dev_split == "validation"
    assert DATASETS["claimbuster"].labels == CHECKWORTHINESS_LABELS
    assert DATASETS["semeval2016"].task == "stance" and DATASETS["semeval2016"].positive_label is None
    assert get_dataset_info("CT24").name == "checkthat2024_en" and get_dataset_info("cnc").name == "cnc_subtask1"
    assert get_dataset_info("checkthat2020-task5").name == "checkthat2020_t5"
    assert [n for n in available_datasets(root) if n in CLAIM_DATASETS] == list(CLAIM_DATASETS)
    (root / "newssd_eng" / "val.csv").unlink()
    assert "newssd_eng" not in available_datasets(root)


# --------------------------------------------------------------------------------------------------
# Overlap between training and test sets
# --------------------------------------------------------------------------------------------------


def test_normalise_text() -> None:
    assert normalise_text('  "Thank   YOU." ') == "thank you"
    assert normalise_text("\u2014 \u201cWell\u2026\u201d \u2013") == "well"
    assert normalise_text("Taxes, in 2010, rose.") == "taxes, in 2010, rose"  # inner punctuation stays
    assert normalise_text("...") == normalise_text("[ ]") == normalise_text("\u2018") == ""


def test_overlapping_texts_and_drop_overlaps() -> None:
    from datasets import Dataset

    train = ["Thank you.", "Taxes rose 5%.", "...", "THANK YOU!", "New text."]
    test = ["thank you", "..."]
    assert overlapping_texts(train, test) == {"thank you"}  # "..." normalises to "" and never counts
    kept, dropped = drop_overlaps(train, test)
    assert kept == ["Taxes rose 5%.", "...", "New text."] and dropped == 2
    assert not overlapping_texts(kept, test)
    rows = [{"text": t, "label": "x"} for t in train]
    kept_rows, dropped = drop_overlaps(rows, test, [{"text": "New text"}])
    assert [r["text"] for r in kept_rows] == ["Taxes rose 5%.", "..."] and dropped == 3
    ds = Dataset.from_dict({"text": train, "label": list("abcde")})
    kept_ds, dropped = drop_overlaps(ds, Dataset.from_dict({"text": test}))
    assert kept_ds["label"] == ["b", "c", "e"] and dropped == 2
    assert drop_overlaps(ds, [])[0] is ds
    with pytest.raises(DataError, match="'text'"):
        overlapping_texts([{"sentence": "x"}], test)
    with pytest.raises(DataError, match="no 'text' column"):
        drop_overlaps(Dataset.from_dict({"sentence": ["x"]}), test)


# --------------------------------------------------------------------------------------------------
# The real data (skipped when absent)
# --------------------------------------------------------------------------------------------------


def _data_dir() -> Path | None:
    env = os.environ.get("STANCECLF_DATA", "").strip()
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    return path if path.is_dir() else None


DATA_DIR = _data_dir()
real_data = pytest.mark.skipif(DATA_DIR is None, reason="real data not found (set STANCECLF_DATA)")


@lru_cache(maxsize=None)
def _real(name: str, **options: str | bool):
    assert DATA_DIR is not None
    folder = CLAIM_DATASETS[name][0]
    if not (DATA_DIR / folder).is_dir():
        pytest.skip(f"{DATA_DIR / folder} not present")
    return load_dataset(name, DATA_DIR, **options)


def _summary(ds) -> dict[str, tuple[int, dict[str, int]]]:
    return {split: (part.num_rows, dict(Counter(part["label"][:]))) for split, part in ds.items()}


CW, NOT_CW = CHECKWORTHY, NOT_CHECKWORTHY


@real_data
def test_real_checkthat2024() -> None:
    ds = _real("checkthat2024_en")
    assert _summary(ds) == {"train": (22495, {NOT_CW: 17082, CW: 5413}),  # 22,501 less 6 "#NAME?" rows
                            "validation": (1032, {NOT_CW: 794, CW: 238}), "dev_test": (318, {NOT_CW: 210, CW: 108}),
                            "test": (341, {NOT_CW: 253, CW: 88})}
    assert "#NAME?" not in ds["train"]["text"][:]
    assert not any(t.startswith('"') and t.endswith('"') and "," in t for t in ds["validation"]["text"][:])
    assert all(t.isascii() or "\u00c3" not in t for t in ds["train"]["text"][:])  # no mojibake left


@real_data
def test_real_checkthat2020() -> None:
    ds = _real("checkthat2020_t5")
    assert _summary(ds) == {"train": (38707, {NOT_CW: 38262, CW: 445}), "validation": (4069, {NOT_CW: 4027, CW: 42}),
                            "test": (21514, {NOT_CW: 21378, CW: 136})}
    assert [len(set(ds[s]["group"][:])) for s in ds] == [40, 10, 20]
    assert sum(ds["test"]["is_system"][:]) == 1063
    groups = Counter(g for g, label in zip(ds["test"]["group"][:], ds["test"]["label"][:]) if label == CW)
    assert groups["20190304_Trump_CPAC"] == 14 and len(groups) == 20  # every test file has a positive
    positives = Counter(g for g, label in zip(ds["train"]["group"][:], ds["train"]["label"][:]) if label == CW)
    assert positives["20121023_third_presidential_debate"] == 10  # its README says 0
    whole = _real("checkthat2020_t5", validation=False)
    assert _summary(whole)["train"] == (42776, {NOT_CW: 42289, CW: 487})
    assert sum(whole["train"]["is_system"][:]) == 2539


@real_data
def test_real_claimbuster() -> None:
    ds = _real("claimbuster")
    assert _summary(ds) == {"train": (22501, {NOT_CW: 17088, CW: 5413}), "test": (1032, {NOT_CW: 794, CW: 238})}
    assert Counter(ds["train"]["verdict3"][:]) == {"NFS": 14685, "UFS": 2403, "CFS": 5413}
    assert Counter(ds["test"]["verdict3"][:]) == {"NFS": 731, "UFS": 63, "CFS": 238}
    assert len(set(ds["train"]["group"][:])) == 33 and ds["train"]["sentiment"][:].count("") == 3
    assert not any("\u00c3" in t or "\u00e2\u20ac" in t for t in ds["train"]["text"][:])  # mojibake repaired
    ct24 = _real("checkthat2024_en")  # CheckThat! 2024 train/validation = crowdsourced/groundtruth
    for mine, theirs in (("train", "train"), ("test", "validation")):
        same = dict(zip(ds[mine]["id"][:], zip(ds[mine]["text"][:], ds[mine]["label"][:])))
        other = dict(zip(ct24[theirs]["id"][:], zip(ct24[theirs]["text"][:], ct24[theirs]["label"][:])))
        assert all(same["claimbuster:" + i.split(":")[1]] == pair for i, pair in other.items())
    for source, negatives in (("2x", 5528), ("2.5x", 6910), ("3x", 8292)):
        assert _summary(_real("claimbuster", source=source)) == {"train": (2764 + negatives,
                                                                          {CW: 2764, NOT_CW: negatives})}


@real_data
def test_real_newssd() -> None:
    ds = _real("newssd_eng")
    assert _summary(ds) == {"train": (731, {"OBJ": 487, SUBJ: 244}), "validation": (99, {"OBJ": 45, SUBJ: 54}),
                            "test": (219, {"OBJ": 106, SUBJ: 113})}
    assert [sum(ds[s]["solved_conflict"][:]) for s in ds] == [58, 11, 20]
    assert not any(t != t.strip() for t in ds["train"]["text"][:])


@real_data
def test_real_cnc() -> None:
    ds = _real("cnc_subtask1")
    assert _summary(ds) == {"train": (3075, {CAUSAL: 1624, NOT_CAUSAL: 1451}),
                            "validation": (340, {CAUSAL: 185, NOT_CAUSAL: 155}), "test": (352, {"": 352})}
    assert not any("\x92" in t for split in ds.values() for t in split["text"])


def _source(name: str):
    """A training source by name (CheckThat! 2020 train = all 50 train files)."""
    sources = {"cb_crowd": ("claimbuster", {}, "train"), "cb_groundtruth": ("claimbuster", {}, "test"),
               **{f"ncs_{k}": ("claimbuster", {"source": k}, "train") for k in ("2x", "2.5x", "3x")},
               **{f"ct24_{k}": ("checkthat2024_en", {}, k) for k in ("train", "validation", "dev_test", "test")},
               "ct20_train": ("checkthat2020_t5", {"validation": False}, "train"),
               "ct20_test": ("checkthat2020_t5", {"validation": False}, "test"),
               "newssd_train": ("newssd_eng", {}, "train"), "newssd_validation": ("newssd_eng", {}, "validation"),
               "newssd_test": ("newssd_eng", {}, "test"), "cnc_train": ("cnc_subtask1", {}, "train"),
               "cnc_validation": ("cnc_subtask1", {}, "validation"), "cnc_test": ("cnc_subtask1", {}, "test")}
    dataset, options, split = sources[name]
    return _real(dataset, **options)[split]


#: For each test split we score on, each training source we may use with it (the memo's "safe after
#: the filter" list) and how many test rows share a normalised text with that source, as measured.
#: The CheckThat! 2020 test vs train count leaves out the 65 test lines without letters or digits
#: ("...", "["), which never count as overlaps.
OVERLAPS: dict[str, dict[str, int]] = {
    "ct24_test": {"cb_crowd": 1, "ct24_train": 1, "cb_groundtruth": 0, "ct24_validation": 0, "ct24_dev_test": 0,
                  "ncs_2x": 0, "ncs_2.5x": 1, "ncs_3x": 0, "ct20_train": 1, "ct20_test": 1, "newssd_train": 0,
                  "cnc_train": 0},
    "ct24_dev_test": {"cb_crowd": 3, "ct24_train": 3, "cb_groundtruth": 0, "ct24_validation": 0, "ncs_2x": 1,
                      "ncs_2.5x": 2, "ncs_3x": 3, "ct20_train": 2, "ct20_test": 1},
    "ct24_validation": {"ct24_train": 11, "cb_crowd": 11, "ct20_train": 13},
    "ct20_test": {"ct20_train": 2755, "cb_crowd": 27, "cb_groundtruth": 1, "ct24_train": 27, "ct24_validation": 1,
                  "ct24_dev_test": 1, "ncs_2x": 9, "ncs_2.5x": 8, "ncs_3x": 14, "newssd_train": 8},
    "newssd_test": {"newssd_train": 0, "cb_crowd": 0, "ct20_train": 0, "cnc_train": 0},
    "newssd_validation": {"newssd_train": 0, "ct20_train": 2},
    "cnc_validation": {"cnc_train": 6, "newssd_train": 0},
    "cnc_test": {"cnc_train": 0},
}


@real_data
@pytest.mark.parametrize("test_name, source_name",
                         [(test, source) for test, sources in OVERLAPS.items() for source in sources])
def test_real_no_test_sentence_in_filtered_training_data(test_name: str, source_name: str) -> None:
    test, train = _source(test_name), _source(source_name)
    shared = overlapping_texts(train, test)
    assert sum(normalise_text(t) in shared for t in test["text"][:]) == OVERLAPS[test_name][source_name]
    kept, dropped = drop_overlaps(train, test)
    assert not overlapping_texts(kept, test)
    assert kept.num_rows == train.num_rows - dropped and (dropped > 0) == bool(shared)


#: Training rows dropped when every test split we score on is held out at once.
EVALUATION_SPLITS = ("ct24_test", "ct24_dev_test", "ct20_test", "newssd_validation", "newssd_test", "cnc_validation",
                     "cnc_test")
DROPPED = {"cb_crowd": 33, "ct24_train": 33, "cb_groundtruth": 1, "ncs_2x": 9, "ncs_2.5x": 8, "ncs_3x": 16,
           "ct20_train": 4620, "newssd_train": 3, "cnc_train": 6}


@real_data
@pytest.mark.parametrize("source_name", list(DROPPED))
def test_real_rows_dropped_against_all_evaluation_splits(source_name: str) -> None:
    tests = [_source(name) for name in EVALUATION_SPLITS]
    kept, dropped = drop_overlaps(_source(source_name), *tests)
    assert dropped == DROPPED[source_name]
    assert not any(overlapping_texts(kept, test) for test in tests)


def test_scored_claim_splits_are_every_split_but_train_and_dev(root: Path) -> None:
    from stanceclf.data.claims import scored_claim_splits

    (root / "empty").mkdir()
    assert scored_claim_splits(root / "empty") == {}
    with pytest.raises(DataError, match="does not exist"):
        scored_claim_splits(root / "nothing-here")
    found = scored_claim_splits(root)
    assert "checkthat2024_en/test" in found and "checkthat2024_en/dev_test" in found
    assert "checkthat2024_en/train" not in found and "checkthat2024_en/validation" not in found
    assert "cnc_subtask1/validation" in found  # scored: its test labels are withheld


@lru_cache(maxsize=1)
def _scored_splits() -> dict:
    from stanceclf.data.claims import scored_claim_splits

    return scored_claim_splits(DATA_DIR)


CONFIG_DIR = Path(__file__).resolve().parent.parent / "training" / "configs"
CLAIM_CONFIGS = sorted(p.name for p in CONFIG_DIR.glob("*.yaml") if "\nkind: claims" in p.read_text(encoding="utf-8"))
#: The built-in model's config runs in the default suite, the experiments' in the slow one.
CLAIM_CONFIG_CASES = [name if name == "default_claims.yaml" else pytest.param(name, marks=pytest.mark.slow)
                      for name in CLAIM_CONFIGS]


def test_every_claim_training_config_is_checked_for_overlaps() -> None:
    assert {"default_claims.yaml", "claims_base_checkworthiness_full.yaml"} <= set(CLAIM_CONFIGS)


@real_data
@pytest.mark.parametrize("config_name", CLAIM_CONFIG_CASES)
def test_real_claim_training_data_holds_no_scored_sentence(config_name: str) -> None:
    """The training and development rows of every claim config (the built-in model's,
    training/configs/default_claims.yaml, and each experiment's) share no normalised text with any
    split the claim benchmarks score."""
    import sys

    sys.path.insert(0, str(CONFIG_DIR.parent))
    from train_stance import build_data, read_config

    config = read_config(CONFIG_DIR / config_name)
    train, dev, sizes = build_data(config, DATA_DIR, int(config.get("seed", 0)))  # the rows the config trains on
    scored = _scored_splits()
    assert set(scored) == {"checkthat2024_en/dev_test", "checkthat2024_en/test", "checkthat2020_t5/test",
                           "newssd_eng/test", "cnc_subtask1/validation", "cnc_subtask1/test"}
    for name, rows in scored.items():
        assert not overlapping_texts(train, rows), name
        assert not overlapping_texts(dev, rows), name
    assert sum(s["dropped_scored_overlap"] for s in sizes.values()) > 0
