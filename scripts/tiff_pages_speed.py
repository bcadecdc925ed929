"""Time reading a multi-page TIFF's pages through the app's reader (``open_input`` and its
``frames()``): a TIFF of PAGES random pages of SIDE x SIDE pixels is written with
``cv2.imwritemulti``, and the time to read its first N pages is printed for each N.

    python -m scripts.tiff_pages_speed [--pages 3000] [--side 4] [--reads 100,400,1600]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from emotion_app.io.video import open_input
from scripts.support.arguments import positive_int, positive_ints, script_parser


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--pages", type=positive_int, default=3000, help="pages in the TIFF")
    parser.add_argument("--side", type=positive_int, default=4, help="each page's width and height in pixels")
    parser.add_argument("--reads", type=positive_ints, default=[100, 400, 1600], help="numbers of pages to read")
    args = parser.parse_args()
    if args.pages < 2 or max(args.reads) > args.pages:
        parser.error("--pages must be at least 2 and at least the largest of --reads; --side at least 1")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "pages.tiff"
        pages = [rng.integers(0, 256, (args.side, args.side, 3), dtype=np.uint8) for _ in range(args.pages)]
        if not cv2.imwritemulti(str(path), pages):
            parser.error(f"OpenCV could not write {path}")
        del pages
        print(f"{args.pages} pages of {args.side}x{args.side}, {path.stat().st_size / 1e6:.1f} MB")
        for count in args.reads:
            media = open_input(path)
            started = time.perf_counter()
            for index, _, _ in media.frames():
                if index + 1 >= count:
                    break
            print(f"pages 0..{count - 1}: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
