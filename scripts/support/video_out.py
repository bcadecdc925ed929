"""Videos the scripts write, put in place only when complete (as the app's own outputs).

An interrupted or failed run leaves an earlier file of the same name as it was: the
frames go to a hidden temporary file beside it (:class:`emotion_app.io.atomic.AtomicOutput`).
"""

from __future__ import annotations

import os
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
