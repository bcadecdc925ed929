"""The live pipeline bundle: fast classifier runners built beside the frames, one at a time."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from emotion_app import live
from emotion_app.inference import build_process
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.inference.runners import InferenceRunner
from emotion_app.live import PipelineBundle, load_eager_pipeline

# The longest one build may take: what the app gives its child process, and some.
BUILD_WAIT_S = build_process.CHILD_TIMEOUT_S + 20.0


def test_fast_runner_builds_never_run_at_once(random_weights: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Three windows' builds started together (a window closed and reopened, a model
    # switched twice): each is the real build, and they must take turns.
    running = 0
    most = 0
    count = threading.Lock()
    real_build = EmotionClassifier.build_runner

    def counted_build(self: EmotionClassifier, mode: str = "auto", **options: Any) -> InferenceRunner:
        nonlocal running, most
        with count:
            running += 1
            most = max(most, running)
        try:
            return real_build(self, mode, **options)
        finally:
            with count:
                running -= 1

    monkeypatch.setattr(EmotionClassifier, "build_runner", counted_build)
    bundles: list[PipelineBundle] = [load_eager_pipeline(random_weights) for _ in range(3)]
    try:
        for bundle in bundles:
            bundle.start_optimizing("auto")
        # They take turns, each a child process at a lower priority: minutes on busy cores.
        deadline = time.monotonic() + len(bundles) * BUILD_WAIT_S
        installed = [False] * len(bundles)
        while not all(installed) and time.monotonic() < deadline:
            installed = [done or bundle.install_fast_runner() for done, bundle in zip(installed, bundles)]
            time.sleep(0.05)
        assert all(installed)
        assert all(bundle.pipeline.classifier.inference_mode != "eager" for bundle in bundles)
        assert most == 1
    finally:
        for bundle in bundles:
            bundle.close()


def test_a_build_waiting_for_its_turn_is_skipped_once_its_bundle_closes(
    random_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = 0
    real_build = EmotionClassifier.build_runner

    def counted_build(self: EmotionClassifier, mode: str = "auto", **options: Any) -> InferenceRunner:
        nonlocal builds
        builds += 1
        return real_build(self, mode, **options)

    monkeypatch.setattr(EmotionClassifier, "build_runner", counted_build)
    closed, kept = load_eager_pipeline(random_weights), load_eager_pipeline(random_weights)
    try:
        with live._BUILD_LOCK:  # another window's build is running
            closed.start_optimizing("auto")
            kept.start_optimizing("auto")
            closed.close()  # its window closes before its turn
        deadline = time.monotonic() + BUILD_WAIT_S
        while not kept.install_fast_runner() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kept.pipeline.classifier.inference_mode != "eager"
        assert builds == 1 and closed.pipeline.classifier.inference_mode == "eager"
    finally:
        closed.close()
        kept.close()


def test_closing_a_bundle_stops_its_build_process(
    random_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app builds the fast classifier in a child process; a window closed or a model
    # replaced meanwhile must not leave it running, nor keep its thread waiting.
    # A temporary folder of its own: another process's build folder is not this test's.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def child_folders() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob(build_process.FOLDER_PREFIX + "*"))

    before = child_folders()
    bundle = load_eager_pipeline(random_weights)
    bundle.start_optimizing("auto")
    build = bundle._runner_build
    assert build is not None
    deadline = time.monotonic() + 60.0
    while not child_folders() - before and time.monotonic() < deadline:
        time.sleep(0.01)  # until the child's folder exists: it is about to start, or importing torch
    bundle.close()
    runner = build.result(timeout=30)
    assert runner is not None and runner.mode == "eager" and runner.note == "build cancelled"
