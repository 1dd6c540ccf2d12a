"""Exceptions raised by stanceclf.

Every error says what was wrong and what to do about it. Catch :class:`StanceclfError` to handle
all of them; the subclasses also derive from the matching built-in exception so that generic
``except ValueError`` code keeps working.
"""

from __future__ import annotations

__all__ = [
    "StanceclfError",
    "DataError",
    "ModelError",
    "EngineError",
    "NotFittedError",
    "UnknownNameError",
]


class StanceclfError(Exception):
    """Base class of every error raised on purpose by stanceclf."""


class DataError(StanceclfError, ValueError):
    """A data file or an input value is missing, malformed or inconsistent."""


class ModelError(StanceclfError, ValueError):
    """A model cannot be built, saved or loaded as asked."""


class EngineError(StanceclfError, RuntimeError):
    """A compute engine cannot run the work: Ray is not installed, a cluster cannot be started or
    reached, or its workers keep dying on the same input."""


class UnknownNameError(StanceclfError, KeyError):
    """A dataset, model or metric name is not registered.

    The message lists the nearest known names.
    """

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


def __getattr__(name: str) -> type:
    # NotFittedError derives from scikit-learn's, so ``except sklearn.exceptions.NotFittedError`` catches
    # it too; it is built on first use to keep ``import stanceclf`` free of scikit-learn.
    if name == "NotFittedError":
        from sklearn.exceptions import NotFittedError as SklearnNotFittedError

        class NotFittedError(StanceclfError, SklearnNotFittedError):
            """A model was used before ``fit`` (or ``load``).

            Also a scikit-learn ``NotFittedError`` (hence a ValueError and an AttributeError).

            >>> from sklearn.exceptions import NotFittedError as SklearnNotFittedError
            >>> issubclass(NotFittedError, SklearnNotFittedError)
            True
            """

        NotFittedError.__module__, NotFittedError.__qualname__ = __name__, "NotFittedError"
        globals()[name] = NotFittedError
        return NotFittedError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def suggest(name: str, known: list[str] | tuple[str, ...]) -> str:
    """Return a ' Did you mean ...?' hint for a mistyped ``name`` (or '' when nothing is close)."""
    import difflib

    close = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=3, cutoff=0.5)
    lookup = {k.lower(): k for k in known}
    return f" Did you mean {', '.join(repr(lookup[c]) for c in close)}?" if close else ""
