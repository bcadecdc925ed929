"""Time ``io.output_group.commit_together`` putting 3 small outputs (4 KiB each) in place over
earlier files in one folder, as analyze commits its outputs: the median of --runs commits.
Staging each output (its data written and synced) is not timed.

    python -m scripts.commit_group_time [--folder /tmp] [--runs 50]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from emotion_app.io.atomic import stage_bytes
from emotion_app.io.output_group import commit_together
from scripts.support.arguments import existing_folder, positive_int, script_parser


def main() -> None:
    parser = script_parser(__file__, __doc__, raw_description=True)
    parser.add_argument("--folder", type=existing_folder, default=Path("/tmp"), help="where the outputs are written")
    parser.add_argument("--runs", type=positive_int, default=50, help="commits timed")
    args = parser.parse_args()
    times: list[float] = []
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        names = [Path(folder, name) for name in ("o.csv", "o.mp4", "o.json")]
        for name in names:
            name.write_bytes(b"earlier")
        for _ in range(args.runs):
            outputs = [stage_bytes(name, b"x" * 4096) for name in names]
            start = time.perf_counter()
            commit_together(outputs)
            times.append(time.perf_counter() - start)
    print(f"commit_together of 3 files: median {statistics.median(times) * 1e3:.2f} ms over {len(times)} runs")


if __name__ == "__main__":
    main()
