"""Write the astronaut clips the GUI measurement and screenshot scripts play.

    python -m scripts.gui_demo_video OUT.avi [--size 640x480] [--fps 30] [--seconds 10]

A 640x480 30 fps clip in three equal parts with one, two and three astronaut faces
(about 90 px) drifting across the frame, built with emotion_app.samples (the tests' data builders) from
scikit-image's astronaut photo (a dev dependency; nothing is downloaded).
"""

from __future__ import annotations

import sys

from emotion_app.samples import write_demo_video
from scripts.support.arguments import frame_size, new_video, positive_float, script_parser


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("out", type=new_video, help="the .avi or .mp4 to write")
    parser.add_argument("--size", type=frame_size, default=(640, 480), help="WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--fps", type=positive_float, default=30.0)
    parser.add_argument("--seconds", type=positive_float, default=10.0)
    args = parser.parse_args(argv)
    print(write_demo_video(args.out, args.size, args.fps, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
