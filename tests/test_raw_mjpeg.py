"""Raw MJPEG files (JPEGs one after another, no container) read through an index of where
each JPEG starts: the file's length known (the seek bar), any frame one file seek away,
back as well as ahead; a last JPEG cut short, a file that grows, a thumbnail inside a JPEG.

Every file is real and written by the test; the window tests drive the real main window.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from emotion_app.io import codecs, raw_mjpeg
from emotion_app.io.raw_mjpeg import GIVE_UP_AFTER_UNDECODABLE, JpegIndex, RawMjpeg
from emotion_app.io.video import MAX_UNDECODABLE_RUN, InputError, decode_jpeg_silently, open_input
from emotion_app.sources import files
from emotion_app.sources.files import RawMjpegFrameSource
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import (
    WAIT_MS,
    WindowFactory,
    paused_at,
    playback_of,
    shown_result,
    source_info_of,
    wait_until_stopped,
)
from tests.hostile_support import number_of, numbered, numbered_frames, write_raw_mjpeg

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def jpegs_of(frames: list[np.ndarray], quality: int = 90) -> list[bytes]:
    return [cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes() for frame in frames]


def decoded(jpeg: bytes) -> np.ndarray:
    """The frame a JPEG holds, decoded on its own."""
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert frame is not None, "the JPEG decodes"
    return frame


GIGABYTE = 1 << 30


def padded(path: Path, jpegs: list[bytes], padding: int) -> Path:
    """``jpegs``, then ``padding`` zero bytes, as a recorder that made its file long ahead
    of its frames leaves it; sparse, so the test writes none of them to disk."""
    with path.open("wb") as handle:
        handle.write(b"".join(jpegs))
        handle.truncate(handle.tell() + padding)
    return path


def bytes_read() -> int:
    """The bytes this thread has read from files so far (Linux's count of what its reads
    returned; a test of it is skipped elsewhere). This thread's only: a thread an earlier
    test left behind (a Qt pool thread reading a weights file, say) would count too in the
    process's, and the reads measured here are made on the calling thread."""
    try:
        lines = Path("/proc/thread-self/io").read_text().splitlines()
    except OSError:
        pytest.skip("no /proc/thread-self/io to count the bytes read")
    return next(int(line.split()[1]) for line in lines if line.startswith("rchar:"))


def starts_of(jpegs: list[bytes]) -> list[int]:
    """Where each JPEG starts in their concatenation, and where it ends."""
    return list(itertools.accumulate((len(jpeg) for jpeg in jpegs), initial=0))


@pytest.mark.parametrize("chunk", [1 << 20, 64, 5], ids=["whole", "64-byte reads", "5-byte reads"])
def test_the_index_finds_each_jpeg_and_counts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    # Reads of a few bytes put JPEG starts across the ends of reads, as a long file's do.
    monkeypatch.setattr(raw_mjpeg, "_CHUNK", chunk)
    monkeypatch.setattr(raw_mjpeg, "_LOOKAHEAD", min(chunk, raw_mjpeg._LOOKAHEAD))
    frames = numbered_frames(30)
    jpegs = [jpeg for index, frame in enumerate(frames) for jpeg in jpegs_of([frame], quality=40 + 2 * index)]
    clip = tmp_path / "numbered.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    starts = starts_of(jpegs)
    with JpegIndex(clip) as index:
        assert index.count is None, "nothing scanned yet"
        assert index.span(29) == (starts[29], starts[30]), "scanned on as far as asked"
        assert index.span(30) is None
        assert index.count == 30
        assert [index.span(frame) for frame in range(30)] == list(itertools.pairwise(starts))


def test_a_thumbnail_inside_a_jpeg_is_no_frame_of_its_own(tmp_path: Path) -> None:
    # A camera's JPEG may carry a smaller JPEG in a segment of its own (an Exif thumbnail):
    # its start marker is not a frame's, as a scan for start markers alone would take it.
    frames = numbered_frames(3)
    jpegs = jpegs_of(frames)
    thumbnail = jpegs_of([cv2.resize(frames[0], (40, 30))])[0]
    segment = b"\xff\xfe" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail  # a comment segment holding it
    jpegs[1] = jpegs[1][:2] + segment + jpegs[1][2:]
    clip = tmp_path / "thumbnail.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    with JpegIndex(clip) as index:
        assert index.scan() == 3
        assert [index.span(frame) for frame in range(3)] == list(itertools.pairwise(starts_of(jpegs)))
    read = [frame for _, _, frame in open_input(clip).frames()]
    assert [frame.shape for frame in read] == [(120, 160, 3)] * 3
    assert np.array_equal(read[1], decoded(jpegs[1]))


@pytest.mark.parametrize("damage", ["a table's length", "the scan header's length", "a JPEG cut in its tables"])
def test_a_jpeg_whose_segments_do_not_add_up_hides_no_jpeg_after_it(tmp_path: Path, damage: str) -> None:
    # Was: the walk over JPEG 5's segments followed the damaged length tens of KiB on and
    # searched for the next JPEG from there, so the JPEGs that start on the way were no
    # frames: left out by the app and analyze, the later ones numbered short of their place.
    jpegs = jpegs_of(numbered_frames(20))
    damaged = bytearray(jpegs[5])
    if damage == "a JPEG cut in its tables":
        damaged = damaged[: damaged.find(b"\xff\xdb") + 40]  # a writer stopped, then went on
    else:
        marker = damaged.find(b"\xff\xdb" if damage == "a table's length" else b"\xff\xda")
        damaged[marker + 2 : marker + 4] = b"\xff\xf0"
    jpegs[5] = bytes(damaged)
    clip = tmp_path / "damaged.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    with JpegIndex(clip) as index:
        assert index.scan() == 20
        assert [index.span(frame) for frame in range(20)] == list(itertools.pairwise(starts_of(jpegs)))
    read = {index: frame for index, _, frame in open_input(clip).frames()}
    assert sorted(read) == [index for index in range(20) if index != 5]
    assert all(np.array_equal(frame, decoded(jpegs[index])) for index, frame in read.items())


