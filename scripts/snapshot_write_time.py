"""How long the desktop app takes to write one snapshot of a large still (``gui/snapshot.py``,
``save_snapshot``: the frame's own overlay, PNG-encoded, written through a temporary file
and renamed), and whether the final name ever shows a half-written file: a second thread
watches for it the whole time and reads its size the moment it appears.

    python -m scripts.snapshot_write_time [--sides 8000,23170] [--content photo|noise] [--folder DIR]

``photo``: the astronaut picture stretched over the whole still (smooth, as a photo shown
large); ``noise``: the same with a camera's grain on it (noise compresses worst). 23170 is
the side of the largest still the app reads (``MAX_PICTURE_PIXELS``, 2**29 pixels); a still
needs about 2 x 3 x SIDE^2 bytes of memory here (3.2 GB at 23170).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np

from emotion_app.gui.messages import InferenceResult
from emotion_app.gui.snapshot import save_snapshot
from emotion_app.samples import astronaut_bgr
from scripts.support.arguments import existing_folder, positive_ints, script_parser

LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def still(side: int, content: str) -> np.ndarray:
    """A SIDE x SIDE BGR still of ``content``."""
    image = cv2.resize(astronaut_bgr(), (side, side), interpolation=cv2.INTER_LINEAR)
    if content == "noise":
        grain = np.random.default_rng(0).integers(-6, 7, size=(side, side, 1), dtype=np.int16)
        image = np.clip(image.astype(np.int16) + grain, 0, 255).astype(np.uint8)
    return image


def watch(target: Path, done: threading.Event, seen: list[int]) -> None:
    """The size of ``target`` the first time it is there, looked for every millisecond
    until (and once after) ``done`` is set."""
    while True:
        finished = done.is_set()
        try:
            seen.append(target.stat().st_size)
            return
        except FileNotFoundError:
            if finished:
                return
            time.sleep(0.001)


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument(
        "--sides", type=positive_ints, default=[8000, 23170], help="comma-separated (default 8000,23170)"
    )
    parser.add_argument("--content", choices=("photo", "noise"), default="photo")
    parser.add_argument(
        "--folder", type=existing_folder, default=Path("/tmp"), help="where the snapshots go (default /tmp)"
    )
    args = parser.parse_args()
    for side in args.sides:
        image = still(side, args.content)
        result = InferenceResult(
            stream_id=1,
            frame_index=0,
            image=image,
            annotated=image,
            display_image=image[:1, :1],
            faces=(),
            labels=LABELS,
            capture_time=0.0,
            source_time=0.0,
            inference_done_time=0.0,
        )
        target = args.folder / f"snapshot-time-{side}-{args.content}.png"
        target.unlink(missing_ok=True)
        done, seen = threading.Event(), list[int]()
        watcher = threading.Thread(target=watch, args=(target, done, seen))
        watcher.start()
        start = time.perf_counter()
        cv2.imencode(".png", image)
        encoded_s = time.perf_counter() - start
        start = time.perf_counter()
        save_snapshot(result, target)
        saved_s = time.perf_counter() - start
        done.set()
        watcher.join()
        size = target.stat().st_size
        whole = seen == [size]
        print(
            f"{side}x{side} {args.content}: PNG encoding alone {encoded_s:.2f} s; save_snapshot {saved_s:.2f} s, "
            f"{size / 1e6:.0f} MB; first seen under its name at {seen[0] if seen else 0} bytes "
            f"({'whole' if whole else 'HALF WRITTEN'})"
        )
        target.unlink()
        del image, result


if __name__ == "__main__":
    main()
