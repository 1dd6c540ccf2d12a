"""Grouping tagged SOURCE / CUE / CONTENT spans into attributions (content + cue + source)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence

from ...types import Span
from .documents import TaggedAttribution, TaggedSpan

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

