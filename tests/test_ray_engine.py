"""The Ray engine (stanceclf.analysis.distributed) on a real local Ray cluster: exactly the records of a
local run, error records included; a killed worker or driver loses nothing and duplicates nothing;
``--engine ray`` on the command line; ``predict_ray`` against the local ``predict``; clear errors.

All text is invented for these tests.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("spacy")
# Ray Data warns about its own deprecated settings whenever it copies its context
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")

from stanceclf.analysis import Analyzer  # noqa: E402
from stanceclf.analysis.distributed import MANIFEST, run_analyze_ray, run_predict_ray  # noqa: E402
from stanceclf.analysis.runs import run_corpus  # noqa: E402
from stanceclf.cli import EXIT_PARTIAL, EXIT_USAGE, main  # noqa: E402
from stanceclf.errors import DataError, EngineError, ModelError  # noqa: E402

from conftest import make_corpus  # noqa: E402

SPEAKERS = ["Ingrid Solberg", "Marcus Feld", "Priya Raman", "Tomas Kerr", "Aiko Tanaka", "Lucia Ferreira"]
CLAIMS = [
    '"The harbour bridge will finally join the two halves of this town," {name} said on {day}.',
    '{name} called the fishing quota "a slow death sentence for family boats."',
    'Asked about the night trains, {name} said they were "the most sensible thing the ministry has done in years."',
    '"I will vote against the bridge, because the tolls fall on those who can least afford them," {name} told '
    'reporters.',
    '{name} said the sleeper service was losing money and should be scrapped before the winter timetable.',
    '"Nobody in this harbour trusts the quota numbers any more," said {name}, who skippers a trawler.',
    'The council met on {day} to discuss the budget. {name} warned that "without the bridge, the ferry queues will '
    'only grow."',
]
TARGETS = {"harbour bridge": ["the bridge"], "fishing quota": ["the quota", "quota numbers"],
           "night trains": ["the sleeper service"]}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
#: the options of every run here: fast rule-based extraction, no claim model, a low length limit
COMMON = {"extractor": "rules", "claim_model": None, "max_chars": 2000}


def _article(rng: random.Random) -> str:
    parts = [rng.choice(CLAIMS).format(name=rng.choice(SPEAKERS), day=rng.choice(DAYS)) for _ in range(2)]
    return " ".join(["Local politics were busy this week."] + parts + ["The debate goes on next month."])


@pytest.fixture(scope="module")
def cluster():
    """One real local Ray cluster (2 CPUs) for the module; this module's classes reach its workers."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """46 documents in a JSONL file, a CSV file and a folder of .txt files, 11 of them bad."""
    root = tmp_path_factory.mktemp("corpus")
    rng = random.Random(15)
    rows: list[dict] = [{"id": f"n{i:02d}", "date": f"2025-0{1 + i % 6}-1{i % 10}", "text": _article(rng)}
                        for i in range(26)]
    rows.insert(3, {"id": "blank", "text": ""})
    rows.insert(8, {"id": "spaces", "text": "   \n\t  "})
    rows.insert(12, {"id": "number", "text": 17})
    rows.insert(17, {"id": "toolong", "text": "The harbour bridge is long. " * 80})  # over max_chars=2000
    rows.insert(21, {"id": "norsk", "text": "Havnebrua blir endelig ferdig neste sommer, sier ordføreren til avisa, "
                                            "og fiskerne gleder seg over kortere vei til markedet i byen hver dag."})
    news = root / "news.jsonl"
    news.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + '\n{"id": "cut", "text": "half\n')
    with (root / "more.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows([["id", "date", "text"], *[[f"c{i}", f"2025-07-0{i + 1}", _article(rng)] for i in range(6)],
                          ["c6", "2025-07-09", ""]])
    folder = root / "txt"
    folder.mkdir()
    for i in range(4):
        (folder / f"t{i}.txt").write_text(_article(rng), encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Caf\xe9 owners said the bridge was \xabgood news\xbb.".encode("latin-1"))
    (folder / "white.txt").write_text(" \n \n")
    return [str(news), str(root / "more.csv"), str(folder)]


@pytest.fixture(scope="module")
def tfidf(tmp_path_factory) -> str:
    """A small fitted TF-IDF stance model, saved: it loads in a blink in every worker."""
    from stanceclf import create_model

    path = tmp_path_factory.mktemp("model") / "tfidf"
    rows = make_corpus()
    model = create_model("tfidf", c_grid=[1.0], class_weight_grid=[None], cv=2)
    model.fit([(text, target) for text, target, _ in rows], [label for _, _, label in rows]).save(path)
    return str(path)


def _local(corpus: list[str], out: Path, **options) -> list[dict]:
    run_corpus(corpus, Analyzer(**COMMON, **options), TARGETS, output=out)
    return _rows(out)


def _rows(*paths: Path) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def _parts(folder: Path) -> list[dict]:
    return _rows(*sorted(folder.glob("part-*.jsonl")))


@pytest.fixture(scope="module")
def local_tfidf(corpus, tfidf, tmp_path_factory) -> list[dict]:
    """The local run's records with the TF-IDF model: the reference of the resume tests."""
    return _local(corpus, tmp_path_factory.mktemp("local") / "records.jsonl", model=tfidf)


# --------------------------------------------------------------------------------------------------
# The same records as a local run
# --------------------------------------------------------------------------------------------------

@pytest.mark.slow  # ~40 s; the default run compares Ray with local runs in the tests below (TF-IDF model)
def test_ray_gives_exactly_the_local_records_with_the_default_model(cluster, corpus, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    local = _local(corpus, tmp_path / "local.jsonl", model="default")
    # shards of 32 documents are the local run's chunks: the same model batches, the same bits
    run = run_analyze_ray(corpus, TARGETS, output_dir=tmp_path / "ray", workers=2, shard_size=32, model="default",
                          **COMMON)
    assert _parts(tmp_path / "ray") == local
    assert [dict(row) for row in run.records.take_all()] == local
    errors = {r["doc_id"]: r["stage"] for r in local if r["status"] == "error"}
    assert errors == {"blank": "validate", "spaces": "validate", "number": "read", "toolong": "validate",
                      "norsk": "validate", "news:32": "read", "c6": "validate", "binary": "read", "latin1": "read",
                      "white": "validate"}
    assert {e["doc_id"] for e in run.errors} == set(errors) and run.documents == 46 and run.shards == 2
    assert len(run.workers) == 2 and all(w["peak_rss_mb"] > 0 for w in run.workers.values())
    assert run.timings["extract"] > 0 and run.timings["stance"] > 0
    manifest = _rows(tmp_path / "ray" / MANIFEST)
    assert manifest[0]["inputs"] == corpus and manifest[0]["shard_size"] == 32
    assert sorted(e["shard"] for e in manifest[1:-1]) == [0, 1] and manifest[-1]["finished"]
    assert {e["worker"] for e in manifest[1:-1]} <= set(run.workers)  # each shard names its worker and its peak
    assert all(e["peak_rss_mb"] > 0 for e in manifest[1:-1])


@pytest.mark.slow
def test_a_dataset_in_and_no_output_folder(cluster, corpus, tfidf, local_tfidf) -> None:
    rows = [json.loads(line) for line in Path(corpus[0]).read_text().splitlines()[:-1]]
    dataset = ray.data.from_items([{"date": None, **r} for r in rows if isinstance(r["text"], str)])
    run = run_analyze_ray(dataset, TARGETS, workers=1, shard_size=16, model=tfidf, **COMMON)
    records = [dict(row) for row in run.records.take_all()]
    kept = {r["id"] for r in rows if isinstance(r["text"], str)}
    expected = [r for r in local_tfidf if r["doc_id"] in kept]
    ignore = ("source", "error")  # where a document came from is named differently
    assert [{k: v for k, v in r.items() if k not in ignore} for r in records] == \
        [{k: v for k, v in r.items() if k not in ignore} for r in expected]
    assert run.output_dir is None and run.files == []


# --------------------------------------------------------------------------------------------------
# Killed workers and drivers
# --------------------------------------------------------------------------------------------------

class _DiesOnce(Analyzer):
    """Kills its own worker process the first time it meets document ``victim`` (``marker`` remembers)."""

    def __init__(self, *args, victim: str, marker: str, **options):
        super().__init__(*args, **options)
        self.victim, self.marker = victim, marker

    def extract(self, documents):
        if any(d.id == self.victim for d in documents) and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)
        return super().extract(documents)


class _AlwaysDies(Analyzer):
    """Kills its worker whenever document ``poison`` is in the chunk (a document that crashes spaCy)."""

    def extract(self, documents):
        if any(d.id == "poison" for d in documents):
            os._exit(1)
        return super().extract(documents)


def test_a_killed_worker_is_replaced_and_nothing_is_lost(cluster, corpus, tfidf, local_tfidf, tmp_path: Path) -> None:
    marker = tmp_path / "died"
    run = run_analyze_ray(corpus, TARGETS, output_dir=tmp_path / "ray", workers=1, shard_size=16, model=tfidf,
                          analyzer_class=_DiesOnce, victim="n09", marker=str(marker), **COMMON)
    assert marker.exists()  # the worker did die
    assert _parts(tmp_path / "ray") == local_tfidf
    assert len(run.workers) == 2  # the first worker, and the one that replaced it


@pytest.mark.slow
def test_a_killed_driver_resumes_without_losses_or_duplicates(cluster, corpus, tfidf, local_tfidf,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "ray"
    script = textwrap.dedent(f"""
        from stanceclf.analysis.distributed import run_analyze_ray
        run_analyze_ray({corpus!r}, {TARGETS!r}, output_dir={str(out)!r}, address={cluster!r}, workers=1,
                        shard_size=4, model={tfidf!r}, **{COMMON!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / MANIFEST).exists() and len((out / MANIFEST).read_text().splitlines()) >= 3:  # 2 shards done
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    assert proc.wait(timeout=60) == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    assert not any("finished" in line for line in (out / MANIFEST).read_text().splitlines())
    with pytest.raises(DataError, match="--resume"):  # a rerun never discards the killed run silently
        run_analyze_ray(corpus, TARGETS, output_dir=out, workers=1, shard_size=4, model=tfidf, **COMMON)
    run = run_analyze_ray(corpus, TARGETS, output_dir=out, workers=2, shard_size=4, resume=True, model=tfidf,
                          **COMMON)
    assert run.resumed_shards >= 2 and run.shards == 12 and run.documents == 46
    assert _parts(out) == local_tfidf
    assert [dict(r) for r in run.records.take_all()] == local_tfidf
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file is left
    again = run_analyze_ray(corpus, TARGETS, output_dir=out, shard_size=4, resume=True, model=tfidf, **COMMON)
    assert again.resumed_shards == 12 and again.workers == {}  # all done: no worker even started


@pytest.mark.slow
def test_a_document_that_always_kills_its_worker_becomes_an_error_record(cluster, tfidf, tmp_path: Path) -> None:
    rng = random.Random(3)
    rows = [{"id": f"d{i}", "text": _article(rng)} for i in range(6)]
    rows.insert(2, {"id": "poison", "text": _article(rng)})
    src = tmp_path / "docs.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    local = _local([str(src)], tmp_path / "local.jsonl", model=tfidf)
    run = run_analyze_ray([str(src)], TARGETS, output_dir=tmp_path / "ray", workers=1, shard_size=8, model=tfidf,
                          analyzer_class=_AlwaysDies, **COMMON)
    records = _parts(tmp_path / "ray")
    (poison,) = [r for r in records if r["doc_id"] == "poison"]
    assert poison["status"] == "error" and poison["stage"] == "worker" and "died" in poison["error"]
    assert [r for r in records if r["doc_id"] != "poison"] == [r for r in local if r["doc_id"] != "poison"]
    assert [e["doc_id"] for e in run.errors] == ["poison"]


# --------------------------------------------------------------------------------------------------
# The command line and predictions
# --------------------------------------------------------------------------------------------------

@pytest.mark.slow  # ~20 s; the engine's records are compared with a local run's in the default run above
def test_cli_engine_ray_end_to_end(cluster, corpus, tfidf, local_tfidf, tmp_path: Path, capsys) -> None:
    out = tmp_path / "quotes"
    options = [a for name, aliases in TARGETS.items() for a in ("-t", f"{name}={'|'.join(aliases)}")]
    argv = ["analyze", *corpus, *options,
            "--extractor", "rules", "--no-claims", "--max-chars", "2000", "--model", tfidf, "--no-progress",
            "--engine", "ray", "--workers", "1", "--shard-size", "16", "-o", str(out)]
    assert main(argv) == EXIT_PARTIAL  # the bad documents are reported, the rest analysed
    assert _parts(out) == local_tfidf
    err = capsys.readouterr().err
    assert "10 document(s) could not be analysed" in err and "binary" in err and "Traceback" not in err
    assert main(argv) == EXIT_USAGE and "--resume" in capsys.readouterr().err
    # as if the driver had been killed after the first shard: a later shard half written, the rest not noted
    manifest = (out / MANIFEST).read_text().splitlines()
    (out / MANIFEST).write_text("\n".join(manifest[:2]) + '\n{"shard": 2, "fir')
    (out / ".part-00002.jsonl.x1.tmp.jsonl").write_text('{"doc_id": "c')
    (out / "part-00002.jsonl").unlink()
    assert main([*argv, "--resume"]) == EXIT_PARTIAL
    assert _parts(out) == local_tfidf and not [p for p in out.iterdir() if p.name.startswith(".")]
    assert "10 document(s) could not be analysed" in capsys.readouterr().err  # earlier sessions' errors too


def test_predict_ray_writes_exactly_what_local_predict_writes(cluster, tfidf, tmp_path: Path) -> None:
    rng = random.Random(5)
    rows = [{"text": rng.choice(CLAIMS).format(name=rng.choice(SPEAKERS), day="Monday"),
             "target": rng.choice(list(TARGETS)), **({"speaker": "Ada Lind"} if i % 3 == 0 else {})} for i in range(20)]
    rows[4]["text"] = ""
    src = tmp_path / "pairs.jsonl"
    lines = [json.dumps(r) for r in rows]
    src.write_text("\n".join([*lines[:10], "[1, 2]", *lines[10:]]) + "\n")
    local = tmp_path / "local.jsonl"
    assert main(["predict", "--model", tfidf, "--input", str(src), "--output", str(local), "--batch-size", "4"]) \
        == EXIT_PARTIAL
    run = run_predict_ray([src], model=tfidf, output_dir=tmp_path / "ray", workers=1, shard_size=6, batch_size=4)
    parts = "".join(p.read_text() for p in sorted((tmp_path / "ray").glob("part-*.jsonl")))
    assert parts == local.read_text() and run.documents == 21 and len(run.errors) == 2
    records = [dict(r) for r in run.records.take_all()]
    expected = [json.loads(line) for line in local.read_text().splitlines()]
    assert [r["row"] for r in records] == [e["row"] for e in expected]
    assert [r["label"] for r in records] == [e.get("label") for e in expected]
    assert [r["p_favor"] for r in records] == [e["probabilities"]["FAVOR"] if "label" in e else None for e in expected]


# --------------------------------------------------------------------------------------------------
# Clear errors, before any work
# --------------------------------------------------------------------------------------------------

def test_ray_missing_says_how_to_install_it(monkeypatch, corpus, tmp_path: Path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    with pytest.raises(EngineError, match=r"pip install 'stanceclf\[ray\]'"):
        run_analyze_ray(corpus, TARGETS, **COMMON)
    assert main(["analyze", corpus[0], "-t", "harbour bridge", "--engine", "ray", "-o", str(tmp_path / "o")]) \
        == EXIT_USAGE
    assert "stanceclf[ray]" in capsys.readouterr().err


def test_a_bad_address_is_an_error_not_a_traceback(cluster, corpus, tmp_path: Path, capsys) -> None:
    with pytest.raises(EngineError, match="Cannot reach the Ray cluster"):
        run_analyze_ray(corpus, TARGETS, address="127.0.0.1:1", **COMMON)
    with pytest.raises(EngineError, match="not a Ray address"):
        run_analyze_ray(corpus, TARGETS, address="nowhere", **COMMON)
    argv = ["analyze", corpus[0], "-t", "harbour bridge", "--engine", "ray", "--address", "127.0.0.1:1",
            "-o", str(tmp_path / "o")]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Cannot reach the Ray cluster at '127.0.0.1:1'" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("extra, message", [
    (["-"], "not standard input"),
    (["--report", "{tmp}/r.html"], "--report works with --engine local only"),
    (["--rank-claims", "5"], "--rank-claims works with --engine local only"),
    (["--format", "csv"], "jsonl or parquet"),
    (["--shard-size", "0"], "--shard-size must be at least 1"),
])
def test_cli_refuses_what_the_ray_engine_cannot_do(extra, message, corpus, tmp_path: Path, capsys) -> None:
    inputs = ["-"] if extra == ["-"] else [corpus[0]]
    extra = [] if extra == ["-"] else [e.format(tmp=tmp_path) for e in extra]
    argv = ["analyze", *inputs, "-t", "harbour bridge", "--engine", "ray", "-o", str(tmp_path / "o"), *extra]
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_cli_refuses_ray_options_without_the_ray_engine(corpus, tmp_path: Path, capsys) -> None:
    assert main(["analyze", corpus[0], "-t", "harbour bridge", "--address", "auto"]) == EXIT_USAGE
    assert "--address applies to --engine ray" in capsys.readouterr().err
    assert main(["analyze", corpus[0], "-t", "harbour bridge", "--engine", "ray"]) == EXIT_USAGE
    assert "give --output DIR" in capsys.readouterr().err
    assert main(["predict", "--model", "default", "--text", "a", "--target", "b", "--engine", "ray",
                 "--output", str(tmp_path)]) == EXIT_USAGE
    assert "--text works with --engine local only" in capsys.readouterr().err


def test_output_folders_are_never_clobbered(cluster, corpus, tfidf, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(DataError, match="not a stanceclf Ray run's"):
        run_analyze_ray(corpus, TARGETS, output_dir=other, model=tfidf, **COMMON)
    with pytest.raises(DataError, match="apply to an output folder"):
        run_analyze_ray(corpus, TARGETS, resume=True, model=tfidf, **COMMON)
    with pytest.raises(DataError, match="target list is empty"):
        run_analyze_ray(corpus, [], model=tfidf, **COMMON)
    with pytest.raises(DataError, match="Bad analyzer option"):
        run_analyze_ray(corpus, TARGETS, modle=tfidf, **COMMON)
    # a model that cannot load fails in the workers, before the output folder is touched
    with pytest.raises(ModelError, match="does not exist"):
        run_analyze_ray(corpus, TARGETS, output_dir=tmp_path / "new", workers=1, model=str(tmp_path / "typo"),
                        **COMMON)
    assert not (tmp_path / "new").exists()

    def manifest(folder: Path, **header) -> None:
        folder.mkdir()
        (folder / MANIFEST).write_text(json.dumps({"version": 1, "kind": "analyze", "inputs": corpus[1:2],
                                                   "format": "jsonl", "shard_size": 256, **header}) + "\n")

    manifest(tmp_path / "done", options={"analyzer": "stanceclf.analysis.pipeline.Analyzer",
                                         "targets": [[name, aliases] for name, aliases in TARGETS.items()],
                                         "text_column": "text", "id_column": "id", "date_column": "date",
                                         "model": tfidf, **COMMON})
    with pytest.raises(DataError, match="other inputs"):
        run_analyze_ray(corpus[:2], TARGETS, output_dir=tmp_path / "done", resume=True, model=tfidf, **COMMON)
    with pytest.raises(DataError, match="other options"):
        run_analyze_ray(corpus[1:2], ["fishing quota"], output_dir=tmp_path / "done", resume=True, model=tfidf,
                        **COMMON)
    with pytest.raises(DataError, match="other shard size"):
        run_analyze_ray(corpus[1:2], TARGETS, output_dir=tmp_path / "done", resume=True, shard_size=64, model=tfidf,
                        **COMMON)
    (tmp_path / "done" / "part-00000.jsonl").write_text("")
    with pytest.raises(DataError, match="holds an earlier run"):
        run_analyze_ray(corpus[1:2], TARGETS, output_dir=tmp_path / "done", model=tfidf, **COMMON)
