"""Claim scores in the analysis: every quote scored in one batched call per chunk, the scores in every
output (records, CSV, JSONL, DataFrame, table, report), claims switched off, a missing built-in model,
failing claim models, the ranking of the most check-worthy quotes. A fake claim model and a fake stance
model stand in for the real ones (no torch); one test runs the real default claim model when installed."""

from __future__ import annotations

import csv
import importlib.util
import json
import logging
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("spacy")

from stanceclf.analysis import Analyzer, ArticleAnalysis, Document, DocumentError, parse_targets  # noqa: E402
from stanceclf.analysis.outputs import RecordWriter, format_article_table, records_dataframe, write_html_report  # noqa: E402
from stanceclf.analysis.quote_listing import ClaimRanking, by_checkworthiness  # noqa: E402
from stanceclf.analysis.report import article_fragment  # noqa: E402
from stanceclf.analysis.results import CLAIM_RECORD_FIELDS, RECORD_FIELDS, RECORD_FLOATS  # noqa: E402
from stanceclf.analysis.runs import run_corpus  # noqa: E402
from stanceclf.errors import ModelError  # noqa: E402
from stanceclf.types import CLAIM_SCORE_FIELDS, ClaimScores  # noqa: E402

BUDGET = ('Finance Minister Clara Voss defended the budget on Monday. "Unemployment fell to 4.2 percent this '
          'year," Voss said. "I am proud of this government."\n\n'
          'Opposition leader Mark Hale attacked the budget. He said it was "a betrayal of working families" '
          'and warned that prices would rise.')
HARBOUR = ('"The harbour will be dredged by 2027," port director Ines Moreau said on Friday. '
           '"We will not give up," she added.')
QUIET = "The council met on Tuesday. The weather was mild and the meeting was short."
TARGETS = {"budget": ["the budget"], "harbour": []}


class FakeClaims:
    """Deterministic claim scores: check-worthy when the text has a digit; every call recorded."""

    model_name = "fake-claims"

    def __init__(self, fail_on: str | None = None, always_fail: bool = False):
        self.calls: list[list[str]] = []
        self.fail_on, self.always_fail = fail_on, always_fail

    def score_texts(self, texts):
        self.calls.append(list(texts))
        if self.always_fail or (self.fail_on and any(self.fail_on in t for t in texts)):
            raise RuntimeError("claim model out of memory")
        return [ClaimScores(checkworthy=0.9 if any(c.isdigit() for c in t) else 0.1,
                            subjective=0.8 if t.startswith("I ") else 0.2, causal=None, model=self.model_name)
                for t in texts]


class FakeStance:
    """Every pair AGAINST 0.6 (no model files, no torch)."""

    classes_ = np.array(["AGAINST", "FAVOR", "NONE"])
    model_name = "fake-stance"

    def predict_proba(self, rows):
        return np.tile([0.6, 0.3, 0.1], (len(rows), 1))


@pytest.fixture(scope="module")
def extractor():
    from stanceclf.extract import QuoteExtractor

    return QuoteExtractor(mode="rules")


def _analyzer(extractor, claim_model) -> Analyzer:
    return Analyzer(model=FakeStance(), extractor=extractor, claim_model=claim_model)


# -- scores in every output --------------------------------------------------------------------------

def test_every_quote_gets_claim_scores_in_one_call_per_chunk(extractor):
    fake = FakeClaims()
    analyzer = _analyzer(extractor, fake)
    results = list(analyzer.analyze_documents([BUDGET, QUIET, HARBOUR], TARGETS))
    assert [type(r) for r in results] == [ArticleAnalysis] * 3
    quotes = [qa for r in results for qa in r.quotes]
    assert len(fake.calls) == 1 and fake.calls[0] == [qa.quote.text for qa in quotes]  # one batched call
    assert all(qa.claim is not None and qa.claim.model == "fake-claims" for qa in quotes)
    by_text = {qa.quote.text: qa.claim for qa in quotes}
    assert by_text["Unemployment fell to 4.2 percent this year,"].checkworthy == 0.9
    assert by_text["I am proud of this government."].checkworthy == 0.1
    assert by_text["I am proud of this government."].subjective == 0.8
    assert analyzer.timings["claims"] > 0 and analyzer.claim_model_name == "fake-claims"


