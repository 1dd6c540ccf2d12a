"""Plots of a corpus's stance aggregate: a speaker x target heatmap and net stance over time.

They take a :class:`~stanceclf.analysis.outputs.StanceAggregate` and return a
:class:`matplotlib.figure.Figure` built with matplotlib's object-oriented API (no pyplot state and no
backend switch), so they work the same in scripts, servers and notebooks; matplotlib loads on the
first plot (``pip install 'stanceclf[plots]'``). Their colours are colour-blind safe (Okabe-Ito blue
for FAVOR, vermillion/orange for AGAINST, grey for NONE; :data:`STANCE_COLOURS`, also the HTML
report's) and every cell and point also carries its value as text.

>>> run = run_corpus(["news/"], Analyzer(), {"NATO": []})                     # doctest: +SKIP
>>> plot_stance_matrix(run.aggregate, "matrix.png")                           # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # pragma: no cover - the plots only read an aggregate; outputs.py re-exports them
    from .outputs import StanceAggregate

__all__ = ["plot_stance_matrix", "plot_stance_over_time", "net_stance_cmap", "STANCE_COLOURS", "NET_STANCE_COLOURS",
           "NO_DATA_COLOUR"]

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
