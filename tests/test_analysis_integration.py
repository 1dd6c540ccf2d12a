"""End-to-end analysis of the annotated example article in ../shared/data (skips when absent).

Stance *accuracy* is a benchmark number (benchmarks/analysis.py, docs/analysis.md), not asserted
here; these tests check what the pipeline must always get right on it: every quote, its speaker,
and the link from each annotated quote to the targets it addresses.
"""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")
from stanceclf.analysis import Analyzer  # noqa: E402
from stanceclf.eval.analysis import score_analyses  # noqa: E402
from stanceclf.eval.quotes import read_example_articles  # noqa: E402

from conftest import HARBOR  # noqa: E402


@pytest.fixture(scope="module")
def scored():
    if not HARBOR.is_file():
        pytest.skip(f"{HARBOR} not present")
    articles = read_example_articles(HARBOR)
    analyzer = Analyzer(extractor="rules")
    analyses = [analyzer.analyze(a.text, a.targets, doc_id=a.id) for a in articles]
    return articles, analyses, score_analyses(articles, analyses)


def test_every_quote_found_with_its_speaker(scored):
    _, _, scores = scored
    assert scores["quotes"]["by_threshold"]["0.3"]["recall"] == 1.0
    assert scores["quotes"]["speaker_accuracy"]["accuracy"] >= 0.95


def test_annotated_targets_are_linked_to_their_quotes(scored):
    articles, _, scores = scored
    pairs = scores["pairs"]
    n_annotated = sum(1 for a in articles for q in a.quotes for t, _ in q.stance if t not in q.ambiguous)
    assert scores["stance"]["pairs"] == len(pairs) == n_annotated > 0
    linked = [p for p in pairs if p["via"] is not None]
    # a target only implied by world knowledge ("foreign troops" for NATO) cannot be linked lexically
    assert len(linked) >= 0.9 * len(pairs)
    for p in linked:
        assert abs(sum(p["probabilities"].values()) - 1) < 1e-3


def test_targets_are_never_linked_to_the_report_title(scored):
    _, analyses, scores = scored
    assert scores["quotes"]["not_quote_violations"]["count"] == 0
    assert all("Bread and Borders" not in q.quote.text for a in analyses for q in a.quotes)
