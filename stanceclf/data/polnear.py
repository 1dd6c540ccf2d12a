"""PolNeAR, the one reader: political news articles with their attribution relations (brat standoff).

PolNeAR (Newell et al., LREC 2018) annotates who said what in 1,008 US news articles:
``<split>/text/<article>.txt`` and ``<split>/attributions/<article>_<annotator>.ann``. Each ``E``
line ties a ``Content`` span (``Content2``... are further segments of the same attribution) to its
``Cue`` and ``Source`` (no Source for ``Attribution-no-source``).

The rules, used for training the quote tagger and for scoring every extractor alike:

* lines not matching ``^[TE]\\d+\\t`` (``#`` annotator notes, stray continuation lines) are skipped;
* a malformed ``T`` line, offsets outside the text, or an ``E`` line naming an undefined span is a
  :class:`~stanceclf.errors.DataError` naming the file and line;
* an ``E`` line that refers to a ``Discard`` or ``Discuss`` span, or has no ``Content``, is left out;
* of several annotators' files for one article, the lexicographically first is the gold one;
  articles without any ``.ann`` file are left out.

>>> text = 'Ann said "we won."'
>>> ann = "T1\\tSource 0 3\\tAnn\\nT2\\tCue 4 8\\tsaid\\nT3\\tContent 9 18\\t\\"we won.\\"\\n"
>>> (a,) = parse_ann(ann + "E1\\tAttribution:T2 Content:T3 Cue:T2 Source:T1\\n", text)
>>> a.id, a.speaker, [s.text for s in a.content]
('E1', 'Ann', ['"we won."'])
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import DataError
from ..types import Span
from .info import resolve_data_dir

__all__ = ["SPLITS", "ROLES", "Attribution", "PolnearArticle", "parse_ann", "polnear_root", "read_polnear",
           "read_double_annotated"]

SPLITS = ("train", "dev", "test")
#: the span labels that are attribution roles (``Content2``... count as ``Content``)
ROLES = ("Source", "Cue", "Content")
_IGNORED_LABELS = ("Discard", "Discuss")
_BRAT_LINE = re.compile(r"^[TE]\d+\t")


@dataclass(frozen=True)
class Attribution:
    """One attribution relation: content segments (at least one), cue and source spans."""

    id: str
    content: tuple[Span, ...]
    cue: tuple[Span, ...] = ()
    source: tuple[Span, ...] = ()

    @property
    def speaker(self) -> str | None:
        """The source's surface text ("a senior official"), ``None`` without a source."""
        return " ".join(s.text.strip() for s in self.source).strip() or None

    def role_spans(self) -> Iterator[tuple[Span, str]]:
        """Every span with its role (``"Content"``, ``"Cue"``, ``"Source"``)."""
        for role in ROLES:
            for span in getattr(self, role.lower()):
                yield span, role


@dataclass(frozen=True)
class PolnearArticle:
    """An article's text and its gold attributions; ``origin`` is the ``.ann`` file read."""

    id: str
    text: str
    attributions: tuple[Attribution, ...]
    origin: str


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


def parse_ann(ann: str, text: str, where: str = "<ann>") -> list[Attribution]:
    """The attributions of one ``.ann`` file's content ``ann`` over ``text``, in E-line order (rules above)."""
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
    attributions = []
    for lineno, event_id, args in events:
        roles: dict[str, list[Span]] = {role: [] for role in ROLES}
        ignored = False
        for arg in args.split():
            key, _, ref = arg.partition(":")
            if ref not in spans:
                raise DataError(f"{where}:{lineno}: E line refers to undefined span {ref!r}.")
            label, segments = spans[ref]
            ignored = ignored or label in _IGNORED_LABELS
            role = key.rstrip("0123456789")
            if role in roles:
                roles[role].extend(segments)
        if not ignored and roles["Content"]:
            attributions.append(Attribution(event_id, tuple(roles["Content"]), tuple(roles["Cue"]),
                                            tuple(roles["Source"])))
    return attributions


def polnear_root(data_dir: str | os.PathLike[str] | None, split: str, *, annotations: bool = True) -> Path:
    """The PolNeAR folder holding ``<split>/text`` (and ``<split>/attributions`` with ``annotations``).

    ``data_dir`` is the data root holding ``polnear/`` or the polnear folder itself (default:
    ``$STANCECLF_DATA``).
    """
    if split not in SPLITS:
        raise DataError(f"Unknown PolNeAR split {split!r}; use one of {', '.join(SPLITS)}.")
    root = resolve_data_dir(data_dir)
    for candidate in (root / "polnear", root / "PolNeAR" / "data", root / "polnear" / "data", root):
        if (candidate / split / "text").is_dir() and (not annotations or (candidate / split / "attributions").is_dir()):
            return candidate
    present = [s for s in SPLITS if any((c / s / "text").is_dir() for c in (root / "polnear", root))]
    hint = f" Splits present: {', '.join(present)}." if present else ""
    held_back = " The test split is held back for the final evaluation." if split == "test" else ""
    raise DataError(
        f"PolNeAR split {split!r} not found under {root}: expected {root / 'polnear' / split}/text/"
        + (f" and {split}/attributions/" if annotations else "")
        + f" (or pass the polnear folder itself as data_dir).{hint}{held_back}"
    )


def _annotation_files(root: Path, split: str) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for path in sorted((root / split / "attributions").glob("*.ann")):
        files.setdefault(path.stem.rsplit("_", 1)[0], []).append(path)
    return files


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid UTF-8 ({exc}); use an unmodified PolNeAR copy "
                        "(data/polnear/README.md).") from None


def _article(article_id: str, text: str, ann: Path) -> PolnearArticle:
    return PolnearArticle(article_id, text, tuple(parse_ann(_read_text(ann), text, str(ann))), str(ann))


def read_polnear(data_dir: str | os.PathLike[str] | None = None, split: str = "dev", *,
                 max_articles: int | None = None) -> list[PolnearArticle]:
    """Read one PolNeAR split, sorted by article id; ``max_articles`` keeps the first ones.

    >>> articles = read_polnear("../shared/data", "dev")  # doctest: +SKIP
    >>> len(articles), sum(len(a.attributions) for a in articles)  # doctest: +SKIP
    (84, 2192)
    """
    root = polnear_root(data_dir, split)
    files = _annotation_files(root, split)
    articles = []
    for txt in sorted((root / split / "text").glob("*.txt")):
        if max_articles is not None and len(articles) >= max_articles:
            break
        if txt.stem in files:
            articles.append(_article(txt.stem, _read_text(txt), files[txt.stem][0]))
    if not articles:
        raise DataError(f"No PolNeAR articles with annotations found in {root / split}.")
    return articles


def read_double_annotated(data_dir: str | os.PathLike[str] | None, split: str
                          ) -> list[tuple[PolnearArticle, PolnearArticle]]:
    """``(first, second)`` annotators' readings of every article of ``split`` annotated twice or more."""
    root = polnear_root(data_dir, split)
    pairs = []
    for article_id, paths in sorted(_annotation_files(root, split).items()):
        if len(paths) >= 2:
            text = _read_text(root / split / "text" / f"{article_id}.txt")
            pairs.append((_article(article_id, text, paths[0]), _article(article_id, text, paths[1])))
    return pairs
