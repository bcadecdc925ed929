"""Test-made stand-ins for the real clips, for the scripts that copy them (turned, dimmed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emotion_app.samples import write_video
from scripts.support.real_clips import ONE_PERSON_CLIPS


def one_person_stand_ins(folder: Path, frame: np.ndarray) -> Path:
    """``folder`` with the four one-person clips as 4-frame videos of ``frame``, and a
    truth.csv with a row for one of them and one for a clip that is not there."""
    folder.mkdir()
    for name in ONE_PERSON_CLIPS:
        write_video(folder / name, [frame] * 4, fps=10.0)
    (folder / "truth.csv").write_text(
        "file,first_frame,last_frame,faces,labels,note\nsingle_face.mp4,0,3,1,happy,a note\nother.mp4,0,1,0,,\n"
    )
    return folder