@pytest.mark.parametrize("damaged", [17, 18])
def test_a_damaged_length_near_a_raw_mjpegs_end_hides_no_jpeg_after_it(tmp_path: Path, damaged: int) -> None:
    # Was: a length pointing past the file's end was trusted (as a file being written may
    # have it), so the whole JPEGs after the damaged one, within the 64 KiB a length can
    # reach, were never found: left out by the app and analyze, the count short of them.
    jpegs = jpegs_of(numbered(20))
    broken = bytearray(jpegs[damaged])
    marker = broken.find(b"\xff\xdb")
    broken[marker + 2 : marker + 4] = b"\xff\xf0"  # its tables' length points past the file's end
    jpegs[damaged] = bytes(broken)
    clip = tmp_path / "damaged.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    assert marker + 0xFFF0 > sum(len(jpeg) for jpeg in jpegs[damaged:])
    with JpegIndex(clip) as index:
        assert index.scan() == 20
        assert [index.span(frame) for frame in range(20)] == list(itertools.pairwise(starts_of(jpegs)))
    read = [number_of(frame) for _, _, frame in open_input(clip).frames()]
    assert read == [index for index in range(20) if index != damaged]


def first_jpegs_damaged(folder: Path, frames: list[np.ndarray], damaged: int) -> Path:
    """A raw MJPEG of ``frames`` whose first ``damaged`` JPEGs do not decode (their tables'
    length past what they hold)."""
    jpegs = jpegs_of(frames)
    for index in range(damaged):
        broken = bytearray(jpegs[index])
        marker = broken.find(b"\xff\xdb")
        broken[marker + 2 : marker + 4] = b"\xff\xf0"
        jpegs[index] = bytes(broken)
        assert decode_jpeg_silently(np.frombuffer(jpegs[index], np.uint8)) is None
    clip = folder / "damaged_start.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    return clip


def test_a_raw_mjpeg_whose_first_jpegs_do_not_decode_is_read_from_the_first_that_does(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: refused by analyze ("video has no readable frames") and the app ("Could not read
    # any frame"), as a file of no frame: only its first JPEG was tried.
    clip = first_jpegs_damaged(tmp_path, numbered(20), 2)
    with caplog.at_level("WARNING"):
        read = [(index, number_of(frame)) for index, _, frame in open_input(clip).frames()]
    assert read == [(index, index) for index in range(2, 20)]
    assert "frames 0-1 could not be decoded; skipped" in caplog.text
    # None of the JPEGs within a damaged stretch's length decodes: refused in one line.
    none_read = first_jpegs_damaged(tmp_path, numbered_frames(MAX_UNDECODABLE_RUN + 5), MAX_UNDECODABLE_RUN)
    with pytest.raises(InputError, match="damaged_start.mjpeg: video has no readable frames"):
        open_input(none_read)


def test_a_damaged_length_in_a_growing_raw_mjpegs_last_jpeg_hides_no_jpeg_written_after_it(tmp_path: Path) -> None:
    # A length pointing past the file's end in its last JPEG is trusted (the JPEG may be
    # half written: it is no frame yet, and a file that stops there plays to the frame
    # before it). Was: once the recorder wrote the next JPEGs, the scan went on from where
    # that length pointed, 64 KiB on: the player stayed on the damaged JPEG with its count
    # stuck, every JPEG written after it unseen until the file passed that point.
    jpegs = jpegs_of(numbered(30))
    broken = bytearray(jpegs[9])
    marker = broken.find(b"\xff\xdb")
    broken[marker + 2 : marker + 4] = b"\xff\xf0"  # its tables' length points past the file's end
    jpegs[9] = bytes(broken)
    assert marker + 0xFFF0 > sum(len(jpeg) for jpeg in jpegs[9:]), "past all that is written after it"
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(jpegs[:10]))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        read = [source.read() for _ in range(10)]
        assert source.frame_count == 9 and read[-1] is None, "the damaged last JPEG is no frame (yet)"
        with clip.open("ab") as handle:
            handle.write(b"".join(jpegs[10:]))
        read = [source.read() for _ in range(22)]
        # The damaged JPEG, now followed by the next one's start: a frame that does not decode.
        assert [None if frame is None else number_of(frame) for frame in read] == [None, *range(10, 30), None]
        assert isinstance(source, RawMjpegFrameSource)
        assert source.frame_count == 30 and source.position == 29
    finally:
        source.release()
    with JpegIndex(clip) as index:
        assert index.scan() == 30, "as the whole file is counted"


def test_a_jpeg_being_written_is_not_searched_for_a_thumbnails_start(tmp_path: Path) -> None:
    # A length past the file's end is still trusted where no JPEG ended and another began
    # after it: a recording cut in a JPEG's header that holds a thumbnail, whole so far,
    # has the thumbnail's end marker, and its start is no frame.
    frames = numbered(4)
    jpegs = jpegs_of(frames)
    thumbnail = jpegs_of([cv2.resize(frames[3], (40, 30))])[0]
    segment = b"\xff\xe1" + (len(thumbnail) + 2 + 100).to_bytes(2, "big") + thumbnail + bytes(100)
    jpegs[3] = jpegs[3][:2] + segment + jpegs[3][2:]
    clip = tmp_path / "recording.mjpeg"
    written = b"".join(jpegs)
    clip.write_bytes(written[: -len(jpegs[3]) + 4 + len(thumbnail) + 50])  # cut past the thumbnail
    with JpegIndex(clip) as index:
        assert index.scan() == 3
        with clip.open("ab") as handle:  # written on
            handle.write(written[clip.stat().st_size :])
        assert index.scan() == 4
        assert [index.span(frame) for frame in range(4)] == list(itertools.pairwise(starts_of(jpegs)))


def test_fill_bytes_before_a_marker_do_not_make_a_thumbnail_a_frame(tmp_path: Path) -> None:
    # A marker may follow any number of 0xFF fill bytes; the segments' walk stopped at them
    # and searched the thumbnail's segment after them for JPEG starts.
    frames = numbered_frames(2)
    jpegs = jpegs_of(frames)
    thumbnail = jpegs_of([cv2.resize(frames[0], (40, 30))])[0]
    segment = b"\xff\xfe" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail
    jpegs[0] = jpegs[0][:2] + b"\xff\xff" + segment + jpegs[0][2:]
    clip = tmp_path / "filled.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    assert decoded(jpegs[0]) is not None
    with JpegIndex(clip) as index:
        assert index.scan() == 2
        assert index.span(1) == (len(jpegs[0]), len(jpegs[0]) + len(jpegs[1]))


@pytest.mark.parametrize(
    "tail", [bytes(64 << 10), b"\r\n--boundary--\r\n"], ids=["zeros a writer padded with", "a trailer"]
)
def test_a_last_jpeg_followed_by_bytes_of_no_jpeg_is_a_frame(tmp_path: Path, tail: bytes) -> None:
    # Was: its end marker was looked for only in the file's last 4 KiB, past zeros alone, so
    # the last frame was left out of the count (the seek bar and frame steps stopped short
    # of it; a file of one JPEG had no length at all).
    jpegs = jpegs_of(numbered_frames(3))
    clip = tmp_path / "padded.mjpeg"
    clip.write_bytes(b"".join(jpegs) + tail)
    with JpegIndex(clip) as index:
        assert index.scan() == 3
    clip.write_bytes(jpegs[0] + tail)
    with JpegIndex(clip) as index:
        assert index.scan() == 1
    clip.write_bytes(b"".join(jpegs)[:-100] + tail)  # the last cut short: no frame, still
    with JpegIndex(clip) as index:
        assert index.scan() == 2


def test_a_long_raw_mjpeg_is_counted_on_a_thread_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "RAW_MJPEG_COUNTED_AT_OPEN", 0)  # as if longer than what opening counts
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(60))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert isinstance(source, RawMjpegFrameSource) and source.frame_count == 0, "not counted yet"
        counted: list[int] = []
        done = threading.Event()

        def note_count() -> None:
            counted.append(source.frame_count)
            done.set()

        source.count_in_background(note_count)
        assert done.wait(WAIT_MS / 1000)
        assert counted == [60] and source.frame_count == 60
        frame = source.read()
        assert frame is not None and number_of(frame) == 0, "the frame read while opening comes first"
    finally:
        source.release()


