"""Pieces the commands share: loading the engine with one-line errors."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ..arguments import path_argument, threads_problem
from ..faces.detector import DEFAULT_MIN_FACE, FaceDetector, OpenCVSetupError, min_face_problem
from ..shipped import DEFAULT_WEIGHTS_NAME
from ..sources.stream_url import looks_like_url, without_password

if TYPE_CHECKING:
    import numpy as np

    from ..inference.classifier import EmotionClassifier
    from ..io.video import MediaInput


log = logging.getLogger(__name__)


class CommandError(Exception):
    """A user-fixable problem; the CLI prints ``error: <message>`` and exits with code 2."""


def input_argument(text: str) -> Path:
    """The file or folder a command reads. A network address was told "no such file or
    folder" (its '//' collapsed by ``Path``), with no word of where such a stream plays."""
    path = path_argument(text)
    if looks_like_url(text) and not path.exists():
        shown = without_password(text.strip())
        if shown.lower().startswith("file://"):
            raise argparse.ArgumentTypeError(f"{shown} is a URL; give the file's path itself")
        raise argparse.ArgumentTypeError(
            f"{shown} is a network address; this command reads files and folders "
            "(a network camera plays in the window: python main.py --camera URL)"
        )
    return path


def add_weights_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--weights",
        type=path_argument,
        default=None,
        metavar="W",
        help=f"weights file (default: the shipped {DEFAULT_WEIGHTS_NAME} in weights/)",
    )


def open_command_input(path: Path) -> MediaInput:
    """:func:`~emotion_app.io.video.open_input`, a model's weights file given as the input
    told what it is and where it goes (the window says so of one opened as a video)."""
    from ..io.video import InputError, is_safetensors_file, open_input

    try:
        return open_input(path)
    except InputError:
        if is_safetensors_file(path):
            raise InputError(
                f"{path}: it is a model's weights file (safetensors), not a video; models are given with --weights"
            ) from None
        raise


def add_verbose_argument(parser: argparse.ArgumentParser) -> None:
    """-v after the command as well as before it (the entry points have only "after")."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,  # not given here: the value before the command stands
        help="log what the engine decides (inference mode, fallbacks)",
    )


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="torch intra-op threads for the classifier (default 1: a frame's few faces gain nothing "
        "from more, and spinning worker threads slow everything else on small machines)",
    )


def check_threads(threads: int, option: str = "--threads") -> None:
    """A thread count (``option``'s) must be 1..the CPUs this process may use."""
    problem = threads_problem(threads, option)
    if problem:
        raise CommandError(problem)


def check_min_face(pixels: int) -> None:
    """``--min-face`` must be a face size some picture could hold (see :func:`.min_face_problem`)."""
    problem = min_face_problem(pixels)
    if problem:
        raise CommandError(problem)


class MinFaceCheck:
    """Warns, once, where ``--min-face`` is larger than a frame of ``media`` as it is searched
    for faces (:func:`.pipeline.searched_size`): nothing can be found there, which a run
    otherwise told only as "no face found"."""

    def __init__(self, min_face: int, media: MediaInput) -> None:
        self.min_face = min_face
        self.media = media
        self.told = False
        self._fitting: tuple[int, ...] | None = None  # the size of the last frame that fits

    def check(self, index: int, frame: np.ndarray) -> None:
        if self.told or frame.shape[:2] == self._fitting:
            return
        from ..pipeline import searched_size  # loaded with the engine, before any frame

        media, video = self.media, self.media.kind == "video"
        width, height = searched_size(frame.shape[0], frame.shape[1], still=not video)
        if self.min_face <= min(width, height):
            self._fitting = frame.shape[:2]
            return
        self.told = True
        if media.kind == "folder":
            where = str(media.images[index])
        elif not video and (media.frame_count or 1) > 1:
            where = f"{media.path} (page {index})"
        else:
            where = str(media.path)
        what, them = ("its frames", "them") if video else ("the picture", "it")
        once = "; said for the first such picture only" if not video and (media.frame_count or 1) > 1 else ""
        log.warning(
            "%s: --min-face %d is larger than %s as searched for faces (%dx%d pixels): no face can be found in %s%s",
            where,
            self.min_face,
            what,
            width,
            height,
            them,
            once,
        )


def apply_threads(threads: int) -> None:
    import torch

    check_threads(threads)
    torch.set_num_threads(threads)


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived; a command finishes its outputs and exits 128+signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum

    def __str__(self) -> str:
        return f"interrupted by {signal.Signals(self.signum).name}"


class SignalGuard:
    """Turns the first stop signal into :class:`Interrupted`; later ones, and any after
    :meth:`defer`, are only noted in ``received`` so cleanup runs to the end. Inside
    :meth:`held` the first one waits for the block's end, so a frame is either in every
    output or in none."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._deferred = False
        self._holding = False
        self._pending: int | None = None

    def defer(self) -> None:
        self._deferred = True

    @contextmanager
    def held(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._pending is not None and not self._deferred:  # reached only when the block completed
            signum, self._pending = self._pending, None
            raise Interrupted(signum)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None or self._deferred:
            self.received = self.received or signum
            return
        self.received = signum
        if self._holding:
            self._pending = signum
        else:
            raise Interrupted(signum)


@contextmanager
def interrupt_signals() -> Iterator[SignalGuard]:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread while inside."""
    guard = SignalGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard  # only the main thread may set handlers (in-process callers on a thread)
        return
    wanted = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    # A hang-up ignored from the start (`nohup`) stays ignored: the user asked for the run
    # to outlive the terminal. SIGINT is taken over even when ignored, as training does:
    # shells start background jobs with it ignored, and `kill -INT` should still stop one.
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
        wanted.remove(signal.SIGHUP)
    previous = {signum: signal.signal(signum, guard.handle) for signum in wanted}
    try:
        yield guard
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def load_classifier(weights: Path | None, optimize: bool = True) -> EmotionClassifier:
    """The classifier from ``weights`` (default: shipped), fast runner built; CommandError if unusable."""
    from ..inference.classifier import EmotionClassifier
    from ..weights import WeightsError

    try:
        return EmotionClassifier.load(weights, optimize=optimize)
    except WeightsError as exc:
        hint = "" if weights is not None else " (pass --weights FILE)"
        raise CommandError(f"{exc}{hint}") from exc


def make_detector(min_face_size: int = DEFAULT_MIN_FACE) -> FaceDetector:
    try:
        return FaceDetector(min_face_size=min_face_size)
    except OpenCVSetupError as exc:
        raise CommandError(str(exc)) from exc


def flush_stdout() -> None:
    """Push out what was printed now: a full disk or a closed pipe behind a redirected (so
    buffered) standard output is then an error here, told in one line, not at exit."""
    if sys.stdout is not None:  # None: started with standard output closed (`>&-`)
        sys.stdout.flush()


def fail(message: str) -> int:
    """Print a one-line error and return the bad-input exit code."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2
