"""Claim types in news sentences: NewsSD-ENG (subjectivity) and the Causal News Corpus (causal sentences).

Each dataset is one loader and, right after it, its :class:`~stanceclf.data.info.DatasetInfo` record;
``data/registry.py`` registers the records. Rows follow :mod:`stanceclf.data.claims`: the task name in
``target``, plus ``group`` (``""``) and ``position`` (``-1``), as these sentences come without their
articles.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import DataError
from .canonical import _dataset_dict
from .claims import (CAUSAL, CAUSAL_LABELS, CAUSALITY, NOT_CAUSAL, OBJ, SUBJ, SUBJECTIVITY, SUBJECTIVITY_LABELS,
                     _claim_builder, _parse_label, _UniqueIds)
from .info import DatasetInfo

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["load_newssd", "load_cnc", "NEWSSD", "CNC"]

# --------------------------------------------------------------------------------------------------
# NewsSD-ENG
# --------------------------------------------------------------------------------------------------

_NEWSSD_FILES = {"train": "train.csv", "validation": "val.csv", "test": "test.csv"}
_NEWSSD_LABELS = {OBJ: OBJ, SUBJ: SUBJ}
_TRUTH = {"true": True, "false": False}


def _flag(value: str, where: str, column: str) -> bool:
    """``True``/``False`` written as text (any case)."""
    flag = _TRUTH.get(value.strip().lower())
    if flag is None:
        raise DataError(f"Column {column!r} in {where} should be True or False, got {value!r}.")
    return flag


def load_newssd(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load NewsSD-ENG (Antici et al., 2024): is a news sentence the author's opinion (SUBJ) or not (OBJ)?

    Splits ``train`` (731), ``validation`` (val.csv, 99) and ``test`` (219). ``target`` is
    ``"subjectivity"``; ``text`` is the sentence stripped (most end in a newline inside the quotes);
    extra bool ``solved_conflict`` (annotators disagreed, settled in discussion). Ids are
    ``newssd_eng:<split>:<row>``. Macro-F1 over OBJ/SUBJ; the share of SUBJ is 33% in train but
    about half in validation and test.

    >>> ds = load_newssd("/data")          # doctest: +SKIP
    >>> ds["test"][0]["label"]             # doctest: +SKIP
    'SUBJ'
    """
    folder = NEWSSD.locate_checked(data_dir, _NEWSSD_FILES.values())
    splits = {}
    for split, name in _NEWSSD_FILES.items():
        _, rows = NEWSSD.read(folder, name, ("Sentence", "Label", "Solved conflict"),
                              single_line=("Label", "Solved conflict"))
        builder = _claim_builder(NEWSSD.name, solved_conflict="bool")
        for row in rows:
            rec = row.values
            builder.add(row.where, id=f"newssd_eng:{split}:{row.number}", text=rec["Sentence"].strip(),
                        target=SUBJECTIVITY, label=_parse_label(rec["Label"], _NEWSSD_LABELS, row.where), group="",
                        position=-1, solved_conflict=_flag(rec["Solved conflict"], row.where, "Solved conflict"))
        splits[split] = builder.build()
    return _dataset_dict(splits)


NEWSSD = DatasetInfo(
    name="newssd_eng", title="NewsSD-ENG", loader=load_newssd, labels=SUBJECTIVITY_LABELS, task=SUBJECTIVITY,
    positive_label=SUBJ, main_metric="macro_f1", dev_split="validation", folders=("newssd_eng", "newssd-eng"),
    files=tuple(_NEWSSD_FILES.values()), aliases=("newssd", "news_sd"),
    description="NewsSD-ENG: subjective vs objective sentences in English news (train 731 / validation 99 / "
                "test 219; macro-F1).",
    citation=("Antici, F., Ruggeri, F., Galassi, A., Korre, K., Muti, A., Bardi, A., Fedotova, A., Barron-Cedeno, "
              "A. A Corpus for Sentence-Level Subjectivity Detection on English News Articles. LREC-COLING 2024."),
    license_note="CC BY 4.0 (repository LICENSE); cite the paper.",
)

# --------------------------------------------------------------------------------------------------
# Causal News Corpus V2, subtask 1
# --------------------------------------------------------------------------------------------------

_CNC_FILES = {"train": "train_subtask1.csv", "validation": "dev_subtask1.csv", "test": "test_subtask1_text.csv"}
_CNC_LABELS = {"1": CAUSAL, "0": NOT_CAUSAL}


def load_cnc(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load the Causal News Corpus V2, subtask 1 (Tan et al., 2022): does a news sentence state a cause?

    Splits ``train`` (3,075), ``validation`` (dev, 340) and ``test`` (352, **unlabelled**: its labels
    were withheld, so ``label`` is ``""`` there unless your copy of the file has a ``label`` column).
    Score on ``validation`` and say so (``test_splits=("validation",)``). ``target`` is ``"causal"``;
    1 -> CAUSAL, 0 -> NOT_CAUSAL; the official metric is the F1 of CAUSAL. The text is pre-tokenised
    (``"2016 , to death"``) and kept so; the cp1252 apostrophe ``\\x92`` is read as ``’``. Ids are
    ``cnc:<index>`` (dev ids start with ``train_10``: never infer the split from an id).

    >>> ds = load_cnc("/data")                # doctest: +SKIP
    >>> set(ds["test"]["label"])              # doctest: +SKIP
    {''}
    """
    folder = CNC.locate_checked(data_dir, _CNC_FILES.values())
    ids, splits = _UniqueIds(), {}
    for split, name in _CNC_FILES.items():
        required = ("index", "text") if split == "test" else ("index", "text", "label")
        header, rows = CNC.read(folder, name, required, single_line=("index", "text", "label"))
        labelled = "label" in header
        builder = _claim_builder(CNC.name)
        for row in rows:
            rec = row.values
            builder.add(row.where, id=ids.make("cnc", rec["index"], row.where),
                        text=rec["text"].replace("\x92", "\u2019"), target=CAUSALITY,
                        label=_parse_label(rec["label"], _CNC_LABELS, row.where) if labelled else "", group="",
                        position=-1)
        splits[split] = builder.build()
    return _dataset_dict(splits)


CNC = DatasetInfo(
    name="cnc_subtask1", title="Causal News Corpus", loader=load_cnc, labels=CAUSAL_LABELS, task=CAUSALITY,
    positive_label=CAUSAL, main_metric="f1_positive", test_splits=("validation",),
    folders=("causal_news_corpus", "CausalNewsCorpus"), files=tuple(_CNC_FILES.values()),
    aliases=("cnc", "causal_news_corpus"),
    description="Causal News Corpus V2 subtask 1: causal vs non-causal protest-news sentences (train 3,075 / "
                "validation 340 / test 352 unlabelled; F1 of CAUSAL on validation).",
    citation=("Tan, F. A. et al. The Causal News Corpus: Annotating Causal Relations in Event Sentences from News. "
              "LREC 2022."),
    license_note="CC0 1.0 (repository LICENSE); cite the paper.",
)
