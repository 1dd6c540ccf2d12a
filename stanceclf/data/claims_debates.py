"""Check-worthiness in political debates: CheckThat! 2024 Task 1 English, CheckThat! 2020 Task 5, ClaimBuster.

Each dataset is one loader and, right after it, its :class:`~stanceclf.data.info.DatasetInfo` record;
``data/registry.py`` registers the records. Rows follow :mod:`stanceclf.data.claims`: ``target`` is
``"check-worthiness"``, ``label`` CHECKWORTHY / NOT_CHECKWORTHY, plus ``group`` and ``position``.

The three overlap: CheckThat! 2024 train and dev *are* ClaimBuster's crowdsourced.csv and
groundtruth.csv, and CheckThat! 2020 holds four of ClaimBuster's debates. Filter training data with
:func:`stanceclf.data.claims.drop_overlaps` before scoring on a test split.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError
from .canonical import _Builder, _dataset_dict, _to_int
from .claims import (CFS, CHECKWORTHINESS, CHECKWORTHINESS_LABELS, CHECKWORTHY, NFS, NOT_CHECKWORTHY, UFS,
                     _claim_builder, _parse_label, _UniqueIds)
from .info import DatasetInfo
from .tables import Row, read_lines

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["load_checkthat2024", "load_checkthat2020", "load_claimbuster", "fix_mojibake", "CHECKTHAT2024",
           "CHECKTHAT2020", "CLAIMBUSTER"]

logger = logging.getLogger(__name__)

_BINARY = {"1": CHECKWORTHY, "0": NOT_CHECKWORTHY}
_CHECKTHAT_TERMS = ("No licence file; the organisers state the CheckThat! data is 'free for general research use'. "
                    "Research use; do not redistribute.")


def _checkworthiness_info(**fields: Any) -> DatasetInfo:
    """The record of a check-worthiness dataset: the task, labels and positive class all three share."""
    return DatasetInfo(labels=CHECKWORTHINESS_LABELS, task=CHECKWORTHINESS, positive_label=CHECKWORTHY, **fields)


# --------------------------------------------------------------------------------------------------
# Mojibake (ClaimBuster's crowdsourced.csv, and so CheckThat! 2024 train)
# --------------------------------------------------------------------------------------------------

#: Sequences the cp1252 round trip cannot undo, replaced first: an apostrophe and the opening and
#: closing quotes of an older encoding, and a no-break space that lost its second byte.
_MOJIBAKE_LEFTOVERS = {
    "\u00c3\u008f\u00e2\u201a\u00ac": "\u2019",  # Ã\x8fâ‚¬ -> ’
    "\u00c3\u00a2\u00e2\u20ac\u00b0\u00c2\u00a5": "\u201c",  # Ã¢â€°Â¥ -> “
    "\u00c3\u00a2\u00e2\u20ac\u00b0\u00c2\u00a4": "\u201d",  # Ã¢â€°Â¤ -> ”
    "\u00c3\u201a ": "",  # "Ã‚ " (a no-break space) -> nothing: the space before it stays
}
_LEFTOVER = re.compile("|".join(map(re.escape, _MOJIBAKE_LEFTOVERS)))
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
#: The five bytes cp1252 leaves undefined, which a decoder that let them through left as C1 controls.
_C1_PASSTHROUGH = frozenset("\x81\x8d\x8f\x90\x9d")


def _cp1252_bytes(text: str) -> bytes:
    """``text`` encoded as cp1252, the five undefined bytes written as themselves."""
    return b"".join(ch.encode("latin-1") if ch in _C1_PASSTHROUGH else ch.encode("cp1252") for ch in text)


def _undo_run(run: str) -> str:
    """A run of non-ASCII characters with up to three layers of UTF-8-read-as-cp1252 undone."""
    for _ in range(3):
        try:
            fixed = _cp1252_bytes(run).decode("utf-8")
        except UnicodeError:  # not (or no longer) mojibake
            break
        if fixed == run:
            break
        run = fixed
    return run


def fix_mojibake(text: str) -> str:
    """``text`` with UTF-8 that was read as cp1252 (once, twice or three times) read back as UTF-8.

    Each run of non-ASCII characters is encoded as cp1252 and decoded as UTF-8 while that works; four
    sequences it cannot undo are replaced by hand (:data:`_MOJIBAKE_LEFTOVERS`). Clean text, ASCII or
    not, comes back unchanged.

    >>> fix_mojibake("It\\u00c3\\u00a2\\u00e2\\u201a\\u00ac\\u00e2\\u201e\\u00a2s caf\\u00c3\\u00a9 time")
    'It’s café time'
    >>> fix_mojibake("It’s café time")
    'It’s café time'
    """
    if text.isascii():
        return text
    text = _LEFTOVER.sub(lambda m: _MOJIBAKE_LEFTOVERS[m.group(0)], text)
    return _NON_ASCII_RUN.sub(lambda m: _undo_run(m.group(0)), text)


# --------------------------------------------------------------------------------------------------
# CheckThat! 2024 Task 1 English
# --------------------------------------------------------------------------------------------------

_CT24_FILES = {"train": "CT24_checkworthy_english_train.tsv", "validation": "CT24_checkworthy_english_dev.tsv",
               "dev_test": "CT24_checkworthy_english_dev-test.tsv", "test": "CT24_checkworthy_english_test_gold.tsv"}
_CT24_LABELS = {"Yes": CHECKWORTHY, "No": NOT_CHECKWORTHY}
#: What a spreadsheet wrote instead of a sentence starting with "-" (6 rows of train).
SPREADSHEET_ERROR = "#NAME?"


def load_checkthat2024(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load CheckThat! 2024 Task 1 English (Hasanain et al., 2024): check-worthy sentences of debates.

    Splits ``train`` (22,495 rows), ``validation`` (the task's dev, 1,032), ``dev_test`` (318; the
    CheckThat! 2023 1B test) and ``test`` (341, gold). ``Yes``/``No`` -> CHECKWORTHY/NOT_CHECKWORTHY;
    the official metric is the F1 of CHECKWORTHY. The TSVs are read with ordinary CSV quoting, which
    removes the quotes that only escape a comma (the task README's ``QUOTE_NONE`` would keep them).
    The 6 train rows whose text is the spreadsheet error ``#NAME?`` are dropped (logged at INFO);
    evaluation splits keep every row. Mojibake in train is repaired (:func:`fix_mojibake`).
    train = ClaimBuster crowdsourced.csv and validation = groundtruth.csv (same ids and labels).

    >>> ds = load_checkthat2024("/data")  # doctest: +SKIP
    >>> ds["test"][0]["target"]           # doctest: +SKIP
    'check-worthiness'
    """
    folder = CHECKTHAT2024.locate_checked(data_dir, _CT24_FILES.values())
    ids, splits = _UniqueIds(), {}
    for split, name in _CT24_FILES.items():
        columns = ("Sentence_id", "Text", "class_label")
        _, rows = CHECKTHAT2024.read(folder, name, columns, single_line=columns)
        builder, dropped = _claim_builder(CHECKTHAT2024.name), 0
        for row in rows:
            rec = row.values
            if split == "train" and rec["Text"].strip() == SPREADSHEET_ERROR:
                dropped += 1
                continue
            builder.add(row.where, id=ids.make("checkthat2024", rec["Sentence_id"], row.where),
                        text=fix_mojibake(rec["Text"]), target=CHECKWORTHINESS,
                        label=_parse_label(rec["class_label"], _CT24_LABELS, row.where), group="", position=-1)
        if dropped:
            logger.info("CheckThat! 2024: dropped %d %s rows (a spreadsheet artefact) from %s", dropped,
                        SPREADSHEET_ERROR, folder / name)
        splits[split] = builder.build()
    return _dataset_dict(splits)


