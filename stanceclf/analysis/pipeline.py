"""End-to-end analysis: quotes -> speakers -> targets -> stance, for one article or a whole corpus.

>>> from stanceclf import analyze                                             # doctest: +SKIP
>>> result = analyze(article, targets={"NATO": ["the alliance"]})            # doctest: +SKIP
>>> for q in result.quotes:                                                   # doctest: +SKIP
...     print(q.speaker, [(s.target, s.label) for s in q.stances])

How a quote is linked to a target (``TargetStance.via``):

* ``quote``: the quote itself mentions the target (any alias);
* ``sentence``: the sentence(s) around the quote do ("Benning described the deal as 'a first step'");
* ``context``: neither does, but the quote refers back with a pronoun or demonstrative ("Russia will
  never agree to this") and the previous sentence mentions the target; that sentence is given to the
  stance model as context;
* ``none``: not addressed; only produced with ``all_targets=True``, for complete speaker x target
  matrices. Such pairs are NONE by rule (probability 1.0) -- the model is not asked.

The stance model reads (target, the quote's sentence(s)[, the previous sentence]). When an alias other
than the canonical name was matched, the model's target reads ``"NATO (the alliance)"`` so it can link
the two.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

from .._memory import release_freed_memory
from ..errors import DataError, ModelError
from ..types import STANCE_LABELS, Quote, Span
from .corpus import DEFAULT_MAX_CHARS, Document, DocumentError, validate_text
from .targets import Target, TargetMatcher, TargetMention, parse_targets

__all__ = ["TargetStance", "QuoteAnalysis", "ArticleAnalysis", "Analyzer", "analyze", "suggest_targets",
           "RECORD_FIELDS"]

#: Probabilities reported for a target a quote does not address (``all_targets=True``).
_UNADDRESSED = {"AGAINST": 0.0, "FAVOR": 0.0, "NONE": 1.0}
#: Longest stance-model text (characters) built from whole sentences; longer spans fall back to the quote.
MAX_STANCE_TEXT_CHARS = 700
_ANAPHOR = re.compile(r"\b(it|its|this|that|these|those|they|them|their|such|he|him|his|she|her|there)\b", re.I)


@dataclass(frozen=True)
class TargetStance:
    """The stance of one quote toward one target."""

    target: str
    label: str
    probabilities: dict[str, float]
    via: str
    mention: TargetMention | None = None

    @property
    def addressed(self) -> bool:
        return self.via != "none"

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "label": self.label,
                "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()}, "via": self.via,
                "mention": None if self.mention is None else
                {"start": self.mention.start, "end": self.mention.end, "text": self.mention.text}}


@dataclass(frozen=True)
class QuoteAnalysis:
    """A quote, the text the stance model read for it, and its stance toward each addressed target."""

    index: int
    quote: Quote
    sentence: Span
    stances: tuple[TargetStance, ...] = ()

    @property
    def speaker(self) -> str | None:
        return self.quote.speaker

    def stance_toward(self, target: str) -> TargetStance | None:
        return next((s for s in self.stances if s.target == target), None)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, **self.quote.to_dict(), "sentence": self.sentence.to_dict(),
                "stances": [s.to_dict() for s in self.stances]}


#: Columns of the flat records (JSONL/CSV/DataFrame): one row per (quote, target); a quote addressing
#: no target gets one row with empty target fields, a document without quotes one row with status
#: ``no_quotes``, a failed document one row with status ``error``.
RECORD_FIELDS: tuple[str, ...] = (
    "doc_id", "source", "date", "status", "quote_index", "kind", "speaker", "speaker_mention",
    "quote_start", "quote_end", "quote", "extraction_confidence", "target", "target_mention", "via",
    "stance", "p_against", "p_favor", "p_none", "model", "stage", "error",
)


@dataclass
class ArticleAnalysis:
    """Everything found in one article. ``targets_suggested`` is True when the targets were not given
    but suggested from the article's named entities and noun phrases."""

    id: str
    text: str
    quotes: list[QuoteAnalysis]
    targets: list[Target]
    model: str = ""
    date: str | None = None
    source: str = ""
    targets_suggested: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)

    # -- views ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date, "source": self.source, "model": self.model,
                "targets": [t.to_dict() for t in self.targets], "targets_suggested": self.targets_suggested,
                "quotes": [q.to_dict() for q in self.quotes], "metadata": self.metadata}

    def to_records(self) -> list[dict[str, Any]]:
        """Flat rows, one per (quote, target); see :data:`RECORD_FIELDS`."""
        base = {"doc_id": self.id, "source": self.source, "date": self.date, "model": self.model, "error": None}
        if not self.quotes:
            return [{**dict.fromkeys(RECORD_FIELDS), **base, "status": "no_quotes"}]
        rows = []
        for qa in self.quotes:
            q = qa.quote
            quote_cols = {**base, "status": "ok", "quote_index": qa.index, "kind": q.kind.value, "speaker": q.speaker,
                          "speaker_mention": q.speaker_mention.text if q.speaker_mention else None,
                          "quote_start": q.start, "quote_end": q.end, "quote": q.text,
                          "extraction_confidence": round(float(q.confidence), 4)}
            if not qa.stances:
                rows.append({**dict.fromkeys(RECORD_FIELDS), **quote_cols})
            for s in qa.stances:
                rows.append({**dict.fromkeys(RECORD_FIELDS), **quote_cols, "target": s.target,
                             "target_mention": s.mention.text if s.mention else None, "via": s.via, "stance": s.label,
                             **{f"p_{k.lower()}": round(s.probabilities.get(k, 0.0), 4) for k in STANCE_LABELS}})
        return rows

    def to_dataframe(self) -> Any:
        """The records as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.to_records(), columns=list(RECORD_FIELDS))

    def table(self, width: int = 100) -> str:
        """A readable plain-text table of speakers, quotes and stances."""
        from .outputs import format_article_table

        return format_article_table(self, width=width)

    def to_html(self, path: Any = None) -> str:
        """A standalone HTML report of this article (written to ``path`` when given)."""
        from .outputs import write_html_report

        return write_html_report([self], path)


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
    out = []
    for key in keep[:max_targets]:
        name = canonical[key]
        if key.startswith("np:"):
            head = key[3:]
            aliases = {f"the {head}"} if any(f.lower().startswith(("the ", "this ", "that ")) for f in forms[key]) else set()
            aliases.discard(name.lower())
        else:
            aliases = {f for f in forms[key] if f.casefold() != name.casefold()}
            if key in persons and " " in name:
                aliases.add(name.split()[-1])  # the surname
        out.append(Target(name, tuple(sorted(aliases))))
    return out


# --------------------------------------------------------------------------------------------------
# The analyzer
# --------------------------------------------------------------------------------------------------

@dataclass
class _Pair:
    quote: int
    target: str
    model_target: str
    via: str
    mention: TargetMention | None
    context: str = ""


@dataclass
class _Prepared:
    """A document after extraction and target linking, before stance (picklable, for worker processes)."""

    document: Document
    quotes: list[Quote]
    sentences: list[Span]
    targets: list[Target]
    suggested: bool
    pairs: list[_Pair]
    seconds: dict[str, float]


def sentence_bounds(text: str, spacy_doc: Any) -> list[tuple[int, int]]:
    """Sentence (start, end) character offsets: spaCy's sentences, also split at blank lines (the
    parser sometimes joins a quote to the next paragraph), trimmed of surrounding whitespace."""
    cuts = [m.end() for m in re.finditer(r"\n\s*\n", text)]
    bounds = []
    for sent in spacy_doc.sents:
        a = sent.start_char
        for cut in (c for c in cuts if sent.start_char < c < sent.end_char):
            bounds.append((a, cut))
            a = cut
        bounds.append((a, sent.end_char))
    trimmed = []
    for a, b in bounds:
        chunk = text[a:b]
        a2, b2 = a + len(chunk) - len(chunk.lstrip()), b - (len(chunk) - len(chunk.rstrip()))
        if b2 > a2:
            trimmed.append((a2, b2))
    return trimmed or [(0, len(text))]


def _sentence_span(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int, int]:
    """(first char, last char, index of the first sentence) of the sentences overlapping [start, end)."""
    idx = [i for i, (a, b) in enumerate(sentences) if a < end and b > start] or [0]
    a, b = sentences[idx[0]][0], sentences[idx[-1]][1]
    if b - a > MAX_STANCE_TEXT_CHARS:
        a, b = start, end
    return a, b, idx[0]


def _same_paragraph(text: str, a: int, b: int) -> bool:
    return not re.search(r"\n\s*\n", text[a:b])


def _link_targets(text: str, quote: Quote, sent: tuple[int, int], previous: tuple[int, int] | None,
                  other_quotes: Sequence[Quote], matcher: TargetMatcher, all_targets: list[Target] | None
                  ) -> list[_Pair]:
    """The targets a quote addresses (see the module docstring for the rules)."""
    pairs: dict[str, _Pair] = {}
    speaker_targets = set(matcher.targets_in(quote.speaker)) if quote.speaker else set()

    def add(mention: TargetMention, via: str, context: str = "") -> None:
        if mention.target in pairs or mention.target in speaker_targets:  # no stance toward oneself
            return
        shown = mention.target
        if not mention.text.casefold().startswith(mention.target.casefold()):
            shown = f"{mention.target} ({mention.text})"
        pairs[mention.target] = _Pair(-1, mention.target, shown, via, mention, context)

    def distance(q: Quote, m: TargetMention) -> int:
        return max(q.start - m.end, m.start - q.end, 0)

    for m in matcher.find(text, quote.start, quote.end):
        add(m, "quote")
    neighbours = [q for q in other_quotes if q is not quote and q.start < sent[1] and q.end > sent[0]]
    for m in matcher.find(text, *sent):
        inside_other = any(q.start <= m.start and m.end <= q.end for q in neighbours)
        # a mention in the writer's words belongs to the nearest quote of the sentence
        if not inside_other and any(distance(q, m) < distance(quote, m) for q in neighbours):
            continue
        add(m, "sentence")
    if previous is not None and _ANAPHOR.search(quote.text) and _same_paragraph(text, previous[0], quote.start):
        context = text[previous[0]:previous[1]].strip()
        for m in matcher.find(text, *previous):
            add(m, "context", context)
    if all_targets is not None:
        for t in all_targets:
            if t.name not in pairs and t.name not in speaker_targets:
                pairs[t.name] = _Pair(-1, t.name, t.name, "none", None)
    return list(pairs.values())


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
    """

    def __init__(self, model: Any = "default", extractor: Any = "hybrid", *, all_targets: bool = False,
                 batch_size: int = 64, max_chars: int = DEFAULT_MAX_CHARS, max_suggested_targets: int = 8):
        self._model_spec = model
        self._model: Any = None if isinstance(model, str) or model is None else model
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

            self._extractor = QuoteExtractor(mode=self._extractor_spec)
        return self._extractor

    @property
    def model(self) -> Any:
        if self._model is None:
            from ..models.registry import load

            self._model = load(self._model_spec or "default")
        return self._model

    @property
    def model_name(self) -> str:
        if isinstance(self._model_spec, str):
            return self._model_spec
        return getattr(self._model, "model_name", type(self._model).__name__)

    # -- single article -----------------------------------------------------------------------------
    def analyze(self, text: str, targets: Any = None, *, doc_id: str = "article", date: str | None = None) -> ArticleAnalysis:
        """Analyse one article. ``targets``: see :func:`~stanceclf.analysis.targets.parse_targets`;
        ``None`` suggests targets from the article itself."""
        validate_text(text, self.max_chars)
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
        ``progress`` is an optional callable called with the number of documents just finished."""
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
                validate_text(doc.text, self.max_chars)
            except DataError as exc:
                out[i] = DocumentError(doc.id, str(exc), doc.source, stage="validate")
                continue
            valid.append((i, doc))
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
                out[i] = self._link(doc, spacy_doc, quotes, targets, per_doc)
        return [o for o in out if o is not None]

    def _link(self, doc: Document, spacy_doc: Any, quotes: list[Quote], targets: list[Target] | None,
              extract_seconds: float) -> _Prepared:
        t0 = time.perf_counter()
        suggested = targets is None
        doc_targets = suggest_targets(spacy_doc, self.max_suggested_targets) if suggested else targets
        matcher = TargetMatcher(doc_targets)
        text = doc.text
        bounds = sentence_bounds(text, spacy_doc)
        pairs: list[_Pair] = []
        sentences: list[Span] = []
        for qi, quote in enumerate(quotes):
            a, b, first = _sentence_span(bounds, quote.start, quote.end)
            sentences.append(Span(a, b, text[a:b]))
            previous = bounds[first - 1] if first > 0 else None
            for pair in _link_targets(text, quote, (a, b), previous, quotes, matcher,
                                      doc_targets if self.all_targets else None):
                pair.quote = qi
                pairs.append(pair)
        seconds = {"extract": extract_seconds, "targets": time.perf_counter() - t0}
        return _Prepared(doc, quotes, sentences, list(doc_targets), suggested, pairs, seconds)

    def _score(self, prepared: Sequence[_Prepared | DocumentError]) -> Iterator[ArticleAnalysis | DocumentError]:
        jobs = [(p, pair) for p in prepared if isinstance(p, _Prepared) for pair in p.pairs if pair.via != "none"]
        probabilities: list[dict[str, float]] = []
        failed: str | None = None
        if jobs:
            t0 = time.perf_counter()
            try:
                model = self.model
                classes = [str(c) for c in model.classes_]
                for start in range(0, len(jobs), self.batch_size):
                    batch = [(p.sentences[pair.quote].text, pair.model_target, pair.context)
                             for p, pair in jobs[start:start + self.batch_size]]
                    for row in model.predict_proba(batch):
                        probabilities.append({c: float(v) for c, v in zip(classes, row)})
            except (ModelError, ImportError):
                raise
            except Exception as exc:  # noqa: BLE001 - reported per document below
                failed = f"stance model failed: {type(exc).__name__}: {exc}"
            release_freed_memory()  # keeps a long stream's memory flat (see stanceclf._memory)
            self.timings["stance"] += time.perf_counter() - t0
        by_doc: dict[int, list[tuple[_Pair, dict[str, float]]]] = defaultdict(list)
        for (p, pair), probs in zip(jobs, probabilities):
            by_doc[id(p)].append((pair, probs))
        for p in prepared:
            if isinstance(p, DocumentError):
                yield p
                continue
            if failed and p.pairs:
                yield DocumentError(p.document.id, failed, p.document.source, stage="stance")
                continue
            stances: dict[int, list[TargetStance]] = defaultdict(list)
            for pair, probs in by_doc.get(id(p), []):
                label = max(probs, key=probs.get)
                stances[pair.quote].append(TargetStance(pair.target, label, probs, pair.via, pair.mention))
            for pair in p.pairs:
                if pair.via == "none":  # not addressed: NONE by rule, the model is not asked
                    stances[pair.quote].append(TargetStance(pair.target, "NONE", dict(_UNADDRESSED), "none"))
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


def analyze(text: str, targets: Any = None, *, model: Any = "default", extractor: str = "hybrid",
            all_targets: bool = False, doc_id: str = "article", date: str | None = None) -> ArticleAnalysis:
    """Analyse one article with a shared :class:`Analyzer` (models are loaded once per process).

    ``targets``: ``{"NATO": ["the alliance"], ...}``, a list of names, a YAML/JSON/CSV file path, or
    ``None`` to suggest targets from the article's named entities and noun phrases.
    """
    key = (model if isinstance(model, str) else id(model), extractor, all_targets)
    if key not in _SHARED:
        _SHARED[key] = Analyzer(model=model, extractor=extractor, all_targets=all_targets)
    return _SHARED[key].analyze(text, targets, doc_id=doc_id, date=date)

