"""Stance in the news: FNC-1, NewsMTSC, PerSenT, DSE and the project's polnear-stance.

Each dataset is one loader and, right after it, its :class:`~stanceclf.data.info.DatasetInfo` record
(folders, files, splits, labels, credits); ``data/registry.py`` registers the records.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ..errors import DataError
from .canonical import _Builder, _check_label, _dataset_dict, _label_error, _to_int
from .info import DatasetInfo
from .schema import FNC_LABELS
from .tables import read_lines, require_columns

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["load_fnc1", "load_newsmtsc", "load_persent", "load_dse", "dse_rows", "FNC1", "NEWSMTSC", "PERSENT",
           "DSE", "POLNEAR_STANCE"]

# --------------------------------------------------------------------------------------------------
# FNC-1
# --------------------------------------------------------------------------------------------------

#: split -> (stances file, bodies file)
_FNC_FILES = {
    "train": ("train_stances.csv", "train_bodies.csv"),
    "test": ("competition_test_stances.csv", "competition_test_bodies.csv"),
}


def load_fnc1(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load FNC-1 (Fake News Challenge stage 1): stance of an article body toward a headline.

    Splits ``train`` (49,972 pairs) and ``test`` (25,413). ``text`` is the article body, ``target``
    the headline, ``label`` one of agree/disagree/discuss/unrelated (lowercase). Extra int column
    ``body_id``. The official metric is the FNC weighted score (``main_metric="fnc_score"``).

    >>> ds = load_fnc1("/data")  # doctest: +SKIP
    >>> ds["train"][0]["label"]  # doctest: +SKIP
    'unrelated'
    """
    folder = FNC1.locate(data_dir)
    splits = {}
    for split, (stances_name, bodies_name) in _FNC_FILES.items():
        FNC1.require(folder, stances_name)
        _, body_rows = FNC1.read(folder, bodies_name, ("Body ID", "articleBody"), single_line=("Body ID",))
        bodies = {_to_int(row.values["Body ID"], row.where, "Body ID"): row.values["articleBody"] for row in body_rows}
        _, rows = FNC1.read(folder, stances_name, ("Headline", "Body ID", "Stance"), single_line=("Body ID", "Stance"))
        builder = _Builder("fnc1", {"body_id": "int64"})
        for row in rows:
            body_id = _to_int(row.values["Body ID"], row.where, "Body ID")
            if body_id not in bodies:
                raise DataError(
                    f"Body ID {body_id} in {row.where} has no article body in {folder / bodies_name}. "
                    "Use the bodies file that belongs to this stances file."
                )
            builder.add(
                row.where,
                id=f"fnc1:{split}:{row.number}",
                text=bodies[body_id],
                target=row.values["Headline"],
                label=_check_label(row.values["Stance"], FNC_LABELS, row.where, upper=False),
                body_id=body_id,
            )
        splits[split] = builder.build()
    return _dataset_dict(splits)


FNC1 = DatasetInfo(
    name="fnc1", title="FNC-1", loader=load_fnc1, labels=FNC_LABELS, main_metric="fnc_score",
    folders=("fnc1", "fnc-1", "FNC-1"), files=tuple(f for pair in _FNC_FILES.values() for f in pair),
    aliases=("fnc", "fnc_1"),
    description="FNC-1: headline/article-body pairs labelled agree/disagree/discuss/unrelated.",
    citation=("Pomerleau, D., Rao, D. Fake News Challenge Stage 1 (FNC-1), 2017. Hanselowski et al., A "
              "Retrospective Analysis of the Fake News Challenge Stance Detection Task, COLING 2018."),
    license_note="No license stated by the FNC-1 repository; derived from Emergent. Research use.",
)

# --------------------------------------------------------------------------------------------------
# NewsMTSC
# --------------------------------------------------------------------------------------------------

_NEWSMTSC_SPLITS = ("train", "devtest_rw", "devtest_mt")
_NEWSMTSC_POLARITY = {2.0: "AGAINST", 4.0: "NONE", 6.0: "FAVOR"}


