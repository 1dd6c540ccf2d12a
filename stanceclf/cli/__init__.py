"""The ``stanceclf`` command line: analyse news (quotes, speakers, stance, claim scores), score claims,
and train, evaluate, predict and benchmark stance models.

Exit codes (stable, for scripts):
  0  success
  1  unexpected internal error (please report it)
  2  bad usage or bad input (unknown name, missing file, malformed data)
  3  partial failure: some inputs could not be processed (each one is reported)

The package: ``parser`` builds the argument tree, ``commands`` holds one thin function per command
over the library, ``common`` what they share (exit codes, messages, usage errors).
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

from .commands import COMMANDS
from .common import EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, UsageError, library_progress_bars, raise_usage, setup_logging
from .parser import build_parser

__all__ = ["EXIT_OK", "EXIT_INTERNAL", "EXIT_USAGE", "EXIT_PARTIAL", "build_parser", "main", "raise_usage"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stanceclf`` command; returns the exit code."""
    from ..errors import StanceclfError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    setup_logging(args)
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in a file name must not crash the output
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        with library_progress_bars(args):
            return COMMANDS[args.command](args)
    except (StanceclfError, UsageError) as exc:
        print(f"stanceclf {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of standard output went away (`stanceclf ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return EXIT_BROKEN_PIPE