def test_a_raw_mjpeg_opened_again_unchanged_has_its_count_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: "Play again" after a long file had played to its end counted the whole file
    # again: no seek bar until then, and a seek near the end scanned it on the capture thread.
    monkeypatch.setattr(files, "RAW_MJPEG_COUNTED_AT_OPEN", 0)  # as if longer than what opening counts
    jpegs = jpegs_of(numbered_frames(40))
    clip = tmp_path / "long.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        done = threading.Event()
        assert isinstance(source, RawMjpegFrameSource)
        source.count_in_background(done.set)
        assert done.wait(WAIT_MS / 1000) and source.frame_count == 40
    finally:
        source.release()
    scans: list[int] = []
    scan_step = JpegIndex._scan_step

    def counted_scan_step(index: JpegIndex) -> bool:
        scans.append(1)
        return scan_step(index)

    monkeypatch.setattr(JpegIndex, "_scan_step", counted_scan_step)
    again = open_frame_source(VideoFileSpec(clip))
    try:
        assert again.frame_count == 40, "counted while it opened"
        assert again.seek(38)
        frame = again.read()
        assert frame is not None and np.array_equal(frame, decoded(jpegs[38]))
        assert scans == [], "nothing scanned again"
    finally:
        again.release()
    with clip.open("ab") as handle:  # changed since: counted again
        handle.write(jpegs[0])
    with JpegIndex(clip) as index:
        assert index.count is None and index.scan() == 41


def test_a_raw_mjpeg_written_over_while_open_is_counted_anew_when_opened_again(tmp_path: Path) -> None:
    # Was: a recording written over in place (a camera's next recording under the same
    # name, the file truncated) while the app had it open was scanned on from where the
    # old one had ended; that count was kept for the file as it now was, so opening it
    # again kept the old JPEGs' places: the wrong frames, and the wrong length, for good.
    first = jpegs_of(numbered_frames(10))
    second = jpegs_of(numbered_frames(30), quality=60)
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(first))
    with JpegIndex(clip) as index:
        assert index.scan() == 10
        clip.write_bytes(b"".join(second))  # the same file (its inode), truncated and written anew
        index.scan()  # the open file finds it longer: scanned on from where it was
    with JpegIndex(clip) as index:
        assert index.scan() == 30
        assert [index.span(frame) for frame in range(30)] == list(itertools.pairwise(starts_of(second)))


def written_over(clip: Path, jpegs: list[bytes], was: list[bytes]) -> None:
    """``clip`` written over in place (the same file, truncated) with ``jpegs``, none of
    which starts where the last of ``was`` did: a recorder starting again under its name."""
    assert starts_of(was)[-2] not in starts_of(jpegs)
    inode = clip.stat().st_ino
    clip.write_bytes(b"".join(jpegs))
    assert clip.stat().st_ino == inode


@pytest.mark.parametrize("longer", [False, True], ids=["shorter", "longer"])
def test_a_raw_mjpeg_written_over_while_open_gives_none_of_its_old_places(tmp_path: Path, longer: bool) -> None:
    # Was: the index kept the old JPEGs' places: a seek or a read gave the bytes at one of
    # them in the new file (no JPEG, or part of one, shown as the frame there) and the old
    # length stayed; a longer file was scanned on from where the old one ended.
    first = jpegs_of(numbered(12))
    second = jpegs_of(numbered(30 if longer else 6), quality=60)
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(first))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert isinstance(source, RawMjpegFrameSource) and source.frame_count == 12
        assert source.seek(4) and source.read() is not None
        written_over(clip, second, first)
        assert not source.seek(2)
        assert source.read() is None
        assert source.why_ended is not None and "written over" in source.why_ended
    finally:
        source.release()
    with JpegIndex(clip) as index:  # opened again: what it holds now
        assert index.scan() == len(second)


def test_a_raw_mjpeg_whose_padding_is_cut_off_while_open_plays_to_its_end(tmp_path: Path) -> None:
    # Was: a recorder that made its file long ahead of its frames and cut the zeros off at
    # its end (the file shorter, every JPEG where it was) was taken for one written over:
    # the player stopped after the frame on screen, "written over while it was open".
    jpegs = jpegs_of(numbered(6))
    clip = padded(tmp_path / "recording.mjpeg", jpegs, 1 << 20)
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert isinstance(source, RawMjpegFrameSource)
        frames = [source.read() for _ in range(2)]
        os.truncate(clip, len(b"".join(jpegs)))  # the same file, its padding cut off
        frames += [source.read() for _ in range(5)]
        assert [number_of(frame) for frame in frames if frame is not None] == list(range(6))
        assert frames[-1] is None and source.why_ended is None
    finally:
        source.release()


def test_analyze_stops_where_a_raw_mjpeg_was_written_over_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = jpegs_of(numbered(12))
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(first))
    read: list[int] = []
    for index, _, frame in open_input(clip).frames():
        read.append(number_of(frame))
        if index == 3:
            written_over(clip, jpegs_of(numbered(30), quality=60), first)
    assert read == [0, 1, 2, 3]
    assert "written over while it was read; its frames from frame 4 on are left out" in caplog.text


