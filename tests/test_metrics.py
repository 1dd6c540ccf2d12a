"""Tests for stanceclf.metrics."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from enum import Enum

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from stanceclf.errors import DataError, UnknownNameError
from stanceclf import metrics as M
from stanceclf.metrics import significance
from stanceclf.metrics import (
    METRICS,
    accuracy,
    bootstrap_ci,
    brier_score,
    confusion,
    expected_calibration_error,
    f_avg,
    f_avg_per_target,
    fnc_raw_score,
    fnc_score,
    get_metric,
    macro_f1,
    mcnemar_test,
    paired_bootstrap_test,
    per_class,
    score_all,
)

STANCES = ["FAVOR", "AGAINST", "NONE"]


def _random_pair(n: int, labels=STANCES, seed: int = 0, acc: float = 0.6):
    rng = np.random.default_rng(seed)
    yt = rng.choice(labels, size=n)
    yp = np.where(rng.random(n) < acc, yt, rng.choice(labels, size=n))
    return list(yt), list(yp)


# ----------------------------------------------------------------------------- f_avg


def test_f_avg_hand_example():
    gold = ["FAVOR", "FAVOR", "FAVOR", "AGAINST", "AGAINST", "NONE", "NONE"]
    pred = ["FAVOR", "FAVOR", "NONE", "AGAINST", "FAVOR", "NONE", "AGAINST"]
    # FAVOR:   tp=2, n_gold=3, n_pred=3 -> P=2/3, R=2/3, F1=2/3
    # AGAINST: tp=1, n_gold=2, n_pred=2 -> P=1/2, R=1/2, F1=1/2
    # F_avg = (2/3 + 1/2) / 2 = 7/12
    assert f_avg(gold, pred) == pytest.approx(7 / 12)


def test_f_avg_matches_sklearn_and_ignores_none_class():
    yt, yp = _random_pair(300, seed=1)
    f = f1_score(yt, yp, labels=["FAVOR", "AGAINST"], average=None, zero_division=0)
    assert f_avg(yt, yp) == pytest.approx(f.mean())
    # changing only NONE<->NONE-correctness doesn't matter; NONE F1 is never averaged
    assert f_avg(["NONE", "FAVOR"], ["NONE", "FAVOR"]) == pytest.approx((1.0 + 0.0) / 2)


def test_f_avg_absent_class_counts_zero():
    # AGAINST has no gold and no predicted items -> F1_AGAINST = 0 by definition
    assert f_avg(["FAVOR", "NONE"], ["FAVOR", "NONE"]) == 0.5
    assert f_avg(["NONE", "NONE"], ["NONE", "NONE"]) == 0.0


def test_f_avg_accepts_enums_and_arrays():
    class S(str, Enum):
        FAVOR = "FAVOR"
        AGAINST = "AGAINST"

    assert f_avg([S.FAVOR, S.AGAINST], np.array(["FAVOR", "AGAINST"])) == 1.0


def test_f_avg_per_target():
    gold = ["FAVOR", "AGAINST", "FAVOR", "NONE"]
    pred = ["FAVOR", "AGAINST", "AGAINST", "NONE"]
    tg = ["t1", "t1", "t2", "t2"]
    # t1: both classes perfect -> 1.0
    # t2: FAVOR tp=0 (gold 1, pred 0) -> 0; AGAINST tp=0 (gold 0, pred 1) -> 0 => 0.0
    assert f_avg_per_target(gold, pred, tg) == {"t1": 1.0, "t2": 0.0}
    with pytest.raises(DataError, match="targets"):
        f_avg_per_target(gold, pred, tg[:3])


# ----------------------------------------------------------------------------- classification metrics


def test_macro_f1_accuracy_per_class_match_sklearn():
    yt, yp = _random_pair(500, seed=2)
    labs = sorted(set(yt))
    assert macro_f1(yt, yp) == pytest.approx(f1_score(yt, yp, labels=labs, average="macro", zero_division=0))
    assert accuracy(yt, yp) == pytest.approx(accuracy_score(yt, yp))
    p, r, f, s = precision_recall_fscore_support(yt, yp, labels=labs, zero_division=0)
    pc = per_class(yt, yp)
    assert list(pc) == labs
    for i, lab in enumerate(labs):
        assert pc[lab]["precision"] == pytest.approx(p[i])
        assert pc[lab]["recall"] == pytest.approx(r[i])
        assert pc[lab]["f1"] == pytest.approx(f[i])
        assert pc[lab]["support"] == s[i]


def test_macro_f1_hand_example_and_foreign_predictions():
    # gold a a b, pred a c b: a: tp=1 gold=2 pred=1 -> F1=2/3; b: tp=1 gold=1 pred=1 -> 1
    # 'c' is not a gold class: it is an error for 'a' but adds no class -> (2/3 + 1) / 2 = 5/6
    assert macro_f1(["a", "a", "b"], ["a", "c", "b"]) == pytest.approx(5 / 6)
    assert macro_f1(["a", "a", "b"], ["a", "c", "b"]) == pytest.approx(
        f1_score(["a", "a", "b"], ["a", "c", "b"], labels=["a", "b"], average="macro", zero_division=0)
    )
    # explicit labels: 'd' has no gold/pred items -> F1 0 -> (2/3 + 1 + 0) / 3
    assert macro_f1(["a", "a", "b"], ["a", "c", "b"], labels=["a", "b", "d"]) == pytest.approx(5 / 9)


def test_confusion_matches_sklearn():
    yt, yp = _random_pair(200, seed=3)
    c = confusion(yt, yp)
    assert c["labels"] == sorted(set(yt) | set(yp))
    assert c["matrix"] == confusion_matrix(yt, yp, labels=c["labels"]).tolist()
    # rows are gold
    assert confusion(["a"], ["b"], labels=["a", "b"])["matrix"] == [[0, 1], [0, 0]]


# ----------------------------------------------------------------------------- FNC-1


def test_fnc_hand_example():
    gold = ["agree", "disagree", "discuss", "unrelated", "unrelated", "agree"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "agree", "disagree"]
    # agree/agree          exact related        0.25 + 0.50 + 0.25 = 1.00
    # disagree/discuss     both related                            0.25
    # discuss/unrelated    nothing                                 0.00
    # unrelated/unrelated  exact unrelated                         0.25
    # unrelated/agree      nothing                                 0.00
    # agree/disagree       both related                            0.25
    # raw = 1.75; max = 4 related * 1.0 + 2 unrelated * 0.25 = 4.5
    assert fnc_raw_score(gold, pred) == pytest.approx(1.75)
    assert fnc_score(gold, pred) == pytest.approx(1.75 / 4.5)
    assert fnc_score(gold, gold) == 1.0
    assert fnc_raw_score(gold, gold) == pytest.approx(4.5)


def _official_fnc(gold, test):
    """Straight transcription of FakeNewsChallenge/fnc-1 scorer.py score_submission."""
    score = 0.0
    for g, t in zip(gold, test):
        if g == t:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in M.FNC_RELATED and t in M.FNC_RELATED:
            score += 0.25
    return score


def test_fnc_matches_official_loop_and_rejects_bad_gold():
    yt, yp = _random_pair(400, labels=list(M.FNC_LABELS), seed=4, acc=0.5)
    assert fnc_raw_score(yt, yp) == pytest.approx(_official_fnc(yt, yp))
    assert fnc_score(yt, yp) == pytest.approx(_official_fnc(yt, yp) / _official_fnc(yt, yt))
    assert fnc_raw_score(["agree"], ["AGREE"]) == 0.0  # unknown predictions earn nothing
    with pytest.raises(DataError, match="FNC-1"):
        fnc_score(["FAVOR"], ["FAVOR"])


# ----------------------------------------------------------------------------- calibration


def test_ece_and_brier_hand_example():
    classes = ["a", "b"]
    proba = [[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]
    gold = ["a", "b", "b", "a"]
    # confidences 0.9, 0.6, 0.7, 0.8; correct: T, F, T, F
    # n_bins=5 -> bins (0.4,0.6]: {0.6, wrong}, (0.6,0.8]: {0.7 T, 0.8 F}, (0.8,1]: {0.9 T}
    # ECE = 1/4*|0-0.6| + 2/4*|0.5-0.75| + 1/4*|1-0.9| = 0.15 + 0.125 + 0.025 = 0.3
    assert expected_calibration_error(gold, proba, classes, n_bins=5) == pytest.approx(0.3)
    # Brier: (0.1^2+0.1^2) + (0.6^2+0.6^2) + (0.3^2+0.3^2) + (0.8^2+0.8^2)
    #      = 0.02 + 0.72 + 0.18 + 1.28 = 2.2 -> / 4 = 0.55
    assert brier_score(gold, proba, classes) == pytest.approx(0.55)


def test_ece_zero_for_perfectly_calibrated_constant():
    # always 0.75 for 'a' and 'a' is right 3 times out of 4 -> accuracy 0.75 = confidence
    gold = ["a", "a", "a", "b"] * 5
    proba = [[0.75, 0.25]] * 20
    assert expected_calibration_error(gold, proba, ["a", "b"]) == pytest.approx(0.0, abs=1e-12)
    # one-hot correct predictions: ECE 0, Brier 0
    assert expected_calibration_error(["a", "b"], [[1, 0], [0, 1]], ["a", "b"]) == 0.0
    assert brier_score(["a", "b"], [[1, 0], [0, 1]], ["a", "b"]) == 0.0


@pytest.mark.parametrize(
    "proba, msg",
    [
        ([[0.5, 0.5]], "shape"),  # one row for two examples
        ([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]], "shape"),  # three columns for two classes
        ([0.5, 0.5], "shape"),  # 1-D
        ([[0.6, 0.6], [0.5, 0.5]], "sum to 1"),
        ([[np.nan, 1.0], [0.5, 0.5]], "finite"),
    ],
)
def test_calibration_rejects_bad_proba(proba, msg):
    with pytest.raises(DataError, match=msg):
        expected_calibration_error(["a", "b"], proba, ["a", "b"])
    with pytest.raises(DataError, match=msg):
        brier_score(["a", "b"], proba, ["a", "b"])


def test_calibration_rejects_unknown_gold_and_bad_bins():
    with pytest.raises(DataError, match="not in classes"):
        brier_score(["a", "c"], [[1, 0], [0, 1]], ["a", "b"])
    with pytest.raises(DataError, match="n_bins"):
        expected_calibration_error(["a"], [[1, 0]], ["a", "b"], n_bins=0)


# ----------------------------------------------------------------------------- bootstrap & tests


def test_bootstrap_ci_contains_estimate_and_is_deterministic():
    yt, yp = _random_pair(300, seed=5)
    for metric in (accuracy, macro_f1, f_avg):
        lo, hi = bootstrap_ci(metric, yt, yp, n_resamples=300, seed=1)
        assert lo <= metric(yt, yp) <= hi
        assert 0.0 <= lo < hi <= 1.0
        assert bootstrap_ci(metric, yt, yp, n_resamples=300, seed=1) == (lo, hi)
    assert bootstrap_ci(accuracy, yt, yp, n_resamples=300, seed=2) != bootstrap_ci(
        accuracy, yt, yp, n_resamples=300, seed=1
    )
    # a narrower confidence gives a narrower interval
    lo90, hi90 = bootstrap_ci(accuracy, yt, yp, n_resamples=300, seed=1, confidence=0.8)
    lo95, hi95 = bootstrap_ci(accuracy, yt, yp, n_resamples=300, seed=1)
    assert lo95 <= lo90 and hi90 <= hi95


@pytest.mark.parametrize(
    "metric",
    [accuracy, macro_f1, f_avg, fnc_score, functools.partial(macro_f1, labels=["agree", "discuss", "zzz"])],
)
@pytest.mark.parametrize("grouped", [False, True])
def test_bootstrap_fast_path_equals_generic_path(metric, grouped):
    yt, yp = _random_pair(60, labels=list(M.FNC_LABELS), seed=6)
    groups = [f"g{i % 7}" for i in range(60)] if grouped else None
    fast = bootstrap_ci(metric, yt, yp, n_resamples=100, seed=3, groups=groups)
    slow = bootstrap_ci(lambda a, b: metric(a, b), yt, yp, n_resamples=100, seed=3, groups=groups)
    assert fast == pytest.approx(slow)


def test_bootstrap_groups_resample_whole_groups():
    # each group is either all-correct or all-wrong; resampling groups keeps accuracy a multiple of 1/group
    yt = ["a"] * 40
    yp = ["a"] * 20 + ["b"] * 20
    groups = ["x"] * 20 + ["y"] * 20
    scores = significance._bootstrap_scores(accuracy, np.array(yt), [np.array(yp)], 200, 0, np.array(groups))[0]
    assert set(np.round(scores, 6)) <= {0.0, 0.5, 1.0}
    lo, hi = bootstrap_ci(accuracy, yt, yp, n_resamples=200, groups=groups)
    assert (lo, hi) == (0.0, 1.0)


def test_paired_bootstrap_clear_winner_and_identical():
    yt, good = _random_pair(300, seed=7, acc=0.9)
    _, bad = _random_pair(300, seed=8, acc=0.3)
    bad = list(np.where(np.random.default_rng(9).random(300) < 0.5, bad, "NONE"))
    res = paired_bootstrap_test(macro_f1, yt, good, bad, n_resamples=2000)
    assert res["delta"] > 0.3
    assert res["p_value"] < 0.01
    assert res["ci95"][0] > 0 and len(res["ci95"]) == 2
    same = paired_bootstrap_test(macro_f1, yt, good, good, n_resamples=2000)
    assert same["delta"] == 0.0 and same["p_value"] == 1.0
    assert paired_bootstrap_test(macro_f1, yt, good, bad, n_resamples=2000) == res
    json.dumps(res)


def test_paired_bootstrap_close_models_not_significant():
    yt, a = _random_pair(200, seed=10, acc=0.7)
    b = list(a)
    b[0] = "NONE" if a[0] != "NONE" else "FAVOR"  # differ on a single example
    assert paired_bootstrap_test(accuracy, yt, a, b, n_resamples=1000)["p_value"] > 0.2


def test_mcnemar():
    gold = ["a"] * 12
    pa = ["a"] * 12
    pb = ["a"] * 2 + ["b"] * 10
    # b = 10 (A right, B wrong), c = 0 -> p = 2 * 0.5^10 = 0.001953125
    res = mcnemar_test(gold, pa, pb)
    assert res == {"b": 10, "c": 0, "p_value": pytest.approx(2 * 0.5**10)}
    assert mcnemar_test(gold, pa, pa) == {"b": 0, "c": 0, "p_value": 1.0}


# ----------------------------------------------------------------------------- validation & registry


@pytest.mark.parametrize(
    "fn", [f_avg, macro_f1, accuracy, per_class, confusion, fnc_score, fnc_raw_score]
)
def test_bad_inputs_raise_data_error(fn):
    with pytest.raises(DataError, match="same length"):
        fn(["agree", "discuss"], ["agree"])
    with pytest.raises(DataError, match="empty"):
        fn([], [])
    with pytest.raises(DataError, match="single string"):
        fn("agree", "agree")
    with pytest.raises(DataError, match="missing"):
        fn(["agree", None], ["agree", "agree"])


def test_bootstrap_and_tests_validate():
    with pytest.raises(DataError, match="same length"):
        bootstrap_ci(accuracy, ["a"], ["a", "b"])
    with pytest.raises(DataError, match="confidence"):
        bootstrap_ci(accuracy, ["a"], ["a"], confidence=1.5)
    with pytest.raises(DataError, match="n_resamples"):
        bootstrap_ci(accuracy, ["a"], ["a"], n_resamples=0)
    with pytest.raises(DataError, match="pred_b"):
        paired_bootstrap_test(accuracy, ["a", "b"], ["a", "b"], ["a"])
    with pytest.raises(DataError, match="pred_a"):
        mcnemar_test(["a", "b"], ["a"], ["a", "b"])
    with pytest.raises(DataError, match="groups"):
        bootstrap_ci(accuracy, ["a", "b"], ["a", "b"], groups=["x"])


def test_get_metric_and_registry():
    assert set(METRICS) == {"f_avg", "macro_f1", "accuracy", "fnc_score"}
    assert get_metric("Macro-F1") is macro_f1
    with pytest.raises(UnknownNameError, match="Did you mean 'macro_f1'") as exc:
        get_metric("macro_f")
    assert isinstance(exc.value, KeyError)
    assert "Known metrics" in str(exc.value)


# ----------------------------------------------------------------------------- score_all


def test_score_all_semeval_with_targets_and_proba():
    yt, yp = _random_pair(120, seed=11)
    targets = [["Atheism", "Climate"][i % 2] for i in range(120)]
    proba = np.full((120, 3), 0.2)
    proba[np.arange(120), [["AGAINST", "FAVOR", "NONE"].index(p) for p in yp]] = 0.6
    res = score_all(yt, yp, proba=proba, classes=["AGAINST", "FAVOR", "NONE"], targets=targets, n_resamples=200)
    json.loads(json.dumps(res))  # plain types only
    assert res["main_metric"] == "macro_f1"
    assert res["main_score"] == pytest.approx(macro_f1(yt, yp)) == res["macro_f1"]
    lo, hi = res["main_ci95"]
    assert lo <= res["main_score"] <= hi
    assert res["n"] == 120 and res["accuracy"] == pytest.approx(accuracy(yt, yp))
    assert res["f_avg"] == pytest.approx(f_avg(yt, yp))
    assert "fnc_score" not in res
    assert set(res["per_class"]) == {"AGAINST", "FAVOR", "NONE"}
    assert sum(map(sum, res["confusion"]["matrix"])) == 120
    assert set(res["per_target"]) == {"Atheism", "Climate"}
    at = res["per_target"]["Atheism"]
    m = np.array(targets) == "Atheism"
    assert at["n"] == 60 and at["f_avg"] == pytest.approx(f_avg(np.array(yt)[m], np.array(yp)[m]))
    assert set(res["calibration"]) == {"ece", "brier"}
    assert res["calibration"]["ece"] == pytest.approx(
        expected_calibration_error(yt, proba, ["AGAINST", "FAVOR", "NONE"])
    )


def test_score_all_fnc_and_main_metric():
    yt, yp = _random_pair(80, labels=list(M.FNC_LABELS), seed=12)
    res = score_all(yt, yp, main_metric="fnc_score", n_resamples=0)
    assert res["main_score"] == res["fnc_score"] == pytest.approx(fnc_score(yt, yp))
    assert res["main_ci95"] is None
    assert "f_avg" not in res and "per_target" not in res and "calibration" not in res
    with pytest.raises(UnknownNameError):
        score_all(yt, yp, main_metric="f1_macro")


def test_score_all_labels_and_extra_predictions():
    res = score_all(["a", "a", "b"], ["a", "c", "b"], n_resamples=0)
    assert res["macro_f1"] == pytest.approx(5 / 6)  # 'c' adds no class
    assert res["confusion"]["labels"] == ["a", "b", "c"]  # but shows up in the matrix
    res = score_all(["a", "a", "b"], ["a", "c", "b"], labels=["a", "b", "d"], n_resamples=50)
    assert res["main_score"] == pytest.approx(5 / 9)
    with pytest.raises(DataError, match="classes"):
        score_all(["a"], ["a"], proba=[[1.0]], n_resamples=0)


# ----------------------------------------------------------------------------- properties & import


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(STANCES), st.sampled_from(STANCES)), min_size=1, max_size=40)
)
def test_f_avg_property(pairs):
    yt = [g for g, _ in pairs]
    yp = [p for _, p in pairs]
    score = f_avg(yt, yp)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(
        f1_score(yt, yp, labels=["FAVOR", "AGAINST"], average=None, zero_division=0).mean()
    )
    if "FAVOR" in yt and "AGAINST" in yt:
        assert f_avg(yt, yt) == 1.0


def test_import_is_light():
    code = (
        "import sys, stanceclf.eval; "
        "bad = [m for m in ('torch', 'datasets', 'transformers') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------------------------------
# Check-worthiness: F1 of the positive class, and rankings within groups (CheckThat! 2020 Task 5)
# --------------------------------------------------------------------------------------------------


def test_f1_positive_by_hand_and_by_name():
    gold = ["Yes", "Yes", "No", "No", "Yes"]
    pred = ["Yes", "No", "Yes", "No", "Yes"]  # Yes: tp 2, fp 1, fn 1 -> P 2/3, R 2/3, F1 2/3
    assert M.f1_positive(gold, pred, "Yes") == pytest.approx(2 / 3)
    assert M.get_metric("f1-positive", positive="Yes")(gold, pred) == pytest.approx(2 / 3)
    assert M.f1_positive(gold, ["No"] * 5, "Yes") == 0.0  # the majority baseline scores 0
    with pytest.raises(DataError, match="positive label"):
        M.get_metric("f1_positive")
    report = M.score_all(gold, pred, main_metric="f1_positive", positive_label="Yes", n_resamples=50)
    assert report["main_score"] == pytest.approx(2 / 3) and report["main_ci95"][0] <= 2 / 3 <= report["main_ci95"][1]


def test_ranking_metrics_by_hand():
    ranked = [0, 1, 0, 1, 0]  # 2 positives at ranks 2 and 4
    assert M.average_precision(ranked) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert M.r_precision(ranked) == pytest.approx(1 / 2)  # P@2
    assert M.reciprocal_rank(ranked) == pytest.approx(1 / 2)
    assert [M.precision_at_k(ranked, k) for k in (1, 3, 5, 10)] == pytest.approx([0, 1 / 3, 2 / 5, 2 / 10])
    assert M.average_precision([0, 0]) == M.r_precision([0, 0]) == M.reciprocal_rank([0, 0]) == 0.0
    assert M.average_precision([1, 1, 0]) == 1.0
    with pytest.raises(DataError, match="positive integer"):
        M.precision_at_k(ranked, 0)


def test_ranking_within_groups_ties_keep_input_order():
    # debate a: scores tie at 0.5, so the input order decides (the official scorer's stable sort)
    gold = ["no", "yes", "yes", "no", "no", "yes"]
    scores = [0.5, 0.5, 0.9, 0.1, 0.8, 0.2]
    groups = ["a", "a", "a", "a", "b", "b"]
    assert M.rank_labels(gold[:4], scores[:4], positive="yes") == [True, False, True, False]
    s = M.ranking_scores(gold, scores, groups, positive="yes", ks=(1, 3))
    # a: ranked yes, no, yes, no -> AP (1 + 2/3) / 2, R-prec P@2 = 1/2, RR 1; b: no, yes -> AP 1/2, R-prec P@1 = 0, RR 1/2
    assert s["per_group"]["a"]["ap"] == pytest.approx(5 / 6) and s["per_group"]["b"]["ap"] == pytest.approx(0.5)
    assert s["map"] == pytest.approx((5 / 6 + 0.5) / 2)
    assert s["r_precision"] == pytest.approx(0.25) and s["mrr"] == pytest.approx(0.75)
    assert s["p@1"] == pytest.approx(0.5) and s["p@3"] == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert s["n_groups"] == 2 and s["groups_without_positive"] == 0
    with pytest.raises(DataError, match="same length"):
        M.ranking_scores(gold, scores[:-1], groups)
    with pytest.raises(DataError, match="NaN"):
        M.rank_labels([1, 0], [float("nan"), 0.1])


def test_ranking_bootstrap_resamples_whole_groups():
    # group a ranks its positive first (AP 1), group b last (AP 1/2): every resample's MAP is 1, 3/4 or 1/2
    gold, scores, groups = [1, 0, 0, 1], [0.9, 0.1, 0.9, 0.1], ["a", "a", "b", "b"]
    lo, hi = M.ranking_bootstrap_ci(gold, scores, groups, n_resamples=500, seed=1)
    assert (lo, hi) == (0.5, 1.0)
    assert M.ranking_bootstrap_ci(gold, scores, groups, metric="p@1", n_resamples=100) == (0.0, 1.0)
    with pytest.raises(DataError, match="Unknown ranking metric"):
        M.ranking_bootstrap_ci(gold, scores, groups, metric="ndcg")
