"""Rendering of the benchmark table from result files (no training)."""

from __future__ import annotations

import json
from pathlib import Path

from stanceclf.eval.benchmark import SUITE, render_existing, render_markdown


def result(dataset: str, split: str, protocol: str, model: str, score: float, n_targets: int) -> dict:
    per_target = {f"t{i}": {"n": 10, "main_score": score} for i in range(n_targets)}
    return {
        "model": model, "dataset": dataset, "split": split, "protocol": protocol, "n_examples": 10 * n_targets,
        "scores": {"main_metric": "f_avg", "main_score": score, "main_ci95": [score - 0.02, score + 0.02],
                   "per_target": per_target, "target_mean": score},
        "train_time_s": 1.5, "examples_per_s": 1000.0, "peak_memory_mb": 300.0,
    }


def test_anchors_only_beside_in_target_rows_and_target_mean_only_for_closed_target_sets() -> None:
    md = render_markdown([
        result("semeval2016", "test", "in-target", "tfidf", 0.6762, 5),
        result("semeval2016", "test", "zero-shot", "tfidf", 0.33, 5),
        result("fnc1", "test", "in-target", "tfidf", 0.78, 900),
    ])
    rows = {tuple(cell.strip() for cell in line.split("|")[1:5]): line for line in md.splitlines() if line.startswith("| ")}
    assert "MITRE" in rows[("semeval2016", "test", "in-target", "tfidf")]
    assert "67.62 (65.6-69.6)" in rows[("semeval2016", "test", "in-target", "tfidf")]
    assert "MITRE" not in rows[("semeval2016", "test", "zero-shot", "tfidf")]
    fnc = rows[("fnc1", "test", "in-target", "tfidf")].split("|")
    assert fnc[7].strip() == "-"  # no mean over 900 headline "targets"


def test_render_existing_reads_result_files(tmp_path: Path) -> None:
    (tmp_path / "tfidf__semeval2016__in-target.json").write_text(json.dumps([result("semeval2016", "test", "in-target", "tfidf", 0.7, 5)]))
    (tmp_path / "quotes_rules.json").write_text(json.dumps({"mode": "rules"}))  # other result kinds are ignored
    out = tmp_path / "bench.md"
    md = render_existing(tmp_path, markdown_path=out)
    assert out.read_text() == md and "70.00" in md


def test_job_slugs_are_unique() -> None:
    slugs = [job.slug("tfidf") for job in SUITE]
    assert len(slugs) == len(set(slugs))


def test_unseen_target_results_get_their_own_section_with_the_target_pair() -> None:
    cross = result("pstance", "test", "cross-target", "tfidf", 0.55, 1)
    cross.update(train_targets=["Donald Trump"], test_targets=["Joe Biden"])
    md = render_markdown([result("semeval2016", "test", "in-target", "tfidf", 0.68, 5),
                          result("semeval2016", "test", "zero-shot", "tfidf", 0.33, 5), cross])
    section = md.split("## Generalisation to unseen targets")[1].split("## All results")[0]
    assert "cross-target (Trump -> Biden)" in section and "55.00" in section
    assert "33.00" in section and "68.00" not in section  # in-target rows stay out
    assert md.index("## Generalisation") < md.index("## All results")


def test_pstance_cross_target_jobs_cover_every_ordered_pair() -> None:
    pairs = {(job.train_targets, job.test_targets) for job in SUITE if job.protocol == "cross-target"}
    assert len(pairs) == 6 and all(a != b for a, b in pairs)


def test_suite_skips_protocols_an_ensemble_with_prefitted_members_cannot_run() -> None:
    from stanceclf.eval.benchmark import _can_run

    assert not _can_run("default+tfidf", "zero-shot") and not _can_run("default+tfidf", "cross-target")
    assert _can_run("default+tfidf", "in-target") and _can_run("tfidf", "zero-shot")
