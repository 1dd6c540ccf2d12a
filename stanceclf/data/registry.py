"""The registered datasets: one :class:`~stanceclf.data.info.DatasetInfo` record each, looked up by name.

To add a dataset, write its loader and record (``data/social.py``, ``data/news.py`` or a module of
its own) and list the record in :data:`DATASETS` below. The claim datasets (``task`` other than
``"stance"``) come after the stance ones.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import UnknownNameError, suggest
from .claims_debates import CHECKTHAT2020, CHECKTHAT2024, CLAIMBUSTER
from .claims_news import CNC, NEWSSD
from .info import DatasetInfo, resolve_data_dir
from .news import DSE, FNC1, NEWSMTSC, PERSENT, POLNEAR_STANCE
from .social import PERSPECTRUM, PSTANCE, SEMEVAL2016, SEMEVAL2016_TASKB, VAST

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["DATASETS", "get_dataset_info", "load_dataset", "available_datasets"]

#: name -> record, in the order ``stanceclf datasets`` lists them.
DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (SEMEVAL2016, SEMEVAL2016_TASKB, PSTANCE, FNC1, NEWSMTSC, PERSENT, DSE, PERSPECTRUM, POLNEAR_STANCE,
                 VAST, CHECKTHAT2024, CHECKTHAT2020, CLAIMBUSTER, NEWSSD, CNC)
}


def _key(name: str) -> str:
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


def get_dataset_info(name: str) -> DatasetInfo:
    """Return the :class:`DatasetInfo` of a registered dataset, by name or alias (case, ``-``/``_`` and
    spaces do not matter); ``UnknownNameError`` with a hint on typos.

    >>> get_dataset_info("pstance").dev_split
    'validation'
    """
    key = _key(name)
    for info in DATASETS.values():
        if key in {_key(known) for known in (info.name, *info.aliases)}:
            return info
    raise UnknownNameError(
        f"Unknown dataset {name!r}.{suggest(str(name), list(DATASETS))} "
        f"Registered datasets: {', '.join(DATASETS)}. For your own files use load_table()."
    )


def load_dataset(name: str, data_dir: str | os.PathLike[str] | None = None, **kwargs: Any) -> "DatasetDict":
    """Load a registered dataset by name; ``kwargs`` go to its loader (e.g. ``targets=`` for P-Stance).

    >>> ds = load_dataset("pstance", "/data", targets=["biden"])  # doctest: +SKIP
    """
    return get_dataset_info(name).loader(data_dir, **kwargs)


def available_datasets(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the registered datasets whose files are all present under ``data_dir``.

    >>> available_datasets("/data")  # doctest: +SKIP
    ['semeval2016', 'semeval2016_taskb', 'pstance', 'fnc1', 'newsmtsc', 'persent']
    """
    root = resolve_data_dir(data_dir)
    return [name for name, info in DATASETS.items() if info.is_present(root)]
