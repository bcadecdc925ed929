"""How long the app's seek bar waits for a raw MJPEG's length: a real clip's frames,
resized to 640x480 and encoded as JPEGs (as a camera's recording holds them), repeated to
``--minutes`` of ``--fps`` and written one after another (no container); then the file is
opened with ``open_frame_source`` and its JPEGs counted by ``count_in_background``, the
file in the page cache ("warm") and dropped from it first ("cold": read from the disk).

    python -m scripts.raw_mjpeg_count_time [--clip ../shared/data/real-clips/WolfgangLanger_Pexels.mp4]
        [--minutes 5] [--fps 30] [--quality 90] [--runs 3] [--keep PATH]

The file is written to a temporary folder and removed after (kept at ``--keep``).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import cv2

from emotion_app.sources.files import RawMjpegFrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from scripts.support.arguments import positive_float, positive_int, script_parser
from scripts.support.errors import refuse
from scripts.support.real_clips import DEFAULT_CLIPS

SIZE = (640, 480)


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIPS / "WolfgangLanger_Pexels.mp4")
    parser.add_argument("--minutes", type=positive_float, default=5.0)
    parser.add_argument("--fps", type=positive_float, default=30.0)
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality (1-100)")
    parser.add_argument("--runs", type=positive_int, default=3)
    parser.add_argument("--keep", type=Path, help="write the file here and keep it")
    args = parser.parse_args()
    if not 1 <= args.quality <= 100:
        parser.error(f"--quality must be 1 to 100, got {args.quality}")
    jpegs = clip_jpegs(args.clip, args.quality)
    frames = round(args.minutes * 60 * args.fps)
    with tempfile.TemporaryDirectory(prefix="mjpeg-count-") as folder:
        path = args.keep or Path(folder) / "recording.mjpeg"
        with path.open("wb") as handle:
            for frame in range(frames):
                handle.write(jpegs[frame % len(jpegs)])
        size = path.stat().st_size
        print(
            f"{frames} JPEGs of {SIZE[0]}x{SIZE[1]} (quality {args.quality}, {len(jpegs)} distinct),"
            f" {size / 2**20:.0f} MiB, {size / frames / 1024:.1f} KiB a JPEG"
        )
        for cache in ("warm", "cold"):
            runs = [counted(path, cold=cache == "cold") for _ in range(args.runs)]
            print(
                f"  {cache}: "
                + "; ".join(f"opened in {opened:.3f} s, counted {count:.2f} s later" for opened, count in runs)
            )


def clip_jpegs(clip: Path, quality: int) -> list[bytes]:
    """Each frame of ``clip``, resized to SIZE, as a JPEG."""
    capture = cv2.VideoCapture(str(clip))
    jpegs = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frame = cv2.resize(frame, SIZE, interpolation=cv2.INTER_AREA)
        jpegs.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes())
    capture.release()
    if not jpegs:
        refuse(f"no frame read from {clip}")
    return jpegs


def counted(path: Path, cold: bool) -> tuple[float, float]:
    """Seconds to open ``path`` and from then to its count; ``cold``: dropped from the page
    cache first. Its modification time is set anew, so no count kept from a run before is used."""
    os.utime(path)
    if cold:
        with path.open("rb") as handle:
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    done = threading.Event()
    start = time.perf_counter()
    source = open_frame_source(VideoFileSpec(path))
    opened = time.perf_counter()
    assert isinstance(source, RawMjpegFrameSource)
    try:
        source.count_in_background(done.set)
        if source.frame_count == 0:
            done.wait()
        return opened - start, time.perf_counter() - opened
    finally:
        source.release()


if __name__ == "__main__":
    main()
