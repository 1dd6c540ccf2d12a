"""Fuzzing (hypothesis): odd input raises nothing but stanceclf's documented errors.

Quote extraction in every mode, the target parser and targets files, and every dataset loader with
broken files written into a data directory laid out like the real one. The only exceptions allowed
are :class:`~stanceclf.errors.StanceclfError` subclasses; extraction must also keep its quotes
well formed (valid offsets, no text extracted twice, no quote across a quotation mark).

The default run is quick (a few hundred texts). The thorough run is marked ``slow``::

    pytest -m slow tests/test_fuzz.py --hypothesis-show-statistics

It tries ``STANCECLF_FUZZ_EXAMPLES`` examples (default 10,000) for rules-mode extraction, for the
target parser and for targets files, and as many for the loaders together (split evenly between
them); tagger and hybrid modes try ``STANCECLF_FUZZ_TAGGER_EXAMPLES`` texts each (default 500).
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stanceclf.analysis.targets import TargetMatcher, load_targets, parse_target_option, parse_targets
from stanceclf.errors import ModelError, StanceclfError

THOROUGH = int(os.environ.get("STANCECLF_FUZZ_EXAMPLES", "10000"))
TAGGER_THOROUGH = int(os.environ.get("STANCECLF_FUZZ_TAGGER_EXAMPLES", "500"))
_SLOW = HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example


def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=_SLOW, database=None)


# --------------------------------------------------------------------------------------------------
# Text strategies: quotation marks of every kind, surrogates, control characters, long words, newlines
# --------------------------------------------------------------------------------------------------

MARKS = ['"', "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "\u2018", "\u2019", "\u201a", "\u2039", "\u203a",
         "'", "``", "''", "\uff02", "\u301d", "\u301e", "\u300c", "\u300d"]
WORDS = ["said", "says", "told", "added", "warned", "according to", "he", "She", "they", "Jane Doe", "Mr. O'Brien's",
         "the minister", "NATO", "the plan", "will", "win", "is", "a disgrace", "that", "and", "but", "Then", "left",
         "Peskov", "The Kremlin", "We", "It is over", "U.S.", "Kim:", "\u2014", "(CROSSTALK)"]
SEPARATORS = [" ", " ", "  ", "\n", "\n\n", "\r\n", "\t", ", ", ". ", ": ", "; ", " \u2014 ", "\u2028", "\x0b",
              "\x0c", "\u00a0", "\u3000"]
LONG_WORDS = ["Supercalifragilistic" * 30, "a" * 3000, "ab-" * 400, "http://" + "x" * 600, "\u00e9" * 800]

surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
controls = st.characters(categories=["Cc", "Cf"])
pieces = st.one_of(
    st.sampled_from(MARKS), st.sampled_from(MARKS), st.sampled_from(WORDS), st.sampled_from(WORDS),
    st.sampled_from(SEPARATORS), st.sampled_from(SEPARATORS), surrogates, controls,
    st.text(max_size=10), st.sampled_from(LONG_WORDS) | st.text(string.ascii_letters, min_size=50, max_size=300),
)
texts = st.lists(pieces, max_size=50).map("".join)
short_texts = st.lists(pieces, max_size=25).map("".join)


# --------------------------------------------------------------------------------------------------
# Quote extraction
# --------------------------------------------------------------------------------------------------

_EXTRACTORS: dict[str, Any] = {}


def _extractor(mode: str) -> Any:
    if mode not in _EXTRACTORS:
        pytest.importorskip("spacy")
        from stanceclf.extract import QuoteExtractor

        extractor = QuoteExtractor(mode=mode)
        try:
            extractor.nlp  # noqa: B018 - load now: a missing model skips
            if mode != "rules":
                extractor.tagger  # noqa: B018
        except ModelError as exc:
            pytest.skip(str(exc))
        _EXTRACTORS[mode] = extractor
    return _EXTRACTORS[mode]


def check_quotes(text: str, found: list) -> None:
    """The quotes of ``text`` are well formed.

    Offsets index the text (lone surrogates read U+FFFD); every quote has a letter or digit; no
    two quotes share text, except a quoted fragment inside the reported speech that holds it with
    its marks; no quote crosses a quoted segment or runs over a stray closing mark.
    """
    from stanceclf.extract import clean_text
    from stanceclf.extract.quotemarks import find_quoted_segments

    text = clean_text(text)
    segments = find_quoted_segments(text)
    fragments = {(s.start, s.end): s for s in segments if s.close_mark is not None}
    regions = [(s.open_mark, s.close_mark + 1 if s.close_mark is not None else s.end) for s in segments]
    for q in found:
        assert 0 <= q.start < q.end <= len(text) and text[q.start:q.end] == q.text
        for span in (q.cue, q.speaker_mention):
            assert span is None or text[span.start:span.end] == span.text
        assert any(c.isalnum() for c in q.text), q.text
        assert 0.0 <= q.confidence <= 1.0
        for seg, (lo, hi) in zip(segments, regions):
            assert (q.end <= seg.start or q.start >= seg.end or seg.start <= q.start and q.end <= seg.end
                    or q.start <= lo and hi <= q.end), f"{q.text!r} crosses the quote {text[seg.start:seg.end]!r}"
        stray = [i for i in range(q.start + 1, q.end) if text[i] == "\u201d" and not text[i - 1].isspace()
                 and not any(lo <= i < hi for lo, hi in regions)]
        assert not stray, f"{q.text!r} runs over a stray closing mark"
    spans = sorted((q.start, q.end) for q in found)
    for i, (a, b) in enumerate(spans):
        for c, d in spans[i + 1:]:
            if c >= b:
                break
            inner, outer = ((c, d), (a, b)) if d <= b else ((a, b), (c, d))
            frag = fragments.get(inner)
            nested = frag is not None and outer[0] <= frag.open_mark and frag.close_mark < outer[1] and inner != outer
            assert nested, f"the quotes {text[a:b]!r} and {text[c:d]!r} share text"


def extract_ok(mode: str, text: str) -> None:
    extractor = _extractor(mode)
    try:
        found = extractor.extract(text)
    except StanceclfError:
        assert not text.strip()  # the only refusal: an empty text
        return
    check_quotes(text, found)


# examples from issue 12: surrogates, unbalanced marks, a lone mark (all modes)
_ISSUE_TEXTS = [
    "a\ud800 b",
    '"We will win\udfff," Jane Doe said.',
    'He said "we will win. Then "they left.',
    'She said "the economy is strong" but "unemployment rose" in "the last quarter of the year, officials said.',
    '"We will win," Jane Doe said. "Then they left. Bob said "it is over" and went home.',
    "He said, we will win\u201d and left. The minister said that the plan would fail.",
    # a lone mark: before the fix, hybrid mode extracted "and they" three times
    "a disgrace the plan \n\n \u201c according to rose Bob . and they . reporters said economy officials "
    "Jane Doe the left",
    "",
    "\n\x0b ",
]


def _with_issue_examples(test: Callable[..., None]) -> Callable[..., None]:
    for text in _ISSUE_TEXTS:
        test = example(text)(test)
    return test


@_with_issue_examples
@given(texts)
@_settings(60)  # ~8 s; the issue examples always run, and -m slow fuzzes the pipeline at length
def test_rules_extraction(text: str) -> None:
    extract_ok("rules", text)


@_with_issue_examples
@given(short_texts)
@_settings(20)
def test_hybrid_extraction(text: str) -> None:
    extract_ok("hybrid", text)


@_with_issue_examples
@given(short_texts)
@_settings(20)
def test_tagger_extraction(text: str) -> None:
    extract_ok("tagger", text)


@given(st.lists(texts.filter(str.strip), min_size=1, max_size=6))
@_settings(15)
def test_rules_pipe_matches_extract(batch: list[str]) -> None:
    extractor = _extractor("rules")
    assert list(extractor.pipe(batch, batch_size=4)) == [extractor.extract(t) for t in batch]


@pytest.mark.slow
@given(texts)
@_settings(THOROUGH)
def test_rules_extraction_thorough(text: str) -> None:
    extract_ok("rules", text)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["hybrid", "tagger"])
@given(text=texts)
@_settings(TAGGER_THOROUGH)
def test_tagger_modes_thorough(mode: str, text: str) -> None:
    extract_ok(mode, text)


# --------------------------------------------------------------------------------------------------
# Targets: the parser and targets files
# --------------------------------------------------------------------------------------------------

names = st.one_of(texts, st.text(max_size=20), st.sampled_from(["NATO", "the alliance", "US", "Zelenskyy's"]))
aliases = st.one_of(st.none(), names, st.lists(names, max_size=4), st.integers(), st.lists(st.integers(), max_size=2))
specs = st.one_of(
    names,
    st.lists(names, max_size=5),
    st.dictionaries(names, aliases, max_size=5),
    st.lists(st.fixed_dictionaries({"name": names}, optional={"aliases": aliases, "target": names}), max_size=4),
    st.lists(st.one_of(names, st.integers(), st.none(), st.dictionaries(st.integers(), names, max_size=2)), max_size=4),
    st.integers(), st.none(), st.floats(),
)


def parse_ok(spec: Any, text: str) -> None:
    try:
        targets = parse_targets(spec)
    except StanceclfError:
        return
    for t in targets:
        assert any(c.isalnum() for c in t.name) and t.name == " ".join(t.name.split())
    TargetMatcher(targets).find(text)
    option = spec if isinstance(spec, str) else text
    try:
        target = parse_target_option(option)
    except StanceclfError:
        return
    TargetMatcher([target]).targets_in(text)


@example(["\u300d" + "\x0b" * 100], "\u300d")
@example({"\x0b" * 5: ["\x00"]}, "x")
@given(specs, texts)
@_settings(300)
def test_target_parser(spec: Any, text: str) -> None:
    parse_ok(spec, text)


@pytest.mark.slow
@given(specs, texts)
@_settings(THOROUGH)
def test_target_parser_thorough(spec: Any, text: str) -> None:
    parse_ok(spec, text)


_TARGETS_DIR = Path(tempfile.mkdtemp(prefix="stanceclf-fuzz-targets-"))
values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | names,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
                      max_leaves=12)
YAML_SNIPPETS = ["!!python/object:os.system\nx: 1\n", "- !!python/object/apply:os.system ['ls']\n",
                 "!!python/name:os.system\n", "a: !!binary aGVsbG8=\n", "- !!set {a, b}\n", "&a [*a, *a]\n",
                 "%YAML 1.1\n---\nNATO: [x]\n", "? [a, b]\n: c\n", "NATO: [the alliance\n", "- {name: 3}\n",
                 "NATO:\n  - \t bad indent\n", "'unclosed\n", "NATO: *undefined\n", "---\n---\n"]


def _dump(value: Any, how: str) -> str:
    if how == "json":
        return json.dumps(value)
    import yaml

    return yaml.safe_dump(value, allow_unicode=True)


file_contents = st.one_of(
    st.binary(max_size=200),
    st.tuples(values, st.sampled_from(["json", "yaml"])).map(lambda v: _dump(*v).encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(YAML_SNIPPETS) | pieces, max_size=8).map(lambda p: "".join(p).encode("utf-8",
                                                                                                 "surrogatepass")),
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def load_targets_ok(content: bytes, suffix: str) -> None:
    path = _TARGETS_DIR / f"targets{suffix}"
    path.write_bytes(content)
    try:
        for t in load_targets(path):
            assert any(c.isalnum() for c in t.name)
    except StanceclfError:
        pass


@example(b"!!python/object:os.system\nx: 1", ".yaml")
@example("NATO: [B\u00fcndnis]".encode("latin-1"), ".yaml")
@example(b"[" * 50_000, ".json")
@given(file_contents, st.sampled_from([".yaml", ".yml", ".json", ".csv", ".tsv"]))
@_settings(200)
def test_targets_files(content: bytes, suffix: str) -> None:
    load_targets_ok(content, suffix)


@pytest.mark.slow
@given(file_contents, st.sampled_from([".yaml", ".yml", ".json", ".csv", ".tsv"]))
@_settings(THOROUGH)
def test_targets_files_thorough(content: bytes, suffix: str) -> None:
    load_targets_ok(content, suffix)


# --------------------------------------------------------------------------------------------------
# Dataset loaders: one file of a valid data directory broken in every way
# --------------------------------------------------------------------------------------------------

def _loaders() -> dict[str, tuple[Callable[[Path], Any], Callable[[Path], Any], list[str]]]:
    """name -> (writer of a valid data dir, loader, the files to break), all relative to the data dir."""
    import test_loaders as fx

    from stanceclf.data import (load_dse, load_fnc1, load_newsmtsc, load_persent, load_perspectrum, load_pstance,
                                load_semeval2016, load_table, load_vast)
    from stanceclf.data.polnear_stance import load_polnear_stance

    def write_tables(root: Path) -> None:
        rows = [("We love trams.", "Trams", "pro"), ('Trams, "again"?\nNo.', "Trams", "con")]
        fx._write_csv(root / "table.csv", ["text", "target", "label"], [list(r) for r in rows])
        (root / "table.tsv").write_text("text\ttarget\tlabel\n" + "".join("\t".join(r).replace("\n", " ") + "\n"
                                                                        for r in rows), encoding="utf-8")
        records = [dict(zip(("text", "target", "label"), r)) for r in rows]
        (root / "table.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        (root / "table.json").write_text(json.dumps(records), encoding="utf-8")

    def table(suffix: str) -> Callable[[Path], Any]:
        return lambda root: load_table(root / f"table{suffix}", label_map={"pro": "FAVOR", "con": "AGAINST"})

    semeval = [f"semeval2016_task6/{n}" for n in ("trainingdata-all-annotations.txt", "trialdata-all-annotations.txt",
                                                  "testdata-taskA-all-annotations.txt")]
    return {
        "semeval2016": (fx.write_semeval, load_semeval2016, semeval),
        "pstance": (fx.write_pstance, lambda r: load_pstance(r, targets="trump"),
                    [f"pstance/raw_{s}_trump.csv" for s in ("train", "val", "test")]),
        "fnc1": (fx.write_fnc1, load_fnc1, [f"fnc1/{n}" for n in ("train_bodies.csv", "train_stances.csv")]),
        "newsmtsc": (fx.write_newsmtsc, load_newsmtsc, ["newsmtsc/train.jsonl", "newsmtsc/devtest_mt.jsonl"]),
        "persent": (fx.write_persent, load_persent, ["persent/dev.csv", "persent/fixed_test.csv"]),
        "vast": (fx.write_vast, load_vast, ["vast/vast_train.csv", "vast/vast_test.csv"]),
        "dse": (fx.write_dse, load_dse, ["dse/train.tsv", "dse/valid.tsv"]),
        "perspectrum": (fx.write_perspectrum, load_perspectrum,
                        [f"perspectrum/{n}" for n in ("perspectrum_with_answers_v1.0.json",
                                                      "perspective_pool_v1.0.json", "dataset_split_v1.0.json")]),
        "polnear-stance": (fx.write_polnear_stance, lambda r: load_polnear_stance(r, records_dir=r / "records"),
                           ["records/dev.jsonl", "records/train.jsonl", "polnear/dev/text/a1.txt"]),
        "table.csv": (write_tables, table(".csv"), ["table.csv"]),
        "table.tsv": (write_tables, table(".tsv"), ["table.tsv"]),
        "table.jsonl": (write_tables, table(".jsonl"), ["table.jsonl"]),
        "table.json": (write_tables, table(".json"), ["table.json"]),
    }


LOADERS = _loaders()
CSV_LOADERS = ["pstance", "fnc1", "persent", "vast", "table.csv"]
_TEMPLATES: dict[str, Path] = {}
_WORK = Path(tempfile.mkdtemp(prefix="stanceclf-fuzz-data-"))


def _fresh_copy(name: str) -> Path:
    """A fresh copy of the valid data dir of loader ``name``."""
    if name not in _TEMPLATES:
        template = _WORK / "templates" / name.replace(".", "_")
        template.mkdir(parents=True)
        LOADERS[name][0](template)
        _TEMPLATES[name] = template
    work = _WORK / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(_TEMPLATES[name], work)
    return work


FRAGMENTS = [b'"', b'""', b"\n", b"\r", b"\r\n", b",", b"\t", b"\x00", b"\xff", b"\xe9", b"\xef\xbb\xbf", b"{", b"}",
             b"[", b"]", b":", b"\\", b'\\ud800', b"\\u0000", b"9" * 30, b"1e999", b"-1", b"NaN", b"null", b"true",
             b"[]", b"{}", b"\x93", b"\x94"]
fragments = st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=12),
                      pieces.map(lambda p: p.encode("utf-8", "surrogatepass")))


def _mutate(data: st.DataObject, original: bytes) -> bytes:
    """``original`` broken one way: replaced, truncated, bytes inserted, a line replaced, dropped or doubled."""
    how = data.draw(st.sampled_from(["replace", "truncate", "insert", "insert", "line", "drop", "double"]))
    if how == "replace":
        return data.draw(st.one_of(st.binary(max_size=300), fragments))
    at = data.draw(st.integers(0, len(original)))
    if how == "truncate":
        return original[:at]
    if how == "insert":
        return original[:at] + b"".join(data.draw(st.lists(fragments, min_size=1, max_size=3))) + original[at:]
    lines = original.split(b"\n")
    k = data.draw(st.integers(0, len(lines) - 1))
    if how == "line":
        lines[k] = b"".join(data.draw(st.lists(fragments, max_size=6)))
    elif how == "drop":
        del lines[k]
    else:
        lines.insert(k, lines[k])
    return b"\n".join(lines)


def load_broken_ok(name: str, data: st.DataObject) -> None:
    root = _fresh_copy(name)
    _, loader, files = LOADERS[name]
    path = root / data.draw(st.sampled_from(files))
    path.write_bytes(_mutate(data, path.read_bytes()))
    try:
        loader(root)
    except StanceclfError:
        pass


def _row_counts(ds: Any) -> dict[str, int]:
    return {split: part.num_rows for split, part in ds.items()}


def one_quote_loses_nothing(name: str, data: st.DataObject) -> None:
    """One quotation mark added anywhere in a CSV: a DataError, or every row is still there."""
    root = _fresh_copy(name)
    _, loader, files = LOADERS[name]
    expected = _row_counts(loader(root))
    path = root / data.draw(st.sampled_from([f for f in files if f.endswith(".csv")]))
    original = path.read_bytes()
    at = data.draw(st.integers(0, len(original)))
    path.write_bytes(original[:at] + b'"' + original[at:])
    try:
        got = _row_counts(loader(root))
    except StanceclfError:
        return
    assert got == expected, f"a quote at byte {at} of {path.name} changed the rows: {got} != {expected}"


@pytest.mark.parametrize("name", list(LOADERS))
@given(data=st.data())
@_settings(15)
def test_loader_with_a_broken_file(name: str, data: st.DataObject) -> None:
    load_broken_ok(name, data)


@pytest.mark.parametrize("name", CSV_LOADERS)
@given(data=st.data())
@_settings(15)
def test_one_quote_mark_loses_no_row(name: str, data: st.DataObject) -> None:
    one_quote_loses_nothing(name, data)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LOADERS))
@given(data=st.data())
@_settings(max(1, THOROUGH // len(LOADERS)))
def test_loader_with_a_broken_file_thorough(name: str, data: st.DataObject) -> None:
    load_broken_ok(name, data)


@pytest.mark.slow
@pytest.mark.parametrize("name", CSV_LOADERS)
@given(data=st.data())
@_settings(max(1, THOROUGH // 10 // len(CSV_LOADERS)))
def test_one_quote_mark_loses_no_row_thorough(name: str, data: st.DataObject) -> None:
    one_quote_loses_nothing(name, data)
