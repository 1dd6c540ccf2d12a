"""Quote extraction and speaker attribution on short texts written for these tests."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")
from stanceclf.errors import DataError, ModelError  # noqa: E402
from stanceclf.extract import QuoteExtractor, clean_text  # noqa: E402
from stanceclf.extract.quotemarks import QUOTE_CHARS, find_quoted_segments  # noqa: E402
from stanceclf.types import QuoteKind  # noqa: E402

try:
    _EXTRACTOR = QuoteExtractor()
    _EXTRACTOR.nlp  # noqa: B018 - load now so a missing model skips the module
except ModelError as exc:  # pragma: no cover - the extract extra is not installed
    pytest.skip(str(exc), allow_module_level=True)


def quotes(text: str):
    found = _EXTRACTOR.extract(text)
    text = clean_text(text)  # the same text, but U+FFFD for lone surrogates
    for q in found:  # offsets always refer to the original text
        assert text[q.start:q.end] == q.text
        if q.speaker_mention:
            assert text[q.speaker_mention.start:q.speaker_mention.end] == q.speaker_mention.text
    return found


def by_text(found, fragment):
    hits = [q for q in found if fragment in q.text]
    assert hits, f"no quote containing {fragment!r} in {[q.text for q in found]}"
    return hits[0]


# -- quotation marks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("open_mark, close_mark", [('"', '"'), ("\u201c", "\u201d"), ("\u00ab", "\u00bb"), ("\u00bb", "\u00ab")])
def test_quote_mark_styles(open_mark, close_mark):
    text = f"{open_mark}We will rebuild the bridge by spring,{close_mark} Mayor Anna Lind said on Monday."
    q = by_text(quotes(text), "rebuild")
    assert q.text == "We will rebuild the bridge by spring,"
    assert q.kind is QuoteKind.DIRECT
    assert q.speaker == "Anna Lind"


def test_nested_single_quotes_and_apostrophes_are_not_split():
    text = "\u201cThe minister's plan is what they call 'a fresh start', and it isn't,\u201d Omar Haddad said."
    found = quotes(text)
    assert len(found) == 1
    assert found[0].text.startswith("The minister's plan") and found[0].text.endswith("it isn't,")
    assert found[0].speaker == "Omar Haddad"


def test_split_quote_with_sentence_break_inherits_speaker():
    text = '"The port will stay open," Lena Fischer said. "Nobody should panic."'
    found = quotes(text)
    assert [q.text for q in found] == ["The port will stay open,", "Nobody should panic."]
    assert {q.speaker for q in found} == {"Lena Fischer"}


def test_split_quote_with_comma_continuation():
    text = '"We are ready," Tom Baker said, "but the unions are not."'
    found = quotes(text)
    assert [q.text for q in found] == ["We are ready,", "but the unions are not."]
    assert all(q.speaker == "Tom Baker" for q in found)
    assert all(q.kind is QuoteKind.DIRECT for q in found)


def test_multi_paragraph_quote_without_closing_mark():
    text = ('Senator Ruth Okafor spoke first. "The budget is a disgrace.\n\n'
            '"It cuts schools and hospitals," she said.')
    found = quotes(text)
    first = by_text(found, "disgrace")
    assert first.text == "The budget is a disgrace."
    assert by_text(found, "hospitals").speaker == "Ruth Okafor"
    assert first.speaker == "Ruth Okafor"


def test_colon_lead_in():
    text = 'Prime Minister Jonas Berg told parliament: "We will not raise taxes this year."'
    q = by_text(quotes(text), "raise taxes")
    assert q.kind is QuoteKind.DIRECT and q.speaker == "Jonas Berg"
    assert q.cue is not None and q.cue.text == "told"


def test_cue_before_and_after():
    before = quotes('Maria Santos said, "The vote was rigged."')
    after = quotes('"The vote was rigged," said Maria Santos.')
    assert by_text(before, "rigged").speaker == "Maria Santos"
    assert by_text(after, "rigged").speaker == "Maria Santos"


def test_partial_quote_inside_writers_sentence():
    text = 'Coach Daniel Reyes described the young striker as an "incredible person" after the match.'
    q = by_text(quotes(text), "incredible")
    assert q.text == "incredible person"
    assert q.kind is QuoteKind.PARTIAL
    assert q.speaker == "Daniel Reyes"


@pytest.mark.parametrize("text", [
    'The study, titled "Rivers of Gold," was published on Friday.',
    'She moved to a street locals call "The Strand" in 1999.',
    'The so-called "reforms" were approved on a quiet afternoon.',
])
def test_titles_names_and_scare_quotes_are_not_speech(text):
    assert quotes(text) == []


# -- reported speech ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, content, speaker", [
    ("Economist Priya Nair said that inflation would peak in June.", "inflation would peak in June", "Priya Nair"),
    ("Priya Nair warned the rally would turn violent.", "the rally would turn violent", "Priya Nair"),
    ("Priya Nair suggested that the deal may unsettle the Kremlin.", "the deal may unsettle the Kremlin", "Priya Nair"),
    ("Priya Nair told reporters the talks had collapsed.", "the talks had collapsed", "Priya Nair"),
    ("The talks had collapsed, said Priya Nair.", "The talks had collapsed", "Priya Nair"),
    ("According to Priya Nair, the talks had collapsed.", "the talks had collapsed", "Priya Nair"),
    ("Priya Nair was quoted as saying that the talks had collapsed.", "the talks had collapsed", "Priya Nair"),
])
def test_reported_speech(text, content, speaker):
    q = by_text(quotes(text), content.split()[1])
    assert q.kind is QuoteKind.INDIRECT
    assert q.text == content
    assert q.speaker == speaker


# -- speakers ------------------------------------------------------------------------------------------
def test_pronoun_resolves_by_gender_and_recency():
    # gender evidence comes from the text itself ("her briefing"), not from name lists
    text = ("Finance Minister Clara Vogt opened her briefing early. Central bank governor Paul Meyer arrived late. "
            '"Rates must come down," he said. "We disagree," she replied.')
    found = quotes(text)
    assert by_text(found, "Rates").speaker == "Paul Meyer"
    assert by_text(found, "disagree").speaker == "Clara Vogt"


def test_pronoun_prefers_the_recent_subject():
    text = ("Paul Meyer spoke after Jan Novak. Meyer said the plan was sound. "
            "He added that the bank would act in June.")
    assert by_text(quotes(text), "would act").speaker == "Paul Meyer"


def test_description_resolves_to_named_person_and_fullest_name():
    text = ("Kremlin spokesperson Dmitry Peskov dismissed the report. "
            "Peskov said the claims were baseless. The spokesperson added that talks would continue.")
    found = quotes(text)
    assert by_text(found, "baseless").speaker == "Dmitry Peskov"
    assert by_text(found, "talks would continue").speaker == "Dmitry Peskov"


def test_appositive_description():
    text = ("Alexander Lukashenko, the Belarusian leader, arrived late. "
            "The Belarusian leader said the border would stay closed.")
    assert by_text(quotes(text), "border").speaker == "Alexander Lukashenko"


def test_name_the_tagger_of_entities_misses_still_resolves_a_pronoun():
    # the small spaCy model tags no entity in this text; the name chain is still a person
    text = 'Ana Ruiz spoke on Monday. "We will win," she said. "Nobody can stop us."'
    found = quotes(text)
    assert [q.speaker for q in found] == ["Ana Ruiz", "Ana Ruiz"]
    # the continuation is attributed by the same cue, so it is one attribution with the first part
    assert found[1].cue is not None and found[1].cue == found[0].cue


def test_description_subject_with_appositive_name():
    q = by_text(quotes('The minister, Ana Ruiz, said: "It is over."'), "It is over")
    assert q.speaker == "Ana Ruiz" and q.cue.text == "said"


@pytest.mark.parametrize("lead", ["Prime Minister Ana Ruiz", "Ana Ruiz, the minister,"])
def test_two_lead_ins_in_one_sentence(lead):
    # "added" introduces the second quote: the first keeps "said", and no quoted word is a speaker
    found = quotes(f'{lead} said, "It is over," and added, "we go home."')
    assert [(q.text, q.cue.text, q.speaker) for q in found] == [
        ("It is over,", "said", "Ana Ruiz"), ("we go home.", "added", "Ana Ruiz")]


def test_anonymous_source_and_organisation_kept_as_such():
    text = ("A senior European diplomat said the plan was dead. "
            "The Kremlin said that the sanctions were illegal.")
    found = quotes(text)
    assert by_text(found, "plan was dead").speaker.lower() == "a senior european diplomat"
    assert by_text(found, "sanctions").speaker == "Kremlin"


def test_reporting_outlet_is_not_the_speaker():
    text = ('President Viktor Hale called the treaty "a historic mistake," as quoted by the state agency Belta.')
    assert by_text(quotes(text), "historic").speaker == "Viktor Hale"


# -- robustness ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    'He said "unbalanced and never closed',
    '"""',
    "''' \u201c \u201d \u00ab",
    'The 6" pipe and the 12" pipe were replaced, officials said.',
])
def test_odd_quotation_marks_never_fail(text):
    quotes(text)


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\t\u3000\x0b"])
def test_empty_text_is_a_usage_error(text):
    # an empty text is not "a text without quotes": it is usually a file that failed to read
    with pytest.raises(DataError, match="The text is empty"):
        _EXTRACTOR.extract(text)
    with pytest.raises(DataError, match="Text 1 is empty"):
        list(_EXTRACTOR.pipe(["A text.", text]))


