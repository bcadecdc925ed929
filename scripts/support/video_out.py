"""Videos the scripts write, put in place only when complete (as the app's own outputs).

An interrupted or failed run leaves an earlier file of the same name as it was: the
frames go to a hidden temporary file beside it (:class:`emotion_app.io.atomic.AtomicOutput`).
:func:`rewrite_video` writes a changed copy of a clip (turned, dimmed) frame by frame.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from emotion_app.io.atomic import AtomicOutput, OutputError


class VideoOut:
    """``with VideoOut(path, "MJPG", fps, (width, height)) as video: video.write(frame)``.

    The file appears at ``path`` when the block ends normally; on an exception it never
    does. Raises :class:`OutputError` when OpenCV cannot write such a video there.
    """

    def __init__(self, path: str | os.PathLike[str], fourcc: str, fps: float, size: tuple[int, int]) -> None:
        self._output = AtomicOutput(path)
        temp = self._output.open()
        self._writer = cv2.VideoWriter(str(temp), cv2.VideoWriter.fourcc(*fourcc), fps, size)
        if not self._writer.isOpened():
            self._output.discard()
            raise OutputError(f"{path}: OpenCV cannot write a {fourcc} video of {size[0]}x{size[1]} there")
        self.frames = 0

    def write(self, frame: np.ndarray) -> None:
        self._writer.write(frame)
        self.frames += 1

    def __enter__(self) -> VideoOut:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._writer.release()
        if kind is None and self.frames:
            self._output.commit()
        else:
            self._output.discard()


def rewrite_video(
    source: Path,
    target: Path,
    change: Callable[[np.ndarray, int, float], np.ndarray],
    lead_in: Sequence[np.ndarray] = (),
) -> bool:
    """Write ``source``'s frames through ``change(frame, index, fps)`` to ``target`` (MJPG, at
    the source's rate and size), after the ``lead_in`` frames resized to that size; False if
    ``source`` cannot be read. Raises :class:`OutputError` when ``target`` cannot be written."""
    capture = cv2.VideoCapture(str(source))
    try:
        ok, frame = capture.read()
        if not ok:
            return False
        fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        height, width = frame.shape[:2]
        with VideoOut(target, "MJPG", fps, (width, height)) as video:
            for opening in lead_in:
                video.write(cv2.resize(opening, (width, height), interpolation=cv2.INTER_AREA))
            index = 0
            while ok:
                video.write(change(frame, index, fps))
                ok, frame = capture.read()
                index += 1
        return True
    finally:
        capture.release()