def test_analyze_walks_a_raw_mjpegs_jpegs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: its markers scanned twice, once to count the JPEGs as it opened, then again
    # to read them.
    walked: list[int] = []
    coded_data = JpegIndex._coded_data

    def walked_coded_data(index: JpegIndex, start: int) -> int:
        walked.append(start)
        return coded_data(index, start)

    monkeypatch.setattr(JpegIndex, "_coded_data", walked_coded_data)
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(30))
    media = open_input(clip)
    assert media.frame_count == 30 and len(set(walked)) == 30, "each JPEG walked while it opened"
    walked.clear()
    assert [number_of(frame) for _, _, frame in media.frames()] == list(range(30))
    assert walked == [], "not walked again"


def test_a_padded_last_jpeg_is_read_without_the_padding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: the last JPEG's span ran to the file's end, so a file a recorder had made long
    # ahead of its frames (zeros after the last) had its last frame read with all of them:
    # past MAX_JPEG_BYTES, it did not decode and was left out.
    monkeypatch.setattr(raw_mjpeg, "MAX_JPEG_BYTES", 1 << 20)  # as a preallocated file's gigabyte
    jpegs = jpegs_of(numbered(3))
    clip = tmp_path / "padded.mjpeg"
    clip.write_bytes(b"".join(jpegs) + bytes(2 << 20))
    starts = starts_of(jpegs)
    with JpegIndex(clip) as index:
        assert index.scan() == 3
        assert index.span(2) == (starts[2], starts[3])
    assert [number_of(frame) for _, _, frame in open_input(clip).frames()] == [0, 1, 2]


def test_a_raw_mjpeg_padded_with_a_gigabyte_opens_without_reading_the_padding(tmp_path: Path) -> None:
    # Was: FFmpeg opened it first (to tell it was a raw MJPEG), and its probe read on to the
    # next JPEG's start: all of the gigabyte of zeros, 5-22 s here, the app's Stop waiting.
    jpegs = jpegs_of(numbered(5))
    clip = padded(tmp_path / "padded.mjpeg", jpegs, GIGABYTE)
    before = bytes_read()
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert bytes_read() - before < 64 << 20
        assert isinstance(source, RawMjpegFrameSource) and source.fps == 25.0
        frame = source.read()
        assert frame is not None and number_of(frame) == 0
    finally:
        source.release()
    before = bytes_read()
    media = open_input(clip)
    assert bytes_read() - before < GIGABYTE + (64 << 20), "the padding read once, to count the JPEGs"
    assert (media.frame_count, media.fps, media.raw_mjpeg) == (5, 25.0, True)


def test_the_last_jpeg_before_a_gigabyte_of_padding_is_read_without_scanning_it(tmp_path: Path) -> None:
    # Was: a JPEG's bytes ran to the next one's start, so the last one's read scanned all
    # the zeros after it for another (a second a gigabyte from memory, more from a disk),
    # with no giving up: the app's capture thread, and a Stop, held meanwhile.
    jpegs = jpegs_of(numbered(5))
    clip = padded(tmp_path / "padded.mjpeg", jpegs, GIGABYTE)
    before = bytes_read()
    with RawMjpeg(clip) as raw:
        packets = [raw.jpeg(frame) for frame in range(5)]
        assert [packet.tobytes() for packet in packets if packet is not None] == jpegs
        assert raw.index.count is None and bytes_read() - before < 64 << 20, "the padding not scanned"
        # Past the last, the padding is scanned for another JPEG: given up when asked.
        asked: list[int] = []

        def give_up_after_four_asks() -> bool:
            if len(asked) > 3:
                return True
            asked.append(1)
            return False

        assert raw.jpeg(5, give_up=give_up_after_four_asks) is None
        assert raw.index.count is None and bytes_read() - before < 64 << 20, "given up after three reads"
        assert raw.jpeg(5) is None and raw.index.count == 5


def test_stop_does_not_wait_for_a_read_scanning_the_padding_after_a_raw_mjpegs_last_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: the capture thread's read of the last frame (and the read past it, to find the
    # end) scanned all of the padding after it, and Stop waited for all of that scan. Here
    # each read of the padding on the capture thread waits for the test to let it go; it
    # lets one go, after Stop.
    jpegs = jpegs_of(numbered(5))
    clip = padded(tmp_path / "padded.mjpeg", jpegs, GIGABYTE)
    scans = HeldScans(monkeypatch, past=len(b"".join(jpegs)))  # the padding's
    window = make_window(video=clip)
    ended: list[str] = []
    window.controller.source_fault.connect(lambda fault: ended.append(fault.message))
    try:
        paused_at(qtbot, window, 3)
        window.step(1)  # onto the last frame: shown, the padding after it not scanned
        qtbot.waitUntil(lambda: shown_result(window).frame_index == 4, timeout=WAIT_MS)
        assert number_of(shown_result(window).image) == 4 and not scans.scanning.is_set()
        window.resume()  # the read past it scans the padding for another JPEG
        assert scans.scanning.wait(WAIT_MS / 1000)
        with qtbot.waitSignal(window.controller.source_stopped, timeout=WAIT_MS):
            window.stop()
            scans.steps.release()
        assert ended == [], "the read given up for the Stop is no end of the file"
    finally:
        scans.release_all()


