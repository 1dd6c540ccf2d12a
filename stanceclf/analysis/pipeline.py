"""End-to-end analysis: quotes -> speakers -> targets -> stance, for one article or a whole corpus.

>>> from stanceclf import analyze                                             # doctest: +SKIP
>>> result = analyze(article, targets={"NATO": ["the alliance"]})            # doctest: +SKIP
>>> for q in result.quotes:                                                   # doctest: +SKIP
...     print(q.speaker, [(s.target, s.label) for s in q.stances])

Which targets a quote addresses is decided by the linking stage (:mod:`stanceclf.analysis.linking`;
``TargetStance.via`` says how: ``quote``, ``sentence``, ``coreference``, ``framing``, ``addressee``,
``continuation``, or ``none`` for the unaddressed targets listed with ``all_targets=True``, NONE by rule). The stance
model then reads (speaker, target, the quote's sentence(s), the context that made the link).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, Sized

from .._memory import release_freed_memory
from ..errors import DataError, ModelError
from ..types import Quote, Span
from .corpus import DEFAULT_MAX_CHARS, TEXT_SUFFIXES, Document, DocumentError, read_documents, validate_text
from .linking import Link, TargetLinker, quote_sentences, sentence_bounds
from .results import ArticleAnalysis, QuoteAnalysis, TargetStance
from .targets import Target, parse_targets

__all__ = ["Analyzer", "analyze", "suggest_targets"]

logger = logging.getLogger(__name__)

#: Probabilities reported for a target a quote does not address (``all_targets=True``).
_UNADDRESSED = {"AGAINST": 0.0, "FAVOR": 0.0, "NONE": 1.0}


# --------------------------------------------------------------------------------------------------
# Target suggestion
# --------------------------------------------------------------------------------------------------

_SUGGEST_LABELS = ("PERSON", "ORG", "GPE", "LAW", "EVENT", "PRODUCT", "FAC", "NORP")
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "any"}


_GENERIC_NOUNS = frozenset(
    "time year day week month people thing way lot part number statement meeting interview reporter talk "
    "official source percent minute hour side country city".split())


def suggest_targets(doc: Any, max_targets: int = 8) -> list[Target]:
    """Suggest targets from a parsed article, most mentioned first.

    Candidates: people (keyed by surname, so "Elena Varga" and "Varga" count together; the surname
    becomes an alias), organisations, places, groups, laws and events, and the things discussed --
    noun phrases grouped by their head noun ("the proposed Arctic fishing treaty", "this treaty" and
    "the treaty" count as one target "Arctic fishing treaty" with the alias "the treaty"). A
    candidate needs two or more mentions; single mentions fill in only when fewer than three
    candidates remain. All-caps datelines ("(OSLAND) --") are not candidates.
    """
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    forms: dict[str, set[str]] = defaultdict(set)
    canonical: dict[str, str] = {}
    persons: set[str] = set()

    def count(key: str, name: str, start: int, canonical_name: str | None = None) -> None:
        counts[key] += 1
        first_seen.setdefault(key, start)
        forms[key].add(name)
        best = canonical_name or name
        if len(best) > len(canonical.get(key, "")):
            canonical[key] = best

    entity_tokens: set[int] = set()
    for ent in doc.ents:
        if ent.label_ not in _SUGGEST_LABELS:
            continue
        words = [t for t in ent if t.text.lower() not in _DETERMINERS and not t.is_punct and t.text not in ("'s", "\u2019s")]
        if not words:
            continue
        name = " ".join(t.text for t in words)
        if (ent.label_ == "NORP" and not name.endswith("s")) or (name.isupper() and len(name) > 5):
            continue  # "Marovian" is an adjective, "OSLAND" a dateline
        entity_tokens.update(t.i for t in ent)
        key = words[-1].text.lower() if ent.label_ == "PERSON" else name.lower()
        if ent.label_ == "PERSON":
            persons.add(key)
        count(key, name, ent.start_char)
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.pos_ != "NOUN" or root.i in entity_tokens or root.lemma_.lower() in _GENERIC_NOUNS:
            continue
        # the name: compounds and proper-noun modifiers before the head ("Arctic fishing treaty")
        core = [t for t in chunk if t.i == root.i or (t.dep_ == "compound" and t.i < root.i)
                or (t.dep_ == "amod" and t.text[:1].isupper() and t.i < root.i and t.i != chunk.start)]
        if chunk.start < root.i and doc[chunk.start].dep_ == "amod" and doc[chunk.start].text[:1].isupper() \
                and doc[chunk.start].i > 0:
            core.insert(0, doc[chunk.start])
        name = " ".join(t.text for t in sorted(set(core), key=lambda t: t.i))
        key = f"np:{root.lemma_.lower()}"
        mention = " ".join(t.text for t in chunk if not t.is_punct)
        count(key, mention, chunk.start_char, canonical_name=name)
    frequent = [k for k in counts if counts[k] >= 2]
    singles = [k for k in counts if counts[k] < 2 and (not k.startswith("np:") or " " in canonical[k])]
    keep = frequent if len(frequent) >= 3 else frequent + singles  # bare single nouns ("critics") never
    keep.sort(key=lambda k: (-counts[k], first_seen[k]))
    out: list[Target] = []
    for key in keep:
        if len(out) == max_targets:
            break
        name = canonical[key]
        if key.startswith("np:"):
            head = key[3:]
            aliases = {f"the {head}"} if any(f.lower().startswith(("the ", "this ", "that ")) for f in forms[key]) else set()
            aliases.discard(name.lower())
        else:
            aliases = {f for f in forms[key] if f.casefold() != name.casefold()}
            if key in persons and " " in name:
                aliases.add(name.split()[-1])  # the surname
        try:
            out.append(Target(name, tuple(sorted(aliases))))
        except DataError:  # no usable name once normalised (only spaces or control characters): skip it
            continue
    return out


# --------------------------------------------------------------------------------------------------
# The analyzer
# --------------------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    """A document after extraction and target linking, before stance (picklable, for worker processes)."""

    document: Document
    quotes: list[Quote]
    sentences: list[Span]
    targets: list[Target]
    suggested: bool
    pairs: list[tuple[int, Link]]  # (quote index, link)
    seconds: dict[str, float]


class Analyzer:
    """Runs the whole pipeline; load it once and reuse it (models load lazily, on first use).

    Parameters
    ----------
    model:
        ``"default"`` (the built-in model), a saved-model directory, or a fitted stance model object.
    extractor:
        Quote extraction mode: ``"hybrid"`` (rules + span tagger, default), ``"rules"`` (fastest) or
        ``"tagger"``; or a :class:`~stanceclf.extract.QuoteExtractor`.
    all_targets:
        Give every quote a stance toward every target: NONE (``via="none"``, by rule) where not addressed.
    batch_size:
        (target, text) pairs per stance-model call, gathered across documents.
    max_chars:
        Longer documents are refused with an error record.
    allow_download:
        Let a saved model fetch its base encoder from the Hugging Face hub when it is not on this
        machine (off by default: loading never touches the network unless asked).
    device, precision:
        Where and how the stance model predicts (see
        :meth:`~stanceclf.models.transformer.CrossEncoderStanceClassifier.to`): ``device="cpu"``,
        ``"cuda"``...; ``precision="fp32"`` (default) or ``"bf16"``. ``None`` keeps the model's own
        choice (a visible GPU, else the CPU; fp32).
    """

    def __init__(self, model: Any = "default", extractor: Any = "hybrid", *, all_targets: bool = False,
                 batch_size: int = 64, max_chars: int = DEFAULT_MAX_CHARS, max_suggested_targets: int = 8,
                 device: str | None = None, precision: str | None = None, allow_download: bool = False):
        self.device, self.precision = device, precision
        self.allow_download = allow_download
        self._model_spec = model
        self._model: Any = None if isinstance(model, str) or model is None else model
        if self._model is not None:
            self._place_model()
        self._extractor_spec = extractor
        self._extractor: Any = None if isinstance(extractor, str) else extractor
        self.all_targets = all_targets
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.max_suggested_targets = max_suggested_targets
        #: cumulative seconds per stage: extract (spaCy + tagger + rules), targets, stance
        self.timings: Counter[str] = Counter()

    # -- lazily loaded parts ------------------------------------------------------------------------
    @property
    def extractor(self) -> Any:
        if self._extractor is None:
            from ..extract import QuoteExtractor

            logger.info("Loading the %s quote extractor ...", self._extractor_spec)
            self._extractor = QuoteExtractor(mode=self._extractor_spec)
        return self._extractor

    @property
    def model(self) -> Any:
        if self._model is None:
            from ..models.registry import load

            logger.info("Loading the stance model %r ...", self._model_spec or "default")
            self._model = load(self._model_spec or "default", allow_download=self.allow_download or None)
            self._place_model()
        return self._model

    def _place_model(self) -> None:
        if self.device is None and self.precision is None:
            return
        move = getattr(self._model, "to", None)
        if move is None:
            raise ModelError(f"The stance model {self.model_name!r} has no device or precision to set; "
                             "drop device=/precision= (they apply to transformer models).")
        move(device=self.device, precision=self.precision)

    @property
    def model_name(self) -> str:
        if isinstance(self._model_spec, str):
            return self._model_spec
        return getattr(self._model, "model_name", type(self._model).__name__)

    # -- single article -----------------------------------------------------------------------------
    def analyze(self, text: str | os.PathLike[str], targets: Any = None, *, doc_id: str = "article",
                date: str | None = None) -> ArticleAnalysis:
        """Analyse one article: its text, or a text file (a ``Path``, or a one-line string ending in
        .txt/.md/.text; its name becomes the id). ``targets``: see
        :func:`~stanceclf.analysis.targets.parse_targets`; ``None`` suggests targets from the article."""
        path = _as_path(text)
        if path is not None:
            document = next(read_documents([path]))
            if isinstance(document, DocumentError):
                raise DataError(f"{document.error} Pass the article's text, or the path of an existing UTF-8 text file.")
            text, doc_id = document.text, document.id
        text = validate_text(text, self.max_chars)
        result = next(self.analyze_documents([Document(doc_id, text, date=date)], targets))
        if isinstance(result, DocumentError):
            raise DataError(f"Could not analyse the article ({result.stage}): {result.error}")
        return result

    # -- corpus -----------------------------------------------------------------------------------
    def analyze_documents(self, documents: Iterable[Document | DocumentError | str], targets: Any = None, *,
                          workers: int = 1, chunk_size: int = 32, progress: Any = None
                          ) -> Iterator[ArticleAnalysis | DocumentError]:
        """Analyse a stream of documents, yielding one result (or :class:`DocumentError`) per input, in
        input order. Memory is bounded by ``chunk_size`` documents; stance-model calls are batched
        across the documents of a chunk. ``workers > 1`` extracts quotes in that many processes.
        ``progress``: ``True`` draws a progress bar on standard error; a callable is called with the
        number of documents just finished."""
        if progress is True:
            yield from self._with_progress_bar(documents, targets, workers=workers, chunk_size=chunk_size)
            return
        progress = progress or None
        target_list = parse_targets(targets) if targets is not None else None
        if target_list is not None and not target_list:
            raise DataError("The target list is empty; give at least one target, or targets=None to suggest them.")
        docs = (Document(f"doc{i}", d) if isinstance(d, str) else d for i, d in enumerate(documents))
        pool = None
        if workers > 1:
            pool = _start_pool(workers, self._extractor_spec, target_list, self.all_targets, self.max_chars,
                               self.max_suggested_targets)
            chunk_size = max(chunk_size, workers * 4)
        try:
            while True:
                chunk = list(itertools.islice(docs, chunk_size))
                if not chunk:
                    return
                if pool is not None:
                    prepared = pool.map(_prepare_in_worker, chunk, chunksize=max(1, len(chunk) // (workers * 2)))
                else:
                    prepared = self._prepare_chunk(chunk, target_list)
                for item in prepared:
                    if isinstance(item, _Prepared):
                        self.timings.update(item.seconds)
                yield from self._score(prepared)
                if progress is not None:
                    progress(len(chunk))
        finally:
            if pool is not None:
                pool.terminate()

    def _with_progress_bar(self, documents: Iterable[Any], targets: Any, **options: Any
                           ) -> Iterator[ArticleAnalysis | DocumentError]:
        from tqdm.auto import tqdm

        total = len(documents) if isinstance(documents, Sized) else None
        with tqdm(total=total, unit="doc", desc="analyze", file=sys.stderr) as bar:
            yield from self.analyze_documents(documents, targets, progress=bar.update, **options)

    # -- stages -------------------------------------------------------------------------------------
    def _prepare_chunk(self, chunk: Sequence[Document | DocumentError], targets: list[Target] | None
                       ) -> list[_Prepared | DocumentError]:
        out: list[_Prepared | DocumentError | None] = [None] * len(chunk)
        valid: list[tuple[int, Document]] = []
        for i, doc in enumerate(chunk):
            if isinstance(doc, DocumentError):
                out[i] = doc
                continue
            try:
                text = validate_text(doc.text, self.max_chars)
            except DataError as exc:
                out[i] = DocumentError(doc.id, str(exc), doc.source, stage="validate")
                continue
            valid.append((i, doc if text is doc.text else dataclasses.replace(doc, text=text)))
        if valid:
            try:
                t0 = time.perf_counter()
                parsed = list(self.extractor.pipe_docs([d.text for _, d in valid]))
                per_doc = (time.perf_counter() - t0) / len(valid)
            except (ModelError, DataError):
                raise
            except Exception:  # one bad document must not sink the chunk: retry one by one
                parsed, per_doc = [], 0.0
                for _, d in valid:
                    try:
                        parsed.append(next(self.extractor.pipe_docs([d.text])))
                    except Exception as exc:  # noqa: BLE001 - reported as an error record
                        parsed.append(exc)
            for (i, doc), item in zip(valid, parsed):
                if isinstance(item, Exception):
                    out[i] = DocumentError(doc.id, f"quote extraction failed: {type(item).__name__}: {item}",
                                           doc.source, stage="extract")
                    continue
                spacy_doc, quotes = item
                try:
                    out[i] = self._link(doc, spacy_doc, quotes, targets, per_doc)
                except Exception as exc:  # noqa: BLE001 - one odd document must not stop the stream
                    out[i] = DocumentError(doc.id, f"target linking failed: {type(exc).__name__}: {exc}",
                                           doc.source, stage="targets")
        return [o for o in out if o is not None]

    def _link(self, doc: Document, spacy_doc: Any, quotes: list[Quote], targets: list[Target] | None,
              extract_seconds: float) -> _Prepared:
        t0 = time.perf_counter()
        suggested = targets is None
        doc_targets = suggest_targets(spacy_doc, self.max_suggested_targets) if suggested else targets
        text = doc.text
        bounds = sentence_bounds(text, spacy_doc)
        linked = (TargetLinker(text, spacy_doc, doc_targets, sentences=bounds).link_all(quotes, all_targets=self.all_targets)
                  if quotes else [])
        pairs: list[tuple[int, Link]] = []
        sentences: list[Span] = []
        for qi, (quote, links) in enumerate(zip(quotes, linked)):
            a, b, _, _ = quote_sentences(bounds, quote.start, quote.end)
            sentences.append(Span(a, b, text[a:b]))
            pairs += [(qi, link) for link in links]
        seconds = {"extract": extract_seconds, "targets": time.perf_counter() - t0}
        return _Prepared(doc, quotes, sentences, list(doc_targets), suggested, pairs, seconds)

    def _score(self, prepared: Sequence[_Prepared | DocumentError]) -> Iterator[ArticleAnalysis | DocumentError]:
        jobs = [(p, qi, link) for p in prepared if isinstance(p, _Prepared) for qi, link in p.pairs
                if link.via != "none"]
        probabilities: list[dict[str, float]] = []
        failed: str | None = None
        if jobs:
            t0 = time.perf_counter()
            try:
                model = self.model
                classes = [str(c) for c in model.classes_]
                for start in range(0, len(jobs), self.batch_size):
                    batch = [(p.sentences[qi].text, link.model_target, link.context, p.quotes[qi].speaker or "")
                             for p, qi, link in jobs[start:start + self.batch_size]]
                    for row in model.predict_proba(batch):
                        probabilities.append({c: float(v) for c, v in zip(classes, row)})
            except (ModelError, ImportError):
                raise
            except Exception as exc:  # noqa: BLE001 - reported per document below
                failed = f"stance model failed: {type(exc).__name__}: {exc}"
            release_freed_memory()  # keeps a long stream's memory flat (see stanceclf._memory)
            self.timings["stance"] += time.perf_counter() - t0
        by_doc: dict[int, list[tuple[int, Link, dict[str, float]]]] = defaultdict(list)
        for (p, qi, link), probs in zip(jobs, probabilities):
            by_doc[id(p)].append((qi, link, probs))
        for p in prepared:
            if isinstance(p, DocumentError):
                yield p
                continue
            if failed and p.pairs:
                yield DocumentError(p.document.id, failed, p.document.source, stage="stance")
                continue
            stances: dict[int, list[TargetStance]] = defaultdict(list)
            for qi, link, probs in by_doc.get(id(p), []):
                label = max(probs, key=probs.get)
                stances[qi].append(TargetStance(link.target, label, probs, link.via, link.mention, link.evidence))
            for qi, link in p.pairs:
                if link.via == "none":  # not addressed: NONE by rule, the model is not asked
                    stances[qi].append(TargetStance(link.target, "NONE", dict(_UNADDRESSED), "none"))
            quotes = [QuoteAnalysis(i, q, p.sentences[i], tuple(stances.get(i, ()))) for i, q in enumerate(p.quotes)]
            d = p.document
            yield ArticleAnalysis(d.id, d.text, quotes, p.targets, model=self.model_name, date=d.date,
                                  source=d.source, targets_suggested=p.suggested, metadata=dict(d.metadata))


# --------------------------------------------------------------------------------------------------
# Worker processes (quote extraction in parallel)
# --------------------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_pool(workers: int, extractor: Any, targets: list[Target] | None, all_targets: bool, max_chars: int,
                max_suggested: int) -> Any:
    import multiprocessing

    if not isinstance(extractor, str):
        raise ModelError("workers > 1 needs the extractor given by name ('rules', 'tagger' or 'hybrid').")
    ctx = multiprocessing.get_context("spawn")  # fork after torch/spaCy threads have started is unsafe
    return ctx.Pool(workers, initializer=_init_worker,
                    initargs=(extractor, targets, all_targets, max_chars, max_suggested))


def _init_worker(extractor: str, targets: list[Target] | None, all_targets: bool, max_chars: int,
                 max_suggested: int) -> None:
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    _WORKER["analyzer"] = Analyzer(model=None, extractor=extractor, all_targets=all_targets, max_chars=max_chars,
                                   max_suggested_targets=max_suggested)
    _WORKER["targets"] = targets


def _prepare_in_worker(doc: Document | DocumentError) -> _Prepared | DocumentError:
    analyzer: Analyzer = _WORKER["analyzer"]
    return analyzer._prepare_chunk([doc], _WORKER["targets"])[0]


# --------------------------------------------------------------------------------------------------
# Convenience
# --------------------------------------------------------------------------------------------------

_SHARED: dict[tuple[Any, ...], Analyzer] = {}


def analyze(text: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], targets: Any = None, *,
            model: Any = "default", extractor: str = "hybrid", all_targets: bool = False, doc_id: str = "article",
            date: str | None = None, device: str | None = None, precision: str | None = None,
            progress: bool = False) -> Any:
    """Analyse articles with a shared :class:`Analyzer` (models are loaded once per process).

    ``text``: an article's text, a text file (a ``Path``, or a one-line string ending in .txt/.md/.text),
    or a list (any iterable) of these. One article gives an :class:`ArticleAnalysis` (or raises
    :class:`~stanceclf.DataError`); a list gives a list in input order, where a document that could not
    be analysed is a :class:`~stanceclf.analysis.corpus.DocumentError` record instead (nothing is
    dropped). ``targets``: ``{"NATO": ["the alliance"], ...}``, a list of names, a YAML/JSON/CSV file
    path, or ``None`` to suggest targets from each article. ``device``/``precision``: see
    :class:`Analyzer`. ``progress=True`` draws a progress bar for a list.

    >>> stanceclf.analyze("examples/article.txt", targets="examples/targets.yaml")      # doctest: +SKIP
    ArticleAnalysis(id='article', quotes=15, targets=[...])
    >>> stanceclf.analyze(["First article ...", Path("b.txt")], targets=["NATO"])       # doctest: +SKIP
    [ArticleAnalysis(id='doc0', ...), ArticleAnalysis(id='b', ...)]
    """
    key = (model if isinstance(model, str) else id(model), extractor, all_targets, device, precision)
    if key not in _SHARED:
        _SHARED[key] = Analyzer(model=model, extractor=extractor, all_targets=all_targets, device=device,
                                precision=precision)
    analyzer = _SHARED[key]
    if isinstance(text, (str, os.PathLike)):
        return analyzer.analyze(text, targets, doc_id=doc_id, date=date)
    documents = [_as_document(item, i) for i, item in enumerate(text)]
    return list(analyzer.analyze_documents(documents, targets, progress=progress))


def _as_path(text: Any) -> Path | None:
    """``text`` as a file path when it is a ``Path`` or reads like a text file's name, else ``None``."""
    if isinstance(text, os.PathLike):
        return Path(text)
    if isinstance(text, str) and "\n" not in text and len(text) < 1024 and Path(text).suffix.lower() in TEXT_SUFFIXES:
        return Path(text)
    return None


def _as_document(item: Any, index: int) -> Document | DocumentError:
    path = _as_path(item)
    if path is not None:
        return next(read_documents([path]))
    if not isinstance(item, str):
        return DocumentError(f"doc{index}", f"Expected article text or a file path, got {type(item).__name__}.")
    return Document(f"doc{index}", item)
