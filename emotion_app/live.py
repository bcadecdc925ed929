"""The live pipeline bundle: a pipeline ready in milliseconds, its fast runner built beside it.

Qt-free, so the GUI's inference worker, benchmarks and scripts load the live pipeline the
same way. A model switched to mid-stream loads beside the frames too (:class:`PipelineLoad`).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .faces.detector import FaceDetector
from .inference.classifier import EmotionClassifier
from .inference.runners import InferenceRunner
from .pipeline import EmotionPipeline

log = logging.getLogger(__name__)

# Name prefix of the thread that builds the fast classifier runner.
BUILD_THREAD_PREFIX = "classifier-build"
# Name of the thread a model loads on (PipelineLoad).
LOAD_THREAD_NAME = "model-load"
# How long the process's exit waits for a load still running: far beyond what a load
# takes (docs/measurements.md); past it, the load is stuck in a read (a dead network share).
LOAD_EXIT_WAIT_S = 5.0
# One build at a time in the process: a build left running by a closed window or a
# replaced model may overlap the next, and builds running together (ONNX export,
# quantisation, calibration sessions) once crashed the test suite's process.
_BUILD_LOCK = threading.Lock()

PipelineLoader = Callable[[Path | None], "PipelineBundle"]


class PipelineBundle:
    """A ready pipeline plus what the GUI needs to know about it.

    It may also carry a fast classifier runner being built on a background thread
    (:meth:`start_optimizing`); the thread that drives the pipeline swaps it in between
    frames with :meth:`install_fast_runner`, so no frame mixes two runners.
    """

    def __init__(self, pipeline: EmotionPipeline, labels: tuple[str, ...], weights_path: Path | None) -> None:
        self.pipeline = pipeline
        self.labels = labels
        self.weights_path = weights_path
        # ``weights_path`` with its links resolved, found by the load's own thread (see
        # PipelineLoad): the GUI compares and stores it without a stat of its own, which
        # would block the window on a network share whose server has gone since the load.
        self.resolved_path: Path | None = None
        self._runner_build: Future[InferenceRunner | None] | None = None
        # Set by close(): a build still waiting for its turn is then skipped.
        self._closed = threading.Event()

    def start_optimizing(self, mode: str = "auto", in_child_process: bool = True) -> None:
        """Start building the classifier's fast runner on a thread of its own, which with
        ``in_child_process`` waits for a child process to build it unless it is cached;
        :meth:`EmotionPipeline.process` stays eager meanwhile."""
        if self._runner_build is not None:
            return
        builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix=BUILD_THREAD_PREFIX)
        self._runner_build = builder.submit(
            _build_fast_runner, self.pipeline.classifier, mode, self._closed, in_child_process
        )
        # The thread ends by itself once this one build is done.
        builder.shutdown(wait=False)

    @property
    def optimizing(self) -> bool:
        """Whether a fast runner is being built and not yet installed."""
        return self._runner_build is not None

    def install_fast_runner(self) -> bool:
        """Use the fast runner if its build has finished; True when it was just installed.

        Call it from the thread that runs the pipeline, between frames.
        """
        build = self._runner_build
        if build is None or not build.done():
            return False
        self._runner_build = None
        try:
            runner = build.result()
        except Exception as exc:  # build_runner falls back rather than raising; belt and braces
            log.warning("the fast classifier could not be built (%s); staying with eager fp32", exc)
            return False
        if runner is None:  # skipped: the bundle was closed before its turn
            return False
        self.pipeline.classifier.use_runner(runner)
        return True

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """End the pipeline's background scan thread; a build still running is abandoned
        (its child process is stopped, or its thread finishes the agreement check and
        exits), and one still waiting for another build is skipped."""
        self._closed.set()
        self._runner_build = None
        self.pipeline.close()


def _build_fast_runner(
    classifier: EmotionClassifier, mode: str, closed: threading.Event, in_child_process: bool
) -> InferenceRunner | None:
    import torch

    # Thread-local in torch: the build keeps to one core, leaving the other to live inference.
    torch.set_num_threads(1)
    with _BUILD_LOCK:
        if closed.is_set():
            # Its window closed, or its model was replaced, while an earlier build ran:
            # windows opened and closed in turn (the GUI tests) would pile builds up.
            return None
        # In a child process: the onnx import and the quantisation would hold this
        # process's GIL, freezing the video and the GUI (docs/measurements.md).
        return classifier.build_runner(mode, in_child_process=in_child_process, cancelled=closed)


def load_eager_pipeline(weights_path: Path | None) -> PipelineBundle:
    """The live pipeline with an eager fp32 classifier and nothing built in the background."""
    classifier = EmotionClassifier.load(weights_path)
    # Background new-face scans: a full-frame scan costs several frames' time at 640x480
    # (docs/measurements.md), which inline would make every tenth frame late; beside the
    # frames it delays none.
    pipeline = EmotionPipeline(FaceDetector(), classifier, optimize=False, background_scan=True)
    return PipelineBundle(pipeline, tuple(classifier.labels), classifier.source)


def load_pipeline(weights_path: Path | None, in_child_process: bool = True) -> PipelineBundle:
    """The GUI's pipeline: ready in milliseconds with eager fp32, while the fast (int8)
    classifier is taken from the cache or built by a child process (``in_child_process``;
    else on the build thread itself); the worker swaps it in when it is ready.

    Building takes seconds; waiting for it would hold back the first frames.
    """
    bundle = load_eager_pipeline(weights_path)
    bundle.start_optimizing("auto", in_child_process)
    return bundle


def load_optimized_pipeline(weights_path: Path | None) -> PipelineBundle:
    """:func:`load_eager_pipeline` with the fast classifier built first (for benchmarks)."""
    bundle = load_eager_pipeline(weights_path)
    bundle.pipeline.classifier.optimize("auto")
    return bundle


# Reentrant: a signal's handler may ask (loads_left) on the thread that holds it.
_loads_lock = threading.RLock()
# Each load's thread, and the model it loads (as a forced exit names it).
_load_threads: dict[threading.Thread, str] = {}
# The longest one join of the exit waits at a time: a signal's handler (the app's second
# Ctrl+C: gui/quitting) runs on this thread only between two.
_JOIN_SLICE_S = 0.1


def loads_left() -> list[str]:
    """The model loads still running, named as a forced exit leaves them."""
    with _loads_lock:
        return [f"not loaded: {name}" for thread, name in _load_threads.items() if thread.is_alive()]


@atexit.register
def wait_for_loads_to_end(timeout_s: float | None = None) -> bool:
    """Wait until the loads still running have ended, at most ``timeout_s`` (None:
    :data:`LOAD_EXIT_WAIT_S`, read when called); True if they all did. Runs at the process's
    exit (their threads are daemons: see :class:`PipelineLoad`)."""
    wait_s = LOAD_EXIT_WAIT_S if timeout_s is None else timeout_s
    deadline = time.monotonic() + wait_s
    while True:
        with _loads_lock:
            threads = [thread for thread in _load_threads if thread.is_alive()]
        if not threads:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            log.warning("a model load did not end within %.0f s (a read that never returns?); not waited for", wait_s)
            return False
        threads[0].join(min(remaining, _JOIN_SLICE_S))


class PipelineLoad:
    """A bundle loading on a thread of its own, beside the frames of the one in use.

    The thread only builds the new bundle; the thread that drives the pipelines takes it
    (:meth:`take`) between two frames. A load no one will take (a newer request, the app
    closing) is dropped: its bundle is closed as soon as it is there.
    """

    def __init__(self, weights_path: Path | None, loader: PipelineLoader, torch_threads: int | None) -> None:
        self.weights_path = weights_path
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._dropped = False
        self._bundle: PipelineBundle | None = None
        self._error: Exception | None = None
        # A daemon, joined at exit for at most LOAD_EXIT_WAIT_S (wait_for_loads_to_end): torn
        # down mid-load, a load aborted the process (docs/measurements.md), so one that ends
        # is waited for; one whose read never returns (a dead share) must not hold the exit.
        self._thread = threading.Thread(
            target=self._run, args=(loader, torch_threads), name=LOAD_THREAD_NAME, daemon=True
        )
        self._thread.start()
        with _loads_lock:
            for thread in [thread for thread in _load_threads if not thread.is_alive()]:
                del _load_threads[thread]
            _load_threads[self._thread] = "the shipped model" if weights_path is None else f"the model {weights_path}"

    def _run(self, loader: PipelineLoader, torch_threads: int | None) -> None:
        bundle: PipelineBundle | None = None
        error: Exception | None = None
        try:
            if torch_threads:
                import torch

                # Thread-local in torch: the load keeps to the share the caller gives it.
                torch.set_num_threads(torch_threads)
            # Resolved before the read: a share that has gone holds up the load there
            # anyway, and one that goes after the read must not hold up its model.
            resolved = _resolved(self.weights_path)
            bundle = loader(self.weights_path)
            same = bundle.weights_path == self.weights_path  # else the shipped file, for None
            bundle.resolved_path = resolved if same else _resolved(bundle.weights_path)
        except Exception as exc:  # the taker reports it, as it would a load of its own
            error = exc
        finally:
            with self._lock:
                dropped = self._dropped
                if not dropped:
                    self._bundle, self._error = bundle, error
                self._done.set()
        if dropped and bundle is not None:
            bundle.close()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout_s: float) -> bool:
        """Wait for the load at most ``timeout_s``; True once it is :attr:`done`."""
        return self._done.wait(timeout_s)

    def take(self) -> PipelineBundle | Exception:
        """The bundle loaded, or why none was (call once :attr:`done`); the caller owns it."""
        with self._lock:
            bundle, error, self._bundle = self._bundle, self._error, None
        if bundle is not None:
            return bundle
        return error or RuntimeError("the model's load ended without a model")

    def drop(self) -> None:
        """No one will take this load: a bundle already there is closed now, one still
        loading by its thread once it is there. Never waits for the load."""
        with self._lock:
            self._dropped = True
            bundle, self._bundle = self._bundle, None
        if bundle is not None:
            bundle.close()


def _resolved(path: Path | None) -> Path | None:
    """``path`` with its links resolved; None when there is none or it cannot be resolved."""
    if path is None:
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a folder gone, a loop of links
        return None
