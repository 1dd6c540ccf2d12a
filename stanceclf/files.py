"""Files in and out, checked before any work and written atomically.

One place for the rules every command and library run follows: inputs must exist, an output must be
writable and must not be an input, a folder is not a file (and the reverse), a model is never saved
over files that are not a model, and a file is replaced only once its new content is complete.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> check_output_file(folder / "missing" / "out.jsonl", "--output")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
stanceclf.errors.DataError: --output .../missing/out.jsonl: the folder .../missing does not exist; create it first.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from .errors import DataError

__all__ = ["atomic_output", "check_inputs", "check_output_file", "check_output_dir", "check_model_dir"]

#: A saved model's config.json is read to tell a model folder from other files; larger is refused.
MAX_CONFIG_BYTES = 10_000_000


def check_inputs(inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Every input path exists (``-`` is standard input): a typo is refused before any work."""
    missing = [str(p) for p in inputs if str(p) != "-" and not Path(p).exists()]
    if missing:
        raise DataError(f"input not found: {', '.join(missing)}. Check the path(s).")


def check_output_file(path: str | os.PathLike[str] | None, option: str,
                      inputs: Sequence[str | os.PathLike[str]] = ()) -> None:
    """``path`` can be written as a file: its folder exists, it is not a folder, it is none of ``inputs``."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise DataError(f"{option} {path} is a folder; give a file name.")
    if not target.parent.is_dir():
        raise DataError(f"{option} {path}: the folder {target.parent} does not exist; create it first.")
    for item in inputs:
        if str(item) != "-" and Path(item).exists() and target.exists() and os.path.samefile(item, target):
            raise DataError(f"{option} {path} is one of the inputs; writing it would destroy the input.")


def check_output_dir(path: str | os.PathLike[str] | None, option: str) -> None:
    """``path`` can hold output files: a folder, or a new one whose parent exists."""
    if path is None:
        return
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise DataError(f"{option} {path} is a file; give a folder.")
    if not target.exists() and not target.parent.is_dir():
        raise DataError(f"{option} {path}: the folder {target.parent} does not exist; create it first.")


def check_model_dir(path: str | os.PathLike[str] | None, *, overwrite: bool = False) -> None:
    """A model may be saved in ``path``: a new or empty folder, or one holding a saved model when
    ``overwrite`` -- never a folder of other files."""
    if path is None:
        return
    target = Path(path)
    check_output_dir(target, "the model folder")
    if not target.is_dir() or not any(target.iterdir()):
        return
    config = target / "config.json"
    is_model = False
    if config.is_file() and config.stat().st_size <= MAX_CONFIG_BYTES:
        try:
            is_model = "model_class" in json.loads(config.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, TypeError):
            is_model = False
    if not is_model:
        raise DataError(f"{path} is not empty and holds no stanceclf model; save the model to a new or empty folder.")
    if not overwrite:
        raise DataError(f"{path} already holds a saved model; pass --overwrite (overwrite=True) to replace it, "
                        "or choose another folder.")


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); on success it is renamed over ``path``
    (atomic on one file system), on an exception it is removed and ``path`` is left as it was.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "summary.json"
    >>> with atomic_output(target) as tmp:
    ...     _ = tmp.write_text("{}")
    >>> target.read_text()
    '{}'
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
