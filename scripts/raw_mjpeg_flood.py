"""How long a file of nothing but JPEG start markers (``FF D8 FF`` over and over, or each
followed by an end marker: ``FF D8 FF D9``) takes to be refused, as a raw MJPEG, by
``analyze``'s ``open_input`` and by the app's ``open_frame_source``; and how many bytes each
read and how many JPEGs the index counted.

    python -m scripts.raw_mjpeg_flood [--megabytes 20] [--runs 3]

The files are written to a temporary folder and removed after.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from emotion_app.io.raw_mjpeg import JpegIndex
from emotion_app.io.video import InputError, open_input
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from scripts.support.arguments import positive_int, script_parser

FLOODS = {"FF D8 FF": b"\xff\xd8\xff", "FF D8 FF D9": b"\xff\xd8\xff\xd9"}


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--megabytes", type=positive_int, default=20, help="the file's size (MB)")
    parser.add_argument("--runs", type=positive_int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mjpeg-flood-") as folder:
        for name, unit in FLOODS.items():
            data = unit * (args.megabytes * 1_000_000 // len(unit))
            print(f"{name} repeated, {len(data) / 1e6:.0f} MB:")
            fresh = fresh_files(Path(folder), data)
            with JpegIndex(next(fresh)) as index:
                _, (seconds, bytes_read) = timed(index.scan)
                print(f"  the index counted {index.count} JPEGs, read {bytes_read / 2**20:.1f} MiB in {seconds:.3f} s")
            ways: dict[str, Callable[[Path], object]] = {"open_input": open_input, "open_frame_source": opened}
            for way, refuse in ways.items():
                runs = []
                for _ in range(args.runs):
                    path = next(fresh)  # a file of its own: a count kept for another is not used
                    told, (seconds, bytes_read) = timed(partial(refused, partial(refuse, path)))
                    runs.append(f"{seconds:.3f} s ({bytes_read / 2**20:.1f} MiB read)")
                print(f"  {way}: {told}; {', '.join(runs)}")


def fresh_files(folder: Path, data: bytes) -> Iterator[Path]:
    """Files of ``data``, each new (the last removed): no two are the same file."""
    for number in itertools.count():
        path = folder / f"flood-{number}.mjpeg"
        path.write_bytes(data)
        yield path
        path.unlink()


def opened(path: Path) -> None:
    open_frame_source(VideoFileSpec(path)).release()


def refused(refuse: Callable[[], object]) -> str:
    try:
        refuse()
    except (InputError, SourceOpenError) as exc:
        return f"refused ({exc})"
    return "NOT refused"


def timed(call: Callable[[], object]) -> tuple[object, tuple[float, int]]:
    """``call``'s result, and the seconds it took and the bytes this process read meanwhile."""
    before = bytes_read()
    start = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - start, bytes_read() - before)


def bytes_read() -> int:
    """The bytes this process has read so far (Linux's count of what its reads returned)."""
    lines = Path("/proc/self/io").read_text().splitlines()
    return next(int(line.split()[1]) for line in lines if line.startswith("rchar:"))


if __name__ == "__main__":
    main()
