"""The HTML report in a real browser: headless Chromium renders it (screenshot) and runs its script.

Skipped when no Chromium is installed (Debian/Ubuntu: ``apt-get install chromium``). The screenshot
of the example article in docs/img/report-example.png is made the same way; the command is in
docs/analysis.md ("The report").
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from stanceclf.analysis import ArticleAnalysis, QuoteAnalysis, TargetStance, parse_targets
from stanceclf.analysis.outputs import STANCE_COLOURS, write_html_report
from stanceclf.types import Quote, QuoteKind, Span

BROWSER = next((b for b in (os.environ.get("STANCECLF_CHROMIUM"), "chromium", "chromium-browser", "google-chrome",
                            "google-chrome-stable") if b and shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed (apt-get install chromium)")

TEXT = ("Trade Minister Jonas Brekke said the treaty was \u201ca gift to the industry lobby.\u201d\n\n"
        "\u201cThis treaty is the best deal our fishermen have had,\u201d Astrid Halvorsen told reporters. "
        "\u201cThe coast guard knew and did nothing,\u201d said Mira Solberg.")


def _article() -> ArticleAnalysis:
    def quote(fragment: str, speaker: str, mention: str) -> Quote:
        start, at = TEXT.index(fragment), TEXT.index(mention)
        return Quote(Span(start, start + len(fragment), fragment), QuoteKind.DIRECT, speaker=speaker,
                     speaker_mention=Span(at, at + len(mention), mention))

    p = lambda favor, against: {"FAVOR": favor, "AGAINST": against, "NONE": round(1 - favor - against, 2)}  # noqa: E731
    quotes = [
        QuoteAnalysis(0, quote("a gift to the industry lobby.", "Jonas Brekke", "Jonas Brekke"), Span(0, 80, TEXT[:80]),
                      (TargetStance("treaty", "AGAINST", p(0.05, 0.85), "sentence"),
                       TargetStance("industry lobby", "FAVOR", p(0.55, 0.25), "quote"))),
        QuoteAnalysis(1, quote("This treaty is the best deal our fishermen have had,", "Astrid Halvorsen",
                               "Astrid Halvorsen"), Span(0, 10, TEXT[:10]),
                      (TargetStance("treaty", "FAVOR", p(0.93, 0.05), "quote"),)),
        QuoteAnalysis(2, quote("The coast guard knew and did nothing,", "Mira Solberg", "Mira Solberg"),
                      Span(0, 10, TEXT[:10]), (TargetStance("coast guard", "AGAINST", p(0.1, 0.8), "quote"),)),
    ]
    targets = parse_targets(["treaty", "industry lobby", "coast guard", "EU"])
    return ArticleAnalysis("harbour talks", TEXT, quotes, targets, model="default", date="2025-03-04")


def _chromium(*args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    flags = ["--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return subprocess.run([BROWSER, *flags, *args], capture_output=True, text=True, timeout=timeout)


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_report_renders_in_a_real_browser(tmp_path: Path):
    report = tmp_path / "report.html"
    write_html_report([_article(), _article()], report)
    shot = tmp_path / "report.png"
    out = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.is_file(), out.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    rgb = (pixels[..., :3] * 255).round().astype(int).reshape(-1, 3)
    colours = {tuple(c) for c in rgb[:: 7]}
    assert len(colours) > 50  # text, highlights, tags, a plot: not a blank page
    assert (rgb < 80).all(axis=1).mean() > 0.002  # some dark text was drawn
    for label in ("FAVOR", "AGAINST"):  # the label tags and highlight borders are drawn in their colours
        target = _hex(STANCE_COLOURS[label])
        close = (abs(rgb - target) <= 12).all(axis=1).sum()
        assert close > 100, f"{label} colour {STANCE_COLOURS[label]} hardly drawn ({close} pixels)"


def test_report_script_runs_and_makes_the_tables_sortable(tmp_path: Path):
    report = tmp_path / "report.html"
    write_html_report([_article()], report, plots=False)
    out = _chromium("--dump-dom", report.as_uri())  # the DOM after the page's script ran
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    assert dom.count('class="stc-sort"') >= 9 + 6  # every header of both tables became a sort button
    assert 'aria-sort="none"' in dom
    assert "\u2192 treaty: AGAINST 0.85" in dom and "\u2192 industry lobby: FAVOR 0.55" in dom


def test_report_script_shows_the_claim_filter(tmp_path: Path):
    import dataclasses

    from stanceclf.types import ClaimScores

    article = _article()
    article.quotes[:] = [dataclasses.replace(qa, claim=ClaimScores(0.2 + 0.3 * i, 0.5, None, model="fake"))
                         for i, qa in enumerate(article.quotes)]
    report = tmp_path / "report.html"
    write_html_report([article], report, plots=False)
    assert '<p class="stc-filter" id="claim-filter" hidden>' in report.read_text()  # hidden without JavaScript
    out = _chromium("--dump-dom", report.as_uri())
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    assert '<p class="stc-filter" id="claim-filter">' in dom  # the script showed it
    assert 'data-checkworthy="0.8000"' in dom and dom.count('class="stc-sort"') >= 9 + 7  # the claim column sorts too
