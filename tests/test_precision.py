"""Inference precisions (stanceclf.models.precision): choice, fallback, and agreement with fp32."""

from __future__ import annotations

import numpy as np
import pytest

from stanceclf.errors import ModelError
from stanceclf.models import precision
from stanceclf.models.base import PairBatch

pytest.importorskip("torch")

# Own sentences, one per line, each scored against two targets.
TEXTS = [
    "The new tram line is the best thing the council has done in years.",
    "Ministers must scrap this reckless tax before it ruins small shops.",
    "The committee will meet again on Thursday to discuss the budget.",
    "I have never trusted the mayor and I never will.",
    "Our nurses deserve every penny of this pay rise.",
    "The bridge closure caused chaos for commuters all week.",
    "We welcome the agreement and thank both delegations for their work.",
    "This deal is a betrayal of every worker in the region.",
    "The report was published on Monday.",
    "Frankly, the senator's plan would bankrupt the state.",
]
TARGETS = ["the council", "the tax"]


def _batch() -> PairBatch:
    texts = [t for t in TEXTS for _ in TARGETS]
    return PairBatch(texts, TARGETS * len(TEXTS), [""] * len(texts), None)


def test_unknown_precision_is_a_clear_error():
    with pytest.raises(ModelError, match="Unknown precision 'fp8'; use one of auto, fp32, bf16, int8"):
        precision.resolve_precision("fp8", "cpu")


def test_auto_and_bf16_follow_the_hardware(monkeypatch, caplog):
    monkeypatch.setattr(precision, "fast_bf16", lambda device_type: False)
    monkeypatch.setattr(precision, "_WARNED_BF16", set())
    assert precision.resolve_precision("auto", "cpu") == precision.AUTO_CHOICE
    with caplog.at_level("WARNING", logger="stanceclf"):
        assert precision.resolve_precision("bf16", "cpu") == "fp32"  # the fp32 fallback
        assert precision.resolve_precision("bf16", "cpu") == "fp32"
    assert [r.getMessage().count("no fast bfloat16") for r in caplog.records] == [1]  # said once
    monkeypatch.setattr(precision, "fast_bf16", lambda device_type: True)
    assert precision.resolve_precision("auto", "cpu") == "bf16"
    assert precision.resolve_precision("bf16", "cuda") == "bf16"
    with pytest.raises(ModelError, match="runs on the CPU"):
        precision.resolve_precision("int8", "cuda")


def test_fast_bf16_reads_the_cpu():
    import torch

    expected = bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    assert precision.fast_bf16("cpu") is expected
    assert precision.fast_bf16("mps") is False


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STANCECLF_CACHE", str(tmp_path / "c"))
    assert precision.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("STANCECLF_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert precision.cache_dir() == tmp_path / "x" / "stanceclf"


@pytest.fixture(scope="module")
def fp32_and_int8(tmp_path_factory):
    pytest.importorskip("onnxruntime")
    import os

    import stanceclf

    os.environ["STANCECLF_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        reference = stanceclf.load("default").to("cpu", precision="fp32")
        fp32 = reference.predict_proba(_batch())
        int8_model = stanceclf.load("default").to("cpu", precision="int8")
        yield fp32, int8_model
    finally:
        del os.environ["STANCECLF_CACHE"]


def test_int8_keeps_the_labels_of_fp32(fp32_and_int8):
    """int8 changes ~3% of labels on the stance dev set (benchmarks/results/precision.json), all of them
    close calls: here every label whose fp32 probability leads the next by 0.3 or more must stay, and
    no probability may move by 0.25 or more."""
    fp32, model = fp32_and_int8
    assert model.precision_ == "int8"
    int8 = model.predict_proba(_batch())
    assert int8.shape == fp32.shape and np.allclose(int8.sum(axis=1), 1.0)
    top_two = np.sort(fp32, axis=1)[:, -2:]
    clear = top_two[:, 1] - top_two[:, 0] >= 0.3
    assert clear.sum() >= 12
    assert (int8.argmax(1) == fp32.argmax(1))[clear].all()
    assert np.abs(int8 - fp32).max() < 0.25
    assert not np.allclose(int8, fp32, atol=1e-6)  # it really ran the quantised copy


def test_int8_copy_is_cached_by_weights(fp32_and_int8):
    _, model = fp32_and_int8
    model.predict_proba(_batch())
    path = model._int8.path
    assert path.is_file() and path.parent.parent == precision.cache_dir()
    stamp = path.stat().st_mtime_ns
    again = precision.Int8Runner(model.model_, model._int8.input_names)
    assert again.path == path and path.stat().st_mtime_ns == stamp  # reused, not rebuilt
    path.write_bytes(b"not an onnx model")  # a copy cut short: rebuilt, not an error
    rebuilt = precision.Int8Runner(model.model_, model._int8.input_names)
    assert path.stat().st_size > 1_000_000
    fake = {name: np.ones((1, 6), dtype=np.int64) for name in rebuilt.input_names}
    assert np.allclose(rebuilt(fake), again(fake), atol=1e-5)


def test_int8_without_onnxruntime_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ort(name, *args, **kwargs):
        if name.startswith("onnxruntime"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ort)
    with pytest.raises(ModelError, match=r"pip install 'stanceclf\[fast\]'"):
        precision.Int8Runner(object(), ("input_ids",))


def test_quote_tagger_precisions_share_weights(monkeypatch, tmp_path):
    pytest.importorskip("onnxruntime")
    from stanceclf.extract.tagger import load_default_tagger

    monkeypatch.setenv("STANCECLF_CACHE", str(tmp_path))
    tagger = load_default_tagger()
    text = ('"We will not back down," said Maria Lopez, the union leader. '
            'The mayor said the strike was "deeply irresponsible".')
    int8 = tagger.with_precision("int8")
    assert int8 is not tagger and int8.model is tagger.model and tagger.precision == "fp32"
    assert tagger.with_precision("fp32") is tagger

    def contents(t):
        return [(a.content.start, a.content.end) for a in t.predict([text])[0]]

    assert contents(int8) == contents(tagger) and len(contents(tagger)) == 2


def test_cli_precision_option(monkeypatch, tmp_path, capsys):
    import json

    from stanceclf.cli import EXIT_OK, EXIT_USAGE, main

    monkeypatch.setattr(precision, "fast_bf16", lambda device_type: False)
    monkeypatch.setattr(precision, "_WARNED_BF16", set())
    args = ["predict", "--model", "default", "--text", TEXTS[4], "--target", "the nurses"]
    assert main(args + ["--precision", "auto"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["label"] in {"FAVOR", "AGAINST", "NONE"}
    with pytest.raises(SystemExit) as refused:  # argparse refuses it with the usage exit code
        main(args + ["--precision", "fp8"])
    assert refused.value.code == EXIT_USAGE
    assert "invalid choice: 'fp8'" in capsys.readouterr().err
    sentences = tmp_path / "s.txt"
    sentences.write_text("\n".join(TEXTS[:3]) + "\n", encoding="utf-8")
    assert main(["claims", str(sentences), "--precision", "bf16", "-o", str(tmp_path / "c.csv")]) == EXIT_OK
    assert "no fast bfloat16" in capsys.readouterr().err  # the CLI's log on standard error
    assert len((tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()) == 4
