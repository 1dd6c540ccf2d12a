"""Corpus runs lose nothing: atomic per-document records, a manifest, --resume after a kill, outputs
checked before any work, and inputs that used to stop a run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stanceclf.analysis.corpus import Document, DocumentError, read_documents, validate_text
from stanceclf.analysis.runs import ResumableRecords
from stanceclf.files import atomic_output
from stanceclf.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, main
from stanceclf.errors import DataError

ARTICLE = ('Mayor Lena Fischer defended the tram line on Tuesday. "The tram line is the best investment this city '
           'has made in decades," Fischer said. Her rival, councillor Tom Baker, said the plan was "a disastrous '
           'waste of money" and warned that taxpayers would regret it.')


def _corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"doc{i:03d}", "date": f"2025-0{i % 9 + 1}-01",
                                 "text": ARTICLE.replace("Tuesday", f"day {i}")}) + "\n")
    return path


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the writer ---------------------------------------------------------------------------------------

def _results(n: int) -> list[DocumentError]:
    return [DocumentError(f"d{i}", f"reason {i}", "in.jsonl", "validate") for i in range(n)]


def test_a_killed_run_resumes_without_duplicates_or_losses(tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    run = ResumableRecords(out, inputs=["in.jsonl"])
    for result in _results(3):
        run.write(result)
    run.close()  # the process dies here ...
    with run.partial.open("ab") as fh:  # ... in the middle of writing the 4th document
        fh.write(b'{"doc_id": "d3", "sta')
    with run.manifest.open("a") as fh:
        fh.write('{"doc_id": "d3", "rec')
    assert not out.exists()  # nothing final until the run finishes

    resumed = ResumableRecords(out, inputs=["in.jsonl"], resume=True)
    assert resumed.done_ids == ["d0", "d1", "d2"]
    for i, result in enumerate(_results(5)):
        if i < len(resumed.done_ids):
            resumed.check_skipped(i, result.id)
        else:
            resumed.write(result)
    resumed.finish()
    assert [r["doc_id"] for r in _rows(out)] == ["d0", "d1", "d2", "d3", "d4"]
    assert not resumed.partial.exists() and not resumed.manifest.exists()


def test_resume_refuses_other_inputs_and_a_rerun_never_discards_a_partial(tmp_path: Path) -> None:
    out = tmp_path / "records.csv"
    run = ResumableRecords(out, inputs=["a.jsonl"])
    run.write(_results(1)[0])
    run.close()
    with pytest.raises(DataError, match="other inputs"):
        ResumableRecords(out, inputs=["b.jsonl"], resume=True)
    with pytest.raises(DataError, match="--resume"):
        ResumableRecords(out, inputs=["a.jsonl"])
    resumed = ResumableRecords(out, inputs=["a.jsonl"], resume=True)
    with pytest.raises(DataError, match="inputs changed"):
        resumed.check_skipped(0, "another-doc")
    ResumableRecords(out, inputs=["a.jsonl"], overwrite=True).finish()
    assert out.read_text().startswith("doc_id,")  # CSV with only its header


def test_atomic_output_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


# -- the command ---------------------------------------------------------------------------------------

def _analyze(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "stanceclf.cli", "analyze", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_and_resume(tmp_path: Path, corpus: Path, kills: list[int]) -> tuple[list[dict], list[dict]]:
    """Run once without interruption, then again killed (SIGKILL) after each count of finished
    documents in ``kills`` and resumed; return both sets of records."""
    common = [str(corpus), "-t", "tram line=the plan", "-t", "taxpayers", "--extractor", "rules", "--no-progress"]
    reference = tmp_path / "reference.jsonl"
    assert main(["analyze", *common, "-o", str(reference)]) == EXIT_OK  # in this process: only kills need a child
    out = tmp_path / "killed.jsonl"
    manifest = tmp_path / "killed.jsonl.manifest.jsonl"
    for i, after in enumerate(kills):
        proc = _analyze([*common, "-o", str(out), *(["--resume"] if i else [])], tmp_path)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            done = len(manifest.read_text().splitlines()) - 1 if manifest.exists() else 0
            if done >= after:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        assert proc.wait(timeout=60) == -signal.SIGKILL, f"the run finished before the kill after {after} documents"
        assert not out.exists()  # a killed run leaves only its partial file and manifest
    assert main(["analyze", *common, "-o", str(out), "--resume"]) == EXIT_OK
    return _rows(reference), _rows(out)


@pytest.mark.slow  # ~30 s (a real SIGKILL of a subprocess); the default run resumes a killed run in-process above
def test_kill_then_resume_gives_exactly_one_complete_set_of_records(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    pytest.importorskip("torch")
    # documents are analysed in chunks of 32: the kill lands while the second chunk is being analysed
    reference, resumed = _kill_and_resume(tmp_path, _corpus(tmp_path / "corpus.jsonl", 70), kills=[1])
    assert resumed == reference
    assert len({r["doc_id"] for r in resumed}) == 70


@pytest.mark.slow
def test_random_kills_then_resume(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    rng = random.Random(int(os.environ.get("STANCECLF_KILL_SEED", "0")))
    n = 200
    # documents are written a chunk (32) at a time, so a kill is only sure to land before the last chunk;
    # a threshold already passed kills the next session while its models load: also a valid kill
    kills = sorted(rng.sample(range(1, n - 40), 6))
    reference, resumed = _kill_and_resume(tmp_path, _corpus(tmp_path / "corpus.jsonl", n), kills=kills)
    assert resumed == reference
    assert len({r["doc_id"] for r in resumed}) == n


def test_a_failing_run_leaves_existing_outputs_untouched(tmp_path: Path, capsys) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(ARTICLE)
    existing = tmp_path / "out.jsonl"
    existing.write_text('{"kept": true}\n')
    assert main(["analyze", str(docs), "-o", str(existing), "--model", str(tmp_path / "typo")]) == EXIT_USAGE
    assert existing.read_text() == '{"kept": true}\n'
    assert main(["analyze", str(docs / "a.txt"), "-o", str(docs / "a.txt"), "--format", "jsonl", "-t", "x"]) == EXIT_USAGE
    assert (docs / "a.txt").read_text() == ARTICLE
    assert "one of the inputs" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--max-chars", "0"], "--max-chars must be at least 1"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["-o", "{tmp}/missing/out.jsonl"], "does not exist"),
    (["-o", "{tmp}/out.xlsx"], ".parquet"),
    (["--report", "{tmp}"], "is a folder"),
    (["--summary", "{tmp}/missing/s.json"], "does not exist"),
    (["--plots", "{tmp}/file.txt"], "is a file"),
    (["--resume"], "--resume and --overwrite apply"),
])
def test_bad_options_are_refused_before_any_work(args, message, tmp_path: Path, capsys) -> None:
    (tmp_path / "file.txt").write_text(ARTICLE)
    argv = ["analyze", str(tmp_path / "file.txt"), "-t", "tram line", *[a.format(tmp=tmp_path) for a in args]]
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_a_missing_input_is_bad_usage(tmp_path: Path, capsys) -> None:
    assert main(["analyze", str(tmp_path / "nope.txt"), "-t", "x"]) == EXIT_USAGE
    assert "input not found" in capsys.readouterr().err


def test_odd_documents_become_records_and_the_run_goes_on(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(ARTICLE)
    (docs / "b.txt").write_text("\u300d" + "\x0b" * 100)  # its suggested target names are blank
    (docs / "c\udce9.txt".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")).write_text(ARTICLE)
    (docs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    out = tmp_path / "o.jsonl"
    code = main(["analyze", str(docs), "--extractor", "rules", "-o", str(out), "--no-progress"])
    rows = _rows(out)
    assert code == EXIT_PARTIAL  # the broken link is reported, the rest analysed
    ids = {r["doc_id"] for r in rows}
    assert {"a", "b", "c\\udce9"} <= ids and any("broken symbolic link" in (r["error"] or "") for r in rows)


def test_lone_surrogates_in_text_are_analysed_not_fatal() -> None:
    raw = "The mayor \ud800said the plan was good for the city and its people, she said."
    text = validate_text(raw)
    assert text == raw.replace("\ud800", "\ufffd")  # one for one: offsets into it are offsets into the input


def test_a_csv_with_an_unclosed_quote_reports_the_lines_it_spoiled(tmp_path: Path) -> None:
    lines = ["id,text"] + [f'{i},"Article {i} quotes ""someone"" here."' for i in range(10)]
    lines[4] = '3,"Article three never closes its quote.'
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n")
    docs = list(read_documents([path]))
    good = [d.id for d in docs if isinstance(d, Document)]
    bad = [d for d in docs if isinstance(d, DocumentError)]
    assert len(bad) == 1 and "unclosed quotation mark on line 5" in bad[0].error
    assert good == ["0", "1", "2", "5", "6", "7", "8", "9"]  # rows after the damage are still read


def test_dates_that_are_not_iso_are_left_out_of_the_time_view_and_counted() -> None:
    from stanceclf.analysis.outputs import StanceAggregate

    agg = StanceAggregate()
    base = {"status": "ok", "speaker": "A", "target": "T", "stance": "FAVOR", "p_favor": 1.0}
    for date in ("2025-03-04", "2025-03", "yesterday", "2024-13"):
        agg.add_record({**base, "date": date})
    assert list(agg.over_time()) == [("2025-03", "T")] and agg.over_time()[("2025-03", "T")]["n"] == 2
    assert agg.unparsed_dates == 2


def test_csv_cells_are_spreadsheet_safe(tmp_path: Path) -> None:
    import csv

    from stanceclf.analysis.outputs import RecordWriter

    out = tmp_path / "r.csv"
    with RecordWriter(out) as writer:
        writer.write(DocumentError("=HYPERLINK(\"http://x\")", "@SUM(A1)", "+x.txt", "read"))
    row = next(csv.DictReader(out.open()))
    assert row["doc_id"].startswith("'=") and row["error"] == "'@SUM(A1)" and row["source"] == "'+x.txt"
