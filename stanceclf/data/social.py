"""Stance in what people post: SemEval-2016 and P-Stance (tweets), VAST (comments), Perspectrum (debates).

Each dataset is one loader and, right after it, its :class:`~stanceclf.data.info.DatasetInfo` record
(folders, files, splits, labels, credits); ``data/registry.py`` registers the records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import DataError, suggest
from .canonical import _Builder, _check_label, _dataset_dict, _label_error, _label_key, _to_int
from .info import DatasetInfo
from .schema import STANCE2, STANCE3
from .tables import json_problem, require_columns

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["load_semeval2016", "load_pstance", "load_vast", "load_perspectrum", "SEMEVAL2016", "SEMEVAL2016_TASKB",
           "PSTANCE", "VAST", "PERSPECTRUM"]

# --------------------------------------------------------------------------------------------------
# SemEval-2016 Task 6
# --------------------------------------------------------------------------------------------------

#: split -> files, per task (task A's train split is the training data plus the trial data)
_SEMEVAL_SPLITS = {
    "A": {"train": ("trainingdata-all-annotations.txt", "trialdata-all-annotations.txt"),
          "test": ("testdata-taskA-all-annotations.txt",)},
    "B": {"test": ("testdata-taskB-all-annotations.txt",)},
}


def _semeval_rows(info: DatasetInfo, folder: Path, name: str, builder: _Builder) -> None:
    """Add the tweets of one SemEval file (an unquoted TSV, partly cp1252) to ``builder``."""
    _, rows = info.read(folder, name, ("ID", "Target", "Tweet", "Stance"), kind="tsv", quoted=False,
                        legacy_encodings=True)
    for row in rows:
        rec = row.values
        builder.add(
            row.where,
            id=f"{builder.dataset}:{rec['ID'].strip()}",
            text=rec["Tweet"],
            target=rec["Target"].strip(),
            label=_check_label(rec["Stance"], STANCE3, row.where),
            opinion_towards=rec.get("Opinion towards", "").strip(),
            sentiment=rec.get("Sentiment", "").strip(),
        )


def load_semeval2016(data_dir: str | os.PathLike[str] | None = None, task: str = "A") -> "DatasetDict":
    """Load SemEval-2016 Task 6 (Mohammad et al., 2016): stance of tweets toward five targets.

    Task ``"A"`` gives ``train`` (training + trial data, 2,914 tweets) and ``test`` (1,249).
    Task ``"B"`` gives ``test`` only: 707 tweets about Donald Trump (its training data was unlabelled).
    Tweets are kept as is, including the organisers' ``#SemST`` hashtag. Labels: FAVOR/AGAINST/NONE.
    Extra string columns: ``opinion_towards``, ``sentiment``.

    >>> ds = load_semeval2016("/data")  # doctest: +SKIP
    >>> ds["train"].num_rows            # doctest: +SKIP
    2914
    """
    task_key = str(task).strip().upper()
    if task_key not in _SEMEVAL_SPLITS:
        raise DataError(f"Unknown SemEval-2016 task {task!r}; use task='A' (five targets) or task='B' (Trump).")
    info = SEMEVAL2016 if task_key == "A" else SEMEVAL2016_TASKB
    folder = info.locate_checked(data_dir)  # every file is checked before any is read
    splits = {}
    for split, names in _SEMEVAL_SPLITS[task_key].items():
        builder = _Builder(info.name, {"opinion_towards": "string", "sentiment": "string"})
        for name in names:
            _semeval_rows(info, folder, name, builder)
        splits[split] = builder.build()
    return _dataset_dict(splits)


def _load_semeval2016_taskb(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load SemEval-2016 Task 6, task B (Donald Trump, test split only)."""
    return load_semeval2016(data_dir, task="B")


def _semeval_info(task: str, **fields: Any) -> DatasetInfo:
    """The record of one SemEval-2016 task: the folder, credits and labels both tasks share."""
    return DatasetInfo(
        title="SemEval-2016 Task 6", folders=("semeval2016_task6", "semeval2016"),
        files=tuple(name for names in _SEMEVAL_SPLITS[task].values() for name in names), main_metric="f_avg",
        citation=("Mohammad, S., Kiritchenko, S., Sobhani, P., Zhu, X., Cherry, C. SemEval-2016 Task 6: Detecting "
                  "Stance in Tweets. SemEval-2016."),
        license_note=("No license in the package; NRC asks not to redistribute it "
                      "(http://www.saifmohammad.com/WebPages/StanceDataset.htm). Research use only; Twitter content."),
        **fields,
    )


