"""Argument types shared by the command lines: the app's (``main.py``) and the CLI's.

Qt-free and light (no OpenCV, no torch), so ``main.py --help`` stays instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .nul_names import nul_shown, unencodable, unencodable_shown

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, but help that cannot be written to standard output (a full disk,
    a closed pipe) is an error: argparse ignores the failed write and exits 0, so a
    script saving ``--help`` took it for written; and an argument with a NUL character (a
    Python caller's: a shell cannot pass one) is refused before any is read, as no path can
    hold one (the OS calls raised a bare ValueError, at the end of a training run for an
    --export), and so is one with a character no file name can hold, a lone surrogate (a
    command line's bytes decode to characters that encode back). Its subcommands' parsers
    are of this class too (argparse makes them of their parent's)."""

    # One signature for typeshed's three overloads, which it takes all of.
    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        given = sys.argv[1:] if args is None else list(args)
        # A command's arguments are left to its own parser (of this class): its error shows
        # its usage, under the name it was called by (emotion-app-analyze), as argparse's do.
        self._refuse_unnamable(given[: self._command_at(given)])
        parsed = super().parse_known_args(given, namespace)
        self._refuse_unnamable(given)  # one no command's parser was handed
        return parsed

    def _command_at(self, given: list[str]) -> int:
        """Where the first of this parser's subcommands' names stands in ``given``; its length
        for none."""
        names = {
            name
            for action in self._actions
            if isinstance(action, argparse._SubParsersAction)
            for name in action.choices
        }
        return next((index for index, text in enumerate(given) if text in names), len(given))

    def _refuse_unnamable(self, given: list[str]) -> None:
        with_nul = next((text for text in given if "\0" in text), None)
        if with_nul is not None:
            self.error(
                f"the argument {nul_shown(with_nul)} has a NUL character, which no file name or command line can hold"
            )
        for text in given:
            character = unencodable(text)
            if character:
                self.error(
                    f"the argument {unencodable_shown(text)} has the character {character}, which no file name "
                    "or command line can hold"
                )

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        stdout = sys.stdout  # argparse's choice for help; None where it was closed (`>&-`)
        if not message or file is None or file is not stdout:
            # An error's usage and line (standard error): where they cannot be written,
            # the exit code (2) still tells it.
            super()._print_message(message, file)
            return
        try:
            try:
                sys.stdout.write(message)
            except UnicodeEncodeError:
                # A terminal without Unicode (an ASCII locale): the help's "…" and "×" escaped,
                # as the commands print names, not a traceback.
                encoding = getattr(sys.stdout, "encoding", None) or "ascii"
                sys.stdout.write(message.encode(encoding, "backslashreplace").decode(encoding))
            sys.stdout.flush()
        except OSError as exc:
            self.exit(stdout_failed(exc, "the help"))


def stdout_failed(exc: OSError, what: str) -> int:
    """Standard output failed: say so in one line on standard error (``what`` names what was
    lost), send nothing more there, not even the buffer's rest at exit, and return the
    exit code (2)."""
    with suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    print(f"error: {what} could not be printed to standard output ({exc.strerror or exc})", file=sys.stderr)
    return 2


def path_argument(text: str) -> Path:
    """A path given on the command line; an empty one is refused (``Path("")`` is the
    current folder, which nobody means by it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path")
    return Path(text)


def names_a_folder(text: str) -> bool:
    """Whether the path ``text`` ends in a separator or "." (a folder, whether or not one is
    there): ``Path`` drops that ending, so ``--csv results/`` would make a file named results."""
    separators = tuple(sep for sep in (os.sep, os.altsep) if sep)
    return text.endswith(separators) or text == "." or text.endswith(tuple(sep + "." for sep in separators))


def names_no_file(text: str) -> bool:
    """Whether the path ``text`` names no file to write but a folder: as :func:`names_a_folder`,
    or empty (``Path("")`` is the current folder) or ending in ".." (the folder above).
    ``analyze --output``, the window's Record to… and a snapshot's path refuse it so."""
    return not text or names_a_folder(text) or Path(text).name == ".."


def file_path_argument(text: str) -> Path:
    """A path an output file is written to; one that names a folder is refused."""
    path = path_argument(text)
    if names_no_file(text):
        raise argparse.ArgumentTypeError(f"{text} names a folder; give the file's name")
    return path


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_problem(threads: int, option: str = "--threads", lowest: int = 1) -> str:
    """What is wrong with a thread count given as ``option`` ("" when nothing): it must be
    ``lowest``..the CPUs this process may use (100000 threads crash torch)."""
    cpus = usable_cpus()
    if lowest <= threads <= cpus:
        return ""
    return f"{option} must be between {lowest} and {cpus} (the CPUs this process may use), got {threads}"
