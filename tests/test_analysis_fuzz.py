"""Fuzzing the whole analysis: whatever the text, a document gives a result or an error record, and
the stream goes on (the extraction, target and loader fuzzers are in test_fuzz.py).

The default run tries a few dozen documents; ``STANCECLF_FUZZ_EXAMPLES=2000 pytest -m slow
tests/test_analysis_fuzz.py`` runs the thorough profile.
"""

from __future__ import annotations

import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from stanceclf.analysis import Analyzer, ArticleAnalysis, DocumentError  # noqa: E402

pytest.importorskip("spacy")

WORDS = ["the", "mayor", "said", "NATO", "treaty", "\u201c", "\u201d", '"', "'", "\u00ab", "\u00bb", "\u201e",
         "he", "she", "told", "reporters", ".", ",", "\n\n", "according", "to", "Anna", "Berg", "is", "a",
         "disaster", "\ud800", "\udce9", "\x0b", "\u300d", "\u200b", "\t", "x" * 300]
TEXTS = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=120).map(" ".join),
    st.text(min_size=0, max_size=400),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200),
)
FAST = int(os.environ.get("STANCECLF_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(model="default", extractor="rules")


def _check(analyzer: Analyzer, texts: list[str], targets: object) -> int:
    """Analyse ``texts``; check there is one well-formed result per text; return how many were analysed."""
    results = list(analyzer.analyze_documents(texts, targets))
    assert len(results) == len(texts)  # one result or error record per input, in order
    for result in results:
        assert isinstance(result, (ArticleAnalysis, DocumentError))
        if isinstance(result, ArticleAnalysis):
            for row in result.to_records():
                str(row).encode("utf-8", "backslashreplace")
            for qa in result.quotes:
                assert 0 <= qa.quote.start <= qa.quote.end <= len(result.text)
    return sum(isinstance(r, ArticleAnalysis) for r in results)


@settings(max_examples=FAST, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, min_size=1, max_size=3), given_targets=st.booleans())
def test_any_text_gives_a_result_or_an_error_record(analyzer: Analyzer, texts: list[str], given_targets: bool) -> None:
    _check(analyzer, texts, {"NATO": ["the alliance"], "treaty": []} if given_targets else None)


@pytest.mark.slow
def test_thorough_profile(analyzer: Analyzer) -> None:
    count = int(os.environ.get("STANCECLF_FUZZ_EXAMPLES", "2000"))

    tried = {"batches": 0, "documents": 0, "analysed": 0}

    @settings(max_examples=count, deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts=st.lists(TEXTS, min_size=1, max_size=3), given_targets=st.booleans())
    def run(texts: list[str], given_targets: bool) -> None:
        tried["batches"] += 1
        tried["documents"] += len(texts)
        tried["analysed"] += _check(analyzer, texts, {"NATO": ["the alliance"]} if given_targets else None)

    run()
    print(f"analysis fuzz: {tried['batches']} batches, {tried['documents']} documents, "
          f"{tried['analysed']} analysed (the rest refused as error records), 0 exceptions")
