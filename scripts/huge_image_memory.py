"""Peak memory of ``analyze`` on one huge image: a SIDE x SIDE PNG (default 20000) of flat
gray with the astronaut's face pasted at 900 px, analysed with ``--csv`` in a child
process whose peak resident memory is read from the OS. Prints the peak and the face row.

    python -m scripts.huge_image_memory [--side 20000] [--blank] [--keep DIR]

Needs about 3 x SIDE^2 bytes free to build the image (1.2 GB at 20000). ``--blank``: a white
1-bit PNG instead, written a row at a time (a few hundred KB; any SIDE, no memory to build).
"""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import cv2
import numpy as np

from emotion_app.samples import astronaut_face_patch, paste
from scripts.support.arguments import positive_int, script_parser


def write_blank_png(path: Path, width: int, height: int) -> Path:
    """A white 1-bit PNG of ``width`` x ``height``, its compressed rows written as they are
    made: a few hundred KB for a billion pixels, whose pixels are never held."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # no filter, then the row's bits
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit gray
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    return path


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--side", type=positive_int, default=20000)
    parser.add_argument("--blank", action="store_true", help="a white 1-bit PNG, no face (no memory to build)")
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the image and CSV here instead of a temporary folder"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        image_path, csv_path = folder / f"huge{args.side}.png", folder / f"huge{args.side}.csv"
        if args.blank:
            write_blank_png(image_path, args.side, args.side)
        else:
            image = np.full((args.side, args.side, 3), 128, np.uint8)
            patch, _ = astronaut_face_patch(900)
            paste(image, patch, args.side * 3 // 5, args.side * 9 // 20)
            cv2.imwrite(str(image_path), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
            del image
        done = subprocess.run(
            [sys.executable, "-m", "emotion_app", "analyze", str(image_path), "--csv", str(csv_path)],
            capture_output=True,
            text=True,
        )
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
        print(done.stdout.strip() or done.stderr.strip())
        print(
            f"{args.side}x{args.side} PNG of {image_path.stat().st_size / 1e6:.1f} MB: exit {done.returncode}, "
            f"peak memory {peak_kib / 1024 / 1024:.2f} GiB"
        )
        if csv_path.exists():
            print(csv_path.read_text().strip())


if __name__ == "__main__":
    main()