CHECKTHAT2024 = _checkworthiness_info(
    name="checkthat2024_en", title="CheckThat! 2024 Task 1 English", loader=load_checkthat2024,
    main_metric="f1_positive", dev_split="validation", test_splits=("dev_test", "test"),
    folders=("checkthat2024_task1_en",),
    files=tuple(_CT24_FILES.values()), aliases=("checkthat2024", "ct24", "checkthat2024_task1_en"),
    description=("CheckThat! 2024 Task 1 English: check-worthy sentences of US debates (train 22,495 / validation "
                 "1,032 / dev_test 318 / test 341; F1 of CHECKWORTHY)."),
    citation=("Hasanain, M. et al. Overview of the CLEF-2024 CheckThat! Lab Task 1 on Check-Worthiness Estimation "
              "of Multigenre Content. CLEF 2024 Working Notes (CEUR Vol-3740)."),
    license_note=_CHECKTHAT_TERMS,
)

# --------------------------------------------------------------------------------------------------
# CheckThat! 2020 Task 5 (debates and speeches, ranked per file)
# --------------------------------------------------------------------------------------------------

_CT20_FOLDERS = {"train": "train", "test": "test_gold"}
#: ``SYSTEM`` lines are audience reactions ("[Applause]"), not speech.
SYSTEM_SPEAKER = "SYSTEM"


