"""Loaders that turn stance datasets into :class:`datasets.DatasetDict` objects in the canonical schema.

Every loader reads from a *data directory*: either the root that holds one folder per dataset
(``semeval2016_task6/``, ``pstance/``, ``fnc1/``, ``newsmtsc/``, ``persent/``, ``vast/``) or the
dataset's own folder. When ``data_dir`` is not given, the ``STANCECLF_DATA`` environment variable
is used; there is no silent default.

>>> from stanceclf.data import load_dataset          # doctest: +SKIP
>>> ds = load_dataset("semeval2016", data_dir="/data")  # doctest: +SKIP
>>> ds["train"][0]["label"]                          # doctest: +SKIP
'AGAINST'

Every problem with the input (missing file or column, unknown label, empty text, broken quoting,
bytes that are not UTF-8, a lone surrogate escape in JSON) raises
:class:`~stanceclf.errors.DataError` naming the file and row.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from ..errors import DataError, UnknownNameError, suggest
from ..types import Stance
from .schema import CANONICAL_COLUMNS, FNC_LABELS, STANCE2, STANCE3, canonical_features

if TYPE_CHECKING:  # pragma: no cover
    from datasets import Dataset, DatasetDict

__all__ = [
    "ENV_VAR",
    "DatasetInfo",
    "DATASETS",
    "resolve_data_dir",
    "load_semeval2016",
    "load_pstance",
    "load_fnc1",
    "load_newsmtsc",
    "load_persent",
    "load_vast",
    "load_table",
    "load_dataset",
    "get_dataset_info",
    "available_datasets",
]

#: Environment variable read when no ``data_dir`` is passed.
ENV_VAR = "STANCECLF_DATA"

_DATA_DIR_HINT = f"Pass --data-dir (data_dir=...) or set the {ENV_VAR} environment variable"


# --------------------------------------------------------------------------------------------------
# Data directory resolution
# --------------------------------------------------------------------------------------------------


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """Return the data directory: ``data_dir`` if given, else ``$STANCECLF_DATA``.

    Raises :class:`DataError` when neither is set or the directory does not exist.

    >>> resolve_data_dir("/data")  # doctest: +SKIP
    PosixPath('/data')
    """
    if data_dir is not None and str(data_dir).strip():
        path, origin = Path(data_dir).expanduser(), "data_dir"
    else:
        env = os.environ.get(ENV_VAR, "").strip()
        if not env:
            raise DataError(
                "No data directory given. Pass --data-dir (data_dir=...) pointing to the folder that "
                f"holds the datasets (e.g. semeval2016_task6/, pstance/), or set the {ENV_VAR} "
                "environment variable."
            )
        path, origin = Path(env).expanduser(), f"${ENV_VAR}"
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError):  # a name the system cannot hold (too long, NUL byte)
        is_dir = False
    if not is_dir:
        raise DataError(
            f"Data directory {path} (from {origin}) does not exist or is not a directory. "
            f"{_DATA_DIR_HINT} to point at the folder that holds the datasets."
        )
    return path


def _locate(data_dir: str | os.PathLike[str] | None, folders: Sequence[str], files: Sequence[str]) -> Path:
    """Find the dataset folder: ``<root>/<folder>`` or ``<root>`` itself, whichever holds the files."""
    root = resolve_data_dir(data_dir)
    for candidate in [root / f for f in folders] + [root]:
        if any((candidate / name).is_file() for name in files):
            return candidate
    return root / folders[0]  # nothing found: the missing-file error will name this path


def _require_file(path: Path, label: str, folder: str) -> Path:
    if not path.is_file():
        raise DataError(
            f"{label} file not found: {path}. Put the {label} files in <data dir>/{folder}/ (or pass "
            f"that folder itself as the data directory). {_DATA_DIR_HINT}."
        )
    return path


# --------------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------------

_Record = tuple[str, dict[str, Any]]  # (location for messages, field -> value)


def _set_csv_limit() -> None:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _read_csv(path: Path, delimiter: str = ",", single_line: Iterable[str] = ()) -> tuple[list[str], list[_Record]]:
    """Read a CSV/TSV with a header (RFC-4180 quoting, multi-line fields) as UTF-8 records.

    Quoting is checked strictly, so an unclosed quote cannot silently swallow the rows after it: a
    quote that ends inside a field, a file that ends inside a quoted field, or a newline in one of
    the ``single_line`` columns (labels, ids, ... where the format has none) raises
    :class:`DataError` naming the line where the broken row starts.
    """
    _set_csv_limit()
    records: list[_Record] = []
    start = 1  # first line of the row being read
    quoting = ("a quoted field must end with a quote followed by the delimiter or the line end, and a quote "
               'inside it is written twice (""); check the quotes on that line')
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            header = next(reader, None)
            if header is None:
                raise DataError(f"{path} is empty; expected a header row followed by data rows.")
            header = [h.strip() for h in header]
            if header:
                header[0] = header[0].lstrip("\ufeff")
            if any("\n" in h or "\r" in h for h in header):
                raise DataError(f"{path}: the header row runs over several lines (lines 1-{reader.line_num}); "
                                f"{quoting}.")
            checked = [c for c in dict.fromkeys(single_line) if c in header]
            row = 0
            while True:
                start = reader.line_num + 1
                fields = next(reader, None)
                if fields is None:
                    break
                line = reader.line_num
                if not fields or all(not f.strip() for f in fields):
                    continue
                row += 1
                where = f"{path}, row {row} (line {start})"
                if len(fields) != len(header):
                    lines = f" (lines {start}-{line}: an unclosed quote?)" if line > start else ""
                    raise DataError(
                        f"{where} has {len(fields)} fields but the header has {len(header)}{lines} "
                        f"({', '.join(header)}). Check the quoting and the delimiter ({delimiter!r})."
                    )
                rec = dict(zip(header, fields))
                broken = next((c for c in checked if "\n" in rec[c] or "\r" in rec[c]), None)
                if broken is not None:
                    raise DataError(
                        f"{where}: column {broken!r} runs over lines {start}-{line}, which it never does in this "
                        f"format: an unclosed quote at line {start} probably swallowed the rows after it; {quoting}."
                    )
                records.append((where, rec))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid UTF-8 ({exc}); re-save it as UTF-8.") from None
    except csv.Error as exc:
        raise DataError(f"Cannot parse {path} as CSV: the row starting at line {start} is broken ({exc}); "
                        f"{quoting}.") from None
    return header, records


def _read_jsonl(path: Path) -> tuple[list[str], list[_Record]]:
    """Read JSON lines (one object per line); the columns are the union of the keys."""
    columns: dict[str, None] = {}
    records: list[_Record] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                where = f"{path}, line {lineno} (row {len(records) + 1})"
                try:
                    obj = json.loads(raw)
                except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number, deep nesting
                    raise DataError(f"{where} is not valid JSON: {_json_problem(exc)}.") from None
                if not isinstance(obj, dict):
                    raise DataError(f"{where} holds a JSON {type(obj).__name__}, expected an object.")
                columns.update(dict.fromkeys(obj))
                records.append((where, obj))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid UTF-8 ({exc}); re-save it as UTF-8.") from None
    return list(columns), records


def _json_problem(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    return str(exc)


def _read_json(path: Path) -> tuple[list[str], list[_Record]]:
    """Read a ``.json`` file: a list of objects, a dict of column lists, or JSON lines."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return _read_jsonl(path)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid UTF-8 ({exc}); re-save it as UTF-8.") from None
    except (ValueError, RecursionError) as exc:
        raise DataError(f"{path} is not valid JSON: {_json_problem(exc)}.") from None
    if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
        lengths = {len(v) for v in data.values()}
        if len(lengths) != 1:
            raise DataError(f"{path}: the column lists have different lengths {sorted(lengths)}.")
        data = [dict(zip(data, values)) for values in zip(*data.values())]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{path}: expected a JSON list of objects (or JSON lines, one object per line).")
    columns: dict[str, None] = {}
    for rec in data:
        columns.update(dict.fromkeys(rec))
    return list(columns), [(f"{path}, row {i}", rec) for i, rec in enumerate(data, start=1)]


