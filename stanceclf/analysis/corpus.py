"""Documents in, documents out: reading corpora as streams and rejecting bad documents clearly.

A corpus is any mix of ``.txt`` files, folders (searched recursively for ``.txt``, ``.jsonl`` and
``.csv``/``.tsv``), JSONL/CSV files with a text column, or ``-`` for standard input (JSONL if it
starts with ``{``, else one plain-text document). Files are read lazily, line by line, so memory
stays flat however large the corpus is.

Every input yields either a :class:`Document` or a :class:`DocumentError` naming the input and the
reason -- nothing is dropped silently.

>>> validate_text("   ")
Traceback (most recent call last):
...
stanceclf.errors.DataError: The document is empty (no text after stripping whitespace).
"""

from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, TextIO

from ..data.tables import BadRow, Row, open_table, table_kind
from ..errors import DataError

__all__ = ["Document", "DocumentError", "validate_text", "read_documents", "document_from_values", "printable",
           "DEFAULT_MAX_CHARS", "TEXT_SUFFIXES"]

#: Documents longer than this are refused (spaCy and the models would need minutes and gigabytes).
DEFAULT_MAX_CHARS = 200_000
#: Files read as one plain-text document each (also how :func:`~stanceclf.analyze` recognises a file name).
TEXT_SUFFIXES = (".txt", ".text", ".md")
_TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".tsv")


def printable(value: str) -> str:
    """``value`` with lone surrogates (undecodable file names, broken JSON escapes) written as
    ``\\udcxx`` escapes, so it can be written as UTF-8 anywhere; other text is returned unchanged.

    >>> printable("caf\udce9.txt")
    'caf\\udce9.txt'
    """
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD: same length, so offsets stay valid."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


@dataclass(frozen=True)
class Document:
    """One article: its text, an id (file name or row id), an optional ISO date and where it came from.
    Ids and sources are made :func:`printable`."""

    id: str
    text: str
    date: str | None = None
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", printable(str(self.id)))
        object.__setattr__(self, "source", printable(str(self.source or "")))
        if self.date is not None:
            object.__setattr__(self, "date", printable(str(self.date)))


@dataclass(frozen=True)
class DocumentError:
    """An input that could not be processed, and why (``stage``: read, validate, extract, targets,
    stance or claims; ``worker`` on the Ray engine, for a document that killed its worker process each
    time it was tried). Ids, sources and messages are made :func:`printable`."""

    id: str
    error: str
    source: str = ""
    stage: str = "read"

    def __post_init__(self) -> None:
        for name in ("id", "error", "source"):
            object.__setattr__(self, name, printable(str(getattr(self, name) or "")))

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.id, "source": self.source, "status": "error", "stage": self.stage, "error": self.error}


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------