@pytest.mark.parametrize("move", ["pause", "seek back", "step back"])
def test_a_move_does_not_wait_for_a_read_scanning_the_padding_after_a_raw_mjpegs_last_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, move: str
) -> None:
    # Was: the read past the last frame scanned all of the padding after it (seconds a
    # gigabyte), and a Pause, a seek or a step made meanwhile waited for all of that scan.
    # Here each read of the padding on the capture thread waits for the test to let it go;
    # it lets one go, after the move, and the rest once the move is shown: the file's end
    # is then found as before.
    jpegs = jpegs_of(numbered(5))
    clip = padded(tmp_path / "padded.mjpeg", jpegs, GIGABYTE)
    scans = HeldScans(monkeypatch, past=len(b"".join(jpegs)))  # the padding's
    window = make_window(video=clip)
    ended: list[str] = []
    window.controller.source_fault.connect(lambda fault: ended.append(fault.message))
    paused: list[bool] = []
    try:
        paused_at(qtbot, window, 3)
        window.step(1)
        qtbot.waitUntil(lambda: shown_result(window).frame_index == 4, timeout=WAIT_MS)
        window.resume()  # the read past it scans the padding for another JPEG
        assert scans.scanning.wait(WAIT_MS / 1000)
        window.controller.playback.connect(lambda state: paused.append(state.paused))
        if move == "pause":
            window.pause()
            scans.steps.release()
            qtbot.waitUntil(lambda: paused[-1:] == [True], timeout=WAIT_MS)
            assert shown_result(window).frame_index == 4
        else:
            if move == "seek back":
                window.seek(1)
            else:
                window.step(-1)  # playing: a few seconds back, the file's start
            scans.steps.release()
            qtbot.waitUntil(lambda: shown_result(window).frame_index < 4, timeout=WAIT_MS)
            assert number_of(shown_result(window).image) == shown_result(window).frame_index
        assert ended == [], "the read given up for the move is no end of the file"
        scans.release_all()
        if move == "pause":
            window.resume()
        # The end is found by scanning all of the gigabyte of padding: about 10 s with four
        # such tests at once, over 20 s beside a full test run and other work.
        wait_until_stopped(qtbot, window, timeout_ms=6 * WAIT_MS)
        assert ended and ended[0].startswith("Finished playing padded.mjpeg"), ended
    finally:
        scans.release_all()


def test_a_paused_raw_mjpeg_that_grows_is_counted_on_without_a_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: a file still being written, paused on, learnt its new length only on a read:
    # the seek bar stayed at the length it had until the user stepped or played on.
    monkeypatch.setattr(raw_mjpeg, "_GROWTH_POLL_S", 0.01)
    jpegs = jpegs_of(numbered(15))
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(jpegs[:10]))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        counts: list[int] = []
        counted = threading.Event()
        assert isinstance(source, RawMjpegFrameSource) and source.frame_count == 10

        def note_count() -> None:
            counts.append(source.frame_count)
            counted.set()

        source.count_in_background(note_count)
        with clip.open("ab") as handle:
            handle.write(b"".join(jpegs[10:]))
        assert counted.wait(WAIT_MS / 1000), "counted on with no read"
        assert source.frame_count == 15 and counts == [15]
    finally:
        source.release()


def test_a_seek_back_in_a_raw_mjpeg_gives_that_jpegs_frame_from_the_open_file(tmp_path: Path) -> None:
    # Was: a seek back opened the file again by its name and read it from its start, so a
    # file replaced under that name (a camera starting its next recording) gave the other
    # file's frame.
    jpegs = jpegs_of(numbered_frames(50))
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert source.seek(40) and source.read() is not None
        replacement = write_raw_mjpeg(tmp_path / "next.mjpeg", numbered(50))
        os.replace(replacement, clip)
        for frame in (12, 0, 39):
            assert source.seek(frame)
            read = source.read()
            assert read is not None and np.array_equal(read, decoded(jpegs[frame])), frame
        assert source.last_time_s == pytest.approx(39 / 25.0), "FFmpeg's 25 fps for a raw MJPEG"
    finally:
        source.release()


def test_a_raw_mjpeg_that_grows_while_it_plays_is_read_and_counted_on(tmp_path: Path) -> None:
    jpegs = jpegs_of(numbered(15))
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(jpegs[:10]) + jpegs[10][:100])  # the next JPEG half written
    source = open_frame_source(VideoFileSpec(clip))
    try:
        counts: list[int] = []
        counted = threading.Event()
        assert isinstance(source, RawMjpegFrameSource)

        def note_count() -> None:
            counts.append(source.frame_count)
            counted.set()

        source.count_in_background(note_count)
        assert source.frame_count == 10, "the JPEG still being written is no frame yet"
        assert source.seek(9) and source.read() is not None
        with clip.open("ab") as handle:
            handle.write(jpegs[10][100:] + b"".join(jpegs[11:]))
        frame = source.read()
        assert frame is not None and number_of(frame) == 10
        assert counted.wait(WAIT_MS / 1000), "counted on once the read found it grown"
        assert source.frame_count == 15 and counts == [15]
        assert source.seek(14)
        frame = source.read()
        assert frame is not None and number_of(frame) == 14
    finally:
        source.release()


def test_a_jpeg_read_while_half_written_is_shown_once_the_writer_ends_it(tmp_path: Path) -> None:
    # Was: the last JPEG, its end marker not yet written, was given as running to the
    # file's end; it did not decode, the reader moved past it, and that frame was never
    # shown, even once the recorder had written the rest of it.
    jpegs = jpegs_of(numbered(8))
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(jpegs[:5]))
    source = open_frame_source(VideoFileSpec(clip))
    try:
        assert isinstance(source, RawMjpegFrameSource)
        read = [source.read() for _ in range(5)]
        half = len(jpegs[5]) // 2
        with clip.open("ab") as handle:
            handle.write(jpegs[5][:half])
        read.append(source.read())
        assert read[-1] is None, "half a JPEG is no frame yet"
        with clip.open("ab") as handle:
            handle.write(jpegs[5][half:] + jpegs[6] + jpegs[7][:half])
        read += [source.read() for _ in range(3)]
        with clip.open("ab") as handle:
            handle.write(jpegs[7][half:])
        read += [source.read() for _ in range(2)]
        assert [None if frame is None else number_of(frame) for frame in read] == [
            *(0, 1, 2, 3, 4, None),  # JPEG 5 half written
            *(5, 6, None),  # JPEG 7 half written
            *(7, None),  # past the last
        ]
        assert source.position == 7
    finally:
        source.release()


def test_the_index_gives_no_span_for_a_last_jpeg_without_its_end(tmp_path: Path) -> None:
    # Its end marker not in the file: cut short, or still being written; a frame once the
    # file holds it (the span then what it was).
    jpegs = jpegs_of(numbered(3))
    clip = tmp_path / "recording.mjpeg"
    whole = b"".join(jpegs)
    clip.write_bytes(whole[:-10])
    with JpegIndex(clip) as index:
        assert index.span(2) is None
        assert index.count == 2 and index.cut_short == 2
        with clip.open("ab") as handle:
            handle.write(whole[-10:])
        assert index.span(2) == (len(whole) - len(jpegs[2]), len(whole))
        assert index.count == 3 and index.cut_short is None


MARKER_FLOODS = {"start markers": b"\xff\xd8\xff", "start and end markers": b"\xff\xd8\xff\xd9"}


