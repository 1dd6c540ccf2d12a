"""What describes a dataset: its :class:`DatasetInfo` record and where its files are found.

Each bundled dataset is described by one record, written next to its loader (``data/social.py``,
``data/news.py``) and registered in ``data/registry.py``. The record says everything the library
needs about it: names, loader, the folder and files it reads, splits, labels, metric and credits.

Data directories: a loader reads from the root that holds one folder per dataset
(``semeval2016_task6/``, ``pstance/``, ...) or from the dataset's own folder. When ``data_dir`` is
not given, the ``STANCECLF_DATA`` environment variable is used; there is no silent default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from ..errors import DataError
from .schema import STANCE3
from .tables import Row, read_table, require_columns

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["ENV_VAR", "DatasetInfo", "resolve_data_dir"]

#: Environment variable read when no ``data_dir`` is passed.
ENV_VAR = "STANCECLF_DATA"

_DATA_DIR_HINT = f"Pass --data-dir (data_dir=...) or set the {ENV_VAR} environment variable"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """Return the data directory: ``data_dir`` if given, else ``$STANCECLF_DATA``.

    Raises :class:`DataError` when neither is set or the directory does not exist.

    >>> resolve_data_dir("/data")  # doctest: +SKIP
    PosixPath('/data')
    """
    if data_dir is not None and str(data_dir).strip():
        path, origin = Path(data_dir).expanduser(), "data_dir"
    else:
        env = os.environ.get(ENV_VAR, "").strip()
        if not env:
            raise DataError(
                "No data directory given. Pass --data-dir (data_dir=...) pointing to the folder that "
                f"holds the datasets (e.g. semeval2016_task6/, pstance/), or set the {ENV_VAR} "
                "environment variable."
            )
        path, origin = Path(env).expanduser(), f"${ENV_VAR}"
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError):  # a name the system cannot hold (too long, NUL byte)
        is_dir = False
    if not is_dir:
        raise DataError(
            f"Data directory {path} (from {origin}) does not exist or is not a directory. "
            f"{_DATA_DIR_HINT} to point at the folder that holds the datasets."
        )
    return path


@dataclass(frozen=True)
class DatasetInfo:
    """What the library knows about a registered dataset, in one record.

    ``folders``: the folder names it may have under the data directory, the usual one first;
    ``files``: the files that must all be there for it to count as present (:func:`available_datasets`);
    ``aliases``: other names :func:`get_dataset_info` accepts; ``title``: its name in messages;
    ``task``: ``"stance"`` or a claim task (:data:`~stanceclf.data.claims.CLAIM_TASKS`);
    ``positive_label``: the class whose F1 is the official metric (``None`` when none is).

    >>> from stanceclf.data import DATASETS
    >>> DATASETS["semeval2016"].main_metric
    'f_avg'
    >>> DATASETS["checkthat2024_en"].positive_label
    'CHECKWORTHY'
    """

    name: str
    loader: Callable[..., "DatasetDict"]
    labels: tuple[str, ...] = STANCE3
    test_splits: tuple[str, ...] = ("test",)
    train_split: str | None = "train"
    dev_split: str | None = None
    main_metric: str = "macro_f1"
    positive_label: str | None = None
    task: str = "stance"
    description: str = ""
    citation: str = ""
    license_note: str = ""
    title: str = ""
    folders: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def _candidates(self, root: Path) -> list[Path]:
        return [root / folder for folder in self.folders] + [root]

    def locate(self, data_dir: str | os.PathLike[str] | None, files: Iterable[str] | None = None) -> Path:
        """The dataset's folder: ``<root>/<folder>`` or the root itself, whichever holds any of ``files``
        (default: :attr:`files`); when none does, the usual folder, for the missing-file error to name."""
        root = resolve_data_dir(data_dir)
        wanted = tuple(self.files if files is None else files)
        for candidate in self._candidates(root):
            if any((candidate / name).is_file() for name in wanted):
                return candidate
        return root / self.folders[0]

    def locate_checked(self, data_dir: str | os.PathLike[str] | None, names: Iterable[str] | None = None) -> Path:
        """:meth:`locate`, then :meth:`require` each of ``names`` (default: :attr:`files`) there, so a
        missing file is reported before any file is read."""
        folder = self.locate(data_dir)
        for name in self.files if names is None else names:
            self.require(folder, name)
        return folder

    def is_present(self, root: Path) -> bool:
        """Whether one of the dataset's candidate folders under ``root`` holds all of :attr:`files`."""
        return any(all((c / f).is_file() for f in self.files) for c in self._candidates(root))

    def require(self, folder: Path, name: str) -> Path:
        """``folder / name``, or a :class:`DataError` saying where the dataset's files belong."""
        path = folder / name
        if not path.is_file():
            raise DataError(
                f"{self.title} file not found: {path}. Put the {self.title} files in <data dir>/{self.folders[0]}/ "
                f"(or pass that folder itself as the data directory). {_DATA_DIR_HINT}."
            )
        return path

    def read(self, folder: Path, name: str, columns: Sequence[str] = (), **options: Any) -> tuple[list[str], list[Row]]:
        """The columns and rows of the dataset's table ``folder / name``, which must hold ``columns``;
        ``options`` go to :func:`~stanceclf.data.tables.open_table`."""
        path = self.require(folder, name)
        found, rows = read_table(path, **options)
        require_columns(path, found, columns)
        return found, rows
