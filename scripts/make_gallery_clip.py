"""A video-call gallery view made of the real clips, with its truth: many faces, small ones too.

    python -m scripts.make_gallery_clip OUT_DIR [--clips ../shared/data/real-clips] [--frames 200]

Writes ``OUT_DIR/gallery.avi`` (640x480, 24 fps, MJPG) and ``OUT_DIR/truth.csv`` (the
format of the real clips' truth, so ``python -m scripts.face_quality --clips OUT_DIR``
scores it). Four 320x240 tiles:

* top left: the group photo (five friends), slowly zooming and panning, faces 31-45 px;
* top right: the crying-then-laughing woman (WolfgangLanger_Pexels.mp4), one face;
* bottom left: the group photo smaller and still drifting, faces 24-31 px (the "huddle");
* bottom right: no_face.mp4 (a cartoon title and sky, looped), no face.

Every frame holds 11 faces (5 + 1 + 5 + 0); the woman's clip is used only inside its
truth range of one face. The group photo's sunglasses face, turned a little, is the
hardest of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from emotion_app.cli.common import fail
from emotion_app.io.atomic import OutputError, write_bytes
from emotion_app.samples import read_video
from scripts.support.arguments import script_parser
from scripts.support.gallery import FPS, TILE, group_placements, group_tile
from scripts.support.real_clips import DEFAULT_CLIPS
from scripts.support.video_out import VideoOut


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--frames", type=int, default=200, help="at most 221 (the woman's one-face range)")
    args = parser.parse_args(argv)
    # Looked for first: OpenCV's imread warns on stderr about a file that is not there.
    photo_path = args.clips / "multi_face.jpg"
    photo = cv2.imread(str(photo_path)) if photo_path.is_file() else None
    woman = read_video(args.clips / "WolfgangLanger_Pexels.mp4", min(args.frames, 221))
    empty = read_video(args.clips / "no_face.mp4", 95)
    if photo is None or not woman or not empty:
        return fail(f"{args.clips} lacks multi_face.jpg, WolfgangLanger_Pexels.mp4 or no_face.mp4")
    frames = min(args.frames, len(woman))
    video = args.out / "gallery.avi"
    try:
        with VideoOut(video, "MJPG", FPS, (2 * TILE[0], 2 * TILE[1])) as out:
            for index in range(frames):
                placements = group_placements(index, frames)
                top_left = group_tile(photo, *placements["top left"][:2])
                bottom_left = group_tile(photo, *placements["bottom left"][:2])
                top_right = cv2.resize(woman[index], (TILE[0], TILE[0] * 9 // 16), interpolation=cv2.INTER_AREA)
                top_right = cv2.copyMakeBorder(
                    top_right, 30, TILE[1] - 30 - top_right.shape[0], 0, 0, cv2.BORDER_CONSTANT
                )
                bottom_right = cv2.resize(empty[index % len(empty)], TILE, interpolation=cv2.INTER_AREA)
                out.write(np.vstack([np.hstack([top_left, top_right]), np.hstack([bottom_left, bottom_right])]))
        write_bytes(
            args.out / "truth.csv",
            (
                "file,first_frame,last_frame,faces,labels,note\n"
                f'gallery.avi,0,{frames - 1},11,,"gallery: group photo 31-45 px (5), woman (1), '
                'group photo 24-31 px (5), cartoon (0)"\n'
            ).encode(),
        )
    except OutputError as exc:
        return fail(str(exc))
    print(f"{video}: {frames} frames of 640x480 at {FPS:g} fps, 11 faces each; truth in {args.out / 'truth.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
