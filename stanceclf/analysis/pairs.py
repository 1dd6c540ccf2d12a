"""Stance for every (text, target) row of a table: what ``stanceclf predict --input`` runs, on one
machine or on a Ray cluster (:func:`stanceclf.analysis.distributed.predict_ray`).

Rows are read with the one table reader (:func:`read_pair_rows`: JSONL, CSV or TSV by suffix, or JSON
lines on standard input). Every input row gives one output row, in input order: the prediction
(``row``, ``text``, ``target``, ``speaker`` when known, ``label``, ``probabilities``, ``model``), or
``{"row": N, "error": ...}`` saying why the row was skipped.

>>> pair_of_row({"text": "We must leave NATO now.", "target": "NATO"}, 1)
('We must leave NATO now.', 'NATO', '')
>>> pair_of_row({"text": "", "target": "NATO"}, 2)
"row 2: missing or empty 'text'/'target'"
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from ..errors import DataError

__all__ = ["read_pair_rows", "pair_of_row", "predict_pairs", "prediction_line"]


def read_pair_rows(source: str | os.PathLike[str], *, stdin: TextIO | None = None) -> Iterator[Any]:
    """Stream the rows of a pairs table: JSON lines (``-`` reads them from standard input), or CSV/TSV
    by suffix. A JSON line that is not an object is yielded as it is, for :func:`pair_of_row` to
    report; any other unreadable row raises :class:`DataError` naming its line."""
    from ..data.tables import BadRow, NonObjectRow, open_table

    path = None if str(source) == "-" else Path(source)
    if path is not None and not path.is_file():
        raise DataError(f"Input file {path} does not exist.")
    suffix = "" if path is None else path.suffix.lower()
    kind = suffix[1:] if suffix in (".csv", ".tsv") else "jsonl"
    stream = stdin if stdin is not None else sys.stdin
    with open_table(stream if path is None else path, kind=kind, name="stdin" if path is None else None) as table:
        for row in table:
            if isinstance(row, NonObjectRow):
                yield row.value
            elif isinstance(row, BadRow):
                raise row.error()
            else:
                yield row.values


def pair_of_row(row: Any, number: int, *, text_column: str = "text", target_column: str = "target",
                speaker_column: str = "speaker", target: str | None = None, speaker: str | None = None
                ) -> tuple[str, str, str] | str:
    """``(text, target, speaker)`` of the ``number``-th row (1-based), or the message saying why it
    cannot be scored. ``target``/``speaker`` given here replace the row's columns."""
    if not isinstance(row, dict):
        return (f"row {number}: a JSON {type(row).__name__}, not an object with {text_column!r} and "
                f"{target_column!r} fields")
    text, pair_target = row.get(text_column), target or row.get(target_column)
    if not isinstance(text, str) or not text.strip() or not isinstance(pair_target, str) or not pair_target.strip():
        return f"row {number}: missing or empty {text_column!r}/{target_column!r}"
    said_by = speaker or row.get(speaker_column)
    return text, pair_target, said_by if isinstance(said_by, str) else ""


def predict_pairs(model: Any, rows: Iterable[tuple[int, Any]], *, batch_size: int = 256, text_column: str = "text",
                  target_column: str = "target", speaker_column: str = "speaker", target: str | None = None,
                  speaker: str | None = None) -> Iterator[dict[str, Any]]:
    """One output row per ``(number, row)`` of ``rows``, in order: the ``model``'s prediction, or an
    error row. Pairs go to the model ``batch_size`` at a time; memory stays flat however long ``rows`` is.

    >>> rows = enumerate(read_pair_rows("pairs.jsonl"), start=1)                        # doctest: +SKIP
    >>> next(predict_pairs(stanceclf.load("default"), rows))                            # doctest: +SKIP
    {'row': 1, 'text': '...', 'target': 'NATO', 'label': 'AGAINST', 'probabilities': {...}, 'model': 'default'}
    """
    pending: list[tuple[int, tuple[str, str, str] | str]] = []
    waiting = 0

    def flush() -> Iterator[dict[str, Any]]:
        pairs = [pair for _, pair in pending if not isinstance(pair, str)]
        predictions = iter(model.predict_examples([(t, g, "", s) for t, g, s in pairs]) if pairs else [])
        for number, pair in pending:
            if isinstance(pair, str):
                yield {"row": number, "error": pair}
                continue
            text, pair_target, said_by = pair
            yield {"row": number, "text": text, "target": pair_target, **({"speaker": said_by} if said_by else {}),
                   **next(predictions).to_dict()}

    for number, row in rows:
        pair = pair_of_row(row, number, text_column=text_column, target_column=target_column,
                           speaker_column=speaker_column, target=target, speaker=speaker)
        pending.append((number, pair))
        waiting += not isinstance(pair, str)
        if waiting >= batch_size:
            yield from flush()
            pending, waiting = [], 0
    yield from flush()


def prediction_line(record: dict[str, Any]) -> str:
    """One output row as a JSON line, as ``stanceclf predict`` writes it (local and Ray runs alike)."""
    return json.dumps(record) + "\n"
