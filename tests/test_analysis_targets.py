"""Targets: parsing every accepted spec, loading files, and case/inflection/accent-tolerant matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanceclf.analysis.targets import Target, TargetMatcher, load_targets, parse_target_option, parse_targets
from stanceclf.errors import DataError


def _found(targets, text):
    return [(m.target, m.text) for m in TargetMatcher(parse_targets(targets)).find(text)]


def test_parse_mapping_list_and_dicts():
    assert parse_targets({"NATO": ["the alliance"], "EU": "Brussels|the bloc", "Kyiv": None}) == [
        Target("NATO", ("the alliance",)), Target("EU", ("Brussels", "the bloc")), Target("Kyiv")]
    assert parse_targets(["NATO", {"name": "EU", "aliases": ["Brussels"]}, Target("UN")]) == [
        Target("NATO"), Target("EU", ("Brussels",)), Target("UN")]


@pytest.mark.parametrize("spec, message", [
    ({"NATO": [3]}, "aliases must be strings"),
    (["NATO", "nato"], "must be unique"),
    ([{"aliases": ["x"]}], "needs a 'name'"),
    ([""], "non-empty name"),
    (42, "dict, a list or a file path"),
])
def test_bad_specs_are_explained(spec, message):
    with pytest.raises(DataError, match=message):
        parse_targets(spec)


def test_target_option():
    assert parse_target_option("Zelenskyy=Zelensky|Zelenskiy") == Target("Zelenskyy", ("Zelensky", "Zelenskiy"))
    assert parse_target_option("NATO") == Target("NATO")
    with pytest.raises(DataError):
        parse_target_option("=alias")


def test_load_yaml_json_csv(tmp_path: Path):
    (tmp_path / "t.yaml").write_text("NATO:\n  - the alliance\nminerals deal: [the deal]\n")
    (tmp_path / "t.json").write_text(json.dumps([{"name": "NATO", "aliases": ["the alliance"]}, "minerals deal"]))
    (tmp_path / "t.csv").write_text("name,aliases\nNATO,the alliance|NATO forces\nminerals deal,\n")
    (tmp_path / "plain.csv").write_text("NATO,the alliance,NATO forces\nminerals deal\n")
    assert load_targets(tmp_path / "t.yaml") == [Target("NATO", ("the alliance",)), Target("minerals deal", ("the deal",))]
    assert [t.name for t in load_targets(tmp_path / "t.json")] == ["NATO", "minerals deal"]
    assert load_targets(tmp_path / "t.csv")[0] == Target("NATO", ("the alliance", "NATO forces"))
    assert load_targets(tmp_path / "plain.csv")[0] == Target("NATO", ("the alliance", "NATO forces"))
    assert parse_targets(str(tmp_path / "t.yaml"))[0].name == "NATO"  # a path string works too


def test_load_errors(tmp_path: Path):
    with pytest.raises(DataError, match="does not exist"):
        load_targets(tmp_path / "missing.yaml")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match=r"not valid JSON \(line 1\)"):
        load_targets(tmp_path / "bad.json")
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(DataError, match="lists no targets"):
        load_targets(tmp_path / "empty.yaml")


def test_case_and_inflection_tolerant():
    assert _found({"minerals deal": ["these agreements"]}, "The Mineral Deals and these agreements") == [
        ("minerals deal", "Mineral Deals"), ("minerals deal", "these agreements")]
    assert _found(["policy"], "three policies") == [("policy", "policies")]
    assert _found(["NATO"], "NATO's troops and NATO’s bases") == [("NATO", "NATO's"), ("NATO", "NATO’s")]
    assert _found(["anti-war movement"], "the anti war movement") == [("anti-war movement", "anti war movement")]
    assert _found(["Sanchez"], "Pedro Sánchez said") == [("Sanchez", "Sánchez")]


def test_acronyms_match_only_in_capitals_and_words_only_whole():
    assert _found(["US"], "let us go to the US") == [("US", "US")]
    assert _found(["EU"], "Europe, the EU, a neutral view") == [("EU", "EU")]
    assert _found(["Iran"], "Iranian officials in Tehran") == []  # no derivations, no substrings


def test_aliases_map_to_canonical_name_and_longest_match_wins():
    targets = {"Zelenskyy": ["Zelensky", "Zelenskiy", "the Ukrainian president"], "Ukraine": []}
    assert _found(targets, "Zelensky met the Ukrainian President in Ukraine") == [
        ("Zelenskyy", "Zelensky"), ("Zelenskyy", "the Ukrainian President"), ("Ukraine", "Ukraine")]
    assert _found({"NATO": ["NATO soldiers"]}, "NATO soldiers arrived") == [("NATO", "NATO soldiers")]
    assert _found({"tram line": ["the tram"]}, "The tram line opened") == [("tram line", "tram line")]


def test_offsets_are_into_the_original_text():
    text = "Über alles: Zelenskyy’s plan."
    (m,) = TargetMatcher(parse_targets(["Zelenskyy"])).find(text)
    assert text[m.start:m.end] == m.text == "Zelenskyy’s"


def test_analysis_import_is_light():
    import subprocess
    import sys

    code = ("import sys, stanceclf, stanceclf.analysis; "
            "heavy = [m for m in ('torch', 'spacy', 'sklearn', 'transformers', 'pandas') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- odd names and broken files: always a DataError that says what to do ----------------------------------
def test_names_and_aliases_are_normalised():
    assert parse_targets([" New\tYork\n"]) == [Target("New York")]
    assert parse_targets({"NATO\x0b": ["the \u200balliance", "\x0b\x0b", "NATO  forces"]}) == [
        Target("NATO", ("the alliance", "NATO forces"))]
    assert Target("EU\r\n", ["the  bloc"]) == Target("EU", ("the bloc",))
    assert parse_target_option("Kyiv\x01=Kiev|\x0b") == Target("Kyiv", ("Kiev",))


@pytest.mark.parametrize("name", ["\u300d" + "\x0b" * 100, "\x0b" * 5, "\x00\x01", "\u200b", " - ", "\ud800"])
def test_names_without_a_letter_are_refused(name):
    for spec in ([name], {name: ["alias"]}, [{"name": name}], name):
        with pytest.raises(DataError, match="non-empty name with a letter or digit"):
            parse_targets(spec)
    with pytest.raises(DataError):
        parse_target_option(name)
    with pytest.raises(DataError, match="empty or non-string aliases"):
        Target("NATO", (name,))


def test_duplicates_are_found_after_normalising():
    with pytest.raises(DataError, match="must be unique"):
        parse_targets(["NATO", "NATO\x0b", " nato"])


@pytest.mark.parametrize("name, content, message", [
    ("syntax.yaml", b"NATO: [the alliance\nEU: [", r"not valid YAML \(line 2\).*write name: \[aliases\] pairs"),
    ("tag.yaml", b"!!python/object:os.system\nx: 1", r"not valid YAML \(line 1\).*python/object"),
    ("apply.yaml", b"- !!python/object/apply:os.system ['ls']", r"not valid YAML \(line 1\)"),
    ("latin1.yaml", "NATO: [Bündnis]".encode("latin-1"), r"not UTF-8 text \(byte 0xfc"),
    ("latin1.csv", "name\nBündnis\n".encode("latin-1"), "not UTF-8 text"),
    ("binary.yaml", b"\x00\x01\x02", "NUL bytes"),
    ("scalar.yaml", b"just a name", "not a list of targets"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("deep.yaml", b"- " * 3000 + b"x", "nested too deeply"),
    ("number.json", b"42", "not a list of targets"),
    ("bad.json", b'{"NATO": ["a",', r"not valid JSON \(line 1\)"),
    ("quote.csv", b'name,aliases\n"NATO,x\nEU,y\n', "not valid CSV"),  # an unclosed quote swallows no row
    ("noname.yaml", b"- {aliases: [x]}", "needs a 'name'"),
])
def test_broken_target_files_raise_data_error(tmp_path: Path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_targets(tmp_path / name)
