"""Training the quote tagger: AdamW with warm-up/decay, dev early stopping, resumable checkpoints.

The loop is our own rather than :class:`transformers.Trainer` (which the stance model uses) for one
reason: resumable checkpoints. Trainer's checkpoints hold the optimizer, scheduler and RNG states as
pickles (``optimizer.pt``, ``scheduler.pt``, ``rng_state.pth``) that ``resume_from_checkpoint``
unpickles, and stanceclf never loads pickle from files; these checkpoints are safetensors + JSON.
The dev metric is also computed on whole articles (window-merged inference), not per window.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ...errors import DataError, ModelError
from .bio import IGNORE_INDEX, bio_encode, make_windows
from .documents import AnnotatedText

if TYPE_CHECKING:  # pragma: no cover
    from .model import QuoteTagger

@dataclass
class TrainConfig:
    """Hyper-parameters of :meth:`QuoteTagger.fit` (all have defaults; see training/configs)."""

    epochs: float = 3.0  #: may be fractional (0.5 = half an epoch of optimizer steps)
    batch_size: int = 16
    grad_accum: int = 1
    lr: float = 3e-4
    head_lr: float | None = None  #: learning rate of the classification head (default: ``lr``)
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_grad_norm: float = 1.0
    seed: int = 0
    train_overlap: int | None = None  #: overlap of training windows (default: the tagger's stride)
    eval_every_steps: int | None = None  #: evaluate on dev every N optimizer steps (default: each epoch)
    patience: int = 3  #: stop after this many evaluations without dev macro-F1 improvement
    checkpoint_every_steps: int = 50
    keep_checkpoint: bool = False  #: keep ``<output>/checkpoint`` after a finished run
    max_steps: int | None = None
    time_budget_minutes: float | None = None  #: stop (after a final dev evaluation) past this wall time
    eval_batch_size: int = 32
    log_every_steps: int = 10
    num_threads: int | None = None
    bf16: bool = False  #: bfloat16 autocast on CPU (faster on CPUs with AVX512-BF16/AMX)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ModelError(f"Unknown training option(s) {unknown}; known: {sorted(known)}.")
        return cls(**values)



def training_windows(tagger: QuoteTagger, docs: Sequence[AnnotatedText], overlap: int) -> list[tuple[list[int], list[int]]]:
    """``(input ids, label ids)`` of the training windows of ``docs`` (consecutive windows share ``overlap`` tokens)."""
    size = int(tagger.config["window"]) - 2
    out = []
    for doc, (ids, offsets) in zip(docs, tagger._tokenize([d.text for d in docs])):
        if not ids:
            continue
        labels = bio_encode(offsets, doc.spans)
        for s, e in make_windows(len(ids), size, overlap):
            out.append((tagger._window_inputs(ids, s, e), [IGNORE_INDEX, *labels[s:e], IGNORE_INDEX]))
    return out


def train(
    tagger: QuoteTagger,
    train_docs: Sequence[AnnotatedText],
    dev_docs: Sequence[AnnotatedText] | None = None,
    config: TrainConfig | None = None,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Train ``tagger`` on ``train_docs`` with AdamW + linear warm-up/decay; returns a summary dict.

    With ``dev_docs`` the model is evaluated every ``eval_every_steps`` (else every epoch) on
    token-level macro F1; the best state is kept (and saved to ``output_dir``), and training stops
    after ``patience`` evaluations without improvement. With ``output_dir``, a resumable checkpoint
    goes to ``<output_dir>/checkpoint`` and a JSON-lines log to ``<output_dir>/training_log.jsonl``.
    """
    import torch
    from tqdm.auto import tqdm

    if not tagger._trainable:
        raise ModelError("This tagger was loaded for inference (adapter merged); build one with "
                         "QuoteTagger.from_pretrained(...) to train.")
    cfg = config or TrainConfig()
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    overlap = cfg.train_overlap if cfg.train_overlap is not None else int(tagger.config["stride"])
    t_start = time.time()
    examples = training_windows(tagger, train_docs, overlap)
    if not examples:
        raise DataError("No training windows: the training texts are empty.")
    n_batches = math.ceil(len(examples) / cfg.batch_size)
    steps_per_epoch = math.ceil(n_batches / cfg.grad_accum)
    total_steps = cfg.max_steps or max(1, math.ceil(cfg.epochs * steps_per_epoch))
    eval_every = cfg.eval_every_steps or steps_per_epoch
    warmup = int(cfg.warmup_ratio * total_steps)

    model = tagger.model
    head, body = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (head if "classifier" in name else body).append((name, p))
    def groups(params: list[tuple[str, Any]], lr: float) -> list[dict[str, Any]]:
        decay = [p for n, p in params if p.ndim >= 2 and "LayerNorm" not in n]
        no_decay = [p for n, p in params if not (p.ndim >= 2 and "LayerNorm" not in n)]
        return [g for g in ({"params": decay, "weight_decay": cfg.weight_decay, "lr": lr},
                            {"params": no_decay, "weight_decay": 0.0, "lr": lr}) if g["params"]]
    optimizer = torch.optim.AdamW(groups(body, cfg.lr) + groups(head, cfg.head_lr or cfg.lr), lr=cfg.lr)

    def lr_lambda(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    out_dir = Path(output_dir) if output_dir else None
    ckpt_dir = out_dir / "checkpoint" if out_dir else None
    log_path = out_dir / "training_log.jsonl" if out_dir else None
    state = {"global_step": 0, "epoch": 0, "batch_in_epoch": 0, "best_metric": -1.0, "best_step": 0,
             "bad_evals": 0, "elapsed_s": 0.0, "best_eval": None, "last_eval_step": -1}
    best_weights: dict[str, Any] | None = None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)  # dropout; a resumed run restores the checkpoint's RNG state
    if resume and ckpt_dir and (ckpt_dir / "state.json").is_file():
        state = _load_checkpoint(tagger, ckpt_dir, optimizer, scheduler, state)
        best_weights = _load_best_weights(ckpt_dir)
        if log_path and log_path.exists():
            _truncate_log(log_path, state["global_step"])
    elif log_path and log_path.exists() and not resume:
        log_path.unlink()
    elapsed0 = state["elapsed_s"]

    def log(record: dict[str, Any]) -> None:
        if log_path:
            with log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")

    pad = tagger.tokenizer.pad_token_id or 0
    losses: list[float] = []
    first_losses: list[float] = []
    window_loss = 0.0
    window_n = 0
    stop_reason = "completed"
    pbar = tqdm(total=total_steps, initial=state["global_step"], disable=not progress, desc="quote tagger",
                unit="step", dynamic_ncols=True)

    def do_eval() -> bool:
        """Evaluate on dev; returns True when training should stop (patience exhausted)."""
        nonlocal best_weights
        state["last_eval_step"] = state["global_step"]
        if not dev_docs:
            return False
        t0 = time.time()
        metrics = tagger.evaluate(dev_docs, batch_size=cfg.eval_batch_size)
        model.train()
        score = metrics["macro_f1"]
        improved = score > state["best_metric"]
        log({"type": "eval", "step": state["global_step"], "epoch": state["epoch"], "dev": metrics,
             "eval_s": round(time.time() - t0, 1), "elapsed_s": round(elapsed0 + time.time() - t_start, 1),
             "improved": improved})
        pbar.set_postfix(dev_f1=f"{score:.3f}", best=f"{max(score, state['best_metric']):.3f}")
        if improved:
            state.update(best_metric=score, best_step=state["global_step"], bad_evals=0, best_eval=metrics)
            best_weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
            if out_dir:
                tagger.save(out_dir)
            return False
        state["bad_evals"] += 1
        return state["bad_evals"] >= cfg.patience

    model.train()
    stop = state["global_step"] >= total_steps
    while not stop:
        gen = torch.Generator().manual_seed(cfg.seed * 1000 + state["epoch"])
        perm = torch.randperm(len(examples), generator=gen).tolist()
        batches = [perm[i:i + cfg.batch_size] for i in range(0, len(perm), cfg.batch_size)]
        for b_idx in range(state["batch_in_epoch"], len(batches)):
            batch = [examples[i] for i in batches[b_idx]]
            width = max(len(x[0]) for x in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for r, (ids, labs) in enumerate(batch):
                input_ids[r, : len(ids)] = torch.tensor(ids)
                labels[r, : len(labs)] = torch.tensor(labs)
                mask[r, : len(ids)] = 1
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                logits = model(input_ids=input_ids, attention_mask=mask).logits
            loss = torch.nn.functional.cross_entropy(
                logits.float().view(-1, logits.shape[-1]), labels.view(-1), ignore_index=IGNORE_INDEX)
            (loss / cfg.grad_accum).backward()
            loss_value = float(loss.detach())
            window_loss += loss_value
            window_n += 1
            if len(first_losses) < 5:
                first_losses.append(loss_value)
            losses.append(loss_value)
            if (b_idx + 1) % cfg.grad_accum and b_idx != len(batches) - 1:
                continue
            torch.nn.utils.clip_grad_norm_([p for _, p in body + head], cfg.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            state["global_step"] += 1
            state["batch_in_epoch"] = b_idx + 1
            pbar.update(1)
            step = state["global_step"]
            if step % cfg.log_every_steps == 0 or step == total_steps:
                avg = window_loss / max(1, window_n)
                log({"type": "train", "step": step, "epoch": state["epoch"] + (b_idx + 1) / len(batches),
                     "loss": round(avg, 5), "lr": scheduler.get_last_lr()[0],
                     "elapsed_s": round(elapsed0 + time.time() - t_start, 1)})
                pbar.set_postfix(loss=f"{avg:.4f}")
                window_loss, window_n = 0.0, 0
            over_budget = (cfg.time_budget_minutes is not None
                           and elapsed0 + time.time() - t_start > 60 * cfg.time_budget_minutes)
            if step % eval_every == 0 or step >= total_steps or over_budget:
                if do_eval():
                    stop, stop_reason = True, "early_stopping"
            if over_budget and not stop:
                stop, stop_reason = True, "time_budget"
            if step >= total_steps:
                stop = True
            if ckpt_dir and (step % cfg.checkpoint_every_steps == 0 or stop):
                state["elapsed_s"] = elapsed0 + time.time() - t_start
                _save_checkpoint(tagger, ckpt_dir, optimizer, scheduler, state, best_weights)
            if stop:
                break
        if not stop:
            state["epoch"] += 1
            state["batch_in_epoch"] = 0
    pbar.close()
    if state["last_eval_step"] != state["global_step"] and dev_docs:
        do_eval()
    model.eval()
    if best_weights is not None:
        import torch as _t

        with _t.no_grad():
            for n, p in model.named_parameters():
                if n in best_weights:
                    p.copy_(best_weights[n])
    elif out_dir:
        tagger.save(out_dir)  # no dev set: the final state is the artefact
    if ckpt_dir and ckpt_dir.exists() and not cfg.keep_checkpoint:
        shutil.rmtree(ckpt_dir)
    wall = elapsed0 + time.time() - t_start
    summary = {
        "train_texts": len(train_docs),
        "train_windows": len(examples),
        "dev_texts": len(dev_docs or []),
        "steps_per_epoch": steps_per_epoch,
        "total_steps": total_steps,
        "steps_done": state["global_step"],
        "epochs_done": round(state["global_step"] / steps_per_epoch, 3),
        "stop_reason": stop_reason,
        "best_step": state["best_step"],
        "best_dev": state["best_eval"],
        "first_loss": round(float(np.mean(first_losses)), 5) if first_losses else None,
        "last_loss": round(float(np.mean(losses[-5:])), 5) if losses else None,
        "wall_time_s": round(wall, 1),
    }
    log({"type": "end", **{k: v for k, v in summary.items() if k != "best_dev"}})
    return summary


# ---- checkpoints (safetensors + JSON; never pickle) -------------------------------------------------


def _save_checkpoint(tagger: QuoteTagger, d: Path, optimizer: Any, scheduler: Any, state: dict[str, Any],
                     best_weights: dict[str, Any] | None) -> None:
    import torch
    from safetensors.torch import save_file

    d.mkdir(parents=True, exist_ok=True)
    trainable = {n: p.detach().contiguous() for n, p in tagger.model.named_parameters() if p.requires_grad}
    opt = optimizer.state_dict()
    tensors: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    for idx, st in opt["state"].items():
        for k, v in st.items():
            if isinstance(v, torch.Tensor):
                tensors[f"{idx}.{k}"] = v.detach().contiguous()
            else:
                scalars[f"{idx}.{k}"] = v
    tensors["__rng__"] = torch.get_rng_state()
    meta = {"param_groups": opt["param_groups"], "scalars": scalars, "scheduler": scheduler.state_dict()}
    save_file(trainable, str(d / "trainable.safetensors.tmp"))
    save_file(tensors, str(d / "optimizer.safetensors.tmp"))
    if best_weights is not None:
        save_file({k: v.contiguous() for k, v in best_weights.items()}, str(d / "best.safetensors.tmp"))
    for name in ("trainable", "optimizer", "best"):
        tmp = d / f"{name}.safetensors.tmp"
        if tmp.exists():
            os.replace(tmp, d / f"{name}.safetensors")
    (d / "optimizer.json.tmp").write_text(json.dumps(meta, default=_json_default), encoding="utf-8")
    os.replace(d / "optimizer.json.tmp", d / "optimizer.json")
    (d / "state.json.tmp").write_text(json.dumps(state, default=_json_default), encoding="utf-8")
    os.replace(d / "state.json.tmp", d / "state.json")

def _load_checkpoint(tagger: QuoteTagger, d: Path, optimizer: Any, scheduler: Any, default: dict[str, Any]) -> dict[str, Any]:
    import torch
    from safetensors.torch import load_file

    state = dict(default, **json.loads((d / "state.json").read_text(encoding="utf-8")))
    trainable = load_file(str(d / "trainable.safetensors"))
    params = dict(tagger.model.named_parameters())
    with torch.no_grad():
        for n, t in trainable.items():
            if n not in params:
                raise ModelError(f"Checkpoint {d} does not match this model (unknown parameter {n}).")
            params[n].copy_(t)
    tensors = load_file(str(d / "optimizer.safetensors"))
    meta = json.loads((d / "optimizer.json").read_text(encoding="utf-8"))
    opt_state: dict[int, dict[str, Any]] = {}
    for key, v in tensors.items():
        if key == "__rng__":
            continue
        idx, k = key.split(".", 1)
        opt_state.setdefault(int(idx), {})[k] = v
    for key, v in meta["scalars"].items():
        idx, k = key.split(".", 1)
        opt_state.setdefault(int(idx), {})[k] = v
    groups = meta["param_groups"]
    for g in groups:
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
    optimizer.load_state_dict({"state": opt_state, "param_groups": groups})
    scheduler.load_state_dict(meta["scheduler"])
    if "__rng__" in tensors:
        torch.set_rng_state(tensors["__rng__"])
    return state

def _load_best_weights(d: Path) -> dict[str, Any] | None:
    from safetensors.torch import load_file

    p = d / "best.safetensors"
    return load_file(str(p)) if p.is_file() else None


def _truncate_log(log_path: Path, step: int) -> None:
    """Drop the log records of steps after ``step`` (the checkpoint a run resumes from): a killed run
    may have logged steps its checkpoint does not hold, and the resumed run logs them again."""
    kept = []
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by the kill
        if record.get("step", 0) <= step:
            kept.append(line)
    log_path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, tuple)):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


