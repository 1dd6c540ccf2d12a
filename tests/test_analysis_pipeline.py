"""End-to-end analysis: the pipeline on articles we wrote, its stages and overriding them, corpus
streaming (linking rules: test_analysis_linking.py)."""

from __future__ import annotations

import numpy as np
import pytest

from stanceclf.analysis import (RECORD_FIELDS, Analyzer, ArticleAnalysis, Document, DocumentError, ExtractedArticle,
                                LinkedArticle, parse_targets)
from stanceclf.errors import DataError, ModelError
from stanceclf.types import QuoteKind

ARTICLE = """Mayor Lena Fischer defended the new tram line on Tuesday. "The tram line is the best investment this city has made in decades," Fischer said. "I am proud of it."

Her rival, councillor Tom Baker, attacked the plan. He said the tram line was "a disastrous waste of money" and warned that taxpayers would regret it.

According to a city official, construction will start in May."""
TARGETS = {"tram line": ["the plan", "the tram"], "taxpayers": []}


# -- the whole pipeline ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(model="default", extractor="rules")


def test_end_to_end_on_an_article(analyzer: Analyzer):
    result = analyzer.analyze(ARTICLE, TARGETS, doc_id="tram")
    by_text = {q.quote.text: q for q in result.quotes}
    best = by_text["The tram line is the best investment this city has made in decades,"]
    assert best.speaker == "Lena Fischer" and best.quote.kind is QuoteKind.DIRECT
    assert best.stance_toward("tram line").label == "FAVOR" and best.stance_toward("tram line").via == "quote"
    assert by_text["I am proud of it."].stance_toward("tram line").via == "coreference"  # "it"
    waste = by_text["a disastrous waste of money"]
    assert waste.speaker == "Tom Baker"  # "He said" resolved to the named person
    assert waste.stance_toward("tram line").label == "AGAINST"
    assert waste.stance_toward("tram line").via == "sentence"
    for qa in result.quotes:
        assert ARTICLE[qa.quote.start:qa.quote.end] == qa.quote.text
        for s in qa.stances:
            assert s.label == max(s.probabilities, key=s.probabilities.get)
            assert sum(s.probabilities.values()) == pytest.approx(1.0, abs=1e-4)


def test_records_and_dataframe(analyzer: Analyzer):
    result = analyzer.analyze(ARTICLE, TARGETS)
    frame = result.to_dataframe()
    assert list(frame.columns) == list(RECORD_FIELDS)
    n_rows = sum(max(1, len(q.stances)) for q in result.quotes)
    assert len(frame) == n_rows and set(frame["status"]) == {"ok"}
    addressed = frame.dropna(subset=["target"])
    assert np.allclose(addressed[["p_against", "p_favor", "p_none"]].sum(axis=1), 1.0, atol=1e-3)
    none = analyzer.analyze("The council met on Tuesday. The weather was mild and the meeting was short.", TARGETS)
    assert none.quotes == [] and none.to_records()[0]["status"] == "no_quotes"


def test_all_targets_mode_gives_a_full_matrix():
    full = Analyzer(model="default", extractor="rules", all_targets=True).analyze(ARTICLE, TARGETS)
    for qa in full.quotes:
        assert {s.target for s in qa.stances} == set(TARGETS)
    unaddressed = [s for qa in full.quotes for s in qa.stances if not s.addressed]
    assert unaddressed and all(s.label == "NONE" and s.probabilities["NONE"] == 1.0 for s in unaddressed)


def test_targets_are_suggested_when_none_are_given(analyzer: Analyzer):
    result = analyzer.analyze(ARTICLE)
    assert result.targets_suggested
    names = {t.name: t.aliases for t in result.targets}
    assert "Fischer" in names["Lena Fischer"]
    assert "tram line" in names


def test_suggestions_group_noun_phrases_by_head_and_skip_datelines(analyzer: Analyzer):
    text = ('(GENEVA) -- Delegates debated the proposed Arctic fishing treaty on Monday. "This treaty protects '
            'our coasts," said Minister Ana Ruiz. Critics said the treaty favoured trawlers, but Ruiz defended it.')
    result = analyzer.analyze(text)
    names = {t.name: t.aliases for t in result.targets}
    assert "GENEVA" not in names
    assert names["Arctic fishing treaty"] == ("the treaty",)
    assert "Critics" not in names  # a bare noun mentioned once is not a target


def test_bad_inputs_raise_clear_errors(analyzer: Analyzer):
    with pytest.raises(DataError, match="empty"):
        analyzer.analyze("   ", TARGETS)
    with pytest.raises(DataError, match="target list is empty"):
        analyzer.analyze(ARTICLE, [])