_ENGLISH_FUNCTION_WORDS = frozenset(
    "the a an of to in and or is was were are be been for on that with as by at it its he she his her they "
    "their this not from has have had will would said says but which who".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def validate_text(text: Any, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return ``text`` ready to analyse, else raise :class:`DataError` saying why.

    Lone surrogates (text decoded with ``surrogateescape``, broken JSON escapes) become U+FFFD in the
    returned text, one character for one, so offsets into it equal offsets into ``text``.

    Refused: non-strings, empty text, text with NUL bytes (binary files), text longer than
    ``max_chars``, and text that does not look like English (mostly non-Latin letters, or 20+ words
    with almost no English function words) -- the extraction rules and the models are English-only.
    """
    if isinstance(text, bytes):
        raise DataError("The document is bytes, not text; decode it first (UTF-8 expected).")
    if not isinstance(text, str):
        raise DataError(f"The document text is a {type(text).__name__}, not a string.")
    if not text.strip():
        raise DataError("The document is empty (no text after stripping whitespace).")
    text = _without_lone_surrogates(text)
    if "\x00" in text:
        raise DataError("The document contains NUL bytes: it looks like a binary file, not text.")
    if len(text) > max_chars:
        raise DataError(f"The document has {len(text):,} characters, over the limit of {max_chars:,}. "
                        "Split it into articles, or raise the limit (--max-chars / max_chars=...).")
    letters = [c for c in text if c.isalpha()]
    if letters:
        latin = sum(1 for c in letters if c.isascii() or "\u00c0" <= c <= "\u024f")
        if latin / len(letters) < 0.7:
            raise DataError("The document is mostly in a non-Latin script; stanceclf analyses English text only.")
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) >= 20:
        share = sum(1 for w in words if w in _ENGLISH_FUNCTION_WORDS) / len(words)
        if share < 0.05:
            raise DataError(f"The document does not look like English (only {share:.0%} English function "
                            "words); stanceclf analyses English text only.")
    return text


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------

def _decode(raw: bytes, where: str) -> str:
    if b"\x00" in raw[:8192]:
        raise DataError(f"{where} looks like a binary file (it contains NUL bytes), not text.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{where} is not valid UTF-8 (byte {exc.start}); re-encode it as UTF-8.") from None


def _expand(paths: Iterable[str | Path]) -> Iterator[str | Path]:
    for p in paths:
        if str(p) == "-":
            yield "-"
            continue
        path = Path(p)
        if path.is_dir():
            # broken symbolic links are kept: they become error records instead of vanishing
            files = sorted(f for f in path.rglob("*") if (f.is_file() or (f.is_symlink() and not f.exists()))
                           and f.suffix.lower() in TEXT_SUFFIXES + _TABLE_SUFFIXES)
            yield from files
        else:
            yield path


def read_documents(
    paths: Iterable[str | Path],
    *,
    text_column: str = "text",
    id_column: str = "id",
    date_column: str = "date",
    stdin: TextIO | None = None,
) -> Iterator[Document | DocumentError]:
    """Stream the documents of ``paths`` (see the module docstring), one item per input document.

    JSONL/CSV rows use ``text_column`` (required), ``id_column`` (default: ``<file>:<row>``) and
    ``date_column`` (optional); the remaining columns are kept as ``metadata``.
    """
    for item in _expand(paths):
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin
            yield from _read_stdin(stream, text_column, id_column, date_column)
            continue
        path = Path(item)
        if not path.exists():
            broken = " (a broken symbolic link)" if path.is_symlink() else ""
            yield DocumentError(str(path), f"{path} does not exist{broken}.", source=str(path))
            continue
        if path.suffix.lower() in _TABLE_SUFFIXES:
            yield from _read_table(path, table_kind(path), str(path), path.stem, text_column, id_column, date_column)
        else:
            try:
                text = _decode(path.read_bytes(), str(path))
            except (DataError, OSError) as exc:
                yield DocumentError(path.stem, str(exc), source=str(path))
                continue
            yield Document(path.stem, text, source=str(path))


def _read_table(source: Path | Iterable[str], kind: str, name: str, stem: str, text_column: str, id_column: str,
                date_column: str) -> Iterator[Document | DocumentError]:
    """The rows of one table (a file, or stdin's lines) as documents; a row that cannot be read, or a
    file without the text column, becomes an error record, and reading goes on after a bad row."""
    try:
        table = open_table(source, kind=kind, name=name)
    except DataError as exc:
        yield DocumentError(stem, str(exc), source=name)
        return
    with table:
        if table.columns is not None and text_column not in table.columns:
            yield DocumentError(stem, f"{name} has no {text_column!r} column (columns: {table.columns}); "
                                      "pass --text-column NAME.", name)
            return
        for row in table:
            default_id = f"{stem}:{row.line}"
            if isinstance(row, BadRow):
                yield DocumentError(default_id, row.message, name)
            else:
                yield _row_document(row, default_id, text_column, id_column, date_column)


def _row_document(row: Row, default_id: str, text_column: str, id_column: str, date_column: str
                  ) -> Document | DocumentError:
    return document_from_values(row.values, default_id=default_id, source=row.source, where=row.where,
                                text_column=text_column, id_column=id_column, date_column=date_column)


def document_from_values(values: Mapping[str, Any], *, default_id: str, source: str, where: str,
                         text_column: str = "text", id_column: str = "id", date_column: str = "date"
                         ) -> Document | DocumentError:
    """One table row (a JSONL object, a CSV row, a row of a Ray Dataset) as a :class:`Document`, or a
    :class:`DocumentError` when it has no text. ``where`` names the row in messages.

    >>> document_from_values({"id": "a1", "text": "Hello.", "section": "city"}, default_id="t:1", source="t.jsonl",
    ...                      where="t.jsonl, line 1")
    Document(id='a1', text='Hello.', date=None, source='t.jsonl', metadata={'section': 'city'})
    >>> document_from_values({"body": "Hello."}, default_id="t:2", source="t.jsonl", where="t.jsonl, line 2").error
    "t.jsonl, line 2 has no 'text' field (fields: ['body']); pass --text-column NAME."
    """
    doc_id = str(values.get(id_column) or default_id)
    if text_column not in values:
        return DocumentError(doc_id, f"{where} has no {text_column!r} field (fields: {sorted(values)}); "
                                     "pass --text-column NAME.", source)
    text = values[text_column]
    if not isinstance(text, str):
        return DocumentError(doc_id, f"{where}: {text_column!r} is a {type(text).__name__}, not a string.", source)
    date = values.get(date_column)
    meta = {k: v for k, v in values.items() if k not in (text_column, id_column, date_column)}
    return Document(doc_id, text, date=str(date) if date not in (None, "") else None, source=source, metadata=meta)


def _read_stdin(stream: TextIO, text_column: str, id_column: str, date_column: str) -> Iterator[Document | DocumentError]:
    """Standard input: JSON lines if its first non-blank line starts with ``{``, else one plain-text document."""
    head: list[str] = []
    while True:
        line = stream.readline()
        if not line:
            break
        head.append(line)
        if line.strip():
            break
    if head and head[-1].lstrip().startswith("{"):
        yield from _read_table(itertools.chain(head, stream), "jsonl", "stdin", "stdin", text_column, id_column,
                               date_column)
    else:
        yield Document("stdin", (head[-1] if head else "") + stream.read(), source="stdin")
