"""Model registry: short names -> model classes and default parameters, and :func:`load` for any saved model.

:func:`register_model` is the one table of model classes: ``create_model(name)`` builds from it and
``load(path)`` finds the class a saved ``config.json`` names in it. A class that was never registered
is refused on load; nothing named in a config file is ever imported.

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

__all__ = ["ModelSpec", "MODELS", "BUILT_IN", "available_models", "create_model", "load", "register_model",
           "unregister_model", "model_class"]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its class (``'module:Class'``, and the class itself when it was registered
    as one), default parameters and a one-line description."""

    name: str
    class_path: str
    params: dict[str, Any]
    description: str
    cls: type[StanceModel] | None = None

    def model_class(self) -> type[StanceModel]:
        """The model class (imported on first use when it was registered by path)."""
        return self.cls if self.cls is not None else _import_class(self.class_path)

    def build(self, **overrides: Any) -> StanceModel:
        """The unfitted model with ``overrides`` on top of the registered parameters; an unknown
        parameter name raises :class:`UnknownNameError` (with the nearest known names)."""
        cls = self.model_class()
        known = sorted(cls._get_param_names())
        unknown = [name for name in overrides if name not in known]
        if unknown:
            raise UnknownNameError(
                f"Unknown parameter {unknown[0]!r} for model {self.name!r}.{suggest(unknown[0], known)} "
                f"Known parameters: {', '.join(known)}."
            )
        return cls(**{**self.params, **overrides})


MODELS: dict[str, ModelSpec] = {}
#: Class name (what a saved config.json records) -> class path, for every registered class.
_CLASS_PATHS: dict[str, str] = {}
#: Classes registered as objects (not importable by path, e.g. defined in a test or a notebook).
_CLASS_OBJECTS: dict[str, type[StanceModel]] = {}


def _import_class(class_path: str) -> type[StanceModel]:
    module, _, cls_name = class_path.partition(":")
    cls = getattr(import_module(module), cls_name)
    if not (isinstance(cls, type) and issubclass(cls, StanceModel)):
        raise ModelError(f"{class_path} is not a StanceModel subclass; register stance models only.")
    return cls


def register_model(name: str, model: str | type[StanceModel], description: str, **params: Any) -> None:
    """Register a model under ``name``: ``model`` is the class, or its path ``'package.module:Class'``
    (imported on first use, which keeps ``import stanceclf`` light); ``params`` are its defaults.

    The class is recorded so that :func:`load` finds models saved from it. Saved configs name the
    class (``config.json``'s ``model_class``), so two different registered classes may not share a
    name. Re-registering a name replaces it.

    >>> from stanceclf.models.linear import TfidfStanceClassifier
    >>> register_model("tfidf-fast", TfidfStanceClassifier, "TF-IDF, one C, no tuning.", c_grid=(1.0,))
    >>> create_model("tfidf-fast").c_grid
    (1.0,)
    >>> unregister_model("tfidf-fast")
    """
    if isinstance(model, type):
        if not issubclass(model, StanceModel):
            raise ModelError(f"register_model needs a StanceModel subclass, got {model.__name__}; subclass "
                             "stanceclf.models.StanceModel (see docs/models.md, 'Adding a model backend').")
        class_path, cls_name, cls = f"{model.__module__}:{model.__qualname__}", model.__name__, model
    elif isinstance(model, str) and model.count(":") == 1 and all(model.split(":")):
        class_path, cls_name, cls = model, model.split(":")[1].rsplit(".", 1)[-1], None
    else:
        raise ModelError(f"register_model needs a StanceModel subclass or its path 'package.module:Class', "
                         f"got {model!r:.80}.")
    known = _CLASS_PATHS.get(cls_name)
    if known is not None and known != class_path:
        raise ModelError(f"A different model class named {cls_name!r} is already registered ({known}); saved models "
                         f"record the class name, so rename {class_path} to register it.")
    _CLASS_PATHS[cls_name] = class_path
    if cls is not None:
        _CLASS_OBJECTS[cls_name] = cls
    MODELS[name] = ModelSpec(name, class_path, dict(params), description, cls)


def unregister_model(name: str) -> None:
    """Remove the registry entry ``name`` (and its class, when no other entry uses it)."""
    if name not in MODELS:
        raise UnknownNameError(f"Unknown model {name!r}. Known models: {available_models()}.{suggest(name, list(MODELS))}")
    spec = MODELS.pop(name)
    if not any(other.class_path == spec.class_path for other in MODELS.values()):
        for cls_name, path in list(_CLASS_PATHS.items()):
            if path == spec.class_path:
                del _CLASS_PATHS[cls_name]
                _CLASS_OBJECTS.pop(cls_name, None)


