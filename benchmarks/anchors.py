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
}
