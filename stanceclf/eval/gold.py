"""Gold quotes for quote-extraction evaluation: the types, the kind rule and the gold readers.

A gold quote (:class:`GoldQuote`) is one quoted claim with its content (possibly several segments),
cue, source and kind; an :class:`AnnotatedArticle` holds an article's gold quotes. Two readers:
PolNeAR (:func:`read_polnear`, one quote per attribution relation, through
:mod:`stanceclf.data.polnear`) and our example JSON (:func:`read_example_articles`). PolNeAR has no
quote kinds, so they are derived from the quotation marks (:func:`derive_kind`).

>>> text = 'He said "we lost" and "We will win this time."'
>>> derive_kind(text, [Span(9, 16, "we lost")]), derive_kind(text, [Span(23, 45, "")])
('partial', 'direct')

This module imports only the standard library and the project's dependency-free modules.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..errors import DataError
from ..extract.quotemarks import QUOTE_CHARS, quoted_mask
from ..types import Span

if TYPE_CHECKING:  # pragma: no cover
    from ..data.polnear import PolnearArticle

__all__ = ["GoldQuote", "AnnotatedArticle", "KINDS", "UNITS", "QUOTED_SHARE", "DIRECT_MIN_WORDS", "derive_kind",
           "quoted_mask", "parse_brat", "read_polnear", "read_example_articles"]

#: Characters a content's quoted share leaves out besides whitespace: the quotation marks (and ``'``,
#: half of a typewriter ``''``).
_MARK_CHARS = QUOTE_CHARS | {"'"}
KINDS: tuple[str, ...] = ("direct", "partial", "indirect")
#: Units of gold annotation: one quoted segment, or one attribution relation (several segments).
UNITS: tuple[str, ...] = ("segment", "attribution")

#: Share of a content's characters that must lie inside quotation marks to call it "quoted".
QUOTED_SHARE = 0.9
#: A fully quoted segment starting with a capital and at least this many words is a direct quote.
DIRECT_MIN_WORDS = 4

_SENTENCE_BREAK = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+[\"'\u201c\u2018(\[]*[A-Z0-9]")


# --------------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldQuote:
    """One gold quote: content (possibly discontinuous), cue and source spans, kind and speaker.

    ``speaker`` is the canonical speaker in our example files and the source's surface text
    ("a senior official") for PolNeAR; ``stance`` holds ``(target, label)`` pairs when annotated,
    ``ambiguous`` the targets left out of stance scoring, and ``aimed`` the targets the quote is
    aimed at (``None``: the targets listed in ``stance``, as in our example files, which list only
    the addressed targets).

    >>> q = GoldQuote(content=(Span(0, 5, "Hello"),), kind="direct", speaker="Ann")
    >>> q.text
    'Hello'
    """

    content: tuple[Span, ...]
    cue: tuple[Span, ...] = ()
    source: tuple[Span, ...] = ()
    kind: str = "indirect"
    speaker: str | None = None
    id: str | None = None
    stance: tuple[tuple[str, str], ...] = ()
    ambiguous: tuple[str, ...] = ()
    aimed: tuple[str, ...] | None = None

    @property
    def aimed_targets(self) -> frozenset[str]:
        """The targets this quote is aimed at (see the class docstring)."""
        return frozenset(self.aimed if self.aimed is not None else (t for t, _ in self.stance))

    def __post_init__(self) -> None:
        if not self.content:
            raise DataError("GoldQuote.content needs at least one span.")
        if self.kind not in KINDS:
            raise DataError(f"GoldQuote.kind must be one of {', '.join(KINDS)}, got {self.kind!r}.")

    @property
    def start(self) -> int:
        return min(s.start for s in self.content)

    @property
    def end(self) -> int:
        return max(s.end for s in self.content)

    @property
    def text(self) -> str:
        """The content segments joined by a space."""
        return " ".join(s.text for s in self.content)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "content": [s.to_dict() for s in self.content],
            "cue": [s.to_dict() for s in self.cue],
            "source": [s.to_dict() for s in self.source],
            "speaker": self.speaker,
            "stance": dict(self.stance),
            "ambiguous": list(self.ambiguous),
        }


@dataclass
class AnnotatedArticle:
    """An article with its gold quotes and the quoted strings that are not speech (``not_quotes``).

    ``origin`` says where it was read from (an annotation file), ``targets`` maps stance targets to
    their aliases when the file has them. ``unit`` is what one gold quote stands for: a quoted
    ``segment`` (our example files) or an ``attribution`` relation whose content may be several
    segments (PolNeAR).
    """

    id: str
    text: str
    quotes: list[GoldQuote] = field(default_factory=list)
    not_quotes: list[Span] = field(default_factory=list)
    targets: dict[str, list[str]] = field(default_factory=dict)
    origin: str = ""
    unit: str = "segment"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise DataError(f"AnnotatedArticle.unit must be one of {', '.join(UNITS)}, got {self.unit!r}.")

    @property
    def n_words(self) -> int:
        """Whitespace tokens in the text."""
        return len(self.text.split())


# --------------------------------------------------------------------------------------------------
# Kind derivation
# --------------------------------------------------------------------------------------------------


def significant_positions(text: str, start: int, end: int) -> Iterable[int]:
    """Positions of ``text[start:end]`` that count in a quote: not whitespace, not a quotation mark or ``'``."""
    return (i for i in range(max(start, 0), min(end, len(text))) if not text[i].isspace() and text[i] not in _MARK_CHARS)


