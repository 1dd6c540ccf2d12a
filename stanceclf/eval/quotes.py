"""Quote-extraction evaluation: the span scorer (gold quotes and their readers are in :mod:`.gold`).

Gold quotes are :class:`GoldQuote` objects grouped per :class:`AnnotatedArticle`. Predictions are
:class:`stanceclf.types.Quote` objects, given as a dict ``{article id: [Quote, ...]}``, a list
aligned with the articles, or a callable ``text -> [Quote, ...]`` (any extractor). Scoring:

* each content span becomes a set of character positions, leaving out whitespace, quotation marks
  and ``'`` (so ``“We will win.”``, ``''We will win.''`` and ``We will win.`` are the same quote);
* overlap of a prediction and a gold quote is the Jaccard index ``|A∩B| / |A∪B|``;
* per article and threshold, a one-to-one matching (``scipy.optimize.linear_sum_assignment``) over
  the pairs with overlap >= threshold, maximising the number of pairs and then their total
  overlap; matched pairs are true positives;
* the unit of a gold quote follows its corpus (:attr:`AnnotatedArticle.unit`): our example files
  annotate each quoted *segment*, PolNeAR one *attribution* per relation, whose content may be
  several segments (``"A," she said. "B."``). On attribution-unit articles, consecutive predicted
  quotes on both sides of the cue they share are scored as one attribution (:func:`attribution_units`).

>>> from stanceclf.types import Quote, QuoteKind, Span
>>> text = 'Ann said: "We will win." Bob agreed.'
>>> art = AnnotatedArticle("a1", text, [GoldQuote(content=(Span(11, 23, "We will win."),),
...                                               kind="direct", speaker="Ann")])
>>> pred = {"a1": [Quote(Span(10, 24, '"We will win."'), QuoteKind.DIRECT, speaker="ann")]}
>>> s = score_quotes([art], pred)
>>> s["by_threshold"]["0.8"]["f1"], s["speaker_accuracy"]["accuracy"]
(1.0, 1.0)

Besides :mod:`stanceclf.metrics` (numpy), this module imports only the standard library; scipy is
imported when scoring.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence, Union

from ..errors import DataError
from ..metrics import precision_recall_f1
from ..types import Span
from .gold import (KINDS, UNITS, AnnotatedArticle, GoldQuote, _gold_quotes, _annotated, derive_kind, parse_brat,
                   quoted_mask, read_example_articles, read_polnear, significant_positions)

if TYPE_CHECKING:  # pragma: no cover
    from ..types import Quote

__all__ = [
    "GoldQuote",
    "UNITS",
    "attribution_units",
    "match_quotes",
    "overlap_matrix",
    "AnnotatedArticle",
    "KINDS",
    "derive_kind",
    "quoted_mask",
    "parse_brat",
    "read_polnear",
    "polnear_agreement",
    "read_example_articles",
    "score_quotes",
    "evaluate_quotes",
    "format_quote_scores",
]


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------

Predictions = Union[Mapping[str, Sequence["Quote"]], Sequence[Sequence["Quote"]], Callable[[str], Sequence["Quote"]]]

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def _norm_name(name: str | None) -> str:
    return " ".join(_PUNCT.sub(" ", name or "").casefold().split())


def _charset(text: str, spans: Iterable[Span]) -> frozenset[int]:
    return frozenset(i for s in spans for i in significant_positions(text, s.start, s.end))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p, r, f = precision_recall_f1(tp, n_pred, n_gold)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": n_pred - tp, "fn": n_gold - tp}


def _match(overlap: Any, threshold: float) -> list[tuple[int, int]]:
    """One-to-one matching over pairs with overlap >= threshold: most pairs, then most overlap."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if overlap.size == 0:
        return []
    ok = overlap >= threshold - 1e-12
    if not ok.any():
        return []
    k = min(overlap.shape)
    # each eligible pair is worth 1 + overlap/(k+1): one more pair always beats any overlap gain
    weight = np.where(ok, 1.0 + overlap / (k + 1), 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if ok[r, c]]


def _content_spans(p: Any) -> tuple[Span, ...]:
    """Content spans of a prediction: a Quote's ``content`` Span, or a GoldQuote's span tuple."""
    c = p.content
    return tuple(c) if isinstance(c, (tuple, list)) else (c,)


