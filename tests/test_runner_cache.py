"""The disk cache of the fast classifier's graphs: used when it passes the check, else rebuilt."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from emotion_app.cli import analyze
from emotion_app.inference import build_process, runner_cache, runners
from emotion_app.inference.calibration import synthetic_calibration_faces
from emotion_app.inference.classifier import EmotionClassifier
from emotion_app.inference.runners import Forward, build_runner, check_agreement
from emotion_app.preprocessing import to_model_input
from emotion_app.weights import DEFAULT_WEIGHTS_PATH, read_card

pytestmark = [
    pytest.mark.usefixtures("one_torch_thread"),
    pytest.mark.skipif(
        importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
        reason="onnxruntime is not installed",
    ),
]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(runner_cache.ENVIRONMENT_VARIABLE, str(folder))
    return folder


@pytest.fixture(scope="module")
def shipped() -> EmotionClassifier:
    return EmotionClassifier.load()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*" + runner_cache.SUFFIX))


def probabilities(classifier: EmotionClassifier, forward: Forward) -> torch.Tensor:
    faces = synthetic_calibration_faces(classifier.preprocessing.input_size, 32, seed=9)
    with torch.inference_mode():
        return torch.softmax(forward(to_model_input(faces, classifier.preprocessing)), dim=1)


def test_a_second_build_takes_the_cached_graphs(shipped: EmotionClassifier, cache: Path) -> None:
    first = build_runner(shipped.model, shipped.preprocessing)
    assert first.mode == "int8" and "cached" not in first.note
    assert len(entries(cache)) == 1
    assert first.graphs is None, "the returned runner does not hold the graphs a second time"

    second = build_runner(shipped.model, shipped.preprocessing)
    assert second.mode == "int8" and "cached" in second.note
    assert second.recheck is not None, "the near-ties' fp32 graph comes from the cache too"
    # The same graphs: the same answers.
    assert torch.equal(probabilities(shipped, first.forward), probabilities(shipped, second.forward))
    assert runner_cache.has_entry_for_model(shipped.model.state_dict(), shipped.preprocessing)


def test_a_cached_runner_needs_no_onnx_package(shipped: EmotionClassifier, cache: Path) -> None:
    build_runner(shipped.model, shipped.preprocessing)  # fills the cache
    script = (
        "import sys, torch\n"
        "torch.set_num_threads(1)\n"
        "from emotion_app.inference.classifier import EmotionClassifier\n"
        "classifier = EmotionClassifier.load(optimize=True)\n"
        "print(classifier.inference_mode, classifier.runner.note, 'onnx' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO, env=dict(os.environ)
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.split()[0] == "int8" and "cached" in completed.stdout
    assert completed.stdout.split()[-1] == "False", completed.stdout


def damage_truncated(path: Path, other: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1000])


def damage_garbage_graph(path: Path, other: Path) -> None:
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    rng = np.random.default_rng(0)
    path.write_bytes(data[:header_end] + rng.integers(0, 256, len(data) - header_end, dtype=np.uint8).tobytes())


def damage_another_models_graphs(path: Path, other: Path) -> None:
    # A well-formed int8 entry whose graph is another model's: it loads and runs, and
    # only the agreement check can tell.
    foreign = runner_cache.load(other.name.removesuffix(runner_cache.SUFFIX))
    assert foreign is not None
    header = {"format": runner_cache.FORMAT, "mode": "int8", "variant": "", "sizes": [len(foreign.graph)]}
    path.write_bytes(json.dumps(header).encode() + b"\n" + foreign.graph)


def damage_no_header(path: Path, other: Path) -> None:
    path.write_bytes(b"\x00" * 100)


@pytest.mark.parametrize(
    "damage", [damage_truncated, damage_garbage_graph, damage_another_models_graphs, damage_no_header]
)
def test_a_damaged_or_foreign_entry_is_rebuilt_and_replaced(
    shipped: EmotionClassifier, random_weights: Path, cache: Path, damage: Callable[[Path, Path], None]
) -> None:
    other = EmotionClassifier.load(random_weights)
    build_runner(other.model, other.preprocessing, "fp32")  # another model's entry
    build_runner(shipped.model, shipped.preprocessing)
    [other_entry] = [path for path in entries(cache) if json.loads(path.read_bytes().split(b"\n")[0])["mode"] == "fp32"]
    [entry] = [path for path in entries(cache) if path != other_entry]
    damage(entry, other_entry)

    rebuilt = build_runner(shipped.model, shipped.preprocessing)
    assert rebuilt.mode == "int8" and "cached" not in rebuilt.note
    faces = synthetic_calibration_faces(shipped.preprocessing.input_size, 64, seed=4)
    assert check_agreement(shipped.model, rebuilt.forward, to_model_input(faces, shipped.preprocessing)) > 0.97
    # The entry was replaced by the good build: the next start uses it.
    assert "cached" in build_runner(shipped.model, shipped.preprocessing).note


def test_an_unusable_cache_folder_costs_only_the_cache(
    shipped: EmotionClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(runner_cache.ENVIRONMENT_VARIABLE, str(blocker / "cache"))
    runner = build_runner(shipped.model, shipped.preprocessing)
    assert runner.mode == "int8" and "cached" not in runner.note
    assert blocker.read_text() == "not a folder"
    assert not runner_cache.has_entry_for_model(shipped.model.state_dict(), shipped.preprocessing)


def test_an_empty_setting_switches_the_cache_off(
    shipped: EmotionClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(runner_cache.ENVIRONMENT_VARIABLE, "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert runner_cache.cache_folder() is None
    build_runner(shipped.model, shipped.preprocessing)
    assert list(tmp_path.rglob("*" + runner_cache.SUFFIX)) == []


def test_custom_calibration_faces_bypass_the_cache(shipped: EmotionClassifier, cache: Path) -> None:
    faces = synthetic_calibration_faces(shipped.preprocessing.input_size, 64, seed=3)
    build_runner(shipped.model, shipped.preprocessing, calibration_faces=faces)
    assert not cache.exists() or entries(cache) == []


def test_pruning_keeps_the_most_recently_used_entries(cache: Path) -> None:
    graphs = runner_cache.CachedGraphs("fp32", "", b"graph")
    names = [f"{index:040d}" for index in range(runner_cache.KEEP_ENTRIES + 2)]
    now = time.time()
    for age, name in enumerate(names[: runner_cache.KEEP_ENTRIES]):
        assert runner_cache.store(name, graphs)
        os.utime(cache / (name + runner_cache.SUFFIX), (now - 1000 + age, now - 1000 + age))
    assert runner_cache.load(names[0]) == graphs  # used now: the newest
    for name in names[runner_cache.KEEP_ENTRIES :]:
        assert runner_cache.store(name, graphs)
    kept = {path.name.removesuffix(runner_cache.SUFFIX) for path in entries(cache)}
    assert kept == {names[0], *names[3:]}
    assert [path for path in cache.iterdir() if path.suffix == ".part"] == []


def test_pruning_removes_what_dead_writers_left(cache: Path) -> None:
    # A process killed while writing an entry leaves its temporary file; a live writer's
    # is seconds old and stays.
    abandoned, live = cache / (".abc.dead" + runner_cache.PART_SUFFIX), cache / (".def.live" + runner_cache.PART_SUFFIX)
    cache.mkdir(parents=True)
    for part in (abandoned, live):
        part.write_bytes(b"half an entry")
    old = time.time() - runner_cache.STALE_PART_S - 60
    os.utime(abandoned, (old, old))
    assert runner_cache.store("0" * 40, runner_cache.CachedGraphs("fp32", "", b"graph"))
    assert not abandoned.exists() and live.exists()
    assert runner_cache.load("0" * 40) == runner_cache.CachedGraphs("fp32", "", b"graph")


def test_the_key_covers_weights_preprocessing_mode_and_runtime() -> None:
    card, tensors = read_card(DEFAULT_WEIGHTS_PATH)
    spec = card.preprocessing
    key = runner_cache.model_key(tensors, spec, "int8", "1.0")
    halved = {name: tensor.to(torch.float16).to(torch.float32) for name, tensor in tensors.items()}
    assert runner_cache.model_key({n: t.to(torch.float16) for n, t in halved.items()}, spec, "int8", "1.0") == (
        runner_cache.model_key(halved, spec, "int8", "1.0")
    ), "a float16 file and the float32 model it loads into share a key"
    nudged = dict(tensors)
    name = sorted(nudged)[0]
    nudged[name] = nudged[name].clone()
    nudged[name].view(-1)[0] += 1e-3
    others = {
        runner_cache.model_key(nudged, spec, "int8", "1.0"),
        runner_cache.model_key(tensors, dataclasses.replace(spec, flip_tta=not spec.flip_tta), "int8", "1.0"),
        runner_cache.model_key(tensors, spec, "fp32", "1.0"),
        runner_cache.model_key(tensors, spec, "int8", "1.1"),
    }
    assert key not in others and len(others) == 4


def test_analyze_builds_a_cached_runner_sooner(cache: Path) -> None:
    classifier = EmotionClassifier.load()
    assert analyze.fast_runner_after_faces(classifier) == analyze.FAST_RUNNER_AFTER_FACES
    classifier.optimize()  # fills the cache
    assert analyze.fast_runner_after_faces(classifier) == analyze.FAST_RUNNER_AFTER_FACES_CACHED
    assert analyze.FAST_RUNNER_AFTER_FACES_CACHED < analyze.FAST_RUNNER_AFTER_FACES


def child_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob(build_process.FOLDER_PREFIX + "*"))


@pytest.fixture
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own: another process's build folder in the
    system's one (a second test run beside this one) is not taken for this test's."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.usefixtures("private_temp")
def test_a_child_process_builds_the_runner_and_fills_the_cache(cache: Path) -> None:
    before = child_folders()
    classifier = EmotionClassifier.load()
    runner = classifier.build_runner(in_child_process=True)
    assert runner.mode == "int8" and "built in a child process" in runner.note
    assert runner.recheck is not None
    faces = synthetic_calibration_faces(classifier.preprocessing.input_size, 64, seed=4)
    assert check_agreement(classifier.model, runner.forward, to_model_input(faces, classifier.preprocessing)) > 0.97
    assert runner_cache.has_entry_for_model(classifier.model.state_dict(), classifier.preprocessing)
    assert "cached" in classifier.build_runner(in_child_process=True).note
    assert child_folders() <= before, "the child's folder is removed"


def test_with_the_cache_off_a_child_process_still_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner_cache.ENVIRONMENT_VARIABLE, "")
    runner = EmotionClassifier.load().build_runner(in_child_process=True)
    assert runner.mode == "int8" and "built in a child process" in runner.note


def test_a_weights_file_changed_since_loading_is_built_here(
    tmp_path: Path, random_weights: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    weights = tmp_path / "model.safetensors"
    shutil.copyfile(DEFAULT_WEIGHTS_PATH, weights)
    classifier = EmotionClassifier.load(weights)
    shutil.copyfile(random_weights, weights)  # the child loads another model
    with caplog.at_level(logging.WARNING):
        runner = classifier.build_runner(in_child_process=True)
    assert runner.mode == "int8" and "child" not in runner.note and "cached" not in runner.note
    assert "building here" in caplog.text
    faces = synthetic_calibration_faces(classifier.preprocessing.input_size, 64, seed=4)
    assert check_agreement(classifier.model, runner.forward, to_model_input(faces, classifier.preprocessing)) > 0.97


def test_a_child_that_fails_says_why_in_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "build"
    folder.mkdir()
    with caplog.at_level(logging.WARNING):
        assert not build_process.build_in_child(tmp_path / "missing.safetensors", "auto", folder)
    [message] = [record.getMessage() for record in caplog.records]
    assert "build process failed (exit 1)" in message and "missing.safetensors" in message
    assert entries(folder) == []


def test_a_cancelled_child_is_stopped_before_it_writes(tmp_path: Path) -> None:
    folder = tmp_path / "build"
    folder.mkdir()
    cancelled = threading.Event()
    threading.Timer(0.3, cancelled.set).start()
    assert not build_process.build_in_child(DEFAULT_WEIGHTS_PATH, "auto", folder, cancelled)
    assert entries(folder) == []


def test_a_child_killed_mid_build_leaves_no_files_outside_its_folder(tmp_path: Path) -> None:
    # A killed child cannot clean up after itself: the quantiser's temporary graphs (12 MB
    # a build) must be in the folder its caller removes, not in the system's temp folder.
    folder = tmp_path / "build"
    folder.mkdir()
    system_temp = Path(tempfile.gettempdir())
    # Ours, and ONNX Runtime's quantiser's own (its calibration graph, 6 MB).
    prefixes = (runners.QUANTISER_FOLDER_PREFIX, "ort.quant.")

    def quantiser_folders() -> set[Path]:
        return {path for prefix in prefixes for path in system_temp.glob(prefix + "*")}

    before = quantiser_folders()
    cancelled = threading.Event()

    def cancel_while_quantising() -> None:
        # The child runs at a lower priority: on busy cores it may take minutes to get there.
        deadline = time.monotonic() + build_process.CHILD_TIMEOUT_S
        while not list(folder.rglob(runners.QUANTISER_FOLDER_PREFIX + "*")) and time.monotonic() < deadline:
            if finished.wait(0.005):
                return
        cancelled.set()

    finished = threading.Event()
    watcher = threading.Thread(target=cancel_while_quantising, daemon=True)
    watcher.start()
    built = build_process.build_in_child(DEFAULT_WEIGHTS_PATH, "int8", folder, cancelled)
    finished.set()
    watcher.join()
    assert not built, "stopped while the quantiser worked"
    [left] = list(folder.rglob(runners.QUANTISER_FOLDER_PREFIX + "*"))
    assert left.parent == folder / build_process.SCRATCH_FOLDER
    assert quantiser_folders() <= before


def test_a_child_that_hands_over_no_graphs_has_failed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "build"
    folder.mkdir()
    with caplog.at_level(logging.WARNING):
        assert not build_process.build_in_child(DEFAULT_WEIGHTS_PATH, "eager", folder)
    assert "build process failed (exit 1): eager" in caplog.text
