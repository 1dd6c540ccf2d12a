"""Check a stance model backend against the contract every stanceclf model keeps.

:func:`check_stance_model` is to stance models what scikit-learn's ``check_estimator`` is to
estimators: it fits the model on a small synthetic corpus (:func:`example_corpus`) and runs every
check in :data:`CHECKS`, raising :class:`AssertionError` that names the first check that fails and
what was wrong. Use it in the tests of your own backend::

    from stanceclf.testing import check_stance_model

    def test_my_model_keeps_the_contract():
        check_stance_model(MyStanceModel(threshold=0.5))

This module is imported only when used (``import stanceclf`` does not load it).
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .errors import DataError, ModelError, NotFittedError, UnknownNameError, suggest
from .models.base import StanceModel, _jsonable
from .types import ClaimScores, StanceExample, StancePrediction

__all__ = ["CHECKS", "check_stance_model", "example_corpus", "claim_corpus", "check_claim_model"]

#: (text, target, label) triples; see :func:`example_corpus`.
Rows = list[tuple[str, str, str]]

_TARGETS: dict[str, tuple[str, ...]] = {
    "Nuclear Power": ("reactors", "uranium", "nuclear plants", "atomic energy"),
    "School Uniforms": ("uniforms", "dress codes", "blazers", "school ties"),
    "Space Exploration": ("rockets", "mars missions", "astronauts", "space probes"),
}
_FAVOR = ("I love", "I strongly support", "we should embrace", "hooray for", "so grateful for")
_FAVOR_TAIL = ("they are wonderful", "a brilliant idea", "great for everyone", "the future is bright")
_AGAINST = ("I hate", "I strongly oppose", "we must reject", "shame on", "so angry about")
_AGAINST_TAIL = ("they are terrible", "a disastrous idea", "awful for everyone", "ban them now")
_NONE = ("the weather is mild today", "lunch was pasta again", "traffic on the bridge was slow",
         "watching football tonight", "my cat sleeps all day", "the bakery opens at nine")
#: Pairs about a target that :func:`example_corpus` never mentions.
_UNSEEN = [("I love electric cars, they are wonderful", "Electric Cars"),
           ("I strongly oppose electric cars, a disastrous idea", "Electric Cars")]
#: How far two probability arrays that should be the same may differ (float32 models, LoRA merging).
PROBA_ATOL = 1e-6


def example_corpus(n_per_label: int = 7, seed: int = 0, targets: dict[str, tuple[str, ...]] | None = None) -> Rows:
    """A small learnable corpus of invented ``(text, target, label)`` triples: three targets (or
    ``targets``: name -> nouns that stand for it), each with FAVOR / AGAINST / NONE texts
    (``n_per_label`` of each), deterministic per ``seed``.

    >>> rows = example_corpus(2)
    >>> len(rows), sorted({label for *_, label in rows})
    (18, ['AGAINST', 'FAVOR', 'NONE'])
    """
    rng = random.Random(seed)
    rows: Rows = []
    for target, nouns in (targets or _TARGETS).items():
        for label in ("FAVOR", "AGAINST", "NONE"):
            for i in range(n_per_label):
                noun = nouns[i % len(nouns)]
                if label == "FAVOR":
                    text = f"{rng.choice(_FAVOR)} {noun}, {rng.choice(_FAVOR_TAIL)}"
                elif label == "AGAINST":
                    text = f"{rng.choice(_AGAINST)} {noun}, {rng.choice(_AGAINST_TAIL)}"
                else:
                    text = f"{rng.choice(_NONE)}, {rng.choice(_NONE)}"
                rows.append((text, target, label))
    return rows


def _pairs(rows: Sequence[tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in rows]


def _labels(rows: Rows) -> list[str]:
    return [r[2] for r in rows]


def _lists(value: Any) -> Any:
    """Tuples as lists, at any depth (what a JSON round trip of the parameters gives back)."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return value


