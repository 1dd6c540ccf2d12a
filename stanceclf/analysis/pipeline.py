"""End-to-end analysis of one article or a corpus in four stages, methods of :class:`Analyzer` that a
subclass can override one by one: **extract** (quotes, speakers) -> **link** ((quote, target) pairs)
-> **score** (stance probabilities; and :meth:`Analyzer.score_claims`, the claim scores of every quote)
-> **assemble** (:class:`~stanceclf.analysis.results.ArticleAnalysis`).

>>> from stanceclf import analyze                                             # doctest: +SKIP
>>> result = analyze(article, targets={"NATO": ["the alliance"]})            # doctest: +SKIP
>>> for q in result.quotes:                                                   # doctest: +SKIP
...     print(q.speaker, [(s.target, s.label) for s in q.stances])

Which targets a quote addresses is decided by the link stage (:mod:`stanceclf.analysis.linking`;
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
from ..types import ClaimScores, Quote, Span
from .claims import ClaimScoring
from .corpus import DEFAULT_MAX_CHARS, TEXT_SUFFIXES, Document, DocumentError, read_documents, validate_text
from .linking import Link, TargetLinker, quote_sentences, sentence_bounds
from .results import ArticleAnalysis, QuoteAnalysis, TargetStance
from .targets import Target, parse_targets

__all__ = ["Analyzer", "ExtractedArticle", "LinkedArticle", "analyze", "suggest_targets"]

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
# What the stages hand on
# --------------------------------------------------------------------------------------------------

@dataclass
class ExtractedArticle:
    """One document after :meth:`Analyzer.extract`: its quotes (speakers resolved) and the parse they
    were found in (``spacy_doc``, a spaCy ``Doc`` of ``document.text``; it never leaves the process
    that made it)."""

    document: Document
    spacy_doc: Any
    quotes: list[Quote]


@dataclass
class LinkedArticle:
    """One document after :meth:`Analyzer.link`: the (quote, target) pairs to score.

    ``sentences[i]`` is the text the stance model reads for ``quotes[i]`` (its sentence(s));
    ``targets`` those of the article (given, or suggested when ``targets_suggested``); ``pairs`` are
    ``(quote index, Link)`` in quote order. Picklable: worker processes send it back.
    """

    document: Document
    quotes: list[Quote]
    sentences: list[Span]
    targets: list[Target]
    targets_suggested: bool
    pairs: list[tuple[int, Link]]


# --------------------------------------------------------------------------------------------------
# The analyzer
# --------------------------------------------------------------------------------------------------

class Analyzer(ClaimScoring):
    """Runs the whole pipeline; load it once and reuse it (models load lazily, on first use).

    Parameters
    ----------
    model:
        ``"default"`` (the built-in model), a saved-model directory, or a fitted stance model object.
    claim_model:
        What scores each quote's claim (check-worthy, subjective, causal; ``QuoteAnalysis.claim``):
        ``"default"`` (the built-in claim model; when it is not installed, claims are left unscored,
        said once in the log), a saved claim-model directory, a model object with ``score_texts``, or
        ``None``/``False`` to score no claims.
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
        Where and how the stance and claim models and the quote tagger predict (see
        :meth:`~stanceclf.models.transformer.CrossEncoderStanceClassifier.to` and
        :mod:`stanceclf.models.precision`): ``device="cpu"``, ``"cuda"``...; ``precision="fp32"``,
        ``"bf16"``, ``"int8"`` or ``"auto"``. ``None`` keeps each model's own choice (a visible GPU,
        else the CPU; fp32).

    Stages
    ------
    :meth:`analyze`, :meth:`analyze_documents` and so :func:`~stanceclf.analysis.runs.run_corpus` run
    these methods, in order, on chunks of ``chunk_size`` (32) documents; override one to change it alone:

    * :meth:`extract`: ``Document`` s -> :class:`ExtractedArticle` s (once per chunk: one parser pass);
    * :meth:`link`: an ``ExtractedArticle`` and the targets -> a :class:`LinkedArticle` (per document);
    * :meth:`score`: ``LinkedArticle`` s -> a distribution per pair (once per chunk: batched model calls);
    * :meth:`score_claims`: ``LinkedArticle`` s -> the claim scores of each quote (once per chunk);
    * :meth:`assemble`: a ``LinkedArticle``, its distributions and claim scores -> an ``ArticleAnalysis``.

    A stage that raises for a document makes it a :class:`DocumentError` record (``stage``: ``extract``,
    ``targets``, ``stance`` or ``claims``) and the run goes on. ``workers > 1`` runs extract and link in
    processes with a new instance of the same class (define a subclass at a module's top level).

    >>> class QuotedTargetsOnly(Analyzer):                       # a stricter linking rule
    ...     def link(self, article, targets):
    ...         linked = super().link(article, targets)
    ...         linked.pairs = [(i, link) for i, link in linked.pairs if link.via == "quote"]
    ...         return linked
    >>> QuotedTargetsOnly(extractor="rules").analyze(text, ["NATO"])      # doctest: +SKIP
    """

    def __init__(self, model: Any = "default", extractor: Any = "hybrid", *, all_targets: bool = False,
                 batch_size: int = 64, max_chars: int = DEFAULT_MAX_CHARS, max_suggested_targets: int = 8,
                 device: str | None = None, precision: str | None = None, allow_download: bool = False,
                 claim_model: Any = "default"):
        self.device, self.precision = device, precision
        self.allow_download = allow_download
        self._model_spec = model
        self._model: Any = None if isinstance(model, str) or model is None else model
        if self._model is not None:
            self._place_model()
        self._init_claims(claim_model)
        self._extractor_spec = extractor
        self._extractor: Any = None if isinstance(extractor, str) else extractor
        self.all_targets = all_targets
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.max_suggested_targets = max_suggested_targets
        #: cumulative seconds per stage: extract (spaCy + tagger + rules), targets (link), stance (score),
        #: claims (score_claims)
        self.timings: Counter[str] = Counter()

    # -- lazily loaded parts ------------------------------------------------------------------------
    @property
    def extractor(self) -> Any:
        if self._extractor is None:
            from ..extract import QuoteExtractor

            logger.info("Loading the %s quote extractor ...", self._extractor_spec)
            self._extractor = QuoteExtractor(mode=self._extractor_spec, precision=self.precision)
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
        input order. Memory is bounded by ``chunk_size`` documents; each chunk goes through
        :meth:`extract`, :meth:`link`, :meth:`score` (one stance-model pass over the pairs of the whole
        chunk) and :meth:`assemble`. ``workers > 1`` extracts and links in that many processes.
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
            pool = _start_pool(workers, type(self), target_list, extractor=self._extractor_spec, model=None,
                               claim_model=None, all_targets=self.all_targets, max_chars=self.max_chars,
                               max_suggested_targets=self.max_suggested_targets)
            chunk_size = max(chunk_size, workers * 4)
        try:
            while True:
                chunk = list(itertools.islice(docs, chunk_size))
                if not chunk:
                    return
                if pool is not None:
                    done = pool.map(_extract_and_link_in_worker, chunk, chunksize=max(1, len(chunk) // (workers * 2)))
                    linked = [item for item, _ in done]
                    for _, seconds in done:
                        self.timings.update(seconds)
                else:
                    linked = self._extract_and_link(chunk, target_list)
                yield from self._score_and_assemble(linked)
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

    # -- the stages (override one to change it) ----------------------------------------------------
    def extract(self, documents: Sequence[Document]) -> list[ExtractedArticle]:
        """**Extract**: find the quotes of a chunk of documents and resolve their speakers.

        Input: validated :class:`Document` s. Output: one :class:`ExtractedArticle` per document, in
        order. The default parses the chunk in one pass of the quote extractor
        (:meth:`~stanceclf.extract.QuoteExtractor.pipe_docs`). When it raises, the documents are
        extracted again one at a time, and those that still fail become ``stage="extract"`` errors.

        >>> [q.speaker for q in Analyzer(extractor="rules").extract([Document("d", text)])[0].quotes]  # doctest: +SKIP
        """
        parsed = self.extractor.pipe_docs([document.text for document in documents])
        return [ExtractedArticle(document, spacy_doc, quotes) for document, (spacy_doc, quotes) in zip(documents, parsed)]

    def link(self, article: ExtractedArticle, targets: Sequence[Target] | None) -> LinkedArticle:
        """**Link**: the targets each quote of one article addresses, as (quote, target) pairs.

        Input: an :class:`ExtractedArticle` and the parsed targets (``None``: suggest them from the
        article, :func:`suggest_targets`). Output: a :class:`LinkedArticle`. The default applies the
        rules of :class:`~stanceclf.analysis.linking.TargetLinker` (see its ``via`` names) and gives
        each quote its sentence(s) as the text the model reads. Raising makes the article a
        ``stage="targets"`` error.
        """
        text, spacy_doc, quotes = article.document.text, article.spacy_doc, article.quotes
        suggested = targets is None
        doc_targets = suggest_targets(spacy_doc, self.max_suggested_targets) if suggested else list(targets)
        bounds = sentence_bounds(text, spacy_doc)
        linked = (TargetLinker(text, spacy_doc, doc_targets, sentences=bounds).link_all(quotes, all_targets=self.all_targets)
                  if quotes else [])
        pairs: list[tuple[int, Link]] = []
        sentences: list[Span] = []
        for qi, (quote, links) in enumerate(zip(quotes, linked)):
            a, b, _, _ = quote_sentences(bounds, quote.start, quote.end)
            sentences.append(Span(a, b, text[a:b]))
            pairs += [(qi, link) for link in links]
        return LinkedArticle(article.document, quotes, sentences, doc_targets, suggested, pairs)

    def score(self, articles: Sequence[LinkedArticle]) -> list[list[dict[str, float]]]:
        """**Score**: the stance probabilities of every (quote, target) pair of a chunk.

        Input: the chunk's :class:`LinkedArticle` s (called only when one has pairs). Output: per
        article, one ``{label: probability}`` per entry of its ``pairs``, in order. The default asks
        the stance model about the pairs of all the articles together, ``batch_size`` at a time,
        with (the quote's sentence(s), the target as shown to the model, the link's context, the
        speaker); an unaddressed pair (``via="none"``) is NONE by rule, unasked. Raising makes every
        article of the chunk that has pairs a ``stage="stance"`` error.

        >>> class AlwaysInFavour(Analyzer):          # e.g. to try the other stages without a model
        ...     def score(self, articles):
        ...         return [[{"AGAINST": 0.0, "FAVOR": 1.0, "NONE": 0.0} for _ in a.pairs] for a in articles]
        """
        rows = [(article.sentences[qi].text, link.model_target, link.context, article.quotes[qi].speaker or "")
                for article in articles for qi, link in article.pairs if link.via != "none"]
        predicted = iter(self._predict_proba(rows))
        return [[dict(_UNADDRESSED) if link.via == "none" else next(predicted) for _, link in article.pairs]
                for article in articles]

    def _predict_proba(self, rows: list[tuple[str, str, str, str]]) -> list[dict[str, float]]:
        """The stance model's ``{label: probability}`` per row, ``batch_size`` rows per call (none: no model)."""
        if not rows:
            return []
        try:
            model = self.model
            classes = [str(c) for c in model.classes_]
            return [{c: float(v) for c, v in zip(classes, row)}
                    for start in range(0, len(rows), self.batch_size)
                    for row in model.predict_proba(rows[start:start + self.batch_size])]
        finally:
            release_freed_memory()  # keeps a long stream's memory flat (see stanceclf._memory)

    def assemble(self, article: LinkedArticle, probabilities: Sequence[dict[str, float]],
                 claims: Sequence[ClaimScores | None] | None = None) -> ArticleAnalysis:
        """**Assemble**: one article's result from its pairs and their probabilities.

        Input: a :class:`LinkedArticle`, per pair its ``{label: probability}`` (from :meth:`score`),
        and per quote its claim scores (from :meth:`score_claims`; ``None``: not scored). Output: the
        :class:`ArticleAnalysis`: a :class:`QuoteAnalysis` per quote with a :class:`TargetStance` per
        pair (label: the most probable), in pair order.
        """
        stances: dict[int, list[TargetStance]] = defaultdict(list)
        for (qi, link), probs in zip(article.pairs, probabilities, strict=True):
            label = max(probs, key=probs.get)
            stances[qi].append(TargetStance(link.target, label, probs, link.via, link.mention, link.evidence))
        claims = claims or [None] * len(article.quotes)
        quotes = [QuoteAnalysis(i, quote, article.sentences[i], tuple(stances[i]), claims[i])
                  for i, quote in enumerate(article.quotes)]
        d = article.document
        return ArticleAnalysis(d.id, d.text, quotes, article.targets, model=self.model_name, date=d.date,
                               source=d.source, targets_suggested=article.targets_suggested, metadata=dict(d.metadata))

    # -- running the stages on a chunk, one error record per failing document ------------------------
    def _extract_and_link(self, chunk: Sequence[Document | DocumentError], targets: list[Target] | None
                          ) -> list[LinkedArticle | DocumentError]:
        """Validate, :meth:`extract` and :meth:`link` a chunk (what worker processes run): one result
        per input, in order."""
        out: list[LinkedArticle | DocumentError | None] = [d if isinstance(d, DocumentError) else None for d in chunk]
        valid: list[tuple[int, Document]] = []
        for i, doc in enumerate(chunk):
            if isinstance(doc, DocumentError):
                continue
            try:
                text = validate_text(doc.text, self.max_chars)
            except DataError as exc:
                out[i] = DocumentError(doc.id, str(exc), doc.source, stage="validate")
                continue
            valid.append((i, doc if text is doc.text else dataclasses.replace(doc, text=text)))
        for (i, _), article in zip(valid, self._run_extract([doc for _, doc in valid]), strict=True):  # one each
            out[i] = article if isinstance(article, DocumentError) else self._run_link(article, targets)
        return [item for item in out if item is not None]

    def _run_extract(self, documents: list[Document]) -> list[ExtractedArticle | DocumentError]:
        if not documents:
            return []
        t0 = time.perf_counter()
        try:
            extracted: list[ExtractedArticle | DocumentError] = list(self.extract(documents))
        except (ModelError, DataError):
            raise  # the extractor itself is unusable: no document would fare better
        except Exception:  # one bad document must not sink the chunk: retry one by one
            extracted = [self._extract_one(document) for document in documents]
        self.timings["extract"] += time.perf_counter() - t0
        return extracted

    def _extract_one(self, document: Document) -> ExtractedArticle | DocumentError:
        try:
            (article,) = self.extract([document])
        except Exception as exc:  # noqa: BLE001 - reported as an error record
            return DocumentError(document.id, f"quote extraction failed: {type(exc).__name__}: {exc}",
                                 document.source, stage="extract")
        return article

    def _run_link(self, article: ExtractedArticle, targets: list[Target] | None) -> LinkedArticle | DocumentError:
        t0 = time.perf_counter()
        try:
            return self.link(article, targets)
        except Exception as exc:  # noqa: BLE001 - one odd document must not stop the stream
            doc = article.document
            return DocumentError(doc.id, f"target linking failed: {type(exc).__name__}: {exc}", doc.source, stage="targets")
        finally:
            self.timings["targets"] += time.perf_counter() - t0

    def _score_and_assemble(self, items: Sequence[LinkedArticle | DocumentError]
                            ) -> Iterator[ArticleAnalysis | DocumentError]:
        """:meth:`score` the pairs and :meth:`score_claims` the quotes of a chunk in one go each, then
        :meth:`assemble` each article."""
        articles = [item for item in items if isinstance(item, LinkedArticle)]
        scores: list[list[dict[str, float]]] = [[] for _ in articles]
        failed: str | None = None
        if any(article.pairs for article in articles):
            t0 = time.perf_counter()
            try:
                scores = self.score(articles)
            except (ModelError, ImportError):
                raise
            except Exception as exc:  # noqa: BLE001 - reported per document below
                failed = f"stance model failed: {type(exc).__name__}: {exc}"
            self.timings["stance"] += time.perf_counter() - t0
            if failed is None and [len(s) for s in scores] != [len(a.pairs) for a in articles]:
                raise ModelError(f"{type(self).__name__}.score() must give, per article, one probability dict per "
                                 "pair, in order; fix the override.")
        claims, claims_failed = self._run_score_claims(articles)
        per_article, per_article_claims = iter(scores), iter(claims)
        for item in items:
            if isinstance(item, DocumentError):
                yield item
                continue
            probabilities, quote_claims = next(per_article), next(per_article_claims)
            if failed and item.pairs:
                yield DocumentError(item.document.id, failed, item.document.source, stage="stance")
            elif id(item) in claims_failed:
                yield DocumentError(item.document.id, claims_failed[id(item)], item.document.source, stage="claims")
            else:
                yield self.assemble(item, probabilities, claims=quote_claims)


# --------------------------------------------------------------------------------------------------
# Worker processes (extract and link in parallel)
# --------------------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_pool(workers: int, analyzer_class: type[Analyzer], targets: list[Target] | None, **options: Any) -> Any:
    """Worker processes, each with an ``analyzer_class(**options)``: they validate, extract and link;
    the stance and claim models score in the parent process, so the workers load neither."""
    import multiprocessing
    import pickle

    if not isinstance(options["extractor"], str):
        raise ModelError("workers > 1 needs the extractor given by name ('rules', 'tagger' or 'hybrid').")
    try:
        pickle.dumps(analyzer_class)
    except Exception:  # noqa: BLE001 - a class defined inside a function cannot reach another process
        raise ModelError(f"workers > 1 needs {analyzer_class.__qualname__} defined at a module's top level.") from None
    ctx = multiprocessing.get_context("spawn")  # fork after torch/spaCy threads have started is unsafe
    return ctx.Pool(workers, initializer=_init_worker, initargs=(analyzer_class, options, targets))


def _init_worker(analyzer_class: type[Analyzer], options: dict[str, Any], targets: list[Target] | None) -> None:
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    _WORKER["analyzer"] = analyzer_class(**options)
    _WORKER["targets"] = targets


def _extract_and_link_in_worker(doc: Document | DocumentError
                                ) -> tuple[LinkedArticle | DocumentError, dict[str, float]]:
    """One document through validate, extract and link, with the seconds each stage took."""
    analyzer: Analyzer = _WORKER["analyzer"]
    analyzer.timings.clear()
    (item,) = analyzer._extract_and_link([doc], _WORKER["targets"])
    return item, dict(analyzer.timings)


# --------------------------------------------------------------------------------------------------
# Convenience
# --------------------------------------------------------------------------------------------------

_SHARED: dict[tuple[Any, ...], Analyzer] = {}


def analyze(text: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], targets: Any = None, *,
            model: Any = "default", extractor: str = "hybrid", all_targets: bool = False, doc_id: str = "article",
            date: str | None = None, device: str | None = None, precision: str | None = None,
            progress: bool = False, claim_model: Any = "default") -> Any:
    """Analyse articles with a shared :class:`Analyzer` (models are loaded once per process).

    ``text``: an article's text, a text file (a ``Path``, or a one-line string ending in .txt/.md/.text),
    or a list (any iterable) of these. One article gives an :class:`ArticleAnalysis` (or raises
    :class:`~stanceclf.DataError`); a list gives a list in input order, where a document that could not
    be analysed is a :class:`~stanceclf.analysis.corpus.DocumentError` record instead (nothing is
    dropped). ``targets``: ``{"NATO": ["the alliance"], ...}``, a list of names, a YAML/JSON/CSV file
    path, or ``None`` to suggest targets from each article. ``device``/``precision``: see
    :class:`Analyzer`. ``progress=True`` draws a progress bar for a list. ``claim_model``: the claim
    scores of each quote (``QuoteAnalysis.claim``), see :class:`Analyzer`; ``None`` scores none.

    >>> stanceclf.analyze("examples/article.txt", targets="examples/targets.yaml")      # doctest: +SKIP
    ArticleAnalysis(id='article', quotes=15, targets=[...])
    >>> stanceclf.analyze(["First article ...", Path("b.txt")], targets=["NATO"])       # doctest: +SKIP
    [ArticleAnalysis(id='doc0', ...), ArticleAnalysis(id='b', ...)]
    """
    key = (model if isinstance(model, str) else id(model), extractor, all_targets, device, precision,
           claim_model if isinstance(claim_model, (str, bool)) or claim_model is None else id(claim_model))
    if key not in _SHARED:
        _SHARED[key] = Analyzer(model=model, extractor=extractor, all_targets=all_targets, device=device,
                                precision=precision, claim_model=claim_model)
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
