"""End-to-end quote extraction on the annotated example article in ../shared/data (skips when absent)."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")
from stanceclf.errors import ModelError  # noqa: E402
from stanceclf.eval.quotes import read_example_articles, score_quotes  # noqa: E402
from stanceclf.extract import QuoteExtractor  # noqa: E402

from conftest import HARBOR  # noqa: E402


@pytest.fixture(scope="module")
def harbor():
    if not HARBOR.is_file():
        pytest.skip(f"{HARBOR} not present")
    return read_example_articles(HARBOR)


@pytest.mark.parametrize("mode", ["rules", "hybrid"])
def test_harbor_all_quotes_found_with_speakers(harbor, mode):
    try:
        extractor = QuoteExtractor(mode=mode)
        predictions = [extractor.extract(article.text) for article in harbor]
    except ModelError as exc:  # the spaCy model or the tagger's encoder package is missing
        pytest.skip(str(exc))
    scores = score_quotes(harbor, predictions)
    assert scores["by_threshold"]["0.3"]["recall"] == 1.0
    assert scores["speaker_accuracy"]["accuracy"] >= 0.95
    assert scores["not_quote_violations"]["count"] == 0  # the report title is not a quote


def test_tagger_mode_on_a_short_text():
    try:
        extractor = QuoteExtractor(mode="tagger")
        found = extractor.extract('"We will rebuild the bridge by spring," Mayor Anna Lind said on Monday.')
    except ModelError as exc:
        pytest.skip(str(exc))
    assert any("rebuild the bridge" in q.text and q.speaker == "Anna Lind" and q.source == "tagger" for q in found)