def _mention_spans(p: Any) -> tuple[Span, ...]:
    """Speaker mention(s) of a prediction: Quote.speaker_mention, or GoldQuote.source."""
    if isinstance(p, GoldQuote):
        return p.source
    m = getattr(p, "speaker_mention", None)
    return (m,) if m is not None else ()


def _collect(articles: Sequence[AnnotatedArticle], predictions: Predictions) -> list[list["Quote"]]:
    if callable(predictions) and not isinstance(predictions, Mapping):
        return [list(predictions(a.text)) for a in articles]
    if isinstance(predictions, Mapping):
        missing = [a.id for a in articles if a.id not in predictions]
        if missing:
            raise DataError(
                f"No predictions for {len(missing)} article(s), e.g. {missing[:3]}; give a list (possibly "
                "empty) for every article id."
            )
        return [list(predictions[a.id]) for a in articles]
    preds = list(predictions)
    if len(preds) != len(articles):
        raise DataError(f"Got {len(preds)} prediction lists for {len(articles)} articles; they must align.")
    return [list(p) for p in preds]


def attribution_units(quotes: Sequence[Any]) -> list[GoldQuote]:
    """Predicted quotes as attributions: a quote split by its cue becomes one multi-segment unit.

    An extractor returns one quote per quoted segment, so a split quote (``"A," she said. "B."``)
    gives two quotes with the same cue; attribution-level gold (PolNeAR) has one relation for both.
    In document order, a quote joins the previous quote's unit when both have the same cue span and
    that cue lies between them; other quotes stay alone. (Joining every quote that shares a cue
    scored the same F1 on a PolNeAR train subset but lost 1.2 points of reported-speech recall.)
    The unit takes the first member's kind, speaker and mention. :class:`GoldQuote` inputs are
    returned unchanged.

    >>> from stanceclf.types import Quote, QuoteKind
    >>> said = Span(6, 10, "said")
    >>> a = Quote(Span(1, 3, "A,"), QuoteKind.DIRECT, speaker="Ann", cue=said)
    >>> b = Quote(Span(12, 14, "B."), QuoteKind.DIRECT, speaker="Ann", cue=said)
    >>> [u.text for u in attribution_units([b, a])]
    ['A, B.']
    """
    units: list[GoldQuote] = []
    last: tuple[Span, Span] | None = None  # (cue, content) of the previous quote when it is in units[-1]
    for q in sorted(quotes, key=lambda q: (_content_spans(q)[0].start, _content_spans(q)[0].end)):
        if isinstance(q, GoldQuote):
            units.append(q)
            last = None
            continue
        cue = q.cue
        if (cue is not None and last is not None and (last[0].start, last[0].end) == (cue.start, cue.end)
                and last[1].end <= cue.start and cue.end <= q.content.start):
            units[-1] = replace(units[-1], content=units[-1].content + (q.content,))
        else:
            mention = getattr(q, "speaker_mention", None)
            units.append(GoldQuote(
                content=(q.content,), cue=(cue,) if cue is not None else (), source=(mention,) if mention else (),
                kind=str(getattr(q.kind, "value", q.kind)), speaker=q.speaker,
            ))
        last = (cue, q.content) if cue is not None else None
    return units


def overlap_matrix(text: str, gold: Sequence[GoldQuote], preds: Sequence[Any]) -> Any:
    """``(n_pred, n_gold)`` Jaccard overlap of content characters (punctuation and spaces ignored)."""
    import numpy as np

    gold_sets = [_charset(text, g.content) for g in gold]
    pred_sets = [_charset(text, _content_spans(p)) for p in preds]
    overlap = np.zeros((len(pred_sets), len(gold_sets)))
    for i, a in enumerate(pred_sets):
        if not a:
            continue
        lo, hi = min(a), max(a)
        for j, b in enumerate(gold_sets):
            if b and lo <= max(b) and min(b) <= hi:
                inter = len(a & b)
                if inter:
                    overlap[i, j] = inter / (len(a) + len(b) - inter)
    return overlap


