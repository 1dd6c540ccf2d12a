"""The one PolNeAR reader (stanceclf.data.polnear): its rules, and the same gold for tagger and scorer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stanceclf.data.polnear import parse_ann, polnear_root, read_double_annotated, read_polnear
from stanceclf.errors import DataError

TEXT = 'Ann said "we won." Bob denied it. Carl argued that taxes rise.'
ANN = (
    "T1\tSource 0 3\tAnn\nT2\tCue 4 8\tsaid\nT3\tContent 9 18\t\"we won.\"\n"
    "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n"
    "T4\tSource 19 22\tBob\nT5\tCue 23 29\tdenied\nT6\tDiscard 30 32\tit\n"
    "E2\tAttribution:T5 Content:T6 Cue:T5 Source:T4\n"  # points at a Discard span: left out
    "T7\tSource 34 38\tCarl\nT8\tCue 39 50\targued that\nT9\tContent 51 62\ttaxes rise.\n"
    "E3\tAttribution:T8 Content:T9 Cue:T8 Source:T7\n"
    "E4\tAttribution:T8 Cue:T8 Source:T7\n"  # no content: left out
    "#1\tAnnotatorNotes T1\ta note\n"
    "a stray continuation line\n"
)


def _write(root: Path, split: str = "dev", files: dict[str, str] | None = None) -> Path:
    (root / "polnear" / split / "text").mkdir(parents=True)
    (root / "polnear" / split / "attributions").mkdir()
    (root / "polnear" / split / "text" / "art.txt").write_text(TEXT, encoding="utf-8")
    for name, ann in (files or {"art_a.ann": ANN}).items():
        (root / "polnear" / split / "attributions" / name).write_text(ann, encoding="utf-8")
    return root


def test_the_rules() -> None:
    attributions = parse_ann(ANN, TEXT)
    assert [a.id for a in attributions] == ["E1", "E3"]
    first, second = attributions
    assert (first.speaker, first.content[0].text, first.cue[0].text) == ("Ann", '"we won."', "said")
    assert [(span.text, role) for span, role in second.role_spans()] == [
        ("Carl", "Source"), ("argued that", "Cue"), ("taxes rise.", "Content")]
    for bad, message in (("T1\tContent 0 x\tx\n", "cannot parse offsets"),
                         ("T1\tContent 0 999\tx\n", "outside the article text"),
                         ("E1\tContent:T9\n", "undefined span 'T9'")):
        with pytest.raises(DataError, match=message):
            parse_ann(bad, TEXT, "art_a.ann")


def test_first_annotator_is_gold_and_pairs_for_agreement(tmp_path: Path) -> None:
    second = "T1\tSource 0 3\tAnn\nT3\tContent 9 18\tx\nE1\tContent:T3 Source:T1\n"
    _write(tmp_path, files={"art_b.ann": second, "art_a.ann": ANN})
    (article,) = read_polnear(tmp_path, "dev")
    assert article.origin.endswith("art_a.ann") and len(article.attributions) == 2
    ((first, other),) = read_double_annotated(tmp_path, "dev")
    assert first == article and len(other.attributions) == 1
    assert polnear_root(tmp_path / "polnear", "dev") == tmp_path / "polnear"  # the folder itself works too
    with pytest.raises(DataError, match="held back"):
        read_polnear(tmp_path, "test")
    with pytest.raises(DataError, match="Unknown PolNeAR split"):
        read_polnear(tmp_path, "validation")


def _tagger_and_scorer_gold(data_dir: Path, split: str) -> tuple[list, list]:
    from stanceclf.eval.gold import read_polnear as read_gold_quotes
    from stanceclf.extract.tagger.documents import load_polnear

    tagger = [set(doc.spans) for doc in load_polnear(data_dir, split)]
    roles = {"content": "CONTENT", "cue": "CUE", "source": "SOURCE"}
    scorer = [{(s.start, s.end, roles[role]) for q in article.quotes for role in roles
               for s in getattr(q, role) if s.start < s.end}
              for article in read_gold_quotes(data_dir, split)]
    return tagger, scorer


def test_the_tagger_trains_on_the_gold_it_is_scored_on(tmp_path: Path) -> None:
    tagger, scorer = _tagger_and_scorer_gold(_write(tmp_path), "dev")
    assert tagger == scorer and len(tagger[0]) == 6  # the Discard relation's spans are in neither


DATA = Path(os.environ.get("STANCECLF_DATA", "../shared/data"))


@pytest.mark.skipif(not (DATA / "polnear" / "dev" / "text").is_dir(), reason="PolNeAR not in the data folder")
def test_on_polnear_tagger_and_scorer_gold_are_the_same() -> None:
    for split, n_articles in (("train", 840), ("dev", 84)):
        tagger, scorer = _tagger_and_scorer_gold(DATA, split)
        assert len(tagger) == n_articles and tagger == scorer
