"""Published reference scores shown beside our results in docs/benchmarks.md (``benchmarks/render.py``).

Not computed by us: each is quoted from the paper named in its ``source``. Scores are on a 0-100
scale, as the papers report them, under each paper's own metric.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ANCHORS", "Anchor"]


@dataclass(frozen=True)
class Anchor:
    """A published reference result (score on a 0-100 scale, as papers report it)."""

    system: str
    score: float
    metric: str
    source: str
    note: str = ""


#: Published anchors by (dataset, split); shown beside in-target rows only.
ANCHORS: dict[tuple[str, str], list[Anchor]] = {
    ("semeval2016", "test"): [
        Anchor("MITRE (best SemEval-2016 team)", 67.82, "F_avg", "Zarrella & Marsh, SemEval 2016"),
        Anchor("TweetEval RoBERTa-base", 68.0, "F_avg", "Barbieri et al., Findings of EMNLP 2020",
               "TweetEval's stance subset; averaged over its 5 targets"),
    ],
    ("pstance", "test"): [
        Anchor("BERTweet (in-target)", 80.53, "macro-F1", "Li et al., Findings of ACL 2021", "mean over the 3 targets"),
    ],
    ("fnc1", "test"): [
        Anchor("SOLAT in the SWEN (FNC-1 winner)", 82.02, "relative score", "Baird et al., 2017"),
    ],
    ("newsmtsc", "devtest_rw"): [
        Anchor("GRU-TSC", 83.1, "F1m", "Hamborg & Donnay, EACL 2021"),
    ],
    # -- claims ------------------------------------------------------------------------------------
    ("checkthat2024_en", "dev_test"): [
        Anchor("organisers' n-gram baseline", 59.9, "F1 (CHECKWORTHY)", "CheckThat! 2024 Task 1 task README",
               "majority 0.0, random 46.2 on the same split"),
    ],
    ("checkthat2024_en", "test"): [
        Anchor("FactFinders (rank 1, fine-tuned open LLMs)", 80.0, "F1 (CHECKWORTHY)",
               "Li, Panchendrarajan & Zubiaga, CLEF 2024 (CEUR Vol-3740)",
               "rank 1 is in the paper's abstract; the value (about 0.80) is the dataset README's, not read from "
               "the paper here"),
    ],
    ("checkthat2020_t5", "validation"): [
        Anchor("organisers' n-gram baseline (TF-IDF + SVM)", 9.5, "MAP", "clef2020-factchecking-task5 README",
               "trained on the first 40 training debates, scored on the last 10 (= this split); random 2.1"),
    ],
    ("newssd_eng", "test"): [
        Anchor("mBERT (best of 3 seeds)", 79.0, "macro-F1", "Antici et al., LREC-COLING 2024 (repository results/)",
               "seeds 42/500/1000: 76/69/79"),
    ],
    ("cnc_subtask1", "validation"): [
        Anchor("bert-base-cased", 86.3, "F1 (CAUSAL)", "Tan et al., Causal News Corpus V2 README",
               "P 84.1, R 88.7 on the V2 dev split; shared-task test scores (hidden labels) are not comparable"),
    ],
}
