"""Outputs: JSONL/CSV records, the terminal table, the HTML report, aggregates and plots."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stanceclf.analysis import ArticleAnalysis, DocumentError, QuoteAnalysis, RECORD_FIELDS, TargetStance, parse_targets
from stanceclf.analysis.outputs import (RecordWriter, StanceAggregate, format_article_table, plot_stance_matrix,
                                        plot_stance_over_time, records_dataframe, write_html_report)
from stanceclf.types import Quote, QuoteKind, Span

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
    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.marks, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "mark":
            self.marks.append(dict(attrs))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_valid_and_contains_every_quote(tmp_path: Path):
    html = write_html_report([_analysis(), ERROR, _analysis("a2", "2025-04-01")], tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text() == html and html.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    text = "".join(checker.text)
    for fragment in ("a disgrace & a <trap>", "We back NATO,"):
        assert fragment in text  # escaped in the markup, intact once parsed
    assert len(checker.marks) == 2 * 2 + 4  # 2 quotes x 2 articles + 4 legend marks
    titles = [m.get("title", "") for m in checker.marks if "title" in m]
    assert any("Speaker: Ana Silva" in t and "pact: AGAINST" in t for t in titles)
    assert "could not be analysed (1)" in html and "The document is empty" in html
    assert "data:image/png;base64," in html  # the matrix and time plots are embedded


def test_report_caps_articles_but_aggregates_all():
    html = write_html_report([_analysis(f"a{i}") for i in range(5)], max_articles=2, plots=False)
    assert html.count("<article") == 2 and "3 more are in the aggregates" in html


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


def test_record_writer_rejects_unknown_format():
    with pytest.raises(ValueError, match="jsonl, csv or tsv"):
        RecordWriter(io.StringIO(), fmt="xml")
