"""Writing analyses: JSONL / CSV records, a terminal table, an HTML report, aggregates and plots.

The record writers stream (one document at a time) so a corpus of any size can be written with flat
memory; :class:`StanceAggregate` keeps only counts and probability sums.

>>> agg = StanceAggregate()
>>> agg.add_record({"status": "ok", "speaker": "A", "target": "NATO", "stance": "AGAINST",
...                 "p_against": 0.8, "p_favor": 0.1, "p_none": 0.1, "date": "2025-03-01"})
>>> agg.matrix()[("A", "NATO")]["AGAINST"]
1
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, TextIO

from ..types import STANCE_LABELS
from .corpus import DocumentError
from .pipeline import RECORD_FIELDS, ArticleAnalysis

__all__ = ["RecordWriter", "StanceAggregate", "format_article_table", "write_html_report", "plot_stance_matrix",
           "plot_stance_over_time", "records_of", "records_dataframe"]

STANCE_COLOURS = {"FAVOR": "#1a9850", "AGAINST": "#d73027", "NONE": "#878787"}


def records_of(result: ArticleAnalysis | DocumentError) -> list[dict[str, Any]]:
    """Flat records of a result (an error becomes one record with ``status="error"``)."""
    if isinstance(result, DocumentError):
        return [{**dict.fromkeys(RECORD_FIELDS), **result.to_dict()}]
    return result.to_records()


def records_dataframe(results: Iterable[ArticleAnalysis | DocumentError]) -> Any:
    """All records of many results (e.g. ``analyzer.analyze_documents(...)``) as one pandas DataFrame,
    errors included (``status == "error"``). Holds everything in memory: for large corpora stream with
    :class:`RecordWriter` instead."""
    import pandas as pd

    return pd.DataFrame([row for result in results for row in records_of(result)], columns=list(RECORD_FIELDS))


class RecordWriter:
    """Streams records to a JSONL or CSV file (or stream), chosen by ``fmt`` or the file suffix.

    >>> buf = io.StringIO()
    >>> with RecordWriter(buf, fmt="csv") as w:
    ...     w.write(DocumentError("d1", "empty", stage="validate"))
    >>> buf.getvalue().splitlines()[1].startswith("d1,,,error")
    True
    """

    def __init__(self, target: str | Path | TextIO, fmt: str | None = None):
        if fmt is None:
            suffix = Path(str(target)).suffix.lower() if isinstance(target, (str, Path)) else ".jsonl"
            fmt = {".csv": "csv", ".tsv": "tsv"}.get(suffix, "jsonl")
        if fmt not in ("jsonl", "csv", "tsv"):
            raise ValueError(f"Unknown record format {fmt!r}; use jsonl, csv or tsv.")
        self.fmt = fmt
        self._own = isinstance(target, (str, Path))
        self._fh: TextIO = open(target, "w", encoding="utf-8", newline="") if self._own else target  # type: ignore[arg-type]
        self._csv = None
        if fmt in ("csv", "tsv"):
            self._csv = csv.DictWriter(self._fh, fieldnames=list(RECORD_FIELDS), delimiter="," if fmt == "csv" else "\t")
            self._csv.writeheader()
        self.records = 0

    def write(self, result: ArticleAnalysis | DocumentError) -> list[dict[str, Any]]:
        rows = records_of(result)
        for row in rows:
            if self._csv is not None:
                self._csv.writerow(row)
            else:
                self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.records += len(rows)
        return rows

    def close(self) -> None:
        if self._own:
            self._fh.close()
        else:
            self._fh.flush()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


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
        self.documents = 0
        self.errors = 0
        self.quotes = 0

    def add(self, result: ArticleAnalysis | DocumentError, records: list[dict[str, Any]] | None = None) -> None:
        """Count one result; pass its ``records`` when already built (e.g. by :meth:`RecordWriter.write`)."""
        self.documents += 1
        if isinstance(result, DocumentError):
            self.errors += 1
            return
        self.quotes += len(result.quotes)
        for row in records if records is not None else result.to_records():
            self.add_record(row)

    def add_record(self, row: dict[str, Any]) -> None:
        if row.get("status") != "ok" or not row.get("target") or not row.get("stance"):
            return
        if row.get("via") == "none" and not self.include_unaddressed:
            return
        keys = [(self._by_speaker, (row.get("speaker") or "unknown speaker", row["target"]))]
        if row.get("date"):
            keys.append((self._by_date, (self._period_of(str(row["date"])), row["target"])))
        for table, key in keys:
            cell = table[key]
            cell[row["stance"]] += 1
            cell["n"] += 1
            for label in STANCE_LABELS:
                cell[f"p_{label.lower()}"] += float(row.get(f"p_{label.lower()}") or 0.0)

    def _period_of(self, date: str) -> str:
        return date[: {"day": 10, "month": 7, "year": 4}[self.period]]

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
# Plots (matplotlib, optional)
# --------------------------------------------------------------------------------------------------

def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("Plots need matplotlib: pip install 'stanceclf[plots]'.") from None
    return plt


def plot_stance_matrix(aggregate: StanceAggregate, path: str | Path | None = None, max_speakers: int = 25) -> Any:
    """Heatmap of net stance (mean P(FAVOR) - P(AGAINST)) per speaker x target, with counts.

    Returns the matplotlib figure; saves it to ``path`` (PNG, SVG or PDF by suffix) when given.
    """
    plt = _pyplot()
    import numpy as np

    data = aggregate.matrix()
    totals: dict[str, int] = defaultdict(int)
    for (speaker, _), cell in data.items():
        totals[speaker] += cell["n"]
    speakers = sorted(totals, key=lambda s: (-totals[s], s))[:max_speakers]
    targets = sorted({t for _, t in data})
    grid = np.full((len(speakers), len(targets)), np.nan)
    for i, s in enumerate(speakers):
        for j, t in enumerate(targets):
            if (s, t) in data:
                grid[i, j] = data[(s, t)]["net"]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * max(1, len(targets)), 1.2 + 0.45 * max(1, len(speakers))))
    if not data:
        ax.axis("off")
        ax.text(0.5, 0.5, "no (quote, target) pairs", ha="center", va="center", transform=ax.transAxes)
        if path is not None:
            fig.savefig(path)
        return fig
    im = ax.imshow(grid, cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(targets)), labels=targets, rotation=30, ha="right")
    ax.set_yticks(range(len(speakers)), labels=speakers)
    for i, s in enumerate(speakers):
        for j, t in enumerate(targets):
            if (s, t) in data:
                ax.text(j, i, f"n={data[(s, t)]['n']}", ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, label="mean P(FAVOR) - P(AGAINST)")
    ax.set_title("Stance by speaker and target")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def plot_stance_over_time(aggregate: StanceAggregate, path: str | Path | None = None) -> Any:
    """Net stance per target over time (one line per target); needs documents with dates."""
    plt = _pyplot()
    data = aggregate.over_time()
    fig, ax = plt.subplots(figsize=(8, 4))
    for target in sorted({t for _, t in data}):
        points = sorted((p, v["net"]) for (p, t), v in data.items() if t == target)
        ax.plot([p for p, _ in points], [v for _, v in points], marker="o", label=target)
    ax.axhline(0, color="#999", linewidth=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("mean P(FAVOR) - P(AGAINST)")
    ax.set_title(f"Stance over time (per {aggregate.period})")
    if data:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no dated documents", ha="center", va="center", transform=ax.transAxes)
    fig.autofmt_xdate()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def _figure_data_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# --------------------------------------------------------------------------------------------------
# HTML report
# --------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
article{border-top:1px solid #ccc;margin-top:2rem;padding-top:1rem}
.text{white-space:pre-wrap}
mark{padding:0 .1em;border-radius:.2em;border-bottom:3px solid}
mark.FAVOR{background:#d9f0d3;border-color:#1a9850} mark.AGAINST{background:#fddbc7;border-color:#d73027}
mark.NONE{background:#eee;border-color:#878787} mark.notarget{background:#fff3bf;border-color:#e6b800}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem} td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
.legend span{margin-right:1rem} small{color:#666} .err{color:#b00}
"""