class _Context:
    """What the checks share: fresh models, the data, one fitted model (fitted on first use)."""

    def __init__(self, factory: Callable[[], StanceModel], train: Rows, dev: Rows, tmp: Path,
                 unseen: Sequence[tuple[str, str]] = tuple(_UNSEEN)):
        self.factory, self.train, self.dev, self.tmp = factory, train, dev, tmp
        self.X = _pairs(train[::3]) + list(unseen)  # seen texts and (stance models) a target never seen in training
        self._fitted: StanceModel | None = None

    def fresh(self) -> StanceModel:
        model = self.factory()
        if not isinstance(model, StanceModel):
            raise AssertionError(f"the factory returned a {type(model).__name__}, not a StanceModel subclass")
        if hasattr(model, "classes_"):
            raise AssertionError("the factory returned a fitted model; it must return a new, unfitted one")
        return model

    def fit(self, model: StanceModel) -> StanceModel:
        dev = [{"text": t, "target": g, "label": lab} for t, g, lab in self.dev]
        return model.fit(_pairs(self.train), _labels(self.train), dev=dev)

    @property
    def fitted(self) -> StanceModel:
        if self._fitted is None:
            self._fitted = self.fit(self.fresh())
        return self._fitted


def _raises(error: type[BaseException], call: Callable[[], Any], what: str) -> None:
    try:
        call()
    except error:
        return
    except Exception as exc:  # noqa: BLE001 - report what was raised instead
        raise AssertionError(f"{what} raised {type(exc).__name__} ({exc}), expected {error.__name__}") from None
    raise AssertionError(f"{what} raised nothing, expected {error.__name__}")


# --------------------------------------------------------------------------------------------------
# The checks, in the order they run
# --------------------------------------------------------------------------------------------------


def check_params(ctx: _Context) -> None:
    """A scikit-learn estimator: ``get_params`` returns the ``__init__`` arguments unchanged, ``clone``
    gives an unfitted copy with equal parameters, parameters are JSON values (``save`` writes them)."""
    from sklearn.base import clone

    model = ctx.fresh()
    params = model.get_params(deep=False)
    init_names = set(type(model)._get_param_names())
    if set(params) != init_names:
        raise AssertionError(f"get_params() gives {sorted(params)} but __init__ takes {sorted(init_names)}")
    copy = clone(model)
    if type(copy) is not type(model) or _lists(copy.get_params(deep=False)) != _lists(params):
        raise AssertionError("clone(model) does not give a model of the same class with the same parameters")
    try:
        json.dumps(_jsonable(params))
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"the parameters must be JSON values (save() writes them to config.json): {exc}") from None
    model._validate_params()  # the model's own parameters pass its rules


def check_not_fitted(ctx: _Context) -> None:
    """Before ``fit``, predicting and saving raise :class:`stanceclf.NotFittedError` and save writes nothing."""
    model = ctx.fresh()
    for name in ("predict", "predict_proba", "predict_examples"):
        _raises(NotFittedError, lambda: getattr(model, name)(ctx.X), f"{name}() before fit")
    target = ctx.tmp / "not-fitted"
    _raises(NotFittedError, lambda: model.save(target), "save() before fit")
    if target.exists():
        raise AssertionError("save() before fit created the directory")


def check_bad_training_data(ctx: _Context) -> None:
    """``fit`` raises :class:`stanceclf.DataError` for empty, unlabelled, one-class or malformed data
    and for unlabelled dev data."""
    one, two = ctx.train[0], next(r for r in ctx.train if r[2] != ctx.train[0][2])
    cases: list[tuple[str, Any, Any, Any]] = [
        ("no pairs", [], [], None),
        ("no labels", _pairs([one, two]), None, None),
        ("a single class", _pairs([one, one]), [one[2], one[2]], None),
        ("more labels than pairs", _pairs([one, two]), [one[2], two[2], one[2]], None),
        ("an empty text", [("", one[1]), two[:2]], [one[2], two[2]], None),
        ("an empty target", [(one[0], " "), two[:2]], [one[2], two[2]], None),
        ("a bare string", "just a string", None, None),
        ("an unlabelled dev set", _pairs(ctx.train), _labels(ctx.train), _pairs(ctx.dev)),
    ]
    for what, X, y, dev in cases:
        _raises(DataError, lambda: ctx.fresh().fit(X, y, dev=dev), f"fit() on {what}")


