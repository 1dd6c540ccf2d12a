"""Target linking: which of the user's targets each quote is aimed at, and the evidence for it.

A stance is only as good as the pair it is computed for. This stage proposes, for every quote, the
targets it may address -- generously: the stance model decides NONE -- and says why (``Link.via``):

* ``quote``: the quote names the target (any alias: "NATO", "the alliance");
* ``sentence``: the rest of its sentence(s) does ("Benning described the deal as 'a first step'"); a
  mention in the writer's words belongs to the nearest quote of the sentence, a mention inside another
  quote of the sentence is shared (a quote split by its cue is one claim);
* ``coreference``: the quote refers to the target another way --

  - a person target by surname, title or role ("Mr. Steele", "Steele", "the president" when the
    article says who holds the role);
  - a pronoun (he / she / him / her ...) resolved with the speaker resolver's salience
    (:meth:`stanceclf.extract.speakers.SpeakerResolver.antecedent`), never to the speaker: inside
    the quote, or an object or possessive in the writer's words around it ("called *him*
    divisive");
  - "they" / "them" / "their", "it", a demonstrative ("this", "these agreements") or a definite
    description ("the plan", "the deal") resolved to the nearest earlier mention of a target that is
    not a person, at most two sentences back (across a paragraph break, except for "it");

* ``framing``: the journalist's sentence that introduces the quote ("Rubio appeared to chastise
  Trump for ..."): the nearest of the two sentences before the quote's own, also across a paragraph
  break, that names the speaker (or refers to them as a subject pronoun) or ends with a colon; a
  sentence quoting another speaker ends the search;
* ``addressee``: second-person quotes and imperatives ("You need to cool down", "Tell them ...")
  are aimed at whom the speaker addresses: a person target that the quote's sentence, the framing
  sentence or the two sentences before have as the object of speech ("told Trump", "turned to
  Clinton"), else the previous quote's speaker in a dialogue;
* ``continuation``: the same speaker's quote in the adjacent sentence (or paragraph) names the target
  (:meth:`TargetLinker.link_all`; a speaker's consecutive quotes usually continue one topic);
* ``none``: not addressed (only with ``all_targets=True``; NONE by rule).

A speaker never gets a stance toward a target that is the speaker. Each :class:`Link` keeps the
mention or evidence span and the ``context`` the model reads beside the quote's sentence (the
antecedent's or the framing sentence).

The analysis runs these rules in its link stage, :meth:`stanceclf.analysis.pipeline.Analyzer.link`;
to use a rule of your own in your analyses only, override that method in a subclass of ``Analyzer``.

>>> import spacy                                                          # doctest: +SKIP
>>> linker = TargetLinker(text, nlp(text), parse_targets({"Ilse Mork": []}))   # doctest: +SKIP
>>> [(l.target, l.via, l.evidence.text) for l in linker.link(quotes[0], quotes)]  # doctest: +SKIP
[('Ilse Mork', 'coreference', 'she')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from ..extract.lexicon import FEMALE_PRONOUNS, MALE_PRONOUNS, PLURAL_PRONOUNS, SPEECH_VERBS
from ..types import Quote, Span
from .targets import Target, TargetMatcher, TargetMention

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["Link", "TargetLinker", "VIAS", "sentence_bounds", "quote_sentences", "MAX_STANCE_TEXT_CHARS"]

#: Every ``via`` a link can have, from the most to the least direct.
VIAS: tuple[str, ...] = ("quote", "sentence", "coreference", "framing", "addressee", "continuation", "none")
#: Longest stance-model text (characters) built from whole sentences; longer spans fall back to the quote.
MAX_STANCE_TEXT_CHARS = 700
#: How many sentences back an antecedent or a framing sentence may be.
LOOKBACK_SENTENCES = 2

_DEMONSTRATIVES = frozenset("this that these those it its".split())
_REFERRING_DEPS = frozenset("det nsubj nsubjpass dobj pobj".split())
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself|yourselves)\b", re.I)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_ADDRESS_VERBS = frozenset("tell ask turn address urge warn challenge accuse answer reply respond".split())


@dataclass(frozen=True)
class Link:
    """One (quote, target) link.

    ``mention`` is where the target itself is named (``None`` for a pronoun whose antecedent is not a
    target alias); ``evidence`` is the span that made the link (the alias, the pronoun, the framing
    sentence); ``context`` is the text the stance model reads beside the quote's sentence(s);
    ``model_target`` how the target is shown to the model ("NATO (the alliance)").
    """

    target: str
    via: str
    mention: TargetMention | None = None
    evidence: Span | None = None
    context: str = ""
    model_target: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "via": self.via,
                "evidence": None if self.evidence is None else self.evidence.to_dict()}


# --------------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------------

def sentence_bounds(text: str, spacy_doc: Any) -> list[tuple[int, int]]:
    """Sentence (start, end) character offsets: spaCy's sentences, also split at blank lines (the
    parser sometimes joins a quote to the next paragraph), trimmed of surrounding whitespace."""
    cuts = [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
    bounds = []
    for sent in spacy_doc.sents:
        a = sent.start_char
        for cut in (c for c in cuts if sent.start_char < c < sent.end_char):
            bounds.append((a, cut))
            a = cut
        bounds.append((a, sent.end_char))
    trimmed = []
    for a, b in bounds:
        chunk = text[a:b]
        a2, b2 = a + len(chunk) - len(chunk.lstrip()), b - (len(chunk) - len(chunk.rstrip()))
        if b2 > a2:
            trimmed.append((a2, b2))
    return trimmed or [(0, len(text))]


def quote_sentences(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int, int, int]:
    """``(first char, last char, first sentence, last sentence)`` of the sentences overlapping
    ``[start, end)``; a span longer than :data:`MAX_STANCE_TEXT_CHARS` falls back to the quote itself."""
    idx = [i for i, (a, b) in enumerate(sentences) if a < end and b > start] or [0]
    a, b = sentences[idx[0]][0], sentences[idx[-1]][1]
    if b - a > MAX_STANCE_TEXT_CHARS:
        a, b = start, end
    return a, b, idx[0], idx[-1]


# --------------------------------------------------------------------------------------------------
# The linker
# --------------------------------------------------------------------------------------------------

class TargetLinker:
    """Links the quotes of one parsed article to the targets (see the module docstring).

    ``resolver`` is the article's :class:`~stanceclf.extract.speakers.SpeakerResolver` (built from
    ``spacy_doc`` when not given).
    """

    def __init__(self, text: str, spacy_doc: "Doc", targets: Sequence[Target], *, resolver: Any = None,
                 sentences: list[tuple[int, int]] | None = None):
        from ..extract.speakers import SpeakerResolver

        self.text = text
        self.doc = spacy_doc
        self.targets = list(targets)
        self.matcher = TargetMatcher(self.targets)
        self.resolver = resolver if resolver is not None else SpeakerResolver(spacy_doc)
        self.sentences = sentences if sentences is not None else sentence_bounds(text, spacy_doc)
        self._starts = [a for a, _ in self.sentences]
        self._person_target: dict[int, str] = {}  # id(Person) -> target name
        self._target_person: dict[str, Any] = {}
        for t in self.targets:
            for k, form in enumerate(t.surface_forms):
                person = self.resolver.find(form) if form[:1].isupper() else None
                if person is not None and _names_agree(person.name, form):
                    self._person_target.setdefault(id(person), t.name)
                    self._target_person.setdefault(t.name, person)
                    break
                if k == 0 and person is not None and " " in form and " " in person.name:
                    break  # the full name belongs to someone else ("Bill Clinton" is not Hillary): no alias guessing
        # forms that refer to a target without being one of its aliases: a person's surname, the head
        # noun of a multi-word thing ("the treaty" for "Arctic fishing treaty"), when unambiguous
        derived: dict[str, list[str]] = {}
        heads: dict[str, list[str]] = {}
        for t in self.targets:
            person = self._target_person.get(t.name)
            if person is not None:
                derived.setdefault(t.name, []).append(person.name.split()[-1])  # the surname as written
            elif " " in t.name and t.name.split()[-1].islower():  # "Arctic fishing treaty" -> "the treaty"
                heads.setdefault(t.name.split()[-1], []).append(t.name)
        for head, names in heads.items():
            if len(names) == 1:
                derived.setdefault(names[0], []).append(f"the {head}")
        known = {f.casefold() for t in self.targets for f in t.surface_forms}
        self.derived_matcher = TargetMatcher([Target(name, tuple(dict.fromkeys(
            f for f in forms if f.casefold() not in known))) for name, forms in derived.items()
            if any(f.casefold() not in known for f in forms)]) if derived else None
        self._mentions = sorted(self.matcher.find(text) + (self.derived_matcher.find(text) if self.derived_matcher
                                                            else []), key=lambda m: m.start)

    # -- helpers ------------------------------------------------------------------------------------
    def _sentence_index(self, pos: int) -> int:
        """The sentence holding (or last starting before) character ``pos``."""
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def _tokens(self, start: int, end: int) -> list[Any]:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return list(span) if span is not None else []

    def _sentence_text(self, i: int) -> str:
        a, b = self.sentences[i]
        return self.text[a:b].strip()

    def _speaker_targets(self, quote: Quote) -> set[str]:
        if not quote.speaker:
            return set()
        names = set(self.matcher.targets_in(quote.speaker))
        person = self.resolver.find(quote.speaker)
        if person is not None and id(person) in self._person_target:
            names.add(self._person_target[id(person)])
        return names

    # -- linking ------------------------------------------------------------------------------------
    def link_all(self, quotes: Sequence[Quote], all_targets: bool = False) -> list[list[Link]]:
        """The links of every quote of the article (:meth:`link`), then ``continuation``: a quote also
        gets the targets its speaker's neighbouring quote names (the same speaker's quotes in the
        adjacent sentence, also across a paragraph break, usually continue one topic: "Varga said
        her government 'will not tolerate' foreign troops. 'We will never accept NATO soldiers ...'")."""
        per_quote = [self.link(q, quotes) for q in quotes]
        for i, quote in enumerate(quotes):
            if not quote.speaker:
                continue
            have = {link.target for link in per_quote[i]} | self._speaker_targets(quote)
            here = self._sentence_index(quote.start)
            for j in (i - 1, i + 1):
                if not 0 <= j < len(quotes) or quotes[j].speaker != quote.speaker:
                    continue
                if abs(self._sentence_index(quotes[j].start) - here) > 1:
                    continue
                for link in per_quote[j]:
                    if link.via == "quote" and link.target not in have:
                        have.add(link.target)
                        ja, jb, _, _ = quote_sentences(self.sentences, quotes[j].start, quotes[j].end)
                        per_quote[i].append(Link(link.target, "continuation", link.mention, quotes[j].content,
                                                 self.text[ja:jb].strip(), link.model_target))
        if all_targets:
            for quote, links in zip(quotes, per_quote):
                links += self._unaddressed(quote, links)
        return per_quote

    def _unaddressed(self, quote: Quote, links: Sequence[Link]) -> list[Link]:
        """``none`` links for the targets ``links`` leave out (the speaker's own excepted)."""
        have = {link.target for link in links} | self._speaker_targets(quote)
        return [Link(t.name, "none", model_target=t.name) for t in self.targets if t.name not in have]

    def link(self, quote: Quote, quotes: Sequence[Quote] = (), all_targets: bool = False) -> list[Link]:
        """The targets ``quote`` may address, each with how it was linked (first rule wins)."""
        text = self.text
        a, b, first, _ = quote_sentences(self.sentences, quote.start, quote.end)
        links: dict[str, Link] = {}
        own = self._speaker_targets(quote)

        def add(target: str, via: str, mention: TargetMention | None = None, evidence: Span | None = None,
                context: str = "") -> None:
            if target in links or target in own:
                return
            shown = target
            if mention is not None and not mention.text.casefold().startswith(target.casefold()):
                shown = f"{target} ({mention.text})"
            links[target] = Link(target, via, mention, evidence or (
                Span(mention.start, mention.end, mention.text) if mention else None), context, shown)

        # 1. the quote names the target
        for m in self.matcher.find(text, quote.start, quote.end):
            add(m.target, "quote", m)
        # 2. the writer's words of the sentence(s)
        neighbours = [q for q in quotes if q is not quote and q.start < b and q.end > a]

        for m in self.matcher.find(text, a, b):
            inside_other = any(q.start <= m.start and m.end <= q.end for q in neighbours)
            if not inside_other and any(_gap(q, m.start, m.end) < _gap(quote, m.start, m.end) for q in neighbours):
                continue
            add(m.target, "sentence", m)
        # 3. coreference inside the quote
        self._coreference(quote, add)
        self._writer_pronouns(quote, a, b, neighbours, add)
        # 4. the framing sentence
        framing = self._framing_sentence(quote, first, quotes)
        if framing is not None:
            fa, fb = self.sentences[framing]
            for m in self.matcher.find(text, fa, fb):
                if not any(q is not quote and q.start <= m.start and m.end <= q.end for q in quotes):
                    add(m.target, "framing", m, Span(fa, fb, text[fa:fb]), text[fa:fb].strip())
        # 5. the addressee of a second-person quote or an imperative
        if self._addresses_someone(quote):
            self._addressee(quote, a, b, framing, quotes, add)
        found = list(links.values())
        return found + self._unaddressed(quote, found) if all_targets else found

    def _writer_pronouns(self, quote: Quote, a: int, b: int, neighbours: Sequence[Quote], add: Any) -> None:
        """Object and possessive pronouns in the writer's words of the quote's sentence ("Sanders
        called *him* divisive and said ...", "criticised *his* plan"), when this quote is the nearest
        one and the pronoun's antecedent is not the speaker ("Trump defended his plan"). Subjects are left
        alone: in the writer's words they are mostly the speaker ("he said")."""
        for tok in self._tokens(a, b):
            low = tok.lower_
            if not (low in MALE_PRONOUNS or low in FEMALE_PRONOUNS) or tok.dep_ in ("nsubj", "nsubjpass"):
                continue
            if quote.start <= tok.idx < quote.end or any(q.start <= tok.idx < q.end for q in neighbours):
                continue
            end = tok.idx + len(tok)
            if any(_gap(q, tok.idx, end) < _gap(quote, tok.idx, end) for q in neighbours):
                continue
            person = self.resolver.antecedent(tok.i, "m" if low in MALE_PRONOUNS else "f")
            if person is None or (quote.speaker and person is self.resolver.find(quote.speaker)):
                continue  # "Trump defended his plan": the speaker's own
            name = self._person_target.get(id(person))
            if name is not None:
                add(name, "coreference", None, Span(tok.idx, tok.idx + len(tok), tok.text),
                    self._antecedent_context(person, tok.i))

    def _coreference(self, quote: Quote, add: Any) -> None:
        text = self.text
        # surnames and role nouns of person targets, head nouns of things ("the treaty")
        if self.derived_matcher is not None:
            for m in self.derived_matcher.find(text, quote.start, quote.end):
                add(m.target, "coreference", m)
        for tok in self._tokens(quote.start, quote.end):
            low = tok.lower_
            if low in MALE_PRONOUNS or low in FEMALE_PRONOUNS:
                person = self.resolver.antecedent(tok.i, "m" if low in MALE_PRONOUNS else "f",
                                                  exclude=[quote.speaker] if quote.speaker else ())
                name = self._person_target.get(id(person)) if person is not None else None
                if name is not None:
                    add(name, "coreference", None, Span(tok.idx, tok.idx + len(tok), tok.text),
                        self._antecedent_context(person, tok.i))
            elif tok.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that")
                                            for c in tok.children):
                person = self.resolver.person_described(tok.i, tok)
                name = self._person_target.get(id(person)) if person is not None else None
                if name is not None:
                    a, b = tok.left_edge.idx, tok.idx + len(tok)
                    add(name, "coreference", None, Span(a, b, text[a:b]), self._antecedent_context(person, tok.i))
                elif any(c.lower_ in ("this", "these", "that", "those") for c in tok.children):
                    self._nearest_thing(quote, tok, add)
            elif (low in _DEMONSTRATIVES and (tok.tag_ in ("DT", "PRP", "PRP$") or tok.dep_ in _REFERRING_DEPS)) \
                    or low in PLURAL_PRONOUNS:  # not "that" as in "we know that ..."
                self._nearest_thing(quote, tok, add)

    def _nearest_thing(self, quote: Quote, tok: Any, add: Any) -> None:
        """Link a demonstrative, "it" or "they" to the nearest earlier mention of a non-person target
        within :data:`LOOKBACK_SENTENCES` sentences (the quote's own sentence included); "it" and "its",
        often empty ("it rained"), only within the same paragraph."""
        here = self._sentence_index(tok.idx)
        floor = self.sentences[max(0, here - LOOKBACK_SENTENCES)][0]
        if tok.lower_ in ("it", "its"):
            floor = max(floor, max((m.end() for m in _PARAGRAPH_BREAK.finditer(self.text, 0, tok.idx)), default=0))
        for m in reversed(self._mentions):
            if m.start >= tok.idx or m.start < floor:
                continue
            if m.target in self._target_person:
                continue
            if quote.start <= m.start < quote.end:
                return  # the quote names its own antecedent: rule 1 linked it
            i = self._sentence_index(m.start)
            add(m.target, "coreference", m, Span(tok.idx, tok.idx + len(tok), tok.text), self._sentence_text(i))
            return

    def _antecedent_context(self, person: Any, index: int) -> str:
        earlier = [i for i in person.mentions if i < index]
        if not earlier:
            return ""
        i = self._sentence_index(self.doc[max(earlier)].idx)
        if self.sentences[i][0] <= self.doc[index].idx < self.sentences[i][1]:
            return ""  # same sentence: the model reads it already
        return self._sentence_text(i)

    def _framing_sentence(self, quote: Quote, first: int, quotes: Sequence[Quote]) -> int | None:
        """The sentence that introduces the quote: the nearest earlier sentence (at most
        :data:`LOOKBACK_SENTENCES` back, across a paragraph break) that names the speaker, refers to them
        with a subject pronoun or ends with a colon; a sentence quoting another speaker ends the search."""
        if first == 0:
            return None
        speaker = self.resolver.find(quote.speaker) if quote.speaker else None
        names = (speaker.name if speaker is not None else quote.speaker or "").split()
        surname = names[-1] if names and names[-1][:1].isupper() else ""  # as written: "Young", not "young"
        for i in range(first - 1, max(-1, first - 1 - LOOKBACK_SENTENCES), -1):
            sa, sb = self.sentences[i]
            sentence = self.text[sa:sb]
            others = [q for q in quotes if q.start < sb and q.end > sa and q is not quote]
            if sentence.rstrip().endswith(":"):
                return i
            if surname and re.search(rf"\b{re.escape(surname)}\b", sentence):
                return i
            if quote.speaker_mention is not None and sa <= quote.speaker_mention.start < sb:
                return i
            if speaker is not None and self._pronoun_subject_is(speaker, sa, sb):
                return i
            if any(q.speaker and q.speaker != quote.speaker for q in others):
                return None  # another speaker's quote: the framing, if any, was theirs
        return None

    def _pronoun_subject_is(self, person: Any, start: int, end: int) -> bool:
        """Whether a he/she subject in ``[start, end)`` refers to ``person`` ("She appeared to chastise ...")."""
        for tok in self._tokens(start, end):
            low = tok.lower_
            if tok.dep_ in ("nsubj", "nsubjpass") and (low in MALE_PRONOUNS or low in FEMALE_PRONOUNS):
                if self.resolver.antecedent(tok.i, "m" if low in MALE_PRONOUNS else "f") is person:
                    return True
        return False

    def _addresses_someone(self, quote: Quote) -> bool:
        if _SECOND_PERSON.search(quote.text):
            return True
        tokens = [t for t in self._tokens(quote.start, quote.end) if not t.is_punct and not t.is_space]
        return bool(tokens) and tokens[0].tag_ == "VB" and tokens[0].dep_ == "ROOT" and not any(
            c.dep_ in ("nsubj", "nsubjpass") for c in tokens[0].children)

    def _addressee(self, quote: Quote, a: int, b: int, framing: int | None, quotes: Sequence[Quote],
                   add: Any) -> None:
        first = self._sentence_index(a)
        earlier = range(first - 1, max(-1, first - 1 - LOOKBACK_SENTENCES), -1)
        spans = [(a, b)] + ([self.sentences[framing]] if framing is not None else []) + [
            self.sentences[i] for i in earlier if i != framing]
        for sa, sb in spans:
            for m in self.matcher.find(self.text, sa, sb):
                if quote.start <= m.start < quote.end or m.target not in self._target_person:
                    continue
                span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is None:
                    continue
                tok = span.root  # "told Donald Trump": the dobj is "Trump"
                head = tok.head
                if tok.dep_ in ("dobj", "dative", "iobj") and head.lemma_.lower() in SPEECH_VERBS | _ADDRESS_VERBS:
                    add(m.target, "addressee", m, Span(sa, sb, self.text[sa:sb]), self.text[sa:sb].strip())
                    return
                if tok.dep_ == "pobj" and head.lower_ in ("to", "at") and head.head.lemma_.lower() in (
                        SPEECH_VERBS | _ADDRESS_VERBS | {"say", "shout", "point", "look"}):
                    add(m.target, "addressee", m, Span(sa, sb, self.text[sa:sb]), self.text[sa:sb].strip())
                    return
        # a dialogue: the previous quote's speaker, if another person and a target
        earlier = [q for q in quotes if q.end <= quote.start and q.speaker and q.speaker != quote.speaker]
        if earlier:
            prev = earlier[-1]
            if self._sentence_index(quote.start) - self._sentence_index(prev.start) <= LOOKBACK_SENTENCES + 1:
                person = self.resolver.find(prev.speaker)
                name = self._person_target.get(id(person)) if person is not None else None
                if name is not None:
                    add(name, "addressee", None, prev.content, self.text[prev.start:prev.end].strip())


def _gap(quote: Quote, start: int, end: int) -> int:
    """Characters between ``quote`` and the span ``[start, end)`` (0 when they touch or overlap)."""
    return max(quote.start - end, start - quote.end, 0)


def _names_agree(person_name: str, form: str) -> bool:
    """A target form names the person ("Steele" / "Christopher Steele"), not just shares a word."""
    pw = {w.lower().strip(".") for w in person_name.split()}
    fw = {w.lower().strip(".") for w in form.split() if w[:1].isupper()}
    return bool(fw) and fw <= pw
