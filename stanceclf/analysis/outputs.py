"""Writing analyses: JSONL / CSV / TSV / Parquet records, a terminal table, aggregates and the HTML report.

The record writers stream (one document at a time) so a corpus of any size can be written with flat
memory; :class:`StanceAggregate` keeps only counts and probability sums.

>>> agg = StanceAggregate()
>>> agg.add_record({"status": "ok", "speaker": "A", "target": "NATO", "stance": "AGAINST",
...                 "p_against": 0.8, "p_favor": 0.1, "p_none": 0.1, "date": "2025-03-01"})
>>> agg.matrix()[("A", "NATO")]["AGAINST"]
1

The plots of an aggregate and the stance colours live in :mod:`stanceclf.analysis.plots` (matplotlib,
optional); they are re-exported here, so ``from stanceclf.analysis.outputs import plot_stance_matrix``
keeps working.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import re
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, TextIO

from ..errors import DataError
from ..types import STANCE_LABELS
from .corpus import DocumentError
from .plots import (NET_STANCE_COLOURS, NO_DATA_COLOUR, STANCE_COLOURS, net_stance_cmap, plot_stance_matrix,
                    plot_stance_over_time)
from .results import (RECORD_CATEGORIES, RECORD_FIELDS, RECORD_FLOATS, RECORD_INTEGERS, ArticleAnalysis,
                      records_frame, records_of)

__all__ = ["RecordWriter", "StanceAggregate", "format_article_table", "write_html_report", "plot_stance_matrix",
           "plot_stance_over_time", "records_of", "records_dataframe", "records_schema", "STANCE_COLOURS", "NET_STANCE_COLOURS",
           "NO_DATA_COLOUR", "net_stance_cmap"]


def records_dataframe(results: Iterable[ArticleAnalysis | DocumentError]) -> Any:
    """All records of many results (e.g. ``analyzer.analyze_documents(...)``) as one typed pandas
    DataFrame (:func:`~stanceclf.analysis.results.records_frame`), errors included
    (``status == "error"``). Holds everything in memory: for large corpora stream with
    :class:`RecordWriter` instead."""
    return records_frame(row for result in results for row in records_of(result))


#: Record formats :class:`RecordWriter` writes, by file suffix.
RECORD_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}


def record_format(target: Any, fmt: str | None = None) -> str:
    """The record format for ``target``: ``fmt`` when given, else from a file name's suffix (a text
    stream is JSONL). An unknown format or suffix is a :class:`DataError`, never a silent fallback.

    >>> record_format("quotes.parquet"), record_format("x.txt", "jsonl")
    ('parquet', 'jsonl')
    """
    if fmt is None:
        if not isinstance(target, (str, Path)):
            return "jsonl"
        fmt = RECORD_FORMATS.get(Path(str(target)).suffix.lower())
        if fmt is None:
            raise DataError(f"Cannot tell the record format of {target}: name it .jsonl, .csv, .tsv or .parquet "
                            "(or pass the format explicitly).")
    if fmt not in set(RECORD_FORMATS.values()):
        raise DataError(f"Unknown record format {fmt!r}; use jsonl, csv, tsv or parquet.")
    return fmt


class RecordWriter:
    """Streams records to a JSONL, CSV, TSV or Parquet file (or a text stream), chosen by ``fmt`` or
    the file suffix; an unknown suffix is an error, never a silent fallback.

    JSONL, CSV and TSV are written a document at a time (what was written survives a killed run; for
    runs that can be resumed see :class:`~stanceclf.analysis.runs.ResumableRecords`). CSV/TSV text
    cells that start with ``= + - @`` (or a tab or carriage return) get a leading apostrophe so that
    spreadsheets show them instead of running them as formulas.
    Parquet is written in row groups of ``row_group_size`` records with typed columns (categoricals,
    integers, floats; ``date`` as the text given, so every row group has one schema).

    >>> import io
    >>> buf = io.StringIO()
    >>> with RecordWriter(buf, fmt="csv") as w:
    ...     rows = w.write(DocumentError("d1", "empty", stage="validate"))
    >>> buf.getvalue().splitlines()[1].startswith("d1,,,error")
    True
    """

    def __init__(self, target: str | Path | TextIO, fmt: str | None = None, *, row_group_size: int = 10_000):
        own = isinstance(target, (str, Path))
        fmt = record_format(target, fmt)
        if fmt == "parquet" and not own:
            raise DataError("Parquet records need a file name (e.g. -o records.parquet), not a text stream.")
        self.fmt, self._own, self.records = fmt, own, 0
        self._csv: Any = None
        self._parquet: Any = None
        self._pending: list[dict[str, Any]] = []
        self._row_group_size = row_group_size
        if fmt == "parquet":
            self._path = Path(target)  # type: ignore[arg-type]
            self._fh: Any = None
            return
        # lone surrogates (from undecodable file names) are written as \\udcxx escapes, never a crash
        self._fh = open(target, "w", encoding="utf-8", errors="backslashreplace", newline="") if own else target
        if fmt in ("csv", "tsv"):
            self._csv = csv.DictWriter(self._fh, fieldnames=list(RECORD_FIELDS), delimiter="," if fmt == "csv" else "\t")
            self._csv.writeheader()

    def write(self, result: ArticleAnalysis | DocumentError) -> list[dict[str, Any]]:
        """Write the records of one result; returns them."""
        rows = records_of(result)
        self.write_rows(rows)
        return rows

    def write_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Write records (dicts with the :data:`RECORD_FIELDS` keys), e.g. read back from a JSONL file."""
        for row in rows:
            if self.fmt == "parquet":
                self._pending.append(row)
                if len(self._pending) >= self._row_group_size:
                    self._flush_parquet()
            elif self._csv is not None:
                self._csv.writerow(_spreadsheet_safe(row))
            else:
                self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.records += 1

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            self._parquet = pq.ParquetWriter(str(self._path), records_schema())
        frame = records_frame(self._pending, parse_dates=False)
        self._parquet.write_table(pa.Table.from_pandas(frame, schema=self._parquet.schema, preserve_index=False))
        self._pending = []

    def close(self) -> None:
        if self.fmt == "parquet":
            if self._pending or self._parquet is None:  # an empty run still leaves a readable file
                self._flush_parquet()
            self._parquet.close()
        elif self._own:
            self._fh.close()
        else:
            self._fh.flush()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with text cells that a spreadsheet would run as formulas prefixed by an apostrophe
    (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``), as spreadsheet-safe CSV writers do. Numbers are
    left alone, so negative values stay numbers. JSONL and Parquet outputs keep the text unchanged.

    >>> _spreadsheet_safe({"quote": "=1+2", "p_favor": -0.5, "speaker": "-Anna"})
    {'quote': "'=1+2", 'p_favor': -0.5, 'speaker': "'-Anna"}
    """
    return {k: f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_STARTS) else v for k, v in row.items()}


def records_schema(categorical: bool = True) -> Any:
    """The Arrow schema of the records (:data:`RECORD_FIELDS` with their types): what Parquet outputs
    hold in every row group and what a Ray run's records are (``categorical=False``: plain strings
    instead of dictionary-encoded categoricals).

    >>> records_schema(categorical=False).field("p_favor").type
    DataType(double)
    """
    import pyarrow as pa

    def column(name: str) -> Any:
        if name in RECORD_CATEGORIES and categorical:
            return pa.dictionary(pa.int32(), pa.string())
        if name in RECORD_INTEGERS:
            return pa.int64()
        if name in RECORD_FLOATS:
            return pa.float64()
        return pa.string()

    return pa.schema([(name, column(name)) for name in RECORD_FIELDS])


# --------------------------------------------------------------------------------------------------
# Terminal table
# --------------------------------------------------------------------------------------------------

def format_article_table(result: ArticleAnalysis, width: int = 100) -> str:
    """Plain-text view: one block per quote with its speaker, kind, check-worthiness (when claims were
    scored), text and stances."""
    lines = [f"{result.id}: {len(result.quotes)} quote(s); targets: "
             + (", ".join(t.name for t in result.targets) or "none")
             + (" (suggested from the article)" if result.targets_suggested else "")]
    if not result.quotes:
        lines.append("  (no quotes found)")
    for qa in result.quotes:
        q = qa.quote
        head = f"[{qa.index}] {q.speaker or 'unknown speaker'} ({q.kind.value})"
        if qa.claim is not None and qa.claim.checkworthy is not None:
            head += f"  check-worthy {qa.claim.checkworthy:.2f}"
        lines.append("")
        lines.append(head)
        quoted = textwrap.shorten(" ".join(q.text.split()), width=max(40, width - 6), placeholder=" ...")
        lines.append(f"    \u201c{quoted}\u201d")
        if not qa.stances:
            lines.append("    -> no target addressed")
        for s in qa.stances:
            probs = "  ".join(f"{k[:3]} {s.probabilities.get(k, 0.0):.2f}" for k in STANCE_LABELS)
            lines.append(f"    -> {s.target:<24} {s.label:<8} ({probs}; via {s.via})")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------------------------------

class StanceAggregate:
    """Running speaker x target and date x target stance counts and mean probabilities.

    Only addressed (quote, target) records with a stance are counted (``via != "none"`` unless
    ``include_unaddressed``). Dates are grouped by ``period``: ``"day"``, ``"month"`` or ``"year"``.
    """

    def __init__(self, period: str = "month", include_unaddressed: bool = False):
        if period not in ("day", "month", "year"):
            raise ValueError(f"period must be day, month or year, got {period!r}.")
        self.period = period
        self.include_unaddressed = include_unaddressed
        self._by_speaker: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._by_date: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._targets: dict[str, None] = {}  # every target seen, in first-seen order (also those without pairs)
        self.documents = 0
        self.errors = 0
        self.quotes = 0
        #: (quote, target) pairs left out of :meth:`over_time` because their date is not ISO 8601
        self.unparsed_dates = 0

    def add(self, result: ArticleAnalysis | DocumentError, records: list[dict[str, Any]] | None = None) -> None:
        """Count one result; pass its ``records`` when already built (e.g. by :meth:`RecordWriter.write`)."""
        self.documents += 1
        if isinstance(result, DocumentError):
            self.errors += 1
            return
        self.quotes += len(result.quotes)
        for target in result.targets:
            self._targets.setdefault(target.name)
        for row in records if records is not None else result.to_records():
            self.add_record(row)

    def add_record(self, row: dict[str, Any]) -> None:
        if row.get("target"):
            self._targets.setdefault(str(row["target"]))
        if row.get("status") != "ok" or not row.get("target") or not row.get("stance"):
            return
        if row.get("via") == "none" and not self.include_unaddressed:
            return
        keys = [(self._by_speaker, (row.get("speaker") or "unknown speaker", row["target"]))]
        if row.get("date"):
            period = self._period_of(str(row["date"]))
            if period is None:
                self.unparsed_dates += 1
            else:
                keys.append((self._by_date, (period, row["target"])))
        for table, key in keys:
            cell = table[key]
            cell[row["stance"]] += 1
            cell["n"] += 1
            for label in STANCE_LABELS:
                cell[f"p_{label.lower()}"] += float(row.get(f"p_{label.lower()}") or 0.0)

    def add_document_records(self, rows: list[dict[str, Any]]) -> None:
        """Count one document from its records alone (e.g. read back from a resumed run's output)."""
        self.documents += 1
        if any(row.get("status") == "error" for row in rows):
            self.errors += 1
            return
        self.quotes += len({row["quote_index"] for row in rows if row.get("quote_index") is not None})
        for row in rows:
            self.add_record(row)

    def _period_of(self, date: str) -> str | None:
        """``date``'s day, month or year (``2025-03-04``, ``2025-03``, ``2025``); None unless ISO 8601."""
        width = {"day": 10, "month": 7, "year": 4}[self.period]
        date = date.strip()
        partial = re.fullmatch(r"(\d{4})(?:-(0[1-9]|1[0-2]))?", date)  # "2025" or "2025-03": as precise as given
        if partial:
            return date[:width]
        try:
            parsed = _dt.datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.date().isoformat()[:width]

    @staticmethod
    def _finish(table: dict[tuple[str, str], dict[str, float]]) -> dict[tuple[str, str], dict[str, Any]]:
        out = {}
        for key, cell in table.items():
            n = int(cell["n"])
            row: dict[str, Any] = {"n": n, **{label: int(cell.get(label, 0)) for label in STANCE_LABELS}}
            for label in STANCE_LABELS:
                row[f"mean_p_{label.lower()}"] = cell[f"p_{label.lower()}"] / n if n else 0.0
            row["net"] = row["mean_p_favor"] - row["mean_p_against"]
            out[key] = row
        return out

    def targets(self) -> list[str]:
        """Every target seen (the articles' target lists and the records), first seen first -- also
        those no quote was linked to, so that plots and reports can say so."""
        return list(self._targets)

    def matrix(self) -> dict[tuple[str, str], dict[str, Any]]:
        """``{(speaker, target): {"n", "FAVOR", "AGAINST", "NONE", "mean_p_*", "net"}}``."""
        return self._finish(self._by_speaker)

    def over_time(self) -> dict[tuple[str, str], dict[str, Any]]:
        """``{(period, target): {...}}`` for records that carry a date."""
        return self._finish(self._by_date)

    def to_dataframe(self, view: str = "matrix") -> Any:
        """The matrix (``view="matrix"``) or time series (``"time"``) as a tidy pandas DataFrame."""
        import pandas as pd

        data = self.matrix() if view == "matrix" else self.over_time()
        first = "speaker" if view == "matrix" else "period"
        return pd.DataFrame([{first: a, "target": b, **v} for (a, b), v in sorted(data.items())])


# --------------------------------------------------------------------------------------------------
# HTML report (rendered by stanceclf.analysis.report with Jinja2)
# --------------------------------------------------------------------------------------------------

def write_html_report(results: Iterable[ArticleAnalysis | DocumentError], path: str | Path | None = None, *,
                      aggregate: StanceAggregate | None = None, max_articles: int = 200, plots: bool = True,
                      title: str = "stanceclf report", model: str | None = None, max_speakers: int = 25,
                      generated: _dt.datetime | None = None) -> str:
    """Build a standalone, self-contained HTML report (returned, and written to ``path`` when given).

    See :func:`stanceclf.analysis.report.render_report`: each article with its quotes highlighted,
    the speaker named before each quote and every target's label and probability after it; the
    speaker x target table; the plots (with matplotlib); a glossary; the model, stanceclf version,
    generation date and the measured-accuracy caveat. ``model`` names the stance model (default: the
    articles' ``model``). Only the first ``max_articles`` articles are rendered in full (the report
    says so); the aggregates cover all.
    """
    from .report import render_report

    doc = render_report(results, aggregate=aggregate, max_articles=max_articles, plots=plots, title=title,
                        model=model, max_speakers=max_speakers, generated=generated)
    if path is not None:
        Path(path).write_text(doc, encoding="utf-8")
    return doc
