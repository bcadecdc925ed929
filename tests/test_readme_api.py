"""The README's Python API examples run as written, on real files: the code of a
```python block is executed, its free names given real values."""

from __future__ import annotations

import copy
import gc
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from emotion_app import DiskFullError, EmotionClassifier, EmotionPipeline, FaceCsvWriter, FaceDetector, OutputError
from emotion_app.cli import main
from emotion_app.io.video import open_input
from emotion_app.results import FaceResult
from emotion_app.samples import SIX_LABELS, write_astronaut_video
from tests.hostile_support import SmallDisk, fill

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def readme_python(naming: str) -> str:
    """The one ```python block of the README that names ``naming``."""
    (block,) = [block for block in re.findall(r"^```python\n(.*?)^```$", README, re.M | re.S) if naming in block]
    return block


def run_csv_example(
    classifier: EmotionClassifier, pipeline: EmotionPipeline, timed_frames: list[tuple[np.ndarray, float | None]]
) -> None:
    """The README's FaceCsvWriter example, its names those of the API example above it."""
    exec(readme_python("FaceCsvWriter"), {"classifier": classifier, "pipeline": pipeline, "timed_frames": timed_frames})


def test_the_readmes_csv_example_writes_the_csv_analyze_writes(
    tmp_path: Path, random_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=12)
    analyzed = tmp_path / "analyzed.csv"
    assert main(["analyze", str(video.path), "--csv", str(analyzed), "--weights", str(random_weights)]) == 0
    classifier = EmotionClassifier.load(random_weights)
    # As analyze's: eager fp32 (its fast runner comes after hundreds of faces), steadiness medium.
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    timed_frames = [(frame, time_s) for _, time_s, frame in open_input(video.path).frames()]
    monkeypatch.chdir(tmp_path)
    run_csv_example(classifier, pipeline, timed_frames)
    written = (tmp_path / "faces.csv").read_text(encoding="utf-8")
    assert written == analyzed.read_text(encoding="utf-8")
    assert len(written.splitlines()) == 1 + 12  # a face in every frame


def test_the_readmes_csv_example_keeps_an_earlier_csv_when_a_frame_fails(
    tmp_path: Path, random_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As the README says: an error inside the block leaves an earlier faces.csv as it was.
    video = write_astronaut_video(tmp_path / "clip.avi", num_frames=4)
    classifier = EmotionClassifier.load(random_weights)
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    timed_frames = [(frame, time_s) for _, time_s, frame in open_input(video.path).frames()]
    timed_frames.append((np.zeros((0, 0), np.uint8), 9.0))  # an empty frame: ValueError
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faces.csv").write_text("earlier\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty frame"):
        run_csv_example(classifier, pipeline, timed_frames)
    assert (tmp_path / "faces.csv").read_text(encoding="utf-8") == "earlier\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip.avi", "faces.csv"]  # no part file left
    # ... and a path it cannot write is an OutputError naming it, at once.
    unwritable = tmp_path / "clip.avi" / "faces.csv"
    with pytest.raises(OutputError, match=re.escape(str(unwritable.parent))):
        FaceCsvWriter(unwritable, classifier.labels)


def test_a_disk_filling_under_the_readmes_csv_example_is_the_exported_disk_full_error(
    tmp_path: Path, random_weights: Path, small_disk: SmallDisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The README names DiskFullError beside OutputError; it was only importable from a
    # module inside the package (emotion_app.io.atomic), not from the API it is part of.
    assert "`DiskFullError` (an `OutputError` too; both import from `emotion_app`)" in " ".join(README.split())
    assert issubclass(DiskFullError, OutputError)
    video = write_astronaut_video(tmp_path / "faces.avi", num_frames=60, frame_size=(400, 200), face_size=64, copies=2)
    classifier = EmotionClassifier.load(random_weights)
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False)
    timed_frames = [(frame, time_s) for _, time_s, frame in open_input(video.path).frames()]
    disk = small_disk(256)
    (disk / "faces.csv").write_text("earlier\n", encoding="utf-8")
    fill(disk, leave_bytes=3000)  # room for the header and a few rows, not for 120 rows
    monkeypatch.chdir(disk)
    with pytest.raises(DiskFullError, match=re.escape(f"disk full ({Path('faces.csv')})")):
        run_csv_example(classifier, pipeline, timed_frames)
    assert (disk / "faces.csv").read_text(encoding="utf-8") == "earlier\n"
    assert sorted(path.name for path in disk.iterdir()) == ["faces.csv", "filler.bin"]  # no part file left


def test_a_writer_never_closed_keeps_its_rows_hidden_and_the_csv_as_it_was(tmp_path: Path) -> None:
    # As the README says: its rows are their only copy, so no finalizer deletes them (Python
    # warns of the file left open, as of any).
    target = tmp_path / "faces.csv"
    target.write_text("earlier\n", encoding="utf-8")
    writer = FaceCsvWriter(target, SIX_LABELS)
    face = FaceResult((10, 20, 48, 48), 1, "happy", 0.7, (0.05, 0.05, 0.7, 0.1, 0.05, 0.05))
    assert writer.write_frame(0, 0.0, [face]) == 1
    part = writer.partial_path
    assert part is not None
    with pytest.warns(ResourceWarning, match=re.escape(part.name)):  # Python's own hint: an unclosed file
        del writer
        gc.collect()
    assert target.read_text(encoding="utf-8") == "earlier\n"
    assert part.read_text(encoding="utf-8").splitlines()[1].startswith("0,0.0000,1,10,20,48,48,0,happy,0.70000,0,")


def faces_in(pipeline: EmotionPipeline, clip: Path) -> list[list[FaceResult]]:
    """The README's ``faces_in``: every frame of ``clip`` through ``pipeline``. At the top of
    this module, so that a spawned process imports it by name."""
    torch.set_num_threads(1)  # as this test's own process runs (one_torch_thread): the same sums
    return [pipeline.process(frame, time_s) for _, time_s, frame in open_input(clip).frames()]


def test_the_readmes_pickling_example_runs_the_pipeline_in_spawned_processes(
    tmp_path: Path, random_weights: Path
) -> None:
    clips = [
        write_astronaut_video(
            tmp_path / f"clip{index}.avi", num_frames=3, frame_size=(240, 180), face_size=70, motion="static"
        ).path
        for index in range(2)
    ]
    pipeline = EmotionPipeline(FaceDetector(), EmotionClassifier.load(random_weights), optimize=False)
    names = {"pipeline": pipeline, "faces_in": faces_in, "clips": clips}
    exec(readme_python("ProcessPoolExecutor"), names)
    # Each spawned process found what this one finds with a copy of the pipeline, to the last bit.
    twin = names["twin"]
    assert isinstance(twin, EmotionPipeline)
    expected = [faces_in(twin, clips[0]), faces_in(copy.deepcopy(pipeline), clips[1])]
    assert names["faces_per_clip"] == expected
    assert [[len(faces) for faces in clip] for clip in expected] == [[1, 1, 1], [1, 1, 1]]
