"""Stance model backends. Import from here or use :func:`stanceclf.create_model` by name."""

from .base import PairBatch, StanceModel, as_pair_batch

__all__ = ["PairBatch", "StanceModel", "as_pair_batch"]
