"""Background existence checks (emotion_app.io.existence): answers come from other
threads, and a check that could not start leaves the path free to be asked again."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest

from emotion_app.io.existence import ExistenceChecks


def test_each_path_is_answered_from_a_thread_of_its_own(tmp_path: Path) -> None:
    there = tmp_path / "there.mp4"
    there.write_bytes(b"x")
    answers: queue.Queue[tuple[str, bool, bool]] = queue.Queue()
    checks = ExistenceChecks(
        lambda path, exists: answers.put((path, exists, threading.current_thread() is threading.main_thread()))
    )
    checks.check([str(there), str(tmp_path / "gone.mp4")])
    got = {answers.get(timeout=20) for _ in range(2)}
    assert got == {(str(there), True, False), (str(tmp_path / "gone.mp4"), False, False)}


def test_a_check_with_no_thread_to_be_had_is_asked_again_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers: queue.Queue[tuple[str, bool]] = queue.Queue()
    checks = ExistenceChecks(lambda path, exists: answers.put((path, exists)))

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    with monkeypatch.context() as patched:
        patched.setattr(threading.Thread, "start", no_thread)
        checks.check([str(tmp_path)])  # no answer, and no error for the caller
    assert answers.empty()
    checks.check([str(tmp_path)])
    assert answers.get(timeout=20) == (str(tmp_path), True)
