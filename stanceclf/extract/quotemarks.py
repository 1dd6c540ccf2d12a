"""Find quoted segments by their quotation marks, robustly and without a parser.

Handles straight and curly double quotes, typewriter double quotes (``''``, as in the New York
Times archive), guillemets (both directions), low-9 and reversed-9 quotes, nested single quotes, apostrophes (which are never quote marks here), quotes split by an attribution,
multi-paragraph quotes whose paragraphs re-open without closing, and unbalanced marks: an opening
mark that is never closed ends at its paragraph's end, or just before the next opening double mark
of its paragraph (lower confidence), instead of swallowing the rest of the document or the next
quote. Segments never overlap, so no text is in two of them. It never raises on odd input.

>>> [text[s.start:s.end] for text in ['He said: "We will win." Then left.'] for s in find_quoted_segments(text)]
['We will win.']
>>> "".join("x" if inside else "." for inside in quoted_mask("a ''bc'' d"))
'....xx....'

This is the project's one quotation-mark scanner: the rule extractor finds quotes with it and the
quote evaluation derives gold quote kinds with it (:func:`quoted_mask`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["QuotedSegment", "find_quoted_segments", "quoted_mask", "QUOTE_CHARS"]

# opening mark -> closing marks that may end it
_PAIRS: dict[str, str] = {
    "\u201c": "\u201d\u201c\"",  # “ ... ” (some outlets close with “ or ")
    "\u201e": "\u201c\u201d\"",  # „ ... “ (German style) or ”
    "\u00ab": "\u00bb",  # « ... »
    "\u00bb": "\u00ab",  # » ... « (reversed guillemets)
    "\u201f": "\u201d\"",  # ‟ ... ”
    '"': '"\u201d',
    "\u201d": "\u201d\"",  # ”Opening with a closing mark (seen in wire copy): only in an opening position
}
#: marks that may close or open: they close only in a closing position (after a non-space)
_AMBIGUOUS = '"\u201c'
#: double marks that, in an opening position, start a new quote (so an unclosed double quote ends there)
_NEW_OPENERS = '"\u201c\u201e\u201f'
#: Double quotation marks (straight, curly, low-9, reversed-9, guillemets); ``''`` counts as ``"``.
#: Single quotes are not marks: they are mostly apostrophes.
QUOTE_CHARS = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb')
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t]*[\"\u201c\u00ab\u201e])|\n")


@dataclass(frozen=True)
class QuotedSegment:
    """Content offsets (inside the marks) of one quoted segment.

    ``open_mark`` / ``close_mark`` are where the marks start (``close_end`` where the closing mark
    ends: marks may be two characters wide, ``''``); ``closed`` is False when the segment ran to its
    paragraph's end without a closing mark; ``continues`` is True when the next paragraph re-opens the same quote (journalistic
    multi-paragraph convention).
    """

    start: int
    end: int
    open_mark: int
    close_mark: int | None
    closed: bool
    continues: bool = False
    close_end: int | None = None


def _mark(text: str, i: int) -> tuple[str, int]:
    """The character at ``i`` read as a quotation mark, and its width: ``''`` is a straight ``"``."""
    if text.startswith("''", i):
        return '"', 2
    return text[i], 1


def _is_straight_opener(text: str, i: int, width: int = 1) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    if after.isspace() or after in ",.;:!?)":
        return False
    return before.isspace() or before in "([{-\u2014\u2013/:" or i == 0


def _is_straight_closer(text: str, i: int, width: int = 1) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    if before.isspace():
        return False
    return after.isspace() or after in ",.;:!?)]}-\u2014\u2013'\u2019" or i + width == len(text)


def _paragraph_end(text: str, i: int) -> int:
    """Index of the newline that ends the paragraph containing ``i`` (or len(text))."""
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def find_quoted_segments(text: str) -> list[QuotedSegment]:
    """Return the quoted segments of ``text`` in order (never raises, offsets always valid)."""
    if not isinstance(text, str) or not text:
        return []
    segments: list[QuotedSegment] = []
    i, n = 0, len(text)
    while i < n:
        ch, width = _mark(text, i)
        if ch == '"':
            is_opener = _is_straight_opener(text, i, width)
        elif ch == "\u201d":
            is_opener = _is_straight_opener(text, i) and not _is_straight_closer(text, i)
        else:
            is_opener = ch in _PAIRS
        if not is_opener:
            i += 1
            continue
        closers = _PAIRS[ch]
        para_end = _paragraph_end(text, i)
        close = close_width = None
        stop = para_end  # where an unclosed quote ends
        j = i + width
        while j < para_end:
            c, c_width = _mark(text, j)
            if (c in closers and (c not in _AMBIGUOUS or _is_straight_closer(text, j, c_width))
                    and j > i + width):
                close, close_width = j, c_width
                break
            if (ch in _NEW_OPENERS and c in _NEW_OPENERS and _is_straight_opener(text, j, c_width)
                    and not _is_straight_closer(text, j, c_width)):
                stop = j  # a new double-quote opener before any closer: this quote was left open
                break
            j += c_width
        if close is not None and close_width is not None:
            start, end = _strip(text, i + width, close)
            if end > start:
                segments.append(QuotedSegment(start, end, i, close, closed=True, close_end=close + close_width))
            i = close + close_width
            continue
        # unclosed: run to the paragraph end (or the next opener); does the next paragraph re-open it?
        start, end = _strip(text, i + width, stop)
        continues = False
        if stop == para_end:
            nxt = para_end
            while nxt < n and text[nxt].isspace():
                nxt += 1
            continues = nxt < n and _mark(text, nxt)[0] in _PAIRS
        if end > start and (continues or end - start < 600):
            segments.append(QuotedSegment(start, end, i, None, closed=False, continues=continues))
        i = stop if end > start else i + 1
    return segments


def quoted_mask(text: str) -> list[bool]:
    """For each character of ``text``, whether it lies inside a quoted segment (the marks are not).

    >>> "".join("x" if inside else "." for inside in quoted_mask('a "bc" d'))
    '...xx...'
    """
    mask = [False] * len(text)
    for segment in find_quoted_segments(text):
        mask[segment.start:segment.end] = [True] * (segment.end - segment.start)
    return mask


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