def check_fit(ctx: _Context) -> None:
    """``fit(X, y, dev=...)`` returns the model, leaves its parameters alone and sets ``classes_`` to
    the sorted training labels (strings)."""
    model = ctx.fresh()
    before = _lists(model.get_params(deep=False))
    result = ctx.fit(model)
    if result is not model:
        raise AssertionError(f"fit() returned {type(result).__name__}, not the model itself")
    if _lists(model.get_params(deep=False)) != before:
        raise AssertionError("fit() changed the model's parameters; store what it learns in attributes ending in '_'")
    expected = sorted(set(_labels(ctx.train)))
    classes = list(getattr(model, "classes_", []))
    if classes != expected or not all(isinstance(c, str) for c in classes):
        raise AssertionError(f"classes_ is {classes!r}, expected the sorted training labels {expected}")
    ctx._fitted = model


def check_predict_proba(ctx: _Context) -> None:
    """``predict_proba`` gives an ``(n, len(classes_))`` array of probabilities whose rows sum to 1."""
    model = ctx.fitted
    proba = model.predict_proba(ctx.X)
    k = len(model.classes_)
    if not isinstance(proba, np.ndarray) or proba.shape != (len(ctx.X), k):
        raise AssertionError(f"predict_proba returned {type(proba).__name__} of shape {getattr(proba, 'shape', None)}, "
                             f"expected an array of shape ({len(ctx.X)}, {k})")
    if not np.all(np.isfinite(proba)) or proba.min() < 0 or proba.max() > 1:
        raise AssertionError("predict_proba returned values outside [0, 1]")
    sums = proba.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > PROBA_ATOL:
        raise AssertionError(f"predict_proba rows must sum to 1; row {worst} sums to {sums[worst]:.6g}")


def check_predict(ctx: _Context) -> None:
    """``predict`` is the arg-max of ``predict_proba`` over ``classes_``; ``predict_examples`` agrees."""
    model = ctx.fitted
    proba, pred = model.predict_proba(ctx.X), model.predict(ctx.X)
    if not isinstance(pred, np.ndarray) or pred.shape != (len(ctx.X),):
        raise AssertionError(f"predict returned shape {getattr(pred, 'shape', None)}, expected ({len(ctx.X)},)")
    expected = [model.classes_[i] for i in proba.argmax(axis=1)]
    if list(pred) != expected:
        raise AssertionError("predict(X) is not classes_[predict_proba(X).argmax(axis=1)]")
    examples = model.predict_examples(ctx.X)
    if (len(examples) != len(ctx.X) or not all(isinstance(e, StancePrediction) for e in examples)
            or [e.label for e in examples] != expected):
        raise AssertionError("predict_examples must give one StancePrediction per pair, with predict's labels")


def check_empty_batch(ctx: _Context) -> None:
    """An empty batch gives empty results, not an error."""
    model = ctx.fitted
    k = len(model.classes_)
    shapes = (np.shape(model.predict([])), np.shape(model.predict_proba([])))
    if shapes != ((0,), (0, k)) or model.predict_examples([]) != []:
        raise AssertionError(f"an empty batch gave predict/predict_proba shapes {shapes}, expected (0,) and (0, {k})")


def check_input_forms(ctx: _Context) -> None:
    """Tuples, dicts, :class:`StanceExample` and a DataFrame give the same probabilities."""
    import pandas as pd

    model = ctx.fitted
    reference = model.predict_proba(ctx.X)
    forms = {
        "dicts": [{"text": t, "target": g} for t, g in ctx.X],
        "StanceExamples": [StanceExample(t, g) for t, g in ctx.X],
        "a DataFrame": pd.DataFrame({"text": [t for t, _ in ctx.X], "target": [g for _, g in ctx.X]}),
    }
    for what, X in forms.items():
        if not np.allclose(model.predict_proba(X), reference, rtol=0, atol=PROBA_ATOL):
            raise AssertionError(f"predict_proba on {what} differs from the same pairs as tuples")


def check_bad_input(ctx: _Context) -> None:
    """Malformed prediction inputs raise :class:`stanceclf.DataError`."""
    import pandas as pd

    model = ctx.fitted
    for what, X in (("a bare string", "I love reactors"), ("a list of numbers", [42]),
                    ("a dict without 'target'", [{"text": "x"}]),
                    ("a DataFrame without text/target columns", pd.DataFrame({"sentence": ["x"], "target": ["t"]}))):
        _raises(DataError, lambda: model.predict(X), f"predict() on {what}")


