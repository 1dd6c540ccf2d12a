"""Claim scores in analyses: loading a claim model from a spec, scoring texts, and classifying the
sentences of files (``stanceclf claims``).

A claim model is any object with ``score_texts(texts) -> list[ClaimScores]`` (one per text, in order)
and a ``model_name``; the built-in one is :func:`stanceclf.models.default.load_default_claims`. The
analysis pipeline scores every quote with it (:meth:`~stanceclf.analysis.pipeline.Analyzer.score_claims`).

>>> rows = classify_claims_in_files(["sentences.txt"]).rows                 # doctest: +SKIP
>>> rows[0]                                                                 # doctest: +SKIP
{'file': 'sentences.txt', 'line': 1, 'text': 'Unemployment fell to 3.1% in May.', 'p_checkworthy': 0.93, ...}
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .._memory import release_freed_memory
from ..errors import DataError, ModelError
from ..types import ClaimScores
from .results import CLAIM_RECORD_FIELDS, claim_columns

if TYPE_CHECKING:
    from .pipeline import LinkedArticle

__all__ = ["ClaimScoring", "classify_claims", "load_claim_model", "claim_model_name", "place_claim_model", "score_claim_texts",
           "ClaimText", "read_claim_texts", "ClaimListing", "classify_claims_in_files", "CLAIM_LISTING_FIELDS",
           "CLAIM_TEXT_SUFFIXES"]

logger = logging.getLogger(__name__)

#: Columns of :func:`classify_claims_in_files` rows (and of ``stanceclf claims --output``).
CLAIM_LISTING_FIELDS: tuple[str, ...] = ("file", "line", "text", *CLAIM_RECORD_FIELDS)
#: Input suffixes of :func:`read_claim_texts`: plain text (one sentence per line) or a table.
CLAIM_TEXT_SUFFIXES = (".txt", ".text", ".csv", ".tsv", ".jsonl", ".ndjson", ".json")
#: Texts per ``score_texts`` call when classifying files (the model batches inside; this bounds a call).
_CALL_SIZE = 1024


# --------------------------------------------------------------------------------------------------
# The claim model
# --------------------------------------------------------------------------------------------------

def load_claim_model(spec: Any = "default", *, required: bool = True, allow_download: bool = False) -> Any:
    """The claim model a spec names: ``"default"`` (built in; ``"default-claims"`` too), a saved-model
    directory, or a model object (returned as it is); ``None`` or ``False`` give ``None`` (claims off).

    With ``required=False`` a missing built-in artefact gives ``None`` instead of an error (the
    analysis then leaves claim scores empty); any other spec that cannot be loaded raises
    :class:`ModelError`, also a directory that holds a model without ``score_texts`` (a stance model).

    >>> load_claim_model(None) is None
    True
    """
    if spec is None or spec is False:
        return None
    if not isinstance(spec, (str, os.PathLike)):
        if not callable(getattr(spec, "score_texts", None)):
            raise ModelError(f"A claim model needs a score_texts(texts) method; {type(spec).__name__} has none. "
                             "Pass 'default', a saved claim-model directory, or None to score no claims.")
        return spec
    built_in = isinstance(spec, str) and spec in ("default", "default-claims")  # the registry's name too
    path = Path(spec)
    if built_in:
        from ..models.default import default_claims_available

        if not required and not default_claims_available():
            return None
    elif not path.is_dir():
        raise ModelError(f"No saved claim model at {path}: the folder does not exist. Pass 'default' (the built-in "
                         "claim model) or the folder a claim model was saved to.")
    try:
        if built_in:
            from ..models.default import load_default_claims

            model = load_default_claims()
        else:
            from ..models.registry import load

            model = load(path, allow_download=allow_download or None)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to load is the project's ModelError
        where = "the built-in claim model" if built_in else f"the claim model at {path}"
        raise ModelError(f"Could not load {where}: {type(exc).__name__}: {exc}") from exc
    if not callable(getattr(model, "score_texts", None)):
        raise ModelError(f"{path} holds a {type(model).__name__}, not a claim model (it has no score_texts); "
                         "give --claim-model a claim model's folder (a stance model goes to --model).")
    return model


def claim_model_name(spec: Any, model: Any) -> str:
    """How to name a claim model in outputs: the spec when it is a name or a path, else its ``model_name``."""
    if isinstance(spec, (str, os.PathLike)):
        return str(spec)
    return str(getattr(model, "model_name", type(model).__name__))


def place_claim_model(model: Any, device: str | None, precision: str | None) -> None:
    """Move ``model`` to ``device``/``precision`` when asked and it can be moved (its ``to``); a model
    without ``to`` (e.g. a rule-based one) runs where it runs."""
    move = getattr(model, "to", None)
    if (device is not None or precision is not None) and callable(move):
        move(device=device, precision=precision)


def score_claim_texts(model: Any, texts: Sequence[str]) -> list[ClaimScores]:
    """``model.score_texts(texts)``, checked: one :class:`ClaimScores` per text, in order
    (:class:`ModelError` otherwise: the model is broken, not the texts)."""
    if not texts:
        return []
    scores = list(model.score_texts(list(texts)))
    name = getattr(model, "model_name", type(model).__name__)
    if len(scores) != len(texts):
        raise ModelError(f"The claim model {name!r} gave {len(scores)} score(s) for {len(texts)} text(s); "
                         "score_texts must give one ClaimScores per text, in order.")
    wrong = next((s for s in scores if not isinstance(s, ClaimScores)), None)
    if wrong is not None:
        raise ModelError(f"The claim model {name!r} gave a {type(wrong).__name__}; score_texts must give "
                         "stanceclf.types.ClaimScores.")
    return scores


def classify_claims(texts: Sequence[str], model: Any = "default", *, allow_download: bool = False) -> list[ClaimScores]:
    """Claim scores for each text: check-worthiness, subjectivity and causal-claim probabilities.

    ``model``: ``"default"`` (the built-in claim model, offline), a saved claim-model directory, or a
    fitted claim model (:class:`~stanceclf.models.claims.ClaimClassifier`). Empty texts are a
    :class:`DataError`.

    >>> import stanceclf
    >>> scores = stanceclf.classify_claims(["Unemployment fell by 40% under my plan.",
    ...                                     "This is a disgrace."])          # doctest: +SKIP
    >>> [round(s.checkworthy, 2) for s in scores]                          # doctest: +SKIP
    [0.95, 0.04]
    """
    return score_claim_texts(load_claim_model(model, allow_download=allow_download), texts)


# --------------------------------------------------------------------------------------------------
# The claim stage of the analyzer
# --------------------------------------------------------------------------------------------------

class ClaimScoring:
    """The claim part of :class:`~stanceclf.analysis.pipeline.Analyzer` (a base class of it): the claim
    model, loaded lazily from its spec, and the **score_claims** stage with its driver."""

    device: str | None
    precision: str | None
    allow_download: bool
    timings: Any

    def _init_claims(self, claim_model: Any) -> None:
        self._claim_spec = claim_model
        self._claim_model: Any = None
        self._claims_loaded = claim_model is None or claim_model is False
        if not self._claims_loaded and not isinstance(claim_model, (str, os.PathLike)):
            self._claim_model, self._claims_loaded = load_claim_model(claim_model), True
            place_claim_model(self._claim_model, self.device, self.precision)

    @property
    def claim_model(self) -> Any:
        """The claim model, loaded on first use; ``None`` when claims are off, or when the built-in one
        is asked for but not installed (logged once). Any other spec that fails raises :class:`ModelError`."""
        if not self._claims_loaded:
            model = load_claim_model(self._claim_spec, required=self._claim_spec != "default",
                                     allow_download=self.allow_download)
            if model is None:
                logger.info("The built-in claim model is not installed: the claim scores stay empty (claim_model=PATH "
                            "or --claim-model PATH scores them; None or --no-claims skips them).")
            else:
                logger.info("Loaded the claim model %r.", claim_model_name(self._claim_spec, model))
                place_claim_model(model, self.device, self.precision)
            self._claim_model, self._claims_loaded = model, True
        return self._claim_model

    @property
    def claim_model_name(self) -> str | None:
        """The claim model's name (``None`` when no claims are scored)."""
        model = self.claim_model
        return None if model is None else claim_model_name(self._claim_spec, model)

    def require_claim_model(self, task: str | None = None) -> Any:
        """:attr:`claim_model`, or :class:`ModelError` saying why there is none (e.g. for a claim ranking)
        or why it cannot score ``task`` (a model trained on other claim tasks)."""
        if self.claim_model is None:
            if self._claim_spec is None or self._claim_spec is False:
                raise ModelError("Claim scoring is off (claim_model=None, --no-claims), so there are no claim scores "
                                 "to rank; drop --no-claims.")
            load_claim_model(self._claim_spec, required=True)  # raises why (the built-in one is missing)
        tasks = getattr(self.claim_model, "tasks_", None)
        if task is not None and tasks is not None and task not in tasks:
            raise ModelError(f"The claim model {self.claim_model_name!r} was trained on {', '.join(sorted(tasks))} but "
                             f"not on {task}, so it cannot rank by it: use a claim model that has it (--claim-model; "
                             "the built-in one does).")
        return self.claim_model

    def score_claims(self, articles: Sequence[LinkedArticle]) -> list[list[ClaimScores | None]]:
        """**Score claims**: what the claim model says about each quote of a chunk (check-worthy,
        subjective, causal).

        Input: the chunk's :class:`LinkedArticle` s (called only when one has quotes, unless claims are
        off). Output: per article, one :class:`~stanceclf.types.ClaimScores` (or ``None``) per quote.
        The default reads each quote's own words (``quote.text``, the claim itself), all quotes of the
        chunk in one ``score_texts`` call (``None`` each without a claim model). Raising makes the
        articles with quotes ``stage="claims"`` errors (after retrying them one at a time, so one bad
        article fails alone).

        >>> class CheckworthyIfNumbers(Analyzer):        # a rule instead of a model  # doctest: +SKIP
        ...     def score_claims(self, articles):
        ...         return [[ClaimScores(checkworthy=float(any(c.isdigit() for c in q.text)), subjective=None,
        ...                              causal=None, model="digits") for q in a.quotes] for a in articles]
        """
        model = self.claim_model
        if model is None:
            return [[None] * len(article.quotes) for article in articles]
        texts = [quote.text for article in articles for quote in article.quotes]
        try:
            scores = iter(score_claim_texts(model, texts))
        finally:
            release_freed_memory()
        return [[next(scores) for _ in article.quotes] for article in articles]

    def _run_score_claims(self, articles: list[LinkedArticle]
                          ) -> tuple[list[list[ClaimScores | None]], dict[int, str]]:
        """:meth:`score_claims` for a chunk: the scores per article, and why each failed article failed
        (keyed by ``id(article)``). A failing chunk is retried one article at a time."""
        claims: list[list[ClaimScores | None]] = [[None] * len(article.quotes) for article in articles]
        failed: dict[int, str] = {}
        with_quotes = [i for i, article in enumerate(articles) if article.quotes]
        if not with_quotes or self._claim_spec is None or self._claim_spec is False:
            return claims, failed
        t0 = time.perf_counter()
        groups = [with_quotes]
        while groups:
            group = groups.pop(0)
            try:
                scored = self.score_claims([articles[i] for i in group])
            except (ModelError, ImportError):
                raise
            except Exception as exc:  # noqa: BLE001 - reported per document
                if len(group) > 1:
                    groups += [[i] for i in group]
                else:
                    failed[id(articles[group[0]])] = f"claim model failed: {type(exc).__name__}: {exc}"
                continue
            if [len(s) for s in scored] != [len(articles[i].quotes) for i in group]:
                raise ModelError(f"{type(self).__name__}.score_claims() must give, per article, one ClaimScores "
                                 "(or None) per quote, in order; fix the override.")
            for i, quote_claims in zip(group, scored):
                claims[i] = list(quote_claims)
        self.timings["claims"] += time.perf_counter() - t0
        return claims, failed