def test_claim_scores_reach_records_csv_jsonl_and_dataframe(extractor, tmp_path: Path):
    result = _analyzer(extractor, FakeClaims()).analyze(BUDGET, TARGETS, doc_id="budget")
    as_dict = result.to_dict()["quotes"][0]
    assert as_dict["claim"] == {"checkworthy": 0.9, "subjective": 0.2, "causal": None, "model": "fake-claims"}
    assert RECORD_FIELDS[RECORD_FIELDS.index("extraction_confidence") + 1:][:3] == CLAIM_RECORD_FIELDS
    assert set(CLAIM_RECORD_FIELDS) <= set(RECORD_FLOATS)
    rows = result.to_records()
    for row in rows:  # every row of a quote carries its quote's scores
        claim = result.quotes[row["quote_index"]].claim
        assert (row["p_checkworthy"], row["p_subjective"], row["p_causal"]) == (claim.checkworthy, claim.subjective, None)
    for name in ("r.jsonl", "r.csv"):
        with RecordWriter(tmp_path / name) as writer:
            writer.write(result)
    jsonl = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["p_checkworthy"] for r in jsonl] == [r["p_checkworthy"] for r in rows]
    with open(tmp_path / "r.csv", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert [float(r["p_checkworthy"]) for r in csv_rows] == [r["p_checkworthy"] for r in rows]
    assert all(r["p_causal"] == "" for r in csv_rows)
    if importlib.util.find_spec("pyarrow") is not None:  # Parquet: typed float columns
        import pandas as pd

        with RecordWriter(tmp_path / "r.parquet") as writer:
            writer.write(result)
        parquet = pd.read_parquet(tmp_path / "r.parquet")
        assert parquet["p_checkworthy"].tolist() == [r["p_checkworthy"] for r in rows]
        assert parquet["p_causal"].isna().all() and parquet["p_subjective"].dtype == "float64"
    frame = records_dataframe([result])
    assert list(frame.columns) == list(RECORD_FIELDS)
    assert all(frame[c].dtype == "float64" for c in CLAIM_RECORD_FIELDS)
    assert frame["p_checkworthy"].max() == 0.9 and frame["p_causal"].isna().all()


def test_claim_scores_in_the_table_and_the_report(extractor):
    result = _analyzer(extractor, FakeClaims()).analyze(BUDGET, TARGETS, doc_id="budget")
    table = format_article_table(result)
    assert "Clara Voss (direct)  check-worthy 0.90" in table
    assert all(len(line) <= 100 for line in table.splitlines() if line.startswith("    \u201c"))
    html = write_html_report([result], plots=False)
    assert 'data-checkworthy="0.9000"' in html and 'data-sort="0.9000"' in html  # a sort key and a filter key
    assert "Check-worthy claim (probability; subjective, causal)</th>" in html
    assert 'id="stc-only-checkworthy"' in html and '<option value="0.5" selected>0.5</option>' in html
    assert "claim model: <b>fake-claims</b>" in html and "Claim scores: check-worthy, subjective, causal" in html
    assert "subjective 0.80" in html  # the other scores under the check-worthy one
    fragment = article_fragment(result)
    assert "Check-worthy claim" in fragment and "<script" not in fragment


def test_claim_model_none_leaves_the_columns_empty(extractor):
    analyzer = _analyzer(extractor, None)
    result = analyzer.analyze(BUDGET, TARGETS)
    assert result.quotes and all(qa.claim is None for qa in result.quotes)
    assert all(row[c] is None for row in result.to_records() for c in CLAIM_RECORD_FIELDS)
    assert result.to_dict()["quotes"][0]["claim"] is None
    assert "claims" not in analyzer.timings and analyzer.claim_model_name is None
    assert "check-worthy" not in format_article_table(result)
    html = write_html_report([result], plots=False)
    assert "Check-worthy claim" not in html and 'id="stc-only-checkworthy"' not in html and "claim model:" not in html
    assert "getElementById(\"claim-filter\")" not in html  # nor its script
    assert "data-checkworthy" not in html
    with pytest.raises(ModelError, match="--no-claims"):
        analyzer.require_claim_model()


def test_a_missing_built_in_claim_model_is_skipped_with_one_log_line(extractor, monkeypatch, caplog):
    import stanceclf.models.default as default

    monkeypatch.setattr(default, "default_claims_available", lambda: False)
    analyzer = _analyzer(extractor, "default")
    with caplog.at_level(logging.INFO, logger="stanceclf"):
        first = analyzer.analyze(BUDGET, TARGETS)
        second = list(analyzer.analyze_documents([HARBOUR, BUDGET], TARGETS, chunk_size=1))
    assert all(qa.claim is None for r in [first, *second] for qa in r.quotes)
    said = [r for r in caplog.records if "claim model is not installed" in r.getMessage()]
    assert len(said) == 1
    with pytest.raises(ModelError, match="not in this installation"):  # asked for explicitly: an error
        analyzer.require_claim_model()


def test_a_claim_model_that_cannot_load_is_a_model_error(extractor, tmp_path: Path):
    with pytest.raises(ModelError, match="does not exist"):
        _analyzer(extractor, str(tmp_path / "missing")).analyze(BUDGET, TARGETS)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError):
        _analyzer(extractor, tmp_path / "empty").analyze(BUDGET, TARGETS)
    with pytest.raises(ModelError, match="score_texts"):
        _analyzer(extractor, object())