def model_class(class_name: str) -> type[StanceModel]:
    """The registered model class called ``class_name`` (a saved config's ``model_class``); a name
    no registered class has raises :class:`ModelError`. Nothing but registered classes is imported."""
    if class_name in _CLASS_OBJECTS:
        return _CLASS_OBJECTS[class_name]
    class_path = _CLASS_PATHS.get(class_name)
    if class_path is None:
        raise ModelError(f"unknown model class {class_name!r}: it is not a registered model class (known: "
                         f"{sorted(_CLASS_PATHS)}). If it is your own backend, register it with "
                         "stanceclf.models.registry.register_model(...) before loading.")
    return _import_class(class_path)


register_model("tfidf", "stanceclf.models.linear:TfidfStanceClassifier",
               "TF-IDF word+char n-grams, calibrated LinearSVC per target (joint fallback).")
register_model("tfidf-joint", "stanceclf.models.linear:TfidfStanceClassifier",
               "TF-IDF with target, mention-window and overlap features; one joint LinearSVC.", mode="joint")
register_model("minilm-cross", "stanceclf.models.transformer:CrossEncoderStanceClassifier",
               "Cross-encoder: all-MiniLM-L6-v2 reads (target, text) as one pair; full fine-tune, temperature-calibrated.")
register_model("minilm-lora", "stanceclf.models.transformer:CrossEncoderStanceClassifier",
               "Cross-encoder: all-MiniLM-L6-v2 with LoRA adapters (small saved file), temperature-calibrated.",
               lora=True)

register_model("claim-encoder", "stanceclf.models.claims:ClaimClassifier",
               "Claim tasks (task name in the target column): all-MiniLM-L6-v2 reads the text, one calibrated "
               "softmax per task; full fine-tune.")
register_model("claim-lora", "stanceclf.models.claims:ClaimClassifier",
               "Claim tasks like claim-encoder, with LoRA adapters (small saved file).", lora=True)

register_model("default+tfidf", "stanceclf.models.ensemble:EnsembleStanceClassifier",
               "Ensemble: the built-in default model (as shipped) + a TF-IDF model fitted on the training data; "
               "weights chosen on dev data (equal without dev).", members=["default", "tfidf"])

#: Models that ship with stanceclf, ready to use without training (``load(name)``).
BUILT_IN = {
    "default": "MiniLM cross-encoder (LoRA) trained on tweets, news sentences and news quotes; offline, "
               "calibrated. Card: docs/model-card-default.md",
    "default-claims": "MiniLM claim classifier: check-worthiness, subjectivity and causal claims in one pass; "
                      "offline, calibrated. Card: docs/model-card-claims.md",
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


def load(path: str | Path, **overrides: Any) -> StanceModel:
    """Load any model saved with ``model.save(path)``; the class is read from its config.json and
    must be a registered one (:func:`register_model`).

    ``load("default")`` loads the built-in default stance model (packaged, offline). Built-in names
    always mean the built-in model; a folder of that name is loaded as ``"./default"``.

    ``overrides`` go to the class's ``load`` (:meth:`StanceModel.load`): ``allow_download=True`` lets a
    model whose base encoder is a Hugging Face name missing from the local cache download it (nothing
    is downloaded otherwise), and the class's ``load_overrides`` change how the loaded model is read
    or predicts, e.g. ``load(path, encoder="/models/minilm")`` or ``load("default", predict_batch_size=16)``.
    An unknown name raises :class:`UnknownNameError`. Weight files are checked against the SHA-256
    digests recorded when the model was saved.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ModelError(f"stanceclf.load needs a saved-model directory or a built-in model name "
                         f"({', '.join(map(repr, BUILT_IN))}), got {type(path).__name__} {path!r:.80}.")
    directory = Path(path)
    if isinstance(path, str) and path in BUILT_IN:
        from .default import load_default, load_default_claims

        return (load_default_claims if path == "default-claims" else load_default)(**overrides)
    if not directory.exists():
        if isinstance(path, str) and path in MODELS:
            raise ModelError(
                f"{path!r} is a model type to train, not a saved model: train it with `stanceclf train --model "
                f"{path} ...` (or stanceclf.create_model({path!r}).fit(...)) or pass a saved-model directory."
            )
        hint = suggest(str(path), [*BUILT_IN, *MODELS])
        raise ModelError(f"No saved model at {directory}: the path does not exist.{hint}")
    config = read_config(directory)
    try:
        cls = model_class(config["model_class"])
    except ModelError as exc:
        raise ModelError(f"{directory} holds an {exc}") from None
    return cls.load(directory, **overrides)
