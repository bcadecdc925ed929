"""What the app's player pays to decode a raw MJPEG's frames without libjpeg's lines on the
terminal: the real clips' frames re-encoded as JPEGs (as a camera's recording holds them),
each decoded by OpenCV (what the player did, its damaged frames' lines on the terminal), by
``decode_jpeg_silently`` (the player's now) and by OpenCV with standard error sent away
(``analyze``'s): time per frame, and whether the pixels are OpenCV's.

    python -m scripts.jpeg_decode_cost [--clips ../shared/data/real-clips] [--frames 60] [--runs 5] [--damaged 600]

Then ``--damaged`` copies of the frames damaged at random (bits flipped, coded data cut
short, stray bytes put in, bytes zeroed, the end cut off), each decoded both ways: how many
of them Pillow refuses (left to OpenCV, standard error sent away meanwhile) and whether every
frame given is OpenCV's.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from emotion_app.io import video
from emotion_app.io.codecs import native_stderr_silenced
from emotion_app.io.video import InputError, decode_jpeg, decode_jpeg_silently
from scripts.support.arguments import non_negative_int, positive_int, script_parser
from scripts.support.errors import refuse
from scripts.support.real_clips import DEFAULT_CLIPS, clips_in

# Each: the frames at their own size or resized to 1920x1080 (a full-HD camera's), and
# OpenCV's JPEG flags.
ENCODINGS: dict[str, tuple[bool, list[int]]] = {
    "quality 90, 4:2:0": (False, [cv2.IMWRITE_JPEG_QUALITY, 90]),
    "quality 80, 4:2:2": (
        False,
        [cv2.IMWRITE_JPEG_QUALITY, 80, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422],
    ),
    "resized to 1920x1080, quality 90, 4:2:0": (True, [cv2.IMWRITE_JPEG_QUALITY, 90]),
}
DAMAGES = ("bits flipped", "cut short, end marker kept", "stray bytes put in", "40 bytes zeroed", "end cut off")


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS, help="folder of real clips")
    parser.add_argument("--frames", type=positive_int, default=60, help="frames taken from each clip")
    parser.add_argument("--runs", type=positive_int, default=5, help="times each frame is decoded each way")
    parser.add_argument("--damaged", type=non_negative_int, default=600, help="damaged JPEGs decoded both ways")
    args = parser.parse_args()
    frames = clip_frames(args.clips, args.frames)
    sizes = Counter(f"{frame.shape[1]}x{frame.shape[0]}" for frame in frames)
    print(f"{len(frames)} frames ({', '.join(f'{n} at {size}' for size, n in sorted(sizes.items()))})")
    ways: dict[str, Callable[[np.ndarray], np.ndarray | None]] = {
        "OpenCV (the player before)": decode_jpeg,
        "decode_jpeg_silently (the player now)": decode_jpeg_silently,
        "OpenCV, stderr sent away (analyze)": quietly,
    }
    for encoding, (full_hd, flags) in ENCODINGS.items():
        packets = [
            np.frombuffer(
                cv2.imencode(".jpg", cv2.resize(frame, (1920, 1080)) if full_hd else frame, flags)[1], np.uint8
            )
            for frame in frames
        ]
        expected = [decode_jpeg(packet) for packet in packets]
        print(f"{encoding}, {sum(p.size for p in packets) / len(packets) / 1024:.0f} KiB a JPEG:")
        per_frame: dict[str, list[float]] = {name: [] for name in ways}
        same: dict[str, int] = {}
        for _ in range(args.runs):  # the ways in turn within each run: the machine's load shared
            for name, decode in ways.items():
                start = time.perf_counter()
                given = [decode(packet) for packet in packets]
                per_frame[name].append((time.perf_counter() - start) / len(packets) * 1000.0)
                same[name] = sum(
                    a is not None and b is not None and np.array_equal(a, b) for a, b in zip(given, expected)
                )
        for name, times in per_frame.items():
            runs = ", ".join(f"{ms:.2f}" for ms in times)
            print(f"  {name}: {statistics.median(times):.2f} ms a frame ({runs}); {same[name]}/{len(packets)} equal")
    if args.damaged:
        damaged_frames(frames, args.damaged)


def quietly(packet: np.ndarray) -> np.ndarray | None:
    with native_stderr_silenced():
        return decode_jpeg(packet)


def clip_frames(folder: Path, count: int) -> list[np.ndarray]:
    """The first ``count`` frames of each video of ``folder``."""
    frames: list[np.ndarray] = []
    try:
        clips = clips_in(folder)
    except InputError as exc:
        refuse(str(exc))
    for clip in clips:
        capture = cv2.VideoCapture(str(clip))
        try:
            for _ in range(count):
                ok, frame = capture.read()
                if not ok:
                    break
                frames.append(frame)
        finally:
            capture.release()
    if not frames:
        refuse(f"no video frames in {folder}")
    return frames


def damaged_frames(frames: list[np.ndarray], count: int) -> None:
    """``count`` damaged JPEGs (the kinds of :data:`DAMAGES` in turn), each decoded by
    OpenCV and by ``decode_jpeg_silently``: what became of them."""
    rng = np.random.default_rng(5)
    outcomes: Counter[tuple[str, str]] = Counter()
    for index in range(count):
        kind = DAMAGES[index % len(DAMAGES)]
        data = damage(cv2.imencode(".jpg", frames[index % len(frames)])[1].tobytes(), kind, rng)
        packet = np.frombuffer(data, np.uint8)
        opencv = quietly(packet)
        by_pillow = video._decoded_by_pillow(packet)
        silent = decode_jpeg_silently(packet)
        same = (silent is None and opencv is None) or (
            silent is not None and opencv is not None and np.array_equal(silent, opencv)
        )
        if by_pillow is not None:
            outcome = "Pillow decodes it"
        elif opencv is not None:
            outcome = "left to OpenCV, which decodes it"
        else:
            outcome = "left to OpenCV, which refuses it too"
        outcomes[kind, outcome + ("" if same else ", NOT OpenCV's pixels")] += 1
    print(f"{count} damaged JPEGs:")
    for kind in DAMAGES:
        told = ", ".join(f"{n} {outcome}" for (k, outcome), n in sorted(outcomes.items()) if k == kind)
        print(f"  {kind}: {told}")


def damage(data: bytes, kind: str, rng: np.random.Generator) -> bytes:
    """``data`` (a JPEG) damaged as ``kind`` says, where at random."""
    body = 700  # past the tables of OpenCV's JPEGs: their coded data
    if kind == "bits flipped":
        flipped = bytearray(data)
        for _ in range(3):
            flipped[int(rng.integers(body, len(data) - 2))] ^= 1 << int(rng.integers(0, 8))
        return bytes(flipped)
    if kind == "cut short, end marker kept":
        return data[: int(rng.integers(body, len(data)))] + b"\xff\xd9"
    if kind == "stray bytes put in":
        at = int(rng.integers(2, len(data) - 2))
        return data[:at] + rng.integers(0, 256, int(rng.integers(1, 60))).astype(np.uint8).tobytes() + data[at:]
    if kind == "40 bytes zeroed":
        at = int(rng.integers(2, len(data) - 50))
        return data[:at] + bytes(40) + data[at + 40 :]
    return data[: int(rng.integers(100, len(data)))]


if __name__ == "__main__":
    main()
