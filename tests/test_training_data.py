"""The checked-in synthetic news-quote training set (training/data/news_quotes_synthetic.jsonl).

It is training data for the default model, so it must be well-formed, must not overlap the
project's development set, and must stay blind to the held-out example article's entities.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from stanceclf.data.loaders import load_table

REPO = Path(__file__).resolve().parent.parent
TRAIN = REPO / "training" / "data" / "news_quotes_synthetic.jsonl"
DEV = REPO / "benchmarks" / "data" / "news_quotes_dev.jsonl"
KEYS = {"text", "target", "label", "context", "quote", "kind", "phenomenon", "domain"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_row_is_well_formed(rows: list[dict]) -> None:
    assert len(rows) >= 1000
    for i, r in enumerate(rows, 1):
        assert set(r) == KEYS, f"line {i}: keys {sorted(r)}"
        assert r["label"] in {"FAVOR", "AGAINST", "NONE"}, f"line {i}"
        assert r["kind"] in {"direct", "partial", "indirect"}, f"line {i}"
        assert r["quote"] and r["quote"] in r["text"], f"line {i}: quote is not a substring of text"
        assert r["target"].strip(), f"line {i}: empty target"
        assert bool(r["context"]) == (r["phenomenon"] == "context_reference"), f"line {i}: context"


def test_labels_and_kinds_are_balanced(rows: list[dict]) -> None:
    labels, kinds = Counter(r["label"] for r in rows), Counter(r["kind"] for r in rows)
    assert all(labels[k] / len(rows) >= 0.15 for k in ("FAVOR", "AGAINST", "NONE")), labels
    assert all(kinds[k] / len(rows) >= 0.1 for k in ("direct", "partial", "indirect")), kinds


def test_no_duplicate_pairs_and_no_overlap_with_the_dev_set(rows: list[dict]) -> None:
    pairs = Counter((r["text"], r["target"]) for r in rows)
    assert max(pairs.values()) == 1
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    train_texts = {r["text"] for r in rows}
    assert not train_texts & {d["sentence"] for d in dev}


def test_blind_to_the_held_out_example_article_targets(rows: list[dict]) -> None:
    import re

    banned = re.compile(r"\b(NATO|European Union|EU)\b")
    assert not [r["text"] for r in rows if banned.search(r["text"] + " " + r["context"] + " " + r["target"])]


def test_loads_as_a_training_source_with_context() -> None:
    data = load_table(TRAIN, context_column="context")["train"]
    assert set(data.unique("label")) == {"FAVOR", "AGAINST", "NONE"}
    assert any(data["context"])
