"""Property-based tests: random text with random quotation marks never breaks extraction."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stanceclf.extract.quotemarks import find_quoted_segments

MARKS = ['"', "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "'", "\u2018", "\u2019"]
pieces = st.one_of(
    st.sampled_from(MARKS),
    st.sampled_from([" ", "\n", "\n\n", ", ", ". ", ": ", "said", "He", "she added", "the deal", "Mr. O'Brien's"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
texts = st.lists(pieces, max_size=40).map("".join)


@given(texts)
@settings(max_examples=400, deadline=None)
def test_segments_are_valid_ordered_and_inside_the_text(text):
    segments = find_quoted_segments(text)
    previous_end = -1
    for seg in segments:
        assert 0 <= seg.open_mark < seg.start < seg.end <= len(text)
        assert seg.start > previous_end
        assert text[seg.start:seg.end].strip() == text[seg.start:seg.end]
        if seg.closed:
            assert seg.close_mark is not None and seg.end <= seg.close_mark
        previous_end = seg.end


def test_apostrophes_and_inch_marks_are_not_quotes():
    assert find_quoted_segments("It's O'Brien's 6\" pipe, isn't it?") == []


def test_unclosed_quote_stops_at_paragraph_end():
    text = 'He said "this never closes\n\nA new paragraph "with a real quote" here.'
    got = [text[s.start:s.end] for s in find_quoted_segments(text)]
    assert got == ["this never closes", "with a real quote"]


@given(texts)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_full_extraction_never_raises_and_offsets_are_valid(text):
    extract = pytest.importorskip("stanceclf.extract")
    try:
        extractor = _shared(extract)
    except extract.ModelError as exc:  # pragma: no cover - spaCy model missing
        pytest.skip(str(exc))
    for quote in extractor.extract(text):
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start:quote.end] == quote.text
        for span in (quote.cue, quote.speaker_mention):
            if span is not None:
                assert text[span.start:span.end] == span.text
        assert 0.0 <= quote.confidence <= 1.0


_EXTRACTOR: list = []


def _shared(extract):
    if not _EXTRACTOR:
        pytest.importorskip("spacy")
        extractor = extract.QuoteExtractor()
        extractor.nlp  # noqa: B018 - raises ModelError when the model is missing
        _EXTRACTOR.append(extractor)
    return _EXTRACTOR[0]
