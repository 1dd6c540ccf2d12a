"""The one table reader: CSV, TSV, JSON lines and JSON lists, streamed row by row.

Every row comes with where it stands (file, line, row number). A row that cannot be read (broken
quoting, the wrong number of fields, bytes that are not UTF-8, a JSON line that does not parse or is
not an object) becomes a :class:`BadRow` whose message names the file and line, and reading goes on
after it. Each caller decides what a bad row means: the dataset loaders raise its
:class:`~stanceclf.errors.DataError` (:func:`read_table` does that for them), the corpus reader of
:mod:`stanceclf.analysis.corpus` turns it into an error record. Problems with the whole file (missing,
empty, a broken header) raise :class:`DataError` when the table is opened.

>>> from io import StringIO
>>> with open_table(StringIO('{"text": "hi"}\\n[1]\\n'), kind="jsonl", name="in.jsonl") as table:
...     for item in table:
...         print(item.where if isinstance(item, Row) else item.message)
in.jsonl, line 1 (row 1)
in.jsonl, line 2 (row 2) is a JSON list, not an object.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TextIO

from ..errors import DataError

__all__ = ["TABLE_KINDS", "Row", "BadRow", "NonObjectRow", "Table", "table_kind", "open_table", "read_table",
           "read_lines", "require_columns", "json_problem"]

#: File suffix -> table kind.
TABLE_KINDS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
_DELIMITERS = {"csv": ",", "tsv": "\t"}
#: bytes that are not UTF-8, as ``surrogateescape`` decoding leaves them
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_QUOTING = ("a quoted field must end with a quote followed by the delimiter or the line end, and a quote inside "
            'it is written twice (""); check the quotes on that line')


@dataclass(frozen=True)
class Row:
    """One row of a table: its values and where it stands (``line`` is ``None`` in a JSON list)."""

    source: str
    number: int
    values: dict[str, Any]
    line: int | None = None

    @property
    def where(self) -> str:
        """``"<file>, line <line> (row <number>)"``, for messages."""
        if self.line is None:
            return f"{self.source}, row {self.number}"
        return f"{self.source}, line {self.line} (row {self.number})"


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read: where it starts and a message naming the file, the line and why."""

    source: str
    line: int
    message: str

    def error(self) -> DataError:
        """The :class:`DataError` to raise for this row."""
        return DataError(self.message)


@dataclass(frozen=True)
class NonObjectRow(BadRow):
    """A JSON line that parses but holds no object (a list, a number, ...); ``value`` is what it holds."""

    value: Any = field(default=None, compare=False)


class _Lines:
    """The lines of a text stream, counted; bytes that are not UTF-8 are left escaped (and found per row)
    or, with ``legacy_encodings``, the whole line is read as cp1252 (latin-1 where that fails)."""

    def __init__(self, handle: Iterable[str], name: str, legacy_encodings: bool) -> None:
        self._handle, self.name, self.legacy, self.count = iter(handle), name, legacy_encodings, 0

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        try:
            line = next(self._handle)
        except UnicodeDecodeError:  # a stream opened elsewhere (stdin) that decodes strictly
            raise DataError(_undecodable(f"{self.name} after line {self.count}")) from None
        except OSError as exc:
            raise DataError(f"{self.name} cannot be read after line {self.count}: {exc}") from None
        self.count += 1
        if self.legacy and _UNDECODABLE.search(line):
            line = _legacy_decode(line.encode("utf-8", "surrogateescape"))
        return line