def test_lone_surrogates_are_replaced_keeping_offsets():
    text = '"We will win\ud800 the vote," Jane Doe said on \udfff Monday.'
    assert clean_text(text) == text.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd")
    (q,) = quotes(text)
    assert q.text == "We will win\ufffd the vote," and q.speaker == "Jane Doe"
    assert quotes("a\ud800 b") == []
    assert clean_text("plain") == "plain"


# -- unbalanced quotation marks: no quote runs past a mark, no text is extracted twice ------------------
_CLOSING = {"\u201d", "\u00bb"}


def well_formed(text: str, found) -> None:
    """No two quotes share text; no quote runs past a closing mark or holds part of a quoted segment."""
    spans = sorted((q.start, q.end) for q in found)
    assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:])), f"overlapping quotes: {spans}"
    for q in found:
        marks = [c for c in q.text if c in QUOTE_CHARS]
        assert not marks or marks[0] not in _CLOSING, f"{q.text!r} starts inside a quote and runs past its end"
        for seg in find_quoted_segments(text):
            end = seg.end if seg.close_mark is None else seg.close_mark + 1
            assert (q.end <= seg.start or q.start >= seg.end or seg.start <= q.start and q.end <= seg.end
                    or q.start <= seg.open_mark and end <= q.end), f"{q.text!r} crosses {text[seg.start:seg.end]!r}"


