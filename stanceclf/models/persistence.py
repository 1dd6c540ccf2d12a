"""Safe persistence helpers: skops for scikit-learn objects, with an explicit trusted-type list.

Nothing here ever unpickles. ``load_sklearn`` audits every type named in the file before building
anything and refuses any type outside :data:`TRUSTED_TYPES` -- including types skops itself would
trust by default (any scikit-learn estimator, ``collections.OrderedDict``, ...).
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

from ..errors import ModelError

__all__ = ["TRUSTED_TYPES", "dump_sklearn", "load_sklearn"]

#: Every type a stanceclf scikit-learn artefact may contain. Extend deliberately, never by default.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.NoneType",
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.slice",
        "builtins.str",
        "builtins.tuple",
        "numpy.dtype",
        "numpy.float32",
        "numpy.float64",
        "numpy.int64",
        "numpy.int32",
        "numpy.str_",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.svm._classes.LinearSVC",
    }
)


def dump_sklearn(obj: Any, path: str | Path) -> None:
    """Write ``obj`` (scikit-learn objects in dicts/lists) to ``path`` with skops."""
    import skops.io as sio

    sio.dump(obj, str(path))
    untrusted = _all_types(Path(path)) - TRUSTED_TYPES
    if untrusted:  # a programming error: we wrote something we would refuse to read
        Path(path).unlink()
        raise ModelError(f"Refusing to save types outside the trusted list: {sorted(untrusted)}.")


def load_sklearn(path: str | Path) -> Any:
    """Load a skops file written by :func:`dump_sklearn`, trusting only :data:`TRUSTED_TYPES`."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"Model weights {path} are missing; the saved model directory is incomplete.")
    try:
        found = set(sio.get_untrusted_types(file=str(path)))
        every_type = _all_types(path)
    except Exception as exc:  # noqa: BLE001 - skops raises various errors on a damaged zip
        raise ModelError(f"{path} is not a readable skops file ({exc}).") from None
    # skops only reports types outside *its* default trust list (which covers every scikit-learn
    # estimator); audit every type named in the file against ours instead.
    untrusted = (found | every_type) - TRUSTED_TYPES
    if untrusted:
        raise ModelError(
            f"{path} contains types stanceclf does not trust: {sorted(untrusted)}. "
            "Only load models you or stanceclf created; nothing was executed."
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*InconsistentVersionWarning.*")
        return sio.load(str(path), trusted=sorted(found))


def _all_types(path: Path) -> set[str]:
    """Every ``module.Class`` named by a node of the skops file's schema (read as JSON, nothing built)."""
    with zipfile.ZipFile(path, "r") as zf:
        schema = json.loads(zf.read("schema.json"))
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node or "__class__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found
