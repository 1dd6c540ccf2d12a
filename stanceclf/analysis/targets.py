"""Targets (the entities and issues stance is measured toward), their aliases, and finding them in text.

A :class:`Target` is a canonical name plus aliases. Matching is case-insensitive (except for short
all-caps acronyms such as ``US`` or ``EU``, which must match in capitals so that "us" is not the
United States), tolerant of inflection (plural ``-s``/``-es``/``-ies``, possessive ``'s``), of
hyphens versus spaces, and of accents ("Zelenskyy" does not match "Zelensky" by itself: give both as
aliases).

>>> targets = parse_targets({"NATO": ["the alliance"], "minerals deal": ["the deal"]})
>>> matcher = TargetMatcher(targets)
>>> [(m.target, m.text) for m in matcher.find("NATO's summit; the Alliance said the mineral deals hold.")]
[('NATO', "NATO's"), ('NATO', 'the Alliance'), ('minerals deal', 'mineral deals')]
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import DataError

__all__ = ["Target", "TargetMention", "TargetMatcher", "parse_targets", "load_targets", "parse_target_option",
           "normalise_name"]


def normalise_name(text: str) -> str:
    """A target name or alias as matched: control and format characters dropped, whitespace
    (tabs, newlines, vertical tabs ...) collapsed to single spaces, ends stripped.

    >>> normalise_name("  New\\tYork\\x0b\\u200b ")
    'New York'
    """
    if text.isprintable() and "  " not in text and text == text.strip():
        return text  # the common case, fast
    kept = "".join(" " if c.isspace() else "" if unicodedata.category(c) in _DROPPED else c for c in text)
    return " ".join(kept.split())


_DROPPED = ("Cc", "Cf", "Cs")  # control, format (zero-width, BOM ...), lone surrogates


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


@dataclass(frozen=True)
class Target:
    """A stance target: its canonical ``name`` and the ``aliases`` it may appear as in text.

    The name itself is always matched too. Name and aliases are normalised by
    :func:`normalise_name`; one that is empty afterwards raises :class:`DataError`.

    >>> Target(" NATO\\n", ["the  alliance"])
    Target(name='NATO', aliases=('the alliance',))
    """

    name: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise DataError(f"A target name must be a string, got {type(self.name).__name__} {self.name!r}.")
        name = normalise_name(self.name)
        if not _has_word(name):
            raise DataError(f"A target needs a non-empty name with a letter or digit, got {self.name!r}"
                            f"{' (nothing is left after removing spaces and control characters)' if not name else ''}. "
                            "Give the entity or issue as it is written, e.g. 'NATO'.")
        if isinstance(self.aliases, str) or not isinstance(self.aliases, Iterable):
            raise DataError(f"Target {name!r}: aliases must be a list of strings, got {self.aliases!r}.")
        aliases = tuple(self.aliases)
        bad = [a for a in aliases if not isinstance(a, str) or not _has_word(normalise_name(a))]
        if bad:
            raise DataError(f"Target {name!r} has empty or non-string aliases (each needs a letter or digit): "
                            f"{bad!r}.")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "aliases", tuple(normalise_name(a) for a in aliases))

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The name and aliases, de-duplicated case-insensitively, name first."""
        seen: dict[str, str] = {}
        for form in (self.name, *self.aliases):
            seen.setdefault(form.strip().casefold(), form.strip())
        return tuple(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class TargetMention:
    """Where a target is mentioned: character offsets into the text and the alias that matched."""

    target: str
    start: int
    end: int
    text: str
    alias: str = field(default="", compare=False)


# --------------------------------------------------------------------------------------------------
# Parsing user input into targets
# --------------------------------------------------------------------------------------------------

def _alias_list(value: Any, name: str) -> tuple[str, ...]:
    """Aliases from a list or an ``"a|b;c"`` string, normalised; blank ones are left out."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(a for a in map(normalise_name, re.split(r"[|;]", value)) if a)
    if isinstance(value, (list, tuple, set)):
        out = []
        for a in value:
            if not isinstance(a, str):
                raise DataError(f"Target {name!r}: aliases must be strings, got {a!r}.")
            if normalise_name(a):
                out.append(normalise_name(a))
        return tuple(out)
    raise DataError(f"Target {name!r}: aliases must be a list of strings (or 'a|b|c'), got {type(value).__name__}.")


def parse_targets(spec: Any) -> list[Target]:
    """Normalise any accepted target specification into a list of :class:`Target`.

    Accepted: a mapping ``{name: [aliases]}`` (aliases may also be ``"a|b"`` or ``None``), a list of
    names, of :class:`Target`, of ``{"name": ..., "aliases": [...]}`` dicts, or a path to a YAML,
    JSON or CSV file (see :func:`load_targets`).

    >>> [t.name for t in parse_targets(["NATO", "EU"])]
    ['NATO', 'EU']
    """
    if spec is None:
        return []
    if isinstance(spec, Path) or (isinstance(spec, str) and "\n" not in spec
                                  and Path(spec).suffix.lower() in _FILE_SUFFIXES):
        return load_targets(spec)
    if isinstance(spec, Target):
        return [spec]
    if isinstance(spec, str):
        return [Target(spec.strip())]
    targets: list[Target] = []
    if isinstance(spec, Mapping):
        for name, aliases in spec.items():
            if not isinstance(name, str):
                raise DataError(f"Target names must be strings, got {name!r}.")
            targets.append(Target(name.strip(), _alias_list(aliases, name)))
    elif isinstance(spec, Iterable):
        for i, item in enumerate(spec):
            if isinstance(item, Target):
                targets.append(item)
            elif isinstance(item, str):
                targets.append(Target(item.strip()))
            elif isinstance(item, Mapping):
                name = item.get("name", item.get("target"))
                if not isinstance(name, str):
                    raise DataError(f"Target {i}: a dict target needs a 'name' string, got keys "
                                    f"{sorted(map(str, item))}.")
                targets.append(Target(name.strip(), _alias_list(item.get("aliases"), name)))
            else:
                raise DataError(f"Target {i} is a {type(item).__name__}; give a name, a Target or a "
                                "{'name': ..., 'aliases': [...]} dict.")
    else:
        raise DataError(f"Targets must be a dict, a list or a file path, got {type(spec).__name__}.")
    names = [t.name.casefold() for t in targets]
    dupes = sorted({t.name for t in targets if names.count(t.name.casefold()) > 1})
    if dupes:
        raise DataError(f"Target names must be unique; repeated: {dupes}. Merge their aliases into one entry.")
    return targets


_FILE_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".tsv")


def load_targets(path: str | Path) -> list[Target]:
    """Read targets from a file.

    * YAML / JSON: ``{name: [aliases]}``, a list of names, or a list of ``{name, aliases}`` objects;
    * CSV / TSV: a ``name`` (or ``target``) column and an optional ``aliases`` column with aliases
      separated by ``|`` or ``;`` -- or, without a header, the name in the first column and aliases
      in the others.
    """
    p = Path(path)
    try:
        is_file = p.is_file()
    except (OSError, ValueError):  # a name the system cannot hold (NUL byte, too long)
        is_file = False
    if not is_file:
        raise DataError(f"Targets file {p} does not exist. Give a YAML, JSON or CSV file, or --target NAME=alias|alias.")
    suffix = p.suffix.lower()
    if suffix not in _FILE_SUFFIXES:
        raise DataError(f"Targets file {p}: unknown format {suffix!r}; use .yaml, .json, .csv or .tsv.")
    how = _HOW.get(suffix, "")
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"Targets file {p} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position "
                        f"{exc.start}); save it as UTF-8.") from None
    except OSError as exc:
        raise DataError(f"Targets file {p} cannot be read: {exc.strerror or exc}.") from None
    if "\x00" in text:
        raise DataError(f"Targets file {p} contains NUL bytes: it looks like a binary file, not a targets list; {how}.")
    try:
        if suffix in (".yaml", ".yml"):
            data = _load_yaml(p, text)
        elif suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise DataError(f"Targets file {p} is not valid JSON (line {exc.lineno}): {exc.msg}; {how}.") from None
        else:
            try:
                data = _targets_from_csv(text, "\t" if suffix == ".tsv" else ",")
            except csv.Error as exc:
                raise DataError(f"Targets file {p} is not valid CSV: {exc}; {how}.") from None
    except RecursionError:
        raise DataError(f"Targets file {p} is nested too deeply; {how}.") from None
    if not data:
        raise DataError(f"Targets file {p} lists no targets.")
    if not isinstance(data, (dict, list)):
        raise DataError(f"Targets file {p} holds a {type(data).__name__} ({str(data)[:60]!r}), not a list of targets; "
                        f"{how}.")
    try:
        return parse_targets(data)
    except DataError as exc:
        raise DataError(f"Targets file {p}: {exc}") from None


_HOW = {
    ".yaml": "write name: [aliases] pairs, one per line (e.g. 'NATO: [the alliance]')",
    ".yml": "write name: [aliases] pairs, one per line (e.g. 'NATO: [the alliance]')",
    ".json": 'write an object of name: [aliases] pairs (e.g. {"NATO": ["the alliance"]})',
    ".csv": "write a name column and an aliases column (aliases separated by |)",
    ".tsv": "write a name column and an aliases column (aliases separated by |)",
}


def _load_yaml(p: Path, text: str) -> Any:
    """``yaml.safe_load(text)``; syntax errors and unsafe tags (``!!python/object``) raise DataError."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(f"Targets file {p} is not valid YAML{line}: {problem}; {_HOW['.yaml']}.") from None


def _targets_from_csv(text: str, delimiter: str) -> list[dict[str, Any]]:
    # strict: an unclosed quote raises instead of reading the rest of the file into one name
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True) if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    name_col = next((header.index(k) for k in ("name", "target") if k in header), None)
    if name_col is not None:
        alias_col = header.index("aliases") if "aliases" in header else None
        return [{"name": r[name_col], "aliases": r[alias_col] if alias_col is not None and alias_col < len(r) else None}
                for r in rows[1:] if name_col < len(r) and r[name_col].strip()]
    return [{"name": r[0], "aliases": [c for c in r[1:] if c.strip()]} for r in rows if r[0].strip()]


