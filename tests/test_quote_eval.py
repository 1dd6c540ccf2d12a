"""Tests for stanceclf.eval.quotes: gold readers (brat, example JSON), kind rule and the scorer.

All fixture texts are invented; the integration tests read the real data only when present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stanceclf.errors import DataError
from stanceclf.eval.quotes import (
    AnnotatedArticle,
    GoldQuote,
    _match,
    derive_kind,
    evaluate_quotes,
    attribution_units,
    format_quote_scores,
    parse_brat,
    polnear_agreement,
    quoted_mask,
    read_example_articles,
    read_polnear,
    score_quotes,
)
from stanceclf.types import Quote, QuoteKind, Span


def span(text: str, sub: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return Span(start, start + len(sub), sub)


def marks(text: str) -> str:
    return "".join("x" if v else "." for v in quoted_mask(text))


# --------------------------------------------------------------------------------------------------
# Brat / PolNeAR
# --------------------------------------------------------------------------------------------------

ARTICLE = (
    'Mayor Ada Quill said the bridge would reopen in May. "We are ready for the crowds," she '
    "told reporters, adding that the budget was \u201cfine.\u201d\n\n"
    "Critics disagree. Read more here."
)


def _brat(text: str) -> str:
    s = span
    src, cue = s(text, "Mayor Ada Quill"), s(text, "said")
    c1 = s(text, "the bridge would reopen in May")
    q_open = text.index('"We are')
    q_close = text.index('crowds,"') + len('crowds,"')
    she, told = s(text, "she"), s(text, "told reporters")
    adding = s(text, "adding")
    c3a = s(text, "that the budget")
    c3b = s(text, "was \u201cfine.\u201d")
    discard = s(text, "Read more here.")
    discuss = s(text, "Critics disagree.")
    return "\n".join(
        [
            f"T1\tSource {src.start} {src.end}\t{src.text}",
            f"T2\tCue {cue.start} {cue.end}\t{cue.text}",
            f"T3\tContent {c1.start} {c1.end}\t{c1.text}",
            f"T4\tAttribution {cue.start} {cue.end}\t{cue.text}",
            "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
            # E line before the T lines it uses
            "E2\tAttribution:T8 Source:T5 Cue:T6 Content:T7",
            f"T5\tSource {she.start} {she.end}\tshe",
            f"T6\tCue {told.start} {told.end}\ttold reporters",
            f"T7\tContent {q_open} {q_close}\t{text[q_open:q_close]}",
            f"T8\tAttribution {told.start} {told.end}\ttold reporters",
            "#1\tAnnotatorNotes T7\tquote spans two lines",
            "a stray continuation line",
            # no source, discontinuous content split in two T's (Content + Content2)
            f"T9\tCue {adding.start} {adding.end}\tadding",
            f"T10\tContent {c3a.start} {c3a.end}\t{c3a.text}",
            f"T11\tContent {c3b.start} {c3b.end}\t{c3b.text}",
            f"T12\tAttribution-no-source {adding.start} {adding.end}\tadding",
            "E3\tAttribution-no-source:T12 Cue:T9 Content:T10 Content2:T11",
            f"T13\tDiscard {discard.start} {discard.end}\t{discard.text}",
            f"T14\tDiscuss {discuss.start} {discuss.end}\t{discuss.text}",
            "E4\tAttribution-no-source:T12 ",
            "",
        ]
    )


def test_parse_brat_roles_kinds_and_ignored_lines() -> None:
    quotes = parse_brat(_brat(ARTICLE), ARTICLE, "fixture.ann")
    assert [q.id for q in quotes] == ["E1", "E2", "E3"]
    q1, q2, q3 = quotes
    assert q1.text == "the bridge would reopen in May" and q1.kind == "indirect"
    assert q1.speaker == "Mayor Ada Quill" and [c.text for c in q1.cue] == ["said"]
    assert q2.kind == "direct" and q2.speaker == "she" and q2.text.startswith('"We are')
    assert len(q3.content) == 2 and q3.source == () and q3.speaker is None
    assert q3.kind == "partial"  # reported speech with a quoted fragment
    assert q3.text == "that the budget was \u201cfine.\u201d"


def test_parse_brat_discontinuous_single_t_and_errors() -> None:
    text = '"We will win," he said, "and soon."'
    ann = "T1\tContent 1 12;25 34\tWe will win and soon.\nT2\tSource 15 17\the\nE1\tContent:T1 Source:T2\n"
    (q,) = parse_brat(ann, text)
    assert [s.text for s in q.content] == ["We will win", "and soon."] and q.kind == "direct"
    with pytest.raises(DataError, match="undefined span"):
        parse_brat("E1\tContent:T9\n", text)
    with pytest.raises(DataError, match="outside"):
        parse_brat("T1\tContent 0 999\tx\nE1\tContent:T1\n", text)
    with pytest.raises(DataError, match="offsets"):
        parse_brat("T1\tContent 0 x\tx\n", text)
    # an attribution whose content is a Discard span is no gold quote
    assert parse_brat("T1\tDiscard 0 5\tx\nE1\tContent:T1\n", text) == []


def _write_polnear(root: Path, split: str = "dev") -> None:
    d = root / "polnear" / split
    (d / "text").mkdir(parents=True)
    (d / "attributions").mkdir()
    (d / "text" / "news_2016-01-01_bridge.txt").write_text(ARTICLE, encoding="utf-8")
    (d / "attributions" / "news_2016-01-01_bridge_b2.ann").write_text(_brat(ARTICLE), encoding="utf-8")
    # a second annotator's file with one relation only; "_a1" sorts before "_b2", so it is used
    one = "\n".join(_brat(ARTICLE).splitlines()[:5]) + "\n"
    (d / "attributions" / "news_2016-01-01_bridge_a1.ann").write_text(one, encoding="utf-8")
    other = 'Bo Lund said: "No." Then he left.'
    (d / "text" / "news_2016-01-02_lund.txt").write_text(other, encoding="utf-8")
    (d / "attributions" / "news_2016-01-02_lund_c3.ann").write_text(
        "T1\tSource 0 7\tBo Lund\nT2\tCue 8 12\tsaid\nT3\tContent 14 19\t\"No.\"\nE1\tContent:T3 Cue:T2 Source:T1\n",
        encoding="utf-8",
    )
    (d / "text" / "news_2016-01-03_unannotated.txt").write_text("Nothing here.", encoding="utf-8")


def test_read_polnear_fixture(tmp_path: Path) -> None:
    _write_polnear(tmp_path)
    arts = read_polnear(tmp_path, "dev")
    assert [a.id for a in arts] == ["news_2016-01-01_bridge", "news_2016-01-02_lund"]  # no .ann: left out
    assert arts[0].origin.endswith("_a1.ann") and len(arts[0].quotes) == 1  # lexicographically first
    assert arts[1].quotes[0].kind == "direct" and arts[1].not_quotes == []
    # the polnear folder itself works too
    assert [a.id for a in read_polnear(tmp_path / "polnear", "dev")] == [a.id for a in arts]
    with pytest.raises(DataError, match="split 'train' not found"):
        read_polnear(tmp_path, "train")
    with pytest.raises(DataError, match="Unknown PolNeAR split"):
        read_polnear(tmp_path, "validation")
    with pytest.raises(DataError):
        read_polnear(tmp_path / "missing", "dev")


# --------------------------------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------------------------------


def test_quoted_mask() -> None:
    assert marks('He said "we won" today.') == ".........xxxxxx........"
    # one scanner (stanceclf.extract.quotemarks): some outlets close a curly quote with \u201c or a straight
    # mark, so a double mark inside a curly quote ends it (nested quotes in news are single quotes)
    assert marks("a \u201cb \u201cc\u201d d\u201d e") == "...x..x......"
    assert marks("\u201cHe said \"no\" today,\u201d x") == ".xxxxxxx..xx..........."
    assert marks("Why? ''We pay,'' he said.") == "......." + "x" * 7 + "." * 11  # typewriter quotes
    assert marks('x "open\nnext" y') == "...xxxx........"  # quotes end at the line's end
    assert marks("\u201dOdd opener.\u201d") == ".xxxxxxxxxxx."  # a closing mark used as opener


@pytest.mark.parametrize(
    ("text", "sub", "kind"),
    [
        ('Ann said: "We will win the vote."', "We will win the vote.", "direct"),
        ('Ann said: "We will win the vote."', '"We will win the vote."', "direct"),  # marks included
        ('\n"No," she said.', "No,", "direct"),  # short, opens a sentence
        ('She called it "a total disgrace."', "a total disgrace.", "partial"),  # lowercase fragment
        ('He backed "Peace Now" again.', "Peace Now", "partial"),  # capitalised but short, mid-sentence
        ('He said, "because it works. We know it."', "because it works. We know it.", "direct"),  # 2 sentences
        ('She said the plan "will fail" soon.', 'the plan "will fail" soon', "partial"),  # mixed
        ("She said the plan will fail soon.", "the plan will fail soon", "indirect"),
    ],
)
def test_derive_kind(text: str, sub: str, kind: str) -> None:
    assert derive_kind(text, [span(text, sub)]) == kind


# --------------------------------------------------------------------------------------------------
# Scorer
# --------------------------------------------------------------------------------------------------

TEXT = (
    'Dr. Ann Lee said: "We will win the vote." '
    "Bo Lund argued that taxes must fall. "
    'A report titled "Bread and Borders" came out.'
)


def _gold_article() -> AnnotatedArticle:
    g1 = GoldQuote(
        content=(span(TEXT, "We will win the vote."),),
        cue=(span(TEXT, "said"),),
        source=(span(TEXT, "Dr. Ann Lee"),),
        kind="direct",
        speaker="Dr. Ann Lee",
    )
    g2 = GoldQuote(
        content=(span(TEXT, "taxes must fall"),),
        source=(span(TEXT, "Bo Lund"),),
        kind="indirect",
        speaker="Bo Lund",
    )
    return AnnotatedArticle("art", TEXT, [g1, g2], [span(TEXT, "Bread and Borders")])


def q(sub: str, kind: QuoteKind = QuoteKind.DIRECT, speaker: str | None = None, mention: str | None = None) -> Quote:
    return Quote(
        content=span(TEXT, sub), kind=kind, speaker=speaker, speaker_mention=span(TEXT, mention) if mention else None
    )


def test_perfect_predictions() -> None:
    art = _gold_article()
    preds = {"art": [q('"We will win the vote."', speaker="ann lee", mention="Ann Lee"),
                     q("taxes must fall", QuoteKind.INDIRECT, speaker="Bo  Lund.", mention="Lund")]}
    s = score_quotes([art], preds)
    for t in ("0.3", "0.8"):
        assert s["by_threshold"][t] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "fp": 0, "fn": 0}
        assert s["recall_by_kind"][t]["direct"]["recall"] == 1.0
    assert s["n_gold"] == 2 and s["n_pred"] == 2 and s["n_articles"] == 1
    assert s["speaker_mention_accuracy"] == {"accuracy": 1.0, "correct": 2, "total": 2}
    # "ann lee" != "dr ann lee": canonical names must match after normalising case/punctuation/space
    assert s["speaker_accuracy"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    assert s["kind_accuracy"]["accuracy"] == 1.0
    assert s["not_quote_violations"]["count"] == 0
    json.dumps(s)  # JSON-ready
    # the same through a callable and through an aligned list
    assert score_quotes([art], lambda text: preds["art"])["by_threshold"] == s["by_threshold"]
    assert score_quotes([art], [preds["art"]])["by_threshold"] == s["by_threshold"]


def test_partial_overlap_counts_at_low_threshold_only() -> None:
    # gold "taxes must fall" -> 13 non-space chars; prediction "taxes must" -> 9; Jaccard 9/13 = 0.69
    s = score_quotes([_gold_article()], {"art": [q("taxes must", QuoteKind.INDIRECT)]})
    assert s["by_threshold"]["0.3"]["tp"] == 1 and s["by_threshold"]["0.8"]["tp"] == 0
    assert s["by_threshold"]["0.3"]["precision"] == 1.0 and s["by_threshold"]["0.3"]["recall"] == 0.5
    assert s["by_threshold"]["0.3"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["recall_by_kind"]["0.3"] == {
        "direct": {"recall": 0.0, "tp": 0, "n_gold": 1},
        "indirect": {"recall": 1.0, "tp": 1, "n_gold": 1},
    }
    assert s["by_threshold"]["0.8"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 1, "fn": 2}


def test_one_prediction_matches_one_gold_only() -> None:
    text = "He said we must act now and she said we must wait."
    g1 = GoldQuote((span(text, "we must act now"),))
    g2 = GoldQuote((span(text, "we must wait"),))
    art = AnnotatedArticle("a", text, [g1, g2])
    wide = Quote(span(text, "we must act now and she said we must wait"), QuoteKind.INDIRECT)
    # overlap with g1 = 12/33, with g2 = 10/33: counts once at 0.3
    s = score_quotes([art], [[wide]], thresholds=(0.3,))
    assert s["by_threshold"]["0.3"]["tp"] == 1 and s["by_threshold"]["0.3"]["fn"] == 1
    # two copies of the gold: both match, one each
    s = score_quotes([art], [[Quote(g.content[0], QuoteKind.INDIRECT) for g in (g2, g1)]])
    assert s["by_threshold"]["0.8"]["f1"] == 1.0


def test_matching_prefers_more_pairs() -> None:
    import numpy as np

    # max total overlap alone would pick (0,0) = 0.95 and leave one pair unmatched
    overlap = np.array([[0.95, 0.35], [0.35, 0.0]])
    assert sorted(_match(overlap, 0.3)) == [(0, 1), (1, 0)]
    assert _match(overlap, 0.8) == [(0, 0)]
    assert _match(np.zeros((0, 3)), 0.3) == []


def test_speaker_scores_use_matched_pairs() -> None:
    preds = [[q("We will win the vote.", speaker="Dr Ann LEE", mention="said"),  # wrong mention
              q("Bo Lund argued", QuoteKind.INDIRECT, speaker="Bo Lund", mention="Bo Lund")]]  # unmatched
    s = score_quotes([_gold_article()], preds)
    assert s["speaker_accuracy"] == {"accuracy": 1.0, "correct": 1, "total": 1}
    assert s["speaker_mention_accuracy"] == {"accuracy": 0.0, "correct": 0, "total": 1}
    # gold quotes without a source / speaker are not counted
    art = AnnotatedArticle("a", TEXT, [GoldQuote((span(TEXT, "taxes must fall"),))])
    s = score_quotes([art], [[q("taxes must fall", mention="Bo Lund", speaker="Bo Lund")]])
    assert s["speaker_mention_accuracy"]["total"] == 0 and s["speaker_mention_accuracy"]["accuracy"] is None
    assert s["speaker_accuracy"]["total"] == 0
    assert s["kind_accuracy"] == {"accuracy": 0.0, "correct": 0, "total": 1}


def test_not_quote_violations_and_errors() -> None:
    art = _gold_article()
    s = score_quotes([art], {"art": [q('"Bread and Borders"')]})
    assert s["not_quote_violations"] == {"count": 1, "examples": [{"article": "art", "text": '"Bread and Borders"'}]}
    assert s["by_threshold"]["0.3"]["fp"] == 1
    with pytest.raises(DataError, match="No predictions"):
        score_quotes([art], {"other": []})
    with pytest.raises(DataError, match="outside"):
        score_quotes([art], [[Quote(Span(0, 10_000, "x"), QuoteKind.DIRECT)]])
    with pytest.raises(DataError, match="align"):
        score_quotes([art], [[], []])
    with pytest.raises(DataError, match="Thresholds"):
        score_quotes([art], [[]], thresholds=(0.0,))


def test_empty_predictions_and_gold_as_predictions() -> None:
    art = _gold_article()
    s = score_quotes([art], [[]])
    assert s["by_threshold"]["0.3"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 2}
    s = score_quotes([art], {"art": art.quotes}, per_article=True)
    assert s["by_threshold"]["0.8"]["f1"] == 1.0 and s["speaker_accuracy"]["accuracy"] == 1.0
    assert s["per_article"] == [{"id": "art", "n_gold": 2, "n_pred": 2, "tp@0.3": 2, "tp@0.8": 2}]


def test_evaluate_quotes_and_format() -> None:
    art = _gold_article()
    s = evaluate_quotes(lambda text: [q("We will win the vote.")], [art])
    assert s["by_threshold"]["0.8"]["tp"] == 1
    assert s["n_words"] == len(TEXT.split()) and s["seconds"] >= 0
    assert s["words_per_s"] is None or s["words_per_s"] > 0
    table = format_quote_scores(s)
    assert "0.3" in table and "0.8" in table and "speaker_accuracy" in table and "words/s" in table


# --------------------------------------------------------------------------------------------------
# Example JSON
# --------------------------------------------------------------------------------------------------


def _example(article_id: str = "ex1") -> dict:
    text = 'Pia Holm said the plan "will fail." A leaflet titled "Dawn Rising" was handed out. "We stay," Holm said.'
    we = text.index("We stay,")
    return {
        "id": article_id,
        "text": text,
        "targets": {"plan": ["the plan"]},
        "quotes": [
            {"kind": "partial", "start": text.index("will fail."), "end": text.index("will fail.") + 10,
             "text": "will fail.", "speaker": "Pia Holm", "stance": {"plan": "AGAINST"}},
            {"id": "q2", "kind": "direct", "start": we, "end": we + 8, "speaker": "Pia Holm"},
        ],
        "not_quotes": [{"text": "Dawn Rising", "why": "title"}],
    }


def test_read_example_articles(tmp_path: Path) -> None:
    f = tmp_path / "one.json"
    f.write_text(json.dumps(_example()), encoding="utf-8")
    (art,) = read_example_articles(f)
    assert art.id == "ex1" and art.targets == {"plan": ["the plan"]}
    assert [(g.kind, g.text, g.speaker) for g in art.quotes] == [
        ("partial", "will fail.", "Pia Holm"), ("direct", "We stay,", "Pia Holm")]
    assert art.quotes[0].stance == (("plan", "AGAINST"),) and art.quotes[1].id == "q2"
    assert [s.text for s in art.not_quotes] == ["Dawn Rising"]
    # the derived kind agrees with the annotated one
    assert [derive_kind(art.text, g.content) for g in art.quotes] == ["partial", "direct"]
    # a folder, with a list-form file
    (tmp_path / "two.json").write_text(json.dumps([_example("ex2"), _example("ex3")]), encoding="utf-8")
    assert [a.id for a in read_example_articles(tmp_path)] == ["ex1", "ex2", "ex3"]
    # scoring the file against itself
    assert score_quotes([art], {"ex1": art.quotes})["by_threshold"]["0.8"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["quotes"][0].update(text="wrong"), "does not match"),
        (lambda d: d["quotes"][0].update(kind="quoted"), "kind must be"),
        (lambda d: d["quotes"][0].update(end=10_000), "outside"),
        (lambda d: d.update(not_quotes=["Nowhere"]), "does not occur"),
        (lambda d: d.pop("text"), "missing key"),
    ],
)
def test_read_example_articles_errors(tmp_path: Path, change, message: str) -> None:
    d = _example()
    change(d)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_example_articles(f)


def test_read_example_articles_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_example_articles(tmp_path / "nope.json")
    with pytest.raises(DataError, match="No \\*.json"):
        read_example_articles(tmp_path)
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="invalid JSON"):
        read_example_articles(tmp_path / "x.json")


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, stanceclf.eval.quotes; print('scipy' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "False"  # scipy only when scoring


# --------------------------------------------------------------------------------------------------
# Scoring units: segments vs attributions
# --------------------------------------------------------------------------------------------------

SPLIT = '"The port stays open," Lena Fischer said. "Nobody should panic." Officials agreed.'


def _split_quote_predictions() -> list[Quote]:
    said = span(SPLIT, "said")
    return [Quote(span(SPLIT, "The port stays open,"), QuoteKind.DIRECT, "Lena Fischer", cue=said),
            Quote(span(SPLIT, "Nobody should panic."), QuoteKind.DIRECT, "Lena Fischer", cue=said)]


def test_attribution_units_join_quotes_sharing_a_cue() -> None:
    preds = _split_quote_predictions()
    other = Quote(span(SPLIT, "Officials agreed"), QuoteKind.INDIRECT)  # no cue: stays alone
    units = attribution_units([preds[1], other, preds[0]])
    assert [u.text for u in units] == ["The port stays open, Nobody should panic.", "Officials agreed"]
    assert units[0].speaker == "Lena Fischer" and units[0].kind == "direct"
    gold = GoldQuote((span(SPLIT, "Officials"),))
    assert attribution_units([gold]) == [gold]
    # two clauses after one cue are two attributions: the cue does not split them
    text = "She said that taxes rise and that wages fall."
    said = span(text, "said")
    clauses = [Quote(span(text, "taxes rise"), QuoteKind.INDIRECT, cue=said),
               Quote(span(text, "wages fall"), QuoteKind.INDIRECT, cue=said)]
    assert [u.text for u in attribution_units(clauses)] == ["taxes rise", "wages fall"]


def test_score_unit_follows_the_article() -> None:
    preds = _split_quote_predictions()
    one_relation = [GoldQuote((preds[0].content, preds[1].content), kind="direct", speaker="Lena Fischer")]
    per_segment = [GoldQuote((q.content,), kind="direct", speaker="Lena Fischer") for q in preds]
    polnear_like = AnnotatedArticle("a", SPLIT, one_relation, unit="attribution")
    example_like = AnnotatedArticle("b", SPLIT, per_segment)
    s = score_quotes([polnear_like], [preds])
    assert s["unit"] == {"attribution": 1} and s["n_pred"] == 1
    assert s["by_threshold"]["0.8"]["f1"] == 1.0 and s["speaker_accuracy"]["accuracy"] == 1.0
    # scored per segment, the second half is a false positive and overlap drops below 0.8
    seg = score_quotes([polnear_like], [preds], unit="segment")
    assert seg["n_pred"] == 2 and seg["by_threshold"]["0.3"]["tp"] == 1 and seg["by_threshold"]["0.8"]["tp"] == 0
    assert score_quotes([example_like], [preds])["by_threshold"]["0.8"]["f1"] == 1.0
    with pytest.raises(DataError, match="unit must be one of"):
        score_quotes([example_like], [preds], unit="sentence")
    with pytest.raises(DataError, match="unit must be one of"):
        AnnotatedArticle("c", SPLIT, unit="paragraph")
    assert "(unit: segment)" in format_quote_scores(score_quotes([example_like], [preds])).splitlines()[0]


def test_polnear_agreement_on_the_fixture(tmp_path: Path) -> None:
    _write_polnear(tmp_path)
    s = polnear_agreement(tmp_path, splits=("dev",))
    # only the bridge article has two annotators: b2 (3 relations) scored against a1 (1 relation)
    assert s["articles"] == ["news_2016-01-01_bridge"] and s["n_gold"] == 1 and s["n_pred"] == 3
    assert s["by_threshold"]["0.3"]["tp"] == 1
    with pytest.raises(DataError, match="two annotations"):
        polnear_agreement(_single_annotator_copy(tmp_path), splits=("dev",))


def _single_annotator_copy(root: Path) -> Path:
    out = root / "single"
    _write_polnear(out)
    (out / "polnear" / "dev" / "attributions" / "news_2016-01-01_bridge_b2.ann").unlink()
    return out


# --------------------------------------------------------------------------------------------------
# Real data (skipped when absent)
# --------------------------------------------------------------------------------------------------


def _data_root() -> Path:
    env = os.environ.get("STANCECLF_DATA", "").strip()
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def test_polnear_dev_integration() -> None:
    root = _data_root()
    if not (root / "polnear" / "dev" / "attributions").is_dir():
        pytest.skip(f"PolNeAR dev split not found under {root}")
    arts = read_polnear(root, "dev")
    assert len(arts) == 84
    n = sum(len(a.quotes) for a in arts)
    assert n == 2192  # E lines with a Content, one annotator file per article
    s = score_quotes(arts, {a.id: a.quotes for a in arts})
    assert s["n_gold"] == n and set(s["gold_by_kind"]) == {"direct", "partial", "indirect"}
    for t in ("0.3", "0.8"):
        assert s["by_threshold"][t]["f1"] == 1.0
    assert s["speaker_mention_accuracy"]["accuracy"] == 1.0 and s["speaker_accuracy"]["accuracy"] == 1.0
    assert s["unit"] == {"attribution": 84}


def test_polnear_agreement_integration() -> None:
    root = _data_root()
    if not (root / "polnear" / "train" / "attributions").is_dir():
        pytest.skip(f"PolNeAR train split not found under {root}")
    s = polnear_agreement(root)
    assert s["n_articles"] == 18  # 16 doubly annotated articles in train, 2 in dev
    assert 0.6 < s["by_threshold"]["0.3"]["f1"] < 1.0


def test_harbor_example_integration() -> None:
    path = _data_root() / "examples" / "harbor.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    (art,) = read_example_articles(path)
    assert len(art.quotes) == 22 and len(art.not_quotes) == 1
    assert all(g.speaker for g in art.quotes)
    assert [derive_kind(art.text, g.content) for g in art.quotes] == [g.kind for g in art.quotes]
    s = score_quotes([art], {art.id: art.quotes})
    assert s["by_threshold"]["0.8"]["f1"] == 1.0 and s["not_quote_violations"]["count"] == 0
