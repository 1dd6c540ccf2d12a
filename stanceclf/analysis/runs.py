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
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..data.claims import CHECKWORTHINESS
from ..errors import DataError
from ..files import atomic_output, check_inputs, check_output_dir, check_output_file
from .corpus import DocumentError, read_documents
from .outputs import RecordWriter, StanceAggregate, record_format, write_html_report
from .plots import plot_stance_matrix, plot_stance_over_time
from .quote_listing import RANKING_FIELDS, ClaimRanking, write_listing
from .results import ArticleAnalysis, records_of

__all__ = ["ResumableRecords", "CorpusRun", "run_corpus", "partial_path"]

_MANIFEST_VERSION = 1


def partial_path(output: str | Path) -> Path:
    """Where a run writing ``output`` keeps its records until it finishes (``OUTPUT.partial``)."""
    output = Path(output)
    return output.with_name(output.name + ".partial")


class ResumableRecords:
    """The records of one corpus run, written so that a killed run loses nothing (module docstring).

    ``inputs``: what the run reads (the command line's paths), kept in the manifest so that
    ``resume=True`` refuses a different corpus. ``overwrite=True`` discards a killed run's partial
    output instead of refusing to start.
    """

    def __init__(self, output: str | Path, fmt: str | None = None, *, inputs: Sequence[str] = (),
                 resume: bool = False, overwrite: bool = False):
        self.output = Path(output)
        self.fmt = record_format(self.output, fmt)
        self.partial = partial_path(self.output)
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


@dataclass
class CorpusRun:
    """What :func:`run_corpus` did: counts, the aggregate, every document that failed, the files, and
    (with ``rank_claims``) the most check-worthy quotes."""

    aggregate: StanceAggregate
    errors: list[DocumentError] = field(default_factory=list)
    seconds: float = 0.0
    resumed: int = 0
    files: list[Path] = field(default_factory=list)
    claims: ClaimRanking | None = None

    @property
    def documents(self) -> int:
        return self.aggregate.documents

    @property
    def analysed(self) -> int:
        return self.aggregate.documents - self.aggregate.errors

    def summary(self) -> dict[str, Any]:
        """The JSON summary (``--summary``): counts, failures and the speaker x target aggregate."""
        agg = self.aggregate
        return {"documents": agg.documents, "quotes": agg.quotes, "errors": [e.to_dict() for e in self.errors],
                "seconds": round(self.seconds, 2), "resumed_after": self.resumed,
                "pairs_with_unparsed_dates": agg.unparsed_dates,
                "speaker_target": [{"speaker": s, "target": t, **v} for (s, t), v in sorted(agg.matrix().items())]}


