"""Quote-extraction evaluation: gold readers (PolNeAR brat, our example JSON) and a span scorer.

Gold quotes are :class:`GoldQuote` objects grouped per :class:`AnnotatedArticle`. Predictions are
:class:`stanceclf.types.Quote` objects, given as a dict ``{article id: [Quote, ...]}``, a list
aligned with the articles, or a callable ``text -> [Quote, ...]`` (any extractor). Scoring:

* each content span becomes a set of character positions, leaving out whitespace and double
  quotation marks (so ``“We will win.”`` and ``We will win.`` are the same quote);
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

This module itself imports only the standard library; numpy and scipy are imported when scoring.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence, Union

from ..errors import DataError
from ..types import Span

if TYPE_CHECKING:  # pragma: no cover
    from ..types import Quote

__all__ = [
    "GoldQuote",
    "UNITS",
    "attribution_units",
    "match_quotes",
    "overlap_matrix",
    "AnnotatedArticle",
    "QUOTE_MARKS",
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

#: Double quotation marks (straight, curly, low-9, reversed-9, guillemets). Single quotes are not
#: included: they are mostly apostrophes.
QUOTE_MARKS = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb')
_OPENERS = frozenset("\u201c\u201e\u201f\u00ab")
_CLOSERS = frozenset("\u201d\u00bb")
_BEFORE_OPEN = "([{\u2014\u2013-/"
_AFTER_CLOSE = ".,;:!?)]}\u2014\u2013-\u2026" + "".join(QUOTE_MARKS) + "'\u2019"
KINDS: tuple[str, ...] = ("direct", "partial", "indirect")
#: Units of gold annotation: one quoted segment, or one attribution relation (several segments).
UNITS: tuple[str, ...] = ("segment", "attribution")
SPLITS: tuple[str, ...] = ("train", "dev", "test")

#: Share of a content's characters that must lie inside quotation marks to call it "quoted".
QUOTED_SHARE = 0.9
#: A fully quoted segment starting with a capital and at least this many words is a direct quote.
DIRECT_MIN_WORDS = 4

_BRAT_LINE = re.compile(r"^[TE]\d+\t")
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


def quoted_mask(text: str) -> list[bool]:
    """For each character of ``text``, whether it lies between double quotation marks.

    Lines are scanned independently (an unclosed quote ends at its line's end, which also covers
    multi-paragraph quotes that re-open on each paragraph). Curly/low/guillemet openers open,
    curly closers and guillemet closers close the innermost open mark (a closer that stands where an
    opener belongs, with nothing open, opens: ``”Mr. Trump…``); a straight ``"`` (or ``''``) closes
    when it looks like a closer (after a non-space, before a space or punctuation) or closes an
    open straight quote, else opens; nested double quotes stay inside. A stray closer with nothing
    open is ignored. The marks themselves are not inside. This is a heuristic for unedited news
    text, not a parser.

    >>> m = quoted_mask('a "bc" d')
    >>> "".join("x" if v else "." for v in m)
    '...xx...'
    """
    mask = [False] * len(text)
    stack: list[str] = []  # open marks; nesting ('"He said “no” twice"') is kept
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        width = 1
        if ch == "'" and i + 1 < n and text[i + 1] == "'":  # ''typewriter double quotes''
            ch, width = '"', 2
        prev = text[i - 1] if i > 0 else "\n"
        nxt = text[i + width] if i + width < n else "\n"
        opener_like = (prev.isspace() or prev in _BEFORE_OPEN) and not nxt.isspace()
        closer_like = not prev.isspace() and (nxt.isspace() or nxt in _AFTER_CLOSE)
        if ch == "\n":
            stack.clear()
        elif ch in _OPENERS:
            stack.append(ch)
        elif ch in _CLOSERS:
            if stack:
                stack.pop()
            elif opener_like and not closer_like:  # ”Opening with a closing mark
                stack.append(ch)
        elif ch == '"':
            stray_closer = closer_like and not opener_like
            if stack and (stack[-1] == '"' or stray_closer):  # straight toggles; closes a curly
                stack.pop()
            elif stack or not stray_closer:  # opens (nested inside a curly quote, too)
                stack.append(ch)
        else:
            mask[i] = bool(stack)
        i += width
    return mask


def _significant(text: str, start: int, end: int) -> Iterable[int]:
    return (i for i in range(max(start, 0), min(end, len(text))) if not text[i].isspace() and text[i] not in QUOTE_MARKS)


def _sentence_like(text: str, spans: Sequence[Span]) -> bool:
    """Direct-vs-partial rule for a fully quoted content (see :func:`derive_kind`)."""
    body = " ".join(text[s.start : s.end] for s in spans).strip()
    body = body.strip("".join(QUOTE_MARKS) + " \t\n")
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
    while i >= 0 and (text[i].isspace() and text[i] != "\n" or text[i] in QUOTE_MARKS):
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
    positions = {i for s in spans for i in _significant(text, s.start, s.end)}
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


def _polnear_root(data_dir: str | os.PathLike[str] | None, split: str) -> Path:
    from ..data.loaders import resolve_data_dir

    root = resolve_data_dir(data_dir)
    for candidate in (root / "polnear", root / "PolNeAR" / "data", root / "polnear" / "data", root):
        if (candidate / split / "text").is_dir() and (candidate / split / "attributions").is_dir():
            return candidate
    present = [s for s in SPLITS if any((c / s / "text").is_dir() for c in (root / "polnear", root))]
    hint = f" Splits present: {', '.join(present)}." if present else ""
    raise DataError(
        f"PolNeAR split {split!r} not found under {root}: expected {root / 'polnear' / split}/text/ and "
        f"{split}/attributions/ (or pass the polnear folder itself as data_dir).{hint}"
    )


def _parse_offsets(field_: str, text: str, where: str) -> tuple[str, tuple[Span, ...]]:
    label, _, offsets = field_.partition(" ")
    spans = []
    for part in offsets.split(";"):
        try:
            start, end = (int(x) for x in part.split())
        except ValueError:
            raise DataError(f"{where}: cannot parse offsets {offsets!r} (expected 'start end[;start end...]').") from None
        if not 0 <= start <= end <= len(text):
            raise DataError(f"{where}: span {start}-{end} lies outside the article text ({len(text)} characters).")
        spans.append(Span(start, end, text[start:end]))
    return label, tuple(spans)


def parse_brat(ann: str, text: str, where: str = "<ann>") -> list[GoldQuote]:
    """Parse PolNeAR brat standoff ``ann`` (the .ann file content) over article ``text``.

    A gold quote is an ``E`` line with at least one ``Content`` argument (``Content2``... are
    further content spans of the same attribution); its ``Cue`` and ``Source`` arguments become the
    cue and source spans (no Source for ``Attribution-no-source``). ``Discard`` and ``Discuss``
    spans and lines not matching ``^[TE]\\d+\\t`` (``#`` notes, stray continuation lines) are
    ignored; an E line referring to a Discard/Discuss span is skipped. Span texts come from
    ``text``; the kind is derived with :func:`derive_kind`; speaker = source surface text; id = the
    E line's id. Quotes are in E-line order.

    >>> text = 'Ann said "we won."'
    >>> ann = "T1\\tSource 0 3\\tAnn\\nT2\\tCue 4 8\\tsaid\\nT3\\tContent 9 18\\t\\"we won.\\"\\n"
    >>> ann += "E1\\tAttribution:T2 Content:T3 Cue:T2 Source:T1\\n"
    >>> [(q.kind, q.speaker, q.text) for q in parse_brat(ann, text)]
    [('partial', 'Ann', '"we won."')]
    """
    spans: dict[str, tuple[str, tuple[Span, ...]]] = {}
    events: list[tuple[int, str, str]] = []
    for lineno, line in enumerate(ann.splitlines(), 1):
        if not _BRAT_LINE.match(line):
            continue
        fields = line.split("\t")
        if line.startswith("T"):
            if len(fields) < 2:
                raise DataError(f"{where}:{lineno}: malformed T line {line!r}.")
            spans[fields[0]] = _parse_offsets(fields[1], text, f"{where}:{lineno}")
        else:
            events.append((lineno, fields[0], fields[1] if len(fields) > 1 else ""))
    mask = quoted_mask(text)
    quotes: list[GoldQuote] = []
    for lineno, event_id, args in events:
        roles: dict[str, list[Span]] = {"Content": [], "Cue": [], "Source": []}
        skip = False
        for arg in args.split():
            key, _, ref = arg.partition(":")
            if ref not in spans:
                raise DataError(f"{where}:{lineno}: E line refers to undefined span {ref!r}.")
            label, segs = spans[ref]
            if label in ("Discard", "Discuss"):
                skip = True
            role = key.rstrip("0123456789")
            if role in roles:
                roles[role].extend(segs)
        if skip or not roles["Content"]:
            continue
        content = tuple(roles["Content"])
        source = tuple(roles["Source"])
        speaker = " ".join(s.text.strip() for s in source).strip() or None
        quotes.append(
            GoldQuote(
                content=content,
                cue=tuple(roles["Cue"]),
                source=source,
                kind=derive_kind(text, content, mask),
                speaker=speaker,
                id=event_id,
            )
        )
    return quotes


def read_polnear(data_dir: str | os.PathLike[str] | None = None, split: str = "dev") -> list[AnnotatedArticle]:
    """Read one PolNeAR split as :class:`AnnotatedArticle` objects (sorted by article id).

    ``data_dir`` is the data root holding ``polnear/`` or the polnear folder itself (default:
    ``$STANCECLF_DATA``). One gold quote per attribution relation (``unit="attribution"``).
    Articles annotated by several annotators have several
    ``<article>_<annotator>.ann`` files; the lexicographically first one is used. Articles without
    any .ann file are left out. PolNeAR has no "not a quote" annotations (``not_quotes`` is empty).

    >>> arts = read_polnear("/data", "dev")  # doctest: +SKIP
    >>> len(arts)  # doctest: +SKIP
    84
    """
    if split not in SPLITS:
        raise DataError(f"Unknown PolNeAR split {split!r}; use one of {', '.join(SPLITS)}.")
    root = _polnear_root(data_dir, split)
    text_dir, ann_dir = root / split / "text", root / split / "attributions"
    anns: dict[str, Path] = {}
    for path in sorted(ann_dir.glob("*.ann")):
        article = path.stem.rsplit("_", 1)[0]
        anns.setdefault(article, path)  # sorted: lexicographically first annotator file wins
    articles = []
    for txt in sorted(text_dir.glob("*.txt")):
        ann_path = anns.get(txt.stem)
        if ann_path is None:
            continue
        text = txt.read_text(encoding="utf-8")
        quotes = parse_brat(ann_path.read_text(encoding="utf-8"), text, str(ann_path))
        articles.append(AnnotatedArticle(txt.stem, text, quotes, [], {}, str(ann_path), unit="attribution"))
    if not articles:
        raise DataError(f"No PolNeAR articles with annotations found in {text_dir} / {ann_dir}.")
    return articles


def polnear_agreement(data_dir: str | os.PathLike[str] | None = None, splits: Sequence[str] = ("train", "dev"),
                      **kwargs: Any) -> dict[str, Any]:
    """Human agreement on PolNeAR: the second annotator scored against the first with :func:`score_quotes`.

    PolNeAR has a few articles annotated by several annotators (16 in train, 2 in dev). On those,
    the lexicographically second ``.ann`` file is scored as predictions against the first (the
    one :func:`read_polnear` uses as gold), so the result is the ceiling a model can be expected
    to reach with this scorer. Keyword arguments go to :func:`score_quotes`; the result adds
    ``articles`` (their ids).
    """
    arts, preds = [], []
    for split in splits:
        if split not in SPLITS:
            raise DataError(f"Unknown PolNeAR split {split!r}; use one of {', '.join(SPLITS)}.")
        root = _polnear_root(data_dir, split)
        files: dict[str, list[Path]] = {}
        for path in sorted((root / split / "attributions").glob("*.ann")):
            files.setdefault(path.stem.rsplit("_", 1)[0], []).append(path)
        for article, paths in sorted(files.items()):
            if len(paths) < 2:
                continue
            text = (root / split / "text" / f"{article}.txt").read_text(encoding="utf-8")
            first, second = (parse_brat(p.read_text(encoding="utf-8"), text, str(p)) for p in paths[:2])
            arts.append(AnnotatedArticle(article, text, first, [], {}, str(paths[0]), unit="attribution"))
            preds.append(second)
    if not arts:
        raise DataError(f"No PolNeAR article with two annotations in splits {list(splits)}.")
    out = score_quotes(arts, preds, **kwargs)
    out["articles"] = [a.id for a in arts]
    return out


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


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------

Predictions = Union[Mapping[str, Sequence["Quote"]], Sequence[Sequence["Quote"]], Callable[[str], Sequence["Quote"]]]

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def _norm_name(name: str | None) -> str:
    return " ".join(_PUNCT.sub(" ", name or "").casefold().split())


def _charset(text: str, spans: Iterable[Span]) -> frozenset[int]:
    return frozenset(i for s in spans for i in _significant(text, s.start, s.end))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
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
