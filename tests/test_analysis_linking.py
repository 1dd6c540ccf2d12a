"""Target linking rules (stanceclf.analysis.linking) on sentences written for these tests.

The quotes are built by hand (speaker included) so each test checks one linking rule, not the
quote extractor; the parse comes from the packaged spaCy model.
"""

from __future__ import annotations

import pytest

from stanceclf.analysis.linking import VIAS, TargetLinker, quote_sentences, sentence_bounds
from stanceclf.analysis.targets import parse_targets
from stanceclf.types import Quote, QuoteKind, Span


@pytest.fixture(scope="module")
def nlp():
    from stanceclf.extract import DEFAULT_SPACY_MODEL, load_spacy

    return load_spacy(DEFAULT_SPACY_MODEL)


def _quote(text: str, fragment: str, speaker: str | None = None, nth: int = 0) -> Quote:
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return Quote(Span(start, start + len(fragment), fragment), QuoteKind.DIRECT, speaker=speaker)


def _links(nlp, text: str, targets, quote: Quote, quotes=None, all_targets: bool = False):
    linker = TargetLinker(text, nlp(text), parse_targets(targets))
    links = linker.link(quote, quotes or [quote], all_targets=all_targets)
    assert all(link.via in VIAS for link in links)
    return {link.target: link for link in links}


# -- the direct rules ---------------------------------------------------------------------------

def test_quote_and_sentence_mentions(nlp):
    text = 'Minister Ana Ruiz described the harbour plan as "a gift to the shipping lobby" on Monday.'
    q = _quote(text, "a gift to the shipping lobby", "Ana Ruiz")
    links = _links(nlp, text, {"harbour plan": [], "shipping lobby": ["the lobby"]}, q)
    assert links["shipping lobby"].via == "quote"
    assert links["harbour plan"].via == "sentence" and links["harbour plan"].evidence.text == "harbour plan"


def test_writer_mentions_go_to_the_nearest_quote_of_the_sentence(nlp):
    text = 'Lopez called the deal "a first step" and said the union "has kept the peace".'
    a, b = _quote(text, "a first step", "Maria Lopez"), _quote(text, "has kept the peace", "Maria Lopez")
    assert set(_links(nlp, text, ["deal", "union"], a, [a, b])) == {"deal"}
    assert set(_links(nlp, text, ["deal", "union"], b, [a, b])) == {"union"}


# -- coreference ---------------------------------------------------------------------------------

def test_surname_and_title_of_a_person_target(nlp):
    text = ('Senator Maria Lopez criticised Governor Paul Steele on Tuesday. '
            '"Mr. Steele has failed every family in this state," Lopez said.')
    q = _quote(text, "Mr. Steele has failed every family in this state,", "Maria Lopez")
    link = _links(nlp, text, {"Paul Steele": []}, q)["Paul Steele"]
    assert link.via == "coreference" and link.evidence.text == "Steele"
    assert link.model_target == "Paul Steele (Steele)"


def test_pronoun_resolves_to_the_salient_person_not_the_speaker(nlp):
    text = ('Senator Maria Lopez criticised Governor Paul Steele on Tuesday. '
            '"He should resign before the summer," Lopez said.')
    q = _quote(text, "He should resign before the summer,", "Maria Lopez")
    link = _links(nlp, text, {"Paul Steele": []}, q)["Paul Steele"]
    assert link.via == "coreference" and link.evidence.text == "He"
    assert link.context.startswith("Senator Maria Lopez criticised")  # the antecedent's sentence


def test_role_description_resolves_to_who_holds_the_role(nlp):
    text = ('President Tomas Reiner signed the decree on Friday. '
            '"The president has betrayed every worker in the country," said union leader Eva Holm.')
    q = _quote(text, "The president has betrayed every worker in the country,", "Eva Holm")
    link = _links(nlp, text, {"Tomas Reiner": []}, q)["Tomas Reiner"]
    assert link.via == "coreference" and link.evidence.text == "The president"


def test_demonstrative_and_definite_description_resolve_to_the_nearest_earlier_target(nlp):
    text = 'The council approved the harbour plan on Monday. "This is a betrayal of the fishermen," said Ana Ruiz.'
    q = _quote(text, "This is a betrayal of the fishermen,", "Ana Ruiz")
    link = _links(nlp, text, {"harbour plan": [], "city council": ["the council"]}, q)
    assert link["harbour plan"].via == "coreference" and link["harbour plan"].evidence.text == "This"
    assert link["harbour plan"].context == "The council approved the harbour plan on Monday."
    assert "city council" not in link  # only the nearest earlier mention
    text = 'The council approved the new harbour plan on Monday. "The plan will ruin us," said Ana Ruiz.'
    q = _quote(text, "The plan will ruin us,", "Ana Ruiz")
    link = _links(nlp, text, {"new harbour plan": []}, q)["new harbour plan"]
    assert link.via == "coreference" and link.evidence.text == "The plan"


def test_they_refers_to_an_organisation_target(nlp):
    text = 'The coast guard ignored the reports for years. "They knew about the nets and did nothing," said Ole Dahl.'
    q = _quote(text, "They knew about the nets and did nothing,", "Ole Dahl")
    assert _links(nlp, text, {"coast guard": []}, q)["coast guard"].via == "coreference"


# -- discourse -----------------------------------------------------------------------------------

