"""Claim tasks: their names and labels, the row builder the claim loaders share, and the overlap check.

Claim rows use the canonical schema with the **task name in** ``target`` (``"check-worthiness"``,
``"subjectivity"``, ``"causal"``), so every tool that reads (text, target) pairs works on them
unchanged. Every claim dataset adds two columns: ``group`` (the debate or file a sentence belongs to,
for ranking within it; ``""`` when none) and ``position`` (its line number in the group; ``-1`` when
none). The loaders are in :mod:`~stanceclf.data.claims_debates` (CheckThat! 2024, CheckThat! 2020,
ClaimBuster) and :mod:`~stanceclf.data.claims_news` (NewsSD-ENG, Causal News Corpus).

No test sentence may be trained on: :func:`drop_overlaps` removes from a training set every row whose
text, normalised by :func:`normalise_text`, is also in one of the test sets.

>>> CHECKWORTHINESS, CHECKWORTHINESS_LABELS
('check-worthiness', ('NOT_CHECKWORTHY', 'CHECKWORTHY'))
>>> drop_overlaps(["Thank you.", "Taxes rose 5%."], ["thank you"])
(['Taxes rose 5%.'], 1)
"""

from __future__ import annotations

import os
import string
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, TypeVar

from ..errors import DataError
from .canonical import _Builder, _label_error

if TYPE_CHECKING:  # pragma: no cover
    from datasets import Dataset

__all__ = [
    "CHECKWORTHINESS", "SUBJECTIVITY", "CAUSALITY", "CLAIM_TASKS",
    "CHECKWORTHY", "NOT_CHECKWORTHY", "OBJ", "SUBJ", "CAUSAL", "NOT_CAUSAL", "NFS", "UFS", "CFS",
    "CHECKWORTHINESS_LABELS", "SUBJECTIVITY_LABELS", "CAUSAL_LABELS", "CLAIM_TYPES", "TASK_LABELS",
    "normalise_text", "overlapping_texts", "drop_overlaps", "EVALUATION_DATASETS", "scored_claim_splits",
]

#: Task names, as they appear in the ``target`` column of claim rows.
CHECKWORTHINESS = "check-worthiness"
SUBJECTIVITY = "subjectivity"
CAUSALITY = "causal"
CLAIM_TASKS: tuple[str, ...] = (CHECKWORTHINESS, SUBJECTIVITY, CAUSALITY)

#: Labels. Each task's tuple is in the canonical ``classes_`` order, the positive class last.
CHECKWORTHY, NOT_CHECKWORTHY = "CHECKWORTHY", "NOT_CHECKWORTHY"
OBJ, SUBJ = "OBJ", "SUBJ"
CAUSAL, NOT_CAUSAL = "CAUSAL", "NOT_CAUSAL"
#: ClaimBuster's three classes: non-factual, unimportant factual, check-worthy factual sentence.
NFS, UFS, CFS = "NFS", "UFS", "CFS"

CHECKWORTHINESS_LABELS: tuple[str, ...] = (NOT_CHECKWORTHY, CHECKWORTHY)
SUBJECTIVITY_LABELS: tuple[str, ...] = (OBJ, SUBJ)
CAUSAL_LABELS: tuple[str, ...] = (NOT_CAUSAL, CAUSAL)
CLAIM_TYPES: tuple[str, ...] = (NFS, UFS, CFS)
TASK_LABELS: dict[str, tuple[str, ...]] = {
    CHECKWORTHINESS: CHECKWORTHINESS_LABELS, SUBJECTIVITY: SUBJECTIVITY_LABELS, CAUSALITY: CAUSAL_LABELS,
}

#: The columns every claim dataset adds to the canonical ones.
_RANKING_COLUMNS = {"group": "string", "position": "int64"}


def _claim_builder(dataset: str, **extra: str) -> _Builder:
    """A row builder for a claim dataset: the canonical columns, ``group``/``position`` and ``extra``
    (name -> dtype)."""
    return _Builder(dataset, {**_RANKING_COLUMNS, **extra})


def _parse_label(raw: Any, mapping: Mapping[str, str], where: str) -> str:
    """``mapping[raw]`` (``raw`` stripped, case kept), or a :class:`DataError` listing the raw labels."""
    key = "" if raw is None else str(raw).strip()
    if key not in mapping:
        raise _label_error(raw, where, tuple(mapping), builtin=True)
    return mapping[key]