@pytest.mark.parametrize("unit", MARKER_FLOODS.values(), ids=MARKER_FLOODS.keys())
def test_a_file_of_nothing_but_jpeg_markers_is_refused_after_a_bounded_scan(tmp_path: Path, unit: bytes) -> None:
    # Was: each start marker walked as a JPEG of its own (one every 3 bytes), all of the file
    # read before the refusal: 9.6 s for 20 MB, and 8 bytes kept a marker.
    flood = tmp_path / "flood.mjpeg"
    flood.write_bytes(unit * ((8 << 20) // len(unit)))
    before = bytes_read()
    with pytest.raises(InputError, match="no readable frames"):
        open_input(flood)
    with pytest.raises(SourceOpenError, match="empty or damaged"):
        open_frame_source(VideoFileSpec(flood))
    assert 1 << 20 <= bytes_read() - before < 3 << 20, "a read's worth of the file each (1 MiB), not all 8 MiB"
    with JpegIndex(flood) as index:
        assert index.scan() == GIVE_UP_AFTER_UNDECODABLE


def test_a_raw_mjpeg_whose_jpegs_give_way_to_start_markers_keeps_its_frames(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clip = tmp_path / "flooded.mjpeg"
    clip.write_bytes(b"".join(jpegs_of(numbered(20))) + b"\xff\xd8\xff" * (3 << 20))
    before = bytes_read()
    frames = [(index, number_of(frame)) for index, _, frame in open_input(clip).frames()]
    assert frames == [(index, index) for index in range(20)]
    assert bytes_read() - before < 5 << 20, "the markers walked a read's worth at most, not all 9 MiB"
    assert "frames 20-119 could not be decoded" in caplog.text
    with JpegIndex(clip) as index:
        assert index.scan() == 20 + GIVE_UP_AFTER_UNDECODABLE


def test_analyze_counts_a_raw_mjpegs_frames_as_the_app_does(tmp_path: Path) -> None:
    # Was: no frame count (FFmpeg does not give one for a raw MJPEG), so no progress total.
    clip = write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50))
    media = open_input(clip)
    assert media.frame_count == 50
    assert [(index, time_s, number_of(frame)) for index, time_s, frame in media.frames()] == [
        (index, pytest.approx(index / 25.0), index) for index in range(50)
    ]


def damaged_as_cameras_damage_them(jpegs: list[bytes]) -> list[bytes]:
    """``jpegs`` with frames 1, 3 and 5 damaged so that they decode, libjpeg printing a line
    for each: stray bytes before a table ("extraneous bytes before marker"), coded data cut
    short ("premature end of data segment"), and stray bytes then a second frame header
    after the coded data (a line, then an error once every row is decoded: kept by OpenCV)."""
    damaged = list(jpegs)
    table = jpegs[1].index(b"\xff\xc4")
    damaged[1] = jpegs[1][:table] + bytes(33) + jpegs[1][table:]
    damaged[3] = jpegs[3][: len(jpegs[3]) * 2 // 3] + b"\xff\xd9"
    header = jpegs[5].index(b"\xff\xc0")
    second = jpegs[5][header : header + 2 + int.from_bytes(jpegs[5][header + 2 : header + 4], "big")]
    damaged[5] = jpegs[5][:-2] + bytes(range(1, 101)) + second + b"\xff\xd9"
    return damaged


def test_the_app_plays_a_raw_mjpegs_damaged_jpegs_with_the_terminal_clean(tmp_path: Path) -> None:
    # Was: libjpeg's "Corrupt JPEG data: 33 extraneous bytes before marker 0xc4" (and
    # "premature end of data segment") on the terminal for each damaged frame the player
    # read: analyze sends standard error away around its decodes, the player did not (other
    # threads' lines would go with it). In a child: libjpeg writes to the process's stderr.
    jpegs = damaged_as_cameras_damage_them(jpegs_of(numbered_frames(8)))
    clip = tmp_path / "camera.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    shown = tmp_path / "shown.npz"
    code = (
        "from pathlib import Path\n"
        "import numpy as np\n"
        "from emotion_app.sources.opening import open_frame_source\n"
        "from emotion_app.sources.specs import VideoFileSpec\n"
        f"source = open_frame_source(VideoFileSpec(Path({str(clip)!r})))\n"
        "frames = []\n"
        "while (frame := source.read()) is not None:\n"
        "    frames.append(frame)\n"
        "source.release()\n"
        f"np.savez({str(shown)!r}, *frames)\n"
    )
    repository = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=repository, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "JPEG" not in done.stderr and "extraneous" not in done.stderr, done.stderr
    with np.load(shown) as frames:
        played = [frames[f"arr_{index}"] for index in range(len(frames.files))]
    # Each frame OpenCV's own decoder gives it, damaged ones too: what the faces are judged on.
    assert len(played) == 8
    assert all(np.array_equal(frame, decoded(jpeg)) for frame, jpeg in zip(played, jpegs))


def encoded_as(kind: str, frame: np.ndarray) -> bytes:
    """``frame`` as a JPEG of one of the kinds cameras and phones write."""
    if kind in ("4:2:2", "progressive", "restarts"):
        flags = {
            "4:2:2": [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422],
            "progressive": [cv2.IMWRITE_JPEG_PROGRESSIVE, 1],
            "restarts": [cv2.IMWRITE_JPEG_RST_INTERVAL, 2],
        }[kind]
        return cv2.imencode(".jpg", frame, flags)[1].tobytes()
    if kind == "gray":
        return cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))[1].tobytes()
    picture = Image.fromarray(np.ascontiguousarray(frame[:, :, ::-1]))
    out = io.BytesIO()
    if kind == "CMYK":
        picture.convert("CMYK").save(out, "JPEG")
    else:  # a phone's, its Exif saying how to turn it: OpenCV turns it
        exif = Image.Exif()
        exif[0x0112] = int(kind.split()[-1])
        picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    "kind", ["4:2:2", "progressive", "restarts", "gray", "CMYK", "Exif orientation 3", "Exif orientation 6"]
)
def test_a_jpeg_decoded_silently_has_opencvs_pixels(kind: str, capfd: pytest.CaptureFixture[str]) -> None:
    # The faces are judged on these pixels: the player's frames must be analyze's.
    frame = numbered_frames(12)[11]
    frame[:20, :30] = (0, 90, 250)  # a corner that shows which way the frame was turned
    jpeg = encoded_as(kind, frame)
    silent = decode_jpeg_silently(np.frombuffer(jpeg, np.uint8))
    assert silent is not None and np.array_equal(silent, decoded(jpeg))
    assert capfd.readouterr() == ("", "")


