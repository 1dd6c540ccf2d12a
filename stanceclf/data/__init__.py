"""Datasets: the canonical schema and loaders for the bundled stance and claim benchmarks and your own tables.

Importing this package is cheap: ``datasets`` is imported only when a loader runs.
"""

from __future__ import annotations

from .canonical import load_table
from .claims import CLAIM_TASKS, TASK_LABELS, drop_overlaps, normalise_text, overlapping_texts
from .claims_debates import load_checkthat2020, load_checkthat2024, load_claimbuster
from .claims_news import load_cnc, load_newssd
from .info import ENV_VAR, DatasetInfo, resolve_data_dir
from .news import load_dse, load_fnc1, load_newsmtsc, load_persent
from .registry import DATASETS, available_datasets, get_dataset_info, load_dataset
from .social import load_perspectrum, load_pstance, load_semeval2016, load_vast
from .schema import CANONICAL_COLUMNS, FNC_LABELS, STANCE2, STANCE3, canonical_features

__all__ = [
    "CANONICAL_COLUMNS",
    "CLAIM_TASKS",
    "DATASETS",
    "ENV_VAR",
    "FNC_LABELS",
    "STANCE2",
    "STANCE3",
    "TASK_LABELS",
    "DatasetInfo",
    "available_datasets",
    "canonical_features",
    "drop_overlaps",
    "get_dataset_info",
    "load_checkthat2020",
    "load_checkthat2024",
    "load_claimbuster",
    "load_cnc",
    "load_dataset",
    "load_dse",
    "load_fnc1",
    "load_newssd",
    "load_newsmtsc",
    "load_persent",
    "load_perspectrum",
    "load_pstance",
    "load_semeval2016",
    "load_table",
    "load_vast",
    "normalise_text",
    "overlapping_texts",
    "resolve_data_dir",
]