# --------------------------------------------------------------------------------------------------
# Sentences in files (``stanceclf claims``)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimText:
    """One text to classify and where it stands: its file and line (``None`` in a JSON list)."""

    file: str
    line: int | None
    text: str


def read_claim_texts(paths: Iterable[str | os.PathLike[str]], *, text_column: str = "text"
                     ) -> tuple[list[ClaimText], list[str]]:
    """The texts of ``paths`` and the rows that were skipped (one message each, naming file and line).

    ``.txt``/``.text``: one text per line, blank lines skipped. ``.csv``/``.tsv``/``.jsonl``/``.json``:
    the ``text_column`` of every row (read by :func:`stanceclf.data.tables.open_table`); a row whose text
    is missing, empty or not a string, or that cannot be read, is skipped and reported. A file that
    cannot be read, is empty, or has no ``text_column`` at all raises :class:`DataError` (naming the
    columns it has).
    """
    texts: list[ClaimText] = []
    problems: list[str] = []
    for path in map(Path, paths):
        suffix = path.suffix.lower()
        if suffix not in CLAIM_TEXT_SUFFIXES:
            raise DataError(f"Cannot read {path}: give a .txt file (one sentence per line) or a .csv, .tsv, .jsonl "
                            "or .json table with a text column.")
        if not path.is_file():
            raise DataError(f"Input file {path} does not exist (or is not a file).")
        skipped = len(problems)
        found = _read_lines(path) if suffix in (".txt", ".text") else _read_rows(path, text_column, problems)
        if not found and len(problems) == skipped:
            raise DataError(f"{path} has no text to classify: the file is empty (or holds only blank lines).")
        texts += found
    return texts, problems


