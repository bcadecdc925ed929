"""A source OpenCV opens (a camera device, a video file), wrapped as a :class:`FrameSource`
once it has delivered its first frame."""

from __future__ import annotations

import math

import cv2
import numpy as np

from emotion_app.io.frame_format import normalise_frame
from emotion_app.io.frame_times import FrameTimes
from emotion_app.io.gif_delays import GifFrameEnds
from emotion_app.io.recent_frames import Frame, RecentFrames
from emotion_app.io.video import MAX_UNDECODABLE_RUN

from .frame_source import usable_fps

# OpenCV's seek decodes on from a keyframe at least this many frames before the one sought.
_OPENCV_SEEK_LEAD = 16
# The most frames from a keyframe to the next (a group of pictures) that a seek past a damaged
# start allows for: 10 s at 30 fps, longer than x264's 250.
_LONGEST_GROUP = 300
# The most frames a seek cut short by a damaged frame reads on to the frame sought: no more
# than OpenCV's own seek decodes before it from a keyframe a group and a lead back.
_READ_ON_MOST = _OPENCV_SEEK_LEAD + _LONGEST_GROUP


class OpenCvFrameSource:
    """A ``cv2.VideoCapture`` that has already delivered one good frame.

    The first frame is read while opening because a busy camera or an undecodable file
    often "opens" fine and only fails on the first read; checking here lets the window
    say "could not open" instead of "stopped mid-stream".
    """

    def __init__(
        self,
        capture: cv2.VideoCapture,
        first_frame: np.ndarray,
        timed: bool = False,
        seeks_from_start: bool = False,
        gif_ends: GifFrameEnds | None = None,
        failed_before: int = 0,
    ) -> None:
        """``failed_before``: the reads that failed before ``first_frame`` (a file's
        damaged start, read past): the capture worker places it after the frames lost."""
        self._capture: cv2.VideoCapture | None = capture
        self._pending: np.ndarray | None = first_frame
        # A GIF has no index to seek by: FFmpeg's reader reaches frame N by decoding every
        # frame from the first (each frame is drawn over the ones before it).
        self._seeks_from_start = seeks_from_start
        # The frames the capture decoded for this source, as far as it can tell: those read,
        # and those passed over by a seek that decodes from the first frame.
        self.decoded_frames = 1 + failed_before
        self.failed_before = failed_before
        # A GIF's last frames read, kept for a seek back among them, and where the capture
        # is (the frame it decodes next: the first frame's place, past the reads that failed).
        self._recent = RecentFrames(first_frame.nbytes)
        self._recent.restarted(failed_before)
        self._replay: int | None = None  # the next frame read from _recent, not the capture
        self.height, self.width = first_frame.shape[:2]
        self.fps = usable_fps(float(capture.get(cv2.CAP_PROP_FPS) or 0.0))
        count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count = int(count) if math.isfinite(count) and count > 0 else 0
        # Files (``timed``) time their frames by the container; a camera's clock is the
        # capture worker's.
        self._times = FrameTimes(self.fps) if timed else None
        # OpenCV numbers a file's frames from the first it decoded, its seeks too: past a
        # damaged start, its frame N is the file's frame N + this (the first's place).
        self.first_place = _opencv_place(capture) if failed_before else 0
        # Reads that give no frame before the one held (a seek into a damaged stretch,
        # read through here): the capture worker counts them as frames lost, as read.
        self._unread = 0
        self._pending_time = self._frame_time()
        self.last_time_s: float | None = None
        # A GIF's frame ends: how long the frame read last is shown, which FFmpeg's next
        # frame would tell only by its time (and after the last, none comes).
        self._gif_ends = gif_ends
        self._keep(first_frame, self._pending_time)

    def read(self) -> np.ndarray | None:
        if self._unread:
            self._unread -= 1
            return None
        if self._replay is not None:
            index, self._replay = self._replay, self._replay + 1
            if self._replay >= self._recent.position:
                self._replay = None
            kept, time_s = self._recent.get(index) or (None, None)
            if kept is not None:
                self.last_time_s = time_s
                return kept.copy()  # the one kept stays as read, whatever is drawn on this
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.last_time_s = self._pending_time
            return pending
        if self._capture is None:
            return None
        ok, read = self._capture.read()
        self.decoded_frames += 1
        frame: np.ndarray | None = read if ok else None
        if frame is None or frame.size == 0:
            return None  # where it stays: the frames kept still reach to it (a step back after the end)
        self.last_time_s = self._frame_time()
        frame = normalise_frame(frame)
        self._keep(frame, self.last_time_s)
        return frame

    @property
    def step_periods(self) -> int | None:
        """Frame periods from the frame read before to the frame read last, by their
        timestamps (:attr:`.FrameTimes.step_periods`); None where they do not tell (a
        camera's frames, a file's first frame after a seek)."""
        return self._times.step_periods if self._times is not None else None

    @property
    def last_end_s(self) -> float | None:
        """When the frame read last gives way to the next, where the file says (a GIF's
        frame delays); None where only the next frame's time tells."""
        if self._gif_ends is None or self.last_time_s is None:
            return None
        return self._gif_ends.end_s(self.last_time_s)

    def _keep(self, frame: np.ndarray, time_s: float | None) -> None:
        """Keep a GIF's frame just read and handed out among the recent ones: a copy (the
        caller may draw on the one handed out)."""
        if self._seeks_from_start:
            self._recent.keep(frame.copy(), time_s)

    def _frame_time(self) -> float | None:
        if self._times is None or self._capture is None:
            return None
        return self._times.next(float(self._capture.get(cv2.CAP_PROP_POS_MSEC)))

    def rewind(self) -> bool:
        return self.seek(0)

    def seek(self, frame: int) -> bool:
        if self._capture is None:
            return False
        frame = max(0, frame)
        if self._seeks_from_start:
            if self._recent.reaches(frame):
                # Back among the last frames read (a step back, a few seconds back): they
                # are given again, and the capture reads on after them where it is.
                self._pending, self._replay = None, frame
                return True
            ahead = self._recent.ahead(frame)
            if ahead is not None:
                # Forward, the frames between are read on from where the reader is, not
                # again from the first: a play with seeks, or a seek bar dragged on, stays
                # linear.
                return self._skip(ahead)
            self.decoded_frames += frame
            self._recent.restarted(frame)
            self._replay = None
        self._pending = None  # the frame read while opening is no longer next
        self._unread = 0
        if self._times is not None:
            self._times.restart()
        if self.first_place and frame > 0:
            return self._seek_past_damaged_start(frame)
        if not self._capture.set(cv2.CAP_PROP_POS_FRAMES, frame):
            return False
        if frame > 0 and self._times is not None and not self._seeks_from_start:
            self._land_on(frame, again=True)
        return True

    def _land_on(self, frame: int, again: bool) -> None:
        """After OpenCV's seek to the file's frame ``frame``: hold that frame, read on to it
        where a damaged frame cut the seek short.

        OpenCV's seek decodes on from a keyframe at least 16 frames before the one sought,
        counting the frames it decodes, and stops at one that does not decode: its place
        (``CAP_PROP_POS_FRAMES``) is then short of the frame sought, and its next read the
        frame after the damaged one (every frame after it one off, up to the next keyframe's
        lead). Nor does a frame sought that does not decode tell how many frames its reads
        that failed hold (an MPEG-2 group's, the frame before it held back by the decoder).
        There the frames are read on, placed by their time, to the frame sought or the first
        after it that decodes (held, the frames between given as failed reads, as a damaged
        start's are): at most :data:`_READ_ON_MOST` frames. Further, OpenCV seeks ``again``
        from the frame just read (in an AVI whose index was lost it decodes on from the last
        frame read: from before the damaged frame, the first seek stopped at it); else the
        first frame read is held as OpenCV's seek leaves it, numbered as the frame sought,
        as where the times do not tell."""
        capture = self._capture
        assert capture is not None
        failed = 0
        # OpenCV numbers the frames from the first it decoded (past a damaged start).
        opencv_frame = frame - self.first_place
        if int(capture.get(cv2.CAP_PROP_POS_FRAMES)) == opencv_frame:
            read = self._read_capture()
            if read is not None:  # the frame sought: OpenCV's seek went as it should
                self._hold(read, 0)
                return
            failed = 1
        before = -1  # the place of the frame read on before
        read_on = 0
        while failed < MAX_UNDECODABLE_RUN:
            read = self._read_capture()
            if read is None:
                failed += 1
                continue
            place = _time_place(capture)
            if place is not None and place >= frame:  # the frame sought, or the first after it that decodes
                self._hold(read, place - frame)
                return
            if place is None or place <= before:  # the times do not tell: held as read
                self._hold(read, failed)
                return
            if frame - place > _READ_ON_MOST - read_on:
                if again and capture.set(cv2.CAP_PROP_POS_FRAMES, opencv_frame):
                    self._land_on(frame, again=False)
                else:  # as OpenCV's seek leaves it
                    self._hold(read, failed)
                return
            before, read_on, failed = place, read_on + 1, 0
        # The file ends before it, or a damaged stretch too long to read past: the reads that
        # failed are given as such, the capture worker counting them as its own (its end).
        self._unread = failed

    def _read_capture(self) -> np.ndarray | None:
        """The capture's next frame as it decodes (not handed out), None where it does not."""
        capture = self._capture
        assert capture is not None
        ok, read = capture.read()
        self.decoded_frames += 1
        return read if ok and read is not None and read.size > 0 else None

    def _hold(self, frame: np.ndarray, failed: int) -> None:
        """Give ``frame``, just read, at the next read, after ``failed`` reads that give none
        (the frames lost before it: the capture worker counts them as read)."""
        self._pending, self._pending_time = normalise_frame(frame), self._frame_time()
        self._unread = failed

    def _seek_past_damaged_start(self, frame: int) -> bool:
        """Seek to the file's frame ``frame`` where its first frames do not decode.

        OpenCV's seek counts from the first frame decoded (:attr:`first_place`), and goes
        to a keyframe before the frame sought, decoding on from there: one in the damaged
        start gives no frame, and it stops there. The file is then read from its start
        instead, to the frame before the one sought: near the start only (further on, a
        damaged keyframe stops OpenCV's seek as it does in any file), so that a seek never
        reads a long file through."""
        capture = self._capture
        assert capture is not None
        first = self.first_place
        if frame - first > 1:
            if not capture.set(cv2.CAP_PROP_POS_FRAMES, frame - first):
                return False
            if _opencv_place(capture) >= first or frame > 2 * first + _OPENCV_SEEK_LEAD + _LONGEST_GROUP:
                # Decoded on from a keyframe after the damaged start: cut short, as in any
                # file, by a damaged frame further on.
                if not self._seeks_from_start:  # a GIF's frames read are kept as read()'s
                    self._land_on(frame, again=True)
                return True
        if not capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
            return False
        failed = 0
        while failed < MAX_UNDECODABLE_RUN:
            read = self._read_capture()
            if read is None:
                failed += 1
                continue
            failed = 0
            place = _opencv_place(capture)
            if place >= frame:  # the frame sought, or the first after it that decodes
                self._pending, self._pending_time = normalise_frame(read), self._frame_time()
                self._unread = place - frame
                return True
            if place == frame - 1:
                return True
        return True  # the file ends before it: the next read says so

    def _skip(self, frames: int) -> bool:
        """Pass over the capture's next ``frames`` frames, the last of them kept as read
        (for a step back after the seek); False where the file ends before."""
        capture = self._capture
        assert capture is not None
        self._pending = self._replay = None

        def grab() -> bool:
            self.decoded_frames += 1
            return bool(capture.grab())

        def read() -> Frame | None:
            read = self._read_capture()
            if read is None:
                return None
            return normalise_frame(read), self._frame_time()  # kept as it is: not handed out

        return self._recent.pass_over(frames, grab, read)

    def release(self) -> None:
        capture, self._capture = self._capture, None
        self._pending = self._replay = None
        self._recent.clear()  # a GIF's frames kept: let go of with the file
        if capture is not None:
            capture.release()


def _opencv_place(capture: cv2.VideoCapture) -> int:
    """The place in its file of the frame ``capture`` read last, by its time, as OpenCV
    places it (its frame's seconds times its rate, rounded); 0 where they do not tell."""
    return _time_place(capture) or 0


def _time_place(capture: cv2.VideoCapture) -> int | None:
    """:func:`_opencv_place`, None where the time or the rate is not known (a time of 0:
    a backend's that gives 0 for every frame, or the first frame's)."""
    time_ms = float(capture.get(cv2.CAP_PROP_POS_MSEC))
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    if not (math.isfinite(time_ms) and math.isfinite(fps)) or time_ms <= 0 or fps <= 0:
        return None
    return int(time_ms / 1000.0 * fps + 0.5)


def read_first_frame(capture: cv2.VideoCapture) -> np.ndarray | None:
    ok, frame = capture.read()
    return frame if ok and frame is not None and frame.size > 0 else None