def _require_columns(source: object, found: Sequence[str], required: Iterable[str | None], hint: str = "") -> None:
    missing = [c for c in required if c is not None and c not in found]
    if missing:
        raise DataError(
            f"{source} is missing column(s) {', '.join(repr(c) for c in missing)}; found columns: "
            f"{', '.join(repr(c) for c in found) or '(none)'}.{(' ' + hint) if hint else ''}"
        )


def _decode_line(raw: bytes) -> str:
    """Decode one line as UTF-8, falling back to cp1252 (then latin-1, which never fails)."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _read_tsv_lines(path: Path) -> tuple[list[str], list[_Record]]:
    """Read an unquoted TSV (``csv.QUOTE_NONE`` semantics) line by line with per-line decoding."""
    lines = path.read_bytes().split(b"\n")
    if not lines or not lines[0].strip():
        raise DataError(f"{path} is empty; expected a header row followed by data rows.")
    header = [h.strip() for h in _decode_line(lines[0].rstrip(b"\r")).lstrip("\ufeff").split("\t")]
    records: list[_Record] = []
    for lineno, raw in enumerate(lines[1:], start=2):
        text = _decode_line(raw.rstrip(b"\r"))
        if not text.strip():
            continue
        fields = text.split("\t")
        where = f"{path}, line {lineno} (row {len(records) + 1})"
        if len(fields) != len(header):
            raise DataError(
                f"{where} has {len(fields)} tab-separated fields but the header has {len(header)} "
                f"({', '.join(header)})."
            )
        records.append((where, dict(zip(header, fields))))
    return header, records


# --------------------------------------------------------------------------------------------------
# Building canonical datasets
# --------------------------------------------------------------------------------------------------


def _as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas-made Datasets
        return ""
    return value if isinstance(value, str) else str(value)


_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64 = (-(2**63), 2**63 - 1)


def _field(value: Any, where: str, column: str) -> str:
    """A string field of a row: text, target, ... (numbers become strings; objects and lists are refused)."""
    if isinstance(value, (dict, list, tuple, set)):
        raise DataError(f"Column {column!r} in {where} should hold a string, got a {type(value).__name__}: "
                        f"{str(value)[:80]}.")
    text = _as_str(value)
    if _SURROGATE.search(text):
        raise DataError(f"Column {column!r} in {where} holds a lone surrogate (a JSON escape such as "
                        "'\\ud800' without its pair), which is not valid text; fix or remove the row.")
    return text


class _Builder:
    """Collects validated rows column by column and builds a :class:`datasets.Dataset`."""

    def __init__(self, dataset: str, extra: Mapping[str, str] | None = None) -> None:
        self.dataset = dataset
        self.extra = dict(extra or {})
        self.columns: dict[str, list[Any]] = {c: [] for c in (*CANONICAL_COLUMNS, *self.extra)}

    def add(
        self,
        where: str,
        *,
        id: str,
        text: Any,
        target: Any,
        label: str,
        context: Any = "",
        speaker: Any = "",
        **extra: Any,
    ) -> None:
        text, target = _field(text, where, "text"), _field(target, where, "target")
        if not text.strip():
            raise DataError(f"Empty text in {where}. Every row needs a non-empty text; remove or fix the row.")
        if not target.strip():
            raise DataError(
                f"Empty target in {where}. Every row needs a non-empty target (for a file without a "
                "target column, pass target=... to load_table)."
            )
        for name, value in extra.items():
            dtype = self.extra.get(name, "string")
            if dtype == "int64":
                extra[name] = _to_int(value, where, name)
            elif dtype == "bool":
                extra[name] = bool(value)
            else:
                extra[name] = _field(value, where, name)
        row = {"id": _field(id, where, "id"), "text": text, "target": target, "label": _field(label, where, "label"),
               "context": _field(context, where, "context"), "speaker": _field(speaker, where, "speaker"),
               "dataset": self.dataset, **extra}
        for name, values in self.columns.items():
            values.append(row.get(name))

    def build(self) -> "Dataset":
        from datasets import Dataset

        return Dataset.from_dict(self.columns, features=canonical_features(self.extra))


def _dataset_dict(splits: Mapping[str, "Dataset"]) -> "DatasetDict":
    from datasets import DatasetDict

    return DatasetDict(dict(splits))


def _label_error(raw: Any, where: str, allowed: Iterable[str], builtin: bool) -> DataError:
    how = (
        "If your copy uses other label names, load it with stanceclf.data.load_table(..., "
        "label_map=...) instead."
        if builtin
        else f"Pass label_map=... to map the raw labels, e.g. label_map={{{raw!r}: 'FAVOR'}}."
    )
    return DataError(f"Unknown label {raw!r} in {where}. Allowed labels: {', '.join(allowed)}. {how}")


def _check_label(raw: Any, allowed: Sequence[str], where: str, *, upper: bool = True) -> str:
    label = _as_str(raw).strip()
    label = label.upper() if upper else label.lower()
    if label not in allowed:
        raise _label_error(raw, where, allowed, builtin=True)
    return label


def _label_key(raw: Any) -> str:
    """Normalise a raw label for ``label_map`` lookup (``1``, ``1.0`` and ``"1"`` are the same)."""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = _as_str(raw).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _to_int(value: Any, where: str, column: str, default: int | None = None) -> int:
    if isinstance(value, bool):
        return int(value)
    number: Any = None
    if isinstance(value, int):
        number = value
    elif not isinstance(value, (dict, list, tuple, set)):
        text = _as_str(value).strip()
        if not text and default is not None:
            return default
        try:
            as_float = float(text)
            if as_float.is_integer():
                number = int(as_float)
        except (ValueError, OverflowError):
            pass
    if number is not None and _INT64[0] <= number <= _INT64[1]:
        return number
    shown = repr(value) if len(repr(value)) < 80 else repr(value)[:77] + "..."
    raise DataError(f"Column {column!r} in {where} should hold an integer (64-bit), got {shown}.")


# --------------------------------------------------------------------------------------------------
# SemEval-2016 Task 6
# --------------------------------------------------------------------------------------------------

_SEMEVAL_FOLDERS = ("semeval2016_task6", "semeval2016")
_SEMEVAL_FILES = {
    "train": "trainingdata-all-annotations.txt",
    "trial": "trialdata-all-annotations.txt",
    "test": "testdata-taskA-all-annotations.txt",
    "test_b": "testdata-taskB-all-annotations.txt",
}
_SEMEVAL_COLUMNS = ("ID", "Target", "Tweet", "Stance", "Opinion towards", "Sentiment")


def _semeval_rows(path: Path, builder: _Builder) -> None:
    header, records = _read_tsv_lines(path)
    _require_columns(path, header, ("ID", "Target", "Tweet", "Stance"))
    for where, rec in records:
        builder.add(
            where,
            id=f"{builder.dataset}:{rec['ID'].strip()}",
            text=rec["Tweet"],
            target=rec["Target"].strip(),
            label=_check_label(rec["Stance"], STANCE3, where),
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
    if task_key not in ("A", "B"):
        raise DataError(f"Unknown SemEval-2016 task {task!r}; use task='A' (five targets) or task='B' (Trump).")
    keys = ("train", "trial", "test") if task_key == "A" else ("test_b",)
    folder = _locate(data_dir, _SEMEVAL_FOLDERS, [_SEMEVAL_FILES[k] for k in keys])
    paths = {k: _require_file(folder / _SEMEVAL_FILES[k], "SemEval-2016 Task 6", _SEMEVAL_FOLDERS[0]) for k in keys}
    extra = {"opinion_towards": "string", "sentiment": "string"}
    if task_key == "B":
        test = _Builder("semeval2016_taskb", extra)
        _semeval_rows(paths["test_b"], test)
        return _dataset_dict({"test": test.build()})
    train, test = _Builder("semeval2016", extra), _Builder("semeval2016", extra)
    _semeval_rows(paths["train"], train)
    _semeval_rows(paths["trial"], train)
    _semeval_rows(paths["test"], test)
    return _dataset_dict({"train": train.build(), "test": test.build()})


# --------------------------------------------------------------------------------------------------
# P-Stance
# --------------------------------------------------------------------------------------------------

_PSTANCE_TARGETS = ("trump", "biden", "bernie")
_PSTANCE_ALIASES = {
    "trump": "trump", "donald trump": "trump", "donald": "trump", "donaldtrump": "trump",
    "biden": "biden", "joe biden": "biden", "joe": "biden", "joebiden": "biden",
    "bernie": "bernie", "sanders": "bernie", "bernie sanders": "bernie", "berniesanders": "bernie",
}
_PSTANCE_SPLITS = {"train": "train", "validation": "val", "test": "test"}


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
    names = {(s, t): f"raw_{f}_{t}.csv" for s, f in _PSTANCE_SPLITS.items() for t in chosen}
    folder = _locate(data_dir, ("pstance", "PStance", "p-stance"), list(names.values()))
    splits = {}
    for split in _PSTANCE_SPLITS:
        builder = _Builder("pstance")
        for t in chosen:
            path = _require_file(folder / names[(split, t)], "P-Stance", "pstance")
            header, records = _read_csv(path, single_line=("Tweet", "Target", "Stance"))
            _require_columns(path, header, ("Tweet", "Target", "Stance"))
            for i, (where, rec) in enumerate(records, start=1):
                builder.add(
                    where,
                    id=f"pstance:{split}:{t}:{i}",
                    text=rec["Tweet"],
                    target=rec["Target"].strip(),
                    label=_check_label(rec["Stance"], STANCE2, where),
                )
        splits[split] = builder.build()
    return _dataset_dict(splits)


# --------------------------------------------------------------------------------------------------
# FNC-1
# --------------------------------------------------------------------------------------------------

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
    folder = _locate(data_dir, ("fnc1", "fnc-1", "FNC-1"), [f for pair in _FNC_FILES.values() for f in pair])
    splits = {}
    for split, (stances_name, bodies_name) in _FNC_FILES.items():
        stances_path = _require_file(folder / stances_name, "FNC-1", "fnc1")
        bodies_path = _require_file(folder / bodies_name, "FNC-1", "fnc1")
        header, body_records = _read_csv(bodies_path, single_line=("Body ID",))
        _require_columns(bodies_path, header, ("Body ID", "articleBody"))
        bodies: dict[int, str] = {}
        for where, rec in body_records:
            bodies[_to_int(rec["Body ID"], where, "Body ID")] = rec["articleBody"]
        header, records = _read_csv(stances_path, single_line=("Body ID", "Stance"))
        _require_columns(stances_path, header, ("Headline", "Body ID", "Stance"))
        builder = _Builder("fnc1", {"body_id": "int64"})
        for i, (where, rec) in enumerate(records, start=1):
            body_id = _to_int(rec["Body ID"], where, "Body ID")
            if body_id not in bodies:
                raise DataError(
                    f"Body ID {body_id} in {where} has no article body in {bodies_path}. "
                    "Use the bodies file that belongs to this stances file."
                )
            builder.add(
                where,
                id=f"fnc1:{split}:{i}",
                text=bodies[body_id],
                target=rec["Headline"],
                label=_check_label(rec["Stance"], FNC_LABELS, where, upper=False),
                body_id=body_id,
            )
        splits[split] = builder.build()
    return _dataset_dict(splits)


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
    names = {s: f"{s}.jsonl" for s in _NEWSMTSC_SPLITS}
    folder = _locate(data_dir, ("newsmtsc", "NewsMTSC", "NewsMTSC-dataset"), list(names.values()))
    splits = {}
    for split, name in names.items():
        path = _require_file(folder / name, "NewsMTSC", "newsmtsc")
        columns, records = _read_jsonl(path)
        _require_columns(path, columns, ("sentence_normalized", "targets"))
        builder = _Builder("newsmtsc", {"target_start": "int64", "target_end": "int64"})
        for i, (where, rec) in enumerate(records, start=1):
            targets = rec.get("targets")
            if not isinstance(targets, list) or not targets:
                raise DataError(f"{where}: 'targets' should be a non-empty list of target objects.")
            for k, tgt in enumerate(targets):
                twhere = f"{where}, target {k}"
                if not isinstance(tgt, dict):
                    raise DataError(f"{twhere} is not an object.")
                _require_columns(twhere, list(tgt), ("from", "to", "mention", "polarity"))
                try:
                    polarity = float(tgt["polarity"])
                except (TypeError, ValueError):
                    polarity = None
                if polarity not in _NEWSMTSC_POLARITY:
                    raise _label_error(tgt["polarity"], twhere, ("2.0", "4.0", "6.0"), builtin=True)
                builder.add(
                    twhere,
                    id=f"newsmtsc:{split}:{i}:{k}",
                    text=rec.get("sentence_normalized"),
                    target=tgt["mention"],
                    label=_NEWSMTSC_POLARITY[polarity],
                    target_start=_to_int(tgt["from"], twhere, "from"),
                    target_end=_to_int(tgt["to"], twhere, "to"),
                )
        splits[split] = builder.build()
    return _dataset_dict(splits)


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
    folder = _locate(data_dir, ("persent", "PerSenT"), list(_PERSENT_FILES.values()))
    splits = {}
    for split, name in _PERSENT_FILES.items():
        path = _require_file(folder / name, "PerSenT", "persent")
        header, records = _read_csv(path, single_line=("DOCUMENT_INDEX", "TARGET_ENTITY", "TRUE_SENTIMENT"))
        _require_columns(path, header, ("DOCUMENT_INDEX", "TARGET_ENTITY", "DOCUMENT", "TRUE_SENTIMENT"))
        builder = _Builder("persent", {"title": "string"})
        for where, rec in records:
            raw = rec["TRUE_SENTIMENT"]
            label = _PERSENT_LABELS.get(raw.strip().lower())
            if label is None:
                raise _label_error(raw, where, ("Positive", "Neutral", "Negative"), builtin=True)
            builder.add(
                where,
                id=f"persent:{split}:{rec['DOCUMENT_INDEX'].strip()}",
                text=rec["DOCUMENT"],
                target=rec["TARGET_ENTITY"].strip(),
                label=label,
                title=rec.get("TITLE", ""),
            )
        splits[split] = builder.build()
    return _dataset_dict(splits)


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
    folder = _locate(data_dir, ("vast", "VAST"), list(_VAST_FILES.values()))
    loaded = {}
    for split, name in _VAST_FILES.items():
        path = _require_file(folder / name, "VAST", "vast")
        header, records = _read_csv(path, single_line=("label", "new_id", "ori_id", "new_topic", "topic_str",
                                                       *(c for cols in _VAST_EXTRAS.values() for c in cols)))
        _require_columns(path, header, ("post", "label"))
        if "new_topic" not in header and "topic_str" not in header:
            _require_columns(path, header, ("new_topic",), "VAST needs a 'new_topic' or 'topic_str' column.")
        loaded[split] = (path, header, records)
    extras = [
        out
        for out, sources in _VAST_EXTRAS.items()
        if any(src in header for _, header, _ in loaded.values() for src in sources)
    ]
    splits = {}
    for split, (path, header, records) in loaded.items():
        topic_col = "new_topic" if "new_topic" in header else "topic_str"
        id_col = next((c for c in ("new_id", "ori_id") if c in header), None)
        builder = _Builder("vast", {name: "int64" for name in extras})
        for i, (where, rec) in enumerate(records, start=1):
            key = _label_key(rec["label"])
            label = _VAST_LABELS.get(key)
            if label is None:
                raise _label_error(rec["label"], where, ("0 (con)", "1 (pro)", "2 (neutral)"), builtin=True)
            row_extras = {}
            for out, sources in _VAST_EXTRAS.items():
                if out not in extras:
                    continue
                src = next((s for s in sources if s in header), None)
                row_extras[out] = -1 if src is None else _to_int(rec[src], where, src, default=-1)
            rid = rec[id_col].strip() if id_col and rec[id_col].strip() else str(i)
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
    folder = _locate(data_dir, ("dse", "DSE"), list(_DSE_FILES.values()))
    splits = {}
    for split, name in _DSE_FILES.items():
        path = _require_file(folder / name, "DSE", "dse")
        builder = _Builder("dse", {"direction": "string"})
        with path.open("rb") as fh:
            for lineno, raw_line in enumerate(fh, start=1):
                line = _decode_line(raw_line)
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                for direction, (sentence, speaker, target, label) in zip(("forward", "backward"),
                                                                          dse_rows(line, where)):
                    builder.add(where, id=f"dse:{split}:{lineno}:{direction}", text=sentence, target=target,
                                label=label, speaker=speaker, direction=direction)
        splits[split] = builder.build()
    return _dataset_dict(splits)


# --------------------------------------------------------------------------------------------------
# Perspectrum (perspectives that support or undermine claims)
# --------------------------------------------------------------------------------------------------

_PERSPECTRUM_FILES = ("perspectrum_with_answers_v1.0.json", "perspective_pool_v1.0.json", "dataset_split_v1.0.json")
_PERSPECTRUM_LABELS = {"SUPPORT": "FAVOR", "UNDERMINE": "AGAINST"}
_PERSPECTRUM_SPLITS = {"train": "train", "dev": "validation", "test": "test"}


def _read_json_file(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # also UnicodeDecodeError
        raise DataError(f"{path} is not valid JSON ({_json_problem(exc)}); re-download {what}.") from None


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
    folder = _locate(data_dir, ("perspectrum", "Perspectrum"), _PERSPECTRUM_FILES)
    claims_path, pool_path, split_path = (_require_file(folder / f, "Perspectrum", "perspectrum")
                                          for f in _PERSPECTRUM_FILES)
    claims = _read_json_file(claims_path, "Perspectrum")
    pool = _read_json_file(pool_path, "Perspectrum")
    split_of = _read_json_file(split_path, "Perspectrum")
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


# --------------------------------------------------------------------------------------------------
# Generic tables
# --------------------------------------------------------------------------------------------------


def _table_records(source: Any, desc: str | None = None) -> tuple[str, list[str], list[_Record]]:
    """Return (description, columns, records) for a path or a :class:`datasets.Dataset`."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise DataError(
                f"File not found: {path}. Pass the path of an existing CSV, TSV or JSONL file "
                f"(relative paths are resolved from {Path.cwd()})."
            )
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return (str(path), *_read_csv(path, ","))
        if suffix in (".tsv", ".tab"):
            return (str(path), *_read_csv(path, "\t"))
        if suffix in (".jsonl", ".ndjson"):
            return (str(path), *_read_jsonl(path))
        if suffix == ".json":
            return (str(path), *_read_json(path))
        raise DataError(f"Cannot tell the format of {path} from its suffix; use .csv, .tsv, .jsonl or .json.")
    from datasets import Dataset

    if isinstance(source, Dataset):
        desc = desc or f"<Dataset with {source.num_rows} rows>"
        columns = list(source.column_names)
        data = source.to_dict()
        records = [
            (f"{desc}, row {i}", {c: data[c][i - 1] for c in columns}) for i in range(1, source.num_rows + 1)
        ]
        return desc, columns, records
    raise DataError(
        f"load_table cannot read a {type(source).__name__}; pass a CSV/TSV/JSONL path, a datasets.Dataset "
        "or a datasets.DatasetDict."
    )