def _ct20_files(folder: Path, name: str) -> list[Path]:
    files = sorted((folder / name).glob("*.tsv"))
    if not files:
        raise DataError(f"No .tsv files in {folder / name}. Put the CheckThat! 2020 Task 5 files in "
                        f"<data dir>/{CHECKTHAT2020.folders[0]}/{name}/ (one file per debate).")
    return files


def _ct20_file(path: Path, builder: _Builder) -> None:
    """Add the lines of one debate file (``line_number<TAB>speaker<TAB>text<TAB>label``, no header)."""
    expected = 0
    for lineno, line in read_lines(path):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) != 4:
            raise DataError(f"{where}: expected 4 tab-separated fields (line_number, speaker, text, label), got "
                            f"{len(fields)}.")
        number, speaker, text, raw = fields
        expected += 1
        if _to_int(number, where, "line_number") != expected:
            raise DataError(f"{where}: line number {number.strip()!r} where {expected} was expected; the lines of "
                            "each file are numbered 1, 2, 3, ... in order.")
        builder.add(where, id=f"checkthat2020:{path.stem}:{expected}", text=text, target=CHECKWORTHINESS,
                    label=_parse_label(raw, _BINARY, where), speaker=speaker.strip(), group=path.stem,
                    position=expected, is_system=speaker.strip() == SYSTEM_SPEAKER)


def load_checkthat2020(data_dir: str | os.PathLike[str] | None = None, validation: bool = True) -> "DatasetDict":
    """Load CheckThat! 2020 Task 5 (Shaar et al., 2020): which lines of a debate fact-checkers checked.

    One row per line of each debate or speech file: ``group`` = the file stem (kept verbatim, typos
    included), ``position`` = its line number (1..N), ``speaker`` as written, ``label`` 1 ->
    CHECKWORTHY, 0 -> NOT_CHECKWORTHY, extra bool ``is_system`` (the ``SYSTEM`` lines are audience
    reactions; some carry labels, and one train file has fact-check notes in them: drop them when
    training). The official metric is MAP over files (lines ranked within each ``group``).

    ``test`` = the 20 gold files (21,514 lines). With ``validation=True`` (default) the 50 train files
    are split as in the organisers' baseline: the first 80% by sorted name are ``train`` (40 files,
    38,707 lines) and the last 10 ``validation`` (4,069 lines); ``validation=False`` gives all 50 as
    ``train`` (42,776 lines).

    >>> ds = load_checkthat2020("/data")                  # doctest: +SKIP
    >>> len(set(ds["test"]["group"]))                     # doctest: +SKIP
    20
    """
    folder = CHECKTHAT2020.locate(data_dir)
    files = {split: _ct20_files(folder, name) for split, name in _CT20_FOLDERS.items()}
    parts = {"train": files["train"], "test": files["test"]}
    if validation:
        cut = int(0.8 * len(files["train"]))
        parts = {"train": files["train"][:cut], "validation": files["train"][cut:], "test": files["test"]}
    splits = {}
    for split, paths in parts.items():
        builder = _claim_builder(CHECKTHAT2020.name, is_system="bool")
        for path in paths:
            _ct20_file(path, builder)
        splits[split] = builder.build()
    return _dataset_dict(splits)


