"""Writing analyses: JSONL / CSV records, a terminal table, an HTML report, aggregates and plots.

The record writers stream (one document at a time) so a corpus of any size can be written with flat
memory; :class:`StanceAggregate` keeps only counts and probability sums.

>>> agg = StanceAggregate()
>>> agg.add_record({"status": "ok", "speaker": "A", "target": "NATO", "stance": "AGAINST",
...                 "p_against": 0.8, "p_favor": 0.1, "p_none": 0.1, "date": "2025-03-01"})
>>> agg.matrix()[("A", "NATO")]["AGAINST"]
1

The plots are built with matplotlib's object-oriented API (:class:`matplotlib.figure.Figure`, no
pyplot state and no backend switch), so they work the same in scripts, servers and notebooks. Their
colours are colour-blind safe (Okabe-Ito blue for FAVOR, vermillion/orange for AGAINST, grey for NONE)
and every cell and point also carries its value as text.
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import io
import json
import re
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, TextIO

from ..errors import DataError
from ..types import STANCE_LABELS
from .corpus import DocumentError
from .results import (RECORD_CATEGORIES, RECORD_FIELDS, RECORD_FLOATS, RECORD_INTEGERS, ArticleAnalysis,
                      records_frame, records_of)

__all__ = ["RecordWriter", "StanceAggregate", "format_article_table", "write_html_report", "plot_stance_matrix",
           "plot_stance_over_time", "records_of", "records_dataframe", "STANCE_COLOURS", "NET_STANCE_COLOURS",
           "NO_DATA_COLOUR", "net_stance_cmap"]

#: One colour per label, colour-blind safe (Okabe-Ito): blue = FAVOR, vermillion = AGAINST, grey = NONE.
#: Used by the HTML report's CSS and the plots; the label is always written out as well.
STANCE_COLOURS = {"FAVOR": "#0072B2", "AGAINST": "#D55E00", "NONE": "#7F7F7F"}
#: The diverging net-stance scale, -1 (against) to +1 (in favour): ColorBrewer's orange (PuOr) and blue
#: (RdBu) arms around a light grey; readable with red-green colour blindness and in greyscale.
NET_STANCE_COLOURS = ("#B35806", "#E08214", "#FDB863", "#F7F7F7", "#92C5DE", "#4393C3", "#2166AC")
#: Cells without data ("no pairs"): mid grey, drawn hatched so they never look like a neutral value.
NO_DATA_COLOUR = "#CFCFCF"
#: Line colours for targets over time (Okabe-Ito, yellow left out: too pale on white).
_SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999")
_SERIES_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def records_dataframe(results: Iterable[ArticleAnalysis | DocumentError]) -> Any:
    """All records of many results (e.g. ``analyzer.analyze_documents(...)``) as one typed pandas
    DataFrame (:func:`~stanceclf.analysis.pipeline.records_frame`), errors included
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
            self._parquet = pq.ParquetWriter(str(self._path), _parquet_schema())
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


def _parquet_schema() -> Any:
    """One Arrow schema for every row group: the record columns with their types."""
    import pyarrow as pa

    def column(name: str) -> Any:
        if name in RECORD_CATEGORIES:
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

def _stance_cell(label: str | None, probs: dict[str, float] | None) -> str:
    if not label:
        return "-"
    return f"{label} {probs.get(label, 0.0):.2f}" if probs else label


def format_article_table(result: ArticleAnalysis, width: int = 100) -> str:
    """Plain-text view: one block per quote with its speaker, kind, text and stances."""
    lines = [f"{result.id}: {len(result.quotes)} quote(s); targets: "
             + (", ".join(t.name for t in result.targets) or "none")
             + (" (suggested from the article)" if result.targets_suggested else "")]
    if not result.quotes:
        lines.append("  (no quotes found)")
    for qa in result.quotes:
        q = qa.quote
        head = f"[{qa.index}] {q.speaker or 'unknown speaker'} ({q.kind.value})"
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
# Plots (matplotlib, optional; object-oriented API: no pyplot, no backend switch)
# --------------------------------------------------------------------------------------------------