@pytest.mark.parametrize("text, expected", [
    # a second opener before any closer: the first quote ends there instead of running over it
    ('He said "we will win. Then "they left.', ["we will win. Then", "they left."]),
    ('Lone \u201c mark here, he said. More text "here" and there.', ["mark here, he said. More text", "here"]),
    ("\u201cwe will win. Then \u201cthey left.", ["we will win. Then", "they left."]),
    # a lone closing mark ends the reported speech it falls in
    ("He said, we will win\u201d and left. The minister said that the plan would fail.",
     ["we will win", "the plan would fail"]),
])
def test_unbalanced_marks_do_not_run_past_a_mark(text, expected):
    found = quotes(text)
    well_formed(text, found)
    assert [q.text for q in found] == expected


@pytest.mark.parametrize("text", [
    'The mayor said " the plan will work and everyone agreed with him on that day.',
    'The mayor said the plan " will work.',
    'A " B " C " D said the man.',
    '"',
    "He left\u201d.",
    "\u201d\u201d\u201d",
    'Jane said "we will fight" and "we will win. Bob said the war is over.\n\nAnd then "x.',
    '"We will win," Jane Doe said. "Then they left. Bob said "it is over" and went home.',
])
def test_a_lone_mark_gives_no_repeated_quotes(text):
    found = quotes(text)
    well_formed(text, found)
    texts = [q.text for q in found]
    assert len(texts) == len(set(texts))


def test_parenthetical_attribution():
    text = "The reforms, Senator Ada Kim says, will cost far more than planned."
    q = by_text(quotes(text), "cost far more")
    assert q.kind is QuoteKind.INDIRECT and q.speaker == "Ada Kim"
    # one contiguous content span: it runs across the parenthetical (a documented limitation)
    assert q.text.startswith("The reforms") and q.text.endswith("than planned")


def test_headline_attribution():
    text = "Kim: Reform Bill Will Cost Billions More Than Planned.\n\nSenator Ada Kim spoke on Monday."
    q = by_text(quotes(text), "Reform Bill")
    assert q.text == "Reform Bill Will Cost Billions More Than Planned"
    assert q.speaker == "Ada Kim"


def test_headline_labels_are_not_speakers():
    assert quotes("Analysis: Why the Reform Bill Failed in the Senate\n\nIt was a long week.") == []


def test_parallel_parsing_gives_the_same_quotes():
    texts = ['"We are ready," Tom Baker said, "but the unions are not."',
             "Peter Novak said on Tuesday that the deal may unsettle the Kremlin.", "No quotes."] * 3
    parallel = QuoteExtractor(n_process=2)
    assert list(parallel.pipe(texts, batch_size=2)) == list(_EXTRACTOR.pipe(texts, batch_size=2))
    with pytest.raises(ModelError, match="n_process"):
        QuoteExtractor(n_process=0)
