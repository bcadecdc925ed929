"""The output folder's free names: distinct for saves asked for at once from many threads
(a snapshot chooses its name on its own writing thread), and never a file's already there."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from emotion_app.io.output_folder import output_folder_problem, unique_output_path

WHEN = datetime(2026, 1, 2, 3, 4, 5)


def test_names_asked_for_at_once_from_many_threads_are_all_distinct(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    assert output_folder_problem(folder) == "" and folder.is_dir()  # made when missing
    (folder / "emotion-snapshot-20260102-030405.png").write_bytes(b"kept")
    (folder / "emotion-snapshot-20260102-030405-2.csv").write_text("kept")  # a recording's CSV
    start = threading.Barrier(8)
    names: list[Path] = []

    def ask() -> None:
        start.wait()
        names.append(unique_output_path(folder, "snapshot", ".png", WHEN))

    askers = [threading.Thread(target=ask) for _ in range(8)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert len(set(names)) == 8
    assert {path.name for path in names} == {f"emotion-snapshot-20260102-030405-{n}.png" for n in range(3, 11)}


def test_a_folder_that_cannot_be_made_is_told_in_a_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert output_folder_problem(blocker / "inside").startswith("it cannot be created (")
    # The file itself: it read "it cannot be created (File exists)".
    assert output_folder_problem(blocker) == "it is a file, not a folder"
    assert blocker.read_text() == "not a folder"