def test_corpus_stream_keeps_one_result_per_input_in_order(analyzer: Analyzer):
    docs = [ARTICLE, "", "x" * 10, "\x00binary", ARTICLE.replace("Fischer", "Fisher")]
    small = Analyzer(model=analyzer.model, extractor=analyzer.extractor, max_chars=5_000)
    out = list(small.analyze_documents(docs + ["y " * 3_000], TARGETS, chunk_size=2))
    assert [r.id for r in out] == [f"doc{i}" for i in range(6)]
    assert [type(r) for r in out] == [ArticleAnalysis, DocumentError, ArticleAnalysis, DocumentError,
                                      ArticleAnalysis, DocumentError]
    assert out[1].stage == "validate" and "over the limit" in out[5].error
    assert set(small.timings) >= {"extract", "targets", "stance"}


def test_a_failing_model_gives_error_records_not_a_crash(analyzer: Analyzer):
    class Broken:
        classes_ = np.array(["AGAINST", "FAVOR", "NONE"])
        model_name = "broken"

        def predict_proba(self, X):
            raise RuntimeError("out of memory")

    broken = Analyzer(model=Broken(), extractor=analyzer.extractor)
    (result,) = broken.analyze_documents([ARTICLE], TARGETS)
    assert isinstance(result, DocumentError) and result.stage == "stance" and "out of memory" in result.error


def test_worker_processes_give_the_same_results(analyzer: Analyzer):
    docs = [ARTICLE, "", ARTICLE.replace("Tom Baker", "Tim Barker")]
    serial = list(analyzer.analyze_documents(docs, TARGETS))
    parallel = list(Analyzer(model=analyzer.model, extractor="rules").analyze_documents(docs, TARGETS, workers=2))
    assert [type(r) for r in parallel] == [type(r) for r in serial]
    def rows(results):
        return [{k: v for k, v in row.items() if k != "model"}
                for r in results if isinstance(r, ArticleAnalysis) for row in r.to_records()]

    assert rows(parallel) == rows(serial)


# -- the stages: extract -> link -> score -> assemble ----------------------------------------------

IN_FAVOUR = {"AGAINST": 0.1, "FAVOR": 0.8, "NONE": 0.1}


class QuotedTargetsOnly(Analyzer):
    """A stricter linking rule: a quote addresses only the targets it names."""

    def link(self, article, targets):
        linked = super().link(article, targets)
        linked.pairs = [(i, link) for i, link in linked.pairs if link.via == "quote"]
        return linked


class FixedStance(Analyzer):
    """Every pair gets the same distribution, without a stance model."""

    def score(self, articles):
        return [[dict(IN_FAVOUR) for _ in article.pairs] for article in articles]


def test_the_stages_compose_to_the_same_result_as_analyze(analyzer: Analyzer):
    documents = [Document("tram", ARTICLE), Document("rival", ARTICLE.replace("Tom Baker", "Tim Barker"))]
    targets = parse_targets(TARGETS)
    extracted = analyzer.extract(documents)
    assert [type(a) for a in extracted] == [ExtractedArticle, ExtractedArticle]
    linked = [analyzer.link(article, targets) for article in extracted]
    assert all(isinstance(a, LinkedArticle) and a.pairs for a in linked)
    scores = analyzer.score(linked)  # one call for the chunk, one distribution per pair
    assert [len(s) for s in scores] == [len(a.pairs) for a in linked]
    claims = analyzer.score_claims(linked)  # one call for the chunk, claim scores (or None) per quote
    assert [len(c) for c in claims] == [len(a.quotes) for a in linked]
    by_stages = [analyzer.assemble(article, probabilities, claims=c)
                 for article, probabilities, c in zip(linked, scores, claims)]
    by_analyze = list(analyzer.analyze_documents(documents, TARGETS))
    assert [r.to_dict() for r in by_stages] == [r.to_dict() for r in by_analyze]
    assert by_stages[0].to_dict() == analyzer.analyze(ARTICLE, TARGETS, doc_id="tram").to_dict()


def test_a_subclass_overrides_the_link_stage_alone(analyzer: Analyzer):
    default = analyzer.analyze(ARTICLE, TARGETS)
    strict = QuotedTargetsOnly(model=analyzer.model, extractor=analyzer.extractor).analyze(ARTICLE, TARGETS)
    assert [q.quote for q in strict.quotes] == [q.quote for q in default.quotes]  # extract unchanged
    assert {s.via for q in default.quotes for s in q.stances} > {"quote"}
    assert {s.via for q in strict.quotes for s in q.stances} == {"quote"}
    for mine, theirs in zip(strict.quotes, default.quotes):  # score and assemble unchanged
        kept = [s for s in theirs.stances if s.via == "quote"]
        assert [(s.target, s.label, s.mention) for s in mine.stances] == [(s.target, s.label, s.mention) for s in kept]
        for s, t in zip(mine.stances, kept):  # fewer pairs in the model's batch: the same up to float rounding
            assert s.probabilities == pytest.approx(t.probabilities, abs=1e-6)


