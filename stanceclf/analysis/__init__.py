"""End-to-end analysis of news: who said what about which target, and with what stance.

>>> from stanceclf.analysis import parse_targets
>>> [t.name for t in parse_targets({"NATO": ["the alliance"]})]
['NATO']

The heavy parts (spaCy, the quote tagger, the stance and claim models) load on first use.
"""

from __future__ import annotations

from .claims import classify_claims_in_files
from .corpus import DEFAULT_MAX_CHARS, Document, DocumentError, read_documents, validate_text
from .linking import VIAS, Link, TargetLinker
from .pipeline import Analyzer, ExtractedArticle, LinkedArticle, analyze, suggest_targets
from .results import RECORD_FIELDS, ArticleAnalysis, QuoteAnalysis, TargetStance, records_frame, records_of
from .targets import Target, TargetMatcher, TargetMention, load_targets, parse_targets

__all__ = [
    "analyze", "Analyzer", "ArticleAnalysis", "QuoteAnalysis", "TargetStance", "RECORD_FIELDS", "suggest_targets",
    "ExtractedArticle", "LinkedArticle",
    "Target", "TargetMention", "TargetMatcher", "parse_targets", "load_targets", "TargetLinker", "Link", "VIAS",
    "Document", "DocumentError", "read_documents", "validate_text", "DEFAULT_MAX_CHARS", "records_frame", "records_of",
    "classify_claims_in_files",
]