CHECKTHAT2020 = _checkworthiness_info(
    name="checkthat2020_t5", title="CheckThat! 2020 Task 5", loader=load_checkthat2020, main_metric="map",
    dev_split="validation", folders=("checkthat2020_task5",),
    files=("train/20121023_third_presidential_debate.tsv", "test_gold/20160303_GOP_michigan.tsv"),
    aliases=("checkthat2020", "ct20", "checkthat2020_task5"),
    description=("CheckThat! 2020 Task 5: lines of 70 debates and speeches, ranked per file by check-worthiness "
                 "(train 40 / validation 10 / test 20 files; MAP)."),
    citation=("Shaar, S. et al. Overview of CheckThat! 2020 English: Automatic Identification and Verification of "
              "Claims in Social Media. CLEF 2020 Working Notes (CEUR Vol-2696)."),
    license_note=_CHECKTHAT_TERMS,
)

# --------------------------------------------------------------------------------------------------
# ClaimBuster
# --------------------------------------------------------------------------------------------------

_CB_FILES = {"train": "crowdsourced.csv", "test": "groundtruth.csv"}
_CB_NCS = {"2x": "2xNCS.json", "2.5x": "2.5xNCS.json", "3x": "3xNCS.json"}
_CB_COLUMNS = ("Sentence_id", "Text", "Speaker", "Speaker_title", "Speaker_party", "File_id", "Line_number",
               "Sentiment", "Verdict")
_VERDICTS = {"-1": NFS, "0": UFS, "1": CFS}
_CB_EXTRAS = {"verdict3": "string", "speaker_party": "string", "speaker_title": "string", "sentiment": "string"}


def _sentiment(value: str, where: str) -> str:
    """The ``Sentiment`` score as written (``""`` when empty, as in 3 rows); an error when not a number."""
    text = value.strip()
    try:
        float(text or "0")
    except ValueError:
        raise DataError(f"Column 'Sentiment' in {where} should hold a number (or nothing), got {value!r}.") from None
    return text


def _cb_fields(row: Row) -> dict[str, Any]:
    """The builder fields of one ClaimBuster CSV row."""
    rec, where = row.values, row.where
    verdict = _parse_label(rec["Verdict"], _VERDICTS, where)
    return dict(text=fix_mojibake(rec["Text"]), target=CHECKWORTHINESS,
                label=CHECKWORTHY if verdict == CFS else NOT_CHECKWORTHY, speaker=rec["Speaker"].strip(),
                group=rec["File_id"].strip(), position=_to_int(rec["Line_number"], where, "Line_number"),
                verdict3=verdict, speaker_party=rec["Speaker_party"].strip(),
                speaker_title=rec["Speaker_title"].strip(), sentiment=_sentiment(rec["Sentiment"], where))