def _quote_title(qa: Any) -> str:
    q = qa.quote
    parts = [f"Speaker: {q.speaker or 'unknown'} ({q.kind.value}, extraction confidence {q.confidence:.2f})"]
    for s in qa.stances:
        probs = ", ".join(f"{k} {s.probabilities.get(k, 0.0):.2f}" for k in STANCE_LABELS)
        parts.append(f"{s.target}: {s.label} ({probs}; via {s.via})")
    if not qa.stances:
        parts.append("No target addressed")
    return "\n".join(parts)


def _quote_class(qa: Any) -> str:
    addressed = [s for s in qa.stances if s.addressed]
    if not addressed:
        return "notarget"
    best = max(addressed, key=lambda s: s.probabilities.get(s.label, 0.0) if s.label != "NONE" else 0.0)
    return best.label


def _article_html(result: ArticleAnalysis) -> str:
    text = result.text
    pieces, pos = [], 0
    for qa in sorted(result.quotes, key=lambda qa: qa.quote.start):
        q = qa.quote
        if q.start < pos:  # nested in the previous quote: listed in the table, not highlighted twice
            continue
        pieces.append(html.escape(text[pos:q.start]))
        pieces.append(f'<mark class="{_quote_class(qa)}" id="{html.escape(result.id)}-q{qa.index}" '
                      f'title="{html.escape(_quote_title(qa))}">{html.escape(text[q.start:q.end])}</mark>')
        pos = q.end
    pieces.append(html.escape(text[pos:]))
    rows = []
    for qa in result.quotes:
        stances = "; ".join(f"{html.escape(s.target)}: <b>{s.label}</b> {s.probabilities.get(s.label, 0.0):.2f}"
                            for s in qa.stances) or "<small>no target</small>"
        rows.append(f"<tr><td>{qa.index}</td><td>{html.escape(qa.quote.speaker or 'unknown')}</td>"
                    f"<td>{qa.quote.kind.value}</td><td>{html.escape(qa.quote.text)}</td><td>{stances}</td></tr>")
    meta = " &middot; ".join(html.escape(str(x)) for x in (result.date, result.source) if x)
    targets = ", ".join(html.escape(t.name) for t in result.targets) or "none"
    suggested = " <small>(suggested from the article)</small>" if result.targets_suggested else ""
    return (f'<article id="{html.escape(result.id)}"><h2>{html.escape(result.id)}</h2>'
            f"<p><small>{meta}</small></p><p>Targets: {targets}{suggested}</p>"
            f'<div class="text">{"".join(pieces)}</div>'
            "<table><thead><tr><th>#</th><th>Speaker</th><th>Kind</th><th>Quote</th><th>Stance</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></article>")


