"""What the tagger reads and returns: gold documents (PolNeAR), predicted spans and attributions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import DataError
from ...types import Span
from .bio import SPAN_TYPES

_POLNEAR_ROLES = {"Source": "SOURCE", "Cue": "CUE", "Content": "CONTENT"}


@dataclass(frozen=True)
class TaggedSpan:
    """One predicted span: ``label`` is SOURCE, CUE or CONTENT; ``score`` the mean max-probability of
    its tokens."""

    label: str
    span: Span
    score: float

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


@dataclass(frozen=True)
class TaggedAttribution:
    """A content span with its (optional) cue and source; all offsets refer to the original text.

    ``score`` is the mean max-probability over the content's tokens.
    """

    content: Span
    cue: Span | None
    source: Span | None
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": self.content.to_dict(),
            "cue": self.cue.to_dict() if self.cue else None,
            "source": self.source.to_dict() if self.source else None,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class GoldAttribution:
    """An annotated attribution: each role is a tuple of ``(start, end)`` segments (possibly empty)."""

    content: tuple[tuple[int, int], ...]
    cue: tuple[tuple[int, int], ...] = ()
    source: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class AnnotatedText:
    """A text with gold spans ``(start, end, type)`` (type in :data:`SPAN_TYPES`).

    Discontinuous annotations are given as one entry per segment.
    """

    text: str
    spans: tuple[tuple[int, int, str], ...]
    id: str = ""
    attributions: tuple[GoldAttribution, ...] = ()

    def __post_init__(self) -> None:
        for s, e, t in self.spans:
            if t not in SPAN_TYPES:
                raise DataError(f"{self.id or 'text'}: unknown span type {t!r}; use one of {SPAN_TYPES}.")
            if not (0 <= s < e <= len(self.text)):
                raise DataError(f"{self.id or 'text'}: span {s}-{e} is outside the text (length {len(self.text)}).")


def load_polnear(data_dir: str | Path | None, split: str = "train", max_articles: int | None = None) -> list[AnnotatedText]:
    """A PolNeAR split as tagger training/evaluation documents, read by :func:`stanceclf.data.polnear.read_polnear`.

    The gold spans are the SOURCE / CUE / CONTENT spans of the gold attributions (the same gold the
    extractors are scored on); ``max_articles`` keeps the first articles.
    """
    from ...data.polnear import read_polnear

    docs = []
    for article in read_polnear(data_dir, split, max_articles=max_articles):
        spans = {(s.start, s.end, _POLNEAR_ROLES[role]) for a in article.attributions
                 for s, role in a.role_spans() if s.start < s.end}
        attributions = tuple(GoldAttribution(*(tuple((s.start, s.end) for s in part) for part in (a.content, a.cue, a.source)))
                             for a in article.attributions)
        docs.append(AnnotatedText(text=article.text, spans=tuple(sorted(spans)), id=article.id,
                                  attributions=attributions))
    return docs

