"""The result types of an analysis and their flat records: :class:`ArticleAnalysis` (one article),
:class:`QuoteAnalysis` (one quote), :class:`TargetStance` (one quote toward one target), and the
record columns (:data:`RECORD_FIELDS`, documented with their types in ``docs/records.schema.json``).

They depend on nothing above them; the display methods (``table``, ``to_html``, ``_repr_html_``)
call the renderers in :mod:`~stanceclf.analysis.outputs` and :mod:`~stanceclf.analysis.report` lazily,
the one upward reference, kept so that a result shows itself in Jupyter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..types import CLAIM_SCORE_FIELDS, STANCE_LABELS, ClaimScores, Quote, QuoteKind, Span
from .corpus import DocumentError
from .linking import VIAS
from .targets import Target, TargetMention

__all__ = ["TargetStance", "QuoteAnalysis", "ArticleAnalysis", "RECORD_FIELDS", "RECORD_CATEGORIES",
           "RECORD_INTEGERS", "RECORD_FLOATS", "CLAIM_RECORD_FIELDS", "claim_columns", "records_of", "records_frame"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TargetStance:
    """The stance of one quote toward one target."""

    target: str
    label: str
    probabilities: dict[str, float]
    via: str
    mention: TargetMention | None = None
    evidence: Span | None = None

    @property
    def addressed(self) -> bool:
        return self.via != "none"

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "label": self.label,
                "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()}, "via": self.via,
                "mention": None if self.mention is None else
                {"start": self.mention.start, "end": self.mention.end, "text": self.mention.text},
                "evidence": None if self.evidence is None else self.evidence.to_dict()}


@dataclass(frozen=True)
class QuoteAnalysis:
    """A quote, the text the stance model read for it, its stance toward each addressed target, and
    what the claim model says about the quote's words (``claim``; ``None`` when claims were not scored)."""

    index: int
    quote: Quote
    sentence: Span
    stances: tuple[TargetStance, ...] = ()
    claim: ClaimScores | None = None

    @property
    def speaker(self) -> str | None:
        return self.quote.speaker

    def stance_toward(self, target: str) -> TargetStance | None:
        return next((s for s in self.stances if s.target == target), None)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, **self.quote.to_dict(), "sentence": self.sentence.to_dict(),
                "stances": [s.to_dict() for s in self.stances],
                "claim": None if self.claim is None else self.claim.to_dict()}


#: The claim-score columns (``p_checkworthy``, ``p_subjective``, ``p_causal``: one per
#: :data:`~stanceclf.types.CLAIM_SCORE_FIELDS`), per quote: the same on every row of a quote, ``None``
#: where claims were not scored.
CLAIM_RECORD_FIELDS: tuple[str, ...] = tuple(f"p_{name}" for name in CLAIM_SCORE_FIELDS)
#: Columns of the flat records (JSONL/CSV/DataFrame): one row per (quote, target); a quote addressing
#: no target gets one row with empty target fields, a document without quotes one row with status
#: ``no_quotes``, a failed document one row with status ``error``.
RECORD_FIELDS: tuple[str, ...] = (
    "doc_id", "source", "date", "status", "quote_index", "kind", "speaker", "speaker_mention",
    "quote_start", "quote_end", "quote", "extraction_confidence", *CLAIM_RECORD_FIELDS,
    "target", "target_mention", "via", "stance", "p_against", "p_favor", "p_none", "model", "stage", "error",
)
#: Closed vocabularies of the record columns that are categoricals in data frames and Parquet.
RECORD_CATEGORIES: dict[str, tuple[str, ...]] = {
    "status": ("ok", "no_quotes", "error"), "kind": tuple(k.value for k in QuoteKind), "via": VIAS,
    "stance": STANCE_LABELS,
}
RECORD_INTEGERS = ("quote_index", "quote_start", "quote_end")
RECORD_FLOATS = ("extraction_confidence", *CLAIM_RECORD_FIELDS, "p_against", "p_favor", "p_none")


def claim_columns(scores: ClaimScores | None) -> dict[str, float | None]:
    """The claim-score columns of one quote (``None`` each when not scored).

    >>> claim_columns(ClaimScores(checkworthy=0.91234, subjective=None, causal=0.4))
    {'p_checkworthy': 0.9123, 'p_subjective': None, 'p_causal': 0.4}
    """
    if scores is None:
        return dict.fromkeys(CLAIM_RECORD_FIELDS)
    return {f"p_{name}": None if getattr(scores, name) is None else round(float(getattr(scores, name)), 4)
            for name in CLAIM_SCORE_FIELDS}