def test_framing_sentence_across_a_paragraph_break(nlp):
    text = ('Ruth Adler spoke to reporters after the vote. She appeared to chastise Daniel Kim for skipping it.\n\n'
            '"When the city needed a leader, the man went on holiday," Adler said.')
    q = _quote(text, "When the city needed a leader, the man went on holiday,", "Ruth Adler")
    link = _links(nlp, text, {"Daniel Kim": []}, q)["Daniel Kim"]
    assert link.via == "framing"
    assert link.context == "She appeared to chastise Daniel Kim for skipping it."


def test_second_person_quote_is_aimed_at_the_addressee(nlp):
    text = 'Rubio told Trump to calm down. Later he repeated it. "You need to cool down," Rubio said.'
    q = _quote(text, "You need to cool down,", "Marco Rubio")
    link = _links(nlp, text, {"Donald Trump": ["Trump"]}, q)["Donald Trump"]
    assert link.via in ("framing", "addressee")
    text = ('"I will cut taxes for every family," Clara Moss said at the debate. '
            '"You have never balanced a budget," replied Ivan Petrov.')
    first = _quote(text, "I will cut taxes for every family,", "Clara Moss")
    second = _quote(text, "You have never balanced a budget,", "Ivan Petrov")
    link = _links(nlp, text, {"Clara Moss": []}, second, [first, second])["Clara Moss"]
    assert link.via == "addressee"  # a dialogue: the previous speaker is addressed


# -- what must not link ----------------------------------------------------------------------------

def test_no_link_without_a_reference(nlp):
    text = '"We will win this election," said Tom Berg, the mayor. Lisa Park runs the port authority.'
    q = _quote(text, "We will win this election,", "Tom Berg")
    assert _links(nlp, text, {"Lisa Park": [], "port authority": []}, q) == {}


def test_no_stance_toward_oneself_and_all_targets_mode(nlp):
    text = '"NATO must go, and I will say it again," said Jan Novak.'
    q = _quote(text, "NATO must go, and I will say it again,", "Jan Novak")
    links = _links(nlp, text, {"Jan Novak": ["Novak"], "NATO": [], "EU": []}, q, all_targets=True)
    assert links["NATO"].via == "quote" and links["EU"].via == "none" and "Jan Novak" not in links


def test_pronoun_does_not_link_to_the_speaker(nlp):
    text = 'Governor Paul Steele spoke on Tuesday. "He is tired of waiting," Steele said of his son.'
    q = _quote(text, "He is tired of waiting,", "Paul Steele")
    assert "Paul Steele" not in _links(nlp, text, {"Paul Steele": []}, q)


def test_antecedent_too_far_back_is_not_linked(nlp):
    text = ('The council approved the harbour plan on Monday. The weather was cold. Few people came. '
            'Buses ran late. "This is a betrayal," said Ana Ruiz.')
    q = _quote(text, "This is a betrayal,", "Ana Ruiz")
    assert _links(nlp, text, {"harbour plan": []}, q) == {}


def test_framing_of_another_speaker_is_not_inherited(nlp):
    text = ('Ruth Adler attacked Daniel Kim over the budget. "He wasted millions," Adler said.\n\n'
            '"The budget is balanced," said Omar Said.')
    adler = _quote(text, "He wasted millions,", "Ruth Adler")
    said = _quote(text, "The budget is balanced,", "Omar Said")
    assert "Daniel Kim" not in _links(nlp, text, {"Daniel Kim": []}, said, [adler, said])


# -- sentences -----------------------------------------------------------------------------------

def test_sentence_bounds_split_at_blank_lines_and_long_spans_fall_back(nlp):
    text = 'First line "without an end\n\nSecond paragraph." More.'
    bounds = sentence_bounds(text, nlp(text))
    assert all("\n\n" not in text[a:b] for a, b in bounds)
    long_text = "word " * 400
    a, b, first, last = quote_sentences([(0, len(long_text))], 10, 20)
    assert (a, b) == (10, 20) and first == last == 0


def test_continuation_gives_a_quote_the_targets_of_the_same_speakers_next_quote(nlp):
    text = ('Ida Berg warned that her town "will not accept" the new depot.\n\n'
            '"The freight company has lied to us for years," Berg said.\n\n'
            '"It rained all week," said Tom Lund.')
    first = _quote(text, "will not accept", "Ida Berg")
    second = _quote(text, "The freight company has lied to us for years,", "Ida Berg")
    third = _quote(text, "It rained all week,", "Tom Lund")
    linker = TargetLinker(text, nlp(text), parse_targets({"freight company": []}))
    links = linker.link_all([first, second, third])
    assert [(link.target, link.via) for link in links[0]] == [("freight company", "continuation")]
    assert links[0][0].context.startswith('"The freight company has lied')
    assert [(link.target, link.via) for link in links[1]] == [("freight company", "quote")]
    assert links[2] == []  # another speaker: nothing inherited


def test_a_namesake_is_not_linked_through_a_shared_surname(nlp):
    text = 'Hillary Clinton spoke in Ohio. Bill Clinton stayed home. "She will win Ohio," said her aide Tom Reed.'
    q = _quote(text, "She will win Ohio,", "Tom Reed")
    assert "Bill Clinton" not in _links(nlp, text, {"Bill Clinton": ["Clinton"]}, q)


def test_the_speakers_own_possessive_is_not_a_link(nlp):
    text = ('Senator Eva Holm spoke first. '
            'Mayor Ana Ruiz later defended her budget, calling it "fair to every family."')
    q = _quote(text, "fair to every family.", "Ana Ruiz")
    assert "Eva Holm" not in _links(nlp, text, {"Eva Holm": []}, q)
