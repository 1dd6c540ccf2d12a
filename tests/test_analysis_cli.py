"""`stanceclf analyze` over a generated corpus: one output per input, error records, report and plots."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from stanceclf.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, main

SPEAKERS = [("Maria Lopez", "she"), ("Peter Hall", "he"), ("Dana Wu", "she"), ("Omar Said", "he")]
CLAIMS = [
    ('"The bridge project is a triumph for this city," {name} said.', "FAVOR"),
    ('{name} called the bridge project "a scandalous waste of public money."', "AGAINST"),
    ('"We will keep talking to the unions," {name} said. "{pron_cap} knows the bridge project matters."', None),
]


def _article(rng: random.Random) -> str:
    name, pron = rng.choice(SPEAKERS)
    claim, _ = rng.choice(CLAIMS)
    return ("City officials met on Monday to discuss the budget. " + claim.format(name=name, pron_cap="Everyone")
            + f"\n\nThe council will vote next week, {pron} added.")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[str], set[str]]:
    root = tmp_path_factory.mktemp("corpus")
    rng = random.Random(7)
    rows, ids, bad = [], [], set()
    for i in range(24):
        doc_id = f"n{i:02d}"
        rows.append({"id": doc_id, "text": _article(rng), "date": f"2025-0{1 + i % 3}-1{i % 9}"})
        ids.append(doc_id)
    rows.insert(5, {"id": "empty", "text": "   "})
    rows.insert(9, {"id": "german", "text": "Die Regierung hat am Montag erklärt, dass die Gespräche über die neue "
                                             "Brücke fortgesetzt werden und dass sie zuversichtlich sei, eine Einigung "
                                             "mit den Gewerkschaften zu erzielen."})
    rows.insert(12, {"id": "huge", "text": "The bridge. " * 30_000})
    rows.insert(15, {"id": "number", "text": 42})
    bad |= {"empty", "german", "huge", "number"}
    ids = [r["id"] for r in rows]
    (root / "news.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    (root / "one.txt").write_text(_article(rng))
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    ids = ["binary", *ids, f"news:{len(rows) + 1}", "one"]  # a folder is read in sorted file order
    bad |= {"binary", f"news:{len(rows) + 1}"}
    return root, ids, bad


def test_corpus_run_keeps_one_output_per_input(corpus, tmp_path: Path, capsys):
    root, ids, bad = corpus
    out, report, plots, summary = tmp_path / "out.jsonl", tmp_path / "r.html", tmp_path / "plots", tmp_path / "s.json"
    code = main(["analyze", str(root), "-t", "bridge project=the bridge", "--extractor", "rules", "--output", str(out),
                 "--report", str(report), "--plots", str(plots), "--summary", str(summary), "--no-progress"])
    assert code == EXIT_PARTIAL
    records = [json.loads(line) for line in out.read_text().splitlines()]
    seen = list(dict.fromkeys(r["doc_id"] for r in records))
    assert seen == ids  # every input, in input order, nothing dropped
    errors = {r["doc_id"]: r for r in records if r["status"] == "error"}
    assert set(errors) == bad
    assert "English" in errors["german"]["error"] and "over the limit" in errors["huge"]["error"]
    assert "binary" in errors["binary"]["error"] and "not a string" in errors["number"]["error"]
    ok = [r for r in records if r["status"] == "ok" and r["target"] == "bridge project"]
    assert ok and all(r["speaker"] in {s for s, _ in SPEAKERS} for r in ok)
    stderr = capsys.readouterr().err
    assert f"{len(bad)} document(s) could not be analysed" in stderr
    html = report.read_text()
    assert html.count("<article") == len(ids) - len(bad) and "could not be analysed (6)" in html
    assert (plots / "stance_matrix.png").is_file() and (plots / "stance_over_time.svg").is_file()
    data = json.loads(summary.read_text())
    assert data["documents"] == len(ids) and len(data["errors"]) == len(bad)


def test_csv_output_and_table_to_screen(corpus, tmp_path: Path, capsys):
    root, _, _ = corpus
    assert main(["analyze", str(root / "one.txt"), "-t", "bridge project", "--extractor", "rules",
                 "-o", str(tmp_path / "o.csv"), "--no-progress"]) == EXIT_OK
    header = (tmp_path / "o.csv").read_text().splitlines()[0]
    assert header.startswith("doc_id,source,date,status,quote_index")
    capsys.readouterr()
    assert main(["analyze", str(root / "one.txt"), "-t", "bridge project", "--extractor", "rules"]) == EXIT_OK
    screen = capsys.readouterr().out
    assert screen.startswith("one: ") and "bridge project" in screen


def test_usage_errors(tmp_path: Path, capsys):
    (tmp_path / "a.txt").write_text("The mayor spoke.")
    assert main(["analyze", str(tmp_path / "a.txt"), "--targets", str(tmp_path / "missing.yaml")]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "a.txt"), "-o", "o.jsonl", "--format", "table"]) == EXIT_USAGE
    assert main(["analyze", str(tmp_path / "a.txt"), "-t", "A", "-t", "a", "--extractor", "rules"]) == EXIT_USAGE
    assert "unique" in capsys.readouterr().err


def test_progress_bar_on_a_terminal_does_not_crash(corpus, tmp_path: Path, capsys, monkeypatch):
    # stderr a terminal: the bar is drawn (tqdm refuses bool() on a bar without a total)
    root, _, _ = corpus
    import sys

    monkeypatch.setattr(type(sys.stderr), "isatty", lambda self: True, raising=False)
    assert main(["analyze", str(root / "one.txt"), "-t", "bridge project", "--extractor", "rules"]) == EXIT_OK