def _legacy_decode(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _undecodable(where: str) -> str:
    return f"{where} is not valid UTF-8; re-save the file as UTF-8."


def _span(first: int, last: int) -> str:
    return f"line {first}" if last <= first else f"lines {first}-{last}"


def json_problem(exc: BaseException) -> str:
    """Why ``json.loads`` failed, in a few words."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    return str(exc)  # e.g. an integer of 5,000 digits


class Table:
    """An open table: ``columns`` (the header of a CSV/TSV, else ``None``: JSON rows may differ) and,
    by iterating, its :class:`Row` and :class:`BadRow` items in file order. Close it (or use ``with``)."""

    def __init__(self, columns: list[str] | None, rows: Iterator[Row | BadRow],
                 close: Callable[[], None] = lambda: None) -> None:
        self.columns, self._rows, self._close = columns, rows, close

    def __iter__(self) -> Iterator[Row | BadRow]:
        return self._rows

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def table_kind(path: str | os.PathLike[str]) -> str:
    """``"csv"``, ``"tsv"``, ``"jsonl"`` or ``"json"`` from the file's suffix (:class:`DataError` otherwise)."""
    kind = TABLE_KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise DataError(f"Cannot tell the format of {path} from its suffix; use .csv, .tsv, .jsonl or .json.")
    return kind


def open_table(
    source: str | os.PathLike[str] | TextIO | Iterable[str],
    *,
    kind: str | None = None,
    name: str | None = None,
    single_line: Iterable[str] = (),
    quoted: bool = True,
    legacy_encodings: bool = False,
) -> Table:
    """Open a table file (or a text stream, e.g. stdin: give ``kind`` and ``name``) for streaming.

    ``kind``: csv, tsv, jsonl or json (default: from the suffix). For CSV/TSV, ``quoted=False``
    reads quotes as plain text (``csv.QUOTE_NONE``) and ``single_line`` names columns that never
    hold a line break, so a newline in one reveals an unclosed quote. ``legacy_encodings`` reads a
    line that is not UTF-8 as cp1252 (latin-1 where that fails) instead of reporting it.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        kind, name = kind or table_kind(path), name or str(path)
        if kind == "json":
            return _json_table(path)
        try:
            handle: Any = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
        except OSError as exc:
            raise DataError(f"{path} cannot be read: {exc}") from None
        close = handle.close
    elif kind in ("csv", "tsv", "jsonl"):
        handle, name, close = source, name or "<stream>", lambda: None
    else:
        raise DataError("A table read from a stream needs kind='csv', 'tsv' or 'jsonl'.")
    lines = _Lines(handle, name, legacy_encodings)
    try:
        if kind == "jsonl":
            return Table(None, _jsonl_rows(lines), close)
        if kind not in _DELIMITERS:
            raise DataError(f"Unknown table kind {kind!r}; use 'csv', 'tsv', 'jsonl' or 'json'.")
        header, rows = _delimited_rows(lines, _DELIMITERS[kind], quoted, single_line)
        return Table(header, rows, close)
    except BaseException:
        close()
        raise


def _jsonl_rows(lines: _Lines) -> Iterator[Row | BadRow]:
    number = 0
    try:
        for text in lines:
            if not text.strip():
                continue
            number += 1
            where = f"{lines.name}, line {lines.count} (row {number})"
            if _UNDECODABLE.search(text):
                yield BadRow(lines.name, lines.count, _undecodable(where))
                continue
            try:
                value = json.loads(text)
            except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number, deep nesting
                yield BadRow(lines.name, lines.count, f"{where} is not valid JSON: {json_problem(exc)}.")
                continue
            if isinstance(value, dict):
                yield Row(lines.name, number, value, lines.count)
            else:
                yield NonObjectRow(lines.name, lines.count, f"{where} is a JSON {type(value).__name__}, not an object.",
                                   value)
    except DataError as exc:
        yield BadRow(lines.name, lines.count + 1, str(exc))


def _delimited_rows(lines: _Lines, delimiter: str, quoted: bool,
                    single_line: Iterable[str]) -> tuple[list[str], Iterator[Row | BadRow]]:
    """The header of a CSV/TSV and an iterator over its rows. Quoting is read strictly, so an unclosed
    quote cannot silently swallow the rows after it; after a broken row, reading starts afresh."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    options: dict[str, Any] = {"delimiter": delimiter, "strict": True,
                               "quoting": csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE}
    name = lines.name
    try:
        header = next(csv.reader(lines, **options), None)
    except csv.Error as exc:
        raise DataError(f"Cannot parse the header of {name} ({_span(1, lines.count)}): {exc}; {_QUOTING}.") from None
    if header is None:
        raise DataError(f"{name} is empty; expected a header row followed by data rows.")
    header = [h.strip() for h in header]
    if any(_UNDECODABLE.search(h) for h in header):
        raise DataError(_undecodable(f"The header row of {name}"))
    if not any(header):
        raise DataError(f"{name}: the header row (line 1) is blank; expected the column names there.")
    if lines.count > 1:
        raise DataError(f"{name}: the header row runs over several lines ({_span(1, lines.count)}); {_QUOTING}.")
    checked = [c for c in dict.fromkeys(single_line) if c in header]

    def rows() -> Iterator[Row | BadRow]:
        reader, done, number = csv.reader(lines, **options), lines.count, 0
        while True:
            first = done + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield BadRow(name, first, f"{name}, {_span(first, lines.count)}: not valid CSV ({exc}); probably an "
                                          f"unclosed quotation mark on line {first}, so the rows there were not "
                                          f"read; {_QUOTING}.")
                reader, done = csv.reader(lines, **options), lines.count
                continue
            except DataError as exc:
                yield BadRow(name, first, str(exc))
                return
            done = lines.count
            if not any(f.strip() for f in fields):
                continue
            number += 1
            row = Row(name, number, dict(zip(header, fields)), first)
            problem = _row_problem(row, fields, header, checked, (first, lines.count), delimiter)
            yield row if problem is None else BadRow(name, first, problem)

    return header, rows()