def match_quotes(text: str, gold: Sequence[GoldQuote], preds: Sequence[Any], threshold: float = 0.3
                 ) -> list[tuple[int, int]]:
    """One-to-one ``(pred index, gold index)`` matches with content overlap >= ``threshold``."""
    return _match(overlap_matrix(text, gold, preds), threshold)


def score_quotes(
    articles: Sequence[AnnotatedArticle],
    predictions: Predictions,
    thresholds: Sequence[float] = (0.3, 0.8),
    *,
    speaker_threshold: float = 0.3,
    per_article: bool = False,
    max_examples: int = 20,
    unit: str | None = None,
) -> dict[str, Any]:
    """Score predicted quotes against gold quotes; returns a JSON-ready dict.

    ``predictions``: ``{article id: [Quote, ...]}``, a list of lists aligned with ``articles``, or a
    callable ``text -> [Quote, ...]``. :class:`GoldQuote` objects are accepted as predictions too
    (all their content spans count; their ``source`` serves as the speaker mention), e.g. to
    self-check a reader or compare two annotators. Keys of the result:

    * ``by_threshold[str(t)]``: precision, recall, f1, tp, fp, fn with one-to-one matching at
      overlap >= t (0.0 when undefined, e.g. no predictions);
    * ``recall_by_kind[str(t)][kind]``: recall, tp, n_gold per gold kind;
    * ``n_gold``, ``n_pred``, ``n_articles``, ``gold_by_kind``, ``pred_by_kind``;
    * on pairs matched at ``speaker_threshold`` (default 0.3), each as ``{accuracy, correct,
      total}`` (accuracy ``None`` when total is 0): ``speaker_mention_accuracy`` (the predicted
      ``speaker_mention`` overlaps a gold source span; gold quotes with a source only),
      ``speaker_accuracy`` (normalised canonical names equal; gold quotes with a speaker only),
      ``kind_accuracy``;
    * ``not_quote_violations``: predictions overlapping a gold ``not_quotes`` span (``count`` and up
      to ``max_examples`` ``examples`` as ``{article, text}``);
    * ``per_article`` (only if ``per_article=True``): id, n_gold, n_pred and tp per threshold;
    * ``unit``: the scoring unit(s) used, ``{unit: number of articles}``.

    ``unit`` chooses what a prediction is: ``None`` (default) follows each article's
    :attr:`~AnnotatedArticle.unit`; ``"segment"`` scores every predicted quote on its own;
    ``"attribution"`` first joins each quote split by its cue into one unit (:func:`attribution_units`).
    ``n_pred`` and ``pred_by_kind`` count the units scored.

    >>> from stanceclf.types import Quote, QuoteKind
    >>> art = AnnotatedArticle("a", "x said we win", [GoldQuote((Span(7, 13, "we win"),))])
    >>> score_quotes([art], [[Quote(Span(7, 13, "we win"), QuoteKind.INDIRECT)]])["by_threshold"]["0.3"]["f1"]
    1.0
    """

    articles = list(articles)
    thresholds = sorted({float(t) for t in thresholds})
    if not thresholds or any(not 0 < t <= 1 for t in thresholds):
        raise DataError(f"Thresholds must lie in (0, 1], got {thresholds}.")
    if unit is not None and unit not in UNITS:
        raise DataError(f"unit must be one of {', '.join(UNITS)} (or None: each article's own), got {unit!r}.")
    all_preds = _collect(articles, predictions)
    units_used: Counter = Counter()
    all_t = sorted(set(thresholds) | {float(speaker_threshold)})

    tp = Counter()  # threshold -> tp
    tp_kind: dict[float, Counter] = {t: Counter() for t in thresholds}
    gold_by_kind: Counter = Counter()
    pred_by_kind: Counter = Counter()
    mention = [0, 0]
    speaker = [0, 0]
    kind_acc = [0, 0]
    violations: list[dict[str, Any]] = []
    n_violations = 0
    rows: list[dict[str, Any]] = []
    n_gold = n_pred = 0

    for art, preds in zip(articles, all_preds):
        text = art.text
        art_unit = unit or art.unit
        units_used[art_unit] += 1
        if art_unit == "attribution":
            preds = attribution_units(preds)
        pred_spans = [_content_spans(p) for p in preds]
        for spans in pred_spans:
            for c in spans:
                if not 0 <= c.start <= c.end <= len(text):
                    raise DataError(
                        f"Article {art.id!r}: predicted span {c.start}-{c.end} lies outside the text "
                        f"({len(text)} characters)."
                    )
        pred_sets = [_charset(text, spans) for spans in pred_spans]
        overlap = overlap_matrix(text, art.quotes, preds)
        n_gold += len(art.quotes)
        n_pred += len(pred_sets)
        gold_by_kind.update(g.kind for g in art.quotes)
        pred_by_kind.update(str(getattr(p.kind, "value", p.kind)) for p in preds)

        row: dict[str, Any] = {"id": art.id, "n_gold": len(art.quotes), "n_pred": len(pred_sets)}
        for t in all_t:
            pairs = _match(overlap, t)
            if t in tp_kind:
                tp[t] += len(pairs)
                tp_kind[t].update(art.quotes[j].kind for _, j in pairs)
                row[f"tp@{t:g}"] = len(pairs)
            if t == float(speaker_threshold):
                for i, j in pairs:
                    p, g = preds[i], art.quotes[j]
                    kind_acc[1] += 1
                    kind_acc[0] += str(getattr(p.kind, "value", p.kind)) == g.kind
                    if g.source:
                        mention[1] += 1
                        mention[0] += any(
                            m.start < s.end and s.start < m.end for m in _mention_spans(p) for s in g.source
                        )
                    if g.speaker:
                        speaker[1] += 1
                        speaker[0] += bool(p.speaker) and _norm_name(p.speaker) == _norm_name(g.speaker)
        if art.not_quotes:
            nq_sets = [_charset(text, [s]) for s in art.not_quotes]
            for spans, a in zip(pred_spans, pred_sets):
                if any(a & b for b in nq_sets):
                    n_violations += 1
                    if len(violations) < max_examples:
                        violations.append({"article": art.id, "text": " ".join(text[c.start : c.end] for c in spans)})
        rows.append(row)

    def acc(pair: list[int]) -> dict[str, Any]:
        return {"accuracy": _ratio(pair[0], pair[1]), "correct": int(pair[0]), "total": int(pair[1])}

    out: dict[str, Any] = {
        "n_articles": len(articles),
        "n_gold": n_gold,
        "n_pred": n_pred,
        "thresholds": thresholds,
        "by_threshold": {f"{t:g}": _prf(tp[t], n_pred, n_gold) for t in thresholds},
        "recall_by_kind": {
            f"{t:g}": {
                k: {"recall": _ratio(tp_kind[t][k], gold_by_kind[k]), "tp": tp_kind[t][k], "n_gold": gold_by_kind[k]}
                for k in KINDS
                if gold_by_kind[k]
            }
            for t in thresholds
        },
        "gold_by_kind": {k: gold_by_kind[k] for k in KINDS if gold_by_kind[k]},
        "pred_by_kind": dict(sorted(pred_by_kind.items())),
        "speaker_threshold": float(speaker_threshold),
        "speaker_mention_accuracy": acc(mention),
        "speaker_accuracy": acc(speaker),
        "kind_accuracy": acc(kind_acc),
        "not_quote_violations": {"count": n_violations, "examples": violations},
        "unit": dict(sorted(units_used.items())),
    }
    if per_article:
        out["per_article"] = rows
    return out