def test_damaged_jpegs_that_pillow_decodes_leave_standard_error_where_it_is(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # Standard error sent away while one decodes would lose other threads' lines: only a
    # JPEG Pillow refuses goes that way. Held here, the redirect's lock would stop the
    # decoding thread.
    jpegs = damaged_as_cameras_damage_them(jpegs_of(numbered_frames(8)))
    frames: dict[int, np.ndarray | None] = {}

    def decode() -> None:
        for index in (1, 3):
            frames[index] = decode_jpeg_silently(np.frombuffer(jpegs[index], np.uint8))

    decoding = threading.Thread(target=decode)
    with codecs._stderr_lock:
        decoding.start()
        decoding.join(WAIT_MS / 1000)
        assert not decoding.is_alive(), "the decoding waits to send standard error away"
    assert capfd.readouterr() == ("", "")
    for index in (1, 3):
        frame = frames[index]
        assert frame is not None and np.array_equal(frame, decoded(jpegs[index])), index


# ---- the app -----------------------------------------------------------------------------


def test_the_seek_bar_of_a_raw_mjpeg_spans_its_frames(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # Was: a slider over no frames, disabled, its duration 0:00 (FFmpeg does not count a
    # raw MJPEG's frames).
    window = make_window(video=write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50)))
    qtbot.waitUntil(lambda: window.view.result is not None, timeout=WAIT_MS)
    bar = window.playback_bar
    assert bar.isVisible() and bar.slider.isEnabled()
    assert (bar.slider.maximum(), bar.duration_label.text()) == (49, "0:02")
    assert source_info_of(window).frame_count == 50


def test_the_app_opens_a_raw_mjpeg_at_the_first_jpeg_that_decodes(tmp_path: Path) -> None:
    # Was: "Could not read any frame from video file damaged_start.mjpeg: it is empty or
    # damaged", as for a file of no frame: only its first JPEG was tried.
    source = open_frame_source(VideoFileSpec(first_jpegs_damaged(tmp_path, numbered(20), 2)))
    try:
        assert isinstance(source, RawMjpegFrameSource)
        first = source.read()
        assert first is not None and number_of(first) == source.position == 2
        assert source.last_time_s == pytest.approx(2 / files.RAW_MJPEG_FPS)
    finally:
        source.release()
    none_read = first_jpegs_damaged(tmp_path, numbered_frames(MAX_UNDECODABLE_RUN + 5), MAX_UNDECODABLE_RUN)
    with pytest.raises(SourceOpenError, match="damaged_start.mjpeg: it is empty or damaged"):
        open_frame_source(VideoFileSpec(none_read))


