"""Training end to end on tiny synthetic data: 1 epoch, resume, export, evaluate, DDP.

(Over 400 lines once formatted: every test here drives the command-line front ends
over the same module-scoped synthetic data sets, which a split would build twice.)
"""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import cv2
import numpy as np
import pytest
import torch

from emotion_app import EmotionClassifier
from emotion_app.preprocessing import Preprocessing
from emotion_app.samples import astronaut_face_patch, make_random_weights
from tests.module_help import help_written_to
from tests.synthetic_fer import write_fer_csv, write_fer_folders
from training import calibrate_margin, evaluate, train, training_run
from training.augment import augment
from training.config import TrainConfig
from training.data import classes_for, load_split, stratified_split
from training.datasets import load_data
from training.loop import distillation_loss, steps_per_epoch, teacher_probabilities

REPO = Path(__file__).resolve().parent.parent
FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2"]


@pytest.fixture(scope="module")
def fer_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fer_csv(
        tmp_path_factory.mktemp("csv") / "fer2013.csv", {"Training": 12, "PublicTest": 4, "PrivateTest": 2}
    )


def test_one_epoch_run_exports_a_loadable_model(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, export = tmp_path / "run", tmp_path / "exported.safetensors"
    code = train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(out), "--export", str(export), *FAST])
    assert code == 0
    for name in ("config.json", "metrics.csv", "curves.png", "checkpoint.pt", "best.safetensors", "summary.json"):
        assert (out / name).is_file(), name
    classifier = EmotionClassifier.load(export)
    assert classifier.labels == ("angry", "fear", "happy", "sad", "surprise", "neutral")
    card = classifier.card.training
    assert card["split_sizes"] == {"train": 60, "validation": 12, "PublicTest": 24}
    assert card["epochs"] == 1 and "test_accuracy" in card and "validation_accuracy" in card
    assert card["command"].startswith("python -m training.train --data")
    # The exported model is the seed architecture exactly: BatchNorm was folded away.
    assert sum(p.numel() for p in classifier.model.parameters()) == 1_484_806
    # Normalisation was measured on the training split and recorded, not a constant.
    assert 0.3 < classifier.preprocessing.mean < 0.7 and classifier.preprocessing.std > 0.05
    probs = classifier.predict(np.zeros((2, 48, 48), np.uint8))
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-5)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert set(json.loads(last)) >= {"validation_accuracy", "test_accuracy", "private_test_accuracy"}


