"""Inference precision for the transformer components: fp32, bf16 and int8.

Every transformer part of stanceclf (the stance cross-encoder, the claim model, the quote tagger)
predicts in one of these precisions (``precision=`` on ``to()``, :class:`~stanceclf.Analyzer`,
``stanceclf analyze --precision``):

* ``"fp32"``: the reference.
* ``"bf16"``: bfloat16 autocast. Fast only where the hardware has bf16 arithmetic (CUDA GPUs of
  compute capability 8 and newer, CPUs with AVX-512 BF16 or AMX); elsewhere it is several times
  *slower* than fp32, so a request for it falls back to fp32 with a warning.
* ``"int8"``: an ONNX Runtime copy of the model with int8 weights and dynamically quantised
  activations (per-channel weights; the layers listed in :data:`INT8_KEEP_FP32` stay in fp32).
  CPU only; needs ``pip install 'stanceclf[fast]'``. The quantised copy is built on first use
  (about 20 s) and cached under :func:`cache_dir` by a fingerprint of the weights.
* ``"auto"``: the fastest of these whose cost in labels is measured (``benchmarks/precision.py``,
  docs/scaling.md): bf16 where the hardware has it, else fp32 (int8 changes more labels than the
  1% budget, see :data:`AUTO_CHOICE`).

>>> resolve_precision("fp32", "cpu")
'fp32'
>>> resolve_precision("int4", "cpu")
Traceback (most recent call last):
...
stanceclf.errors.ModelError: Unknown precision 'int4'; use one of auto, fp32, bf16, int8.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ModelError

__all__ = ["PRECISIONS", "AUTO_CHOICE", "INT8_KEEP_FP32", "fast_bf16", "resolve_precision", "cache_dir",
           "Int8Runner"]

PRECISIONS = ("auto", "fp32", "bf16", "int8")

#: What ``"auto"`` picks on hardware without fast bf16 (measured: benchmarks/results/precision.json).
AUTO_CHOICE = "fp32"

#: Name fragments of the layers int8 keeps in fp32 (the ONNX MatMul nodes whose names contain one):
#: the classification head, whose few outputs decide the label.
INT8_KEEP_FP32: tuple[str, ...] = ("classifier", "pooler")

logger = logging.getLogger(__name__)
_WARNED_BF16: set[str] = set()
_INT8_RECIPE = 1  # bump when the export or quantisation settings change: cached copies are rebuilt


def fast_bf16(device_type: str) -> bool:
    """Whether ``device_type`` ("cpu", "cuda", ...) computes in bfloat16 natively (fast)."""
    import torch

    if device_type == "cuda":
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device_type == "cpu":
        checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)
    return False


def resolve_precision(requested: str, device_type: str) -> str:
    """The precision a model on ``device_type`` will run in when ``requested`` is asked for.

    ``"auto"`` becomes ``"bf16"`` where :func:`fast_bf16` holds and :data:`AUTO_CHOICE` elsewhere;
    ``"bf16"`` without fast bf16 falls back to ``"fp32"`` (logged once per process); ``"int8"`` runs on the CPU only.
    """
    if requested not in PRECISIONS:
        raise ModelError(f"Unknown precision {requested!r}; use one of {', '.join(PRECISIONS)}.")
    if requested == "fp32":
        return "fp32"
    bf16 = fast_bf16(device_type)
    if requested == "auto":
        return "bf16" if bf16 else AUTO_CHOICE
    if requested == "bf16" and not bf16:
        if device_type not in _WARNED_BF16:  # once per process: each model of an analysis asks
            _WARNED_BF16.add(device_type)
            logger.warning("bf16 was asked for, but this %s has no fast bfloat16 arithmetic (it would run several "
                           "times slower than fp32); predicting in fp32 instead.", device_type)
        return "fp32"
    if requested == "int8" and device_type != "cpu":
        raise ModelError(f"precision='int8' runs on the CPU (ONNX Runtime), but the model is on {device_type!r}; "
                         "use precision='bf16' or 'fp32' there, or move the model with to('cpu').")
    return requested


def cache_dir() -> Path:
    """Where built artefacts (int8 copies of models) are cached: ``$STANCECLF_CACHE`` or
    ``~/.cache/stanceclf`` (``$XDG_CACHE_HOME/stanceclf`` when that is set)."""
    if os.environ.get("STANCECLF_CACHE"):
        return Path(os.environ["STANCECLF_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "stanceclf"


def _import_onnxruntime() -> Any:
    try:
        import onnxruntime
        from onnxruntime.quantization import quantize_dynamic  # noqa: F401  (fails when the onnx package is missing)
    except ImportError:
        raise ModelError("precision='int8' needs ONNX Runtime: pip install 'stanceclf[fast]' "
                         "(or choose precision='fp32').") from None
    return onnxruntime


def _fingerprint(model: Any, input_names: Sequence[str]) -> str:
    """A digest of the weights, the inputs and the recipe: a changed model never reuses a stale copy."""
    import onnxruntime
    import torch

    digest = hashlib.sha256(f"{_INT8_RECIPE}|{onnxruntime.__version__}|{torch.__version__}|{','.join(input_names)}"
                            f"|{','.join(INT8_KEEP_FP32)}".encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu").contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:24]


def _logits_only(model: Any, input_names: Sequence[str]) -> Any:
    """``model`` wrapped so the ONNX export sees positional inputs and one output (the logits)."""
    import torch

    class LogitsOnly(torch.nn.Module):  # defined here: torch is imported only when int8 is used
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: Any) -> Any:
            return self.model(**dict(zip(input_names, inputs))).logits

    return LogitsOnly()


class Int8Runner:
    """An int8 ONNX Runtime copy of a Hugging Face classification model (sequence or token labels).

    ``model``: the fp32 model (LoRA already merged; a PEFT wrapper is unwrapped). ``input_names``:
    the tokenizer outputs it reads, e.g. ``("input_ids", "attention_mask", "token_type_ids")``.
    Calling it with int64 arrays of those names returns float32 logits, as the model would.
    """

    def __init__(self, model: Any, input_names: Sequence[str], *, num_threads: int | None = None,
                 directory: str | Path | None = None):
        ort = _import_onnxruntime()
        import torch

        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self.input_names = tuple(input_names)
        self.path = Path(directory or cache_dir() / "int8") / f"{_fingerprint(base, self.input_names)}.onnx"
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(num_threads or torch.get_num_threads())
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        for attempt in (1, 2):  # a cached copy that does not open (cut short, foreign) is rebuilt once
            if not self.path.exists():
                self._build(base, torch)
            try:
                self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
                break
            except Exception as exc:  # onnxruntime raises its own exception types
                self.path.unlink(missing_ok=True)
                if attempt == 2:
                    raise ModelError(f"The int8 copy of the model ({self.path}) does not open in ONNX Runtime "
                                     f"({exc}); use precision='fp32'.") from None

    def _build(self, base: Any, torch: Any) -> None:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ModelError(f"Cannot create the int8 model cache {self.path.parent} ({exc.strerror}); set "
                             "STANCECLF_CACHE to a writable folder.") from None
        dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in self.input_names)
        axes = {name: {0: "batch", 1: "length"} for name in self.input_names}
        was_training = base.training
        base.eval()
        with tempfile.TemporaryDirectory(dir=self.path.parent) as tmp:
            fp32 = Path(tmp) / "fp32.onnx"
            try:
                with warnings.catch_warnings(), torch.inference_mode():
                    warnings.simplefilter("ignore")
                    torch.onnx.export(_logits_only(base, self.input_names), dummy, str(fp32),
                                      input_names=list(self.input_names), output_names=["logits"],
                                      dynamic_axes={**axes, "logits": {0: "batch"}}, opset_version=17, dynamo=False)
            except Exception as exc:  # an architecture the exporter cannot trace
                raise ModelError(f"This model ({type(base).__name__}) could not be converted to ONNX for int8 "
                                 f"({type(exc).__name__}: {exc}); use precision='fp32' or 'bf16'.") from None
            finally:
                base.train(was_training)
            keep = [node.name for node in onnx.load(str(fp32)).graph.node
                    if node.op_type in ("MatMul", "Gemm") and any(k in node.name for k in INT8_KEEP_FP32)]
            staged = Path(tmp) / "int8.onnx"
            logging.disable(logging.WARNING)  # the quantiser's advice on the root logger, at every build
            try:
                quantize_dynamic(str(fp32), str(staged), weight_type=QuantType.QInt8, per_channel=True,
                                 nodes_to_exclude=keep)
            finally:
                logging.disable(logging.NOTSET)
            os.replace(staged, self.path)

    def __call__(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: np.asarray(arrays[name], dtype=np.int64) for name in self.input_names}
        return np.asarray(self.session.run(["logits"], feed)[0], dtype=np.float32)