def test_a_raw_mjpeg_whose_first_jpeg_does_not_decode_plays_with_its_frames_numbered(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window(video=first_jpegs_damaged(tmp_path, numbered(20), 1))
    numbers: list[tuple[int, int]] = []
    window.controller.result_ready.connect(lambda result: numbers.append((result.frame_index, number_of(result.image))))
    wait_until_stopped(qtbot, window)
    assert numbers and numbers[0] == (1, 1) and all(index == number for index, number in numbers), numbers
    assert "Finished playing damaged_start.mjpeg (20 frames)" in window.source_banner.text()


def count_held_back(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every raw MJPEG opened from now on is counted on a thread of its own (as a long file
    is), and that count waits until the returned event is set (or WAIT_MS passes)."""
    monkeypatch.setattr(files, "RAW_MJPEG_COUNTED_AT_OPEN", 0)
    go = threading.Event()
    scan_all = JpegIndex._scan_all

    def held_back(index: JpegIndex) -> None:
        go.wait(WAIT_MS / 1000)
        scan_all(index)

    monkeypatch.setattr(JpegIndex, "_scan_all", held_back)
    return go


class HeldScans:
    """Raw MJPEGs opened from now on are counted as a long file is, the count held back
    (:func:`count_held_back`), and while ``held`` each read of a scan made on another
    thread than the count's, searching past byte ``past``, waits for the test to let it go
    (``steps.release()``); ``scanning`` is set once one waits."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, past: int = -1, held: bool = True) -> None:
        self.counted = count_held_back(monkeypatch)
        self.steps, self.scanning = threading.Semaphore(0), threading.Event()
        self.held = held
        scan_step = JpegIndex._scan_step

        def step_held(index: JpegIndex) -> bool:
            if self.held and index._search_from > past and threading.current_thread().name != "mjpeg-index":
                self.scanning.set()
                self.steps.acquire(timeout=WAIT_MS / 1000)
            return scan_step(index)

        monkeypatch.setattr(JpegIndex, "_scan_step", step_held)

    def release_all(self) -> None:
        """Every read from now on goes on at once, the count too."""
        self.held = False
        self.steps.release(1000)
        self.counted.set()


def test_a_raw_mjpeg_counted_after_it_opened_gets_its_seek_bar_then(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long file is counted on a thread of its own: its seek bar comes when the count
    # does, the file paused meanwhile. The count is held back until the test lets it go.
    go = count_held_back(monkeypatch)
    window = make_window()
    with qtbot.waitSignal(window.controller.source_opened, timeout=WAIT_MS) as opened:
        window.open_video(write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50)))
    assert opened.args[0].frame_count == 0
    paused_at(qtbot, window, 3)
    bar = window.playback_bar
    assert not bar.slider.isEnabled() and bar.slider.maximum() == 0
    # Was "0:00": a length not known yet is no length of nothing.
    assert bar.duration_label.text() == "–"
    go.set()
    qtbot.waitUntil(lambda: bar.slider.isEnabled() and bar.slider.maximum() == 49, timeout=WAIT_MS)
    assert (bar.slider.value(), bar.duration_label.text()) == (3, "0:02")
    assert window.source_state.paused and source_info_of(window).frame_count == 50
    assert window.status_summary(0.0).startswith("Paused · 0:00 / 0:02")


def test_a_raw_mjpeg_whose_end_finds_its_length_keeps_a_seek_bar_over_it(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: when the read past the last frame found the file's end before the count on its
    # own thread did (a file padded with a gigabyte of zeros), the count was told after
    # the file was closed and dropped: the finished file's bar read "0:02 ... 0:00", its
    # slider disabled. Here the count on its own thread is held back until the test ends.
    go = count_held_back(monkeypatch)
    window = make_window()
    try:
        window.open_video(padded(tmp_path / "numbered.mjpeg", jpegs_of(numbered(30)), 4 << 20))
        wait_until_stopped(qtbot, window)
        assert window.source_banner.text().startswith("Finished playing numbered.mjpeg (30 frames)")
        bar = window.playback_bar
        assert (bar.slider.isEnabled(), bar.slider.maximum(), bar.duration_label.text()) == (True, 29, "0:01")
        assert source_info_of(window).frame_count == 30
    finally:
        go.set()


def test_the_seek_bar_moved_back_in_a_raw_mjpeg_shows_that_jpegs_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    jpegs = jpegs_of(numbered_frames(50))
    clip = tmp_path / "numbered.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    window = make_window(video=clip)
    paused_at(qtbot, window, 40)
    window.playback_bar.slider.setValue(12)  # as a click on the bar
    # The frame's result may come before the position report sent after it (the capture
    # thread held up between the two): both are waited for.
    qtbot.waitUntil(
        lambda: shown_result(window).frame_index == 12 and playback_of(window).position == 12,
        timeout=WAIT_MS,
    )
    assert np.array_equal(shown_result(window).image, decoded(jpegs[12]))
    assert window.source_state.paused


def test_a_raw_mjpeg_cut_short_in_its_last_jpeg_plays_to_its_last_whole_frame(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    jpegs = jpegs_of(numbered_frames(12))
    clip = tmp_path / "cut.mjpeg"
    clip.write_bytes(b"".join(jpegs)[: -len(jpegs[-1]) // 2])
    window = make_window(video=clip)
    paused_at(qtbot, window, 2)
    bar = window.playback_bar
    assert bar.slider.maximum() == 10, "its 11 whole JPEGs"
    bar.slider.setValue(10)  # the end of the bar
    qtbot.waitUntil(lambda: shown_result(window).frame_index == 10, timeout=WAIT_MS)
    assert np.array_equal(shown_result(window).image, decoded(jpegs[10]))
    window.resume()
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text().startswith("Finished playing cut.mjpeg (11 frames)")


def test_a_raw_mjpegs_frames_keep_their_place_past_one_that_does_not_decode(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Was: every frame after the damaged JPEG numbered one short of its place in the file
    # (and of analyze's number for it), until the next seek.
    jpegs = jpegs_of(numbered(16))
    damaged = bytearray(jpegs[5])
    damaged[3:300] = bytes(297)  # its start marker kept: a JPEG of its own that does not decode
    jpegs[5] = bytes(damaged)
    clip = tmp_path / "damaged.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    analyzed = [(index, number_of(frame)) for index, _, frame in open_input(clip).frames()]
    assert analyzed == [(index, index) for index in range(16) if index != 5]
    window = make_window()
    shown: list[tuple[int, int]] = []
    window.controller.result_ready.connect(lambda result: shown.append((result.frame_index, number_of(result.image))))
    window.open_video(clip)
    wait_until_stopped(qtbot, window)
    assert shown and all(index == number for index, number in shown), shown
    assert any(index > 5 for index, _ in shown)
    assert "could not be decoded; skipped" in caplog.text


def test_stop_does_not_wait_for_a_seek_scanning_a_long_raw_mjpeg(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: a seek past the JPEGs found so far (the count not there yet) scanned the file
    # up to its frame on the capture thread, and Stop waited for all of that scan: on a
    # file of gigabytes, seconds of a window that did not stop. Here each read of that
    # scan waits for the test to let it go; it lets one go, after Stop.
    scans = HeldScans(monkeypatch, held=False)
    window = make_window(video=write_raw_mjpeg(tmp_path / "numbered.mjpeg", numbered(50)))
    try:
        paused_at(qtbot, window, 3)
        scans.held = True
        window.seek(45)
        assert scans.scanning.wait(WAIT_MS / 1000)
        with qtbot.waitSignal(window.controller.source_stopped, timeout=WAIT_MS):
            window.stop()
            scans.steps.release()
    finally:
        scans.release_all()


@pytest.mark.parametrize("move", ["step", "seek back", "play"])
def test_a_raw_mjpeg_written_over_while_it_is_open_ends_with_a_line_saying_so(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, move: str
) -> None:
    # Was: the player went on at the old JPEGs' places in the new file: frames that did not
    # decode, skipped, or parts of the new ones shown as frames, the old length on the bar.
    first = jpegs_of(numbered_frames(12))
    clip = tmp_path / "recording.mjpeg"
    clip.write_bytes(b"".join(first))
    window = make_window(video=clip)
    shown: list[int] = []
    paused_at(qtbot, window, 6)
    window.controller.result_ready.connect(lambda result: shown.append(result.frame_index))
    written_over(clip, jpegs_of(numbered_frames(30), quality=60), first)
    if move == "step":
        window.step(1)
    elif move == "seek back":
        window.playback_bar.slider.setValue(2)  # as a click on the bar
    else:
        window.resume()
    wait_until_stopped(qtbot, window)
    assert window.source_banner.text() == (
        f"Video file {clip} was written over while it was open: open it again to play what it holds now"
    )
    assert all(index == 6 for index in shown), "no frame read from the file as it is now"


@pytest.mark.parametrize(("move", "shown"), [("seek back", 6), ("step", 6), ("step back", 4)])
def test_a_raw_mjpeg_moved_onto_a_jpeg_that_does_not_decode_shows_the_nearest_one(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, move: str, shown: int
) -> None:
    # Was: the seek or step read the damaged JPEG, took it for the file's end and closed
    # the file, "stopped after 5 of 16 frames: truncated or damaged". A step back goes on
    # back: read past, forward, it showed the frame stepped back from again.
    jpegs = jpegs_of(numbered(16))
    damaged = bytearray(jpegs[5])
    damaged[3:300] = bytes(297)
    jpegs[5] = bytes(damaged)
    clip = tmp_path / "damaged.mjpeg"
    clip.write_bytes(b"".join(jpegs))
    window = make_window(video=clip)
    paused_at(qtbot, window, {"seek back": 10, "step": 4, "step back": 6}[move])
    if move == "seek back":
        window.playback_bar.slider.setValue(5)  # as a click on the bar
    else:
        window.step(-1 if move == "step back" else 1)
    qtbot.waitUntil(
        lambda: (
            (shown_result(window).frame_index == shown and playback_of(window).position == shown)
            or not window.is_running
        ),
        timeout=WAIT_MS,
    )
    assert window.is_running, window.source_banner.text()
    assert number_of(shown_result(window).image) == shown and window.source_state.paused