def evaluate_quotes(
    extract: Callable[[str], Sequence["Quote"]],
    articles: Sequence[AnnotatedArticle],
    thresholds: Sequence[float] = (0.3, 0.8),
    **kwargs: Any,
) -> dict[str, Any]:
    """Run ``extract`` on every article, time it, and score it with :func:`score_quotes`.

    Adds ``seconds`` (extraction time only), ``n_words`` (whitespace tokens) and ``words_per_s``.
    Extra keyword arguments go to :func:`score_quotes`.

    >>> from stanceclf.extract import QuoteExtractor  # doctest: +SKIP
    >>> s = evaluate_quotes(QuoteExtractor("rules").extract, read_polnear(split="dev"))  # doctest: +SKIP
    >>> print(format_quote_scores(s))  # doctest: +SKIP
    """
    articles = list(articles)
    preds = []
    t0 = time.perf_counter()
    for art in articles:
        preds.append(list(extract(art.text)))
    seconds = time.perf_counter() - t0
    out = score_quotes(articles, preds, thresholds, **kwargs)
    n_words = sum(a.n_words for a in articles)
    out["seconds"] = round(seconds, 4)
    out["n_words"] = n_words
    out["words_per_s"] = round(n_words / seconds, 1) if seconds > 0 else None
    return out