def test_a_subclass_overrides_the_score_stage_alone(analyzer: Analyzer):
    fixed = FixedStance(model="no-such-model", extractor=analyzer.extractor)
    result = fixed.analyze(ARTICLE, TARGETS)
    stances = [s for q in result.quotes for s in q.stances]
    assert stances and all(s.label == "FAVOR" and s.probabilities == IN_FAVOUR for s in stances)
    assert [(q.quote, [(s.target, s.via) for s in q.stances]) for q in result.quotes] == \
        [(q.quote, [(s.target, s.via) for s in q.stances]) for q in analyzer.analyze(ARTICLE, TARGETS).quotes]
    assert fixed._model is None  # the stance model was never needed
    assert result.to_records()[0]["p_favor"] == 0.8


class ScoresTooFew(FixedStance):
    def score(self, articles):
        return [pairs[:-1] for pairs in super().score(articles)]


def test_a_score_override_that_drops_pairs_is_an_error(analyzer: Analyzer):
    with pytest.raises(ModelError, match=r"ScoresTooFew.score\(\) must give"):
        ScoresTooFew(model="no-such-model", extractor=analyzer.extractor).analyze(ARTICLE, TARGETS)


def test_an_overridden_stage_that_fails_fails_only_its_document(analyzer: Analyzer):
    class LinkFailsOnBaker(FixedStance):
        def link(self, article, targets):
            if "Baker" in article.document.text:
                raise RuntimeError("no rule for Baker")
            return super().link(article, targets)

    results = list(LinkFailsOnBaker(extractor=analyzer.extractor).analyze_documents(
        [ARTICLE, ARTICLE.replace("Tom Baker", "Tim Barker")], TARGETS))
    assert isinstance(results[0], DocumentError) and results[0].stage == "targets"
    assert "no rule for Baker" in results[0].error and isinstance(results[1], ArticleAnalysis)
    with pytest.raises(ModelError, match="top level"):  # worker processes need an importable class
        next(LinkFailsOnBaker(extractor="rules").analyze_documents([ARTICLE], TARGETS, workers=2))


def test_freed_memory_is_returned_to_the_os_on_glibc():
    import platform
    import sys

    from stanceclf._memory import release_freed_memory

    ran = release_freed_memory()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert ran
    else:
        assert ran is False


# -- the convenience function and its conventions --------------------------------------------------

def test_analyze_reads_a_path_and_takes_lists(tmp_path, monkeypatch):
    import stanceclf
    from pathlib import Path

    (tmp_path / "tram.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    from_file = stanceclf.analyze("tram.txt", TARGETS, extractor="rules")  # a path is read, never taken as text
    from_text = stanceclf.analyze(ARTICLE, TARGETS, extractor="rules")
    assert from_file.id == "tram" and len(from_file) == len(from_text) > 0
    assert [q.quote.text for q in from_file] == [q.quote.text for q in from_text]
    with pytest.raises(DataError, match="does not exist"):
        stanceclf.analyze("missing.txt", TARGETS, extractor="rules")
    results = stanceclf.analyze([ARTICLE, Path("tram.txt"), "gone.txt", ""], TARGETS, extractor="rules")
    assert [type(r).__name__ for r in results] == ["ArticleAnalysis", "ArticleAnalysis", "DocumentError",
                                                   "DocumentError"]  # in order, failures kept as records
    assert results[0].id == "doc0" and results[1].id == "tram" and results[2].stage == "read"


def test_device_and_precision_are_explicit(monkeypatch):
    pytest.importorskip("torch")
    import stanceclf.models.precision as precision

    monkeypatch.setattr(precision, "fast_bf16", lambda device_type: True)  # bf16 runs wherever it is asked for
    analyzer = Analyzer(model="default", extractor="rules", device="cpu", precision="bf16")
    assert analyzer.model.device_ == "cpu" and analyzer.model.precision_ == "bf16"
    fp32 = Analyzer(model="default", extractor="rules").analyze(ARTICLE, TARGETS)
    bf16 = analyzer.analyze(ARTICLE, TARGETS)
    for a, b in zip(fp32.quotes, bf16.quotes):
        for s, t in zip(a.stances, b.stances):
            assert s.target == t.target
            assert max(abs(s.probabilities[k] - t.probabilities[k]) for k in s.probabilities) < 0.05
    from stanceclf.errors import ModelError

    with pytest.raises(ModelError, match="precision"):
        Analyzer(model="default", extractor="rules", precision="fp8").model
