"""Listings of quotes and claims: the quotes and speakers of a corpus without stance (``stanceclf
quotes``, one record per document), and claim-score listings: the most check-worthy quotes of an
analysis (:class:`ClaimRanking`, ``stanceclf analyze --rank-claims``) and the scored sentences of
``stanceclf claims``, written as a table, CSV or JSONL by :func:`write_listing`.

>>> from stanceclf.extract import QuoteExtractor                                # doctest: +SKIP
>>> records = list(quote_records(read_documents(["article.txt"]), QuoteExtractor("rules")))  # doctest: +SKIP
>>> write_quote_records(records, sys.stdout, "table")                          # doctest: +SKIP
"""

from __future__ import annotations

import csv
import heapq
import json
import textwrap
from typing import Any, Iterable, Iterator, Sequence, TextIO

from ..errors import DataError
from .corpus import DEFAULT_MAX_CHARS, Document, DocumentError, validate_text
from .outputs import _spreadsheet_safe
from .results import CLAIM_RECORD_FIELDS

__all__ = ["QUOTE_FORMATS", "quote_records", "write_quote_records", "ClaimRanking", "RANKING_FIELDS", "by_checkworthiness",
           "LISTING_FORMATS", "listing_format", "format_listing", "write_listing"]

#: Formats :func:`write_quote_records` writes.
QUOTE_FORMATS = ("table", "json", "jsonl")