class _UniqueIds:
    """Remembers the ids of one dataset and refuses a second row with the same id."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def make(self, prefix: str, raw: Any, where: str) -> str:
        """The row id ``"<prefix>:<raw>"``; a :class:`DataError` when ``raw`` is empty or the id was seen.

        >>> ids = _UniqueIds(); ids.make("cnc", " a1 ", "f.csv, row 1")
        'cnc:a1'
        """
        key = "" if raw is None else str(raw).strip()
        if not key:
            raise DataError(f"Empty id in {where}; every row needs its id.")
        row_id = f"{prefix}:{key}"
        if row_id in self._seen:
            raise DataError(f"Duplicate id {row_id!r} in {where} (first seen in {self._seen[row_id]}); ids must be "
                            "unique.")
        self._seen[row_id] = where
        return row_id


# --------------------------------------------------------------------------------------------------
# Overlap between training and test sets
# --------------------------------------------------------------------------------------------------

#: What :func:`normalise_text` strips from both ends: ASCII punctuation, curly and angle quotes,
#: dashes, the ellipsis and spaces.
_EDGES = string.punctuation + "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a" \
    + "\u2010\u2011\u2012\u2013\u2014\u2015\u2026 "


def normalise_text(text: str) -> str:
    """The form in which two sentences count as the same: casefolded, whitespace collapsed, and
    punctuation, quotes, dashes and spaces stripped from both ends. ``""`` for a text without
    letters or digits (``"..."``, ``"["``), which :func:`overlapping_texts` ignores.

    >>> normalise_text('  "Thank   you."  ')
    'thank you'
    >>> normalise_text("...")
    ''
    """
    return " ".join(str(text).casefold().split()).strip(_EDGES)


def _texts(rows: "Dataset | Iterable[Any]") -> list[str]:
    """The texts of ``rows``: a :class:`datasets.Dataset` (its ``text`` column), strings, or mappings
    with a ``"text"`` key."""
    column_names = getattr(rows, "column_names", None)
    if column_names is not None:
        if "text" not in column_names:
            raise DataError(f"The dataset has no 'text' column (columns: {', '.join(column_names)}).")
        return list(rows["text"][:])  # type: ignore[index]  # a slice: datasets 3+ Columns iterate row by row
    texts = []
    for item in rows:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, Mapping) and "text" in item:
            texts.append(item["text"])
        else:
            raise DataError(f"Expected a text or a row with a 'text' field, got {type(item).__name__}: "
                            f"{str(item)[:60]}.")
    return texts


def _normalised_set(rows: "Dataset | Iterable[Any]") -> set[str]:
    return {norm for norm in map(normalise_text, _texts(rows)) if norm}


def overlapping_texts(train_rows: "Dataset | Iterable[Any]", test_rows: "Dataset | Iterable[Any]") -> set[str]:
    """The normalised texts (:func:`normalise_text`) found in both ``train_rows`` and ``test_rows``;
    texts that normalise to ``""`` never count. Each argument is a :class:`datasets.Dataset`, a list of
    strings or a list of rows with a ``"text"`` field.

    >>> sorted(overlapping_texts(["Thank you.", "Taxes rose."], ["THANK YOU!", "..."]))
    ['thank you']
    """
    return _normalised_set(train_rows) & _normalised_set(test_rows)


_Rows = TypeVar("_Rows")


def drop_overlaps(train: _Rows, *tests: "Dataset | Iterable[Any]") -> tuple[_Rows, int]:
    """``(train without the rows whose normalised text is in any of tests, how many rows were dropped)``.

    The filter for training data: test rows are never dropped, so official test counts stay intact.
    ``train`` is a :class:`datasets.Dataset` (a Dataset comes back) or a list of texts or rows (a list
    comes back).

    >>> kept, dropped = drop_overlaps(["Thank you!", "We cut taxes."], ["thank you"], ["Hello."])
    >>> kept, dropped
    (['We cut taxes.'], 1)
    """
    banned: set[str] = set()
    for test in tests:
        banned |= _normalised_set(test)
    texts = _texts(train)  # type: ignore[arg-type]
    keep = [i for i, text in enumerate(texts) if normalise_text(text) not in banned]
    dropped = len(texts) - len(keep)
    if hasattr(train, "select"):
        return (train if not dropped else train.select(keep)), dropped  # type: ignore[attr-defined]
    rows = list(train)  # type: ignore[call-overload]
    return [rows[i] for i in keep], dropped  # type: ignore[return-value]


#: The claim datasets the benchmarks score a claim model on. ClaimBuster is not among them: its two
#: files *are* CheckThat! 2024's train and validation splits.
EVALUATION_DATASETS: tuple[str, ...] = ("checkthat2024_en", "checkthat2020_t5", "newssd_eng", "cnc_subtask1")


def scored_claim_splits(data_dir: "str | os.PathLike[str] | None" = None,
                        datasets: Sequence[str] = EVALUATION_DATASETS) -> dict[str, "Dataset"]:
    """``{"dataset/split": rows}`` for every split the benchmarks score (every split but the training
    and development ones) of each of ``datasets`` found under ``data_dir``; datasets that are absent
    are left out. A claim model trained on several sources drops every training or development row
    whose text is in one of these (:func:`drop_overlaps`), so no scored sentence is ever trained on.

    >>> sorted(scored_claim_splits("/data"))         # doctest: +SKIP
    ['causal_news_corpus/test', 'causal_news_corpus/validation', 'checkthat2020_t5/test', ...]
    """
    from .info import resolve_data_dir
    from .loaders import get_dataset_info, load_dataset

    root = resolve_data_dir(data_dir)
    out: dict[str, Dataset] = {}
    for name in datasets:
        info = get_dataset_info(name)
        if not info.is_present(root):
            continue
        data = load_dataset(info.name, data_dir=root)
        for split in data:
            if split not in (info.train_split, info.dev_split):
                out[f"{info.name}/{split}"] = data[split]
    return out