def _new_figure(figsize: tuple[float, float]) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("Plots need matplotlib: pip install 'stanceclf[plots]'.") from None
    return Figure(figsize=figsize, layout="constrained")


def net_stance_cmap() -> Any:
    """The diverging colormap of net stance (orange = against, light grey = neutral, blue = in favour)."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("stanceclf_net", list(NET_STANCE_COLOURS))
    return cmap.with_extremes(bad=NO_DATA_COLOUR)


def _text_colour(rgba: tuple[float, ...]) -> str:
    """Black or white, whichever reads better on ``rgba`` (WCAG relative luminance)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.179 else "white"


def _save(fig: Any, path: str | Path | None) -> Any:
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def _signed(value: float) -> str:
    """``+0.45`` / ``\u22120.45`` (a true minus sign); ``0.00`` when it rounds to zero."""
    value = round(value, 2)
    return "0.00" if value == 0 else f"{value:+.2f}".replace("-", "\u2212")


def plot_stance_matrix(aggregate: StanceAggregate, path: str | Path | None = None, max_speakers: int = 25, *,
                       targets: Iterable[str] | None = None, title: str | None = None) -> Any:
    """Heatmap of net stance (mean P(FAVOR) - P(AGAINST)) per speaker x target.

    Each cell is coloured on a colour-blind-safe orange (against) to blue (in favour) scale and
    states its net value and its number of (quote, target) pairs ``n``; cells without pairs are grey
    and hatched ("no pairs" in the legend). Every target is a column, also one no quote was linked
    to (from ``targets``, else :meth:`StanceAggregate.targets`; marked "no pairs"). Only the
    ``max_speakers`` speakers with the most pairs are rows; the figure says how many were left out.
    Returns a :class:`matplotlib.figure.Figure` (no pyplot state: it displays in notebooks and can be
    saved anywhere); saves it to ``path`` (PNG, SVG or PDF by suffix) when given.
    """
    import numpy as np
    from matplotlib.patches import Patch, Rectangle

    data = aggregate.matrix()
    totals: dict[str, int] = defaultdict(int)
    for (speaker, _), cell in data.items():
        totals[speaker] += cell["n"]
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    speakers = ranked[:max(0, max_speakers)]
    left_out = len(ranked) - len(speakers)
    known = list(targets) if targets is not None else aggregate.targets()
    columns = list(dict.fromkeys([*known, *sorted({t for _, t in data})]))
    with_pairs = {t for _, t in data}
    if not data or not speakers:
        fig = _new_figure((6, 2.2))
        ax = fig.add_subplot()
        ax.axis("off")
        message = "No (quote, target) pairs to show."
        if columns:
            message += "\n" + textwrap.fill("Targets without pairs: " + ", ".join(columns), 70)
        ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=11)
        if title:
            ax.set_title(title)
        return _save(fig, path)

    grid = np.full((len(speakers), len(columns)), np.nan)
    for i, s in enumerate(speakers):
        for j, t in enumerate(columns):
            if (s, t) in data:
                grid[i, j] = data[(s, t)]["net"]
    width = 3.2 + 1.35 * len(columns)
    height = 2.4 + 0.5 * len(speakers) + (0.35 if left_out else 0.0)
    fig = _new_figure((min(width, 40.0), min(height, 60.0)))
    ax = fig.add_subplot()
    cmap = net_stance_cmap()
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-1, vmax=1, aspect="auto")
    hatch_edge = "#8C8C8C"
    for i in range(len(speakers)):
        for j, t in enumerate(columns):
            s = speakers[i]
            if (s, t) not in data:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=NO_DATA_COLOUR, edgecolor=hatch_edge,
                                       hatch="///", linewidth=0))
                continue
            cell = data[(s, t)]
            colour = _text_colour(cmap((cell["net"] + 1) / 2))
            ax.text(j, i, f"{_signed(cell['net'])}\nn={cell['n']}", ha="center", va="center", fontsize=10,
                    color=colour, linespacing=1.15)
    # white gaps between the cells
    ax.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(speakers)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    rotate = len(columns) > 6
    names = [(textwrap.shorten(t, 32, placeholder="...") if rotate else textwrap.fill(t, 18))
             + ("" if t in with_pairs else (" (no pairs)" if rotate else "\n(no pairs)")) for t in columns]
    ax.set_xticks(range(len(columns)), labels=names, rotation=30 if rotate else 0, ha="right" if rotate else "center",
                  fontsize=10)
    ax.set_yticks(range(len(speakers)), labels=[textwrap.shorten(s, 40, placeholder="...") for s in speakers],
                  fontsize=10)
    ax.set_xlabel("Target", fontsize=11, fontweight="bold")
    ax.set_ylabel("Speaker", fontsize=11, fontweight="bold")
    bar = fig.colorbar(im, ax=ax, shrink=1.0 if len(speakers) <= 6 else max(0.3, 6 / len(speakers)), aspect=15)
    bar.set_ticks([-1, -0.5, 0, 0.5, 1], labels=["\u22121 against", "\u22120.5", "0 neutral", "+0.5", "+1 in favour"])
    bar.set_label("Net stance: mean P(FAVOR) \u2212 mean P(AGAINST)", fontsize=10)
    handles = [Patch(facecolor=NO_DATA_COLOUR, edgecolor=hatch_edge, hatch="///", label="no pairs")]
    fig.legend(handles=handles, loc="outside lower left", fontsize=9, frameon=False)
    if left_out:
        fig.supxlabel(f"Showing the {len(speakers)} speakers with the most pairs; {left_out} more speaker(s) "
                      "left out here (the speaker \u00d7 target table lists them all).", fontsize=9, x=0.98,
                      ha="right", color="#333333")
    if title:
        ax.set_title(title)
    return _save(fig, path)