def load_newsmtsc(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load NewsMTSC (Hamborg & Donnay, 2021): target-dependent sentiment in news sentences.

    **Proxy task:** NewsMTSC annotates the sentiment a sentence expresses toward a mentioned
    person; here it is used as stance toward that target (polarity 2.0 -> AGAINST, 4.0 -> NONE,
    6.0 -> FAVOR). One row per target: ``text`` = ``sentence_normalized``, ``target`` = the mention.
    Splits ``train`` (8,739 targets), ``devtest_rw`` (1,146) and ``devtest_mt`` (1,476); there is
    no dev split. Extra int columns ``target_start``/``target_end`` (character offsets).

    >>> ds = load_newsmtsc("/data")  # doctest: +SKIP
    >>> ds["devtest_mt"].num_rows     # doctest: +SKIP
    1476
    """
    folder = NEWSMTSC.locate(data_dir)
    splits = {}
    for split in _NEWSMTSC_SPLITS:
        _, rows = NEWSMTSC.read(folder, f"{split}.jsonl", ("sentence_normalized", "targets"))
        builder = _Builder("newsmtsc", {"target_start": "int64", "target_end": "int64"})
        for row in rows:
            targets = row.values.get("targets")
            if not isinstance(targets, list) or not targets:
                raise DataError(f"{row.where}: 'targets' should be a non-empty list of target objects.")
            for k, tgt in enumerate(targets):
                where = f"{row.where}, target {k}"
                if not isinstance(tgt, dict):
                    raise DataError(f"{where} is not an object.")
                require_columns(where, list(tgt), ("from", "to", "mention", "polarity"))
                try:
                    polarity = float(tgt["polarity"])
                except (TypeError, ValueError):
                    polarity = None
                if polarity not in _NEWSMTSC_POLARITY:
                    raise _label_error(tgt["polarity"], where, ("2.0", "4.0", "6.0"), builtin=True)
                builder.add(
                    where,
                    id=f"newsmtsc:{split}:{row.number}:{k}",
                    text=row.values.get("sentence_normalized"),
                    target=tgt["mention"],
                    label=_NEWSMTSC_POLARITY[polarity],
                    target_start=_to_int(tgt["from"], where, "from"),
                    target_end=_to_int(tgt["to"], where, "to"),
                )
        splits[split] = builder.build()
    return _dataset_dict(splits)


NEWSMTSC = DatasetInfo(
    name="newsmtsc", title="NewsMTSC", loader=load_newsmtsc, test_splits=("devtest_rw", "devtest_mt"),
    folders=("newsmtsc", "NewsMTSC", "NewsMTSC-dataset"), files=tuple(f"{s}.jsonl" for s in _NEWSMTSC_SPLITS),
    aliases=("news_mtsc",),
    description=("NewsMTSC: target-dependent sentiment in news sentences, used as a stance proxy "
                 "(negative/neutral/positive -> AGAINST/NONE/FAVOR)."),
    citation=("Hamborg, F., Donnay, K. NewsMTSC: A Dataset for (Multi-)Target-dependent Sentiment "
              "Classification in Political News Articles. EACL 2021."),
    license_note="Repository license MIT; the dataset readme asks to cite the paper.",
)

# --------------------------------------------------------------------------------------------------
# PerSenT
# --------------------------------------------------------------------------------------------------

_PERSENT_FILES = {"validation": "dev.csv", "random_test": "random_test.csv", "fixed_test": "fixed_test.csv"}
_PERSENT_LABELS = {"positive": "FAVOR", "neutral": "NONE", "negative": "AGAINST"}


def load_persent(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load PerSenT (Bastan et al., 2020): the author's sentiment toward the main person in a news article.

    **Proxy task:** document-level author sentiment toward ``TARGET_ENTITY`` is used as stance
    (Positive -> FAVOR, Neutral -> NONE, Negative -> AGAINST); ``text`` is the full ``DOCUMENT``.
    Splits ``validation`` (dev.csv, 578 docs), ``random_test`` (579) and ``fixed_test`` (827);
    the training file is not part of this release. Extra string column ``title``.

    >>> ds = load_persent("/data")  # doctest: +SKIP
    >>> sorted(ds)                   # doctest: +SKIP
    ['fixed_test', 'random_test', 'validation']
    """
    folder = PERSENT.locate(data_dir)
    splits = {}
    for split, name in _PERSENT_FILES.items():
        _, rows = PERSENT.read(folder, name, ("DOCUMENT_INDEX", "TARGET_ENTITY", "DOCUMENT", "TRUE_SENTIMENT"),
                               single_line=("DOCUMENT_INDEX", "TARGET_ENTITY", "TRUE_SENTIMENT"))
        builder = _Builder("persent", {"title": "string"})
        for row in rows:
            rec = row.values
            label = _PERSENT_LABELS.get(rec["TRUE_SENTIMENT"].strip().lower())
            if label is None:
                raise _label_error(rec["TRUE_SENTIMENT"], row.where, ("Positive", "Neutral", "Negative"), builtin=True)
            builder.add(
                row.where,
                id=f"persent:{split}:{rec['DOCUMENT_INDEX'].strip()}",
                text=rec["DOCUMENT"],
                target=rec["TARGET_ENTITY"].strip(),
                label=label,
                title=rec.get("TITLE", ""),
            )
        splits[split] = builder.build()
    return _dataset_dict(splits)


PERSENT = DatasetInfo(
    name="persent", title="PerSenT", loader=load_persent, test_splits=("random_test", "fixed_test"),
    train_split=None, dev_split="validation", folders=("persent", "PerSenT"), files=tuple(_PERSENT_FILES.values()),
    description=("PerSenT: author sentiment toward the main person of a news article, used as a stance "
                 "proxy; evaluation only (dev / random test / fixed test)."),
    citation=("Bastan, M., Koupaee, M., Son, Y., Sicoli, R., Balasubramanian, N. Author's Sentiment "
              "Prediction. COLING 2020."),
    license_note="No license stated; news article text. Research use only.",
)

# --------------------------------------------------------------------------------------------------
# DSE (directed sentiment between entities in news sentences)
# --------------------------------------------------------------------------------------------------

_DSE_FILES = {"train": "train.tsv", "validation": "valid.tsv"}
#: label -> (stance of ent1 toward ent2, stance of ent2 toward ent1)
_DSE_LABELS = {"0": ("NONE", "NONE"), "1": ("FAVOR", "NONE"), "2": ("NONE", "FAVOR"),
               "3": ("AGAINST", "NONE"), "4": ("NONE", "AGAINST")}
_BRACKETED = re.compile(r"\[([^\[\]]+)\]")


def _dse_entity(sentence: str, match: re.Match[str], offset: int) -> str:
    """The bracketed entity grown to whole words ("[Los Angele]s" -> "Los Angeles"), without a
    possessive ending. ``offset``: bracket characters removed up to the match's end."""
    end = match.end() - offset
    tail = re.match(r"[\w\-]*", sentence[end:]).group(0)  # type: ignore[union-attr]
    name = (match.group(1) + tail).strip()
    return re.sub(r"(['\u2019]s?|\s+\?)$", "", name).strip() or match.group(1).strip()


def dse_rows(line: str, where: str) -> list[tuple[str, str, str, str]]:
    """``(sentence, speaker, target, stance)`` for both directions of one DSE line.

    >>> dse_rows("[Ryan] praised [Obama]'s plan.\\tRyan\\tObama\\t1", "x")[0]
    ("Ryan praised Obama's plan.", 'Ryan', 'Obama', 'FAVOR')
    """
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 4:
        raise DataError(f"{where}: expected 4 tab-separated columns (sentence, ent1, ent2, label), got {len(fields)}.")
    marked, _, _, raw = fields
    if raw.strip() not in _DSE_LABELS:
        raise _label_error(raw, where, tuple(_DSE_LABELS), builtin=True)
    matches = list(_BRACKETED.finditer(marked))
    if len(matches) < 2:
        raise DataError(f"{where}: the sentence should mark two entities in [brackets], found {len(matches)}.")
    sentence = _BRACKETED.sub(r"\1", marked)
    # positions in the unbracketed sentence: each earlier match removed two bracket characters
    ent1 = _dse_entity(sentence, matches[0], 2)
    ent2 = _dse_entity(sentence, matches[1], 4)
    forward, backward = _DSE_LABELS[raw.strip()]
    return [(sentence, ent1, ent2, forward), (sentence, ent2, ent1, backward)]


def load_dse(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load DSE (Park et al., 2021): who blames or endorses whom in a news sentence.

    Each sentence marks two entities; its label gives the directed sentiment between them. Every
    sentence becomes **two** rows, one per direction: ``speaker`` = the entity holding the opinion,
    ``target`` = the other, ``label`` FAVOR / AGAINST / NONE (positive / negative / neither; see
    ``data/dse/README.md``). ``text`` is the sentence without brackets. Splits ``train`` (13,144
    sentences) and ``validation`` (1,461); the test split is held back by the data's curators.

    >>> ds = load_dse("/data")                                   # doctest: +SKIP
    >>> ds["validation"].num_rows                                # doctest: +SKIP
    2922
    """
    folder = DSE.locate(data_dir)
    splits = {}
    for split, name in _DSE_FILES.items():
        path = DSE.require(folder, name)
        builder = _Builder("dse", {"direction": "string"})
        for lineno, line in read_lines(path, legacy_encodings=True):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            for direction, (sentence, speaker, target, label) in zip(("forward", "backward"), dse_rows(line, where)):
                builder.add(where, id=f"dse:{split}:{lineno}:{direction}", text=sentence, target=target,
                            label=label, speaker=speaker, direction=direction)
        splits[split] = builder.build()
    return _dataset_dict(splits)


DSE = DatasetInfo(
    name="dse", title="DSE", loader=load_dse, test_splits=("validation",), folders=("dse", "DSE"),
    files=tuple(_DSE_FILES.values()),
    description=("DSE: who endorses or blames whom in news sentences; each sentence gives two "
                 "(speaker, target) pairs (train 13,144 / validation 1,461 sentences; test held back)."),
    citation=("Park, K., Pan, Z., Joo, J. Who Blames or Endorses Whom? Entity-to-Entity Directed "
              "Sentiment Extraction in News Text. Findings of ACL-IJCNLP 2021."),
    license_note="No licence file; the README allows use with a citation. Research use; do not redistribute.",
)

# --------------------------------------------------------------------------------------------------
# polnear-stance (the project's labels over PolNeAR; the loader is in data/polnear_stance.py)
# --------------------------------------------------------------------------------------------------


def _load_polnear_stance(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load polnear-stance (see :mod:`stanceclf.data.polnear_stance`)."""
    from .polnear_stance import load_polnear_stance  # imported when used: it reads PolNeAR through this package

    return load_polnear_stance(data_dir)


POLNEAR_STANCE = DatasetInfo(
    name="polnear-stance", title="polnear-stance", loader=_load_polnear_stance, test_splits=("validation",),
    folders=("polnear", "PolNeAR"), files=("metadata.tsv",), aliases=("polnearstance",),
    description=("polnear-stance: this project's stance labels on PolNeAR's gold attributions in real "
                 "political news (speaker -> article target); standoff records shipped with stanceclf, "
                 "article text read from your PolNeAR copy. Validation = PolNeAR dev articles."),
    citation=("stanceclf annotation (docs/annotation-guidelines.md) over Newell, E., Margolin, D., Ruths, D. "
              "An attribution relations corpus for political news. LREC 2018."),
    license_note="Labels: the project's licence. Article text: PolNeAR, research use only, never copied.",
)