def test_training_learns_the_synthetic_classes(tmp_path: Path) -> None:
    data = write_fer_csv(tmp_path / "fer.csv", {"Training": 40, "PublicTest": 10}, seed=3)
    out = tmp_path / "run"
    assert train.main(["--data", str(data), "--epochs", "4", "--out", str(out), "--lr", "0.02", *FAST]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["test_accuracy"] > 0.5, summary  # chance is 1/6


def _state(path: Path) -> dict:
    return torch.load(path, weights_only=True)


def test_resume_continues_exactly_where_it_stopped(tmp_path: Path, fer_csv: Path) -> None:
    args = ["--data", str(fer_csv), "--epochs", "2", *FAST]
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert train.main([*args, "--out", str(straight)]) == 0
    # Stop mid-way through epoch 1 (4 batches per epoch here), as an interruption would.
    assert train.main([*args, "--out", str(resumed), "--stop-after-steps", "2"]) == 0
    partial = _state(resumed / "checkpoint.pt")
    assert (partial["epoch"], partial["step"]) == (0, 2)
    assert train.main(["--out", str(resumed), "--resume", "--no-progress", "--threads", "1"]) == 0
    a, b = _state(straight / "checkpoint.pt"), _state(resumed / "checkpoint.pt")
    assert b["epoch"] == 2
    for name, tensor in a["model"].items():
        torch.testing.assert_close(b["model"][name], tensor, rtol=0, atol=1e-6, msg=name)
    assert [row["val_accuracy"] for row in a["history"]] == [row["val_accuracy"] for row in b["history"]]
    # The resumed epoch's train loss covers its steps before the stop too.
    assert [row["train_loss"] for row in a["history"]] == [row["train_loss"] for row in b["history"]]
    # The exported card keeps the command that started the run, and lists the resume.
    card = EmotionClassifier.load(resumed / "best.safetensors").card.training
    assert card["command"].endswith("--stop-after-steps 2") and "--data" in card["command"]
    assert len(card["resume_commands"]) == 1 and "--resume" in card["resume_commands"][0]


@pytest.mark.parametrize("signalled_call, stopped_at", [(3, (0, 2)), (5, (1, 0))], ids=["mid-epoch", "last step"])
def test_a_signal_mid_step_waits_for_the_step_and_resumes_exactly(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, signalled_call: int, stopped_at: tuple[int, int]
) -> None:
    # The signal arrives after a step's weight update (in its schedule step): cut short
    # there, the resume would update the weights with that batch twice. In an epoch's last
    # step (4 steps an epoch here) it stops at the epoch's end, not never.
    args = ["--data", str(fer_csv), "--epochs", "2", *FAST]
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert train.main([*args, "--out", str(straight)]) == 0
    schedule_step = torch.optim.lr_scheduler.OneCycleLR.step
    calls = []

    def signalled_step(self: torch.optim.lr_scheduler.OneCycleLR, *step_args: Any, **step_kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == signalled_call:  # its first call is in its constructor
            os.kill(os.getpid(), signal.SIGTERM)
        return schedule_step(self, *step_args, **step_kwargs)

    monkeypatch.setattr(torch.optim.lr_scheduler.OneCycleLR, "step", signalled_step)
    assert train.main([*args, "--out", str(stopped)]) == 130
    monkeypatch.undo()
    assert (_state(stopped / "checkpoint.pt")["epoch"], _state(stopped / "checkpoint.pt")["step"]) == stopped_at
    assert train.main(["--out", str(stopped), "--resume", "--no-progress", "--threads", "1"]) == 0
    a, b = _state(straight / "checkpoint.pt"), _state(stopped / "checkpoint.pt")
    for name, tensor in a["model"].items():
        torch.testing.assert_close(b["model"][name], tensor, rtol=0, atol=1e-6, msg=name)
    assert a["history"][0]["train_loss"] == b["history"][0]["train_loss"]
    # The handlers the run replaced are back.
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.parametrize(
    "where, stopped_at",
    [("update", (0, 2)), ("augmentation", (0, 1))],
    ids=["twice in the update", "twice before the update"],
)
def test_a_second_signal_never_saves_half_a_step(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, where: str, stopped_at: tuple[int, int]
) -> None:
    # Two signals in the second step: in its update (after the weights moved, in the
    # schedule step) the step finishes; before the update began (augmenting its batch) the
    # run stops at once, at the step's start. Either way the resume matches a straight run.
    args = ["--data", str(fer_csv), "--epochs", "1", *FAST]
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert train.main([*args, "--out", str(straight)]) == 0
    calls = []

    def signalled(real: Callable[..., object], *call_args: Any, **call_kwargs: Any) -> object:
        calls.append(1)
        # The schedule's first call is in its constructor; augmentation has none.
        if len(calls) == (3 if where == "update" else 2):
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
        return real(*call_args, **call_kwargs)

    if where == "update":
        schedule_step = torch.optim.lr_scheduler.OneCycleLR.step
        monkeypatch.setattr(
            torch.optim.lr_scheduler.OneCycleLR, "step", lambda self, *a, **k: signalled(schedule_step, self, *a, **k)
        )
    else:
        from training import loop

        monkeypatch.setattr(loop, "augment", lambda *a, **k: signalled(augment, *a, **k))
    assert train.main([*args, "--out", str(stopped)]) == 130
    monkeypatch.undo()
    state = _state(stopped / "checkpoint.pt")
    assert (state["epoch"], state["step"]) == stopped_at
    assert train.main(["--out", str(stopped), "--resume", "--no-progress", "--threads", "1"]) == 0
    a, b = _state(straight / "checkpoint.pt"), _state(stopped / "checkpoint.pt")
    for name, tensor in a["model"].items():
        torch.testing.assert_close(b["model"][name], tensor, rtol=0, atol=1e-6, msg=name)
    assert a["history"][0]["train_loss"] == b["history"][0]["train_loss"]


def test_resume_without_checkpoint_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert train.main(["--data", "x.csv", "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_bad_data_exits_2_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("emotion,pixels,Usage\n3,1 2 3,Training\n")
    assert train.main(["--data", str(bad), "--epochs", "1", "--out", str(tmp_path / "r"), *FAST]) == 2
    assert "bad.csv, line 2: 3 pixels" in capsys.readouterr().err


def test_folder_data_and_evaluate_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=10, test_per_class=3)
    export = tmp_path / "w.safetensors"
    assert (
        train.main(
            ["--data", str(root), "--epochs", "1", "--out", str(tmp_path / "run"), "--export", str(export), *FAST]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        evaluate.main(
            [
                "--weights",
                str(export),
                "--data",
                str(root),
                "--split",
                "PublicTest",
                "--out",
                str(tmp_path / "eval"),
                "--tta",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["n"] == 18 and summary["excluded"] == {"disgust": 3}
    assert 0.0 <= summary["accuracy"] <= 1.0 and 0.0 <= summary["macro_f1"] <= 1.0
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    matrix = np.array(report["confusion_matrix"])
    assert matrix.shape == (6, 6) and matrix.sum() == 18 and matrix.sum(axis=1).tolist() == [3] * 6
    assert np.isclose(report["accuracy"], np.trace(matrix) / 18)
    assert (tmp_path / "eval" / "confusion_matrix.png").stat().st_size > 1000


def test_evaluate_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(["--weights", str(tmp_path / "missing.safetensors"), "--data", str(tmp_path)]) == 2
    assert "missing.safetensors" in capsys.readouterr().err


def test_a_run_refuses_a_folder_without_the_train_and_test_layout(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ROOT/train given for ROOT was taken whole for every split: the run held out and
    # reported as "PublicTest" the faces it trained on (ROOT/test: it trained on the test set).
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=4, test_per_class=2)
    (tmp_path / "kaggle").mkdir()
    (tmp_path / "kaggle" / "fer2013.csv").write_bytes(fer_csv.read_bytes())
    for given, hint in (
        (root / "train", f"give the folder that holds it, {root}"),
        (root / "test", f"give the folder that holds it, {root}"),
        (tmp_path / "kaggle", f"give the file itself, {tmp_path / 'kaggle' / 'fer2013.csv'}"),
    ):
        out = tmp_path / "run"
        assert train.main(["--data", str(given), "--epochs", "1", "--out", str(out), *FAST]) == 2
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert line.startswith(f"error: {given} has no train/ or test/ folder") and hint in line, line
        assert not out.exists()
    weights = make_random_weights(tmp_path / "w.safetensors")
    assert calibrate_margin.main(["--weights", str(weights), "--data", str(root / "test"), "--limit", "2"]) == 2
    assert "give the folder that holds it" in capsys.readouterr().err
    # The layout's root, and the folder the archive unpacks into, train as before.
    assert train.main(["--data", str(tmp_path), "--epochs", "1", "--out", str(tmp_path / "run"), *FAST]) == 0


def test_a_refused_evaluate_leaves_no_empty_out_folder(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = make_random_weights(tmp_path / "w.safetensors")
    out = tmp_path / "evals" / "first"
    assert evaluate.main(["--weights", str(weights), "--data", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "missing" in capsys.readouterr().err
    assert not (tmp_path / "evals").exists()
    (tmp_path / "evals").mkdir()  # a folder that was there stays
    assert (
        evaluate.main(["--weights", str(tmp_path / "no.safetensors"), "--data", str(fer_csv), "--out", str(out)]) == 2
    )
    assert (tmp_path / "evals").is_dir() and not out.exists()


def run_ddp(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """python -m training.train under torchrun with two CPU processes."""
    # torchrun keeps a log folder per run in the temp folder and never removes it.
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    result = subprocess.run(
        [*command, "-m", "training.train", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def test_ddp_with_two_cpu_processes(tmp_path: Path, fer_csv: Path) -> None:
    out = tmp_path / "ddp"
    result = run_ddp(tmp_path, "--data", str(fer_csv), "--epochs", "1", "--out", str(out), *FAST)
    assert "world 2" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["world_size"] == 2
    EmotionClassifier.load(out / "best.safetensors")


def test_a_ddp_run_stopped_mid_epoch_resumes_to_the_same_weights_and_loss(tmp_path: Path, fer_csv: Path) -> None:
    # The stop checkpoint holds the sums of both processes' steps, and only the main
    # process carries them on: the epoch's train loss is the straight run's.
    args = ["--data", str(fer_csv), "--epochs", "1", *FAST]
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    run_ddp(tmp_path, *args, "--out", str(straight))
    run_ddp(tmp_path, *args, "--out", str(stopped), "--stop-after-steps", "1")
    assert _state(stopped / "checkpoint.pt")["step"] == 1
    run_ddp(tmp_path, "--out", str(stopped), "--resume", "--no-progress", "--threads", "1")
    a, b = _state(straight / "checkpoint.pt"), _state(stopped / "checkpoint.pt")
    for name, tensor in a["model"].items():
        torch.testing.assert_close(b["model"][name], tensor, rtol=0, atol=1e-6, msg=name)
    assert a["history"][0]["train_loss"] == pytest.approx(b["history"][0]["train_loss"], abs=1e-5)


def test_ctrl_c_saves_a_resumable_checkpoint(tmp_path: Path, fer_csv: Path) -> None:
    out = tmp_path / "interrupted"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "training.train",
        "--data",
        str(fer_csv),
        "--epochs",
        "500",
        "--out",
        str(out),
        *FAST,
    ]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while not (out / "checkpoint.pt").exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 130, output
    assert "--resume" in output
    state = _state(out / "checkpoint.pt")
    assert 1 <= state["epoch"] < 500


def test_a_stop_between_epochs_saves_the_finished_epoch(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ctrl-C while the epoch's curves are written (a fresh install's first plotting import
    # is slow enough to be hit) stops cleanly: code 130 and a checkpoint to resume from.
    def interrupted(*_args: object, **_kwargs: object) -> NoReturn:
        raise KeyboardInterrupt("signal 2")

    monkeypatch.setattr(training_run, "write_metrics", interrupted)
    out = tmp_path / "stopped"
    assert train.main(["--data", str(fer_csv), "--epochs", "5", "--out", str(out), *FAST]) == 130
    assert "--resume" in capsys.readouterr().out
    assert _state(out / "checkpoint.pt")["epoch"] == 1


def test_a_stop_before_the_first_checkpoint_does_not_advise_a_resume(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ctrl-C while the data loads (many seconds on the real FER-2013): --resume would find
    # no checkpoint, or after --overwrite continue the earlier run instead of the new one.
    out = tmp_path / "deep" / "run"
    assert train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(tmp_path / "done"), *FAST]) == 0
    capsys.readouterr()

    def interrupted(*_args: object, **_kwargs: object) -> NoReturn:
        raise KeyboardInterrupt("signal 2")

    with monkeypatch.context() as patch:
        patch.setattr(training_run, "load_data", interrupted)
        assert train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(out), *FAST]) == 130
        fresh = capsys.readouterr().out
        assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "done"), "--overwrite", *FAST]) == 130
        overwritten = capsys.readouterr().out
    for said in (fresh, overwritten):
        assert "--resume" not in said and "nothing to resume: run the same command again" in said, said
    assert not (tmp_path / "deep").exists()  # the folders it made for --out are gone again
    # A resume stopped the same way is told to resume: its checkpoint is the run's own.
    with monkeypatch.context() as patch:
        patch.setattr(training_run, "load_data", interrupted)
        assert train.main(["--out", str(tmp_path / "done"), "--resume", *FAST]) == 130
    assert "--resume" in capsys.readouterr().out


@pytest.mark.parametrize("stop", ["ctrl-c while loading", "sigterm in a step", "no checkpoint"])
def test_a_stopped_resume_leaves_no_empty_export_folder_it_made(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stop: str
) -> None:
    # A resume given an --export in a new folder made it at its start (to check it is
    # writable), and a stop left it there empty, as a resume finding no checkpoint did
    # with it and --out; every other tool removes the empty folders it made.
    run = tmp_path / "run"
    if stop != "no checkpoint":
        args = ["--data", str(fer_csv), "--epochs", "1", "--out", str(run), "--stop-after-steps", "1", *FAST]
        assert train.main(args) == 0
        capsys.readouterr()

    def interrupted(*_args: object, **_kwargs: object) -> NoReturn:
        raise KeyboardInterrupt("signal 2")

    schedule_step = torch.optim.lr_scheduler.OneCycleLR.step
    calls = []

    def signalled_step(self: torch.optim.lr_scheduler.OneCycleLR, *step_args: Any, **step_kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:  # a real signal in the first step's update (the first call: the constructor's)
            os.kill(os.getpid(), signal.SIGTERM)
        return schedule_step(self, *step_args, **step_kwargs)

    if stop == "ctrl-c while loading":
        monkeypatch.setattr(training_run, "load_data", interrupted)
    elif stop == "sigterm in a step":
        monkeypatch.setattr(torch.optim.lr_scheduler.OneCycleLR, "step", signalled_step)
    export = tmp_path / "models" / "deeper" / "resumed.safetensors"
    code = train.main(["--out", str(run), "--resume", "--export", str(export), *FAST])
    monkeypatch.undo()
    assert code == (2 if stop == "no checkpoint" else 130)
    said = capsys.readouterr()
    assert "--resume" in (said.err if stop == "no checkpoint" else said.out)
    assert not (tmp_path / "models").exists()
    assert (run / "checkpoint.pt").is_file() != (stop == "no checkpoint")  # what can be resumed stays
    assert run.exists() != (stop == "no checkpoint")


def test_a_stop_as_the_first_epoch_begins_leaves_a_run_that_can_start_again(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ctrl-C after config.json is written but before the first step (a fresh install's
    # first import of the progress bar): "run the same command again" was then refused, as
    # --out held a run (config.json).
    args = ["--data", str(fer_csv), "--epochs", "1", "--out", str(tmp_path / "run"), *FAST]

    def interrupted(*_args: object, **_kwargs: object) -> NoReturn:
        raise KeyboardInterrupt("signal 2")

    with monkeypatch.context() as patch:
        patch.setattr(training_run, "train_one_epoch", interrupted)
        assert train.main(args) == 130
    assert "run the same command again" in capsys.readouterr().out
    assert not (tmp_path / "run").exists()
    assert train.main(args) == 0


def test_init_from_starts_with_the_earlier_runs_best_model(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first"
    assert train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(first), *FAST]) == 0
    best = _state(first / "checkpoint.pt")["best_state"]
    second = tmp_path / "second"
    # One step at learning rate 0: the weights stay exactly the ones loaded.
    assert (
        train.main(
            [
                "--data",
                str(fer_csv),
                "--epochs",
                "1",
                "--out",
                str(second),
                "--lr",
                "0",
                "--init-from",
                str(first / "checkpoint.pt"),
                "--stop-after-steps",
                "1",
                *FAST,
            ]
        )
        == 0
    )
    assert "initialised from the best model" in capsys.readouterr().out
    started = _state(second / "checkpoint.pt")["model"]
    for name, tensor in best.items():
        if "running" not in name and "num_batches" not in name:  # BatchNorm statistics move in train mode
            assert torch.equal(started[name], tensor), name


def test_the_validation_split_depends_on_split_seed_not_on_seed(fer_csv: Path) -> None:
    config = TrainConfig(data=str(fer_csv), val_fraction=0.2, test_split="")

    def held_out(config: TrainConfig) -> torch.Tensor:
        return load_data(config).val_images

    reference = held_out(config)
    # Differently seeded runs hold out the same faces.
    assert torch.equal(held_out(dataclasses.replace(config, seed=7)), reference)
    assert not torch.equal(held_out(dataclasses.replace(config, split_seed=7)), reference)


def test_a_checkpoint_from_before_split_seed_resumes_with_the_split_it_had(tmp_path: Path, fer_csv: Path) -> None:
    out = tmp_path / "old"
    assert (
        train.main(
            [
                "--data",
                str(fer_csv),
                "--epochs",
                "1",
                "--seed",
                "3",
                "--split-seed",
                "3",
                "--out",
                str(out),
                "--stop-after-steps",
                "1",
                *FAST,
            ]
        )
        == 0
    )
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    del state["config"]["split_seed"]  # as written before the option existed: the split followed --seed
    torch.save(state, out / "checkpoint.pt")
    assert train.main(["--out", str(out), "--resume", *FAST]) == 0
    assert json.loads((out / "config.json").read_text())["split_seed"] == 3


def test_a_fine_tune_must_hold_out_the_same_faces_as_its_source(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first"
    assert train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(first), *FAST]) == 0
    code = train.main(
        [
            "--data",
            str(fer_csv),
            "--epochs",
            "1",
            "--out",
            str(tmp_path / "second"),
            "--split-seed",
            "3",
            "--init-from",
            str(first / "checkpoint.pt"),
            *FAST,
        ]
    )
    assert code == 2
    said = "held out another validation split: its run had --split-seed 0, this one --split-seed 3; give the same"
    assert said in capsys.readouterr().err
    assert not (tmp_path / "second" / "checkpoint.pt").exists()


def test_a_fine_tunes_weights_file_names_the_runs_it_started_from(tmp_path: Path, fer_csv: Path) -> None:
    first, second, third = tmp_path / "first", tmp_path / "second", tmp_path / "third"
    assert train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(first), *FAST]) == 0
    # The fine-tune is interrupted and resumed: the record of its starting point survives.
    tune = ["--epochs", "1", "--out", str(second), "--init-from", str(first / "checkpoint.pt"), *FAST]
    assert train.main(["--data", str(fer_csv), *tune, "--stop-after-steps", "2"]) == 0
    assert train.main(["--out", str(second), "--resume", *FAST]) == 0
    assert (
        train.main(
            [
                "--data",
                str(fer_csv),
                "--epochs",
                "1",
                "--out",
                str(third),
                "--init-from",
                str(second / "checkpoint.pt"),
                *FAST,
            ]
        )
        == 0
    )
    base = json.loads((first / "summary.json").read_text())
    card = EmotionClassifier.load(third / "best.safetensors").card.training
    middle = card["initialised_from"]
    assert middle["checkpoint"] == str(second / "checkpoint.pt") and middle["resume_commands"]
    assert "--init-from" in middle["command"] and middle["epochs"] == 1
    origin = middle["initialised_from"]
    assert origin["command"] == base["command"] and origin["initialised_from"] is None
    chain = card["training_seconds"] + middle["training_seconds"] + origin["training_seconds"]
    assert card["total_training_seconds"] == pytest.approx(chain, abs=0.2)
    # The checkpoint's clock stops before the final evaluation that the summary also counts.
    assert 0 < origin["training_seconds"] <= base["training_seconds"]


def test_weight_averaging_averages_the_last_epochs_and_resumes_exactly(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data", str(fer_csv), "--epochs", "3", "--swa-epochs", "2", "--swa-lr", "0.01", *FAST]
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert train.main([*args, "--out", str(straight)]) == 0
    summary = json.loads((straight / "summary.json").read_text())
    assert "swa_validation_accuracy" in summary and summary["selected"]
    assert summary["validation_accuracy"] == max(
        summary["swa_validation_accuracy"], summary["best_epoch_validation_accuracy"]
    )
    # The averaging epochs ran at the constant rate.
    rows = (straight / "metrics.csv").read_text().splitlines()[1:]
    assert [float(row.split(",")[5]) for row in rows[1:]] == [0.01, 0.01]
    final = _state(straight / "checkpoint.pt")
    assert int(final["averaged"]["n_averaged"]) == 2

    # Stop at the end of epoch 2 (one epoch into the averaging), then resume.
    steps = steps_per_epoch(summary["split_sizes"]["train"], 16, 1)
    assert train.main([*args, "--out", str(stopped), "--stop-after-steps", str(2 * steps)]) == 0
    after_epoch_2 = _state(stopped / "checkpoint.pt")
    assert after_epoch_2["epoch"] == 2 and int(after_epoch_2["averaged"]["n_averaged"]) == 1
    # The average is the mean of the weights after epochs 2 and 3.
    for name, tensor in final["model"].items():
        if "running" in name or "num_batches" in name:
            continue
        expected = (after_epoch_2["model"][name] + tensor) / 2
        torch.testing.assert_close(final["averaged"]["module." + name], expected, rtol=0, atol=1e-6, msg=name)
    assert train.main(["--out", str(stopped), "--resume", "--no-progress", "--threads", "1"]) == 0
    resumed = _state(stopped / "checkpoint.pt")
    for name, tensor in final["averaged"].items():
        torch.testing.assert_close(resumed["averaged"][name], tensor, rtol=0, atol=1e-6, msg=name)
    classifier = EmotionClassifier.load(stopped / "best.safetensors")
    assert sum(p.numel() for p in classifier.model.parameters()) == 1_484_806


def test_swa_epochs_beyond_the_run_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        train.parse_args(["--data", "x", "--epochs", "2", "--swa-epochs", "3"])
    assert "--swa-epochs" in capsys.readouterr().err


def test_distillation_uses_the_teachers_predictions_as_soft_targets(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teacher_run = tmp_path / "teacher"
    assert train.main(["--data", str(fer_csv), "--epochs", "1", "--out", str(teacher_run), *FAST]) == 0
    teacher = teacher_run / "best.safetensors"
    config = train.parse_args(
        [
            "--data",
            str(fer_csv),
            "--distill-from",
            str(teacher),
            "--distill-weight",
            "1.0",
            "--label-smoothing",
            "0",
            *FAST,
        ]
    )
    data = load_data(config)
    soft = teacher_probabilities(str(teacher), data, torch.device("cpu"))
    assert soft.shape == (len(data.train_labels), 6)
    torch.testing.assert_close(soft.sum(1), torch.ones(len(soft)))
    # With weight 1 the loss is the cross-entropy against the teacher alone: minimal when
    # the student predicts exactly the teacher's distribution.
    logits = torch.log(soft[:5])
    targets = data.train_labels[:5]
    matched = distillation_loss(logits, targets, soft[:5], config, None)
    shifted = distillation_loss(logits + torch.randn_like(logits), targets, soft[:5], config, None)
    assert matched < shifted
    # A full run with a teacher trains, exports, and says what it distilled from.
    student = tmp_path / "student"
    capsys.readouterr()
    assert (
        train.main(
            ["--data", str(fer_csv), "--epochs", "1", "--out", str(student), "--distill-from", str(teacher), *FAST]
        )
        == 0
    )
    assert "distilling from" in capsys.readouterr().out
    EmotionClassifier.load(student / "best.safetensors")


def test_distillation_from_a_missing_or_mismatched_teacher_fails_clearly(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        train.main(
            [
                "--data",
                str(fer_csv),
                "--epochs",
                "1",
                "--out",
                str(tmp_path / "a"),
                "--distill-from",
                str(tmp_path / "nope.safetensors"),
                *FAST,
            ]
        )
        == 2
    )
    assert "nope.safetensors" in capsys.readouterr().err
    seven = tmp_path / "seven"
    assert train.main(["--data", str(fer_csv), "--epochs", "1", "--classes", "7", "--out", str(seven), *FAST]) == 0
    assert (
        train.main(
            [
                "--data",
                str(fer_csv),
                "--epochs",
                "1",
                "--out",
                str(tmp_path / "b"),
                "--distill-from",
                str(seven / "best.safetensors"),
                *FAST,
            ]
        )
        == 2
    )
    assert "disgust" in capsys.readouterr().err


def test_calibrate_margin_scores_the_faces_the_model_was_selected_on(fer_csv: Path) -> None:
    # A fine-tune seeded 2 holds out the faces of split seed 0, like every run it is compared with.
    config = TrainConfig(data=str(fer_csv), seed=2, split_seed=0, val_fraction=0.2, test_split="")
    held_out = load_data(config).val_images.numpy()
    training = load_split(str(fer_csv), "Training", classes_for(6))
    card_training = {"config": dataclasses.asdict(config)}
    images, _ = calibrate_margin.validation_faces(card_training, training, limit=10_000)
    np.testing.assert_array_equal(images, held_out)
    by_seed = training.images[stratified_split(training.labels, 0.2, 2)[1]]
    assert not np.array_equal(by_seed, held_out), "the seed alone would pick other faces: the test could not tell"
    # A card written before --split-seed existed: its run split with its seed.
    old_card = {"config": {k: v for k, v in card_training["config"].items() if k != "split_seed"}}
    images, _ = calibrate_margin.validation_faces(old_card, training, limit=10_000)
    np.testing.assert_array_equal(images, by_seed)


def _astronaut_fer_csv(path: Path, per_class: int) -> Path:
    """A fer2013.csv of ``per_class`` Training rows of each emotion, each the astronaut's face
    cut as FER-2013 cuts its faces (48x48): faces the Haar detector finds, which
    calibrate_margin needs (the synthetic faces hold none)."""
    patch, (x, y, w, h) = astronaut_face_patch(40)
    centre_x, centre_y = x + w // 2, y + h // 2
    face = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)[centre_y - 24 : centre_y + 24, centre_x - 24 : centre_x + 24]
    assert face.shape == (48, 48)
    pixels = " ".join(str(int(v)) for v in face.ravel())
    with open(path, "w", newline="") as handle:
        handle.write("emotion,pixels,Usage\n")
        for code in range(7):
            handle.write(f"{code},{pixels},Training\n" * per_class)
    return path


def test_calibrate_margin_writes_no_margin_chosen_from_too_few_faces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: --write stored the margin chosen from a single face found (each margin's accuracy
    # 0 or 1, the first of a tie called best), replacing the card's.
    data = _astronaut_fer_csv(tmp_path / "fer2013.csv", per_class=170)  # a validation split of 102 faces
    weights = make_random_weights(tmp_path / "w.safetensors")
    before = weights.read_bytes()
    given = ["--weights", str(weights), "--data", str(data)]
    assert calibrate_margin.main([*given, "--limit", "1", "--write"]) == 2
    printed = capsys.readouterr()
    assert "Haar found a face in 1 " in printed.out and "on Haar crops" not in printed.out, "refused before the margins"
    assert printed.err == (
        "error: --write: Haar found a face in only 1 of 1 validation face, too few to choose a margin from (at "
        f"least {calibrate_margin.MIN_FACES_TO_WRITE}; a larger --limit gives more); nothing written\n"
    )
    assert weights.read_bytes() == before
    # Without --write the report is still made, and says why it would not be written.
    assert calibrate_margin.main([*given, "--limit", "1"]) == 0
    assert "too few to choose a margin from" in capsys.readouterr().out
    # Enough faces found: written as before.
    assert calibrate_margin.main([*given, "--write"]) == 0
    written = EmotionClassifier.load(weights).card.training["crop_margin_calibration"]["validation_faces"]
    assert written == 102 >= calibrate_margin.MIN_FACES_TO_WRITE


@pytest.mark.parametrize(
    ("tool", "said"),
    [
        ("calibrate_margin", ["default 0,0.05,0.1,0.15,0.2,0.25,0.3", "default 1500"]),
        ("calibrate_live", ["default -0.1,-0.05,0.0,0.05,0.1,0.15,0.2", "default 3000"]),
    ],
)
def test_the_calibration_tools_help_says_their_defaults(
    tool: str, said: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # A user choosing --limit or --margins must know what a run without them uses.
    from training import calibrate_live

    main = {"calibrate_margin": calibrate_margin.main, "calibrate_live": calibrate_live.main}[tool]
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in said:
        assert words in text


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--epochs", "-1"], "--epochs must be at least 1, got -1"),
        (["--epochs", "2", "--swa-epochs", "3"], "--swa-epochs must be between 0 and --epochs (2), got 3"),
    ],
)
def test_an_epoch_count_out_of_range_is_named(given: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    # "--epochs -1" was refused as "--swa-epochs must be between 0 and --epochs": an option
    # the user never gave, and neither value.
    with pytest.raises(SystemExit) as stop:
        train.main(["--data", "fer.csv", *given])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"python -m training.train: error: {said}"


def test_evaluate_help_offers_only_label_sets_one_can_type(capsys: pytest.CaptureFixture[str]) -> None:
    # It listed {,fer2013,ferplus}: the empty default (chosen by --votes) as a choice.
    with pytest.raises(SystemExit):
        evaluate.main(["--help"])
    assert "--labels {fer2013,ferplus}" in capsys.readouterr().out


# A child that runs a front end as `python -m` does, then says whether torch was loaded.
_LOADED_AFTER = """
import runpy, sys
name, sys.argv = sys.argv[1], ["-m", *sys.argv[2:]]
try:
    runpy.run_module(name, run_name="__main__", alter_sys=True)
except SystemExit as stop:
    print("exit", stop.code)
print("torch loaded:", "torch" in sys.modules, "matplotlib loaded:", "matplotlib" in sys.modules)
"""


# Each front end: a word of its --help, a bad command line and a word of its error.
FRONT_ENDS = {
    "training.train": ("--resume", ["--data", "fer.csv", "--epochs", "0"], "--epochs must be at least 1"),
    "training.soup": ("--export", ["--data", "fer.csv", "a.pt"], "at least two checkpoints"),
    "training.evaluate": (
        "--votes",
        ["--weights", "w.safetensors", "--data", "fer.csv", "--labels", "ferplus"],
        "needs --votes",
    ),
    "training.calibrate_margin": ("--margins", ["--data", "fer.csv", "--limit", "0"], "--limit must be at least 1"),
    "training.calibrate_live": ("--clips", ["--clips", "clips", "--margins", "5"], "each margin must be in"),
    "training.calibrate_contrast": ("--write", [], "--data"),
    "training.train_verifier": ("--keep", ["--data", "fer.csv", "--export", "v.pt"], "must name a .safetensors file"),
    "training.evaluate_verifier": ("--usage", ["--data", "fer.csv", "--usage", "Nope"], "invalid choice"),
}


@pytest.mark.parametrize("asked", ["--help", "a bad argument"])
@pytest.mark.parametrize("module", FRONT_ENDS)
def test_help_and_argument_errors_answer_before_torch_loads(module: str, asked: str) -> None:
    # Torch loaded before argparse, so a front end's --help or a mistyped setting took
    # seconds to answer.
    helped, bad, error = FRONT_ENDS[module]
    args, said = (["--help"], helped) if asked == "--help" else (bad, error)
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_AFTER, module, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    lines = done.stdout.strip().splitlines()
    assert said in done.stdout + done.stderr, done.stderr
    assert lines[-2] == ("exit 0" if args == ["--help"] else "exit 2"), done.stderr
    assert lines[-1] == "torch loaded: False matplotlib loaded: False"


def test_a_front_ends_help_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    # argparse ignores a failed write of its help and exits 0: a script saving `--help`
    # onto a full disk took it for written.
    answers = help_written_to(Path("/dev/full"), sorted(FRONT_ENDS), tmp_path)
    assert sorted(answers) == sorted(FRONT_ENDS)
    for module, (code, err) in answers.items():
        assert (code, err) == (
            2,
            "error: the help could not be printed to standard output (No space left on device)\n",
        ), module


# A child that sends itself SIGINT the moment torch.distributed is half imported (in
# sys.modules, without is_initialized yet), then runs a front end as `python -m` does.
_SIGNALLED_WHILE_TORCH_LOADS = """
import os, runpy, signal, sys

class SignalMidImport:
    sent = False

    def find_spec(self, name, path=None, target=None):
        half = sys.modules.get("torch.distributed")
        if not self.sent and half is not None and not hasattr(half, "is_initialized"):
            self.sent = True
            print("signalled while importing", name, flush=True)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, SignalMidImport())
name, sys.argv = sys.argv[1], ["-m", *sys.argv[2:]]
try:
    runpy.run_module(name, run_name="__main__", alter_sys=True)
except SystemExit as stop:
    print("exit", stop.code)
"""


@pytest.mark.parametrize(
    ("module", "resume"),
    [
        ("training.train", False),
        ("training.train", True),
        ("training.soup", False),
        ("training.evaluate_verifier", False),
    ],
)
def test_a_ctrl_c_while_torch_loads_ends_in_one_line(tmp_path: Path, module: str, resume: bool) -> None:
    # The tools load torch after their arguments are checked: a Ctrl-C while
    # torch.distributed was half imported made the others' signal handler ask it
    # is_initialized (an AttributeError traceback), and train had no handler yet (a
    # KeyboardInterrupt traceback), instead of their one line and exit code 130.
    run = tmp_path / "runs" / "run"
    args = {
        "training.train": ["--out", str(run), *(["--resume"] if resume else ["--data", "fer.csv"])],
        "training.soup": ["--data", "fer.csv", "a.pt", "b.pt"],
        "training.evaluate_verifier": ["--data", "fer.csv"],
    }[module]
    done = subprocess.run(
        [sys.executable, "-c", _SIGNALLED_WHILE_TORCH_LOADS, module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("signalled while importing torch.distributed"), done.stdout + done.stderr
    assert lines[-1] == "exit 130", done.stderr
    if module != "training.train":
        assert done.stderr.strip() == "interrupted"
        return
    assert done.stderr == ""
    said = f"resume from the last checkpoint with: python -m training.train --out {run} --resume"
    assert lines[-2] == (
        f"interrupted; {said}"
        if resume
        else "interrupted before this run saved a checkpoint; nothing to resume: run the same command again"
    )
    assert not (tmp_path / "runs").exists()


NOT_USED = "note: --resume continues with the run's own settings; not used:"


def test_a_resume_names_the_settings_its_run_overrides(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert (
        train.main(["--data", str(fer_csv), "--epochs", "2", "--out", str(out), "--stop-after-steps", "1", *FAST]) == 0
    )
    capsys.readouterr()
    given = ["--epochs", "3", "--lr", "0.2", "--seed", "5", "--batch-size", "8", "--no-augment", "--init-from", "x.pt"]
    same = ["--val-fraction", "0.2", "--split-seed", "0"]  # the run's own: not named
    control = ["--threads", "1", "--device", "cpu", "--no-progress", "--stop-after-steps", "1"]
    assert train.main(["--out", str(out), "--resume", *given, *same, *control]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: --resume")]
    assert len(notes) == 1, notes
    for typed in (
        "--epochs 3 (the run's: 2)",
        "--lr 0.2 (the run's: 0.05)",
        "--seed 5 (the run's: 0)",
        "--batch-size 8",
    ):
        assert typed in notes[0]
    assert (
        "--no-augment (the run's: on)" in notes[0]
        and f"--init-from {os.path.abspath('x.pt')} (the run's: not set)" in notes[0]
    )
    assert "--val-fraction" not in notes[0] and "--split-seed" not in notes[0] and "--out" not in notes[0]
    assert "--device" not in notes[0], "the machine's device is taken from the command line"
    assert _state(out / "checkpoint.pt")["config"]["epochs"] == 2  # the run's settings were used


def test_a_resume_of_a_run_that_recorded_paths_as_typed_names_only_other_files(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Runs from before paths were recorded absolute hold them as typed: resumed with the same
    # --init-from x.pt, the note said "not used: --init-from /abs/x.pt (the run's: x.pt)".
    out = tmp_path / "run"
    assert (
        train.main(["--data", str(fer_csv), "--epochs", "2", "--out", str(out), "--stop-after-steps", "1", *FAST]) == 0
    )
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    state["config"]["init_from"] = "x.pt"  # as an older run recorded it
    torch.save(state, out / "checkpoint.pt")
    monkeypatch.chdir(tmp_path)  # the folder it was started in, as the README asks
    capsys.readouterr()
    for given, told in (("x.pt", False), (str(tmp_path / "x.pt"), False), ("y.pt", True)):
        resume = ["--out", str(out), "--resume", "--init-from", given, "--stop-after-steps", "1", *FAST]
        assert train.main(resume) == 0
        notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: --resume")]
        expected = [f"{NOT_USED} --init-from {tmp_path / 'y.pt'} (the run's: x.pt)"] if told else []
        assert notes == expected, (given, notes)


def test_a_resume_from_another_folder_reads_and_writes_the_runs_own_files(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Relative paths were recorded as typed: resumed from elsewhere, the run looked for its
    # data there ("data not found"), and would have exported into a weights/ made there.
    started, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    (started / "data").mkdir(parents=True)
    elsewhere.mkdir()
    (started / "data" / "fer2013.csv").write_bytes(fer_csv.read_bytes())
    monkeypatch.chdir(started)
    export = Path("weights", "model.safetensors")
    args = ["--data", "data/fer2013.csv", "--epochs", "1", "--export", str(export), "--stop-after-steps", "1"]
    assert train.main([*args, "--out", str(tmp_path / "run"), *FAST]) == 0
    monkeypatch.chdir(elsewhere)
    assert train.main(["--out", str(tmp_path / "run"), "--resume", "--threads", "1", "--no-progress"]) == 0
    assert f"wrote {started / export}" in capsys.readouterr().out
    assert (started / export).is_file() and list(elsewhere.iterdir()) == []


def test_resume_and_overwrite_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--out", str(tmp_path / "run"), "--resume", "--overwrite"])
    assert exit_info.value.code == 2
    assert "--overwrite" in capsys.readouterr().err.strip().splitlines()[-1]


def test_evaluate_names_the_zoomed_views_of_a_card_without_flip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before, "single view" for a card whose zoomed view was averaged all the same.
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=2, test_per_class=1)
    zoomed = make_random_weights(tmp_path / "zoom.safetensors", preprocessing=Preprocessing(tta_zooms=(0.9,)))
    assert evaluate.main(["--weights", str(zoomed), "--data", str(root), "--out", str(tmp_path / "eval")]) == 0
    printed = capsys.readouterr().out
    assert "; zoom 0.9" in printed and "single view" not in printed, printed
    plain = make_random_weights(tmp_path / "plain.safetensors")
    assert evaluate.main(["--weights", str(plain), "--data", str(root), "--out", str(tmp_path / "eval2"), "--tta"]) == 0
    assert "; flip TTA" in capsys.readouterr().out


def test_evaluate_of_a_plain_folder_claims_no_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Its report said "split": "PublicTest" for a folder of <emotion>/ subfolders, scored whole.
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=2, test_per_class=1)
    plain = root / "test"  # no train/ or test/ inside: a plain folder
    weights = make_random_weights(tmp_path / "w.safetensors")
    out = tmp_path / "eval"
    assert (
        evaluate.main(["--weights", str(weights), "--data", str(plain), "--split", "PrivateTest", "--out", str(out)])
        == 0
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    report = json.loads((out / "report.json").read_text())
    for written in (summary, report):
        assert written["split"] is None and written["data"] == str(plain) and written["n"] == 6, written
    assert evaluate.main(["--weights", str(weights), "--data", str(root), "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["split"] == "PublicTest" and summary["data"] == str(root)


def test_evaluate_says_at_the_start_that_it_replaces_an_earlier_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A second report into the same --out replaced the first one's files without a word.
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=2, test_per_class=1)
    weights = make_random_weights(tmp_path / "w.safetensors")
    out = tmp_path / "eval"
    argv = ["--weights", str(weights), "--data", str(root), "--out", str(out)]
    assert evaluate.main(argv) == 0
    assert "note: --out" not in capsys.readouterr().out
    assert evaluate.main(argv) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        f"note: --out {out} holds an earlier report's report.json, confusion_matrix.png; this report replaces them"
    )


def test_evaluate_runs_as_the_model_card_runs_it(tmp_path: Path) -> None:
    # Was: `python -m training.evaluate` died with NameError (describe_views) on every
    # input: the helper was defined below the `if __name__ == "__main__"` block, so only
    # an import (as the tests above use it) ever reached it.
    root = write_fer_folders(tmp_path / "fer2013", train_per_class=2, test_per_class=1)
    result = subprocess.run(
        [sys.executable, "-m", "training.evaluate", "--data", str(root), "--out", str(tmp_path / "eval")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["split"] == "PublicTest"
    assert (tmp_path / "eval" / "report.json").is_file()