def records_frame(rows: Iterable[dict[str, Any]], *, parse_dates: bool = True) -> Any:
    """Records as a typed pandas DataFrame: categoricals for :data:`RECORD_CATEGORIES`, nullable
    integers, floats, and ``date`` as datetime64 when every date is ISO 8601 (else kept as text).

    >>> frame = records_frame([{"doc_id": "a", "status": "ok", "stance": "FAVOR", "date": "2025-03-01"}])
    >>> frame["date"].dtype.kind, list(frame["stance"].cat.categories)
    ('M', ['AGAINST', 'FAVOR', 'NONE'])
    """
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(RECORD_FIELDS))
    for name, known in RECORD_CATEGORIES.items():
        present = set(frame[name].dropna())
        frame[name] = pd.Categorical(frame[name], categories=[*known, *sorted(present - set(known))])
    for name in RECORD_INTEGERS:
        frame[name] = frame[name].astype("Int64")
    for name in RECORD_FLOATS:
        frame[name] = frame[name].astype("float64")
    if parse_dates and frame["date"].notna().any():
        frame["date"] = _parse_dates(frame["date"])
    return frame


def _parse_dates(column: Any) -> Any:
    import pandas as pd

    for utc in (False, True):  # mixed time zones only parse as UTC
        try:
            return pd.to_datetime(column, format="ISO8601", utc=utc)
        except (ValueError, TypeError):
            continue
    logger.debug("Some dates are not ISO 8601; the date column stays text.")
    return column


@dataclass
class ArticleAnalysis:
    """Everything found in one article. ``targets_suggested`` is True when the targets were not given
    but suggested from the article's named entities and noun phrases."""

    id: str
    text: str
    quotes: list[QuoteAnalysis]
    targets: list[Target]
    model: str = ""
    date: str | None = None
    source: str = ""
    targets_suggested: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)

    # -- views ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date, "source": self.source, "model": self.model,
                "targets": [t.to_dict() for t in self.targets], "targets_suggested": self.targets_suggested,
                "quotes": [q.to_dict() for q in self.quotes], "metadata": self.metadata}

    def to_records(self) -> list[dict[str, Any]]:
        """Flat rows, one per (quote, target); see :data:`RECORD_FIELDS`."""
        base = {"doc_id": self.id, "source": self.source, "date": self.date, "model": self.model, "error": None}
        if not self.quotes:
            return [{**dict.fromkeys(RECORD_FIELDS), **base, "status": "no_quotes"}]
        rows = []
        for qa in self.quotes:
            q = qa.quote
            quote_cols = {**base, "status": "ok", "quote_index": qa.index, "kind": q.kind.value, "speaker": q.speaker,
                          "speaker_mention": q.speaker_mention.text if q.speaker_mention else None,
                          "quote_start": q.start, "quote_end": q.end, "quote": q.text,
                          "extraction_confidence": round(float(q.confidence), 4), **claim_columns(qa.claim)}
            if not qa.stances:
                rows.append({**dict.fromkeys(RECORD_FIELDS), **quote_cols})
            for s in qa.stances:
                shown = s.mention.text if s.mention else s.evidence.text if s.evidence else None
                rows.append({**dict.fromkeys(RECORD_FIELDS), **quote_cols, "target": s.target,
                             "target_mention": shown, "via": s.via, "stance": s.label,
                             **{f"p_{k.lower()}": round(s.probabilities.get(k, 0.0), 4) for k in STANCE_LABELS}})
        return rows

    def to_dataframe(self) -> Any:
        """The records as a typed pandas DataFrame (see :func:`records_frame`)."""
        return records_frame(self.to_records())

    def table(self, width: int = 100) -> str:
        """A readable plain-text table of speakers, quotes and stances."""
        from .outputs import format_article_table

        return format_article_table(self, width=width)

    def to_html(self, path: Any = None, *, fragment: bool = False) -> str:
        """This article as HTML (written to ``path`` when given): a standalone report page, or with
        ``fragment=True`` the article view alone (a ``<div>`` to embed in another page; no
        ``<html>``/``<body>``, no script), as shown in Jupyter."""
        if not fragment:
            from .outputs import write_html_report

            return write_html_report([self], path)
        from pathlib import Path

        from .report import article_fragment

        html = article_fragment(self)
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html

    # -- Python and Jupyter conventions -----------------------------------------------------------
    def _repr_html_(self) -> str:
        """Jupyter's rich view: the article with quotes highlighted, speaker and label tags, and the
        quote table (:func:`stanceclf.analysis.report.article_fragment`)."""
        from .report import article_fragment

        return article_fragment(self)

    def __repr__(self) -> str:
        names = [t.name for t in self.targets]
        shown = ", ".join(repr(n) for n in names[:5]) + (f", ... +{len(names) - 5}" if len(names) > 5 else "")
        return f"ArticleAnalysis(id={self.id!r}, quotes={len(self.quotes)}, targets=[{shown}])"

    def __len__(self) -> int:
        """The number of quotes."""
        return len(self.quotes)

    def __iter__(self) -> Iterator[QuoteAnalysis]:
        """The quotes (:class:`QuoteAnalysis`), in text order."""
        return iter(self.quotes)

    def __bool__(self) -> bool:
        # an analysis without quotes is still a result (``__len__`` alone would make it falsy)
        return True


def records_of(result: ArticleAnalysis | DocumentError) -> list[dict[str, Any]]:
    """Flat records of a result (an error becomes one record with ``status="error"``)."""
    if isinstance(result, DocumentError):
        return [{**dict.fromkeys(RECORD_FIELDS), **result.to_dict()}]
    return result.to_records()