def _period_date(period: str) -> _dt.date | None:
    """The first day of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` period; ``None`` when unreadable."""
    parts = period.split("-")
    try:
        numbers = [int(p) for p in parts[:3]]
        return _dt.date(numbers[0], numbers[1] if len(numbers) > 1 else 1, numbers[2] if len(numbers) > 2 else 1)
    except (ValueError, IndexError):
        return None


def plot_stance_over_time(aggregate: StanceAggregate, path: str | Path | None = None, *,
                          title: str | None = None, annotate: bool | None = None, max_lines: int = 2) -> Any:
    """Net stance per target over time, on a date axis.

    Up to ``max_lines`` targets share one chart (one line each, differing by colour, marker and line
    style); more targets get one small chart each, on the same scales. Marker area grows with the
    number of (quote, target) pairs behind a point (legend "pairs per point") and each point is
    labelled ``n=...`` (``annotate``; by default when the labels do not crowd). Periods whose date
    cannot be read are left out and counted in the figure. Returns a
    :class:`matplotlib.figure.Figure` (no pyplot state).
    """
    import math

    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.lines import Line2D

    data = aggregate.over_time()
    series: dict[str, list[tuple[_dt.date, float, int]]] = defaultdict(list)
    unreadable = aggregate.unparsed_dates  # pairs whose date is not ISO 8601 never reach over_time()
    for (period, target), cell in data.items():
        day = _period_date(period)
        if day is None:
            unreadable += cell["n"]
            continue
        series[target].append((day, cell["net"], cell["n"]))
    known = aggregate.targets()
    order = [t for t in known if t in series] + sorted(t for t in series if t not in known)
    facets = len(order) > max_lines
    ncols = min(2, len(order)) if facets else 1  # two columns: still readable when scaled to a page's width
    nrows = math.ceil(len(order) / ncols) if facets else 1
    fig = _new_figure((4.6 * ncols + 1.5, 2.6 * nrows + 0.9) if facets else (9.5, 4.8))
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    biggest = max((n for v in series.values() for _, _, n in v), default=1)
    days = sorted({p[0] for v in series.values() for p in v})
    if annotate is None:
        per_panel = len(days) * (1 if facets else max(1, len(order)))
        annotate = per_panel <= (24 if facets else 40)

    def area(n: int) -> float:
        return 30 + 270 * (n / biggest) ** 0.5

    handles = []
    for k, target in enumerate(order):
        ax = axes[k] if facets else axes[0]
        pts = sorted(series[target])
        colour, marker = _SERIES_COLOURS[k % len(_SERIES_COLOURS)], _SERIES_MARKERS[k % len(_SERIES_MARKERS)]
        style = ("-", "--", ":", "-.")[(k // len(_SERIES_COLOURS)) % 4] if not facets else "-"
        xs, ys, ns = [p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts]
        ax.plot(xs, ys, color=colour, linestyle=style, linewidth=1.6, zorder=2)
        ax.scatter(xs, ys, s=[area(n) for n in ns], color=colour, marker=marker, edgecolors="white", linewidths=0.8,
                   zorder=3)
        if annotate:
            above = facets or k % 2 == 0  # two lines in one chart: labels above the first, below the second
            for x, y, n in pts:
                up = (above and y < 0.7) or (not above and y < -0.6)
                ax.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(0, 11 if up else -18),
                            ha="center", fontsize=8.5, color="#222222")
        if facets:
            ax.set_title(textwrap.shorten(target, 40, placeholder="..."), fontsize=10, loc="left")
        else:
            handles.append(Line2D([], [], color=colour, linestyle=style, marker=marker, markersize=8, label=target))
    used = axes[:len(order)] if facets else axes[:1]
    for ax in axes[len(used):]:
        ax.set_visible(False)
    for i, ax in enumerate(used):
        ax.axhline(0, color="#777777", linewidth=0.9, zorder=1)
        ax.set_ylim(-1.15, 1.15)
        ax.set_yticks([-1, -0.5, 0, 0.5, 1])
        ax.grid(axis="y", color="#E5E5E5")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if i % ncols == 0:
            ax.text(0.01, 0.985, "\u2191 in favour", transform=ax.transAxes, va="top", fontsize=8.5, color="#2166AC")
            ax.text(0.01, 0.015, "\u2193 against", transform=ax.transAxes, va="bottom", fontsize=8.5, color="#B35806")
    locator = AutoDateLocator(maxticks=6 if facets else 10)
    used[0].xaxis.set_major_locator(locator)
    used[0].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if len(days) == 1:  # one period: a readable window around it
        used[0].set_xlim(days[0] - _dt.timedelta(days=20), days[0] + _dt.timedelta(days=20))
    ylabel = "Net stance\nmean P(FAVOR) \u2212 mean P(AGAINST)"
    xlabel = f"Date (one point per {aggregate.period})"
    if facets:
        fig.supylabel(ylabel, fontsize=10)
        fig.supxlabel(xlabel + (f"; {unreadable} pair(s) with unreadable dates left out" if unreadable else ""),
                      fontsize=10)
    else:
        used[0].set_ylabel(ylabel, fontsize=10)
        used[0].set_xlabel(xlabel + (f"\n{unreadable} pair(s) with unreadable dates left out" if unreadable else ""),
                           fontsize=10)
    if order:
        if handles:
            fig.legend(handles=handles, loc="outside right upper", fontsize=9, frameon=False, title="Target",
                       title_fontsize=9, alignment="left")
        sizes = sorted({1, max(1, biggest // 2), biggest}) if biggest > 1 else [1]
        fig.legend(handles=[Line2D([], [], linestyle="none", marker="o", color="#777777", markersize=area(n) ** 0.5,
                                   label=f"n={n}") for n in sizes], loc="outside right lower", fontsize=9,
                   frameon=False, title="Pairs per point", title_fontsize=9, alignment="left", labelspacing=1.1)
    else:
        used[0].text(0.5, 0.5, "no dated documents", ha="center", va="center", transform=used[0].transAxes,
                     fontsize=11)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def _figure_data_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


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
