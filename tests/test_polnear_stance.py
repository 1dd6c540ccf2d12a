"""polnear-stance: the standoff reader checks every record against the article before using it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from stanceclf.data import DATASETS, load_dataset
from stanceclf.data.polnear_stance import RECORDS_DIR, content_hash, load_polnear_stance, quote_window
from stanceclf.errors import DataError

ARTICLE = ("The mayor defended the budget on Monday.\n\n"
           "Critics were unconvinced. \u201cThe budget is a fantasy,\u201d said Ana Ruiz, a councillor. She left early.\n")


def _record(text: str, fragment: str, target: str, label: str, **extra) -> dict:
    start = text.index(fragment)
    span = [start, start + len(fragment)]
    return {"id": f"x/{target}/{label}", "article": "a1", "attribution": "E1", "content": [span],
            "source": [], "cue": [], "content_sha1": content_hash(text, [tuple(span)]), "speaker": "Ana Ruiz",
            "target": target, "aliases": [], "label": label, "aimed": label != "NONE", "reason": "r", **extra}


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    for split in ("train", "dev"):
        (data / "polnear" / split / "text").mkdir(parents=True)
        (data / "polnear" / split / "text" / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    rows = [_record(ARTICLE, "The budget is a fantasy,", "budget", "AGAINST"),
            _record(ARTICLE, "The budget is a fantasy,", "Ana Ruiz", "SELF"),
            _record(ARTICLE, "The budget is a fantasy,", "mayor", "NONE")]
    for name in ("train.jsonl", "dev.jsonl"):
        (records / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return data, records


def test_records_load_with_their_sentence_and_speaker(setup) -> None:
    data, records = setup
    ds = load_polnear_stance(data, records_dir=records)
    assert {k: v.num_rows for k, v in ds.items()} == {"train": 2, "validation": 2}  # SELF left out
    row = ds["validation"][0]
    assert row["text"] == "\u201cThe budget is a fantasy,\u201d said Ana Ruiz, a councillor."
    assert row["context"] == "Critics were unconvinced."  # the sentence before, same paragraph
    assert (row["speaker"], row["target"], row["label"], row["aimed"]) == ("Ana Ruiz", "budget", "AGAINST", True)
    assert ds["validation"][1]["label"] == "NONE"


def test_records_that_do_not_fit_the_article_are_refused(setup) -> None:
    data, records = setup
    edited = ARTICLE.replace("fantasy", "triumph")
    (data / "polnear" / "dev" / "text" / "a1.txt").write_text(edited, encoding="utf-8")
    with pytest.raises(DataError, match="does not match the record"):
        load_polnear_stance(data, records_dir=records)
    (data / "polnear" / "dev" / "text" / "a1.txt").write_text(ARTICLE[:30], encoding="utf-8")
    with pytest.raises(DataError, match="outside the article"):
        load_polnear_stance(data, records_dir=records)
    (data / "polnear" / "dev" / "text" / "a1.txt").unlink()
    with pytest.raises(DataError, match="missing from your PolNeAR copy"):
        load_polnear_stance(data, records_dir=records)


def test_malformed_records_are_refused(setup) -> None:
    data, records = setup
    (records / "train.jsonl").write_text(json.dumps({"id": "x", "article": "a1"}) + "\n")
    with pytest.raises(DataError, match="lacks"):
        load_polnear_stance(data, records_dir=records)
    bad = _record(ARTICLE, "The budget is a fantasy,", "budget", "MAYBE")
    (records / "train.jsonl").write_text(json.dumps(bad) + "\n")
    with pytest.raises(DataError, match="MAYBE"):
        load_polnear_stance(data, records_dir=records)


def test_quote_window_stays_within_the_paragraph() -> None:
    start = ARTICLE.index("The budget is")
    window, previous = quote_window(ARTICLE, [(start, start + 10)])
    assert window.startswith("\u201cThe budget") and previous == "Critics were unconvinced."
    first = ARTICLE.index("Critics")
    assert quote_window(ARTICLE, [(first, first + 7)])[1] == ""  # previous sentence is another paragraph


def test_registered_and_shipped() -> None:
    assert DATASETS["polnear-stance"].test_splits == ("validation",) and DATASETS["polnear-stance"].dev_split is None
    agreement = json.loads((RECORDS_DIR / "agreement.json").read_text())
    assert agreement["pairs"] >= 300 and 0 <= agreement["stance_kappa"] <= 1
    for name in ("train.jsonl", "dev.jsonl", "double.jsonl"):
        for line in (RECORDS_DIR / name).read_text(encoding="utf-8").splitlines()[:50]:
            rec = json.loads(line)
            assert set(rec) >= {"article", "content", "content_sha1", "speaker", "target", "label", "reason"}
            assert "text" not in rec  # standoff only: never article text


@pytest.mark.skipif(not (SHARED_DATA / "polnear" / "dev").is_dir(), reason="PolNeAR not in the shared data")
def test_every_shipped_record_fits_the_real_polnear() -> None:
    ds = load_dataset("polnear-stance", SHARED_DATA)
    assert ds["train"].num_rows >= 6000 and ds["validation"].num_rows >= 800
    assert set(ds["validation"]["label"]) == {"AGAINST", "FAVOR", "NONE"}
    train_articles, dev_articles = set(ds["train"]["article"]), set(ds["validation"]["article"])
    assert not train_articles & dev_articles
