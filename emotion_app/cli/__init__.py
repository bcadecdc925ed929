"""Command line: ``python -m emotion_app analyze INPUT ...`` and ``python -m emotion_app bench INPUT ...``.

Light to import (the standard library only): the commands' modules (OpenCV, numpy, the
io and face modules) load in :func:`main`, which ends a Ctrl-C meanwhile in one line, as
the commands do one before their first frame, not in a traceback. ``python -m
emotion_app`` and the installed commands (``emotion-app-analyze``, whose wrapper imports
this package before anything else) start here.
"""

from __future__ import annotations

import argparse
import io
import logging
import signal
import sys
import threading

from ..arguments import ArgumentParser

EXIT_BAD_INPUT = 2  # unreadable input, missing weights, unwritable output (as argparse uses 2)


def build_parser(command_prog: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``command_prog`` names its one command as an entry point calls it
    (``emotion-app-analyze``) in usage and errors."""
    from . import analyze, bench

    parser = ArgumentParser(
        prog="python -m emotion_app",
        description="Facial-emotion recognition on videos and images (the desktop app is main.py).",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what the engine decides (inference mode, fallbacks)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    analyze.add_parser(commands, command_prog)
    bench.add_parser(commands, command_prog)
    return parser


def main(argv: list[str] | None = None, command_prog: str | None = None) -> int:
    # A file name that is not UTF-8 (legal on Linux) is printed with escapes, not a crash
    # after every output was written.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    # A shell starts a background job (`analyze … &`) with SIGINT ignored, and Python keeps
    # it so: a `kill -INT` while the modules load was lost, the run going on to the end
    # (the commands take SIGINT over, ignored or not, only once they run). Given back at
    # the end to an in-process caller.
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return _main(argv, command_prog)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    return _main(argv, command_prog)


def _main(argv: list[str] | None, command_prog: str | None) -> int:
    try:
        parser = build_parser(command_prog)  # loads the commands' modules
    except KeyboardInterrupt:
        print("interrupted by SIGINT; nothing was written", file=sys.stderr)
        return 128 + signal.SIGINT
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # Told by the command's own parser: its usage, under the name it was called by.
        getattr(args, "command_parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    return int(args.run(args))


def analyze_main(argv: list[str] | None = None) -> int:
    """The ``emotion-app-analyze`` command: ``python -m emotion_app analyze ...``."""
    return main(["analyze", *(sys.argv[1:] if argv is None else argv)], "emotion-app-analyze")


def bench_main(argv: list[str] | None = None) -> int:
    """The ``emotion-app-bench`` command: ``python -m emotion_app bench ...``."""
    return main(["bench", *(sys.argv[1:] if argv is None else argv)], "emotion-app-bench")
