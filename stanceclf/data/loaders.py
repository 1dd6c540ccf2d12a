"""The public names of the data layer in one place, for ``from stanceclf.data.loaders import ...``.

Where things live: the one table reader in :mod:`~stanceclf.data.tables`; the row builder and
:func:`load_table` in :mod:`~stanceclf.data.canonical`; the :class:`DatasetInfo` record and the data
directory in :mod:`~stanceclf.data.info`; the dataset loaders in :mod:`~stanceclf.data.social` and
:mod:`~stanceclf.data.news`; the registry in :mod:`~stanceclf.data.registry`.

>>> from stanceclf.data import load_dataset          # doctest: +SKIP
>>> ds = load_dataset("semeval2016", data_dir="/data")  # doctest: +SKIP
>>> ds["train"][0]["label"]                          # doctest: +SKIP
'AGAINST'

Every problem with the input (missing file or column, unknown label, empty text, broken quoting,
bytes that are not UTF-8, a lone surrogate escape in JSON) raises
:class:`~stanceclf.errors.DataError` naming the file and row.
"""

from __future__ import annotations

from .canonical import load_table
from .info import ENV_VAR, DatasetInfo, resolve_data_dir
from .news import load_dse, load_fnc1, load_newsmtsc, load_persent
from .registry import DATASETS, available_datasets, get_dataset_info, load_dataset
from .social import load_perspectrum, load_pstance, load_semeval2016, load_vast

__all__ = [
    "ENV_VAR",
    "DatasetInfo",
    "DATASETS",
    "resolve_data_dir",
    "load_semeval2016",
    "load_pstance",
    "load_fnc1",
    "load_newsmtsc",
    "load_persent",
    "load_vast",
    "load_dse",
    "load_perspectrum",
    "load_table",
    "load_dataset",
    "get_dataset_info",
    "available_datasets",
]
