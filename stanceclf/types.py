"""Core value types: stance labels, examples and predictions.

All result types are frozen dataclasses so they can be hashed, compared and shared safely.

>>> ex = StanceExample(text="We must leave NATO now.", target="NATO", label=Stance.AGAINST)
>>> ex.label.value
'AGAINST'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

from .errors import DataError

__all__ = ["Stance", "STANCE_LABELS", "StanceExample", "StancePrediction", "QuoteKind", "Span", "Quote",
           "ClaimScores", "CLAIM_SCORE_FIELDS"]


class Stance(str, Enum):
    """The three stance labels. ``Stance("favor")`` and ``Stance.parse("Pro")`` both work."""

    FAVOR = "FAVOR"
    AGAINST = "AGAINST"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> "Stance | None":
        if isinstance(value, str):
            return _STANCE_ALIASES.get(value.strip().lower())
        return None

    @classmethod
    def parse(cls, value: "str | Stance") -> "Stance":
        """Parse a label, accepting common synonyms (pro/con/neutral, support/against, ...).

        >>> Stance.parse("pro")
        <Stance.FAVOR: 'FAVOR'>
        """
        try:
            return cls(value)
        except ValueError:
            raise DataError(
                f"Unknown stance label {value!r}. Use one of FAVOR, AGAINST, NONE "
                "(synonyms such as pro/con/neutral are accepted), or pass a label_map."
            ) from None


_STANCE_ALIASES: dict[str, Stance] = {
    **{k: Stance.FAVOR for k in ("favor", "favour", "pro", "support", "supports", "positive", "agree")},
    **{k: Stance.AGAINST for k in ("against", "con", "anti", "oppose", "negative", "disagree")},
    **{k: Stance.NONE for k in ("none", "neutral", "neither", "no stance", "unrelated")},
}

#: Canonical label order used by every model for ``classes_`` and probability columns.
STANCE_LABELS: tuple[str, ...] = (Stance.AGAINST.value, Stance.FAVOR.value, Stance.NONE.value)


@dataclass(frozen=True)
class StanceExample:
    """One (text, target) pair, optionally labelled.

    ``label`` is a :class:`Stance` for the three-way task, or a plain string for datasets with their
    own label set (FNC-1's agree/disagree/discuss/unrelated).
    """

    text: str
    target: str
    label: Stance | str | None = None
    context: str | None = None
    speaker: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise DataError(f"StanceExample.text must be a non-empty string, got {self.text!r}.")
        if not isinstance(self.target, str) or not self.target.strip():
            raise DataError(f"StanceExample.target must be a non-empty string, got {self.target!r}.")


@dataclass(frozen=True)
class StancePrediction:
    """A model's prediction for one example: the label and one probability per label.

    >>> p = StancePrediction("FAVOR", {"AGAINST": 0.1, "FAVOR": 0.7, "NONE": 0.2}, model="tfidf")
    >>> p.confidence
    0.7
    """

    label: str
    probabilities: Mapping[str, float] = field(default_factory=dict)
    model: str = ""

    def __post_init__(self) -> None:
        if self.probabilities:
            total = sum(self.probabilities.values())
            if not math.isclose(total, 1.0, abs_tol=1e-4):
                raise DataError(f"Probabilities must sum to 1, got {total:.6f}: {dict(self.probabilities)}")
            if self.label not in self.probabilities:
                raise DataError(f"Label {self.label!r} is not among the probability keys.")

    @property
    def confidence(self) -> float:
        """Probability of the predicted label (1.0 when the model gives no probabilities)."""
        return float(self.probabilities.get(self.label, 1.0))

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "probabilities": dict(self.probabilities), "model": self.model}


class QuoteKind(str, Enum):
    """How a claim is quoted: ``direct`` (a sentence or more in quotation marks), ``partial`` (a
    quoted fragment inside the writer's sentence) or ``indirect`` (reported speech, no quote marks)."""

    DIRECT = "direct"
    PARTIAL = "partial"
    INDIRECT = "indirect"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Span:
    """A character span ``text[start:end]`` of the original document."""

    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end):
            raise DataError(f"Invalid span offsets {self.start}-{self.end}.")

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Quote:
    """A quoted claim found in a document; all offsets refer to the original text.

    ``content`` is the claim (inside the quotation marks for direct/partial quotes), ``cue`` the
    attribution verb or phrase ("said", "according to"), ``speaker_mention`` where the speaker is
    named or referred to in the text ("he", "the minister"), and ``speaker`` the resolved canonical
    speaker ("Alexander Lukashenko"; ``None`` when unknown).
    """

    content: Span
    kind: QuoteKind
    speaker: str | None = None
    speaker_mention: Span | None = None
    cue: Span | None = None
    confidence: float = 1.0
    source: str = "rules"

    @property
    def start(self) -> int:
        return self.content.start

    @property
    def end(self) -> int:
        return self.content.end

    @property
    def text(self) -> str:
        return self.content.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "speaker": self.speaker,
            "speaker_mention": self.speaker_mention.to_dict() if self.speaker_mention else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "confidence": round(float(self.confidence), 4),
            "source": self.source,
        }


@dataclass(frozen=True)
class ClaimScores:
    """What a claim model says about one sentence or quote: calibrated probabilities of the positive
    class of each claim task (see :mod:`stanceclf.data.claims`).

    ``checkworthy``: a factual claim worth fact-checking (CheckThat!/ClaimBuster sense);
    ``subjective``: opinion rather than fact (NewsSD: SUBJ vs OBJ); ``causal``: asserts that one event
    causes another (Causal News Corpus). A task the model was not trained on is ``None``.

    >>> s = ClaimScores(checkworthy=0.91, subjective=0.12, causal=0.40)
    >>> s.labels()
    {'checkworthy': True, 'subjective': False, 'causal': False}
    """

    checkworthy: float | None
    subjective: float | None
    causal: float | None
    model: str = ""

    def __post_init__(self) -> None:
        for name in CLAIM_SCORE_FIELDS:
            value = getattr(self, name)
            if value is not None and not (0.0 <= value <= 1.0):
                raise DataError(f"ClaimScores.{name} must be a probability in [0, 1], got {value!r}.")

    def labels(self, threshold: float = 0.5) -> dict[str, bool | None]:
        """Each score as a yes/no decision at ``threshold`` (``None`` where the score is missing)."""
        return {name: None if getattr(self, name) is None else getattr(self, name) >= threshold
                for name in CLAIM_SCORE_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        return {**{name: None if getattr(self, name) is None else round(float(getattr(self, name)), 4)
                   for name in CLAIM_SCORE_FIELDS}, "model": self.model}


#: The score fields of :class:`ClaimScores`, in display order.
CLAIM_SCORE_FIELDS: tuple[str, ...] = ("checkworthy", "subjective", "causal")
