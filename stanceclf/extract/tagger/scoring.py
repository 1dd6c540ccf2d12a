"""Scores of the tagger on gold documents: token F1, span F1 and attribution agreement."""

from __future__ import annotations

from typing import Any, Sequence

from ...metrics import harmonic_f1, precision_recall_f1
from .bio import _TYPE_OF_ID, IGNORE_INDEX, SPAN_TYPES
from .documents import AnnotatedText, TaggedAttribution


def token_f1(gold: Sequence[Sequence[int]], pred: Sequence[Sequence[int]]) -> dict[str, Any]:
    """Token-level precision / recall / F1 per span type (B and I count alike, O excluded) and the
    macro F1 over the three types."""
    tp = dict.fromkeys(SPAN_TYPES, 0)
    fp = dict.fromkeys(SPAN_TYPES, 0)
    fn = dict.fromkeys(SPAN_TYPES, 0)
    for g_seq, p_seq in zip(gold, pred):
        for g, p in zip(g_seq, p_seq):
            if g == IGNORE_INDEX:
                continue
            gt, pt = _TYPE_OF_ID[g], _TYPE_OF_ID[p]
            if gt is not None and gt == pt:
                tp[gt] += 1
            else:
                if pt is not None:
                    fp[pt] += 1
                if gt is not None:
                    fn[gt] += 1
    out: dict[str, Any] = {}
    for t in SPAN_TYPES:
        p, r, f = precision_recall_f1(tp[t], tp[t] + fp[t], tp[t] + fn[t])
        out[t] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp[t] + fn[t]}
    out["macro_f1"] = round(sum(out[t]["f1"] for t in SPAN_TYPES) / len(SPAN_TYPES), 4)
    return out


def span_f1(gold: Sequence[Sequence[tuple[int, int, str]]], pred: Sequence[Sequence[tuple[int, int, str]]]) -> dict[str, Any]:
    """Span-level exact-match and overlap precision / recall / F1 per type."""
    out: dict[str, Any] = {}
    for t in SPAN_TYPES:
        n_g = n_p = exact = p_hit = g_hit = 0
        for g_doc, p_doc in zip(gold, pred):
            g = [(s, e) for s, e, ty in g_doc if ty == t]
            p = [(s, e) for s, e, ty in p_doc if ty == t]
            n_g, n_p = n_g + len(g), n_p + len(p)
            exact += len(set(g) & set(p))
            p_hit += sum(any(s < ge and gs < e for gs, ge in g) for s, e in p)
            g_hit += sum(any(s < pe and ps < e for ps, pe in p) for s, e in g)

        exact_f1 = precision_recall_f1(exact, n_p, n_g)[2]
        po, ro = (p_hit / n_p if n_p else 0.0), (g_hit / n_g if n_g else 0.0)  # overlap hits counted per side
        out[t] = {"exact_f1": round(exact_f1, 4), "overlap_f1": round(harmonic_f1(po, ro), 4),
                  "overlap_precision": round(po, 4),
                  "overlap_recall": round(ro, 4), "gold": n_g, "predicted": n_p}
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evaluate_attributions(docs: Sequence[AnnotatedText], predictions: Sequence[Sequence[TaggedAttribution]]) -> dict[str, Any]:
    """Attribution-level agreement with the gold relations.

    For each gold attribution, the predicted attribution whose content overlaps its content most is
    its match (``content_recall``: share of gold attributions with a match). Among matches,
    ``cue_accuracy`` / ``source_accuracy`` are the shares whose predicted cue / source overlaps the
    gold one (only counting gold attributions that have one); ``content_iou`` is the mean character IoU.
    """
    n_gold = found = cue_n = cue_ok = src_n = src_ok = src_missing_ok = no_src_n = 0
    iou_sum = 0.0
    n_pred = pred_hit = 0
    for doc, preds in zip(docs, predictions):
        gold_content = [seg for a in doc.attributions for seg in a.content]
        n_pred += len(preds)
        pred_hit += sum(any(_overlap((p.content.start, p.content.end), g) for g in gold_content) for p in preds)
        for a in doc.attributions:
            n_gold += 1
            best, best_ov = None, 0
            for p in preds:
                ov = sum(_overlap((p.content.start, p.content.end), g) for g in a.content)
                if ov > best_ov:
                    best, best_ov = p, ov
            if best is None:
                continue
            found += 1
            g_len = sum(e - s for s, e in a.content)
            iou_sum += best_ov / (g_len + (best.content.end - best.content.start) - best_ov)
            if a.cue:
                cue_n += 1
                cue_ok += bool(best.cue and any(_overlap((best.cue.start, best.cue.end), g) for g in a.cue))
            if a.source:
                src_n += 1
                src_ok += bool(best.source and any(_overlap((best.source.start, best.source.end), g) for g in a.source))
            else:
                no_src_n += 1
                src_missing_ok += best.source is None
    return {
        "gold_attributions": n_gold,
        "predicted_attributions": n_pred,
        "content_recall": round(found / n_gold, 4) if n_gold else 0.0,
        "content_precision": round(pred_hit / n_pred, 4) if n_pred else 0.0,
        "content_iou": round(iou_sum / found, 4) if found else 0.0,
        "cue_accuracy": round(cue_ok / cue_n, 4) if cue_n else 0.0,
        "source_accuracy": round(src_ok / src_n, 4) if src_n else 0.0,
        "no_source_correctly_empty": round(src_missing_ok / no_src_n, 4) if no_src_n else 0.0,
    }