def _sentence_like(text: str, spans: Sequence[Span]) -> bool:
    """Direct-vs-partial rule for a fully quoted content (see :func:`derive_kind`)."""
    body = " ".join(text[s.start : s.end] for s in spans).strip()
    body = body.strip("".join(_MARK_CHARS) + " \t\n")
    if not body:
        return False
    if _SENTENCE_BREAK.search(body):  # two or more sentences
        return True
    first = next((c for c in body if c.isalnum()), "")
    if not (first.isupper() or first.isdigit()):
        return False
    if len(body.split()) >= DIRECT_MIN_WORDS:
        return True
    # short capitalised quote: direct when it opens a sentence ('\n"No," she said.'; 'said: "No."')
    i = spans[0].start - 1
    while i >= 0 and (text[i].isspace() and text[i] != "\n" or text[i] in _MARK_CHARS):
        i -= 1
    return i < 0 or text[i] in "\n.!?:"


def derive_kind(text: str, spans: Sequence[Span], mask: Sequence[bool] | None = None) -> str:
    """Classify a content (possibly discontinuous ``spans`` of ``text``) as direct/partial/indirect.

    Rule (used for PolNeAR, which has no kinds): let *q* be the share of the content's characters
    (whitespace and quotation marks excluded) that lie inside double quotation marks
    (:func:`quoted_mask`). *q* = 0 → ``indirect``; 0 < *q* < 0.9 → ``partial`` (reported speech
    with a quoted fragment); *q* >= 0.9 → ``direct`` if the quoted text is sentence-like, else
    ``partial``. Sentence-like: it contains a sentence break (". The"), or it starts with a capital
    letter/digit and has >= 4 words, or it starts with a capital and opens a sentence (preceded by a
    line start or ``. ! ? :``). ``mask`` may be passed to avoid recomputing it per quote.

    >>> t = 'He said "we lost" and "We will win this time." Then she said he was wrong.'
    >>> derive_kind(t, [Span(9, 16, "we lost")]), derive_kind(t, [Span(23, 45, "")])
    ('partial', 'direct')
    >>> derive_kind(t, [Span(57, 72, "")])
    'indirect'
    """
    mask = quoted_mask(text) if mask is None else mask
    positions = {i for s in spans for i in significant_positions(text, s.start, s.end)}
    if not positions:
        return "indirect"
    share = sum(1 for i in positions if mask[i]) / len(positions)
    if share == 0:
        return "indirect"
    if share < QUOTED_SHARE:
        return "partial"
    return "direct" if _sentence_like(text, spans) else "partial"


# --------------------------------------------------------------------------------------------------
# PolNeAR (brat standoff)
# --------------------------------------------------------------------------------------------------


def _gold_quotes(article: "PolnearArticle") -> list[GoldQuote]:
    mask = quoted_mask(article.text)
    return [GoldQuote(content=a.content, cue=a.cue, source=a.source, kind=derive_kind(article.text, a.content, mask),
                      speaker=a.speaker, id=a.id) for a in article.attributions]


def _annotated(article: "PolnearArticle") -> AnnotatedArticle:
    return AnnotatedArticle(article.id, article.text, _gold_quotes(article), [], {}, article.origin, unit="attribution")


def parse_brat(ann: str, text: str, where: str = "<ann>") -> list[GoldQuote]:
    """Gold quotes of PolNeAR brat standoff ``ann`` (the .ann file content) over article ``text``.

    One quote per attribution relation read by :func:`stanceclf.data.polnear.parse_ann` (the rules
    are there); the kind is derived with :func:`derive_kind`, the speaker is the source's surface
    text and the id the E line's id.

    >>> text = 'Ann said "we won."'
    >>> ann = "T1\\tSource 0 3\\tAnn\\nT2\\tCue 4 8\\tsaid\\nT3\\tContent 9 18\\t\\"we won.\\"\\n"
    >>> ann += "E1\\tAttribution:T2 Content:T3 Cue:T2 Source:T1\\n"
    >>> [(q.kind, q.speaker, q.text) for q in parse_brat(ann, text)]
    [('partial', 'Ann', '"we won."')]
    """
    from ..data.polnear import PolnearArticle, parse_ann

    return _gold_quotes(PolnearArticle("", text, tuple(parse_ann(ann, text, where)), where))


