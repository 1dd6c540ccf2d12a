"""Scoring end-to-end analyses against annotated articles: quotes, speakers, target linking, stance.

For every gold quote with stance annotations, each (target, label) pair that is not marked
``ambiguous`` is scored: the predicted label is the matched quote's stance toward that target (NONE
when the quote does not address it); a gold quote that no predicted quote matches (content overlap
>= ``threshold``) counts as wrong. ``stance_aimed`` repeats the scores over the pairs whose quote is
aimed at the target (for our example files, the same pairs; for polnear-stance, which also lists the
targets a quote is not about, the informative subset).

Linking is scored on its own: over every matched or missed gold quote and every target of its
article (ambiguous ones left out), a link is the predicted quote having that target with a ``via``
other than ``none``; recall = gold aimed pairs linked / gold aimed pairs (a missed quote links
nothing), precision = linked pairs that are gold aimed / linked pairs of matched quotes. Stance CIs
resample whole articles (pairs of one article are not independent).
Quote finding and speakers are scored as in :func:`stanceclf.eval.quotes.score_quotes`.

>>> from stanceclf.eval.analysis import score_analyses   # doctest: +SKIP
>>> score_analyses(articles, [analyzer.analyze(a.text, a.targets) for a in articles])["stance"]["accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from typing import Any, Sequence

from ..errors import DataError
from ..types import STANCE_LABELS, Span
from ..metrics import accuracy, bootstrap_ci, confusion, macro_f1, per_class
from .quotes import AnnotatedArticle, GoldQuote, match_quotes, score_quotes

__all__ = ["score_analyses", "stance_scores", "polnear_stance_articles", "error_cause"]


def stance_scores(gold: Sequence[str], predicted: Sequence[str], *, groups: Sequence[str] | None = None,
                  n_resamples: int = 1000) -> dict[str, Any]:
    """Accuracy and macro-F1 (FAVOR/AGAINST/NONE) with 95% bootstrap CIs, per-class scores, confusion.

    ``groups`` (e.g. article ids) makes the bootstrap resample whole groups: pairs of one article are
    not independent, so this gives honest (wider) intervals."""
    if not gold:
        return {"pairs": 0, "correct": 0, "accuracy": None, "macro_f1": None}
    labels = list(STANCE_LABELS)
    correct = sum(g == p for g, p in zip(gold, predicted))
    out: dict[str, Any] = {
        "pairs": len(gold), "correct": correct, "accuracy": round(correct / len(gold), 4),
        "macro_f1": round(macro_f1(gold, predicted, labels=labels), 4),
        "gold_distribution": dict(Counter(gold)), "predicted_distribution": dict(Counter(predicted)),
        "per_class": per_class(gold, predicted, labels=labels),
        "confusion": confusion(gold, predicted, labels=labels),
    }
    if n_resamples:
        cluster = groups if groups is not None and len(set(groups)) > 1 else None
        out["accuracy_ci95"] = [round(x, 4) for x in bootstrap_ci(accuracy, gold, predicted, n_resamples=n_resamples,
                                                                   groups=cluster)]
        out["macro_f1_ci95"] = [round(x, 4) for x in bootstrap_ci(
            functools.partial(macro_f1, labels=labels), gold, predicted, n_resamples=n_resamples, groups=cluster)]
        out["ci_resampling"] = "articles" if cluster is not None else "pairs"
    return out


def score_analyses(articles: Sequence[AnnotatedArticle], analyses: Sequence[Any], threshold: float = 0.3, *,
                   n_resamples: int = 1000) -> dict[str, Any]:
    """Quote, speaker, linking and stance scores of ``analyses`` (one :class:`ArticleAnalysis` per article)."""
    if len(articles) != len(analyses):
        raise DataError(f"Got {len(analyses)} analyses for {len(articles)} articles; they must align.")
    quotes = score_quotes(articles, [[qa.quote for qa in a.quotes] for a in analyses], thresholds=(threshold, 0.8),
                          speaker_threshold=threshold)
    gold_labels: list[str] = []
    pred_labels: list[str] = []
    groups: list[str] = []
    aimed_gold: list[str] = []
    aimed_pred: list[str] = []
    aimed_groups: list[str] = []
    pairs: list[dict[str, Any]] = []
    skipped_ambiguous = 0
    link = Counter()
    via_counts: Counter[str] = Counter()
    for art, analysis in zip(articles, analyses):
        matches = {g: p for p, g in match_quotes(art.text, art.quotes, [qa.quote for qa in analysis.quotes], threshold)}
        for j, gold in enumerate(art.quotes):
            qa = analysis.quotes[matches[j]] if j in matches else None
            aimed = gold.aimed_targets
            if art.targets or gold.stance:
                for target in art.targets or dict(gold.stance):
                    if target in gold.ambiguous:
                        continue
                    found = qa.stance_toward(target) if qa is not None else None
                    linked = found is not None and found.via != "none"
                    is_aimed = target in aimed
                    link["gold"] += is_aimed
                    link["linked"] += linked
                    link["both"] += linked and is_aimed
                    if linked and is_aimed:
                        via_counts[found.via] += 1  # type: ignore[union-attr]
            for target, label in gold.stance:
                if target in gold.ambiguous:
                    skipped_ambiguous += 1
                    continue
                found = qa.stance_toward(target) if qa is not None else None
                predicted = found.label if found is not None else "NONE"
                gold_labels.append(label)
                pred_labels.append(predicted)
                groups.append(art.id)
                if target in aimed:
                    aimed_gold.append(label)
                    aimed_pred.append(predicted)
                    aimed_groups.append(art.id)
                pairs.append({"article": art.id, "quote": gold.id, "target": target, "gold": label,
                              "predicted": predicted, "quote_found": qa is not None, "aimed": target in aimed,
                              "gold_speaker": gold.speaker, "speaker": qa.speaker if qa is not None else None,
                              "via": found.via if found else None,
                              "probabilities": {k: round(v, 4) for k, v in found.probabilities.items()} if found else None})
    stance = stance_scores(gold_labels, pred_labels, groups=groups, n_resamples=n_resamples)
    stance["skipped_ambiguous"] = skipped_ambiguous
    linking = {
        "gold_aimed_pairs": link["gold"], "linked_pairs": link["linked"], "correct_links": link["both"],
        "recall": round(link["both"] / link["gold"], 4) if link["gold"] else None,
        "precision": round(link["both"] / link["linked"], 4) if link["linked"] else None,
        "correct_links_by_via": dict(via_counts.most_common()),
    }
    return {"threshold": threshold, "quotes": quotes, "linking": linking, "stance": stance,
            "stance_aimed": stance_scores(aimed_gold, aimed_pred, groups=aimed_groups, n_resamples=n_resamples),
            "pairs": pairs}


def error_cause(pair: dict[str, Any]) -> str:
    """Why a scored pair (from :func:`score_analyses`) is wrong, as one of: ``quote not found``,
    ``not linked``, ``wrong speaker``, ``linked, not aimed`` (the gold says the quote is not about the
    target), ``sided read as NONE``, ``NONE read as sided``, ``FAVOR/AGAINST swapped``; ``""`` when right."""
    from .quotes import _norm_name

    if pair["gold"] == pair["predicted"]:
        return ""
    if not pair["quote_found"]:
        return "quote not found"
    if pair["via"] is None:
        return "not linked"
    gold_speaker, speaker = _norm_name(pair.get("gold_speaker")), _norm_name(pair.get("speaker"))
    if gold_speaker and speaker and gold_speaker not in speaker and speaker not in gold_speaker \
            and gold_speaker.split()[-1] != speaker.split()[-1]:
        return "wrong speaker"  # surnames differ ("Donald J. Trump" and "Trump" are one speaker)
    if not pair["aimed"]:
        return "linked, not aimed"
    if pair["predicted"] == "NONE":
        return "sided read as NONE"
    if pair["gold"] == "NONE":
        return "NONE read as sided"
    return "FAVOR/AGAINST swapped"


def polnear_stance_articles(data_dir: str | os.PathLike[str] | None = None, split: str = "validation"
                            ) -> list[AnnotatedArticle]:
    """polnear-stance as annotated articles for :func:`score_analyses`: one gold quote per labelled
    attribution (content spans, the labeller's speaker), ``stance`` over every target of its article
    (NONE included), ``aimed`` as labelled; targets the speaker *is* (SELF) are ``ambiguous``."""
    from ..data.polnear_stance import RECORDS_DIR, SPLIT_FOLDERS, read_records, verify_record
    from ..data.loaders import resolve_data_dir
    from .gold import derive_kind, quoted_mask

    root = resolve_data_dir(data_dir)
    root = root / "polnear" if (root / "polnear").is_dir() else root
    if split not in SPLIT_FOLDERS:
        raise DataError(f"polnear-stance split must be one of {', '.join(SPLIT_FOLDERS)}, got {split!r}.")
    records = read_records(RECORDS_DIR / ("dev.jsonl" if split == "validation" else "train.jsonl"))
    by_article: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for rec in records:
        by_article.setdefault(rec["article"], {}).setdefault(rec["attribution"], []).append(rec)
    articles = []
    for article, attributions in sorted(by_article.items()):
        path = root / SPLIT_FOLDERS[split] / "text" / f"{article}.txt"
        if not path.is_file():
            raise DataError(f"{path} is missing: polnear-stance needs your PolNeAR copy (the polnear folder).")
        text = path.read_text(encoding="utf-8")
        mask = quoted_mask(text)
        targets: dict[str, list[str]] = {}
        quotes = []
        for att, recs in attributions.items():
            spans = tuple(Span(a, b, text[a:b]) for a, b in verify_record(recs[0], text))
            for r in recs[1:]:
                verify_record(r, text)
            for r in recs:
                targets.setdefault(r["target"], list(r.get("aliases") or []))
            quotes.append(GoldQuote(
                content=spans, kind=derive_kind(text, spans, mask), speaker=recs[0].get("speaker"), id=f"{article}/{att}",
                stance=tuple((r["target"], r["label"]) for r in recs if r["label"] != "SELF"),
                ambiguous=tuple(r["target"] for r in recs if r["label"] == "SELF"),
                aimed=tuple(r["target"] for r in recs if r.get("aimed") and r["label"] != "SELF")))
        articles.append(AnnotatedArticle(article, text, quotes, [], targets, str(path), unit="attribution"))
    return articles
