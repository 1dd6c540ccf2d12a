"""Model registry: short names -> factories, and :func:`load` for any saved model.

>>> from stanceclf.models.registry import available_models
>>> "tfidf" in available_models()
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import ModelError, UnknownNameError, suggest
from .base import StanceModel, read_config

__all__ = ["ModelSpec", "MODELS", "available_models", "create_model", "load", "register_model"]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: the class (as 'module:Class') and default parameters."""

    name: str
    class_path: str
    params: dict[str, Any]
    description: str

    def build(self, **overrides: Any) -> StanceModel:
        """The unfitted model with ``overrides`` on top of the registered parameters; an unknown
        parameter name raises :class:`UnknownNameError` (with the nearest known names)."""
        module, cls_name = self.class_path.split(":")
        cls: Any = getattr(import_module(module), cls_name)
        known = sorted(cls._get_param_names())
        unknown = [name for name in overrides if name not in known]
        if unknown:
            raise UnknownNameError(
                f"Unknown parameter {unknown[0]!r} for model {self.name!r}.{suggest(unknown[0], known)} "
                f"Known parameters: {', '.join(known)}."
            )
        return cls(**{**self.params, **overrides})


MODELS: dict[str, ModelSpec] = {}


def register_model(name: str, class_path: str, description: str, **params: Any) -> None:
    """Register a factory under ``name`` (``class_path`` is ``'package.module:Class'``)."""
    MODELS[name] = ModelSpec(name, class_path, params, description)


register_model("tfidf", "stanceclf.models.linear:TfidfStanceClassifier",
               "TF-IDF word+char n-grams, calibrated LinearSVC per target (joint fallback).")
register_model("tfidf-joint", "stanceclf.models.linear:TfidfStanceClassifier",
               "TF-IDF with target, mention-window and overlap features; one joint LinearSVC.", mode="joint")
register_model("minilm-cross", "stanceclf.models.transformer:CrossEncoderStanceClassifier",
               "Cross-encoder: all-MiniLM-L6-v2 reads (target, text) as one pair; full fine-tune, temperature-calibrated.")
register_model("minilm-lora", "stanceclf.models.transformer:CrossEncoderStanceClassifier",
               "Cross-encoder: all-MiniLM-L6-v2 with LoRA adapters (small saved file), temperature-calibrated.",
               lora=True)

register_model("default+tfidf", "stanceclf.models.ensemble:EnsembleStanceClassifier",
               "Ensemble: the built-in default model (as shipped) + a TF-IDF model fitted on the training data; "
               "weights chosen on dev data (equal without dev).", members=["default", "tfidf"])

#: Models that ship with stanceclf, ready to use without training (``load(name)``).
BUILT_IN = {
    "default": "MiniLM cross-encoder (LoRA) trained on tweets, news sentences and news quotes; offline, "
               "calibrated. Card: docs/model-card-default.md",
}

_CLASSES = {
    "EnsembleStanceClassifier": "stanceclf.models.ensemble:EnsembleStanceClassifier",
    "TfidfStanceClassifier": "stanceclf.models.linear:TfidfStanceClassifier",
    "CrossEncoderStanceClassifier": "stanceclf.models.transformer:CrossEncoderStanceClassifier",
}


def available_models() -> list[str]:
    """Names accepted by :func:`create_model`."""
    return sorted(MODELS)


def create_model(name: str, **params: Any) -> StanceModel:
    """Build an unfitted model by registry name, overriding default parameters.

    >>> create_model("tfidf-joint").mode
    'joint'
    """
    if name not in MODELS:
        raise UnknownNameError(f"Unknown model {name!r}. Known models: {available_models()}.{suggest(name, list(MODELS))}")
    return MODELS[name].build(**params)


def load(path: str | Path, *, allow_download: bool | None = None) -> StanceModel:
    """Load any model saved with ``model.save(path)``; the class is read from its config.json.

    ``load("default")`` loads the built-in default stance model (packaged, offline). Built-in names
    always mean the built-in model; a folder of that name is loaded as ``"./default"``.

    Nothing is downloaded: a model whose base encoder is a Hugging Face name that is not in the local
    cache raises :class:`ModelError` unless ``allow_download=True``. Weight files are checked against
    the SHA-256 digests recorded when the model was saved.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ModelError(f"stanceclf.load needs a saved-model directory or a built-in model name "
                         f"({', '.join(map(repr, BUILT_IN))}), got {type(path).__name__} {path!r:.80}.")
    directory = Path(path)
    if isinstance(path, str) and path in BUILT_IN:
        from .default import load_default

        return load_default()
    if not directory.exists():
        if isinstance(path, str) and path in MODELS:
            raise ModelError(
                f"{path!r} is a model type to train, not a saved model: train it with `stanceclf train --model "
                f"{path} ...` (or stanceclf.create_model({path!r}).fit(...)) or pass a saved-model directory."
            )
        hint = suggest(str(path), [*BUILT_IN, *MODELS])
        raise ModelError(f"No saved model at {directory}: the path does not exist.{hint}")
    config = read_config(directory)
    class_path = _CLASSES.get(config["model_class"])
    if class_path is None:
        raise ModelError(f"{directory} holds an unknown model class {config['model_class']!r}; known: {sorted(_CLASSES)}.")
    module, cls_name = class_path.split(":")
    return getattr(import_module(module), cls_name).load(directory, allow_download=allow_download)