def quote_records(documents: Iterable[Document | DocumentError], extractor: Any,
                  max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[dict[str, Any]]:
    """For each document, ``{"id", "file", "quotes": [Quote.to_dict(), ...]}``, or ``{"id", "file",
    "error"}`` when it could not be read or extracted (the others go on)."""
    for doc in documents:
        where = {"id": doc.id, "file": doc.source}
        try:
            if not isinstance(doc, Document):
                raise DataError(doc.error)
            found = extractor.extract(validate_text(doc.text, max_chars))
        except Exception as exc:  # noqa: BLE001 - a failing document is reported as a record
            yield {**where, "error": str(exc)}
            continue
        yield {**where, "quotes": [quote.to_dict() for quote in found]}


def write_quote_records(records: list[dict[str, Any]], out: TextIO, fmt: str) -> None:
    """Write :func:`quote_records` output as ``json`` (one document: an object), ``jsonl`` (one line per
    quote, and per failed document) or a ``table`` for the screen."""
    if fmt not in QUOTE_FORMATS:
        raise DataError(f"Unknown quotes format {fmt!r}; use one of {', '.join(QUOTE_FORMATS)}.")
    if fmt == "json":
        out.write(json.dumps(records if len(records) != 1 else records[0], indent=2, ensure_ascii=False) + "\n")
        return
    for rec in records:
        if fmt == "jsonl":
            for quote in rec.get("quotes", []):
                out.write(json.dumps({"id": rec["id"], "file": rec["file"], **quote}, ensure_ascii=False) + "\n")
            if "error" in rec:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            continue
        out.write(f"== {rec['id']}" + (f"  ERROR: {rec['error']}" if "error" in rec else "") + "\n")
        for quote in rec.get("quotes", []):
            text = quote["text"] if len(quote["text"]) <= 70 else quote["text"][:67] + "..."
            out.write(f"{quote['kind']:<9}{(quote['speaker'] or '?')[:28]:<30}{quote['confidence']:.2f}  {text}\n")


# --------------------------------------------------------------------------------------------------
# Claim listings: the most check-worthy quotes, scored sentences
# --------------------------------------------------------------------------------------------------

#: Columns of the check-worthiness ranking (``--rank-claims``; ``claims_ranked.csv``).
RANKING_FIELDS: tuple[str, ...] = ("rank", "doc_id", "quote_index", "speaker", *CLAIM_RECORD_FIELDS, "quote")


class ClaimRanking:
    """The ``n`` rows with the highest ``p_checkworthy`` seen so far, in bounded memory (a heap of
    ``n``); ties keep the order they were seen in, rows without the score are left out.

    :meth:`add` takes any row with a ``p_checkworthy``; :meth:`add_records` takes the analysis records
    of one document (:data:`~stanceclf.analysis.results.RECORD_FIELDS`) and counts each quote once.

    >>> ranking = ClaimRanking(2)
    >>> for text, p in [("a", 0.2), ("b", 0.9), ("c", None), ("d", 0.9)]:
    ...     ranking.add({"text": text, "p_checkworthy": p})
    >>> [(r["rank"], r["text"]) for r in ranking.rows()]
    [(1, 'b'), (2, 'd')]
    """

    def __init__(self, n: int | None = None):
        if n is not None and n < 1:
            raise DataError(f"A claim ranking needs at least 1 row, got {n}.")
        self.n = n
        self._heap: list[tuple[float, int, dict[str, Any]]] = []  # (score, -seen, row): the weakest first
        self._seen = 0
        #: how many rows with a score were offered (ranked or not)
        self.scored = 0

    def add(self, row: dict[str, Any]) -> None:
        score = row.get("p_checkworthy")
        if score is None:
            return
        self.scored += 1
        self._seen += 1
        item = (float(score), -self._seen, row)
        if self.n is None or len(self._heap) < self.n:
            heapq.heappush(self._heap, item)
        elif item[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, item)

    def add_records(self, records: Iterable[dict[str, Any]]) -> None:
        """Rank the quotes of one document's analysis records (one row per quote, the first of its rows)."""
        done: set[Any] = set()
        for record in records:
            if record.get("status") != "ok" or record.get("quote_index") in done:
                continue
            done.add(record.get("quote_index"))
            self.add({name: record.get(name) for name in RANKING_FIELDS if name != "rank"})

    def rows(self) -> list[dict[str, Any]]:
        """The ranked rows, most check-worthy first, each with its ``rank`` (1, 2, ...) first."""
        ordered = sorted(self._heap, key=lambda item: (-item[0], -item[1]))
        return [{"rank": rank, **row} for rank, (_, _, row) in enumerate(ordered, 1)]

    def __len__(self) -> int:
        return len(self._heap)


def by_checkworthiness(rows: Iterable[dict[str, Any]], top: int | None = None) -> list[dict[str, Any]]:
    """``rows`` most check-worthy first (ties in input order), each with its ``rank``; ``top`` keeps
    the first ``top``. Rows without a ``p_checkworthy`` come last, unranked (left out with ``top``).

    >>> [r["text"] for r in by_checkworthiness([{"text": "a", "p_checkworthy": 0.1}, {"text": "b", "p_checkworthy": None},
    ...                                         {"text": "c", "p_checkworthy": 0.8}])]
    ['c', 'a', 'b']
    """
    ranking, unscored = ClaimRanking(top), []
    for row in rows:
        if row.get("p_checkworthy") is None:
            unscored.append(row)
        else:
            ranking.add(row)
    return ranking.rows() + ([] if top else unscored)


#: Formats :func:`write_listing` writes.
LISTING_FORMATS = ("table", "csv", "jsonl")
#: Column headings and widths of the table view (a text column takes the rest of the line).
_TABLE_COLUMNS = {"rank": ("#", 4), "p_checkworthy": ("check", 6), "p_subjective": ("subj", 6),
                  "p_causal": ("causal", 7), "speaker": ("speaker", 22), "doc_id": ("document", 16),
                  "quote_index": ("quote", 6), "file": ("file", 18), "line": ("line", 6)}
_TEXT_COLUMNS = ("quote", "text")


def listing_format(path: str | None, fmt: str | None = None) -> str:
    """The listing format: ``fmt`` when given, else ``table`` on the screen or from the suffix of
    ``path`` (``.csv``, ``.jsonl``); anything else is a :class:`DataError`.

    >>> listing_format(None), listing_format("top.csv"), listing_format("top.JSONL")
    ('table', 'csv', 'jsonl')
    """
    if fmt is None:
        if path is None:
            return "table"
        fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(str(path).lower()[str(path).rfind("."):])
        if fmt is None:
            raise DataError(f"Cannot tell the format of {path}: name it .csv or .jsonl.")
    if fmt not in LISTING_FORMATS:
        raise DataError(f"Unknown listing format {fmt!r}; use one of {', '.join(LISTING_FORMATS)}.")
    return fmt


def format_listing(rows: Sequence[dict[str, Any]], fields: Sequence[str], width: int = 100) -> str:
    """A plain-text table of ``rows``: one line each, scores with two decimals (``-``: not scored),
    text cut to fit ``width`` (at least 30 characters of it).

    >>> print(format_listing([{"rank": 1, "p_checkworthy": 0.912, "text": "GDP fell 3%."}],
    ...                      ["rank", "p_checkworthy", "text"]))
    #   check text
    1   0.91  GDP fell 3%.
    """
    fixed = [name for name in fields if name not in _TEXT_COLUMNS]
    used = sum(_TABLE_COLUMNS.get(name, (name, 12))[1] for name in fixed)
    room = max(30, width - used)

    def cell(name: str, value: Any) -> str:
        if name in _TEXT_COLUMNS:
            return textwrap.shorten(" ".join(str(value or "").split()), width=room, placeholder=" ...")
        size = _TABLE_COLUMNS.get(name, (name, 12))[1]
        if name in CLAIM_RECORD_FIELDS:
            text = "-" if value is None else f"{float(value):.2f}"
        else:
            text = "" if value is None else str(value)
            if len(text) >= size:  # a file keeps its end (its name), anything else its start
                text = "\u2026" + text[2 - size:] if name == "file" else text[:size - 2] + "\u2026"
        return f"{text:<{size}}"

    head = "".join(f"{_TABLE_COLUMNS.get(n, (n, 12))[0]:<{_TABLE_COLUMNS.get(n, (n, 12))[1]}}" if n not in _TEXT_COLUMNS
                   else n for n in fields)
    lines = [head.rstrip()] + ["".join(cell(n, row.get(n)) for n in fields).rstrip() for row in rows]
    return "\n".join(lines)


def write_listing(rows: Sequence[dict[str, Any]], out: TextIO, fmt: str, fields: Sequence[str],
                  width: int = 100) -> None:
    """Write ``rows`` (their ``fields``, in that order) as a ``table`` (:func:`format_listing`), ``csv``
    (spreadsheet-safe, like the records) or ``jsonl``."""
    if fmt not in LISTING_FORMATS:
        raise DataError(f"Unknown listing format {fmt!r}; use one of {', '.join(LISTING_FORMATS)}.")
    if fmt == "table":
        out.write(format_listing(rows, fields, width) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_spreadsheet_safe(row) for row in rows)
    else:
        for row in rows:
            out.write(json.dumps({name: row.get(name) for name in fields}, ensure_ascii=False) + "\n")
