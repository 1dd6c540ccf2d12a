"""Every command run as a user runs it: in a real (pseudo-)terminal, progress bars on.

Output redirected to a file or a pipe hides whatever only happens on a terminal (a progress bar that
crashed on ``bool()`` did, for every user, while every captured test passed). These tests give the
child process a pty for stdin, stdout and stderr.
"""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_semeval_fixture

pty = pytest.importorskip("pty")  # POSIX only
fcntl = pytest.importorskip("fcntl")
termios = pytest.importorskip("termios")

REPO = Path(__file__).resolve().parents[1]
FAST = ["--param", "c_grid=[1.0]", "--param", "class_weight_grid=[null]", "--param", "cv=2"]


def run_in_terminal(argv: list[str], cwd: Path, timeout: float = 300) -> tuple[int, str]:
    """Run ``stanceclf ARGV`` with a pseudo-terminal as stdin/stdout/stderr; return (exit code, output)."""
    master, slave = pty.openpty()
    # a real terminal has a size (a fresh pty is 0 x 0, where progress bars draw nothing)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "stanceclf.cli", *argv], stdin=slave, stdout=slave,
                            stderr=slave, cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        else:
            proc.kill()
            pytest.fail(f"stanceclf {' '.join(argv)} did not finish in {timeout} s")
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def data_root(tmp_path_factory) -> Path:
    return write_semeval_fixture(tmp_path_factory.mktemp("data"), n_train=12)


@pytest.fixture(scope="module")
def trained(data_root: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "model"
    code, output = run_in_terminal(["train", "--model", "tfidf", "--dataset", "semeval2016", "--data-dir",
                                    str(data_root), "--output", str(out), *FAST], cwd=out.parent)
    assert code == 0, output
    assert "Saved to" in output and "Traceback" not in output
    return out


def test_analyze_as_in_the_readme(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    pytest.importorskip("torch")
    code, output = run_in_terminal(["analyze", str(REPO / "examples/article.txt"), "--targets",
                                    str(REPO / "examples/targets.yaml"), "--report", str(tmp_path / "r.html")],
                                   cwd=tmp_path)
    assert code == 0, output
    assert "Traceback" not in output
    assert "analyze: 1doc" in output  # the progress bar was drawn
    assert "Astrid Halvorsen" in output and "Arctic fishing treaty" in output
    assert (tmp_path / "r.html").stat().st_size > 1000


def test_quotes(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    code, output = run_in_terminal(["quotes", str(REPO / "examples/article.txt"), "--extractor", "rules"],
                                   cwd=tmp_path)
    assert code == 0, output
    assert "Traceback" not in output and "direct" in output


def test_train_then_predict_a_file(trained: Path, tmp_path: Path) -> None:
    rows = [{"text": f"I love reactors {i}", "target": "Nuclear Power"} for i in range(600)]
    src = tmp_path / "pairs.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "preds.jsonl"
    code, output = run_in_terminal(["predict", "--model", str(trained), "--input", str(src), "--output", str(out),
                                    "--batch-size", "100"], cwd=tmp_path)
    assert code == 0, output
    assert "Traceback" not in output and "predict" in output  # the bar
    assert len(out.read_text().splitlines()) == 600


def test_evaluate(data_root: Path, tmp_path: Path) -> None:
    code, output = run_in_terminal(["evaluate", "--model", "tfidf", "--dataset", "semeval2016", "--data-dir",
                                    str(data_root), "--bootstrap", "20", *FAST], cwd=tmp_path)
    assert code == 0, output
    assert "Traceback" not in output and "f_avg" in output
    assert not (tmp_path / "results").exists()  # nothing written unless --output is given


def test_quiet_hides_messages_and_bars(trained: Path, tmp_path: Path) -> None:
    code, output = run_in_terminal(["predict", "--model", str(trained), "--text", "I love reactors",
                                    "--target", "Nuclear Power", "--quiet"], cwd=tmp_path)
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["label"] in {"FAVOR", "AGAINST", "NONE"}


def test_claims(tmp_path: Path) -> None:
    from stanceclf.models.default import default_claims_available

    src = tmp_path / "sentences.txt"
    src.write_text("Unemployment fell to 4.2 percent in May.\n\nI think the mayor is wrong.\n", encoding="utf-8")
    code, output = run_in_terminal(["claims", str(src), "--sort"], cwd=tmp_path)
    assert "Traceback" not in output
    if default_claims_available():
        assert code == 0, output
        assert "check" in output and "I think the mayor is wrong." in output
    else:  # the built-in claim model is asked for by name: its absence is a clear usage error
        assert code == 2, output
        assert "not in this installation" in output