def load_table(
    source: str | os.PathLike[str] | "Dataset" | "DatasetDict",
    *,
    text_column: str = "text",
    target_column: str | None = "target",
    label_column: str | None = "label",
    label_map: Mapping[Any, Any] | None = None,
    target: str | None = None,
    id_column: str | None = None,
    context_column: str | None = None,
    speaker_column: str | None = None,
    split: str = "train",
    name: str = "custom",
) -> "DatasetDict":
    """Load your own CSV/TSV/JSONL file (or a ``Dataset``/``DatasetDict``) into the canonical schema.

    - ``target=`` gives one fixed target for all rows (for files without a target column).
    - ``label_map`` maps raw labels (strings or ints, e.g. ``{0: "AGAINST", 1: "FAVOR"}``) to output
      labels; without it labels are parsed with :meth:`Stance.parse` (``pro``/``con``/``neutral`` work).
    - ``label_column=None`` loads unlabelled data (``label`` is ``""``).
    - A file becomes one split named ``split``; a ``DatasetDict`` keeps its split names.

    >>> ds = load_table("tweets.csv", target="Vaccines", label_map={"yes": "FAVOR", "no": "AGAINST"})  # doctest: +SKIP
    >>> ds["train"][0]["target"]  # doctest: +SKIP
    'Vaccines'
    """
    from datasets import DatasetDict

    if isinstance(source, DatasetDict):
        parts = {s: source[s] for s in source}
    else:
        parts = {split: source}
    mapping: dict[str, str] | None = None
    mapping_ci: dict[str, str] = {}
    if label_map is not None:
        mapping = {_label_key(k): _as_str(v.value if isinstance(v, Stance) else v) for k, v in label_map.items()}
        mapping_ci = {k.lower(): v for k, v in mapping.items()}
    out = {}
    for split_name, part in parts.items():
        dd_desc = f"<DatasetDict split {split_name!r}>" if isinstance(source, DatasetDict) else None
        desc, columns, records = _table_records(part, dd_desc)
        need_target = target_column if target is None else None
        hint = (
            "Name your columns with text_column=..., target_column=..., label_column=... (or pass "
            "target=... for one fixed target for every row, label_column=None for unlabelled data)."
        )
        _require_columns(desc, columns, (text_column, need_target, label_column, id_column, context_column,
                                         speaker_column), hint)
        builder = _Builder(name)
        seen_ids: set[str] = set()
        for i, (where, rec) in enumerate(records, start=1):
            if label_column is None:
                label = ""
            else:
                raw = rec.get(label_column)
                if mapping is not None:
                    key = _label_key(raw)
                    label = mapping.get(key, mapping_ci.get(key.lower()))
                    if label is None:
                        raise _label_error(raw, where, sorted(mapping), builtin=False)
                else:
                    try:
                        label = Stance.parse(_as_str(raw)).value
                    except DataError:
                        raise _label_error(raw, where, ("FAVOR", "AGAINST", "NONE", "and synonyms such as pro/con/neutral"),
                                           builtin=False) from None
            if id_column is not None:
                rid = _as_str(rec.get(id_column)).strip()
                if not rid:
                    raise DataError(f"Empty id in column {id_column!r} at {where}.")
                if rid in seen_ids:
                    raise DataError(f"Duplicate id {rid!r} in column {id_column!r} at {where}; ids must be unique.")
                seen_ids.add(rid)
                row_id = f"{name}:{rid}"
            else:
                row_id = f"{name}:{split_name}:{i}"
            builder.add(
                where,
                id=row_id,
                text=rec.get(text_column),
                target=target if target is not None else rec.get(target_column),  # type: ignore[arg-type]
                label=label,
                context=rec.get(context_column) if context_column else "",
                speaker=rec.get(speaker_column) if speaker_column else "",
            )
        out[split_name] = builder.build()
    return _dataset_dict(out)


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetInfo:
    """What the library knows about a registered dataset.

    >>> DATASETS["semeval2016"].main_metric
    'f_avg'
    """

    name: str
    loader: Callable[..., "DatasetDict"]
    labels: tuple[str, ...]
    test_splits: tuple[str, ...]
    train_split: str | None
    dev_split: str | None
    main_metric: str
    description: str
    citation: str
    license_note: str


