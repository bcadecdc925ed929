"""scripts.face_behind: a face another passes in front of, on test-made stand-ins for the real clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from skimage import data

from emotion_app.samples import astronaut_face_patch, paste, photo_frame, write_video
from scripts import face_behind


def stand_ins(folder: Path) -> Path:
    """Clips named as the script's real ones, with the astronaut where their heads are."""
    folder.mkdir()
    base = photo_frame(data.coffee(), (640, 360))
    patch, _ = astronaut_face_patch(150)
    for name, first, (x, y, w, _), _ in (face_behind.WOMAN, face_behind.MAN):
        head = patch if name == face_behind.WOMAN[0] else np.ascontiguousarray(patch[:, ::-1])
        frame = base.copy()
        paste(frame, head, x + (w - head.shape[1]) // 2, y + 10)
        write_video(folder / name, [frame] * (first + 3), fps=30.0)
    write_video(folder / face_behind.BACKDROP[0], [base] * (face_behind.BACKDROP[1] + 1), fps=30.0)
    return folder


def test_the_crossing_clip_shows_both_faces_and_the_one_behind_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clips = stand_ins(tmp_path / "clips")
    written = tmp_path / "written"
    assert face_behind.main(["--clips", str(clips), "--only", "crossing", "--write", str(written)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (figures,) = report["clips"].values()
    assert [name for name, _ in face_behind.scenes(clips)] == list(face_behind.SCENES)
    assert figures["frames"] == 150 and (written / "crossing.avi").is_file()
    assert 0 < figures["both_shown"] <= figures["both_visible"] < 150
    # She is hidden while he passes, and shown again after (with her id, or a new one when
    # she comes out far from where she went in).
    assert figures["visible_again"] is not None and figures["shown_again"] >= figures["visible_again"]
    assert figures["ids"][:2] == [1, 2] and len(figures["ids"]) <= 3


def test_missing_clips_an_unwritable_folder_or_an_unknown_clip_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert face_behind.main(["--clips", str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err
    clips = stand_ins(tmp_path / "clips")
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert face_behind.main(["--clips", str(clips), "--only", "crossing", "--write", str(blocker)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert blocker.read_text() == "not a folder"
    assert face_behind.main(["--clips", str(clips), "--only", "nobody"]) == 2
    assert "--only: no clip 'nobody'" in capsys.readouterr().err
