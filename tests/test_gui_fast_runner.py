"""The window classifies at once with eager fp32 and swaps in the fast runner when built.

Real window, real worker threads, real pipeline (background new-face scans) and a real
random-init model; the fast (int8) runner is built on a background thread while frames
flow. Closing the window ends the pipeline's scan thread too.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from emotion_app.faces.newcomer_scan import SCAN_THREAD_PREFIX
from emotion_app.gui.camera_picker import StaticDeviceMonitor
from emotion_app.gui.launch import LaunchOptions
from emotion_app.gui.main_window import MainWindow
from emotion_app.gui.messages import InferenceResult, ModelStatus
from emotion_app.gui.settings import AppSettings
from emotion_app.live import BUILD_THREAD_PREFIX
from emotion_app.samples import SIX_LABELS, VideoTruth
from emotion_app.sources.specs import VideoFileSpec
from tests.gui_support import BUILD_WAIT_MS, WAIT_MS


def threads_named(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()]


def open_window(qtbot: QtBot, settings_path: Path, weights: Path, video: Path, events: list[object]) -> MainWindow:
    window = MainWindow(
        LaunchOptions(weights=weights),
        AppSettings.at_path(settings_path),
        device_monitor=StaticDeviceMonitor([]),
    )
    # Connected before the event loop runs, so the very first status is recorded too.
    window.controller.model_status.connect(events.append)
    window.controller.result_ready.connect(events.append)
    qtbot.addWidget(window)
    window.start_source(VideoFileSpec(video, pace=True, loop=True))
    window.resize(640, 480)
    window.show()
    return window


def check_result(result: InferenceResult) -> None:
    assert result.labels == SIX_LABELS
    for face in result.faces:
        assert len(face.probabilities) == 6
        assert all(math.isfinite(p) and 0.0 <= p <= 1.0 for p in face.probabilities)
        assert abs(sum(face.probabilities) - 1.0) < 1e-3
        assert face.label == SIX_LABELS[max(range(6), key=lambda i: face.probabilities[i])]


def test_live_inference_starts_eager_and_swaps_to_the_fast_runner(
    qtbot: QtBot, settings_path: Path, random_weights: Path, gui_video: VideoTruth
) -> None:
    events: list[object] = []
    window = open_window(qtbot, settings_path, random_weights, gui_video.path, events)
    try:

        def fast_status() -> list[ModelStatus]:
            return [e for e in events if isinstance(e, ModelStatus) and e.inference_mode in {"int8", "fp32"}]

        qtbot.waitUntil(lambda: bool(fast_status()), timeout=BUILD_WAIT_MS)
        statuses = [e for e in events if isinstance(e, ModelStatus)]
        first = statuses[0]
        assert first.ok and first.inference_mode == "eager" and "building" in first.note
        swap_at = events.index(fast_status()[0])
        # Frames were classified (eagerly) while the fast runner was still being built.
        assert any(isinstance(e, InferenceResult) and e.faces for e in events[:swap_at])
        # And they keep coming, faces and all, after the swap.
        qtbot.waitUntil(
            lambda: sum(1 for e in events[swap_at:] if isinstance(e, InferenceResult) and e.faces) >= 10,
            timeout=WAIT_MS,
        )
        results = [e for e in events if isinstance(e, InferenceResult)]
        for result in results:
            check_result(result)
        indices = [r.frame_index for r in results]
        assert indices == sorted(indices), "no frame delivered twice or out of order"
        bundle = window.controller.inference._bundle
        assert bundle is not None and bundle.pipeline.classifier.inference_mode in {"int8", "fp32"}
        assert len(statuses) == 2, "one status on loading, one on the swap"
    finally:
        assert window.shutdown()
        window.close()
    assert not threads_named(SCAN_THREAD_PREFIX), "the worker closed the pipeline's scan thread"


def test_closing_during_the_build_is_prompt_and_leaves_no_thread_behind(
    qtbot: QtBot, settings_path: Path, random_weights: Path, gui_video: VideoTruth
) -> None:
    events: list[object] = []
    window = open_window(qtbot, settings_path, random_weights, gui_video.path, events)
    qtbot.waitUntil(lambda: any(isinstance(e, InferenceResult) and e.faces for e in events), timeout=WAIT_MS)
    builders = threads_named(BUILD_THREAD_PREFIX)  # usually still building here
    assert window.shutdown(), "worker threads stop within a second even mid-build"
    window.close()
    assert not window.controller.is_running
    assert not threads_named(SCAN_THREAD_PREFIX)
    # An abandoned build finishes on its own thread and that thread then ends.
    for thread in builders:
        thread.join(timeout=WAIT_MS / 1000)
        assert not thread.is_alive()
