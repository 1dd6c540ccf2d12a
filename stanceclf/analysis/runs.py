"""Corpus runs that lose nothing: atomic outputs, a manifest of finished documents, and resuming.

:class:`ResumableRecords` writes a run's records to ``<output>.partial`` (JSONL), one document at a
time, each document's records followed by a line in ``<output>.manifest.jsonl`` naming the document
and the size of the partial file after it. A document's records therefore count as written only once
its manifest line is: a run killed at any point leaves a partial file whose manifested prefix is
complete. The requested output (JSONL, CSV, TSV or Parquet) appears, by an atomic rename, only when
the run finishes, so an existing output is never emptied by a run that fails or is killed.

``resume=True`` continues a killed run: the partial file is cut back to its last manifested document,
the documents already done are skipped (their ids are checked against the manifest, so changed
inputs are refused), and the records of the earlier session are read back for the aggregates.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "records.jsonl"
>>> with ResumableRecords(out, inputs=["a.txt"]) as run:
...     rows = run.write(DocumentError("a", "empty", stage="validate"))
>>> out.read_text().count("\\n"), run.partial.exists()
(1, False)
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import DataError
from .corpus import DocumentError
from .outputs import RECORD_FORMATS, RecordWriter
from .results import ArticleAnalysis, records_of

__all__ = ["ResumableRecords", "atomic_output"]

_MANIFEST_VERSION = 1


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed over ``path`` (atomic on one
    file system), on an exception it is removed and ``path`` is left as it was.

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


class ResumableRecords:
    """The records of one corpus run, written so that a killed run loses nothing (module docstring).

    ``inputs``: what the run reads (the command line's paths), kept in the manifest so that
    ``resume=True`` refuses a different corpus. ``overwrite=True`` discards a killed run's partial
    output instead of refusing to start.
    """

    def __init__(self, output: str | Path, fmt: str | None = None, *, inputs: Sequence[str] = (),
                 resume: bool = False, overwrite: bool = False):
        self.output = Path(output)
        self.fmt = fmt or RECORD_FORMATS.get(self.output.suffix.lower())
        if self.fmt not in set(RECORD_FORMATS.values()):
            raise DataError(f"Cannot tell the record format of {self.output}: name it .jsonl, .csv, .tsv or .parquet "
                            "(or pass the format explicitly).")
        self.partial = self.output.with_name(self.output.name + ".partial")
        self.manifest = self.output.with_name(self.output.name + ".manifest.jsonl")
        self.inputs = [str(i) for i in inputs]
        #: ids of the documents finished in earlier sessions, in input order (resume only)
        self.done_ids: list[str] = []
        #: how many records each of those documents has
        self.done_counts: list[int] = []
        self._size = 0
        if resume and self.partial.exists():
            self._reopen()
        else:
            if self.partial.exists() and not overwrite:
                raise DataError(f"A killed or failed run left {self.partial}: pass --resume to continue it, or "
                                "--overwrite to discard it and start again.")
            self.partial.write_bytes(b"")
            self._write_manifest_line({"version": _MANIFEST_VERSION, "inputs": self.inputs, "format": self.fmt}, "w")
        self._fh = self.partial.open("ab")
        self._closed = False

    # -- resuming -----------------------------------------------------------------------------------
    def _reopen(self) -> None:
        lines = self.manifest.read_bytes().splitlines() if self.manifest.exists() else []
        try:
            header = json.loads(lines[0])
        except (IndexError, json.JSONDecodeError):
            raise DataError(f"{self.manifest} is missing or damaged, so {self.partial} cannot be resumed; "
                            "run again with --overwrite.") from None
        if header.get("inputs") != self.inputs:
            raise DataError(f"{self.partial} was written for other inputs ({header.get('inputs')}); resume with the "
                            "same inputs, or run again with --overwrite.")
        for raw in lines[1:]:
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:  # a manifest line cut by the kill: that document is redone
                break
            self.done_ids.append(entry["doc_id"])
            self.done_counts.append(int(entry["records"]))
            self._size = int(entry["bytes"])
        with self.partial.open("r+b") as fh:  # drop records written after the last finished document
            fh.truncate(self._size)
        kept = b"\n".join(lines[: 1 + len(self.done_ids)]) + b"\n"
        self.manifest.write_bytes(kept)

    def previous_records(self) -> Iterator[dict[str, Any]]:
        """The records written so far (by earlier sessions, for a resumed run's aggregates and summary)."""
        with self.partial.open("rb") as fh:
            read = 0
            for raw in fh:
                read += len(raw)
                if read > self._size:
                    return
                if raw.strip():
                    yield json.loads(raw)

    def check_skipped(self, index: int, doc_id: str) -> None:
        """Raise if the ``index``-th input document is not the one an earlier session finished."""
        if self.done_ids[index] != doc_id:
            raise DataError(f"The inputs changed since the run started: document {index + 1} is {doc_id!r}, was "
                            f"{self.done_ids[index]!r}. Resume with the same inputs, or run again with --overwrite.")

    # -- writing ------------------------------------------------------------------------------------
    def write(self, result: ArticleAnalysis | DocumentError) -> list[dict[str, Any]]:
        """Append one document's records, then its manifest line; returns the records."""
        rows = records_of(result)
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8", "backslashreplace")
        self._fh.write(data)
        self._fh.flush()  # in the OS's hands: a killed process loses nothing written so far
        self._size += len(data)
        doc_id = result.id
        self._write_manifest_line({"doc_id": doc_id, "records": len(rows), "bytes": self._size}, "a")
        return rows

    def _write_manifest_line(self, entry: dict[str, Any], mode: str) -> None:
        with self.manifest.open(mode, encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def finish(self) -> Path:
        """Write the output in its format (atomically) and remove the partial file and the manifest."""
        self._fh.close()
        self._closed = True
        if self.fmt == "jsonl":
            os.replace(self.partial, self.output)
        else:
            with atomic_output(self.output) as tmp:
                with RecordWriter(tmp, fmt=self.fmt) as writer:
                    writer.write_rows(self.previous_records())
            self.partial.unlink()
        self.manifest.unlink(missing_ok=True)
        return self.output

    def close(self) -> None:
        """Stop without finishing: the partial file and manifest stay for ``resume=True``."""
        if not self._closed:
            self._fh.close()
            self._closed = True

    def __enter__(self) -> "ResumableRecords":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.close()