def read_polnear(data_dir: str | os.PathLike[str] | None = None, split: str = "dev") -> list[AnnotatedArticle]:
    """Read one PolNeAR split as :class:`AnnotatedArticle` objects (sorted by article id).

    ``data_dir`` is the data root holding ``polnear/`` or the polnear folder itself (default:
    ``$STANCECLF_DATA``). One gold quote per attribution relation (``unit="attribution"``), read by
    :func:`stanceclf.data.polnear.read_polnear` (the same gold the quote tagger is trained on).
    PolNeAR has no "not a quote" annotations (``not_quotes`` is empty).

    >>> arts = read_polnear("/data", "dev")  # doctest: +SKIP
    >>> len(arts)  # doctest: +SKIP
    84
    """
    from ..data import polnear

    return [_annotated(a) for a in polnear.read_polnear(data_dir, split)]


# --------------------------------------------------------------------------------------------------
# Our example JSON format
# --------------------------------------------------------------------------------------------------


def _json_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"{where} must be an integer offset, got {value!r}.")
    return value


def _example_article(obj: Any, where: str) -> AnnotatedArticle:
    if not isinstance(obj, Mapping):
        raise DataError(f"{where}: expected a JSON object with id, text and quotes.")
    missing = [k for k in ("id", "text", "quotes") if k not in obj]
    if missing:
        raise DataError(f"{where}: missing key(s) {', '.join(missing)} (need id, text, quotes).")
    art_id, text = str(obj["id"]), obj["text"]
    if not isinstance(text, str):
        raise DataError(f"{where}: 'text' must be a string.")
    quotes = []
    for i, q in enumerate(obj["quotes"]):
        qw = f"{where}: quotes[{i}]"
        if not isinstance(q, Mapping):
            raise DataError(f"{qw} must be an object.")
        start, end = _json_int(q.get("start"), f"{qw}.start"), _json_int(q.get("end"), f"{qw}.end")
        if not 0 <= start <= end <= len(text):
            raise DataError(f"{qw}: offsets {start}-{end} lie outside the text ({len(text)} characters).")
        if "text" in q and q["text"] != text[start:end]:
            raise DataError(f"{qw}: text {q['text']!r} does not match text[{start}:{end}] = {text[start:end]!r}.")
        kind = str(q.get("kind", "")).lower()
        if kind not in KINDS:
            raise DataError(f"{qw}: kind must be one of {', '.join(KINDS)}, got {q.get('kind')!r}.")
        stance = q.get("stance") or {}
        quotes.append(
            GoldQuote(
                content=(Span(start, end, text[start:end]),),
                kind=kind,
                speaker=q.get("speaker") or None,
                id=str(q.get("id", f"{art_id}-q{i + 1}")),
                stance=tuple((str(k), str(v)) for k, v in stance.items()),
                ambiguous=tuple(str(t) for t in q.get("ambiguous") or ()),
            )
        )
    not_quotes: list[Span] = []
    for i, nq in enumerate(obj.get("not_quotes") or []):
        nw = f"{where}: not_quotes[{i}]"
        if isinstance(nq, str):
            nq = {"text": nq}
        if not isinstance(nq, Mapping):
            raise DataError(f"{nw} must be a string or an object with text or start/end.")
        if "start" in nq and "end" in nq:
            s, e = _json_int(nq["start"], f"{nw}.start"), _json_int(nq["end"], f"{nw}.end")
            if not 0 <= s <= e <= len(text):
                raise DataError(f"{nw}: offsets {s}-{e} lie outside the text.")
            not_quotes.append(Span(s, e, text[s:e]))
            continue
        needle = str(nq.get("text", ""))
        found = [m.start() for m in re.finditer(re.escape(needle), text)] if needle else []
        if not found:
            raise DataError(f"{nw}: text {needle!r} does not occur in the article (give start/end instead).")
        not_quotes.extend(Span(s, s + len(needle), needle) for s in found)
    targets = {str(k): [str(a) for a in v] for k, v in (obj.get("targets") or {}).items()}
    return AnnotatedArticle(art_id, text, quotes, not_quotes, targets, where)


def read_example_articles(path_or_dir: str | os.PathLike[str]) -> list[AnnotatedArticle]:
    """Read our annotated example format: a .json file (one article object or a list of them) or a
    folder of ``*.json`` files (sorted by name).

    Each article has ``id``, ``text``, ``quotes`` (``start``/``end`` of the content inside the
    quotation marks, ``kind``, ``speaker``, optional ``text`` checked against the offsets,
    ``stance``) and optional ``not_quotes`` (strings, located by searching the text, or
    ``start``/``end`` objects) and ``targets``.

    >>> arts = read_example_articles("/data/examples/harbor.json")  # doctest: +SKIP
    >>> [q.kind for q in arts[0].quotes][:2]  # doctest: +SKIP
    ['partial', 'direct']
    """
    path = Path(path_or_dir).expanduser()
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise DataError(f"No *.json example files in {path}.")
    elif path.is_file():
        files = [path]
    else:
        raise DataError(f"Example file or folder not found: {path}.")
    articles = []
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{f}: invalid JSON ({exc}).") from None
        items = data if isinstance(data, list) else [data]
        for j, obj in enumerate(items):
            articles.append(_example_article(obj, f"{f}" if len(items) == 1 else f"{f}[{j}]"))
    return articles