def test_a_failing_claim_model_fails_exactly_the_affected_documents(extractor):
    fake = FakeClaims(fail_on="betrayal")
    results = list(_analyzer(extractor, fake).analyze_documents(
        [Document("budget", BUDGET), Document("quiet", QUIET), Document("harbour", HARBOUR)], TARGETS))
    assert [r.id for r in results] == ["budget", "quiet", "harbour"]
    budget, quiet, harbour = results
    assert isinstance(budget, DocumentError) and budget.stage == "claims"
    assert "claim model failed: RuntimeError: claim model out of memory" in budget.error
    assert isinstance(quiet, ArticleAnalysis) and quiet.to_records()[0]["status"] == "no_quotes"
    assert isinstance(harbour, ArticleAnalysis) and all(qa.claim is not None for qa in harbour.quotes)
    assert len(fake.calls) == 3  # the chunk, then each article with quotes on its own

    broken = list(_analyzer(extractor, FakeClaims(always_fail=True)).analyze_documents([BUDGET, QUIET, HARBOUR],
                                                                                        TARGETS))
    assert [(type(r).__name__, getattr(r, "stage", None)) for r in broken] == [
        ("DocumentError", "claims"), ("ArticleAnalysis", None), ("DocumentError", "claims")]
    from stanceclf.analysis.results import records_of

    assert records_of(broken[0])[0]["stage"] == "claims" and records_of(broken[0])[0]["status"] == "error"


def test_a_claim_model_giving_the_wrong_number_of_scores_is_a_model_error(extractor):
    class TooFew(FakeClaims):
        def score_texts(self, texts):
            return super().score_texts(texts)[:-1]

    with pytest.raises(ModelError, match="one ClaimScores per text"):
        _analyzer(extractor, TooFew()).analyze(BUDGET, TARGETS)


class DigitRule(Analyzer):
    """A claim rule instead of a model: the score_claims stage overridden alone."""

    def score_claims(self, articles):
        return [[ClaimScores(checkworthy=float(any(c.isdigit() for c in q.text)), subjective=None, causal=None,
                             model="digits") for q in a.quotes] for a in articles]


def test_the_claim_stage_composes_and_can_be_overridden(extractor, monkeypatch):
    analyzer = _analyzer(extractor, FakeClaims())
    documents = [Document("budget", BUDGET), Document("harbour", HARBOUR)]
    linked = [analyzer.link(a, parse_targets(TARGETS)) for a in analyzer.extract(documents)]
    scores, claims = analyzer.score(linked), analyzer.score_claims(linked)
    assert [len(c) for c in claims] == [len(a.quotes) for a in linked]
    by_stages = [analyzer.assemble(a, p, claims=c) for a, p, c in zip(linked, scores, claims)]
    assert [r.to_dict() for r in by_stages] == [r.to_dict() for r in analyzer.analyze_documents(documents, TARGETS)]

    import stanceclf.models.default as default

    monkeypatch.setattr(default, "default_claims_available", lambda: False)  # no model needed for the rule
    ruled = DigitRule(model=FakeStance(), extractor=extractor).analyze(BUDGET, TARGETS)
    assert [qa.claim.checkworthy for qa in ruled.quotes] == [float(any(c.isdigit() for c in qa.quote.text))
                                                            for qa in ruled.quotes]


def test_worker_processes_keep_the_claim_scores(extractor):
    fake = FakeClaims()
    docs = [BUDGET, QUIET, HARBOUR]
    serial = list(_analyzer(extractor, fake).analyze_documents(docs, TARGETS))
    parallel = list(Analyzer(model=FakeStance(), extractor="rules", claim_model=fake).analyze_documents(
        docs, TARGETS, workers=2))
    assert [r.to_records() for r in parallel] == [r.to_records() for r in serial]
    assert any(qa.claim is not None for r in parallel for qa in r.quotes)


def test_analyze_takes_a_claim_model():
    import stanceclf

    result = stanceclf.analyze(BUDGET, TARGETS, model=FakeStance(), extractor="rules", claim_model=FakeClaims())
    assert result.quotes[0].claim.checkworthy == 0.9
    off = stanceclf.analyze(BUDGET, TARGETS, model=FakeStance(), extractor="rules", claim_model=None)
    assert off.quotes[0].claim is None


# -- ranking the most check-worthy quotes --------------------------------------------------------------