def load_claimbuster(data_dir: str | os.PathLike[str] | None = None, source: str = "csv") -> "DatasetDict":
    """Load ClaimBuster (Arslan et al., 2020): sentences of US presidential debates, 1960-2016.

    ``source="csv"`` (default): ``train`` = crowdsourced.csv (22,501) and ``test`` = groundtruth.csv
    (1,032, expert labels). ``label`` is binary: Verdict 1 (CFS) -> CHECKWORTHY, 0 (UFS) and -1 (NFS)
    -> NOT_CHECKWORTHY; the three classes stay in ``verdict3``. ``speaker`` = Speaker, ``group`` =
    File_id (the debate), ``position`` = Line_number (gappy: only labelled lines exist), extras
    ``speaker_party``, ``speaker_title``, ``sentiment`` (the score as a string; ``""`` in 3 rows).
    Mojibake is repaired (:func:`fix_mojibake`).

    ``source="2x"``, ``"2.5x"`` or ``"3x"``: one ``train`` split from that NCS file (Meng et al.'s
    re-labelled balanced sets for cross-validation; its label wins over Verdict), the other columns
    joined from the CSVs by id. These sets hold 60-78% of groundtruth.csv (= CheckThat! 2024
    validation): never train on them when scoring there.

    >>> ds = load_claimbuster("/data")                    # doctest: +SKIP
    >>> ds["train"][0]["verdict3"]                        # doctest: +SKIP
    'NFS'
    """
    key = str(source).strip().lower().removesuffix("ncs.json").removesuffix("ncs")
    if key not in ("csv", *_CB_NCS):
        raise DataError(f"Unknown ClaimBuster source {source!r}; use 'csv' (crowdsourced + groundtruth) or one "
                        "of the NCS sets '2x', '2.5x', '3x'.")
    folder = CLAIMBUSTER.locate_checked(data_dir, _CB_FILES.values())
    ids, fields, splits = _UniqueIds(), {}, {}
    for split, name in _CB_FILES.items():
        _, rows = CLAIMBUSTER.read(folder, name, _CB_COLUMNS, single_line=_CB_COLUMNS)
        builder = _claim_builder(CLAIMBUSTER.name, **_CB_EXTRAS)
        for row in rows:
            row_id = ids.make("claimbuster", row.values["Sentence_id"], row.where)
            fields[row_id] = _cb_fields(row)
            builder.add(row.where, id=row_id, **fields[row_id])
        splits[split] = builder.build()
    if key == "csv":
        return _dataset_dict(splits)
    _, rows = CLAIMBUSTER.read(folder, _CB_NCS[key], ("sentence_id", "label", "text"))
    builder, ncs_ids = _claim_builder(CLAIMBUSTER.name, **_CB_EXTRAS), _UniqueIds()
    for row in rows:
        row_id = ncs_ids.make("claimbuster", row.values["sentence_id"], row.where)
        if row_id not in fields:
            raise DataError(f"{row.where}: sentence_id {row.values['sentence_id']!r} is in neither "
                            f"{', '.join(_CB_FILES.values())}; use the NCS file that belongs to these CSVs.")
        builder.add(row.where, id=row_id, **{**fields[row_id], "text": fix_mojibake(str(row.values["text"])),
                                             "label": _parse_label(row.values["label"], _BINARY, row.where)})
    return _dataset_dict({"train": builder.build()})


CLAIMBUSTER = _checkworthiness_info(
    name="claimbuster", title="ClaimBuster", loader=load_claimbuster, main_metric="macro_f1",
    folders=("claimbuster", "ClaimBuster"), files=tuple(_CB_FILES.values()), aliases=("claim_buster",),
    description=("ClaimBuster: US presidential debate sentences, NFS/UFS/CFS binarised to CHECKWORTHY (train = "
                 "crowdsourced 22,501 / test = groundtruth 1,032; = CheckThat! 2024 train/validation)."),
    citation=("Arslan, F., Hassan, N., Li, C., Tremayne, M. A Benchmark Dataset of Check-worthy Factual Claims. "
              "ICWSM 2020. NCS files: Meng, K. et al. Gradient-Based Adversarial Training on Transformer Networks "
              "for Detecting Check-Worthy Factual Claims. arXiv:2002.07725."),
    license_note="Zenodo record marked open access; the licence name is not verified. Research use; do not "
                 "redistribute.",
)
