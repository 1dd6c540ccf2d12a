"""Outputs: JSONL/CSV records, the terminal table, the HTML report, aggregates and plots."""

from __future__ import annotations

import colorsys
import csv
import datetime as dt
import importlib.metadata
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stanceclf import DataError

from stanceclf.analysis import (VIAS, ArticleAnalysis, DocumentError, QuoteAnalysis, RECORD_FIELDS, TargetStance,
                                parse_targets)
from stanceclf.analysis import outputs, plots
from stanceclf.analysis.outputs import (RecordWriter, StanceAggregate, format_article_table, records_dataframe,
                                        records_of, write_html_report)
from stanceclf.analysis.plots import (NET_STANCE_COLOURS, STANCE_COLOURS, net_stance_cmap, plot_stance_matrix,
                                      plot_stance_over_time)
from stanceclf.analysis.report import MEASURED_ACCURACY, VIA_EXPLANATIONS, article_fragment
from stanceclf.types import Quote, QuoteKind, Span

ROOT = Path(__file__).resolve().parents[1]

TEXT = 'Ana Silva said the pact was "a disgrace & a <trap>". "We back NATO," said Ben Ode.\n\nNo quote here.'


def _analysis(doc_id: str = "a1", date: str | None = "2025-03-04") -> ArticleAnalysis:
    def quote(fragment: str, speaker: str, kind: QuoteKind) -> Quote:
        start = TEXT.index(fragment)
        return Quote(Span(start, start + len(fragment), fragment), kind, speaker=speaker)

    q1 = quote("a disgrace & a <trap>", "Ana Silva", QuoteKind.PARTIAL)
    q2 = quote("We back NATO,", "Ben Ode", QuoteKind.DIRECT)
    s1 = TargetStance("pact", "AGAINST", {"AGAINST": 0.8, "FAVOR": 0.1, "NONE": 0.1}, "sentence")
    s2 = TargetStance("NATO", "FAVOR", {"AGAINST": 0.1, "FAVOR": 0.7, "NONE": 0.2}, "quote")
    s3 = TargetStance("pact", "NONE", {"AGAINST": 0.2, "FAVOR": 0.2, "NONE": 0.6}, "none")
    return ArticleAnalysis(doc_id, TEXT, [QuoteAnalysis(0, q1, Span(0, 52, TEXT[:52]), (s1,)),
                                          QuoteAnalysis(1, q2, Span(53, 83, TEXT[53:83]), (s2, s3))],
                           parse_targets(["pact", "NATO"]), model="test", date=date)


ERROR = DocumentError("bad", "The document is empty (no text after stripping whitespace).", "x.txt", "validate")