def check_score(ctx: _Context) -> None:
    """``score`` is the accuracy, with labels in ``y`` or in ``X``; without labels it raises DataError."""
    model = ctx.fitted
    rows = ctx.train[::2]
    expected = float(np.mean(model.predict(_pairs(rows)) == np.asarray(_labels(rows), dtype=object)))
    got = model.score(_pairs(rows), _labels(rows))
    labelled = model.score([StanceExample(t, g, lab) for t, g, lab in rows])
    if abs(got - expected) > 1e-12 or abs(labelled - expected) > 1e-12:
        raise AssertionError(f"score() gave {got} (labels in y) and {labelled} (labels in X); the accuracy is {expected}")
    _raises(DataError, lambda: model.score(_pairs(rows)), "score() without labels")


def check_two_classes(ctx: _Context) -> None:
    """Fitted on two labels, the model predicts two columns."""
    drop = sorted(set(_labels(ctx.train)))[-1]
    rows = [r for r in ctx.train if r[2] != drop]
    model = ctx.fresh().fit(_pairs(rows), _labels(rows))
    expected = sorted(set(_labels(rows)))
    if list(model.classes_) != expected:
        raise AssertionError(f"fitted on labels {expected}, classes_ is {list(model.classes_)}")
    shape = model.predict_proba(_pairs(rows[:3])).shape
    if shape != (3, len(expected)):
        raise AssertionError(f"fitted on {len(expected)} labels, predict_proba of 3 pairs has shape {shape}")


def check_deterministic(ctx: _Context) -> None:
    """Two fits of equal models on the same data predict the same probabilities."""
    from sklearn.base import clone

    first = ctx.fitted
    again = ctx.fit(clone(first))
    if not np.allclose(first.predict_proba(ctx.X), again.predict_proba(ctx.X), rtol=0, atol=PROBA_ATOL):
        raise AssertionError("two fits on the same data predict different probabilities; seed every random step "
                             "from a parameter (e.g. random_state or seed)")


def check_save_load(ctx: _Context) -> None:
    """``save`` writes a directory that loads (with :func:`stanceclf.load` when the class is registered)
    into the same class, classes and parameters, predicting the same; a loaded model saves again."""
    from .models.registry import load, model_class

    model = ctx.fitted
    cls = type(model)
    try:
        registered = model_class(cls.__name__) is cls
    except ModelError:
        registered = False
    loader: Callable[[Path], StanceModel] = load if registered else cls.load
    directory = model.save(ctx.tmp / "saved")
    if Path(directory) != ctx.tmp / "saved" or not (Path(directory) / "config.json").is_file():
        raise AssertionError(f"save(path) must write path/config.json and return path, returned {directory!r}")
    loaded = loader(directory)
    if type(loaded) is not cls:
        raise AssertionError(f"loading gave a {type(loaded).__name__}, not a {cls.__name__}")
    if list(loaded.classes_) != list(model.classes_):
        raise AssertionError(f"the loaded model's classes_ {list(loaded.classes_)} differ from {list(model.classes_)}")
    if _lists(loaded.get_params(deep=False)) != _lists(model.get_params(deep=False)):
        raise AssertionError("the loaded model's parameters differ from the saved model's")
    proba = model.predict_proba(ctx.X)
    if (not np.allclose(loaded.predict_proba(ctx.X), proba, rtol=0, atol=PROBA_ATOL)
            or list(loaded.predict(ctx.X)) != list(model.predict(ctx.X))):
        raise AssertionError("the loaded model predicts differently from the model that was saved; _save_state "
                             "must write (and _load_state read back) everything predict_proba uses")
    again = loader(loaded.save(ctx.tmp / "saved-again"))
    if not np.allclose(again.predict_proba(ctx.X), proba, rtol=0, atol=PROBA_ATOL):
        raise AssertionError("a loaded model saved again predicts differently")


#: Every check, by name, in the order :func:`check_stance_model` runs them.
CHECKS: dict[str, Callable[[_Context], None]] = {
    "params": check_params,
    "not_fitted": check_not_fitted,
    "bad_training_data": check_bad_training_data,
    "fit": check_fit,
    "predict_proba": check_predict_proba,
    "predict": check_predict,
    "empty_batch": check_empty_batch,
    "input_forms": check_input_forms,
    "bad_input": check_bad_input,
    "score": check_score,
    "two_classes": check_two_classes,
    "deterministic": check_deterministic,
    "save_load": check_save_load,
}


