"""Speaker mentions and their resolution to canonical names.

Given a spaCy ``Doc``, :class:`SpeakerResolver` collects the people (and organisations) the article
names, with every short form ("Lukashenko"), the descriptions attached to them ("Kremlin
spokesperson Dmitry Peskov", "Ilse Mork, the Dravian president") and a gender guessed from
honorifics and the pronouns that follow their mentions. A speaker mention is then resolved:

* a name -> the fullest form of that name in the article ("Alexander Lukashenko");
* a pronoun (he/she) -> the most salient earlier person of matching gender, preferring the latest
  speaker;
* a definite description ("the minister", "the Belarusian leader") -> the latest person described
  that way; an indefinite one ("a senior European diplomat") stays as written (anonymous source);
* organisations stay as organisations ("the Kremlin" -> "Kremlin").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from .lexicon import (
    FEMALE_NOUNS,
    FEMALE_PRONOUNS,
    FEMALE_TITLES,
    FIRST_PERSON,
    MALE_NOUNS,
    MALE_PRONOUNS,
    MALE_TITLES,
    PLURAL_PRONOUNS,
    ROLE_TITLES,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["Person", "SpeakerResolver", "mention_phrase"]

_NAME_DEPS = {"compound", "flat", "flat:name"}
_DESC_LEFT_DEPS = {"det", "amod", "compound", "poss", "nummod", "nmod", "advmod", "case"}
_HONORIFICS = MALE_TITLES | FEMALE_TITLES | ROLE_TITLES
#: grammatical roles in which an unrecognised name chain is taken as a person
_NAME_CHAIN_DEPS = {"nsubj", "nsubjpass", "appos"}


@dataclass
class Person:
    """A person named in the article."""

    name: str  # fullest form seen
    surname: str
    descriptions: set[str] = field(default_factory=set)
    gender: str | None = None  # "m" / "f" / None
    votes: dict[str, int] = field(default_factory=lambda: {"m": 0, "f": 0})
    mentions: list[int] = field(default_factory=list)  # token indices of mentions (head token)


def _clean_name(text: str) -> str:
    text = text.strip().strip("\"'\u201c\u201d\u2018\u2019,.;:")
    for suffix in ("'s", "\u2019s"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    words = text.split()
    while words and words[0].lower().rstrip(".") in {w.rstrip(".") for w in _HONORIFICS}:
        words = words[1:]
    return " ".join(words)


def mention_phrase(token: "Token") -> tuple[int, int]:
    """Token range [start, end) of the noun phrase a speaker token heads (name or description)."""
    if token.ent_type_ and token.ent_iob_ in ("B", "I"):
        ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
        if ent is not None:
            start, end = ent.start, ent.end
            # keep a preceding description compound ("Kremlin spokesperson Dmitry Peskov")
            return start, end
    start = token.i
    for child in sorted(token.lefts, key=lambda t: t.i, reverse=True):
        if child.dep_ in _DESC_LEFT_DEPS or child.dep_ in _NAME_DEPS:
            start = min(start, child.left_edge.i)
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in _NAME_DEPS:
            end = max(end, child.right_edge.i + 1)
    return start, end


class SpeakerResolver:
    """Resolve speaker mentions in one parsed document to canonical speaker names."""

    def __init__(self, doc: "Doc"):
        self.doc = doc
        self.people: list[Person] = []
        self._anonymous: dict[str, str] = {}  # head lemma -> "a senior European diplomat"
        self._by_surname: dict[str, Person] = {}
        self._collect_people()
        self._collect_unrecognised_names()
        self._collect_surname_mentions()
        self._collect_descriptions()
        self._guess_genders()

    # -- building ---------------------------------------------------------------------------------
    def _person_for(self, name: str) -> Person | None:
        name = _clean_name(name)
        words = name.split()
        if not words:
            return None
        surname = words[-1].lower()
        person = self._by_surname.get(surname)
        if person is None and len(words) == 1:
            # a single word may be a first name used alone, or the surname of a known person
            person = next((p for p in self.people if words[0].lower() in p.name.lower().split()), None)
        if person is None:
            person = Person(name=name, surname=surname)
            self.people.append(person)
            self._by_surname[surname] = person
        elif len(name) > len(person.name) and person.surname == surname:
            person.name = name
        return person

    def _collect_people(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _clean_name(ent.text)
            if not name or name.lower() in FIRST_PERSON | MALE_PRONOUNS | FEMALE_PRONOUNS:
                continue
            person = self._person_for(name)
            if person is not None:
                person.mentions.append(ent.root.i)
                prev = self.doc[ent.start - 1].text.lower() if ent.start > 0 else ""
                if prev in MALE_TITLES:
                    person.votes["m"] += 3
                elif prev in FEMALE_TITLES:
                    person.votes["f"] += 3

    def _collect_unrecognised_names(self) -> None:
        """People the small NER model misses ("Ana Ruiz spoke on Monday"): a chain of two or three
        capitalised proper nouns (after any role title), outside every other entity, as a subject or
        an appositive (not after a preposition, where unrecognised place names sit)."""
        for tok in self.doc:
            if tok.pos_ != "PROPN" or tok.dep_ not in _NAME_CHAIN_DEPS or tok.ent_type_ == "PERSON":
                continue
            chain = [c for c in tok.lefts if c.dep_ in _NAME_DEPS and c.pos_ == "PROPN"] + [tok]
            if chain[0].i + len(chain) - 1 != tok.i:
                continue  # not one contiguous run
            words = [c for c in chain if c.lower_ not in _HONORIFICS]
            if not 2 <= len(words) <= 3 or any(
                not (w.text[:1].isupper() and w.text.isalpha()) or w.ent_type_ not in ("", "PERSON") for w in words
            ):
                continue
            person = self._person_for(" ".join(w.text for w in words))
            if person is not None:
                person.mentions.append(tok.i)

    def _collect_surname_mentions(self) -> None:
        """Later mentions by name alone that NER missed ("Benning said")."""
        surnames = {p.surname: p for p in self.people}
        for tok in self.doc:
            person = surnames.get(tok.lower_)
            if person is not None and tok.text[:1].isupper() and tok.i not in person.mentions:
                person.mentions.append(tok.i)
        for person in self.people:
            person.mentions.sort()

    def _collect_descriptions(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ != "PERSON":
                continue
            person = self.find(ent.text)
            if person is None:
                continue
            root = ent.root
            # "Kremlin spokesperson Dmitry Peskov": common-noun compounds left of the name
            for tok in self.doc[max(0, ent.start - 4): ent.start]:
                if tok.head.i in range(ent.start, ent.end) or tok.head.head.i in range(ent.start, ent.end):
                    if tok.pos_ in ("NOUN", "ADJ", "PROPN") and not tok.ent_type_ == "PERSON":
                        person.descriptions.add(tok.lemma_.lower())
            # "Ilse Mork, the Dravian president," / "the president, Ilse Mork,"
            for child in root.children:
                if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN"):
                    person.descriptions.update(_description_words(child))
            if root.dep_ == "appos" and root.head.pos_ == "NOUN":
                person.descriptions.update(_description_words(root.head))
            # "Mork, who is the Dravian president" is left alone (rare in news leads)

    def _guess_genders(self) -> None:
        """Gender from honorifics (collected earlier), gendered description nouns ("actress"),
        optional first-name data, and pronouns.

        A pronoun votes only when exactly one person is mentioned between the start of the
        previous sentence and the pronoun, so an unclear antecedent casts no vote.
        """
        first_names = _first_name_genders()
        for person in self.people:
            words = person.name.split()
            if first_names is not None and len(words) > 1:
                guess = first_names.get_gender(words[0])
                if guess in ("male", "mostly_male"):
                    person.votes["m"] += 5
                elif guess in ("female", "mostly_female"):
                    person.votes["f"] += 5
            if person.descriptions & MALE_NOUNS:  # "businessman Donald Trump"
                person.votes["m"] += 3
            if person.descriptions & FEMALE_NOUNS:  # "actress Susan Sarandon"
                person.votes["f"] += 3
        mentions = sorted(((i, p) for p in self.people for i in p.mentions), key=lambda item: item[0])
        for tok in self.doc:
            low = tok.lower_
            if mentions and (low in MALE_PRONOUNS or low in FEMALE_PRONOUNS):
                sent_start = tok.sent.start
                window_start = self.doc[sent_start - 1].sent.start if sent_start > 0 else sent_start
                near = {id(p): p for i, p in mentions if window_start <= i < tok.i}
                if len(near) == 1:
                    next(iter(near.values())).votes["m" if low in MALE_PRONOUNS else "f"] += 1
        for person in self.people:
            m, f = person.votes["m"], person.votes["f"]
            person.gender = "m" if m > f else "f" if f > m else None

    # -- queries ----------------------------------------------------------------------------------
    def find(self, name: str) -> Person | None:
        """The person an article name refers to (surname or any part of the full name)."""
        name = _clean_name(name)
        words = name.split()
        if not words:
            return None
        person = self._by_surname.get(words[-1].lower())
        if person is not None:
            return person
        lowered = {w.lower() for w in words}
        return next((p for p in self.people if lowered & set(p.name.lower().split()) == lowered), None)

    def resolve(self, token: "Token", recent_speakers: Iterable[str] = ()) -> tuple[str | None, tuple[int, int]]:
        """Canonical speaker for the mention headed by ``token`` and the mention's token range."""
        low = token.lower_
        start, end = mention_phrase(token)
        recent = list(recent_speakers)
        if low in MALE_PRONOUNS or low in FEMALE_PRONOUNS:
            gender = "m" if low in MALE_PRONOUNS else "f"
            return self._resolve_pronoun(token.i, gender), (token.i, token.i + 1)
        if low in PLURAL_PRONOUNS or low in FIRST_PERSON:
            return (recent[-1] if recent and low in PLURAL_PRONOUNS and not self.find(recent[-1]) else None), (token.i, token.i + 1)
        if token.pos_ == "NOUN":
            # "The minister, Ana Ruiz, said": the appositive names the speaker
            name = next((c for c in token.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
            if name is not None:
                return self.resolve(name, recent)
        span = self.doc[start:end]
        person = self.find(span.text) or self.find(token.text) if token.text[:1].isupper() else None
        if person is not None:
            return person.name, (start, end)
        if token.ent_type_ == "PERSON":
            return _clean_name(span.text), (start, end)
        if token.pos_ in ("NOUN",):
            definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.children)
            words = _description_words(token)
            if definite or any(c.dep_ == "poss" for c in token.children):
                person = self._resolve_description(token.i, token.lemma_.lower(), words)
                if person is not None:
                    return person.name, (start, end)
            text = span.text
            head = token.lemma_.lower()
            if definite:
                # "the diplomat" after "a senior European diplomat": the same anonymous source
                if head in self._anonymous:
                    return self._anonymous[head], (start, end)
                return (text[4:] if text.lower().startswith("the ") else text), (start, end)
            if any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.children):
                self._anonymous.setdefault(head, text)
            return text, (start, end)
        text = span.text
        return (text[4:] if text.lower().startswith("the ") else text), (start, end)

    def antecedent(self, index: int, gender: str | None, exclude: Iterable[str] = ()) -> Person | None:
        """The most salient person mentioned before token ``index`` whose gender fits (side-effect free).

        Salience: a person who is the grammatical subject in the sentence of ``index`` or the one before
        beats a merely mentioned one, a person of known matching gender beats one of unknown gender,
        and otherwise the most recent mention wins. People named in ``exclude`` are skipped (inside a
        quote, "he" is rarely the speaker). Shared by speaker resolution and target linking.
        """
        sent_start = self.doc[index].sent.start
        prev_start = self.doc[sent_start - 1].sent.start if sent_start > 0 else sent_start
        skip = {id(p) for p in (self.find(n) for n in exclude if n) if p is not None}
        best: tuple[tuple[int, int], Person] | None = None
        for person in self.people:
            if gender is not None and person.gender not in (gender, None):
                continue
            if id(person) in skip:
                continue
            earlier = [i for i in person.mentions if i < index]
            if not earlier:
                continue
            subject_near = any(i >= prev_start and self.doc[i].dep_ in ("nsubj", "nsubjpass") for i in earlier)
            key = (int(subject_near) * 2 + int(gender is not None and person.gender == gender), max(earlier))
            if best is None or key > best[0]:
                best = (key, person)
        return best[1] if best else None

    def _resolve_pronoun(self, index: int, gender: str) -> str | None:
        """The speaker a he/she refers to (:meth:`antecedent`). The resolved pronoun becomes a mention
        itself, so "he said ... he added" chains stay on one person."""
        person = self.antecedent(index, gender)
        if person is None:
            return None
        person.mentions.append(index)
        person.mentions.sort()
        return person.name

    def person_described(self, index: int, token: "Token") -> Person | None:
        """The person a definite description headed by ``token`` ("the president", "the Dravian
        leader") refers to: the latest person described that way before ``index``."""
        return self._resolve_description(index, token.lemma_.lower(), _description_words(token))

    def _resolve_description(self, index: int, head_lemma: str, words: set[str]) -> Person | None:
        head = {w for w in words if w not in {"the", "a", "an", "this", "that"}}
        best: tuple[int, Person] | None = None
        for person in self.people:
            if not person.descriptions or not person.mentions:
                continue
            earlier = [i for i in person.mentions if i < index]
            if not earlier:
                continue
            # the description's head noun must match; modifiers must not contradict
            if head_lemma in person.descriptions and (best is None or max(earlier) > best[0]):
                if _head_matches(head, person.descriptions):
                    best = (max(earlier), person)
        return best[1] if best else None


_FIRST_NAMES: list = []


def _first_name_genders():
    """gender-guesser's first-name data when the user installed it (GPL, so not a dependency)."""
    if not _FIRST_NAMES:
        try:
            import gender_guesser.detector as detector

            _FIRST_NAMES.append(detector.Detector(case_sensitive=False))
        except ImportError:
            _FIRST_NAMES.append(None)
    return _FIRST_NAMES[0]


def _description_words(token: "Token") -> set[str]:
    words = {token.lemma_.lower()}
    for child in token.children:
        if child.dep_ in ("amod", "compound") and child.pos_ in ("ADJ", "NOUN", "PROPN"):
            words.add(child.lemma_.lower())
    return words


def _head_matches(mention_words: set[str], descriptions: set[str]) -> bool:
    # at least one content word in common and at least half of the mention's words known
    common = mention_words & descriptions
    return bool(common) and len(common) * 2 >= len(mention_words)
