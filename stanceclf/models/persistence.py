"""Safe persistence helpers: size limits, SHA-256 checksums, and skops with a trusted-type list.

* Nothing here ever unpickles. ``load_sklearn`` audits every type named in the file before building
  anything and refuses any type outside :data:`TRUSTED_TYPES` -- including types skops itself would
  trust by default (any scikit-learn estimator, ``collections.OrderedDict``, ...).
* Nothing is read or decompressed before its size is checked: a ``model.skops`` zip is refused from
  its central directory alone (entry count, declared sizes, compression ratio) before even
  ``schema.json`` is inflated, and JSON/weight files are checked with ``stat`` before they are read.
* :func:`verify_checksums` compares files with the SHA-256 digests recorded when they were written
  (``"checksums"`` in a saved model's ``config.json``, or a ``checksums.json`` next to a packaged
  artefact), so a damaged or edited weights file is refused instead of silently changing predictions.

Rewrite a packaged artefact's ``checksums.json`` after re-training it on purpose::

    python -m stanceclf.models.persistence stanceclf/resources/quote_tagger
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import ModelError

__all__ = [
    "TRUSTED_TYPES",
    "CHECKSUMS_FILE",
    "MAX_JSON_BYTES",
    "MAX_WEIGHTS_BYTES",
    "MAX_TOKENIZER_BYTES",
    "MAX_ZIP_ENTRIES",
    "MAX_ZIP_UNCOMPRESSED_BYTES",
    "MAX_ZIP_RATIO",
    "ZIP_RATIO_FLOOR",
    "MAX_SCHEMA_BYTES",
    "MAX_ZIP_DIRECTORY_BYTES",
    "check_file_size",
    "check_zip",
    "file_checksums",
    "write_checksums",
    "verify_checksums",
    "dump_sklearn",
    "load_sklearn",
]

#: Name of the checksum list shipped next to packaged artefacts (saved models keep theirs in config.json).
CHECKSUMS_FILE = "checksums.json"
#: Largest JSON file read (config.json, encoder_config.json, checksums.json): real ones are a few KB.
MAX_JSON_BYTES = 10 * 1024**2
#: Largest weights file (safetensors) read: a full fine-tune of a 2-billion-parameter encoder in fp32.
MAX_WEIGHTS_BYTES = 8 * 1024**3
#: Largest tokenizer file read (tokenizer.json of a 250k-word multilingual vocabulary is ~17 MB).
MAX_TOKENIZER_BYTES = 128 * 1024**2
#: skops zip limits, checked on the central directory before anything is decompressed. stanceclf's
#: own files hold tens of entries (older saves: one per vocabulary term, ~10^5-10^6), are stored
#: uncompressed (ratio 1) and stay well under a GB even for FNC-1-size vocabularies.
MAX_ZIP_ENTRIES = 2_000_000
MAX_ZIP_UNCOMPRESSED_BYTES = 4 * 1024**3
#: Above :data:`ZIP_RATIO_FLOOR` uncompressed bytes, refuse archives that inflate more than this many
#: times their size on disk (a zip bomb inflates ~1000 times; skops stores without compression).
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 64 * 1024**2
#: Largest ``schema.json`` parsed (it is read into Python objects: ~10x its size in memory).
MAX_SCHEMA_BYTES = 256 * 1024**2
#: Largest central directory parsed (each entry becomes a Python object when the zip is opened).
MAX_ZIP_DIRECTORY_BYTES = 256 * 1024**2
_SHA256 = re.compile(r"[0-9a-f]{64}")

#: Every type a stanceclf scikit-learn artefact may contain. Extend deliberately, never by default.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.NoneType",
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.slice",
        "builtins.str",
        "builtins.tuple",
        "numpy.dtype",
        "numpy.float32",
        "numpy.float64",
        "numpy.int64",
        "numpy.int32",
        "numpy.str_",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.svm._classes.LinearSVC",
    }
)


def dump_sklearn(obj: Any, path: str | Path) -> None:
    """Write ``obj`` (scikit-learn objects in dicts/lists) to ``path`` with skops."""
    import skops.io as sio

    sio.dump(obj, str(path))
    untrusted = _all_types(Path(path)) - TRUSTED_TYPES
    if untrusted:  # a programming error: we wrote something we would refuse to read
        Path(path).unlink()
        raise ModelError(f"Refusing to save types outside the trusted list: {sorted(untrusted)}.")


def load_sklearn(path: str | Path) -> Any:
    """Load a skops file written by :func:`dump_sklearn`, trusting only :data:`TRUSTED_TYPES`.

    The zip is checked with :func:`check_zip` before anything in it is decompressed.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"Model weights {path} are missing; the saved model directory is incomplete.")
    check_zip(path)
    try:
        found = set(sio.get_untrusted_types(file=str(path)))
        every_type = _all_types(path)
    except Exception as exc:  # noqa: BLE001 - skops raises various errors on a damaged zip
        raise ModelError(f"{path} is not a readable skops file ({exc}).") from None
    # skops only reports types outside *its* default trust list (which covers every scikit-learn
    # estimator); audit every type named in the file against ours instead.
    untrusted = (found | every_type) - TRUSTED_TYPES
    if untrusted:
        raise ModelError(
            f"{path} contains types stanceclf does not trust: {sorted(untrusted)}. "
            "Only load models you or stanceclf created; nothing was executed."
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*InconsistentVersionWarning.*")
        return sio.load(str(path), trusted=sorted(found))


def _human(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def check_file_size(path: str | Path, limit: str, what: str = "file") -> int:
    """Refuse ``path`` with a :class:`ModelError` when it is larger than the module limit named
    ``limit`` (e.g. ``"MAX_JSON_BYTES"``), checked with ``stat`` before anything is read; return its size."""
    path = Path(path)
    maximum = int(globals()[limit])
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelError(f"Cannot read {what} {path} ({exc.strerror or exc}).") from None
    if size > maximum:
        raise ModelError(
            f"{path} is {_human(size)}, more than a stanceclf {what} can be ({_human(maximum)}); refusing to "
            "read it. The save is damaged or is not a stanceclf model; if you made it yourself and trust it, "
            f"raise stanceclf.models.persistence.{limit}."
        )
    return size


def check_zip(path: str | Path) -> list[zipfile.ZipInfo]:
    """Refuse a zip (a ``.skops`` file) that would inflate beyond the limits, from its central
    directory alone: nothing is decompressed. Returns the entries.

    Checks the number of entries (:data:`MAX_ZIP_ENTRIES`), every entry's and the total declared
    uncompressed size (:data:`MAX_ZIP_UNCOMPRESSED_BYTES`), ``schema.json`` (:data:`MAX_SCHEMA_BYTES`)
    and, for archives above :data:`ZIP_RATIO_FLOOR`, the compression ratio (:data:`MAX_ZIP_RATIO`).
    Python's zipfile never inflates an entry past its declared size, so the declared sizes bound
    what loading can cost.
    """
    path = Path(path)
    disk = check_file_size(path, "MAX_ZIP_UNCOMPRESSED_BYTES", "skops file")

    def refuse(reason: str) -> ModelError:
        return ModelError(f"{path} is not a stanceclf model file: refusing it before decompressing anything "
                          f"({reason}). Only load models you or stanceclf created.")

    try:
        with open(path, "rb") as fp:
            end = zipfile._EndRecData(fp)  # type: ignore[attr-defined]  # the end record: entry count, directory size
    except (AttributeError, OSError):  # pragma: no cover - a Python without the helper: ZipFile checks below
        end = None
    if end:
        entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
        if entries > MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY_BYTES:
            raise refuse(f"{entries:,} entries in a {_human(directory)} directory; at most {MAX_ZIP_ENTRIES:,} "
                         "are accepted")
    try:
        with zipfile.ZipFile(path, "r") as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ModelError(f"{path} is not a readable skops file ({exc}).") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise refuse(f"{len(infos):,} entries, at most {MAX_ZIP_ENTRIES:,} are accepted")
    total = 0
    for info in infos:
        if info.filename == "schema.json" and info.file_size > MAX_SCHEMA_BYTES:
            raise refuse(f"schema.json inflates to {_human(info.file_size)}, at most {_human(MAX_SCHEMA_BYTES)} "
                         "is accepted")
        total += info.file_size
        if total > MAX_ZIP_UNCOMPRESSED_BYTES:
            raise refuse(f"entry {info.filename!r} declares {_human(info.file_size)}; the entries inflate to more "
                         f"than {_human(MAX_ZIP_UNCOMPRESSED_BYTES)}, the most a stanceclf model holds")
    if total > ZIP_RATIO_FLOOR and total > MAX_ZIP_RATIO * max(disk, 1):
        raise refuse(f"{_human(disk)} on disk inflate to {_human(total)}, {total / max(disk, 1):.0f} times; at most "
                     f"{MAX_ZIP_RATIO} times is accepted")
    return infos


# --------------------------------------------------------------------------------------------------
# Checksums
# --------------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(directory: str | Path, files: Iterable[str | Path]) -> dict[str, str]:
    """``{relative posix path: SHA-256 hex digest}`` of ``files`` (paths relative to ``directory``)."""
    directory = Path(directory)
    out = {}
    for name in files:
        relative = Path(name).relative_to(directory) if Path(name).is_absolute() else Path(name)
        out[relative.as_posix()] = _sha256(directory / relative)
    return dict(sorted(out.items()))


#: Files :func:`write_checksums` leaves out by default: records of how an artefact was made, not read by
#: the loaders.
UNCHECKED_FILES = frozenset({CHECKSUMS_FILE, "training_summary.json", "training_log.jsonl", "README.md"})


def write_checksums(directory: str | Path, files: Iterable[str | Path] | None = None) -> Path:
    """Write ``<directory>/checksums.json`` with the SHA-256 of ``files`` (default: every file under
    ``directory`` except :data:`UNCHECKED_FILES`); :func:`verify_checksums` checks them on load."""
    directory = Path(directory)
    if files is None:
        files = [p.relative_to(directory) for p in sorted(directory.rglob("*"))
                 if p.is_file() and p.name not in UNCHECKED_FILES and not p.name.endswith(".tmp")]
    path = directory / CHECKSUMS_FILE
    payload = {"algorithm": "sha256", "files": file_checksums(directory, files)}
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _read_checksums_file(directory: Path) -> dict[str, Any] | None:
    path = directory / CHECKSUMS_FILE
    if not path.is_file():
        return None
    check_file_size(path, "MAX_JSON_BYTES", "checksum list")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); the artefact is damaged. Reinstall it.") from None
    if not isinstance(data, dict) or data.get("algorithm", "sha256") != "sha256" or not isinstance(data.get("files"), dict):
        raise ModelError(f"{path} is not a stanceclf checksum list ({{'algorithm': 'sha256', 'files': {{...}}}}).")
    return data["files"]


def verify_checksums(directory: str | Path, expected: Mapping[str, str] | None = None) -> int:
    """Check files under ``directory`` against their recorded SHA-256 digests; return how many.

    ``expected`` maps relative paths to digests (a saved model's ``config["checksums"]``); without
    it, ``<directory>/checksums.json`` is read, and a directory without one (a save from before
    checksums existed) verifies nothing and returns 0. Raises :class:`ModelError` when a listed file
    is missing or differs. Call it before reading any weights, e.g. first thing in a loader::

        from stanceclf.models.persistence import verify_checksums
        verify_checksums(directory)
    """
    directory = Path(directory)
    if expected is None:
        expected = _read_checksums_file(directory)
        if expected is None:
            return 0
        on_purpose = f"rewrite the checksums: python -m stanceclf.models.persistence {directory}"
    else:
        on_purpose = "save the model again from the fitted model, or delete \"checksums\" from its config.json"
    if not isinstance(expected, Mapping):
        raise ModelError(f"{directory}: the recorded checksums are not a mapping of file names to SHA-256 digests; "
                         "the save is corrupt.")
    root = directory.resolve()
    for name, digest in sorted(expected.items()):
        relative = Path(str(name))
        if (not isinstance(name, str) or not isinstance(digest, str) or not _SHA256.fullmatch(digest)
                or relative.is_absolute() or ".." in relative.parts or not relative.parts):
            raise ModelError(f"{directory}: invalid checksum entry {name!r}: {digest!r}; the save is corrupt.")
        path = directory / relative
        if not path.is_file():
            raise ModelError(f"{path} is missing; the saved model directory is incomplete. Restore it from the "
                             "original copy (reinstall stanceclf for a built-in model) or save the model again.")
        if not path.resolve().is_relative_to(root):
            raise ModelError(f"{path} points outside {directory}; refusing it.")
        actual = _sha256(path)
        if actual != digest:
            raise ModelError(
                f"{path}: the file changed since it was saved (SHA-256 {actual[:12]}..., recorded "
                f"{digest[:12]}...); it is damaged or was edited, so the model was not loaded. Restore the "
                "directory from the original copy (reinstall stanceclf for a built-in model) or save the model "
                f"again. If you changed it on purpose, {on_purpose}."
            )
    return len(expected)


def _all_types(path: Path) -> set[str]:
    """Every ``module.Class`` named by a node of the skops file's schema (read as JSON, nothing built)."""
    with zipfile.ZipFile(path, "r") as zf:
        schema = json.loads(zf.read("schema.json"))
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node or "__class__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Write checksums.json (SHA-256 of every artefact file) in DIR.")
    p.add_argument("directory", type=Path)
    p.add_argument("files", nargs="*", help="files to list, relative to DIR (default: every file but "
                                            f"{', '.join(sorted(UNCHECKED_FILES))})")
    args = p.parse_args(argv)
    if not args.directory.is_dir():
        p.error(f"{args.directory} is not a directory")
    print(write_checksums(args.directory, args.files or None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