def test_jsonl_and_csv_records(tmp_path: Path):
    for name in ("out.jsonl", "out.csv"):
        with RecordWriter(tmp_path / name) as writer:
            writer.write(_analysis())
            writer.write(ERROR)
            writer.write(ArticleAnalysis("empty", "Nothing.", [], []))
        assert writer.records == 5
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "error", "no_quotes"]
    assert all(list(r) == list(RECORD_FIELDS) for r in rows)
    assert rows[0]["quote"] == "a disgrace & a <trap>" and rows[0]["p_against"] == 0.8
    assert rows[3]["error"].startswith("The document is empty")
    with open(tmp_path / "out.csv", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert [r["doc_id"] for r in csv_rows] == ["a1", "a1", "a1", "bad", "empty"]
    assert csv_rows[2]["target"] == "pact" and csv_rows[2]["via"] == "none"


def test_records_dataframe_covers_results_and_errors():
    frame = records_dataframe([_analysis(), ERROR])
    assert list(frame.columns) == list(RECORD_FIELDS)
    assert frame["status"].tolist() == ["ok", "ok", "ok", "error"]


def test_table_lists_every_quote_and_stance():
    table = format_article_table(_analysis())
    assert "Ana Silva (partial)" in table and "Ben Ode (direct)" in table
    assert "pact" in table and "AGAINST" in table and "FAVOR" in table


class _Checker(HTMLParser):
    """Parses a page: tag balance, the marks, the visible text and the text of the article bodies
    (``.stc-text``) with and without the speaker / label tags."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.marks, self.text, self.ids, self.links = [], [], [], [], set(), []
        self.classes: list[list[str]] = []  # the class lists of the open elements
        self.bodies: list[str] = []  # each article text without the tags added by the report
        self.tags: list[list[tuple[str, str]]] = []  # per article text: (class, visible text) of each tag
        self._tag: list[str] | None = None

    def _in(self, cls: str) -> bool:
        return any(cls in c for c in self.classes)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = (attrs.get("class") or "").split()
        if tag not in self.VOID:
            self.stack.append(tag)
            self.classes.append(cls)
        if tag == "mark":
            self.marks.append(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if "stc-text" in cls:
            self.bodies.append("")
            self.tags.append([])
        if ("stc-who" in cls or "stc-tag" in cls) and self._in("stc-text"):
            self._tag = [" ".join(cls), ""]
            self.tags[-1].append(self._tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()
        cls = self.classes.pop()
        if "stc-who" in cls or "stc-tag" in cls:
            self._tag = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in("stc-text"):
            if self._tag is not None:
                if not self._in("stc-vh"):
                    self._tag[1] += data
            else:
                self.bodies[-1] += data


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    return checker


GENERATED = dt.datetime(2025, 6, 7, 8, 9, tzinfo=dt.timezone.utc)


def test_html_report_is_valid_and_contains_every_quote(tmp_path: Path):
    html = write_html_report([_analysis(), ERROR, _analysis("a2", "2025-04-01")], tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text() == html and html.startswith("<!DOCTYPE html>")
    checker = _parse(html)
    text = "".join(checker.text)
    for fragment in ("a disgrace & a <trap>", "We back NATO,"):
        assert fragment in text  # escaped in the markup, intact once parsed
    quotes = [m for m in checker.marks if m.get("id")]
    assert len(quotes) == 2 * 2 and len(checker.marks) == len(quotes) + 5  # 5 legend examples
    assert checker.bodies == [TEXT, TEXT]  # the article text itself is unchanged by the highlighting
    titles = [m.get("title", "") for m in quotes]  # a tooltip too, for mouse users
    assert any("Speaker: Ana Silva" in t and "pact: AGAINST" in t for t in titles)
    assert "could not be analysed (1)" in html and "The document is empty" in html
    assert html.count("data:image/png;base64,") == 2  # the matrix and time plots are embedded
    assert "<article" in html and html.count("<article") == 2
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # self-contained: nothing fetched


def test_speakers_and_every_label_are_visible_in_the_text():
    checker = _parse(write_html_report([_analysis()], plots=False))
    (tags,) = checker.tags
    visible = [(cls.split()[0], text.strip()) for cls, text in tags]
    # speaker tag before each quote, then one tag per target: visible text, not only a tooltip
    assert visible == [("stc-who", "Ana Silva"), ("stc-tag", "\u2192 pact: AGAINST 0.80"),
                       ("stc-who", "Ben Ode"), ("stc-tag", "\u2192 NATO: FAVOR 0.70"),
                       ("stc-tag", "not addressed: pact")]
    classes = [m["class"].split() for m in checker.marks if m.get("id")]
    assert "stc-AGAINST" in classes[0] and "stc-FAVOR" in classes[1]


def test_a_quote_with_two_targets_shows_both_labels_and_a_mixed_highlight():
    q = Quote(Span(0, 13, TEXT[:13]), QuoteKind.DIRECT, speaker="Ana Silva")
    mixed = (TargetStance("pact", "AGAINST", {"AGAINST": 0.81, "FAVOR": 0.1, "NONE": 0.09}, "quote"),
             TargetStance("NATO", "FAVOR", {"AGAINST": 0.2, "FAVOR": 0.6, "NONE": 0.2}, "framing"))
    same = (TargetStance("pact", "AGAINST", {"AGAINST": 0.7, "FAVOR": 0.1, "NONE": 0.2}, "quote"),
            TargetStance("NATO", "AGAINST", {"AGAINST": 0.6, "FAVOR": 0.2, "NONE": 0.2}, "sentence"))
    for stances, css in ((mixed, "stc-mixed"), (same, "stc-AGAINST")):
        article = ArticleAnalysis("m", TEXT, [QuoteAnalysis(0, q, q.content, stances)], parse_targets(["pact", "NATO"]))
        checker = _parse(article_fragment(article))
        (mark,) = [m for m in checker.marks if m.get("id")]
        assert css in mark["class"].split()
        labels = [text.strip() for cls, text in checker.tags[0] if "stc-tag" in cls]
        assert labels == [f"\u2192 {s.target}: {s.label} {s.probabilities[s.label]:.2f}" for s in stances]


def test_nested_quotes_keep_their_speakers_and_labels_inline():
    outer = Quote(Span(0, 52, TEXT[:52]), QuoteKind.INDIRECT, speaker="Ana Silva")
    inner = Quote(Span(29, 50, TEXT[29:50]), QuoteKind.PARTIAL, speaker="Ana Silva")
    article = ArticleAnalysis("n", TEXT, [
        QuoteAnalysis(0, outer, outer.content,
                      (TargetStance("pact", "AGAINST", {"AGAINST": 0.6, "FAVOR": 0.2, "NONE": 0.2}, "quote"),)),
        QuoteAnalysis(1, inner, inner.content,
                      (TargetStance("pact", "NONE", {"AGAINST": 0.3, "FAVOR": 0.1, "NONE": 0.6}, "sentence"),))],
        parse_targets(["pact"]))
    checker = _parse(article_fragment(article))
    assert checker.bodies == [TEXT]
    tags = [text.strip() for _, text in checker.tags[0]]
    assert tags == ["#1 Ana Silva", "#2 Ana Silva", "#1 \u2192 pact: AGAINST 0.60", "#2 \u2192 pact: NONE 0.60"]
    (mark,) = [m for m in checker.marks if m.get("id")]
    assert "stc-mixed" in mark["class"].split()


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def _red_or_green(colour: str) -> str | None:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, s, _ = colorsys.rgb_to_hsv(r, g, b)
    if s < 0.25:
        return None  # a grey
    h *= 360
    return "red" if h < 15 or h > 340 else "green" if 75 <= h <= 160 else None


def test_palette_is_colour_blind_safe_and_used_by_report_and_plots():
    # FAVOR / AGAINST are blue and orange: no red-green pair, in the CSS or the heatmap's colormap
    assert _red_or_green(STANCE_COLOURS["FAVOR"]) is None and _red_or_green(STANCE_COLOURS["AGAINST"]) is None
    assert 180 <= _hue(STANCE_COLOURS["FAVOR"]) <= 240 and 15 <= _hue(STANCE_COLOURS["AGAINST"]) <= 45
    for colour in NET_STANCE_COLOURS:
        assert _red_or_green(colour) is None
    cmap = net_stance_cmap()
    ends = ["#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in cmap(x)[:3])) for x in (0.0, 0.15, 0.85, 1.0)]
    assert [_red_or_green(c) for c in ends] == [None] * 4
    html = write_html_report([_analysis()], plots=False)
    css = html[html.index("<style>"):html.index("</style>")]
    assert STANCE_COLOURS["FAVOR"] in css and STANCE_COLOURS["AGAINST"] in css
    found = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", css)}
    kinds = {_red_or_green(c) for c in found}
    assert not {"red", "green"} <= kinds  # never a red next to a green


def test_report_names_model_version_date_and_measured_accuracy():
    html = write_html_report([_analysis()], plots=False, generated=GENERATED)
    text = " ".join("".join(_parse(html).text).split())
    assert f"stanceclf {importlib.metadata.version('stanceclf')}" in text
    assert "Generated 2025-06-07 08:09 UTC" in text and "stance model: test" in text
    example, news = MEASURED_ACCURACY["example"], MEASURED_ACCURACY["news"]
    assert f"{example['correct']} of {example['pairs']} quote\u2013target pairs right" in text
    assert f"{news['correct']} of {news['pairs']}" in text and "docs/analysis.md" in text
    assert "not the built-in one" in text  # the model "test" was not measured
    default = write_html_report([_analysis()], plots=False, model="default")
    assert "stance model: <b>default</b>" in default and "not the built-in one" not in default


def test_measured_accuracy_matches_the_benchmark_files():
    m = MEASURED_ACCURACY
    for key in ("example", "news"):
        result = json.loads((ROOT / m[key]["source"]).read_text())
        assert result["model"] == m["model"]
        aimed = result["stance_aimed"]
        assert (aimed["correct"], aimed["pairs"]) == (m[key]["correct"], m[key]["pairs"])
        assert len(result["articles"]) == m[key]["articles"]
    (scores,) = [r["scores"] for r in json.loads((ROOT / m["news_macro_f1"]["source"]).read_text())]
    assert round(scores["macro_f1"], 3) == m["news_macro_f1"]["value"] and scores["n"] == m["news_macro_f1"]["pairs"]
    docs = (ROOT / "docs" / "analysis.md").read_text()
    assert "## Measured numbers" in docs and f"({m['example']['correct']}/{m['example']['pairs']})" in docs


def test_glossary_explains_the_jargon():
    assert set(VIA_EXPLANATIONS) == set(VIAS)
    html = write_html_report([_analysis()], plots=False)
    glossary = html[html.index('id="glossary"'):]
    for term in ("Extraction confidence", "P(FAVOR)", "Net stance", "How the target was linked", "reported speech"):
        assert term in glossary
    for via in VIAS:
        assert f"<code>{via}</code>" in glossary
    # plain column names; the per-quote table says how each target was linked in words
    assert "named in the same sentence (sentence)" in html and "Extraction confidence</th>" in html


def _many_speakers(n: int = 30) -> StanceAggregate:
    agg = StanceAggregate()
    agg.add(_analysis())
    for i in range(n):
        agg.add_record({"status": "ok", "speaker": f"Speaker {i:02d}", "target": "NATO", "stance": "FAVOR",
                        "p_favor": 0.9, "p_against": 0.05, "p_none": 0.05, "via": "quote"})
    return agg


def test_heatmap_axes_counts_no_data_and_speaker_cap():
    from matplotlib.figure import Figure

    agg = _many_speakers(30)
    agg.add(ArticleAnalysis("x", "No quotes.", [], parse_targets(["EU"])))  # a target nobody was linked to
    fig = plot_stance_matrix(agg, max_speakers=25)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("Target", "Speaker", "")
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert columns[:2] == ["pact", "NATO"] and columns[2] == "EU\n(no pairs)"  # kept, and said to be empty
    assert len(ax.get_yticklabels()) == 25
    texts = [t.get_text() for t in ax.texts]
    assert "\u22120.70\nn=1" in texts and "+0.85\nn=1" in texts  # net value and n, as text
    assert all(t.get_fontsize() >= 10 for t in ax.texts)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 25 * 3 - sum(1 for t in texts if "n=" in t)  # every empty cell is hatched grey
    legend_labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "no pairs" in legend_labels
    notes = [fig._supxlabel.get_text()] if getattr(fig, "_supxlabel", None) else []
    assert any("7 more speaker(s) left out" in n for n in notes)  # 32 speakers, 25 shown
    # text colour follows the background: white on the darkest cells, black on pale ones
    dark = plot_stance_matrix(_one_pair(0.98, 0.0)).axes[0].texts[0]
    light = plot_stance_matrix(_one_pair(0.05, 0.0)).axes[0].texts[0]
    assert (dark.get_text(), dark.get_color()) == ("+0.98\nn=1", "white")
    assert (light.get_text(), light.get_color()) == ("+0.05\nn=1", "black")


def _one_pair(p_favor: float, p_against: float) -> StanceAggregate:
    agg = StanceAggregate()
    agg.add_record({"status": "ok", "speaker": "A", "target": "T", "stance": "NONE", "p_favor": p_favor,
                    "p_against": p_against, "p_none": 1 - p_favor - p_against, "via": "quote"})
    return agg


def test_report_lists_targets_without_pairs_and_states_the_speaker_cap():
    agg = _many_speakers(30)
    agg.add(ArticleAnalysis("x", "No quotes.", [], parse_targets(["EU"])))
    html = write_html_report([_analysis()], aggregate=agg, max_speakers=25)
    text = " ".join("".join(_parse(html).text).split())
    assert "Targets without any pair" in text and "EU." in text
    assert "7 more speaker(s) are left out of the heatmap" in text and "lists all 32" in text
    rows = re.findall(r"<tr><td>Speaker \d\d</td>", html)
    assert len(rows) == 30  # the table keeps every speaker


def test_over_time_plot_uses_a_date_axis_and_shows_n():
    agg = StanceAggregate(period="month")
    for doc, date in (("a", "2025-03-04"), ("b", "2025-04-10"), ("c", "2025-04-20")):
        agg.add(_analysis(doc, date))
    agg.add_record({"status": "ok", "speaker": "X", "target": "NATO", "stance": "FAVOR", "p_favor": 1.0,
                    "p_against": 0.0, "p_none": 0.0, "date": "n.d.", "via": "quote"})
    fig = plot_stance_over_time(agg)
    ax = fig.axes[0]
    assert ax.get_title() == ""
    converter = ax.xaxis.get_converter() if hasattr(ax.xaxis, "get_converter") else ax.xaxis.converter
    assert "Date" in type(converter).__name__  # a real date axis, not category labels
    lines = [line for line in ax.get_lines() if list(line.get_xdata()) != [0, 1]]  # not the zero line
    assert len(lines) == 2 and all(isinstance(x, dt.date) for line in lines for x in line.get_xdata())
    labels = sorted(t.get_text() for t in ax.texts if t.get_text().startswith("n="))
    assert labels == ["n=1", "n=1", "n=2", "n=2"]  # pact and NATO: 1 pair in March, 2 in April
    assert "unreadable dates" in ax.get_xlabel()
    legend_titles = {legend.get_title().get_text() for legend in fig.legends}
    assert {"Target", "Pairs per point"} <= legend_titles


def test_over_time_plot_gives_many_targets_one_panel_each():
    agg = StanceAggregate(period="day")
    for k, target in enumerate(["A", "B", "C", "D"]):
        for day in (1, 2):
            agg.add_record({"status": "ok", "speaker": "S", "target": target, "stance": "FAVOR", "p_favor": 0.2 * k,
                            "p_against": 0.1, "p_none": 0.0, "date": f"2025-01-0{day}", "via": "quote"})
    fig = plot_stance_over_time(agg)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["A", "B", "C", "D"]


def test_plots_do_not_touch_pyplot_or_the_backend(tmp_path: Path):
    # a fresh interpreter: the plots and the report must neither import pyplot nor switch the backend
    # (matplotlib.use("Agg") in library code breaks notebooks)
    code = "\n".join([
        "import matplotlib, sys",
        "matplotlib.use('svg')",
        "from stanceclf.analysis.outputs import StanceAggregate, write_html_report",
        "from stanceclf.analysis.plots import plot_stance_matrix, plot_stance_over_time",
        "agg = StanceAggregate()",
        "agg.add_record({'status': 'ok', 'speaker': 'A', 'target': 'T', 'stance': 'FAVOR', 'p_favor': 0.9, "
        "'p_against': 0.0, 'p_none': 0.1, 'date': '2025-01-02', 'via': 'quote'})",
        "plot_stance_matrix(agg, sys.argv[1]); plot_stance_over_time(agg)",
        "assert 'data:image/png;base64,' in write_html_report([], aggregate=agg)",
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()",
        "assert 'matplotlib.pyplot' not in sys.modules",
    ])
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m.png")], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    for module in ("outputs.py", "plots.py", "report.py"):
        source = (ROOT / "stanceclf" / "analysis" / module).read_text()
        assert not re.search(r"matplotlib\.use\(|import matplotlib\.pyplot|from matplotlib import pyplot", source)


def test_outputs_still_offers_the_plots_under_their_old_names():
    for name in plots.__all__:
        assert getattr(outputs, name) is getattr(plots, name) and name in outputs.__all__


def test_toc_links_every_article_and_tables_are_sortable():
    results = [_analysis(f"article {i}") for i in range(12)]
    html = write_html_report(results, plots=False)
    checker = _parse(html)
    toc = html[html.index('<nav class="stc-toc"'):html.index("</nav>")]
    anchors = re.findall(r'<a href="#(art\d+-[^"]+)">', toc)
    assert len(anchors) == 12 and all(a in checker.ids for a in anchors)  # every link lands on its article
    assert len(set(anchors)) == 12
    assert all(href[1:] in checker.ids for href in checker.links if href.startswith("#"))  # no dead link
    assert html.count('class="stc-sortable"') == 1 + 12  # speaker x target + one quote table per article
    assert 'data-sort="-0.7000"' in html and "<script>" in html  # numeric sort keys; the sorter itself
    single = write_html_report([_analysis()], plots=False)
    assert "Articles (1)" in single


def test_report_caps_articles_but_aggregates_all():
    html = write_html_report([_analysis(f"a{i}") for i in range(5)], max_articles=2, plots=False)
    assert html.count("<article") == 2 and "3 more are in the aggregates" in html


def test_everything_from_the_data_is_escaped():
    evil = "<img src=x onerror=alert(1)>\"'"
    q = Quote(Span(0, 9, TEXT[:9]), QuoteKind.DIRECT, speaker=evil)
    article = ArticleAnalysis(evil, TEXT, [QuoteAnalysis(0, q, q.content, (
        TargetStance(evil, "AGAINST", {"AGAINST": 0.9, "FAVOR": 0.05, "NONE": 0.05}, "quote"),))],
        parse_targets([evil]), model=evil, date=evil, source=evil)
    for html in (write_html_report([article, DocumentError(evil, evil, evil, "read")], plots=False, title=evil,
                                   model=evil),
                 article_fragment(article)):
        assert "<img src=x" not in html and "onerror=alert(1)>" not in html
        _parse(html)


def test_jupyter_view_and_python_conventions(tmp_path: Path):
    a = _analysis()
    fragment = a._repr_html_()
    assert fragment.lstrip().startswith("<div")
    for whole_page in ("<html", "<body", "<!DOCTYPE", "<script", "<head"):
        assert whole_page not in fragment
    checker = _parse(fragment)
    assert checker.bodies == [TEXT]
    assert [t.strip() for c, t in checker.tags[0] if "stc-who" in c] == ["Ana Silva", "Ben Ode"]
    assert a.to_html(tmp_path / "f.html", fragment=True) == fragment == (tmp_path / "f.html").read_text()
    page = a.to_html(tmp_path / "p.html")
    assert page.startswith("<!DOCTYPE html>") and (tmp_path / "p.html").read_text() == page
    assert repr(a) == "ArticleAnalysis(id='a1', quotes=2, targets=['pact', 'NATO'])"
    assert len(a) == 2 and list(a) == a.quotes and [qa.speaker for qa in a] == ["Ana Silva", "Ben Ode"]
    empty = ArticleAnalysis("e", "Nothing.", [], parse_targets([f"t{i}" for i in range(8)]))
    assert len(empty) == 0 and bool(empty)  # a result without quotes is still a result
    assert repr(empty).endswith("'t3', 't4', ... +3])")


def test_aggregate_matrix_and_time():
    agg = StanceAggregate(period="month")
    for r in (_analysis("a", "2025-03-04"), _analysis("b", "2025-04-10"), ERROR):
        agg.add(r)
    assert (agg.documents, agg.errors, agg.quotes) == (3, 1, 4)
    matrix = agg.matrix()
    assert matrix[("Ana Silva", "pact")]["AGAINST"] == 2
    assert matrix[("Ana Silva", "pact")]["net"] == pytest.approx(0.1 - 0.8)
    assert ("Ben Ode", "pact") not in matrix  # via="none" is not counted by default
    assert set(agg.over_time()) == {("2025-03", "pact"), ("2025-03", "NATO"), ("2025-04", "pact"), ("2025-04", "NATO")}
    frame = agg.to_dataframe()
    assert set(frame["speaker"]) == {"Ana Silva", "Ben Ode"}
    with_unaddressed = StanceAggregate(include_unaddressed=True)
    with_unaddressed.add(_analysis())
    assert ("Ben Ode", "pact") in with_unaddressed.matrix()


def test_plots_are_written(tmp_path: Path):
    agg = StanceAggregate()
    agg.add(_analysis())
    plot_stance_matrix(agg, tmp_path / "m.png")
    plot_stance_over_time(agg, tmp_path / "t.svg")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "t.svg").read_bytes()[:500]
    plot_stance_matrix(StanceAggregate(), tmp_path / "empty.png")  # no pairs: a labelled empty figure
    assert (tmp_path / "empty.png").read_bytes()[:4] == b"\x89PNG"
    plot_stance_over_time(StanceAggregate(), tmp_path / "none.png")  # no dates: a labelled empty figure
    assert (tmp_path / "none.png").read_bytes()[:4] == b"\x89PNG"


def test_record_writer_rejects_unknown_format(tmp_path):
    with pytest.raises(DataError, match="jsonl, csv, tsv or parquet"):
        RecordWriter(io.StringIO(), fmt="xml")
    with pytest.raises(DataError, match="parquet"):  # never a silent JSONL file named .xlsx
        RecordWriter(tmp_path / "records.xlsx")
    assert not (tmp_path / "records.xlsx").exists()


def test_parquet_records_are_typed(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    result = _analysis()
    with RecordWriter(tmp_path / "r.parquet", row_group_size=1) as writer:  # several row groups, one schema
        writer.write(result)
        writer.write(DocumentError("d9", "empty", stage="validate"))
    frame = pd.read_parquet(tmp_path / "r.parquet")
    expected = records_dataframe([result, DocumentError("d9", "empty", stage="validate")])
    assert len(frame) == len(expected) and list(frame.columns) == list(expected.columns)
    assert isinstance(frame["stance"].dtype, pd.CategoricalDtype)
    assert frame["status"].tolist() == expected["status"].tolist()
    assert frame["p_favor"].tolist() == pytest.approx(expected["p_favor"].tolist(), nan_ok=True)


def test_dataframes_have_pandas_types():
    pd = pytest.importorskip("pandas")
    frame = _analysis().to_dataframe()
    assert frame["date"].dtype.kind == "M"  # datetime64
    for column in ("stance", "kind", "via", "status"):
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
    assert str(frame["quote_index"].dtype) == "Int64"
    from stanceclf.analysis.results import records_frame

    # a date that is not ISO 8601 keeps the column as text rather than becoming NaT
    texts = records_frame([{**row, "date": "spring 2025"} for row in _analysis().to_records()])
    assert texts["date"].tolist()[0] == "spring 2025"


def test_records_follow_the_documented_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from stanceclf.analysis.results import RECORD_CATEGORIES

    schema = json.loads((Path(__file__).resolve().parents[1] / "docs/records.schema.json").read_text())
    assert list(schema["properties"]) == list(RECORD_FIELDS) == schema["required"]
    for name, values in RECORD_CATEGORIES.items():  # the schema's vocabularies are the code's
        assert set(schema["properties"][name]["enum"]) - {None} == set(values), name
    empty = ArticleAnalysis("e", "No quotes here.", [], [], model="test")
    rows = [*_analysis().to_records(), *records_of(ERROR), *empty.to_records()]
    assert {r["status"] for r in rows} == {"ok", "error", "no_quotes"}
    validator = jsonschema.Draft202012Validator(schema)
    for row in rows:
        validator.validate(json.loads(json.dumps(row)))  # as written to JSONL
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**rows[0], "stance": "PRO"})