def parse_target_option(text: str) -> Target:
    """Parse a command-line target ``NAME`` or ``NAME=alias|alias``.

    >>> parse_target_option("Zelenskyy=Zelensky|the Ukrainian president")
    Target(name='Zelenskyy', aliases=('Zelensky', 'the Ukrainian president'))
    """
    name, _, aliases = text.partition("=")
    if not normalise_name(name):
        raise DataError(f"--target expects NAME or NAME=alias|alias, got {text!r}.")
    return Target(name, _alias_list(aliases, name))


# --------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------

_APOSTROPHES = "'\u2019\u02bc"


def fold_accents(text: str) -> str:
    """Remove accents character by character, keeping the length (so offsets stay valid).

    >>> fold_accents("Zelens'kyi Sánchez")
    "Zelens'kyi Sanchez"
    """
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        letters = [c for c in base if not unicodedata.combining(c)]
        out.append(letters[0] if len(letters) == 1 else ch)
    return "".join(out)


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return 2 <= len(letters) <= 5 and all(c.isupper() for c in letters)


def _word_pattern(word: str, last: bool) -> str:
    """Regex for one alias word allowing plural forms (and a possessive on the last word)."""
    folded = fold_accents(word)
    if _is_acronym(folded) or not folded[-1:].isalpha():
        core = re.escape(folded) + ("s?" if _is_acronym(folded) else "")
    else:
        low = folded.lower()
        if low.endswith("ies") and len(low) > 4:
            core = re.escape(folded[:-3]) + "(?:y|ies)"
        elif low.endswith("y") and len(low) > 3 and low[-2] not in "aeiou":
            core = re.escape(folded[:-1]) + "(?:y|ies)"
        elif low.endswith(("ses", "xes", "zes", "ches", "shes")):
            core = re.escape(folded[:-2]) + "(?:es)?"
        elif low.endswith("s") and not low.endswith("ss") and len(low) > 3:
            core = re.escape(folded[:-1]) + "(?:s|es)?"
        elif low.endswith(("s", "x", "z", "ch", "sh")):
            core = re.escape(folded) + "(?:es)?"
        else:
            core = re.escape(folded) + "s?"
    if last:
        core += f"(?:[{_APOSTROPHES}]s?)?"
    return core


