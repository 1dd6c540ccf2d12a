"""The command line and claims: `stanceclf analyze --rank-claims/--no-claims/--claim-model` and
`stanceclf claims`, with fake claim and stance models patched into the loaders (no torch)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from stanceclf.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, build_parser, main
from stanceclf.types import ClaimScores


class FakeClaims:
    """Check-worthy when the text has a digit, subjective when it says "I think", causal with "because"."""

    model_name = "fake-claims"

    def score_texts(self, texts):
        return [ClaimScores(checkworthy=0.9 if any(c.isdigit() for c in t) else 0.1,
                            subjective=0.8 if "I think" in t else 0.2,
                            causal=0.7 if "because" in t else 0.05, model=self.model_name) for t in texts]


class FakeStance:
    classes_ = np.array(["AGAINST", "FAVOR", "NONE"])
    model_name = "fake-stance"

    def predict_proba(self, rows):
        return np.tile([0.2, 0.7, 0.1], (len(rows), 1))


@pytest.fixture
def fakes(monkeypatch):
    """Every claim-model spec loads the fake claim model; every stance model is the fake stance model."""
    import stanceclf.analysis.claims as claims
    import stanceclf.models.registry as registry

    loaded: list = []

    def load_claim_model(spec, **options):
        loaded.append(spec)
        return None if spec is None or spec is False else FakeClaims()

    monkeypatch.setattr(claims, "load_claim_model", load_claim_model)
    monkeypatch.setattr(registry, "load", lambda spec, **options: FakeStance())
    return loaded


ARTICLES = {
    "budget": ('Finance Minister Clara Voss defended the budget on Monday. "Unemployment fell to 4.2 percent this '
               'year," Voss said. "I think this is a fair budget," she added.'),
    "harbour": ('"The harbour will be dredged by 2027," port director Ines Moreau said on Friday. '
                '"We will not give up," she added.'),
    "quiet": "The council met on Tuesday. The weather was mild and the meeting was short.",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in ARTICLES.items()))
    return path


# -- stanceclf analyze --------------------------------------------------------------------------------

def test_rank_claims_prints_and_writes_the_most_check_worthy_quotes(fakes, corpus: Path, tmp_path: Path, capsys):
    pytest.importorskip("spacy")
    out = tmp_path / "out" / "quotes.csv"
    out.parent.mkdir()
    code = main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", "-o", str(out), "--no-progress",
                 "--rank-claims", "3"])
    assert code == EXIT_OK
    screen = capsys.readouterr().out.splitlines()
    assert screen[0] == "The 3 most check-worthy quote(s) of 4 scored:"
    assert screen[1].split() == ["#", "check", "speaker", "document", "quote"]
    first, second, third = screen[2:5]
    assert first.split()[:2] == ["1", "0.90"] and "Clara Voss" in first and "budget" in first
    assert first.endswith("Unemployment fell to 4.2 percent this year,")
    assert second.split()[:2] == ["2", "0.90"] and "Ines Moreau" in second and "2027" in second
    assert third.split()[:2] == ["3", "0.10"] and third.endswith("I think this is a fair budget,")
    assert len(screen) == 5
    with open(out.parent / "claims_ranked.csv", newline="") as fh:
        ranked = list(csv.DictReader(fh))
    assert [(r["rank"], r["doc_id"], r["speaker"], r["p_checkworthy"]) for r in ranked] == [
        ("1", "budget", "Clara Voss", "0.9"), ("2", "harbour", "Ines Moreau", "0.9"), ("3", "budget", "Clara Voss", "0.1")]
    with open(out, newline="") as fh:
        records = list(csv.DictReader(fh))
    header = list(records[0])
    assert header[header.index("extraction_confidence") + 1:][:3] == ["p_checkworthy", "p_subjective", "p_causal"]
    assert {r["p_checkworthy"] for r in records if r["status"] == "ok"} == {"0.9", "0.1"}
    assert fakes == ["default"]


def test_rank_claims_without_n_follows_the_tables(fakes, corpus: Path, capsys):
    pytest.importorskip("spacy")
    assert main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", "--rank-claims"]) == EXIT_OK
    screen = capsys.readouterr().out
    tables, ranking = screen.split("The 4 most check-worthy quote(s) of 4 scored:")
    assert "Clara Voss (direct)  check-worthy 0.90" in tables and "harbour: 2 quote(s)" in tables
    assert len(ranking.strip().splitlines()) == 1 + 4  # the header and every quote (fewer than 20)


def test_no_claims_and_claim_model_options(fakes, corpus: Path, tmp_path: Path, capsys):
    pytest.importorskip("spacy")
    out = tmp_path / "o.jsonl"
    assert main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", "-o", str(out), "--no-claims"]) == EXIT_OK
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(r["p_checkworthy"] is None and r["p_causal"] is None for r in records)
    assert not (tmp_path / "claims_ranked.csv").exists()
    assert fakes == []  # switched off: no claim model is loaded
    assert main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", "-o", str(out),
                 "--claim-model", str(tmp_path)]) == EXIT_OK
    assert fakes == [str(tmp_path)]  # the path reached the claim-model loader
    capsys.readouterr()
    for argv, message in [(["--no-claims", "--rank-claims"], "drop --no-claims"),
                          (["--format", "jsonl", "--rank-claims", "5"], "give --output FILE"),
                          (["--rank-claims", "0"], "at least 1")]:
        assert main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", *argv]) == EXIT_USAGE
        assert message in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:  # argparse refuses both at once
        main(["analyze", str(corpus), "--no-claims", "--claim-model", "x"])
    assert stopped.value.code == EXIT_USAGE and "not allowed with" in capsys.readouterr().err


def test_rank_claims_without_the_built_in_claim_model_says_why(corpus: Path, monkeypatch, capsys):
    import stanceclf.models.default as default
    import stanceclf.models.registry as registry

    monkeypatch.setattr(default, "default_claims_available", lambda: False)
    monkeypatch.setattr(registry, "load", lambda spec, **options: FakeStance())
    pytest.importorskip("spacy")
    assert main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", "--rank-claims", "5"]) == EXIT_USAGE
    assert "built-in claim model is not in this installation" in capsys.readouterr().err
    # without --rank-claims, the run goes on and leaves the claim columns empty
    assert main(["analyze", str(corpus), "-t", "budget", "--extractor", "rules", "--format", "jsonl"]) == EXIT_OK
    captured = capsys.readouterr()
    assert all(json.loads(line)["p_checkworthy"] is None for line in captured.out.splitlines())
    assert captured.err.count("claim model is not installed") == 1


# -- stanceclf claims -----------------------------------------------------------------------------------

SENTENCES = ["Unemployment fell to 4.2 percent in May.", "", "I think the mayor is wrong.",
             "   ", "Prices rose because the harbour closed in 2023."]


def test_claims_on_a_text_file_to_the_screen(fakes, tmp_path: Path, capsys):
    txt = tmp_path / "s.txt"
    txt.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    assert main(["claims", str(txt)]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["check", "subj", "causal", "file", "line", "text"]
    assert [line.split()[:3] for line in lines[1:]] == [["0.90", "0.20", "0.05"], ["0.10", "0.80", "0.05"],
                                                        ["0.90", "0.20", "0.70"]]
    assert [line.split()[4] for line in lines[1:]] == ["1", "3", "5"]  # blank lines skipped, lines counted
    assert lines[2].endswith("I think the mayor is wrong.")


def test_claims_on_csv_and_jsonl_with_sort_top_and_output_files(fakes, tmp_path: Path, capsys):
    table = tmp_path / "s.csv"
    with open(table, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "sentence"])
        writer.writerows([[i, s] for i, s in enumerate(["We must act now.", "Taxes rose 5% in 2024.",
                                                        "=NOW()"])])
    lines = tmp_path / "s.jsonl"
    lines.write_text(json.dumps({"sentence": "I think it is fine."}) + "\n"
                     + json.dumps({"sentence": "Exports fell because of 2 storms."}) + "\n")
    out = tmp_path / "scores.csv"
    assert main(["claims", str(table), str(lines), "--text-column", "sentence", "--sort", "-o", str(out)]) == EXIT_OK
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["file", "line", "text", "p_checkworthy", "p_subjective", "p_causal"]
    assert [(Path(r["file"]).name, r["line"], r["p_checkworthy"]) for r in rows] == [
        ("s.csv", "3", "0.9"), ("s.jsonl", "2", "0.9"), ("s.csv", "2", "0.1"), ("s.csv", "4", "0.1"),
        ("s.jsonl", "1", "0.1")]  # most check-worthy first, ties in input order
    assert rows[3]["text"] == "'=NOW()"  # spreadsheet-safe
    top = tmp_path / "top.jsonl"
    assert main(["claims", str(table), str(lines), "--text-column", "sentence", "--top", "1", "-o", str(top)]) == EXIT_OK
    (best,) = [json.loads(line) for line in top.read_text().splitlines()]
    assert best == {"file": str(table), "line": 3, "text": "Taxes rose 5% in 2024.", "p_checkworthy": 0.9,
                    "p_subjective": 0.2, "p_causal": 0.05}
    capsys.readouterr()
    assert main(["claims", str(lines), "--text-column", "sentence", "--top", "1"]) == EXIT_OK
    screen = capsys.readouterr().out.splitlines()
    assert len(screen) == 2 and screen[1].endswith("Exports fell because of 2 storms.")


def test_claims_reports_rows_without_text_and_exits_3(fakes, tmp_path: Path, capsys):
    src = tmp_path / "s.jsonl"
    src.write_text('{"text": "Rents rose 8% in 2024."}\n{"text": ""}\n{"text": 42}\n[1]\n{"other": "x"}\n'
                   '{"text": "I think so."}\n')
    out = tmp_path / "o.jsonl"
    assert main(["claims", str(src), "-o", str(out)]) == EXIT_PARTIAL
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 6]  # the good rows are scored
    err = capsys.readouterr().err
    assert "4 row(s) could not be scored" in err
    assert "line 2 (row 2): the 'text' value is empty" in err and "line 3 (row 3): the 'text' value is not text (int 42)" in err
    assert "is a JSON list" in err and "has no 'text' field" in err


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", "\n  \n", "has no text to classify"),
    ("binary.txt", b"\x89PNG\x00\x00", "looks binary"),
    ("latin.txt", "caf\xe9 prices rose".encode("latin-1"), "not valid UTF-8"),
    ("nocol.csv", "id,sentence\n1,Prices rose.\n", "has no 'text' column; its columns are: id, sentence"),
    ("nofield.jsonl", '{"sentence": "Prices rose."}\n', "has no 'text' field in any row; its fields are: sentence"),
    ("header.csv", "text\n", "has no rows to classify"),
    ("empty.csv", "", "is empty"),
    ("blank.jsonl", '{"text": "  "}\n', "No text to classify"),
    ("notes.docx", "Prices rose.", "give a .txt file"),
])
def test_claims_refuses_bad_inputs_with_exit_2(fakes, tmp_path: Path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert main(["claims", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_claims_usage_errors(fakes, tmp_path: Path, capsys):
    txt = tmp_path / "s.txt"
    txt.write_text("Prices rose 3%.\n")
    for argv, message in [([str(tmp_path / "missing.txt")], "input not found"),
                          ([str(txt), "-o", str(tmp_path / "o.txt")], "name it .csv or .jsonl"),
                          ([str(txt), "--top", "0"], "--top must be at least 1"),
                          ([str(txt), "-o", str(txt)], "is one of the inputs")]:
        assert main(["claims", *argv]) == EXIT_USAGE
        assert message in capsys.readouterr().err


def test_claims_with_a_claim_model_that_cannot_load(tmp_path: Path, capsys):
    txt = tmp_path / "s.txt"
    txt.write_text("Prices rose 3%.\n")
    assert main(["claims", str(txt), "--claim-model", str(tmp_path / "nowhere")]) == EXIT_USAGE
    assert "No saved claim model" in capsys.readouterr().err


def test_the_claims_command_is_listed_in_the_help():
    parser = build_parser()
    assert "claims" in parser.format_help() and "check-worthy" in parser.format_help()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    assert "--rank-claims" in sub["analyze"].format_help() and "--no-claims" in sub["analyze"].format_help()
    assert "--text-column" in sub["claims"].format_help() and "--top" in sub["claims"].format_help()