def _read_lines(path: Path) -> list[ClaimText]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path} cannot be read: {exc}") from None
    if b"\x00" in raw:
        raise DataError(f"{path} looks binary (it holds NUL bytes); give a UTF-8 text file.")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8.") from None
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [ClaimText(str(path), number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]


def _read_rows(path: Path, text_column: str, problems: list[str]) -> list[ClaimText]:
    from ..data.tables import BadRow, open_table

    found: list[ClaimText] = []
    keys: dict[str, None] = {}  # the keys of JSON rows, in first-seen order, for the message below
    rows = 0
    with open_table(path) as table:
        if table.columns is not None and text_column not in table.columns:
            raise DataError(f"{path} has no {text_column!r} column; its columns are: "
                            f"{', '.join(table.columns) or '(none)'}. Name the text column with --text-column.")
        for row in table:
            rows += 1
            if isinstance(row, BadRow):
                problems.append(row.message)
                continue
            keys.update(dict.fromkeys(row.values))
            value = row.values.get(text_column)
            where = row.where
            if text_column not in row.values:
                problems.append(f"{where} has no {text_column!r} field.")
            elif not isinstance(value, str) or not value.strip():
                what = ("empty" if isinstance(value, str) or value is None
                        else f"not text ({type(value).__name__} {value!r:.40})")
                problems.append(f"{where}: the {text_column!r} value is {what}.")
            else:
                found.append(ClaimText(str(path), row.line if row.line is not None else row.number, value.strip()))
    if rows and table.columns is None and text_column not in keys:
        raise DataError(f"{path} has no {text_column!r} field in any row; its fields are: "
                        f"{', '.join(list(keys)[:20]) or '(none)'}. Name the text field with --text-column.")
    if not rows:
        raise DataError(f"{path} has no rows to classify (the table is empty).")
    return found


@dataclass
class ClaimListing:
    """What :func:`classify_claims_in_files` found: one row per text (:data:`CLAIM_LISTING_FIELDS`),
    in input order, the rows it skipped (``problems``), and the claim model's name."""

    rows: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    model: str = ""


def classify_claims_in_files(paths: Sequence[str | os.PathLike[str]], model: Any = "default", *,
                             text_column: str = "text", allow_download: bool = False,
                             progress: Callable[[int], Any] | None = None, precision: str | None = None
                             ) -> ClaimListing:
    """Claim scores (check-worthy, subjective, causal) of every sentence of ``paths``: what
    ``stanceclf claims`` runs. Inputs as for :func:`read_claim_texts` (they are all read, and checked,
    before the model loads); ``model`` as for :func:`load_claim_model` (a missing built-in model is a
    :class:`ModelError` here). ``progress`` is called with the number of texts just scored;
    ``precision``: see :mod:`stanceclf.models.precision` (``None`` keeps the model's own).

    >>> listing = classify_claims_in_files(["claims.csv"], text_column="sentence")   # doctest: +SKIP
    >>> listing.rows[0]["p_checkworthy"], listing.problems                           # doctest: +SKIP
    (0.93, [])
    """
    texts, problems = read_claim_texts(paths, text_column=text_column)
    if not texts:
        raise DataError(f"No text to classify in {', '.join(map(str, paths))}: every row was skipped "
                        f"({problems[0] if problems else 'no rows'}).")
    claim_model = load_claim_model(model, allow_download=allow_download)
    place_claim_model(claim_model, None, precision)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(texts), _CALL_SIZE):
        chunk = texts[start:start + _CALL_SIZE]
        for item, scores in zip(chunk, score_claim_texts(claim_model, [t.text for t in chunk])):
            rows.append({"file": item.file, "line": item.line, "text": item.text, **claim_columns(scores)})
        if progress is not None:
            progress(len(chunk))
    return ClaimListing(rows, problems, claim_model_name(model, claim_model))