SEMEVAL2016 = _semeval_info(
    "A", name="semeval2016", loader=load_semeval2016,
    aliases=("semeval", "semeval2016_task6", "semeval2016a", "semeval2016_taska"),
    description="SemEval-2016 Task 6A: tweets toward 5 targets (train 2,914 incl. trial / test 1,249).",
)
SEMEVAL2016_TASKB = _semeval_info(
    "B", name="semeval2016_taskb", loader=_load_semeval2016_taskb, train_split=None, aliases=("semeval2016b",),
    description="SemEval-2016 Task 6B: 707 test tweets toward Donald Trump (no labelled training data).",
)

# --------------------------------------------------------------------------------------------------
# P-Stance
# --------------------------------------------------------------------------------------------------

_PSTANCE_TARGETS = ("trump", "biden", "bernie")
_PSTANCE_ALIASES = {
    "trump": "trump", "donald trump": "trump", "donald": "trump", "donaldtrump": "trump",
    "biden": "biden", "joe biden": "biden", "joe": "biden", "joebiden": "biden",
    "bernie": "bernie", "sanders": "bernie", "bernie sanders": "bernie", "berniesanders": "bernie",
}
#: split -> the split's name in the file names
_PSTANCE_SPLITS = {"train": "train", "validation": "val", "test": "test"}


def _pstance_file(split: str, target: str) -> str:
    return f"raw_{_PSTANCE_SPLITS[split]}_{target}.csv"


def _pstance_targets(targets: str | Iterable[str]) -> list[str]:
    if isinstance(targets, str):
        targets = [targets]
    chosen: list[str] = []
    for t in targets:
        key = " ".join(str(t).replace("_", " ").split()).lower()
        if key not in _PSTANCE_ALIASES:
            raise DataError(
                f"Unknown P-Stance target {t!r}. Use any of 'trump', 'biden', 'bernie' (or 'Donald Trump', "
                f"'Joe Biden', 'Bernie Sanders', 'sanders').{suggest(key, list(_PSTANCE_ALIASES))}"
            )
        if _PSTANCE_ALIASES[key] not in chosen:
            chosen.append(_PSTANCE_ALIASES[key])
    if not chosen:
        raise DataError("load_pstance needs at least one target, e.g. targets=('trump',).")
    return chosen


def load_pstance(
    data_dir: str | os.PathLike[str] | None = None,
    targets: str | Iterable[str] = _PSTANCE_TARGETS,
) -> "DatasetDict":
    """Load P-Stance (Li et al., 2021): political tweets toward Trump, Biden and Sanders.

    Splits ``train``/``validation``/``test`` concatenate the chosen ``targets`` (case-insensitive;
    "trump"/"Donald Trump", "biden"/"Joe Biden", "bernie"/"sanders"/"Bernie Sanders").
    Labels are FAVOR/AGAINST only (there is no NONE class).

    >>> ds = load_pstance("/data", targets=["trump"])  # doctest: +SKIP
    >>> sorted(ds)                                     # doctest: +SKIP
    ['test', 'train', 'validation']
    """
    chosen = _pstance_targets(targets)
    folder = PSTANCE.locate(data_dir, [_pstance_file(s, t) for s in _PSTANCE_SPLITS for t in chosen])
    columns = ("Tweet", "Target", "Stance")
    splits = {}
    for split in _PSTANCE_SPLITS:
        builder = _Builder("pstance")
        for t in chosen:
            _, rows = PSTANCE.read(folder, _pstance_file(split, t), columns, single_line=columns)
            for row in rows:
                builder.add(
                    row.where,
                    id=f"pstance:{split}:{t}:{row.number}",
                    text=row.values["Tweet"],
                    target=row.values["Target"].strip(),
                    label=_check_label(row.values["Stance"], STANCE2, row.where),
                )
        splits[split] = builder.build()
    return _dataset_dict(splits)


PSTANCE = DatasetInfo(
    name="pstance", title="P-Stance", loader=load_pstance, labels=STANCE2, dev_split="validation",
    folders=("pstance", "PStance", "p-stance"), aliases=("p_stance",),
    files=tuple(_pstance_file(s, t) for s in _PSTANCE_SPLITS for t in _PSTANCE_TARGETS),
    description="P-Stance: 21,574 political tweets toward Trump, Biden and Sanders (FAVOR/AGAINST).",
    citation=("Li, Y., Sosea, T., Sawant, A., Nair, A. J., Inkpen, D., Caragea, C. P-Stance: A Large "
              "Dataset for Stance Detection in Political Domain. Findings of ACL 2021."),
    license_note="Code repository MIT; no separate data terms stated. Twitter content, research use only.",
)

# --------------------------------------------------------------------------------------------------
# VAST
# --------------------------------------------------------------------------------------------------

