"""Time seeks in a long animation through the player's source (``open_frame_source``: a
GIF through FFmpeg's reader in OpenCV, an animated WebP or PNG through
``AnimatedPicture``) and count the frames decoded for them (the source's own
``decoded_frames``).

The animation (--format: gif, webp or png, an APNG) is made from real frames of a clip
(default: WolfgangLanger_Pexels.mp4 of the shared real clips), scaled to WIDTHxHEIGHT and
saved with Pillow (a GIF's frames cropped to what changed, unchanged pixels transparent; a
WebP lossy at Pillow's default quality); it is kept at --file (default
/tmp/animation_seek_cost.FORMAT) and used as it is by later runs.
Printed: the open of a source (its first frame read); for each frame of --seeks, a fresh
source's seek to it and the read of that frame;
then a play from the start to the end with a seek to the frame due every --every frames;
then, from the last of --seeks, --steps steps back of a frame each and a seek 5 s back.

    python -m scripts.animation_seek_cost [--clip PATH] [--frames 600] [--size 640x360]
        [--format gif] [--file PATH] [--seeks 100,300,590] [--every 30] [--steps 30]
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
from PIL import Image

from emotion_app.sources.files import AnimationFrameSource
from emotion_app.sources.frame_source import SourceOpenError
from emotion_app.sources.opencv_source import OpenCvFrameSource
from emotion_app.sources.opening import open_frame_source
from emotion_app.sources.specs import VideoFileSpec
from scripts.support.arguments import frame_size, non_negative_int, positive_int, positive_ints, script_parser
from scripts.support.errors import refuse

_CLIP = Path("/work/shared/data/real-clips/WolfgangLanger_Pexels.mp4")


def make_animation(clip: Path, frames: int, size: tuple[int, int], path: Path, kind: str) -> None:
    """``frames`` frames of ``clip`` (from its start, the clip played again where it is
    shorter) at ``size``, saved as an animation of 40 ms frames of ``kind`` (gif, webp, png)."""
    capture = cv2.VideoCapture(str(clip))
    pictures: list[Image.Image] = []
    while len(pictures) < frames:
        ok, frame = capture.read()
        if not ok:
            if not pictures:
                refuse(f"{clip}: no frame could be read")
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        rgb = cv2.cvtColor(cv2.resize(frame, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        picture = Image.fromarray(rgb)
        pictures.append(picture.quantize(256) if kind == "gif" else picture)
    capture.release()
    pictures[0].save(path, format=kind, save_all=True, append_images=pictures[1:], duration=40, loop=0)


def opened(path: Path) -> OpenCvFrameSource | AnimationFrameSource:
    try:
        source = open_frame_source(VideoFileSpec(path))
    except SourceOpenError as exc:  # a --file that is no video or animation: bad input
        refuse(str(exc))
    if not isinstance(source, OpenCvFrameSource | AnimationFrameSource):
        refuse(f"{path} is not read as a video or an animation")
    return source


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--clip", type=Path, default=_CLIP, help="the clip the animation's frames come from")
    parser.add_argument("--frames", type=positive_int, default=600, help="frames in the animation")
    parser.add_argument("--size", type=frame_size, default=(640, 360), help="the animation's WIDTHxHEIGHT")
    parser.add_argument("--format", choices=("gif", "webp", "png"), default="gif", help="the animation's kind")
    parser.add_argument("--file", type=Path, help="the animation, made once (default /tmp/animation_seek_cost.FORMAT)")
    parser.add_argument("--seeks", type=positive_ints, default=[100, 300, 590], help="frames to seek to")
    parser.add_argument("--every", type=positive_int, default=30, help="frames between seeks in the play")
    parser.add_argument("--steps", type=non_negative_int, default=30, help="frame steps back from the last of --seeks")
    args = parser.parse_args()
    if args.frames < 2 or max(args.seeks) >= args.frames:
        parser.error("--frames must be at least 2 and above every frame of --seeks; --every at least 1")
    path = args.file or Path(f"/tmp/animation_seek_cost.{args.format}")
    if not path.exists():
        make_animation(args.clip, args.frames, args.size, path, args.format)
    started = time.perf_counter()
    source = opened(path)  # before anything is printed: a --file it can't read is refused alone
    seconds = time.perf_counter() - started
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    print(f"open: {seconds:.2f} s, {source.decoded_frames} frames decoded")
    source.release()
    for frame in args.seeks:
        source = opened(path)
        before, started = source.decoded_frames, time.perf_counter()
        source.seek(frame)
        source.read()
        seconds = time.perf_counter() - started
        print(f"seek to {frame}: {seconds:.2f} s, {source.decoded_frames - before} frames decoded")
        source.release()
    source = opened(path)
    before, started, index = source.decoded_frames, time.perf_counter(), 0
    while source.read() is not None:
        index += 1
        if index % args.every == 0 and index < args.frames:  # a seek to the end would show the last again
            source.seek(index)
    seconds = time.perf_counter() - started
    print(f"play of {index} frames, a seek every {args.every}: {seconds:.2f} s, ", end="")
    print(f"{source.decoded_frames - before} frames decoded")
    source.release()
    last = max(args.seeks)
    source = opened(path)
    source.seek(last)
    source.read()
    before, started = source.decoded_frames, time.perf_counter()
    for frame in range(last - 1, last - 1 - args.steps, -1):  # Left while paused
        source.seek(frame)
        source.read()
    seconds = time.perf_counter() - started
    print(f"{args.steps} steps back from {last}: {seconds:.2f} s, {source.decoded_frames - before} frames decoded")
    back = max(0, last - args.steps - int(round(5 * (source.fps or 25.0))))
    before, started = source.decoded_frames, time.perf_counter()
    source.seek(back)  # 5 s back (Left while playing)
    source.read()
    seconds = time.perf_counter() - started
    print(f"5 s back, to {back}: {seconds:.2f} s, {source.decoded_frames - before} frames decoded")
    source.release()


if __name__ == "__main__":
    main()