def format_quote_scores(scores: Mapping[str, Any]) -> str:
    """Render :func:`score_quotes` / :func:`evaluate_quotes` output as a plain-text table.

    >>> art = AnnotatedArticle("a", "x said we win", [GoldQuote((Span(7, 13, "we win"),))])
    >>> print(format_quote_scores(score_quotes([art], [[]])).splitlines()[0])
    1 articles, 1 gold quotes, 0 predicted (unit: segment)
    """

    def f(v: Any) -> str:
        return "  n/a" if v is None else f"{v:5.3f}"

    lines = [f"{scores['n_articles']} articles, {scores['n_gold']} gold quotes, {scores['n_pred']} predicted"]
    if scores.get("unit"):
        lines[0] += " (unit: " + ", ".join(scores["unit"]) + ")"
    if "seconds" in scores:
        wps = scores.get("words_per_s")
        lines[0] += f", {scores['seconds']:.2f}s ({wps if wps is not None else 'n/a'} words/s)"
    kinds = [k for k in KINDS if k in scores.get("gold_by_kind", {})]
    head = f"{'overlap>=':>9}  {'P':>5}  {'R':>5}  {'F1':>5}  {'TP':>5}" + "".join(f"  {'R ' + k[:4]:>7}" for k in kinds)
    lines += [head, "-" * len(head)]
    for key, m in scores["by_threshold"].items():
        by_kind = scores["recall_by_kind"].get(key, {})
        cells = "".join(f"  {f(by_kind.get(k, {}).get('recall')):>7}" for k in kinds)
        lines.append(f"{key:>9}  {f(m['precision'])}  {f(m['recall'])}  {f(m['f1'])}  {m['tp']:>5}{cells}")
    gk = ", ".join(f"{k} {v}" for k, v in scores.get("gold_by_kind", {}).items())
    pk = ", ".join(f"{k} {v}" for k, v in scores.get("pred_by_kind", {}).items())
    lines.append(f"gold kinds: {gk or '-'}; predicted kinds: {pk or '-'}")
    st = scores.get("speaker_threshold", 0.3)
    for name in ("speaker_mention_accuracy", "speaker_accuracy", "kind_accuracy"):
        m = scores[name]
        lines.append(f"{name} (matched@{st:g}): {f(m['accuracy']).strip()} ({m['correct']}/{m['total']})")
    v = scores["not_quote_violations"]
    lines.append(f"not-quote violations: {v['count']}" + (f" (e.g. {v['examples'][0]['text']!r})" if v["examples"] else ""))
    return "\n".join(lines)


def polnear_agreement(data_dir: str | os.PathLike[str] | None = None, splits: Sequence[str] = ("train", "dev"),
                      **kwargs: Any) -> dict[str, Any]:
    """Human agreement on PolNeAR: the second annotator scored against the first with :func:`score_quotes`.

    PolNeAR has a few articles annotated by several annotators (16 in train, 2 in dev). On those,
    the lexicographically second ``.ann`` file is scored as predictions against the first (the
    one :func:`read_polnear` uses as gold), so the result is the ceiling a model can be expected
    to reach with this scorer. Keyword arguments go to :func:`score_quotes`; the result adds
    ``articles`` (their ids).
    """
    from ..data.polnear import read_double_annotated

    pairs = [pair for split in splits for pair in read_double_annotated(data_dir, split)]
    if not pairs:
        raise DataError(f"No PolNeAR article with two annotations in splits {list(splits)}.")
    out = score_quotes([_annotated(first) for first, _ in pairs], [_gold_quotes(second) for _, second in pairs],
                       **kwargs)
    out["articles"] = [first.id for first, _ in pairs]
    return out
