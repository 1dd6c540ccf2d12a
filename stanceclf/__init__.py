"""stanceclf: stance and claim classification in news.

The top-level import is light: heavy backends (scikit-learn models, datasets, torch, spaCy) load
on first use.

>>> import stanceclf
>>> stanceclf.Stance.parse("pro")
<Stance.FAVOR: 'FAVOR'>
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import DataError, EngineError, ModelError, StanceclfError, UnknownNameError
from .types import STANCE_LABELS, ClaimScores, Stance, StanceExample, StancePrediction

def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stanceclf")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__version__ = _version()

_LAZY = {
    "NotFittedError": "stanceclf.errors",  # a scikit-learn NotFittedError too: built on first use
    "TfidfStanceClassifier": "stanceclf.models.linear",
    "CrossEncoderStanceClassifier": "stanceclf.models.transformer",
    "create_model": "stanceclf.models.registry",
    "load": "stanceclf.models.registry",
    "available_models": "stanceclf.models.registry",
    "load_dataset": "stanceclf.data.loaders",
    "load_table": "stanceclf.data.loaders",
    "evaluate": "stanceclf.eval.harness",
    "analyze": "stanceclf.analysis.pipeline",
    "Analyzer": "stanceclf.analysis.pipeline",
    "analyze_ray": "stanceclf.analysis.distributed",
    "predict_ray": "stanceclf.analysis.distributed",
    "extract_quotes": "stanceclf.extract",
    "classify_claims": "stanceclf.analysis.claims",
    "ClaimClassifier": "stanceclf.models.claims",
}

__all__ = [
    "__version__",
    "Stance",
    "STANCE_LABELS",
    "StanceExample",
    "StancePrediction",
    "ClaimScores",
    "StanceclfError",
    "DataError",
    "ModelError",
    "EngineError",
    "NotFittedError",
    "UnknownNameError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'stanceclf' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