def check_stance_model(model: StanceModel | Callable[[], StanceModel], *, train: Rows | None = None,
                       dev: Rows | None = None, skip: Iterable[str] = (),
                       unseen: Sequence[tuple[str, str]] = tuple(_UNSEEN)) -> None:
    """Check that a stance model backend keeps the :class:`~stanceclf.models.base.StanceModel`
    contract; raise :class:`AssertionError` naming the first check that fails and why.

    ``model`` is an unfitted model (copied with ``sklearn.base.clone`` for every fit) or a function
    returning a new unfitted one. The model is fitted three times, on ``train`` (default
    :func:`example_corpus`, three labels) with ``dev`` (default ``example_corpus(2, seed=7)``), so
    give it settings that fit fast. ``skip`` names checks of :data:`CHECKS` not to run (say why in
    your test, e.g. ``"deterministic"`` for a model that cannot be seeded). ``unseen``: pairs whose
    target training never saw, predicted alongside seen ones (``()`` for models that only know the
    targets they were trained on, such as claim models and their tasks).

    The checks: scikit-learn parameters and ``clone``; errors before ``fit``; bad training data;
    ``fit`` and ``classes_``; ``predict_proba`` shape and normalisation; ``predict`` as its arg-max;
    empty batches; input forms; bad inputs; ``score``; two-class fits; determinism; save and load.

    >>> from stanceclf.models.linear import TfidfStanceClassifier
    >>> check_stance_model(TfidfStanceClassifier(c_grid=(1.0,), class_weight_grid=(None,), cv=2))
    """
    from sklearn.base import clone

    skip = list(skip)
    for name in skip:
        if name not in CHECKS:
            raise UnknownNameError(f"Unknown check {name!r}.{suggest(name, list(CHECKS))} Checks: {', '.join(CHECKS)}.")
    if isinstance(model, StanceModel):
        prototype = model
        factory: Callable[[], StanceModel] = lambda: clone(prototype)  # noqa: E731
        label = type(model).__name__
    elif callable(model):
        factory = model
        try:
            label = type(factory()).__name__
        except Exception:  # noqa: BLE001 - reported by the first check, which builds one again
            label = getattr(model, "__name__", "the model factory")
    else:
        raise TypeError(f"check_stance_model needs an unfitted StanceModel or a function returning one, "
                        f"got {type(model).__name__}.")
    train = list(train) if train is not None else example_corpus()
    dev = list(dev) if dev is not None else example_corpus(2, seed=7)
    if len(set(_labels(train))) < 3:
        skip.append("two_classes")  # dropping a label would leave one class
    with tempfile.TemporaryDirectory(prefix="stanceclf-check-") as tmp:
        ctx = _Context(factory, train, dev, Path(tmp), unseen)
        for name, check in CHECKS.items():
            if name in skip:
                continue
            try:
                check(ctx)
            except AssertionError as exc:
                rule = re.sub(r":\w+:`~?([^`]*)`", r"\1", " ".join((check.__doc__ or "").split())).replace("``", "")
                raise AssertionError(f"{label} fails the stance-model check {name!r}: {exc}. (The rule: {rule})") from None
            except Exception as exc:  # noqa: BLE001 - any error is a contract violation, named with its check
                hint = (" The hook is _fit_batch(self, batch, dev): dev is the labelled development PairBatch, "
                        "or None." if isinstance(exc, TypeError) and "_fit_batch" in str(exc) else "")
                raise AssertionError(f"{label} fails the stance-model check {name!r}: it raised "
                                     f"{type(exc).__name__}: {exc}.{hint}") from exc


# --------------------------------------------------------------------------------------------------
# Claim models
# --------------------------------------------------------------------------------------------------

