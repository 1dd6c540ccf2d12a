"""Quotes and speakers of a corpus without stance (``stanceclf quotes``): one record per document.

>>> from stanceclf.extract import QuoteExtractor                                # doctest: +SKIP
>>> records = list(quote_records(read_documents(["article.txt"]), QuoteExtractor("rules")))  # doctest: +SKIP
>>> write_quote_records(records, sys.stdout, "table")                          # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator, TextIO

from ..errors import DataError
from .corpus import DEFAULT_MAX_CHARS, Document, DocumentError, validate_text

__all__ = ["QUOTE_FORMATS", "quote_records", "write_quote_records"]

#: Formats :func:`write_quote_records` writes.
QUOTE_FORMATS = ("table", "json", "jsonl")


def quote_records(documents: Iterable[Document | DocumentError], extractor: Any,
                  max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[dict[str, Any]]:
    """For each document, ``{"id", "file", "quotes": [Quote.to_dict(), ...]}``, or ``{"id", "file",
    "error"}`` when it could not be read or extracted (the others go on)."""
    for doc in documents:
        where = {"id": doc.id, "file": doc.source}
        try:
            if not isinstance(doc, Document):
                raise DataError(doc.error)
            found = extractor.extract(validate_text(doc.text, max_chars))
        except Exception as exc:  # noqa: BLE001 - a failing document is reported as a record
            yield {**where, "error": str(exc)}
            continue
        yield {**where, "quotes": [quote.to_dict() for quote in found]}


def write_quote_records(records: list[dict[str, Any]], out: TextIO, fmt: str) -> None:
    """Write :func:`quote_records` output as ``json`` (one document: an object), ``jsonl`` (one line per
    quote, and per failed document) or a ``table`` for the screen."""
    if fmt not in QUOTE_FORMATS:
        raise DataError(f"Unknown quotes format {fmt!r}; use one of {', '.join(QUOTE_FORMATS)}.")
    if fmt == "json":
        out.write(json.dumps(records if len(records) != 1 else records[0], indent=2, ensure_ascii=False) + "\n")
        return
    for rec in records:
        if fmt == "jsonl":
            for quote in rec.get("quotes", []):
                out.write(json.dumps({"id": rec["id"], "file": rec["file"], **quote}, ensure_ascii=False) + "\n")
            if "error" in rec:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            continue
        out.write(f"== {rec['id']}" + (f"  ERROR: {rec['error']}" if "error" in rec else "") + "\n")
        for quote in rec.get("quotes", []):
            text = quote["text"] if len(quote["text"]) <= 70 else quote["text"][:67] + "..."
            out.write(f"{quote['kind']:<9}{(quote['speaker'] or '?')[:28]:<30}{quote['confidence']:.2f}  {text}\n")
