"""polnear-stance: the project's own stance labels on real news attributions (standoff over PolNeAR).

Each record labels one PolNeAR attribution (source, cue, content) with its speaker's stance toward one
of the article's targets, read in context by a labeller following ``docs/annotation-guidelines.md``.
The records hold offsets, never article text (PolNeAR is research-only): the text comes from your
PolNeAR copy (``<data_dir>/polnear/{train,dev}/text/<article>.txt``), and every record is checked
against it (offsets inside the article, a hash of the content text) before it is used.

>>> ds = load_polnear_stance("../shared/data")                     # doctest: +SKIP
>>> ds["validation"][0]["speaker"], ds["validation"][0]["label"]   # doctest: +SKIP
('Bernie Sanders', 'AGAINST')
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import DataError
from ..types import STANCE_LABELS
from .canonical import _Builder, _dataset_dict
from .polnear import polnear_root
from .tables import _read_jsonl

__all__ = ["LABELS", "RECORDS_DIR", "SPLIT_FOLDERS", "content_hash", "read_records", "verify_record",
           "quote_window", "load_polnear_stance"]

#: Labels a record may carry; SELF (the speaker is the target) is left out of the dataset.
LABELS: tuple[str, ...] = STANCE_LABELS
_RECORD_LABELS = (*LABELS, "SELF")
#: Where the project's standoff records live (shipped with the package: offsets and labels only).
RECORDS_DIR = Path(__file__).resolve().parent.parent / "resources" / "polnear_stance"
#: Dataset split -> PolNeAR folder.
SPLIT_FOLDERS = {"train": "train", "validation": "dev"}
_RECORD_FILES = {"train": "train.jsonl", "validation": "dev.jsonl"}
#: Longest text given to a model: the sentences around the attribution, else the attribution alone.
MAX_WINDOW_CHARS = 700
#: a sentence ends after . ! ? and any closing quote marks or brackets, before a capital (or at a blank line)
_SENTENCE_END = re.compile(r"([.!?][\"'\u201d\u2019)]*)\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|\n\s*\n")
#: words whose period ends no sentence ("Sen. Bob Smith", "John F. Kennedy")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Sen|Rep|Gov|Gen|Lt|Col|Prof|Rev|No|Vol)|\b[A-Z])\.$")


def content_hash(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """A short hash of the text under ``spans`` (joined by a space): proves offsets still fit the article.

    >>> content_hash("Ann said we won.", [(9, 16)])
    '1ddf072363'
    """
    joined = " ".join(text[a:b] for a, b in spans)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:10]


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a standoff JSONL file, checking each record's fields (not yet against the article)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"polnear-stance records not found: {path}. Reinstall stanceclf or rebuild them with "
                        "training/annotation/polnear_stance.py build.")
    out = []
    for where, rec in _read_jsonl(path)[1]:
        missing = [k for k in ("id", "article", "attribution", "content", "content_sha1", "target", "label")
                   if k not in rec]
        if missing:
            raise DataError(f"{where}: record lacks {missing}.")
        if not isinstance(rec["label"], str) or rec["label"] not in _RECORD_LABELS:
            raise DataError(f"{where}: label {rec['label']!r} is not one of {', '.join(_RECORD_LABELS)}.")
        for key in ("id", "article", "target", "content_sha1"):
            if not isinstance(rec[key], (str, int)) or isinstance(rec[key], bool):
                raise DataError(f"{where}: {key} should be a string, got {type(rec[key]).__name__}.")
        aliases = rec.get("aliases")
        if aliases is not None and not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
            raise DataError(f"{where}: aliases should be a list of strings, got {aliases!r}.")
        for key in ("content", "source", "cue"):
            if rec.get(key) is not None and not isinstance(rec[key], list):
                raise DataError(f"{where}: {key} should be a list of [start, end] offset pairs, got {rec[key]!r}.")
        out.append(rec)
    return out


def _spans(rec: dict[str, Any], key: str, n_chars: int, where: str) -> list[tuple[int, int]]:
    spans = []
    for pair in rec.get(key) or []:
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in pair)):
            raise DataError(f"{where}: {key} offsets must be [start, end] integer pairs, got {pair!r}.")
        a, b = pair
        if not 0 <= a < b <= n_chars:
            raise DataError(f"{where}: {key} span {a}-{b} lies outside the article ({n_chars} characters).")
        spans.append((a, b))
    return spans


def verify_record(rec: dict[str, Any], article_text: str) -> list[tuple[int, int]]:
    """The record's content spans, after checking them against ``article_text``.

    Raises :class:`DataError` when an offset falls outside the article or the content text under the
    offsets does not hash to ``content_sha1`` (a different PolNeAR version, or an edited file).
    """
    where = f"record {rec.get('id')}"
    content = _spans(rec, "content", len(article_text), where)
    if not content:
        raise DataError(f"{where}: no content span.")
    for key in ("source", "cue"):
        _spans(rec, key, len(article_text), where)
    if content_hash(article_text, content) != rec["content_sha1"]:
        raise DataError(f"{where}: the article text under the content offsets does not match the record "
                        f"(hash {content_hash(article_text, content)} != {rec['content_sha1']}). Use the PolNeAR "
                        "version the records were made from (data/polnear/README.md: commit c3eee83).")
    return content


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end(1) if m.group(1) else m.start()
        if m.group(1) and _ABBREVIATION.search(text[max(pos, end - 6):end]):
            continue
        yield pos, end
        pos = m.end()
    yield pos, len(text)


def quote_window(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, str]:
    """``(window, previous sentence)``: the sentences covering ``spans`` (content, source and cue) -- the
    text a stance model reads, like ``stanceclf.analyze`` gives it -- and the sentence before them."""
    a, b = min(s for s, _ in spans), max(e for _, e in spans)
    sents = [s for s in _sentences(text) if text[s[0]:s[1]].strip()]
    idx = [i for i, (s, e) in enumerate(sents) if s < b and e > a]
    if not idx:
        return text[a:b].strip(), ""
    lo, hi = sents[idx[0]][0], sents[idx[-1]][1]
    window = text[lo:hi].strip() if hi - lo <= MAX_WINDOW_CHARS else text[a:b].strip()
    previous = text[sents[idx[0] - 1][0]:sents[idx[0] - 1][1]].strip() if idx[0] > 0 else ""
    if previous and re.search(r"\n\s*\n", text[sents[idx[0] - 1][1]:lo]):
        previous = ""  # across a paragraph break: not context
    return window, previous


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a record's article name the system cannot hold (too long, NUL)
        return False


def load_polnear_stance(data_dir: str | os.PathLike[str] | None = None, *,
                        records_dir: str | os.PathLike[str] | None = None) -> "Any":
    """Load polnear-stance as a ``DatasetDict`` with ``train`` and ``validation`` (PolNeAR dev articles).

    ``text`` is the sentence(s) holding the attribution, ``context`` the sentence before (same
    paragraph), ``speaker`` the labeller's resolved speaker, ``target`` the target's name. Extra columns:
    ``article``, ``attribution``, ``aimed`` (the attribution refers to the target), ``content_start``/
    ``content_end`` and ``aliases`` (``|``-joined). SELF pairs (speaker = target) are left out.
    """
    polnear = polnear_root(data_dir, "dev", annotations=False)  # the article texts are all it reads
    rec_dir = Path(records_dir) if records_dir else RECORDS_DIR
    splits = {}
    for split, fname in _RECORD_FILES.items():
        builder = _Builder("polnear-stance", {"article": "string", "attribution": "string", "aimed": "bool",
                                              "content_start": "int64", "content_end": "int64",
                                              "aliases": "string"})
        cache: dict[str, str] = {}
        for rec in read_records(rec_dir / fname):
            if rec["label"] == "SELF":
                continue
            article = str(rec["article"])
            if article not in cache:
                path = polnear / SPLIT_FOLDERS[split] / "text" / f"{article}.txt"
                if not _is_file(path):
                    raise DataError(f"record {rec['id']}: article file {path} is missing from your PolNeAR copy.")
                try:
                    cache[article] = path.read_text(encoding="utf-8")
                except UnicodeDecodeError as exc:
                    raise DataError(f"record {rec['id']}: article file {path} is not valid UTF-8 ({exc}); use an "
                                    "unmodified PolNeAR copy (data/polnear/README.md).") from None
            text = cache[article]
            content = verify_record(rec, text)
            extra = [tuple(p) for k in ("source", "cue") for p in rec.get(k) or []]
            window, previous = quote_window(text, content + extra)
            builder.add(f"record {rec['id']}", id=f"polnear-stance:{rec['id']}", text=window, target=rec["target"],
                        label=rec["label"], context=previous, speaker=rec.get("speaker") or "",
                        article=article, attribution=rec.get("attribution", ""), aimed=bool(rec.get("aimed")),
                        content_start=min(a for a, _ in content), content_end=max(b for _, b in content),
                        aliases="|".join(rec.get("aliases") or []))
        splits[split] = builder.build()
    return _dataset_dict(splits)
