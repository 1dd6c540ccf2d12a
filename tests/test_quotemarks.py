"""Property-based tests: random text with random quotation marks never breaks extraction."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stanceclf.extract.quotemarks import find_quoted_segments, quoted_mask

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


def _segments(text):
    return [(text[s.start:s.end], s.closed) for s in find_quoted_segments(text)]


@pytest.mark.parametrize("text, expected", [
    # an unclosed quote ends before the next opening double mark of its paragraph, not at the paragraph end
    ('He said "we will win. Then "they left.', [("we will win. Then", False), ("they left.", False)]),
    ('Lone \u201c mark, he said. More "here" and there.', [("mark, he said. More", False), ("here", True)]),
    ('She said "the economy is strong" but "unemployment rose" in "the last quarter',
     [("the economy is strong", True), ("unemployment rose", True), ("the last quarter", False)]),
    # \u201c closes a quote only in a closing position (after a non-space); else it opens a new one
    ("\u201cwe will win. Then \u201cthey left.", [("we will win. Then", False), ("they left.", False)]),
    ("\u201cA\u201c he said", [("A", True)]),
    ("\u201eJa\u201c sagte er", [("Ja", True)]),
    # guillemets may hold double quotes
    ("\u00abHe called it \u201cnonsense\u201d today\u00bb", [("He called it \u201cnonsense\u201d today", True)]),
    # lone marks
    ("\u201d", []), ('"', []), ("He left\u201d and \u201d.", []),
])
def test_unbalanced_marks(text, expected):
    assert _segments(text) == expected


@given(texts)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_full_extraction_never_raises_and_offsets_are_valid(text):
    assume(text.strip())  # an empty text raises DataError (tests/test_extract_rules.py)
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


def test_typewriter_and_reversed_marks_are_double_quotes():
    text = "''We pay,'' he said. \u201fFine\u201d and \u201dOdd opener.\u201d"
    assert [text[s.start:s.end] for s in find_quoted_segments(text)] == ["We pay,", "Fine", "Odd opener."]
    (first, *_) = find_quoted_segments(text)
    assert (first.open_mark, first.close_mark, first.close_end) == (0, 9, 11)
    assert not any(quoted_mask("He said\u201d no, it's 5' 2'' tall."))
