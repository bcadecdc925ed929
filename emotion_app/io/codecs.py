"""Which video codecs the installed OpenCV can write, found by trying (once per process).

MP4 files are best written as H.264, which browsers and previews play everywhere; but
OpenCV's pip wheels ship an FFmpeg without an H.264 encoder, so the probe writes a tiny
file with each H.264 tag and falls back to MPEG-4 Part 2 (``mp4v``, in every wheel),
saying so. AVI and MKV are written as Motion JPEG.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

# FFmpeg's own messages bypass OpenCV's logger and reach the terminal: two lines about an
# encoder it cannot open at every start-up (the H.264 probe below), and more for damaged
# files, whose lost frames the app and analyze report in their own words. So only FFmpeg's
# panic messages (it aborts next) are shown, unless the user asked for FFmpeg's log: with a
# level, or with OPENCV_FFMPEG_DEBUG (FFmpeg's verbose level where no level is set). Its JPEG
# decoder tells a damaged frame at the fatal level, on standard output. OpenCV reads both
# when FFmpeg is first used, which every entry point does after importing this module.
if "OPENCV_FFMPEG_DEBUG" not in os.environ:
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "0")  # AV_LOG_PANIC

# The probe's tags. In an MP4 container OpenCV turns the "H264" tag into "avc1" anyway
# (printing two lines about it on stderr) and tries the same encoder again, so "avc1"
# alone answers the question.
_H264_TAGS = ("avc1",)
_MP4_SUFFIXES = frozenset({".mp4", ".m4v", ".mov"})
_MJPG_SUFFIXES = frozenset({".avi", ".mkv"})


@dataclass(frozen=True)
class VideoCodec:
    fourcc: str
    name: str  # what to tell the user
    note: str = ""  # why it is not the best choice, if it is not

    def describe(self) -> str:
        """The codec in words, and why it was used where it is a fallback: "MPEG-4 Part 2:
        this OpenCV build …", with no brackets of its own (the saved notice puts it in
        brackets beside the frame count; nested, it read badly)."""
        return f"{self.name}: {self.note}" if self.note else self.name


MPEG4_PART2 = VideoCodec("mp4v", "MPEG-4 Part 2", "this OpenCV build has no H.264 encoder; some players cannot play it")
MOTION_JPEG = VideoCodec("MJPG", "Motion JPEG")


# The log level is the process's: blocks on several threads (the capture thread reading a
# picture, the inference thread opening a recording) share one silence, and the level
# from before the first is restored after the last (each restoring its own could leave
# the log silent for good).
_quiet_lock = threading.Lock()
_quiet_blocks = 0
_level_before = 0


@contextmanager
def quiet_opencv_log() -> Iterator[None]:
    """OpenCV's own log silenced while the block runs: for steps whose failures the app
    reports in its own words (an encoder probe, a picture it cannot decode)."""
    global _quiet_blocks, _level_before
    with _quiet_lock:
        if _quiet_blocks == 0:
            _level_before = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        _quiet_blocks += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_blocks -= 1
            if _quiet_blocks == 0:
                cv2.utils.logging.setLogLevel(_level_before)


_stderr_lock = threading.Lock()


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """The process's standard error (file descriptor 2) sent to the null device while the
    block runs: for native libraries that print there past OpenCV's log (libjpeg's "Corrupt
    JPEG data", libpng's "CRC error" on a picture the app reports in its own words). Keep
    the block short: other threads' native messages in it are lost too."""
    with _stderr_lock:
        try:
            saved: int | None = os.dup(2)
        except OSError:  # no standard error at all: nothing to silence
            saved = None
        if saved is None:
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


# How long stopping the filter waits for the lines still in its pipe to be passed on.
FORWARD_DRAIN_S = 1.0


class NativeStderrFilter:
    """The process's standard error (file descriptor 2) read through a pipe from
    :meth:`start` to :meth:`stop` (on any threads), and its lines passed on as they come to
    where it went before, but for those ``drop`` says to leave out: for a native library's
    line that nothing else keeps off the terminal, where silencing standard error (as
    :func:`native_stderr_silenced` does) would lose other threads' lines meanwhile."""

    def __init__(self, drop: Callable[[bytes], bool]) -> None:
        self._drop = drop
        self._saved: int | None = None  # standard error as it was before start()
        self._forwarder: threading.Thread | None = None

    def start(self) -> bool:
        """Pass standard error through the filter; False (and nothing changed) where another
        thread holds it (:func:`native_stderr_silenced`), or it cannot be done."""
        if not _stderr_lock.acquire(blocking=False):
            return False
        try:
            saved = os.dup(2)
        except OSError:  # no standard error at all: nothing to filter
            _stderr_lock.release()
            return False
        try:
            read_end, write_end = os.pipe()
            out = os.dup(saved)
        except OSError:
            os.close(saved)
            _stderr_lock.release()
            return False
        os.dup2(write_end, 2)
        os.close(write_end)
        self._saved = saved
        self._forwarder = threading.Thread(
            target=self._forward, args=(read_end, out), name="stderr filter", daemon=True
        )
        self._forwarder.start()
        return True

    def stop(self) -> None:
        """Standard error as it was before :meth:`start`, once the lines still in the pipe
        have gone on (a bounded wait: a child process may hold the pipe open)."""
        saved, self._saved = self._saved, None
        forwarder, self._forwarder = self._forwarder, None
        if saved is None:
            return
        try:
            os.dup2(saved, 2)  # the pipe's last writer gone: the forwarding thread ends
            os.close(saved)
        finally:
            _stderr_lock.release()
        if forwarder is not None:
            # A daemon thread: left to run, an exit right after would lose another thread's
            # last lines still in the pipe.
            forwarder.join(FORWARD_DRAIN_S)

    def _forward(self, read_end: int, out: int) -> None:
        pending = b""
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                *lines, pending = (pending + chunk).split(b"\n")
                _write_all(out, b"".join(line + b"\n" for line in lines if not self._drop(line)))
        if pending and not self._drop(pending):
            _write_all(out, pending)
        os.close(out)


def _write_all(fd: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(fd, data) :]
    except OSError:  # the terminal gone: the pipe is still drained, its writers never blocked
        pass


@lru_cache(maxsize=1)
def h264_codec() -> VideoCodec | None:
    """H.264 if a tiny test file can be written with it, else None (cached)."""
    # OpenCV logs an error for each encoder it cannot open; expected here, so kept quiet.
    with quiet_opencv_log():
        return _probe()


def _probe() -> VideoCodec | None:
    with tempfile.TemporaryDirectory(prefix="codec-probe-") as folder:
        for tag in _H264_TAGS:
            path = Path(folder) / f"probe-{tag}.mp4"
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*tag), 10.0, (64, 48))
            try:
                if not writer.isOpened():
                    continue
                for shade in (0, 128):
                    writer.write(np.full((48, 64, 3), shade, np.uint8))
            finally:
                writer.release()
            if path.is_file() and os.path.getsize(path) > 0:
                return VideoCodec(tag, "H.264")
    return None


def codec_for(suffix: str) -> VideoCodec | None:
    """The codec a video of this suffix is written with (None: not a video suffix)."""
    suffix = suffix.lower()
    if suffix in _MP4_SUFFIXES:
        return h264_codec() or MPEG4_PART2
    if suffix in _MJPG_SUFFIXES:
        return MOTION_JPEG
    return None


VIDEO_SUFFIXES: frozenset[str] = _MP4_SUFFIXES | _MJPG_SUFFIXES