def _row_problem(row: Row, fields: Sequence[str], header: Sequence[str], single_line: Sequence[str],
                 lines: tuple[int, int], delimiter: str) -> str | None:
    """Why a parsed CSV/TSV row (on ``lines``: first, last) cannot be used, or ``None``."""
    first, last = lines
    if any(_UNDECODABLE.search(f) for f in fields):
        return _undecodable(row.where)
    if len(fields) != len(header):
        spread = f" ({_span(first, last)}: an unclosed quote?)" if last > first else ""
        return (f"{row.where} has {len(fields)} fields but the header has {len(header)}{spread} "
                f"({', '.join(header)}). Check the quoting and the delimiter ({delimiter!r}).")
    broken = next((c for c in single_line if "\n" in row.values[c] or "\r" in row.values[c]), None)
    if broken is not None:
        return (f"{row.where}: column {broken!r} runs over {_span(first, last)}, which it never does in this "
                f"format: an unclosed quote at line {first} probably swallowed the rows after it; {_QUOTING}.")
    return None


def _json_table(path: Path) -> Table:
    """A ``.json`` file: a list of objects, an object of equally long column lists, or JSON lines."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError:
        return open_table(path, kind="jsonl")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid UTF-8 ({exc}); re-save it as UTF-8.") from None
    except (ValueError, RecursionError) as exc:
        raise DataError(f"{path} is not valid JSON: {json_problem(exc)}.") from None
    except OSError as exc:
        raise DataError(f"{path} cannot be read: {exc}") from None
    if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
        lengths = {len(v) for v in data.values()}
        if len(lengths) != 1:
            raise DataError(f"{path}: the column lists have different lengths {sorted(lengths)}.")
        data = [dict(zip(data, values)) for values in zip(*data.values())]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{path}: expected a JSON list of objects (or JSON lines, one object per line).")
    return Table(None, iter([Row(str(path), i, rec) for i, rec in enumerate(data, start=1)]))


def read_table(source: str | os.PathLike[str], **options: Any) -> tuple[list[str], list[Row]]:
    """All rows of a table file and its columns (the header, or every key in the file's order); the
    first bad row raises its :class:`DataError`. ``options`` go to :func:`open_table`."""
    with open_table(source, **options) as table:
        rows = []
        for row in table:
            if isinstance(row, BadRow):
                raise row.error()
            rows.append(row)
    columns = table.columns if table.columns is not None else list(dict.fromkeys(k for r in rows for k in r.values))
    return columns, rows


def _read_jsonl(path: Path) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """``(columns, [(where, object), ...])`` of a JSON lines file (:func:`read_table` as plain pairs)."""
    columns, rows = read_table(path, kind="jsonl")
    return columns, [(row.where, row.values) for row in rows]


def read_lines(path: Path, *, legacy_encodings: bool = False) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for each line of a text file without a header (e.g. DSE's TSV);
    bytes that are not UTF-8 raise :class:`DataError`, or with ``legacy_encodings`` read as cp1252."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        lines = _Lines(handle, str(path), legacy_encodings)
        for text in lines:
            if _UNDECODABLE.search(text):
                raise DataError(_undecodable(f"{path}, line {lines.count}"))
            yield lines.count, text


def require_columns(source: object, found: Sequence[str], required: Iterable[str | None], hint: str = "") -> None:
    """Raise :class:`DataError` naming ``source`` when a ``required`` column (``None`` = not asked) is missing."""
    missing = [c for c in required if c is not None and c not in found]
    if missing:
        raise DataError(
            f"{source} is missing column(s) {', '.join(repr(c) for c in missing)}; found columns: "
            f"{', '.join(repr(c) for c in found) or '(none)'}.{(' ' + hint) if hint else ''}"
        )
