#!/usr/bin/env python
"""Benchmark the end-to-end analysis (``stanceclf analyze``): quality on annotated articles, speed per
stage, and memory as the corpus grows.

    python benchmarks/analysis.py --data-dir ../shared/data            # quality + speed
    python benchmarks/analysis.py --memory 10000                        # memory growth (slow)

* **quality**: every article in ``<data-dir>/examples/`` (e.g. harbor.json) and the polnear-stance
  validation articles (PolNeAR dev, this project's labels): quote P/R/F1 at overlap 0.3, speaker
  accuracy, target-linking recall/precision, and stance accuracy/macro-F1 with 95% CIs over the
  annotated (quote, target) pairs (:func:`stanceclf.eval.analysis.score_analyses`). Results:
  ``analysis_<corpus>_<mode>.json``.
* **speed**: generated ~500-word news articles with 5 targets each (see :func:`generate_article`;
  fictional names and templates, no real data), articles/second end to end and seconds per stage
  (extract = spaCy + tagger + rules, targets = target linking, stance = the model). Results:
  ``analysis_speed_<mode>.json``.
* **memory**: peak RSS of one process streaming N generated articles (records written to a
  temporary JSONL file, aggregates kept), reported after 100, 1,000, 2,000, 5,000 ... and N articles;
  the JSON is rewritten at every mark. Results: ``analysis_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = REPO / "benchmarks" / "results"

# -- a generator of fictional news articles ----------------------------------------------------------
_FIRST = ["Anna", "Marek", "Lucia", "Tomas", "Ingrid", "Pavel", "Sofia", "Jonas", "Elif", "Ruben", "Nadia", "Karl"]
_LAST = ["Novak", "Berg", "Costa", "Lindqvist", "Moreau", "Hadley", "Petrov", "Okafor", "Santos", "Weber", "Ilic", "Duarte"]
_ROLES = ["Finance Minister", "opposition leader", "Senator", "union chief", "Mayor", "Energy Minister", "spokesperson"]
_TARGETS = [("the pension reform", ["the reform"]), ("the wind farm project", ["the wind farm"]),
            ("the trade agreement", ["the agreement"]), ("the central bank", ["the bank"]),
            ("the border fence", ["the fence"]), ("the rail strike", ["the strike"]),
            ("the housing plan", ["the plan"]), ("the fishing quota", ["the quota"]),
            ("the mining licence", ["the licence"]), ("the coalition", ["the government"])]
_POSITIVE = ["is the best thing to happen to this country in years", "will protect thousands of jobs",
             "deserves our full support", "is a fair and overdue compromise", "will make families safer"]
_NEGATIVE = ["is a disaster for ordinary workers", "was written for a handful of lobbyists",
             "will cost taxpayers billions", "is reckless and badly designed", "must be stopped before it is too late"]
_FILLER = ["The talks resumed on Monday in the capital after a week of delays.",
           "Officials said further meetings were planned for the coming weeks.",
           "The parliament is expected to vote on the measure before the summer recess.",
           "Several regional newspapers carried the story on their front pages.",
           "Analysts expect the debate to dominate the remaining weeks of the session.",
           "The ministry published a short statement late in the evening.",
           "Local residents gathered outside the town hall as the meeting began."]


def generate_article(rng: random.Random, words: int = 500, targets: list[tuple[str, list[str]]] | None = None
                     ) -> tuple[str, dict[str, list[str]]]:
    """A fictional ~``words``-word article with direct, partial and reported quotes about 5 targets
    (drawn from ``targets``, default all of ``_TARGETS``)."""
    targets = rng.sample(targets or _TARGETS, 5)
    people = [(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", rng.choice(_ROLES), rng.choice(["he", "she"]))
              for _ in range(4)]
    paragraphs: list[str] = []
    n = 0
    while n < words:
        (name, role, pron), (target, aliases) = rng.choice(people), rng.choice(targets)
        ref = rng.choice([target] + aliases)
        claim = rng.choice(_POSITIVE + _NEGATIVE)
        surname = name.split()[-1]
        form = rng.randrange(5)
        if form == 0:
            para = f'"{ref.capitalize()} {claim}," {role} {name} said on {rng.choice(["Monday", "Tuesday", "Friday"])}.'
        elif form == 1:
            para = f'{surname} said {ref} "{claim}." "We will not change our position," {pron} added.'
        elif form == 2:
            para = f"{role.capitalize()} {name} warned that {ref} {claim}."
        elif form == 3:
            para = f'According to {name}, {ref} {claim}. {rng.choice(_FILLER)}'
        else:
            para = f'{rng.choice(_FILLER)} {surname} described {ref} as something that "{claim}."'
        paragraphs.append(para)
        n += len(para.split())
    return "\n\n".join(paragraphs), {t: a for t, a in targets}


# -- measurements -----------------------------------------------------------------------------------

def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quality(data_dir: Path, mode: str, corpus: str = "examples", model: str = "default") -> dict:
    """Quote, speaker, linking and stance scores on annotated articles: ``examples`` (harbor.json and
    any other file in ``<data-dir>/examples``) or ``polnear-stance`` (PolNeAR dev articles with this
    project's stance labels; evaluation only)."""
    from stanceclf.analysis import Analyzer
    from stanceclf.eval.analysis import polnear_stance_articles, score_analyses
    from stanceclf.eval.quotes import read_example_articles

    articles = (read_example_articles(data_dir / "examples") if corpus == "examples"
                else polnear_stance_articles(data_dir, "validation"))
    analyzer = Analyzer(model=model, extractor=mode)
    analyses = [analyzer.analyze(a.text, a.targets, doc_id=a.id) for a in articles]
    scores = score_analyses(articles, analyses)
    q = scores["quotes"]
    return {"corpus": corpus, "articles": [a.id for a in articles], "extractor": mode, "model": model,
            "quote_f1@0.3": q["by_threshold"]["0.3"]["f1"], "quote_recall@0.3": q["by_threshold"]["0.3"]["recall"],
            "speaker_accuracy": q["speaker_accuracy"], "not_quote_violations": q["not_quote_violations"]["count"],
            "linking": scores["linking"], "stance": scores["stance"], "stance_aimed": scores["stance_aimed"],
            "pairs": scores["pairs"]}


def speed(mode: str, n_articles: int, seed: int = 0, precisions: list[str] | None = None) -> dict:
    """Articles per second end to end, with the time of each stage, and the cost of claim scoring:
    the same articles through an analyzer with the built-in claim model and one without, article by
    article in turn (so both see the same machine load). Each of ``precisions`` (e.g. ``["int8"]``,
    :mod:`stanceclf.models.precision`) adds one more analyzer in the same rotation, reported under
    ``by_precision`` with its own stage times."""
    from stanceclf.analysis import Analyzer, Document
    from stanceclf.models.default import default_claims_available

    rng = random.Random(seed)
    docs = [generate_article(rng) for _ in range(n_articles)]
    analyzer = Analyzer(extractor=mode)  # with the built-in claim model when it is installed
    plain = Analyzer(extractor=mode, claim_model=None) if default_claims_available() else None
    others = {p: Analyzer(extractor=mode, precision=p) for p in precisions or []}
    other_seconds = dict.fromkeys(others, 0.0)
    warm_text, warm_targets = generate_article(random.Random(seed + 1))
    for a in (analyzer, plain, *others.values()):
        if a is not None:
            a.analyze(warm_text, warm_targets)  # load the models before timing
            a.timings.clear()
    quotes = pairs = 0
    seconds = plain_seconds = 0.0
    for i, (text, targets) in enumerate(docs):  # per-article targets: one call per article
        t0 = time.perf_counter()
        (result,) = analyzer.analyze_documents([Document(f"g{i}", text)], targets)
        seconds += time.perf_counter() - t0
        quotes += len(result.quotes)
        pairs += sum(len(q.stances) for q in result.quotes)
        if plain is not None:
            t0 = time.perf_counter()
            (_,) = plain.analyze_documents([Document(f"g{i}", text)], targets)  # a generator: run it
            plain_seconds += time.perf_counter() - t0
        for name, other in others.items():
            t0 = time.perf_counter()
            (_,) = other.analyze_documents([Document(f"g{i}", text)], targets)
            other_seconds[name] += time.perf_counter() - t0
    words = sum(len(t.split()) for t, _ in docs)
    stages = {k: round(v, 3) for k, v in analyzer.timings.items()}
    out = {"extractor": mode, "articles": n_articles, "mean_words": round(words / n_articles), "targets_per_article": 5,
           "seconds": round(seconds, 2), "articles_per_s": round(n_articles / seconds, 3),
           "words_per_s": round(words / seconds), "quotes": quotes, "pairs": pairs,
           "stage_seconds": stages, "stage_share": {k: round(v / seconds, 3) for k, v in analyzer.timings.items()},
           "claim_scoring": "default-claims" if plain is not None else None}
    if plain is not None:
        out["without_claims"] = {"seconds": round(plain_seconds, 2), "articles_per_s": round(n_articles / plain_seconds, 3)}
        out["claims_added_share"] = round((seconds - plain_seconds) / plain_seconds, 3)
        out["claims_stage_share_of_rest"] = round(stages.get("claims", 0.0) / (seconds - stages.get("claims", 0.0)), 3)
    out["by_precision"] = {name: {"seconds": round(other_seconds[name], 2),
                                  "articles_per_s": round(n_articles / other_seconds[name], 3),
                                  "speedup": round(seconds / other_seconds[name], 2),
                                  "stage_seconds": {k: round(v, 3) for k, v in other.timings.items()}}
                           for name, other in others.items()}
    out["peak_rss_mb"] = round(_peak_rss_mb())
    return out


MEMORY_MARKS = (100, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)


def memory_run(n_articles: int, mode: str) -> None:
    """Stream ``n_articles`` generated articles through the analyzer (records to a temporary JSONL
    file, aggregates kept), printing one JSON line with the peak RSS so far at each mark."""
    from stanceclf.analysis import Analyzer, Document
    from stanceclf.analysis.outputs import RecordWriter, StanceAggregate

    rng = random.Random(0)
    targets = {t: a for t, a in _TARGETS[:5]}

    def stream():
        for i in range(n_articles):
            text, _ = generate_article(rng)
            yield Document(f"g{i}", text)

    analyzer = Analyzer(extractor=mode)
    agg = StanceAggregate()
    marks = {m for m in MEMORY_MARKS if m < n_articles} | {n_articles}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, RecordWriter(Path(tmp) / "out.jsonl") as writer:
        for i, result in enumerate(analyzer.analyze_documents(stream(), targets), start=1):
            agg.add(result, writer.write(result))
            if i in marks:
                print(json.dumps({"articles": i, "peak_rss_mb": round(_peak_rss_mb()), "records": writer.records,
                                  "seconds": round(time.perf_counter() - t0, 1)}), flush=True)


# -- docs -----------------------------------------------------------------------------------------------

START, END = "<!-- analysis-results:start -->", "<!-- analysis-results:end -->"


def render(results_dir: Path) -> str:
    """Markdown summary of the analysis result files in ``results_dir``."""
    def load(name: str) -> dict | None:
        path = results_dir / name
        return json.loads(path.read_text()) if path.is_file() else None

    lines = ["Generated from `benchmarks/results/analysis_*.json` by `python benchmarks/analysis.py --render "
             "docs/analysis.md`; commands in each file.", ""]
    quality = [r for r in (load(f"analysis_{c}_{m}.json") for c in ("examples", "polnear-stance")
                           for m in ("hybrid", "rules", "tagger")) if r]
    if quality:
        lines += ["### Quality on annotated articles", "",
                  "| corpus | extractor | quote F1@0.3 | speaker accuracy | linking recall | linking precision "
                  "| stance accuracy (aimed pairs) | macro-F1 (aimed pairs) | stance accuracy (all pairs) | macro-F1 (all pairs) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]

        def with_ci(s: dict, key: str) -> str:
            ci = s.get(f"{key}_ci95")
            return f"{s[key]:.3f}" + (f" ({ci[0]:.3f}-{ci[1]:.3f})" if ci else "")

        for r in quality:
            s, a, link = r["stance"], r.get("stance_aimed") or r["stance"], r.get("linking") or {}
            lines.append(f"| {r.get('corpus', 'examples')} | {r['extractor']} | {r['quote_f1@0.3']:.3f} | "
                         f"{r['speaker_accuracy']['accuracy']:.3f} | {link.get('recall', 0):.3f} "
                         f"({link.get('correct_links')}/{link.get('gold_aimed_pairs')}) | {link.get('precision', 0):.3f} | "
                         f"**{with_ci(a, 'accuracy')}** ({a['correct']}/{a['pairs']}) | {with_ci(a, 'macro_f1')} | "
                         f"{with_ci(s, 'accuracy')} ({s['correct']}/{s['pairs']}) | {with_ci(s, 'macro_f1')} |")
        lines += ["", "Aimed pairs: the (quote, target) pairs whose quote is aimed at the target (harbor lists only "
                      "those; polnear-stance also labels every other target of the article NONE, the *all pairs* "
                      "columns). Linking: recall of the gold aimed pairs among the links the pipeline made, and "
                      "their precision; a gold quote the extractor misses links nothing. 95% bootstrap CIs in "
                      f"brackets. Model `{quality[0]['model']}`.", ""]
        for r in quality:
            lines.append(f"- {r.get('corpus', 'examples')} / {r['extractor']}: gold (aimed) "
                         f"{(r.get('stance_aimed') or r['stance'])['gold_distribution']}, predicted "
                         f"{(r.get('stance_aimed') or r['stance'])['predicted_distribution']}; correct links by rule "
                         f"{(r.get('linking') or {}).get('correct_links_by_via')}.")
        lines.append("")
    for r in quality:
        if r.get("extractor") == "hybrid" and r.get("corpus") == "polnear-stance":
            lines += error_table(r)
    speed = [r for r in (load(f"analysis_speed_{m}.json") for m in ("hybrid", "rules", "tagger")) if r]
    if speed:
        lines += ["### Speed (generated 500-word articles, 5 targets each)", "",
                  "| extractor | articles/s | words/s | extract s | targets s | stance s | claims s | claims add "
                  "| quotes/article | pairs/article | peak MB |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in speed:
            st, n = r["stage_seconds"], r["articles"]
            added = r.get("claims_added_share")
            lines.append(f"| {r['extractor']} | {r['articles_per_s']:.2f} | {r['words_per_s']:,} | {st.get('extract', 0):.1f} | "
                         f"{st.get('targets', 0):.2f} | {st.get('stance', 0):.1f} | {st.get('claims', 0):.1f} | "
                         f"{'-' if added is None else f'{100 * added:.0f}%'} | {r['quotes'] / n:.1f} | "
                         f"{r['pairs'] / n:.1f} | {r['peak_rss_mb']} |")
        lines += ["", f"{speed[0]['articles']} articles per run, {speed[0]['machine']}; stage seconds are totals over "
                      "the run (extract = spaCy parse + span tagger + rules + speakers; stance = the model on the "
                      "linked pairs; claims = the claim model on every quote). \"claims add\" is the extra time of claim "
                      "scoring: the same articles through an analyzer without the claim model, article by article "
                      "in turn. The generated articles are quote-dense (every paragraph quotes someone), a "
                      "harder case than most news: time grows with the number of (quote, target) pairs. Peak MB is the "
                      "benchmark process, which holds every analyzer of its rotation at once (two, or three with "
                      "an extra precision).", ""]
        for r in speed:
            for name, other in (r.get("by_precision") or {}).items():
                st = other["stage_seconds"]
                lines += [f"The same {r['extractor']} run with `precision={name}` in the same rotation: "
                          f"{other['articles_per_s']:.2f} articles/s ({other['speedup']:.2f}x; extract "
                          f"{st.get('extract', 0):.1f} s, stance {st.get('stance', 0):.1f} s, claims "
                          f"{st.get('claims', 0):.1f} s); see [scaling.md](scaling.md).", ""]
    memory = load("analysis_memory.json")
    if memory:
        lines += ["### Memory as the corpus grows", "",
                  "One stream of generated articles (records written to JSONL, aggregates kept); peak resident memory "
                  "of the process after N articles:", "",
                  "| extractor | articles | peak RSS (MB) | seconds | records |", "|---|---|---|---|---|"]
        for r in memory["runs"]:
            for m in r["marks"]:
                lines.append(f"| {r['extractor']} | {m['articles']:,} | {m['peak_rss_mb']:,} | {m['seconds']:,} | {m['records']:,} |")
        lines += ["", f"Command: `{memory['command']}`.", ""]
    return "\n".join(lines)


def error_table(result: dict, n: int = 30, seed: int = 0) -> list[str]:
    """Markdown: ``n`` random wrong (quote, target) pairs of a quality result, counted by cause
    (:func:`stanceclf.eval.analysis.error_cause`), then listed by id (no article text: PolNeAR is
    research-only)."""
    from collections import Counter

    from stanceclf.eval.analysis import error_cause

    wrong = [p for p in result["pairs"] if error_cause(p)]
    sample = random.Random(seed).sample(wrong, min(n, len(wrong)))
    counts = Counter(error_cause(p) for p in sample)
    lines = [f"### Errors by cause ({len(sample)} random errors of {len(wrong)}, {result['corpus']}, "
             f"{result['extractor']} extractor)", "",
             "| cause | errors | share |", "|---|---:|---:|"]
    lines += [f"| {cause} | {k} | {k / len(sample):.0%} |" for cause, k in counts.most_common()]
    lines += ["", "<details><summary>The sampled errors</summary>", "",
              "| article / attribution | target | gold | predicted | linked via | cause |", "|---|---|---|---|---|---|"]
    for p in sorted(sample, key=lambda p: (error_cause(p), p["quote"])):
        lines.append(f"| {p['quote']} | {p['target']} | {p['gold']} | {p['predicted']} | {p['via'] or '-'} "
                     f"| {error_cause(p)} |")
    return lines + ["", "</details>", ""]


def write_docs(path: Path, results_dir: Path) -> None:
    text = path.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{path} has no {START} ... {END} block to fill.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{render(results_dir)}\n{END}{tail}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=os.environ.get("STANCECLF_DATA"))
    p.add_argument("--modes", nargs="+", default=["hybrid", "rules"], choices=["rules", "tagger", "hybrid"])
    p.add_argument("--articles", type=int, default=40, help="generated articles for the speed run")
    p.add_argument("--memory", type=int, nargs="*", help="corpus sizes for the memory run (each in its own process)")
    p.add_argument("--memory-mode", default="rules", choices=["rules", "tagger", "hybrid"])
    p.add_argument("--skip-quality", action="store_true")
    p.add_argument("--corpora", nargs="+", default=["examples", "polnear-stance"],
                   choices=["examples", "polnear-stance"], help="annotated corpora for the quality run")
    p.add_argument("--model", default="default", help="stance model (a registry name or a saved-model folder)")
    p.add_argument("--skip-speed", action="store_true")
    p.add_argument("--precisions", nargs="*", default=[], choices=["fp32", "bf16", "int8", "auto"],
                   help="speed run: also time analyzers in these precisions, article by article beside fp32")
    p.add_argument("--output-dir", type=Path, default=RESULTS)
    p.add_argument("--render", type=Path, metavar="MARKDOWN",
                   help="only rewrite the results block of this markdown file from the result files")
    p.add_argument("--_memory-child", type=int, dest="memory_child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.render:
        write_docs(args.render, args.output_dir)
        return 0
    if args.memory_child:
        memory_run(args.memory_child, args.memory_mode)
        return 0
    from stanceclf import __version__

    args.output_dir.mkdir(parents=True, exist_ok=True)
    meta = {"stanceclf_version": __version__, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "command": "python benchmarks/analysis.py " + " ".join(sys.argv[1:] if argv is None else argv)}
    if args.memory:
        runs = []
        for n in args.memory:
            run = {"articles": n, "extractor": args.memory_mode, "marks": []}
            runs.append(run)
            child = subprocess.Popen([sys.executable, __file__, "--_memory-child", str(n), "--memory-mode",
                                      args.memory_mode], stdout=subprocess.PIPE, text=True)
            for line in child.stdout:  # write after every mark, so a long run leaves partial results
                if line.startswith("{"):
                    run["marks"].append(json.loads(line))
                    print(line.strip(), flush=True)
                    (args.output_dir / "analysis_memory.json").write_text(json.dumps({**meta, "runs": runs}, indent=2) + "\n")
            if child.wait() != 0:
                print(f"memory run of {n} articles failed (exit {child.returncode})", file=sys.stderr)
                return 1
        return 0
    for mode in args.modes:
        for corpus in ([] if args.skip_quality else args.corpora):
            needed = "examples" if corpus == "examples" else "polnear"
            if args.data_dir is None or not (Path(args.data_dir) / needed).is_dir():
                print(f"no <data-dir>/{needed}: skipping the {corpus} quality run", file=sys.stderr)
                continue
            result = {**meta, **quality(Path(args.data_dir), mode, corpus, args.model)}
            (args.output_dir / f"analysis_{corpus}_{mode}.json").write_text(json.dumps(result, indent=2) + "\n")
            s, a, link = result["stance"], result["stance_aimed"], result["linking"]
            print(f"[{mode}] {corpus}: quote F1@0.3 {result['quote_f1@0.3']:.3f}, speakers "
                  f"{result['speaker_accuracy']['accuracy']}, linking recall {link['recall']} precision "
                  f"{link['precision']}, stance (aimed) accuracy {a.get('accuracy')} macro-F1 {a.get('macro_f1')}, "
                  f"(all) accuracy {s.get('accuracy')} macro-F1 {s.get('macro_f1')}", flush=True)
        if not args.skip_speed:
            result = {**meta, **speed(mode, args.articles, precisions=args.precisions)}
            (args.output_dir / f"analysis_speed_{mode}.json").write_text(json.dumps(result, indent=2) + "\n")
            print(f"[{mode}] speed: {result['articles_per_s']} articles/s ({result['words_per_s']} words/s), "
                  f"stages {result['stage_seconds']}, claim scoring adds {result.get('claims_added_share')}, "
                  f"peak {result['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