_VAST_FILES = {"train": "vast_train.csv", "validation": "vast_dev.csv", "test": "vast_test.csv"}
_VAST_LABELS = {"0": "AGAINST", "1": "FAVOR", "2": "NONE"}
#: output column -> accepted source column names (the official files use ``seen?``, ``Sarc``, ``Imp``, ``Qte``)
_VAST_EXTRAS: dict[str, tuple[str, ...]] = {
    "seen": ("seen?", "seen"),
    "is_sarc": ("is_sarc", "Sarc", "sarc"),
    "is_imp": ("is_imp", "Imp", "imp"),
    "qte": ("Qte", "qte"),
    "contains_topic": ("contains_topic?", "contains_topic"),
    "type_idx": ("type_idx",),
}
#: columns that never hold a line break (a newline in one reveals an unclosed quote)
_VAST_SINGLE_LINE = ("label", "new_id", "ori_id", "new_topic", "topic_str",
                     *(c for cols in _VAST_EXTRAS.values() for c in cols))


def load_vast(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load VAST (Allaway & McKeown, 2020): zero-/few-shot stance toward many varied topics.

    Reads the official ``vast_train.csv``/``vast_dev.csv``/``vast_test.csv`` into splits
    ``train``/``validation``/``test``. ``text`` = ``post``, ``target`` = ``new_topic`` (the
    crowd-corrected topic; ``topic_str`` when absent), ``speaker`` = ``author``, ``label`` from
    0=con -> AGAINST, 1=pro -> FAVOR, 2=neutral -> NONE. Extra int columns, kept when present in
    any split (``-1`` where a split lacks them): ``seen`` (1 = few-shot topic, 0 = zero-shot),
    ``is_sarc``, ``is_imp``, ``qte``, ``contains_topic``, ``type_idx``.

    >>> ds = load_vast("/data")                     # doctest: +SKIP
    >>> ds["test"].filter(lambda r: r["seen"] == 0)  # zero-shot test topics  # doctest: +SKIP
    """
    folder = VAST.locate(data_dir)
    loaded = {}
    for split, name in _VAST_FILES.items():
        header, rows = VAST.read(folder, name, ("post", "label"), single_line=_VAST_SINGLE_LINE)
        if "new_topic" not in header and "topic_str" not in header:
            require_columns(folder / name, header, ("new_topic",), "VAST needs a 'new_topic' or 'topic_str' column.")
        loaded[split] = (header, rows)
    extras = [out for out, sources in _VAST_EXTRAS.items()
              if any(src in header for header, _ in loaded.values() for src in sources)]
    splits = {}
    for split, (header, rows) in loaded.items():
        topic_col = "new_topic" if "new_topic" in header else "topic_str"
        id_col = next((c for c in ("new_id", "ori_id") if c in header), None)
        builder = _Builder("vast", {name: "int64" for name in extras})
        for row in rows:
            rec, where = row.values, row.where
            label = _VAST_LABELS.get(_label_key(rec["label"]))
            if label is None:
                raise _label_error(rec["label"], where, ("0 (con)", "1 (pro)", "2 (neutral)"), builtin=True)
            row_extras = {}
            for out in extras:
                src = next((s for s in _VAST_EXTRAS[out] if s in header), None)
                row_extras[out] = -1 if src is None else _to_int(rec[src], where, src, default=-1)
            rid = rec[id_col].strip() if id_col and rec[id_col].strip() else str(row.number)
            builder.add(
                where,
                id=f"vast:{split}:{rid}",
                text=rec["post"],
                target=rec[topic_col].strip() or rec.get("topic_str", "").strip(),
                label=label,
                speaker=rec.get("author", ""),
                **row_extras,
            )
        splits[split] = builder.build()
    return _dataset_dict(splits)


VAST = DatasetInfo(
    name="vast", title="VAST", loader=load_vast, dev_split="validation", folders=("vast", "VAST"),
    files=tuple(_VAST_FILES.values()),
    description="VAST: zero-/few-shot stance of NYT comments toward thousands of varied topics.",
    citation=("Allaway, E., McKeown, K. Zero-Shot Stance Detection: A Dataset and Model using Generalized "
              "Topic Representations. EMNLP 2020."),
    license_note="See github.com/emilyallaway/zero-shot-stance; cite the paper. Research use.",
)

# --------------------------------------------------------------------------------------------------
# Perspectrum (perspectives that support or undermine claims)
# --------------------------------------------------------------------------------------------------

_PERSPECTRUM_FILES = ("perspectrum_with_answers_v1.0.json", "perspective_pool_v1.0.json", "dataset_split_v1.0.json")
_PERSPECTRUM_LABELS = {"SUPPORT": "FAVOR", "UNDERMINE": "AGAINST"}
_PERSPECTRUM_SPLITS = {"train": "train", "dev": "validation", "test": "test"}


def _read_json_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # also UnicodeDecodeError
        raise DataError(f"{path} is not valid JSON ({json_problem(exc)}); re-download Perspectrum.") from None


def load_perspectrum(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load Perspectrum (Chen et al., 2019): perspectives that support or undermine a claim.

    One row per (claim, perspective) (a perspective listed twice for one claim counts once): ``target`` = the claim ("Vaccination must be made
    compulsory"), ``text`` = the perspective, ``label`` SUPPORT -> FAVOR, UNDERMINE -> AGAINST (no
    NONE class). Splits follow the dataset's claim split (``train``/``validation``/``test``: 541 /
    139 / 227 claims), so validation and test claims never appear in train -- a check on **unseen
    targets**. Extra int column ``claim_id``.

    >>> ds = load_perspectrum("/data")     # doctest: +SKIP
    >>> ds["validation"].num_rows          # doctest: +SKIP
    2071
    """
    folder = PERSPECTRUM.locate(data_dir)
    claims_path, pool_path, split_path = (PERSPECTRUM.require(folder, f) for f in _PERSPECTRUM_FILES)
    claims = _read_json_document(claims_path)
    pool = _read_json_document(pool_path)
    split_of = _read_json_document(split_path)
    if not (isinstance(claims, list) and isinstance(pool, list) and isinstance(split_of, dict)):
        raise DataError(f"{folder}: unexpected Perspectrum layout (claims and pool should be lists, the split a dict).")
    texts = {_to_int(p["pId"], f"{pool_path.name}, perspective {i}", "pId"): p["text"]
             for i, p in enumerate(pool) if isinstance(p, dict) and "pId" in p and "text" in p}
    builders = {name: _Builder("perspectrum", {"claim_id": "int64"}) for name in _PERSPECTRUM_SPLITS.values()}
    seen: set[tuple[int, int]] = set()  # a few perspectives sit in two clusters of one claim: keep one row
    for c, claim in enumerate(claims):
        where = f"{claims_path.name}, claim {c}"
        if not isinstance(claim, dict) or not {"cId", "text", "perspectives"} <= set(claim):
            raise DataError(f"{where}: needs cId, text and perspectives.")
        if not isinstance(claim["perspectives"], list):
            raise DataError(f"{where}: 'perspectives' should be a list of clusters, got "
                            f"{type(claim['perspectives']).__name__}.")
        claim_id = _to_int(claim["cId"], where, "cId")
        split = _PERSPECTRUM_SPLITS.get(str(split_of.get(str(claim["cId"]), "")))
        if split is None:
            continue  # a claim outside the official split
        for k, cluster in enumerate(claim["perspectives"]):
            if not isinstance(cluster, dict) or not isinstance(cluster.get("pids", []), list):
                raise DataError(f"{where}, cluster {k}: expected an object with a 'pids' list.")
            raw = cluster.get("stance_label_3")
            if not isinstance(raw, str) or raw not in _PERSPECTRUM_LABELS:
                raise _label_error(raw, f"{where}, cluster {k}", tuple(_PERSPECTRUM_LABELS), builtin=True)
            for pid in cluster.get("pids", []):
                if not isinstance(pid, int) or pid not in texts:
                    raise DataError(f"{where}: perspective {pid!r} is not in {pool_path.name}.")
                if (claim_id, pid) in seen:
                    continue
                seen.add((claim_id, pid))
                builders[split].add(f"{where}, perspective {pid}", id=f"perspectrum:{claim_id}:{pid}",
                                    text=texts[int(pid)], target=claim["text"],
                                    label=_PERSPECTRUM_LABELS[raw], claim_id=claim_id)
    return _dataset_dict({name: b.build() for name, b in builders.items()})


PERSPECTRUM = DatasetInfo(
    name="perspectrum", title="Perspectrum", loader=load_perspectrum, labels=STANCE2, dev_split="validation",
    folders=("perspectrum", "Perspectrum"), files=_PERSPECTRUM_FILES,
    description=("Perspectrum: perspectives supporting/undermining 907 debate claims; split by claim, "
                 "so validation/test claims are unseen targets (SUPPORT/UNDERMINE only)."),
    citation=("Chen, S., Khashabi, D., Yin, W., Callison-Burch, C., Roth, D. Seeing Things from a "
              "Different Angle: Discovering Diverse Perspectives about Claims. NAACL 2019."),
    license_note="CC BY-SA 4.0 (license.txt); cite the paper.",
)
