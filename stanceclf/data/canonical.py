"""Rows into the canonical schema: field and label checks, the row builder, and :func:`load_table`.

Every dataset loader, and :func:`load_table` for your own files, passes each row through
:class:`_Builder`, which refuses what the schema cannot hold (empty text or target, objects where a
string belongs, lone surrogates, integers over 64 bits) with a :class:`DataError` naming the row.

>>> ds = load_table("tweets.csv", target="Vaccines", label_map={"yes": "FAVOR", "no": "AGAINST"})  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..errors import DataError
from ..types import Stance
from .schema import CANONICAL_COLUMNS, canonical_features
from .tables import Row, read_table, require_columns

if TYPE_CHECKING:  # pragma: no cover
    from datasets import Dataset, DatasetDict

__all__ = ["load_table"]


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



def _table_rows(source: Any, desc: str | None = None) -> tuple[str, list[str], list[Row]]:
    """Return (description, columns, rows) for a table file or a :class:`datasets.Dataset`."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise DataError(
                f"File not found: {path}. Pass the path of an existing CSV, TSV or JSONL file "
                f"(relative paths are resolved from {Path.cwd()})."
            )
        return (str(path), *read_table(path))
    from datasets import Dataset

    if isinstance(source, Dataset):
        desc = desc or f"<Dataset with {source.num_rows} rows>"
        columns = list(source.column_names)
        data = source.to_dict()
        rows = [Row(desc, i, {c: data[c][i - 1] for c in columns}) for i in range(1, source.num_rows + 1)]
        return desc, columns, rows
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
        desc, columns, rows = _table_rows(part, dd_desc)
        need_target = target_column if target is None else None
        hint = (
            "Name your columns with text_column=..., target_column=..., label_column=... (or pass "
            "target=... for one fixed target for every row, label_column=None for unlabelled data)."
        )
        require_columns(desc, columns, (text_column, need_target, label_column, id_column, context_column,
                                        speaker_column), hint)
        builder = _Builder(name)
        seen_ids: set[str] = set()
        for i, row in enumerate(rows, start=1):
            where, rec = row.where, row.values
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

