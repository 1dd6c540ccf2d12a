#!/usr/bin/env python
"""Write a smaller encoder initialised from a fitted stance model: the student's starting point.

    python training/make_student.py --model default --layers 3 --output runs/student3-init
    python training/train_stance.py --config training/configs/student_stance.yaml \
        --data-dir ../shared/data --output runs/student3

Loads the fitted model (``default`` or a saved-model folder), folds its LoRA adapter into the
weights, keeps ``--layers`` evenly spaced encoder layers (3 of 6: layers 1, 3 and 6) and its
classification head, and saves a Hugging Face model folder (safetensors) with the tokenizer. That
folder is the ``encoder`` of a fine-tuning run: the student starts from the teacher's own layers and
head, then learns on the same data (layer dropping then fine-tuning, as in Sajjad et al., 2023).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))


def kept_layers(total: int, layers: int) -> list[int]:
    """Evenly spaced layer indices, first and last included.

    >>> kept_layers(6, 3)
    [0, 2, 5]
    >>> kept_layers(6, 2)
    [0, 5]
    """
    if not 1 <= layers <= total:
        raise SystemExit(f"--layers must be between 1 and {total}, got {layers}.")
    if layers == 1:
        return [total - 1]
    return sorted({(i * (total - 1)) // (layers - 1) for i in range(layers)})


def drop_layers(model: Any, layers: int) -> list[int]:
    """Keep ``layers`` evenly spaced encoder layers of a Hugging Face encoder model (or of the model
    inside a PEFT wrapper), in place; returns the kept layer indices."""
    import torch

    if hasattr(model, "get_base_model"):  # a LoRA-wrapped model: its layers are the inner model's
        model = model.get_base_model()
    encoder = model.base_model.encoder
    keep = kept_layers(len(encoder.layer), layers)
    encoder.layer = torch.nn.ModuleList(encoder.layer[i] for i in keep)
    model.config.num_hidden_layers = len(keep)
    return keep


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="default", help="the teacher: a registry name or a saved-model folder")
    p.add_argument("--layers", type=int, default=3, help="encoder layers the student keeps (default 3)")
    p.add_argument("--output", type=Path, required=True, help="folder for the student's initial encoder")
    args = p.parse_args(argv)
    import stanceclf

    teacher = stanceclf.load(args.model)
    model = teacher.model_
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    keep = drop_layers(model, args.layers)
    args.output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.output, safe_serialization=True)
    teacher.tokenizer_.save_pretrained(args.output)
    print(f"Wrote a {len(keep)}-layer student encoder (teacher layers {[i + 1 for i in keep]}) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