def _load_polnear_stance(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load polnear-stance (see :mod:`stanceclf.data.polnear_stance`)."""
    from .polnear_stance import load_polnear_stance

    return load_polnear_stance(data_dir)


def _load_semeval2016_taskb(data_dir: str | os.PathLike[str] | None = None) -> "DatasetDict":
    """Load SemEval-2016 Task 6, task B (Donald Trump, test split only)."""
    return load_semeval2016(data_dir, task="B")


_SEMEVAL_CITATION = (
    "Mohammad, S., Kiritchenko, S., Sobhani, P., Zhu, X., Cherry, C. SemEval-2016 Task 6: Detecting "
    "Stance in Tweets. SemEval-2016."
)
_SEMEVAL_LICENSE = (
    "No license in the package; NRC asks not to redistribute it "
    "(http://www.saifmohammad.com/WebPages/StanceDataset.htm). Research use only; Twitter content."
)

DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="semeval2016",
            loader=load_semeval2016,
            labels=STANCE3,
            test_splits=("test",),
            train_split="train",
            dev_split=None,
            main_metric="f_avg",
            description="SemEval-2016 Task 6A: tweets toward 5 targets (train 2,914 incl. trial / test 1,249).",
            citation=_SEMEVAL_CITATION,
            license_note=_SEMEVAL_LICENSE,
        ),
        DatasetInfo(
            name="semeval2016_taskb",
            loader=_load_semeval2016_taskb,
            labels=STANCE3,
            test_splits=("test",),
            train_split=None,
            dev_split=None,
            main_metric="f_avg",
            description="SemEval-2016 Task 6B: 707 test tweets toward Donald Trump (no labelled training data).",
            citation=_SEMEVAL_CITATION,
            license_note=_SEMEVAL_LICENSE,
        ),
        DatasetInfo(
            name="pstance",
            loader=load_pstance,
            labels=STANCE2,
            test_splits=("test",),
            train_split="train",
            dev_split="validation",
            main_metric="macro_f1",
            description="P-Stance: 21,574 political tweets toward Trump, Biden and Sanders (FAVOR/AGAINST).",
            citation=(
                "Li, Y., Sosea, T., Sawant, A., Nair, A. J., Inkpen, D., Caragea, C. P-Stance: A Large "
                "Dataset for Stance Detection in Political Domain. Findings of ACL 2021."
            ),
            license_note="Code repository MIT; no separate data terms stated. Twitter content, research use only.",
        ),
        DatasetInfo(
            name="fnc1",
            loader=load_fnc1,
            labels=FNC_LABELS,
            test_splits=("test",),
            train_split="train",
            dev_split=None,
            main_metric="fnc_score",
            description="FNC-1: headline/article-body pairs labelled agree/disagree/discuss/unrelated.",
            citation=(
                "Pomerleau, D., Rao, D. Fake News Challenge Stage 1 (FNC-1), 2017. Hanselowski et al., A "
                "Retrospective Analysis of the Fake News Challenge Stance Detection Task, COLING 2018."
            ),
            license_note="No license stated by the FNC-1 repository; derived from Emergent. Research use.",
        ),
        DatasetInfo(
            name="newsmtsc",
            loader=load_newsmtsc,
            labels=STANCE3,
            test_splits=("devtest_rw", "devtest_mt"),
            train_split="train",
            dev_split=None,
            main_metric="macro_f1",
            description=(
                "NewsMTSC: target-dependent sentiment in news sentences, used as a stance proxy "
                "(negative/neutral/positive -> AGAINST/NONE/FAVOR)."
            ),
            citation=(
                "Hamborg, F., Donnay, K. NewsMTSC: A Dataset for (Multi-)Target-dependent Sentiment "
                "Classification in Political News Articles. EACL 2021."
            ),
            license_note="Repository license MIT; the dataset readme asks to cite the paper.",
        ),
        DatasetInfo(
            name="persent",
            loader=load_persent,
            labels=STANCE3,
            test_splits=("random_test", "fixed_test"),
            train_split=None,
            dev_split="validation",
            main_metric="macro_f1",
            description=(
                "PerSenT: author sentiment toward the main person of a news article, used as a stance "
                "proxy; evaluation only (dev / random test / fixed test)."
            ),
            citation=(
                "Bastan, M., Koupaee, M., Son, Y., Sicoli, R., Balasubramanian, N. Author's Sentiment "
                "Prediction. COLING 2020."
            ),
            license_note="No license stated; news article text. Research use only.",
        ),
        DatasetInfo(
            name="dse",
            loader=load_dse,
            labels=STANCE3,
            test_splits=("validation",),
            train_split="train",
            dev_split=None,
            main_metric="macro_f1",
            description=("DSE: who endorses or blames whom in news sentences; each sentence gives two "
                         "(speaker, target) pairs (train 13,144 / validation 1,461 sentences; test held back)."),
            citation=("Park, K., Pan, Z., Joo, J. Who Blames or Endorses Whom? Entity-to-Entity Directed "
                      "Sentiment Extraction in News Text. Findings of ACL-IJCNLP 2021."),
            license_note="No licence file; the README allows use with a citation. Research use; do not redistribute.",
        ),
        DatasetInfo(
            name="perspectrum",
            loader=load_perspectrum,
            labels=STANCE2,
            test_splits=("test",),
            train_split="train",
            dev_split="validation",
            main_metric="macro_f1",
            description=("Perspectrum: perspectives supporting/undermining 907 debate claims; split by claim, "
                         "so validation/test claims are unseen targets (SUPPORT/UNDERMINE only)."),
            citation=("Chen, S., Khashabi, D., Yin, W., Callison-Burch, C., Roth, D. Seeing Things from a "
                      "Different Angle: Discovering Diverse Perspectives about Claims. NAACL 2019."),
            license_note="CC BY-SA 4.0 (license.txt); cite the paper.",
        ),
        DatasetInfo(
            name="polnear-stance",
            loader=_load_polnear_stance,
            labels=STANCE3,
            test_splits=("validation",),
            train_split="train",
            dev_split=None,
            main_metric="macro_f1",
            description=("polnear-stance: this project's stance labels on PolNeAR's gold attributions in real "
                         "political news (speaker -> article target); standoff records shipped with stanceclf, "
                         "article text read from your PolNeAR copy. Validation = PolNeAR dev articles."),
            citation=("stanceclf annotation (docs/annotation-guidelines.md) over Newell, E., Margolin, D., Ruths, D. "
                      "An attribution relations corpus for political news. LREC 2018."),
            license_note="Labels: the project's licence. Article text: PolNeAR, research use only, never copied.",
        ),
        DatasetInfo(
            name="vast",
            loader=load_vast,
            labels=STANCE3,
            test_splits=("test",),
            train_split="train",
            dev_split="validation",
            main_metric="macro_f1",
            description="VAST: zero-/few-shot stance of NYT comments toward thousands of varied topics.",
            citation=(
                "Allaway, E., McKeown, K. Zero-Shot Stance Detection: A Dataset and Model using Generalized "
                "Topic Representations. EMNLP 2020."
            ),
            license_note="See github.com/emilyallaway/zero-shot-stance; cite the paper. Research use.",
        ),
    )
}

#: Files that must exist for :func:`available_datasets` (folder names, file names).
_REQUIRED_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "semeval2016": (_SEMEVAL_FOLDERS, tuple(_SEMEVAL_FILES[k] for k in ("train", "trial", "test"))),
    "semeval2016_taskb": (_SEMEVAL_FOLDERS, (_SEMEVAL_FILES["test_b"],)),
    "pstance": (
        ("pstance", "PStance", "p-stance"),
        tuple(f"raw_{f}_{t}.csv" for f in _PSTANCE_SPLITS.values() for t in _PSTANCE_TARGETS),
    ),
    "fnc1": (("fnc1", "fnc-1", "FNC-1"), tuple(f for pair in _FNC_FILES.values() for f in pair)),
    "newsmtsc": (("newsmtsc", "NewsMTSC", "NewsMTSC-dataset"), tuple(f"{s}.jsonl" for s in _NEWSMTSC_SPLITS)),
    "persent": (("persent", "PerSenT"), tuple(_PERSENT_FILES.values())),
    "vast": (("vast", "VAST"), tuple(_VAST_FILES.values())),
    "dse": (("dse", "DSE"), tuple(_DSE_FILES.values())),
    "perspectrum": (("perspectrum", "Perspectrum"), _PERSPECTRUM_FILES),
    "polnear-stance": (("polnear", "PolNeAR"), ("metadata.tsv",)),
}

_ALIASES = {
    "semeval": "semeval2016",
    "semeval2016_task6": "semeval2016",
    "semeval2016a": "semeval2016",
    "semeval2016_taska": "semeval2016",
    "semeval2016b": "semeval2016_taskb",
    "p_stance": "pstance",
    "fnc": "fnc1",
    "fnc_1": "fnc1",
    "news_mtsc": "newsmtsc",
    "polnear_stance": "polnear-stance",
    "polnearstance": "polnear-stance",
}


def get_dataset_info(name: str) -> DatasetInfo:
    """Return the :class:`DatasetInfo` of a registered dataset (``UnknownNameError`` with a hint on typos).

    >>> get_dataset_info("pstance").dev_split
    'validation'
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in DATASETS:
        raise UnknownNameError(
            f"Unknown dataset {name!r}.{suggest(str(name), list(DATASETS))} "
            f"Registered datasets: {', '.join(DATASETS)}. For your own files use load_table()."
        )
    return DATASETS[key]


def load_dataset(name: str, data_dir: str | os.PathLike[str] | None = None, **kwargs: Any) -> "DatasetDict":
    """Load a registered dataset by name; ``kwargs`` go to its loader (e.g. ``targets=`` for P-Stance).

    >>> ds = load_dataset("pstance", "/data", targets=["biden"])  # doctest: +SKIP
    """
    return get_dataset_info(name).loader(data_dir, **kwargs)


def available_datasets(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the registered datasets whose files are all present under ``data_dir``.

    >>> available_datasets("/data")  # doctest: +SKIP
    ['semeval2016', 'semeval2016_taskb', 'pstance', 'fnc1', 'newsmtsc', 'persent']
    """
    root = resolve_data_dir(data_dir)
    found = []
    for name in DATASETS:
        folders, files = _REQUIRED_FILES[name]
        if any(all((c / f).is_file() for f in files) for c in [root / d for d in folders] + [root]):
            found.append(name)
    return found
