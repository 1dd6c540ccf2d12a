"""Loaders on the real datasets: row counts and label distributions from each dataset's README.

The data directory comes from ``STANCECLF_DATA``, else ``<repo>/../shared/data``; the tests skip
when it is absent. No data is stored in the repository.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from stanceclf.data import available_datasets, load_dataset


def _data_dir() -> Path | None:
    env = os.environ.get("STANCECLF_DATA", "").strip()
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    return path if path.is_dir() else None


DATA_DIR = _data_dir()
pytestmark = pytest.mark.skipif(DATA_DIR is None, reason="real data not found (set STANCECLF_DATA)")

_cache: dict[str, object] = {}


def _load(name: str, folder: str):
    assert DATA_DIR is not None
    if not (DATA_DIR / folder).is_dir():
        pytest.skip(f"{DATA_DIR / folder} not present")
    if name not in _cache:
        _cache[name] = load_dataset(name, DATA_DIR)
    return _cache[name]


def _counts(ds, column: str = "label") -> dict[str, int]:
    return dict(Counter(ds[column]))


def test_semeval2016() -> None:
    ds = _load("semeval2016", "semeval2016_task6")
    assert ds["train"].num_rows == 2914 and ds["test"].num_rows == 1249
    assert _counts(ds["train"]) == {"AGAINST": 1395, "FAVOR": 753, "NONE": 766}
    assert _counts(ds["test"]) == {"AGAINST": 715, "FAVOR": 304, "NONE": 230}
    per_target = Counter(zip(ds["train"]["target"], ds["train"]["label"]))
    assert per_target[("Atheism", "FAVOR")] == 92 and per_target[("Hillary Clinton", "AGAINST")] == 393
    assert _counts(ds["test"], "target")["Legalization of Abortion"] == 280
    assert all(t.endswith("#SemST") or "#SemST" in t for t in ds["train"]["text"])
    assert len(set(ds["train"]["id"])) == 2914


def test_semeval2016_taskb() -> None:
    ds = _load("semeval2016_taskb", "semeval2016_task6")
    assert list(ds) == ["test"] and ds["test"].num_rows == 707
    assert _counts(ds["test"]) == {"AGAINST": 299, "FAVOR": 148, "NONE": 260}
    assert set(ds["test"]["target"]) == {"Donald Trump"}


def test_pstance() -> None:
    ds = _load("pstance", "pstance")
    assert {k: v.num_rows for k, v in ds.items()} == {
        "train": 6362 + 5806 + 5056,
        "validation": 814 + 745 + 634,
        "test": 777 + 745 + 635,
    }
    assert sum(v.num_rows for v in ds.values()) == 21574
    assert _counts(ds["train"]) == {"FAVOR": 2937 + 2552 + 2858, "AGAINST": 3425 + 3254 + 2198}
    assert _counts(ds["test"]) == {"FAVOR": 352 + 337 + 343, "AGAINST": 425 + 408 + 292}
    assert _counts(ds["validation"], "target") == {"Donald Trump": 814, "Joe Biden": 745, "Bernie Sanders": 634}


def test_fnc1() -> None:
    ds = _load("fnc1", "fnc1")
    assert ds["train"].num_rows == 49972 and ds["test"].num_rows == 25413
    assert _counts(ds["train"]) == {"unrelated": 36545, "discuss": 8909, "agree": 3678, "disagree": 840}
    assert _counts(ds["test"]) == {"unrelated": 18349, "discuss": 4464, "agree": 1903, "disagree": 697}
    assert len(set(ds["train"]["body_id"])) <= 1683


def test_newsmtsc() -> None:
    ds = _load("newsmtsc", "newsmtsc")
    assert {k: v.num_rows for k, v in ds.items()} == {"train": 8739, "devtest_rw": 1146, "devtest_mt": 1476}
    assert _counts(ds["train"]) == {"AGAINST": 3316, "NONE": 3028, "FAVOR": 2395}
    assert _counts(ds["devtest_mt"]) == {"AGAINST": 482, "NONE": 748, "FAVOR": 246}
    assert _counts(ds["devtest_rw"]) == {"AGAINST": 429, "NONE": 455, "FAVOR": 262}
    sample = ds["devtest_rw"].select(range(50))
    assert all(r["text"][r["target_start"]:r["target_end"]] == r["target"] for r in sample)


def test_persent() -> None:
    ds = _load("persent", "persent")
    assert {k: v.num_rows for k, v in ds.items()} == {"validation": 578, "random_test": 579, "fixed_test": 827}
    assert _counts(ds["validation"]) == {"FAVOR": 304, "NONE": 216, "AGAINST": 58}
    assert _counts(ds["random_test"]) == {"FAVOR": 293, "NONE": 213, "AGAINST": 73}
    assert _counts(ds["fixed_test"]) == {"FAVOR": 368, "NONE": 320, "AGAINST": 139}
    assert len(set(ds["fixed_test"]["target"])) == 4
    assert len(set(ds["validation"]["target"])) == 417


def test_available_datasets() -> None:
    assert DATA_DIR is not None
    found = available_datasets(DATA_DIR)
    for name, folder in (("semeval2016", "semeval2016_task6"), ("pstance", "pstance"), ("fnc1", "fnc1"),
                         ("newsmtsc", "newsmtsc"), ("persent", "persent")):
        assert (name in found) == (DATA_DIR / folder).is_dir()