def _matrix_html(aggregate: StanceAggregate) -> str:
    data = aggregate.matrix()
    if not data:
        return "<p>No (quote, target) pairs to aggregate.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(s)}</td><td>{html.escape(t)}</td><td>{v['n']}</td><td>{v['FAVOR']}</td>"
        f"<td>{v['AGAINST']}</td><td>{v['NONE']}</td><td>{v['mean_p_favor']:.2f}</td><td>{v['mean_p_against']:.2f}</td></tr>"
        for (s, t), v in sorted(data.items(), key=lambda kv: (-kv[1]["n"], kv[0])))
    return ("<table><thead><tr><th>Speaker</th><th>Target</th><th>Pairs</th><th>FAVOR</th><th>AGAINST</th>"
            f"<th>NONE</th><th>mean P(FAVOR)</th><th>mean P(AGAINST)</th></tr></thead><tbody>{rows}</tbody></table>")


def write_html_report(results: Iterable[ArticleAnalysis | DocumentError], path: str | Path | None = None, *,
                      aggregate: StanceAggregate | None = None, max_articles: int = 200, plots: bool = True,
                      title: str = "stanceclf report") -> str:
    """Build a standalone HTML report (returned, and written to ``path`` when given).

    Each article is shown with its quotes highlighted and coloured by stance (hover for speaker and
    probabilities), followed by a quote table; the corpus part shows the speaker x target aggregate
    and, with matplotlib installed, the stance heatmap and stance-over-time plots. Only the first
    ``max_articles`` articles are rendered in full (the report says so); aggregates cover all.
    """
    agg = aggregate
    build_agg = agg is None
    if build_agg:
        agg = StanceAggregate()
    articles, errors, shown = [], [], 0
    for result in results:
        if build_agg:
            agg.add(result)
        if isinstance(result, DocumentError):
            errors.append(result)
        elif shown < max_articles:
            articles.append(_article_html(result))
            shown += 1
    figures = []
    if plots and agg.matrix():
        try:
            figures.append(("Stance by speaker and target", _figure_data_uri(plot_stance_matrix(agg))))
            if agg.over_time():
                figures.append(("Stance over time", _figure_data_uri(plot_stance_over_time(agg))))
        except ImportError:
            figures = []
    hidden = agg.documents - agg.errors - shown
    err_html = ""
    if errors:
        items = "".join(f"<li><b>{html.escape(e.id)}</b> ({e.stage}): {html.escape(e.error)}</li>" for e in errors[:500])
        more = f"<li>... and {len(errors) - 500} more</li>" if len(errors) > 500 else ""
        err_html = f'<h2 class="err">Documents that could not be analysed ({len(errors)})</h2><ul>{items}{more}</ul>'
    legend = "".join(f'<span><mark class="{k}">{k}</mark></span>' for k in STANCE_LABELS)
    legend += '<span><mark class="notarget">quote, no target</mark></span>'
    doc = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{agg.documents} document(s), {agg.quotes} quote(s), {agg.errors} error(s).</p>"
        f'<p class="legend">{legend}<small>Hover over a quote for its speaker and stance probabilities.</small></p>'
        f"<h2>Speaker &times; target</h2>{_matrix_html(agg)}"
        + "".join(f'<figure><img alt="{html.escape(c)}" src="{uri}"><figcaption>{html.escape(c)}</figcaption></figure>'
                  for c, uri in figures)
        + err_html
        + (f"<p><small>Showing the first {shown} articles; {hidden} more are in the aggregates and the records.</small></p>"
           if hidden > 0 else "")
        + "".join(articles) + "</body></html>\n"
    )
    if path is not None:
        Path(path).write_text(doc, encoding="utf-8")
    return doc
