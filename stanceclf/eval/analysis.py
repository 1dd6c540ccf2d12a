"""Scoring end-to-end analyses against annotated articles (our example-article JSON format).

For every gold quote with stance annotations, each (target, label) pair that is not marked
``ambiguous`` is scored: the predicted label is the matched quote's stance toward that target (NONE
when the quote does not address it); a gold quote that no predicted quote matches (content overlap
>= ``threshold``) counts as wrong. Quote finding and speakers are scored as in
:func:`stanceclf.eval.quotes.score_quotes`.

>>> from stanceclf.eval.analysis import score_analyses   # doctest: +SKIP
>>> score_analyses(articles, [analyzer.analyze(a.text, a.targets) for a in articles])["stance"]["accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from ..errors import DataError
from ..types import STANCE_LABELS
from .metrics import confusion, macro_f1, per_class
from .quotes import AnnotatedArticle, match_quotes, score_quotes

__all__ = ["score_analyses"]


def score_analyses(articles: Sequence[AnnotatedArticle], analyses: Sequence[Any], threshold: float = 0.3) -> dict[str, Any]:
    """Quote, speaker and stance scores of ``analyses`` (one :class:`ArticleAnalysis` per article)."""
    if len(articles) != len(analyses):
        raise DataError(f"Got {len(analyses)} analyses for {len(articles)} articles; they must align.")
    quotes = score_quotes(articles, [[qa.quote for qa in a.quotes] for a in analyses], thresholds=(threshold, 0.8),
                          speaker_threshold=threshold)
    gold_labels: list[str] = []
    pred_labels: list[str] = []
    pairs: list[dict[str, Any]] = []
    skipped_ambiguous = 0
    for art, analysis in zip(articles, analyses):
        matches = {g: p for p, g in match_quotes(art.text, art.quotes, [qa.quote for qa in analysis.quotes], threshold)}
        for j, gold in enumerate(art.quotes):
            qa = analysis.quotes[matches[j]] if j in matches else None
            for target, label in gold.stance:
                if target in gold.ambiguous:
                    skipped_ambiguous += 1
                    continue
                found = qa.stance_toward(target) if qa is not None else None
                predicted = found.label if found is not None else "NONE"
                gold_labels.append(label)
                pred_labels.append(predicted)
                pairs.append({"article": art.id, "quote": gold.id, "target": target, "gold": label,
                              "predicted": predicted, "quote_found": qa is not None,
                              "via": found.via if found else None,
                              "probabilities": {k: round(v, 4) for k, v in found.probabilities.items()} if found else None})
    correct = sum(g == p for g, p in zip(gold_labels, pred_labels))
    stance: dict[str, Any] = {
        "pairs": len(gold_labels),
        "correct": correct,
        "accuracy": round(correct / len(gold_labels), 4) if gold_labels else None,
        "skipped_ambiguous": skipped_ambiguous,
        "gold_distribution": dict(Counter(gold_labels)),
        "predicted_distribution": dict(Counter(pred_labels)),
    }
    if gold_labels:
        labels = list(STANCE_LABELS)
        stance["macro_f1"] = round(macro_f1(gold_labels, pred_labels, labels=labels), 4)
        stance["per_class"] = per_class(gold_labels, pred_labels, labels=labels)
        stance["confusion"] = confusion(gold_labels, pred_labels, labels=labels)
    return {"threshold": threshold, "quotes": quotes, "stance": stance, "pairs": pairs}