def run_corpus(inputs: Sequence[str], analyzer: Any, targets: Any = None, *, output: str | Path | None = None,
               fmt: str | None = None, resume: bool = False, overwrite: bool = False,
               report: str | Path | None = None, report_max_articles: int = 200, plots: str | Path | None = None,
               summary: str | Path | None = None, workers: int = 1, progress: bool = False,
               text_column: str = "text", id_column: str = "id", date_column: str = "date",
               on_result: Callable[[ArticleAnalysis | DocumentError], None] | None = None,
               rank_claims: int | None = None, claims_output: str | Path | None = None) -> CorpusRun:
    """Analyse a corpus with nothing lost: what ``stanceclf analyze`` runs.

    Inputs and output paths are checked, and the analyzer's models loaded, before any output is
    touched; records go through :class:`ResumableRecords` when ``output`` is given (``resume``
    continues a killed run); ``report``, ``summary`` and ``plots`` are written atomically at the end.
    ``on_result`` sees every result as it comes (e.g. to print it). ``rank_claims=N`` keeps the N most
    check-worthy quotes of the whole corpus (``run.claims``; a resumed run's earlier documents too),
    written as CSV to ``claims_output`` when given; it needs a claim model (:class:`ModelError`
    otherwise). Raises :class:`~stanceclf.errors.DataError` for bad inputs or options.

    >>> run = run_corpus(["news/"], Analyzer(), {"NATO": []}, output="quotes.jsonl")   # doctest: +SKIP
    >>> run.documents, run.analysed, len(run.errors)                                  # doctest: +SKIP
    (120, 118, 2)
    """
    check_inputs(inputs)
    named = [(output, "--output"), (report, "--report"), (summary, "--summary"), (claims_output, "the claim ranking")]
    for path, option in named:
        check_output_file(path, option, inputs)
    given = [str(Path(p).resolve()) for p, _ in named if p]
    if len(set(given)) < len(given):
        raise DataError("--output, --report, --summary and the claim ranking (claims_ranked.csv) must be different "
                        "files.")
    check_output_dir(plots, "--plots")
    if (resume or overwrite) and not output:
        raise DataError("--resume and --overwrite apply to an --output file.")
    if claims_output and not rank_claims:
        raise DataError("A claim ranking file needs rank_claims (--rank-claims N).")
    analyzer.model, analyzer.extractor  # load them now: a wrong model fails before any output is touched
    if rank_claims is not None:
        analyzer.require_claim_model(CHECKWORTHINESS)  # a ranking without its scores is refused before any work
    else:
        analyzer.claim_model  # a claim-model path that does not load fails now too

    run = CorpusRun(StanceAggregate(), claims=ClaimRanking(rank_claims) if rank_claims is not None else None)
    records = None
    if output:
        records = ResumableRecords(output, fmt, inputs=inputs, resume=resume, overwrite=overwrite)
        run.resumed = len(records.done_ids)
        _count_previous(records, run)
    documents = _skip_finished(read_documents(inputs, text_column=text_column, id_column=id_column,
                                              date_column=date_column), records)
    kept: list[ArticleAnalysis] = []  # the first articles, shown in full in the report
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(unit="doc", desc="analyze", file=sys.stderr, initial=run.resumed)
    started = time.perf_counter()
    finished = False
    try:
        for result in analyzer.analyze_documents(documents, targets, workers=workers,
                                                 progress=bar.update if bar is not None else None):
            rows = records.write(result) if records is not None else records_of(result)
            run.aggregate.add(result, rows)
            if run.claims is not None:
                run.claims.add_records(rows)
            if isinstance(result, DocumentError):
                run.errors.append(result)
            elif report and len(kept) < report_max_articles:
                kept.append(result)
            if on_result is not None:
                on_result(result)
        finished = True
    finally:
        if bar is not None:
            bar.close()
        if records is not None:
            if finished:
                run.files.append(records.finish())
            else:
                records.close()
    run.seconds = time.perf_counter() - started
    if report:
        with atomic_output(report) as tmp:
            write_html_report([*kept, *run.errors], tmp, aggregate=run.aggregate, max_articles=report_max_articles,
                              model=analyzer.model_name)
        run.files.append(Path(report))
    if plots:
        folder = Path(plots)
        folder.mkdir(exist_ok=True)
        drawings = [("stance_matrix", plot_stance_matrix)]
        if run.aggregate.over_time():
            drawings.append(("stance_over_time", plot_stance_over_time))
        for name, draw in drawings:
            for ext in ("png", "svg"):
                with atomic_output(folder / f"{name}.{ext}") as tmp:
                    draw(run.aggregate, tmp)
                run.files.append(folder / f"{name}.{ext}")
    if claims_output and run.claims is not None:
        with atomic_output(claims_output) as tmp:
            with tmp.open("w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
                write_listing(run.claims.rows(), fh, "csv", RANKING_FIELDS)
        run.files.append(Path(claims_output))
    if summary:
        with atomic_output(summary) as tmp:
            tmp.write_text(json.dumps(run.summary(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8",
                           errors="backslashreplace")
        run.files.append(Path(summary))
    return run


def _count_previous(records: ResumableRecords, run: CorpusRun) -> None:
    """Fold the records of a resumed run's earlier sessions into the aggregate and the error list."""
    rows = records.previous_records()
    for count in records.done_counts:
        document = [next(rows) for _ in range(count)]
        run.aggregate.add_document_records(document)
        if run.claims is not None:
            run.claims.add_records(document)
        if document and document[0].get("status") == "error":
            first = document[0]
            run.errors.append(DocumentError(first["doc_id"], first.get("error") or "", first.get("source") or "",
                                            first.get("stage") or "read"))


def _skip_finished(documents: Iterable[Any], records: ResumableRecords | None) -> Iterator[Any]:
    """The input documents after those a resumed run already finished (checking they are the same)."""
    done = len(records.done_ids) if records is not None else 0
    for index, doc in enumerate(documents):
        if index < done:
            records.check_skipped(index, doc.id)  # type: ignore[union-attr]
            continue
        yield doc
