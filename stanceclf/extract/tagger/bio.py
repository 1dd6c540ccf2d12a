"""BIO labels of the quote tagger: encoding gold spans on word pieces, decoding predictions, windows.

>>> LABELS[:3]
('O', 'B-SOURCE', 'I-SOURCE')
>>> bio_decode([1, 2, 0, 5, 6], [(0, 3), (4, 9), (10, 14), (15, 17), (18, 22)])
[(0, 9, 'SOURCE'), (15, 22, 'CONTENT')]
"""

from __future__ import annotations

import bisect
from typing import Iterable, Sequence

import numpy as np

from ...errors import ModelError

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
# when gold spans overlap (rare in PolNeAR), the later type in this order wins the token
_PAINT_ORDER = {"CONTENT": 0, "CUE": 1, "SOURCE": 2}


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

