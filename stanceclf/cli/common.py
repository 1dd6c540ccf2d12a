"""What every command shares: exit codes, the usage error, messages (logging) and progress bars."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from typing import Iterator, NoReturn

__all__ = ["EXIT_OK", "EXIT_INTERNAL", "EXIT_USAGE", "EXIT_PARTIAL", "UsageError", "check_positive", "logger",
           "raise_usage", "setup_logging", "show_progress"]

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: standard output was closed by its reader (`stanceclf ... | head`): 128 + SIGPIPE, as shells report it
EXIT_BROKEN_PIPE = 141

logger = logging.getLogger("stanceclf")


class UsageError(Exception):
    """Bad usage found after parsing; reported as ``stanceclf COMMAND: error: ...`` with exit code 2."""


def raise_usage(message: str) -> NoReturn:
    """Stop the command with a usage error (exit code 2)."""
    raise UsageError(message)


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars go to standard error, only when it is a terminal and not turned off."""
    return not (args.no_progress or args.quiet) and sys.stderr.isatty()


@contextlib.contextmanager
def library_progress_bars(args: argparse.Namespace) -> Iterator[None]:
    """While a command runs, turn off the progress bars inside the library and its dependencies too
    (tqdm reads ``TQDM_DISABLE``) when the command's own are off."""
    if show_progress(args) or "TQDM_DISABLE" in os.environ:
        yield
        return
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        os.environ.pop("TQDM_DISABLE", None)


def setup_logging(args: argparse.Namespace) -> None:
    """stanceclf's messages go to standard error through :mod:`logging` (the library itself only logs)."""
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def check_positive(args: argparse.Namespace, *names: str) -> None:
    """Refuse a numeric option below 1 (options left unset are fine)."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise_usage(f"--{name.replace('_', '-')} must be at least 1, got {value}.")