def test_ranking_keeps_the_top_quotes_of_a_corpus_in_order(extractor, tmp_path: Path):
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in
                                [("budget", BUDGET), ("quiet", QUIET), ("harbour", HARBOUR)]) + "\n")
    analyzer = _analyzer(extractor, FakeClaims())
    ranked = tmp_path / "claims_ranked.csv"
    run = run_corpus([str(corpus)], analyzer, TARGETS, output=tmp_path / "out.jsonl", rank_claims=3,
                     claims_output=ranked)
    rows = run.claims.rows()
    assert [r["rank"] for r in rows] == [1, 2, 3] and run.claims.scored == 6
    assert [(r["doc_id"], r["p_checkworthy"]) for r in rows] == [("budget", 0.9), ("harbour", 0.9), ("budget", 0.1)]
    assert rows[0]["speaker"] == "Clara Voss" and rows[0]["quote"] == "Unemployment fell to 4.2 percent this year,"
    assert ranked in run.files
    with open(ranked, newline="") as fh:
        written = list(csv.DictReader(fh))
    assert list(written[0]) == ["rank", "doc_id", "quote_index", "speaker", *CLAIM_RECORD_FIELDS, "quote"]
    assert [w["quote"] for w in written] == [r["quote"] for r in rows]
    with pytest.raises(ModelError, match="--no-claims"):
        run_corpus([str(corpus)], _analyzer(extractor, None), TARGETS, rank_claims=3)
    no_checkworthiness = FakeClaims()
    no_checkworthiness.tasks_ = {"subjectivity": ["OBJ", "SUBJ"], "causal": ["NOT_CAUSAL", "CAUSAL"]}
    with pytest.raises(ModelError, match="trained on causal, subjectivity but not on check-worthiness"):
        run_corpus([str(corpus)], _analyzer(extractor, no_checkworthiness), TARGETS, rank_claims=3)


def test_a_resumed_run_ranks_the_quotes_of_its_earlier_session_too(extractor, tmp_path: Path):
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in [("budget", BUDGET), ("harbour", HARBOUR)]))
    out = tmp_path / "out.jsonl"

    def stop_after_budget(result):
        if result.id == "budget":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_corpus([str(corpus)], _analyzer(extractor, FakeClaims()), TARGETS, output=out, rank_claims=2,
                   on_result=stop_after_budget)
    run = run_corpus([str(corpus)], _analyzer(extractor, FakeClaims()), TARGETS, output=out, rank_claims=2,
                     resume=True)
    assert run.resumed == 1
    assert [(r["doc_id"], r["p_checkworthy"]) for r in run.claims.rows()] == [("budget", 0.9), ("harbour", 0.9)]


def test_claim_ranking_is_bounded_and_stable():
    ranking = ClaimRanking(2)
    ranking.add_records([{"status": "ok", "quote_index": 0, "p_checkworthy": 0.5, "quote": "a"},
                         {"status": "ok", "quote_index": 0, "p_checkworthy": 0.5, "quote": "a"},  # a second target
                         {"status": "ok", "quote_index": 1, "p_checkworthy": None, "quote": "b"}])
    ranking.add_records([{"status": "error", "quote_index": None, "p_checkworthy": None}])
    ranking.add_records([{"status": "ok", "quote_index": 0, "p_checkworthy": 0.5, "quote": "c"},
                         {"status": "ok", "quote_index": 1, "p_checkworthy": 0.7, "quote": "d"}])
    assert [(r["rank"], r["quote"]) for r in ranking.rows()] == [(1, "d"), (2, "a")]  # ties: first seen first
    assert len(ranking) == 2 and ranking.scored == 3
    rows = [{"text": t, "p_checkworthy": p} for t, p in [("x", 0.2), ("y", None), ("z", 0.2), ("w", 0.9)]]
    assert [r["text"] for r in by_checkworthiness(rows)] == ["w", "x", "z", "y"]
    assert [r["text"] for r in by_checkworthiness(rows, top=1)] == ["w"]


def test_claim_fields_follow_the_types():
    assert CLAIM_RECORD_FIELDS == tuple(f"p_{name}" for name in CLAIM_SCORE_FIELDS)


# -- the real default claim model ------------------------------------------------------------------------

def _default_claims_available() -> bool:
    from stanceclf.models.default import default_claims_available

    return default_claims_available()


@pytest.mark.skipif(not _default_claims_available(), reason="the built-in claim model is not installed")
def test_the_default_claim_model_scores_quotes_end_to_end():
    import stanceclf

    text = ('"Wheat exports rose by 12 percent in 2024," trade minister Lena Berg said on Thursday. '
            '"Honestly, I think this is the most beautiful harbour in the world," she added.')
    result = stanceclf.analyze(text, {"exports": ["wheat exports"]}, extractor="rules")
    assert result.quotes
    for qa in result.quotes:
        assert isinstance(qa.claim, ClaimScores)
        values = [getattr(qa.claim, name) for name in CLAIM_SCORE_FIELDS]
        assert any(v is not None for v in values) and all(v is None or 0.0 <= v <= 1.0 for v in values)
    rows = result.to_records()
    assert all(row["p_checkworthy"] is not None or result.quotes[row["quote_index"]].claim.checkworthy is None
               for row in rows)