def _alias_regex(alias: str) -> re.Pattern[str]:
    words = [w for w in re.split(r"[\s\-\u2010-\u2014]+", alias.strip()) if w]
    body = r"[\s\-\u2010-\u2014]+".join(_word_pattern(w, i == len(words) - 1) for i, w in enumerate(words))
    # all-caps acronyms must match in capitals ("US" is not "us"); everything else ignores case
    flags = 0 if any(_is_acronym(fold_accents(w)) for w in words) and len(words) == 1 else re.IGNORECASE
    return re.compile(rf"(?<![\w]){body}(?![\w])", flags)


class TargetMatcher:
    """Finds mentions of a set of targets in text (longest match wins where aliases overlap).

    >>> TargetMatcher(parse_targets({"Zelenskyy": ["Zelensky", "the Ukrainian president"]})).targets_in(
    ...     "The Ukrainian President spoke.")
    ['Zelenskyy']
    """

    def __init__(self, targets: Iterable[Target]):
        self.targets = list(targets)
        self._patterns: list[tuple[str, str, re.Pattern[str]]] = [
            (t.name, form, _alias_regex(form)) for t in self.targets for form in t.surface_forms
        ]

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[TargetMention]:
        """All non-overlapping mentions in ``text[start:end]`` (offsets into ``text``), in order."""
        end = len(text) if end is None else end
        folded = fold_accents(text)
        found: list[TargetMention] = []
        for name, form, pattern in self._patterns:
            for m in pattern.finditer(folded, start, end):
                found.append(TargetMention(name, m.start(), m.end(), text[m.start():m.end()], form))
        found.sort(key=lambda m: (-(m.end - m.start), m.start))  # longest first, then leftmost
        kept: list[TargetMention] = []
        for m in found:
            if not any(m.start < k.end and k.start < m.end for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    def targets_in(self, text: str, start: int = 0, end: int | None = None) -> list[str]:
        """Names of the targets mentioned in ``text[start:end]``, in order of first mention."""
        return list(dict.fromkeys(m.target for m in self.find(text, start, end)))