_CLAIM_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "check-worthiness": {
        "CHECKWORTHY": ("Unemployment fell by {n} percent last year.", "We cut taxes for {n} million families.",
                        "Crime rose {n} percent under the governor.", "The deficit tripled to {n} billion dollars."),
        "NOT_CHECKWORTHY": ("Thank you all for coming, number {n}.", "Let me finish my answer, round {n}.",
                            "Good evening to everyone here in hall {n}.", "I look forward to question {n}."),
    },
    "subjectivity": {
        "SUBJ": ("What a shameful and cowardly decision, part {n}!", "This plan is a glorious triumph, part {n}.",
                 "Frankly the mayor is a disgrace, part {n}.", "I adore this brave and wonderful law, part {n}."),
        "OBJ": ("The council met on Tuesday in room {n}.", "The bill was filed with {n} signatures.",
                "The report covers {n} districts.", "The minister arrived at gate {n}."),
    },
    "causal": {
        "CAUSAL": ("The flood caused {n} deaths in the valley.", "Police fired tear gas, which led to {n} injuries.",
                   "The strike was triggered by {n} layoffs.", "Because of the ban, {n} shops closed."),
        "NOT_CAUSAL": ("Protesters gathered in square {n}.", "The march ended near bridge {n}.",
                       "Workers held banners on street {n}.", "The rally took place on day {n}."),
    },
}


def claim_corpus(n_per_label: int = 6, seed: int = 0) -> Rows:
    """A small learnable corpus of invented ``(text, task, label)`` triples for the three claim tasks
    (the task in the target position, each with its own two labels), deterministic per ``seed``.

    >>> rows = claim_corpus(1)
    >>> len(rows), sorted({task for _, task, _ in rows})
    (6, ['causal', 'check-worthiness', 'subjectivity'])
    """
    rng = random.Random(seed)
    rows: Rows = []
    for task, by_label in _CLAIM_TEXTS.items():
        for label, templates in by_label.items():
            for i in range(n_per_label):
                rows.append((templates[i % len(templates)].format(n=rng.randint(2, 999)), task, label))
    return rows


def check_claim_scores(ctx: _Context) -> None:
    """``score_texts`` gives one :class:`~stanceclf.types.ClaimScores` per text whose scores are the
    positive-class columns of ``predict_proba`` for each trained task, and ``None`` for the others."""
    from .models.claims import SCORE_FIELDS

    model = ctx.fitted
    texts = [t for t, _ in ctx.X]
    scores = model.score_texts(texts)  # type: ignore[attr-defined]
    if len(scores) != len(texts) or not all(isinstance(s, ClaimScores) for s in scores):
        raise AssertionError("score_texts must give one ClaimScores per text")
    classes = [str(c) for c in model.classes_]
    for task, (field, positive) in SCORE_FIELDS.items():
        values = [getattr(s, field) for s in scores]
        if task not in model.tasks_:  # type: ignore[attr-defined]
            if any(v is not None for v in values):
                raise AssertionError(f"score_texts filled {field!r}, a task the model was not trained on")
            continue
        proba = model.predict_proba([(t, task) for t in texts])[:, classes.index(positive)]
        if not np.allclose(np.asarray(values, dtype=float), proba, rtol=0, atol=1e-5):
            raise AssertionError(f"score_texts' {field!r} differs from predict_proba's {positive!r} column")


def check_claim_model(model: StanceModel | Callable[[], StanceModel], *, train: Rows | None = None,
                      dev: Rows | None = None, skip: Iterable[str] = ()) -> None:
    """:func:`check_stance_model` for a claim model, on :func:`claim_corpus` (three tasks, each with
    its own two labels), plus :func:`check_claim_scores` when the model has ``score_texts``.

    ``two_classes`` is not run: dropping one label leaves a task with a single label, which a claim
    model rightly refuses. Tasks never seen in training are not predicted (``unseen=()``).

    >>> from stanceclf.models.linear import TfidfStanceClassifier
    >>> check_claim_model(TfidfStanceClassifier(c_grid=(1.0,), class_weight_grid=(None,), cv=2))
    """
    from sklearn.base import clone

    train = list(train) if train is not None else claim_corpus()
    dev = list(dev) if dev is not None else claim_corpus(2, seed=7)
    check_stance_model(model, train=train, dev=dev, skip=[*skip, "two_classes"], unseen=())
    if hasattr(model if isinstance(model, StanceModel) else model(), "score_texts"):
        factory = (lambda: clone(model)) if isinstance(model, StanceModel) else model  # noqa: E731
        with tempfile.TemporaryDirectory(prefix="stanceclf-check-") as tmp:
            try:
                check_claim_scores(_Context(factory, train, dev, Path(tmp), ()))
            except AssertionError as exc:
                raise AssertionError(f"{type(model).__name__} fails the claim-model check 'claim_scores': {exc}") from None
