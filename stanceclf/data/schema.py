"""The canonical record schema every loader returns.

Each dataset becomes a :class:`datasets.DatasetDict` whose splits share these string columns:

========  =====================================================================================
id        unique id within the dataset (``"semeval2016:101"``)
text      the text whose stance is classified (tweet, quote, article body, sentence)
target    what the stance is about (``"Hillary Clinton"``, a headline, an entity mention)
label     the gold label as a string: FAVOR / AGAINST / NONE, or the dataset's own labels (FNC-1)
context   optional surrounding text ("" when absent)
speaker   optional speaker/author ("" when absent)
dataset   the dataset name the row came from
========  =====================================================================================

Dataset-specific extras (e.g. VAST's ``seen``, NewsMTSC's offsets) are kept in extra columns.
"""

from __future__ import annotations

from ..metrics import FNC_LABELS
from ..types import STANCE_LABELS, Stance

__all__ = ["CANONICAL_COLUMNS", "STANCE3", "STANCE2", "FNC_LABELS", "canonical_features"]

CANONICAL_COLUMNS: tuple[str, ...] = ("id", "text", "target", "label", "context", "speaker", "dataset")

#: Label sets of the bundled datasets (label order is the canonical ``classes_`` order); the labels
#: themselves are defined once, in :mod:`stanceclf.types` and :mod:`stanceclf.metrics`.
STANCE3: tuple[str, ...] = STANCE_LABELS
STANCE2: tuple[str, ...] = tuple(label for label in STANCE_LABELS if label != Stance.NONE.value)


def canonical_features(extra: dict[str, str] | None = None):
    """Return the :class:`datasets.Features` of the canonical schema (+ ``extra`` name->dtype)."""
    from datasets import Features, Value

    spec = {name: Value("string") for name in CANONICAL_COLUMNS}
    for name, dtype in (extra or {}).items():
        spec[name] = Value(dtype)
    return Features(spec)
