"""Issue 13, case 7: the training tools never replace a run silently, check where they will
write before the first epoch, and answer corrupt checkpoints and unreadable data with one
line and exit 2 (never a hint to load a checkpoint unsafely). Real files, tiny data."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import torch

from emotion_app.samples import make_random_weights
from tests.hostile_support import SmallDisk
from tests.slow_import import start_held_in_import
from tests.synthetic_fer import write_fer_csv, write_fer_folders
from tests.user_rights import run_barred_from, without_root_rights
from training import evaluate, train

FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2", "--epochs", "1"]


@pytest.fixture(scope="module")
def fer_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fer_csv(tmp_path_factory.mktemp("csv") / "fer2013.csv", {"Training": 6, "PublicTest": 2})


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def error_line(output: str) -> str:
    """The run's last line, which must be its one-line error."""
    assert "Traceback" not in output
    last = output.strip().splitlines()[-1]
    assert last.startswith("error: "), output
    return last


def test_out_on_an_existing_run_refuses_unless_overwrite(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--stop-after-steps", "1", *FAST]) == 0
    before = digest(out)
    capsys.readouterr()
    assert train.main(["--data", str(fer_csv), "--out", str(out), *FAST]) == 2
    line = error_line(capsys.readouterr().err)
    assert str(out) in line and "--resume" in line and "--overwrite" in line
    assert digest(out) == before  # checkpoint, config: untouched
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--overwrite", *FAST]) == 0
    assert digest(out)["checkpoint.pt"] != before["checkpoint.pt"]


@pytest.mark.parametrize("option", ["--out", "--export"])
def test_an_unwritable_output_is_found_before_the_first_epoch(
    option: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = tmp_path / "run"
    args = {
        "--out": ["--out", str(blocker / "run")],
        "--export": ["--out", str(out), "--export", str(blocker / "w.safetensors")],
    }[option]
    assert train.main(["--data", str(fer_csv), *args, *FAST]) == 2
    line = error_line(capsys.readouterr().err)
    assert str(blocker) in line
    assert not (out / "checkpoint.pt").exists()  # no epoch ran


def corrupt_checkpoints(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "random bytes": folder / "random.pt",
        "an unknown pickle protocol": folder / "protocol.pt",
        "truncated zip": folder / "truncated.pt",
        "pickled object": folder / "object.pt",
        "not a checkpoint": folder / "list.pt",
        "empty": folder / "empty.pt",
    }
    noise = np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    files["random bytes"].write_bytes(noise)
    files["an unknown pickle protocol"].write_bytes(b"\x80\x66" + noise)  # torch warned before failing
    torch.save({"epoch": 1, "model": {"w": torch.zeros(3)}}, folder / "whole.pt")
    files["truncated zip"].write_bytes((folder / "whole.pt").read_bytes()[:300])
    torch.save({"config": {}, "value": Decimal("1.5")}, files["pickled object"])  # weights_only refuses it
    torch.save([1, 2, 3], files["not a checkpoint"])
    files["empty"].write_bytes(b"")
    return files


CORRUPT_CASES = ["random bytes", "an unknown pickle protocol", "truncated zip", "pickled object", "not a checkpoint"]


@pytest.mark.parametrize("case", [*CORRUPT_CASES, "empty"])
def test_a_corrupt_resume_checkpoint_is_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    bad = corrupt_checkpoints(tmp_path / "bad")[case]
    run = tmp_path / "run"
    run.mkdir()
    (run / "checkpoint.pt").write_bytes(bad.read_bytes())
    assert train.main(["--out", str(run), "--resume", "--no-progress", "--threads", "1"]) == 2
    printed = capsys.readouterr()
    output = printed.out + printed.err
    line = error_line(printed.err)
    assert str(run / "checkpoint.pt") in line
    assert "weights_only" not in output and "trust" not in output.lower()  # no advice to unpickle it
    # Nor a warning of torch's beside the line (was: "Detected pickle protocol 102 ...").
    assert not [w for w in recwarn if "pickle" in str(w.message)]


@pytest.mark.parametrize("case", ["random bytes", "pickled object", "not a checkpoint"])
def test_a_corrupt_init_from_checkpoint_is_one_line(
    case: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = corrupt_checkpoints(tmp_path / "bad")[case]
    assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "run"), "--init-from", str(bad), *FAST]) == 2
    printed = capsys.readouterr()
    assert str(bad) in error_line(printed.err) and "weights_only" not in printed.out + printed.err


def test_a_binary_file_as_csv_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "fer2013.csv"
    binary.write_bytes(os.urandom(5000))
    assert train.main(["--data", str(binary), "--out", str(tmp_path / "run"), *FAST]) == 2
    assert str(binary) in error_line(capsys.readouterr().err)


def test_one_face_per_class_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = write_fer_csv(tmp_path / "tiny.csv", {"Training": 1, "PublicTest": 1})
    assert train.main(["--data", str(tiny), "--out", str(tmp_path / "run"), *FAST]) == 2
    line = error_line(capsys.readouterr().err)
    assert "validation" in line and str(tiny) in line


@pytest.mark.parametrize("tool", ["train", "evaluate", "calibrate_margin"])
@pytest.mark.parametrize("locked", ["the folder", "an emotion folder in it"])
def test_data_the_user_may_not_read_is_one_line(tmp_path: Path, tool: str, locked: str) -> None:
    # Was: asking whether the folder held fer2013/ or train/ raised PermissionError, a
    # traceback (exit 1) from train, evaluate and calibrate_margin, and "[Errno 13]
    # Permission denied: '.../fer2013'" (a path never given) from the others.
    root = write_fer_folders(tmp_path / "fer", 2, 1)
    split = "test" if tool == "evaluate" else "train"  # the split the tool reads
    barred = root if locked == "the folder" else root / split / "happy"
    out = ["--out", str(tmp_path / "run"), *FAST] if tool == "train" else []
    done = run_barred_from(barred, 0, ["-m", f"training.{tool}", "--data", str(root), *out], timeout=300)
    assert done.returncode == 2, done.stderr
    # The folder barred named, not the first path looked for in it ("at DATA/fer2013").
    inside = "" if barred == root else f" at {barred}"
    assert error_line(done.stderr) == f"error: cannot read {root}: Permission denied{inside}"
    assert not (tmp_path / "run").exists()


def test_evaluate_checks_its_out_folder_first(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    export = tmp_path / "w.safetensors"
    assert train.main(["--data", str(fer_csv), "--out", str(run), "--export", str(export), *FAST]) == 0
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    capsys.readouterr()
    assert evaluate.main(["--weights", str(export), "--data", str(fer_csv), "--out", str(blocker / "eval")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and str(blocker) in captured.err + captured.out


def test_soup_checks_its_outputs_and_ingredients_first(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from training import soup

    run = tmp_path / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(run), *FAST]) == 0
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    capsys.readouterr()
    copy = tmp_path / "copy.pt"  # a second ingredient (one given twice is refused first)
    copy.write_bytes((run / "checkpoint.pt").read_bytes())
    ingredients = [str(run / "checkpoint.pt"), str(copy)]
    assert (
        soup.main(
            ["--data", str(fer_csv), "--out", str(tmp_path / "soup"), "--export", str(blocker / "w.st"), *ingredients]
        )
        == 2
    )
    assert str(blocker) in error_line(capsys.readouterr().err)
    bad = corrupt_checkpoints(tmp_path / "bad")["pickled object"]
    assert soup.main(["--data", str(fer_csv), "--out", str(tmp_path / "soup"), ingredients[0], str(bad)]) == 2
    printed = capsys.readouterr()
    assert str(bad) in error_line(printed.err) and "weights_only" not in printed.out + printed.err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--val-fraction", "0"),
        ("--val-fraction", "1.5"),
        ("--epochs", "0"),
        ("--batch-size", "0"),
        ("--batch-size", "-5"),
        ("--seed", "-1"),
        ("--seed", "4294967296"),
        ("--split-seed", "-1"),
        ("--lr", "nan"),
        ("--lr", "-1"),
        ("--dropout", "1.0"),
        ("--label-smoothing", "2"),
        ("--crop-margin", "5"),
        ("--test-split", "Foo"),
        ("--device", "bogus"),
        # float() takes "nan" and "inf": a NaN augmentation strength trained on NaN pictures.
        ("--augment-strength", "nan"),
        ("--augment-strength", "inf"),
        ("--swa-lr", "inf"),
        ("--distill-weight", "nan"),
        ("--crop-margin", "nan"),
        ("--warmup-fraction", "-inf"),
    ],
)
def test_a_setting_out_of_range_is_one_line_before_anything_is_written(
    option: str, value: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found at once, not as a traceback mid-run or a weights file the app then refuses."""
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--data", str(fer_csv), "--out", str(out), *FAST, option, value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert option in err.strip().splitlines()[-1] and "Traceback" not in err
    assert not out.exists()


def test_an_export_onto_an_input_or_the_run_is_refused_before_training(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from training import soup

    run = tmp_path / "run"
    assert (
        train.main(["--data", str(fer_csv), "--out", str(run), *FAST, "--export", str(tmp_path / "w.safetensors")]) == 0
    )
    teacher = tmp_path / "w.safetensors"
    kept = {path: path.read_bytes() for path in (fer_csv, teacher, run / "checkpoint.pt")}
    capsys.readouterr()
    for out, export, extra in (
        (tmp_path / "new", fer_csv, []),
        (tmp_path / "new", teacher, ["--distill-from", str(teacher)]),
        (run, run / "checkpoint.pt", ["--resume"]),
    ):
        assert train.main(["--data", str(fer_csv), "--out", str(out), *FAST, *extra, "--export", str(export)]) == 2
        assert "--export" in error_line(capsys.readouterr().err)
    folder_data = tmp_path / "images"
    (folder_data / "train" / "happy").mkdir(parents=True)
    image = folder_data / "train" / "happy" / "Training_0.jpg"
    image.write_bytes(b"a picture")
    out = tmp_path / "other"
    assert train.main(["--data", str(folder_data), "--out", str(out), *FAST, "--export", str(image)]) == 2
    assert "would overwrite --data" in error_line(capsys.readouterr().err) and image.read_bytes() == b"a picture"
    checkpoint, copy = str(run / "checkpoint.pt"), tmp_path / "copy.pt"
    copy.write_bytes((run / "checkpoint.pt").read_bytes())  # (one given twice is refused first)
    args = ["--data", str(fer_csv), "--out", str(tmp_path / "soup"), checkpoint, str(copy)]
    assert soup.main([*args, "--export", checkpoint]) == 2  # an ingredient
    assert "would overwrite checkpoint 1" in error_line(capsys.readouterr().err)
    assert soup.main(["--data", str(fer_csv), "--out", str(run), checkpoint, str(copy)]) == 2  # a training run
    assert "holds a training run" in error_line(capsys.readouterr().err)
    assert {path: path.read_bytes() for path in kept} == kept


def test_a_run_that_diverged_exports_nothing(tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """NaN weights would replace a good file with one the app refuses to load."""
    good = tmp_path / "good.safetensors"
    good.write_bytes(b"an earlier good export")
    args = ["--data", str(fer_csv), "--out", str(tmp_path / "run"), *FAST, "--lr", "1e30", "--export", str(good)]
    assert train.main(args) == 2
    assert "training diverged" in error_line(capsys.readouterr().err)
    assert good.read_bytes() == b"an earlier good export"


def test_init_from_a_model_of_another_shape_is_one_line(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    assert train.main(["--data", str(fer_csv), "--out", str(plain), *FAST, "--no-batch-norm"]) == 0
    capsys.readouterr()
    args = [
        "--data",
        str(fer_csv),
        "--out",
        str(tmp_path / "tuned"),
        *FAST,
        "--init-from",
        str(plain / "checkpoint.pt"),
    ]
    assert train.main(args) == 2
    assert "another shape" in error_line(capsys.readouterr().err)


def test_an_overwrite_run_stopped_early_leaves_nothing_of_the_old_run_beside_it(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(out), *FAST]) == 0
    assert (out / "best.safetensors").exists() and (out / "summary.json").exists()
    args = ["--data", str(fer_csv), "--out", str(out), *FAST, "--overwrite", "--stop-after-steps", "1"]
    assert train.main(args) == 0
    assert "removed the earlier run's best.safetensors" in capsys.readouterr().out
    assert (out / "checkpoint.pt").exists()
    assert not (out / "best.safetensors").exists() and not (out / "summary.json").exists()


@pytest.mark.parametrize("tool", ["train", "soup", "train_verifier"])
@pytest.mark.parametrize("threads", ["100000", "-1"])
def test_a_thread_count_beyond_the_cpus_is_one_line(
    tool: str, threads: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """100000 threads crashed torch (a segfault, no message); a negative count was ignored."""
    from training import soup, train_verifier

    args = {
        "train": (train.main, ["--data", str(fer_csv), "--out", str(tmp_path / "run")]),
        "soup": (soup.main, ["--data", str(fer_csv), "--out", str(tmp_path / "soup"), "a.pt", "b.pt"]),
        "train_verifier": (
            train_verifier.main,
            ["--data", str(fer_csv), "--export", str(tmp_path / "v.safetensors")],
        ),
    }
    main, given = args[tool]
    with pytest.raises(SystemExit) as exit_info:
        main([*given, "--threads", threads])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--threads must be between" in err.strip().splitlines()[-1] and "Traceback" not in err
    assert not (tmp_path / "run").exists() and not (tmp_path / "soup").exists()


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory: pytest.TempPathFactory, fer_csv: Path) -> Path:
    """A run stopped after its first step: a checkpoint to damage."""
    out = tmp_path_factory.mktemp("stopped") / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--stop-after-steps", "1", *FAST]) == 0
    return out / "checkpoint.pt"


def damaged(state: dict, case: str) -> dict:
    """``state`` with one field as a damaged (still loadable) file could hold it."""
    changes: dict[str, tuple[tuple[str, ...], object]] = {
        "best None": (("best",), None),
        "epoch text": (("epoch",), "x"),
        "epoch negative": (("epoch",), -5),
        "epoch beyond the run": (("epoch",), 7),
        "step negative": (("step",), -1),
        "history a number": (("history",), 5),
        "std NaN": (("preprocessing", "std"), float("nan")),
        "unknown preprocessing key": (("preprocessing", "gamma"), 2.0),
        "batch size 0": (("config", "batch_size"), 0),
        "val fraction 2": (("config", "val_fraction"), 2.0),
        "classes 9": (("config", "classes"), 9),
        "lr text": (("config", "lr"), "fast"),
        "epoch totals text": (("epoch_totals",), "many"),
        "elapsed text": (("elapsed_s",), "long"),
        "lineage damaged": (("initialised_from",), {"training_seconds": "x"}),
    }
    keys, value = changes[case]
    target = state
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return state


DAMAGE = [
    "best None",
    "epoch text",
    "epoch negative",
    "epoch beyond the run",
    "step negative",
    "history a number",
    "std NaN",
    "unknown preprocessing key",
    "batch size 0",
    "val fraction 2",
    "classes 9",
    "lr text",
    "epoch totals text",
    "elapsed text",
    "lineage damaged",
]


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_checkpoint_that_loads_is_one_line_on_resume(
    case: str, stopped_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    torch.save(damaged(torch.load(stopped_run, weights_only=True), case), run / "checkpoint.pt")
    before = digest(run)
    capsys.readouterr()
    assert train.main(["--out", str(run), "--resume", "--no-progress", "--threads", "1"]) == 2
    line = error_line(capsys.readouterr().err)
    assert str(run / "checkpoint.pt") in line
    assert digest(run) == before


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory, fer_csv: Path) -> Path:
    out = tmp_path_factory.mktemp("finished") / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(out), *FAST]) == 0
    return out / "checkpoint.pt"


def test_soup_refuses_a_test_split_that_is_none_of_fer2013s(
    finished_run: Path, fer_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "--test-split Public" was read only with the data: a traceback (ValueError: usage must
    be one of ...), and the --out folder it had made left empty."""
    from training import soup

    out = tmp_path / "soup"
    given = ["--data", str(fer_csv), "--out", str(out), "--test-split", "Public", str(finished_run), str(finished_run)]
    with pytest.raises(SystemExit) as exit_info:
        soup.main(given)
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line == (
        "python -m training.soup: error: --test-split must be one of Training, PublicTest, PrivateTest (or empty: "
        "none), got 'Public'"
    )
    assert not out.exists()


@pytest.mark.parametrize("case", ["best None", "lr text", "std NaN"])
def test_a_damaged_checkpoint_is_one_line_for_init_from_and_soup(
    case: str, finished_run: Path, fer_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from training import soup

    bad = tmp_path / "bad.pt"
    torch.save(damaged(torch.load(finished_run, weights_only=True), case), bad)
    capsys.readouterr()
    assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "tune"), "--init-from", str(bad), *FAST]) == 2
    assert str(bad) in error_line(capsys.readouterr().err)
    assert soup.main(["--data", str(fer_csv), "--out", str(tmp_path / "soup"), str(finished_run), str(bad)]) == 2
    assert str(bad) in error_line(capsys.readouterr().err)


def test_a_step_past_the_epochs_end_is_one_line(
    stopped_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    state = torch.load(stopped_run, weights_only=True)
    state["step"] = 1000  # an epoch here has 3 steps
    torch.save(state, run / "checkpoint.pt")
    capsys.readouterr()
    assert train.main(["--out", str(run), "--resume", "--no-progress", "--threads", "1"]) == 2
    line = error_line(capsys.readouterr().err)
    assert str(run / "checkpoint.pt") in line and "step 1000" in line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--seed", "-1"], "--seed must be between 0 and 4294967295, got -1"),
        (["--split-seed", "-1"], "--split-seed must be between 0 and 4294967295, got -1"),
        (["--seed", str(2**32)], f"--seed must be between 0 and 4294967295, got {2**32}"),
        (["--limit", "-1"], "--limit must be 0 (all faces) or more, got -1"),
    ],
)
def test_train_verifier_refuses_seeds_and_limits_out_of_range(
    args: list[str], said: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A negative seed was numpy's traceback once the faces were read, leaving the empty
    folder made for --export; "--limit -1" ran the minutes of mining and chose the threshold
    on one validation face."""
    from training import train_verifier

    export = tmp_path / "models" / "v.safetensors"
    with pytest.raises(SystemExit) as exit_info:
        train_verifier.main(["--data", str(fer_csv), "--export", str(export), *args])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"python -m training.train_verifier: error: {said}"
    assert not export.parent.exists()


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("train_verifier", ["--lr", "nan"]),
        ("train_verifier", ["--lr", "inf"]),
        ("train_verifier", ["--lr", "-1"]),
        ("calibrate_live", ["--margins", "0,nan"]),
        ("calibrate_live", ["--margins", "inf"]),
    ],
)
def test_the_other_tools_refuse_non_finite_numbers(
    tool: str, args: list[str], tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from training import calibrate_live, train_verifier

    mains = {
        "train_verifier": (
            train_verifier.main,
            ["--data", str(fer_csv), "--export", str(tmp_path / "v.safetensors")],
        ),
        "calibrate_live": (calibrate_live.main, ["--clips", str(tmp_path)]),
    }
    main, given = mains[tool]
    with pytest.raises(SystemExit) as exit_info:
        main([*given, *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert args[0] in err.strip().splitlines()[-1] and "Traceback" not in err
    assert not (tmp_path / "v.safetensors").exists()


@pytest.mark.parametrize(
    "given", [["--label-smoothing", "0.2"], ["--class-weighting"], ["--class-weighting", "--label-smoothing", "0.1"]]
)
def test_settings_the_votes_loss_does_not_use_are_refused_with_ferplus(
    given: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """They were taken and silently ignored: the run trained as if they were not given."""
    with pytest.raises(SystemExit) as exit_info:
        train.parse_args(["--data", "x", "--labels", "ferplus", "--votes", "v.csv", *given])
    assert exit_info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert all(flag in last for flag in given if flag.startswith("--")) and "FER+ votes" in last, last
    # Unchanged: their defaults with the votes, and both with the original labels.
    assert train.parse_args(["--data", "x", "--labels", "ferplus", "--votes", "v.csv"]).label_smoothing == 0.1
    assert train.parse_args(["--data", "x", "--label-smoothing", "0.2", "--class-weighting"]).class_weighting


def test_a_start_refused_for_its_data_leaves_no_folder_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out (and --export's folder) were made by the writability check before the data was
    read, and stayed behind, empty, after the one-line error."""
    out = tmp_path / "runs" / "new"
    export = tmp_path / "models" / "m.safetensors"
    code = train.main(["--data", str(tmp_path / "missing.csv"), "--out", str(out), "--export", str(export), *FAST])
    assert code == 2
    printed = capsys.readouterr()
    assert "missing.csv" in error_line(printed.out + printed.err)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    assert train.main(["--data", str(tmp_path / "missing.csv"), "--out", str(kept / "run"), *FAST]) == 2
    assert sorted(p.name for p in kept.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("ending", ["/", "/."])
def test_an_export_named_like_a_folder_is_refused(
    ending: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--export models/` (a folder meant, not yet there) trained, then wrote a file named
    models: Path drops the trailing "/" (and train's absolute paths dropped a "/.")."""
    from training import soup

    given = f"{tmp_path / 'models'}{ending}"
    assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "run"), *FAST, "--export", given]) == 2
    assert f"--export {tmp_path / 'models'} is a folder" in error_line(capsys.readouterr().err)
    checkpoint = str(tmp_path / "a.pt")
    args = ["--data", str(fer_csv), "--out", str(tmp_path / "soup"), checkpoint, checkpoint, "--export", given]
    assert soup.main(args) == 2
    assert "is a folder" in error_line(capsys.readouterr().err)
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_calibrate_write_to_a_weights_file_it_cannot_replace_is_one_line(
    disk: str, small_disk: SmallDisk, fer_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`calibrate_contrast --write` with the weights on a read-only or full disk ended in
    a traceback (OSError from the temporary file), after the whole calibration."""
    from training import calibrate_contrast

    folder = small_disk(8 * 1024)  # room for one copy of the weights, not two
    weights = make_random_weights(tmp_path / "w.safetensors")
    copy = folder / "w.safetensors"
    copy.write_bytes(weights.read_bytes())
    if disk == "read-only":
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    code = calibrate_contrast.main(["--weights", str(copy), "--data", str(fer_csv), "--write"])
    printed = capsys.readouterr()
    assert code == 2 and "Traceback" not in printed.err
    line = printed.err.strip().splitlines()[-1]
    assert line.startswith("error: --write") and str(copy.parent if disk == "read-only" else copy) in line, line
    if disk == "full":
        assert "it is as it was" in line and "validation" in printed.out  # the calibration ran, then this
    else:
        assert "validation" not in printed.out  # refused before the calibration
    assert copy.read_bytes() == weights.read_bytes() and sorted(p.name for p in folder.iterdir()) == ["w.safetensors"]


@pytest.mark.parametrize("full", ["--out", "--export"])
def test_a_full_disk_under_the_run_or_the_export_is_one_line(
    full: str, small_disk: SmallDisk, fer_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A checkpoint onto a full disk ended in torch's RuntimeError ("unexpected pos"), an
    export in safetensors' SafetensorError: tracebacks, exit 1, a temporary file left."""
    disk = small_disk(2 * 1024)  # room for config.json, not for a checkpoint or a weights file
    out = disk / "run" if full == "--out" else tmp_path / "run"
    export = disk / "w.safetensors" if full == "--export" else tmp_path / "w.safetensors"
    code = train.main(["--data", str(fer_csv), "--out", str(out), *FAST, "--export", str(export)])
    printed = capsys.readouterr()
    assert code == 2 and "Traceback" not in printed.err, printed.err
    line = error_line(printed.err)
    assert "disk full" in line and str(disk) in line, line
    assert not export.exists() and sorted(p.name for p in disk.iterdir()) == (["run"] if full == "--out" else [])
    if full == "--out":  # what was written whole stays; nothing half-written or temporary
        assert sorted(p.name for p in out.iterdir()) == ["config.json"], list(out.iterdir())
    else:
        assert (out / "best.safetensors").is_file()  # the run itself is whole


def test_train_and_soup_say_their_errors_on_standard_error(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """train and soup printed their error line on standard output, as every other front end
    does not: `python -m training.train ... > train.log` failed with nothing on the terminal."""
    from training import soup

    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert train.main(["--data", str(fer_csv), "--out", str(blocker), *FAST]) == 2
    printed = capsys.readouterr()
    assert str(blocker) in error_line(printed.err) and "error" not in printed.out
    missing = tmp_path / "missing.pt"
    assert soup.main(["--data", str(fer_csv), "--out", str(tmp_path / "soup"), str(missing), str(missing)]) == 2
    printed = capsys.readouterr()
    assert str(missing) in error_line(printed.err) and "error" not in printed.out


def test_calibrate_live_checks_its_data_before_the_clips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The clips take minutes to score: a --data that is not there was told only after them.
    Here the clips could not be scored at all, so the line shows which was read first."""
    from training import calibrate_live

    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels,note\ngone.mp4,0,9,1,happy,\n")
    weights = make_random_weights(tmp_path / "w.safetensors")
    given = ["--weights", str(weights), "--clips", str(clips), "--data", str(tmp_path / "fer2013.csv")]
    assert calibrate_live.main(given) == 2
    line = error_line(capsys.readouterr().err)
    assert "fer2013.csv" in line and "gone.mp4" not in line, line


@pytest.mark.parametrize(
    ("truth", "said"),
    [
        (None, "holds no truth.csv"),
        (
            "name,start\nx.mp4,0\n",
            "truth.csv: expected columns file,first_frame,last_frame,faces,labels, found name,start",
        ),
        (
            "file,first_frame,last_frame,faces,labels\nx.mp4,a,9,1,happy\n",
            "truth.csv, line 2: first_frame, last_frame and faces must be whole numbers",
        ),
        (  # the line an editor shows, past a note quoted over two lines and a blank line
            'file,first_frame,last_frame,faces,labels,note\nx.mp4,0,9,1,happy,"two\nlines"\n\ny.mp4,a,9,1,happy,\n',
            "truth.csv, line 5: first_frame, last_frame and faces must be whole numbers",
        ),
        ("file,first_frame,last_frame,faces,labels\nx.mp4,0,9,1,\n", "truth.csv: no frame range has labels"),
    ],
    ids=["no truth.csv", "other columns", "a word for a frame", "a word past other lines", "no labels"],
)
def test_calibrate_live_refuses_a_truth_that_judges_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], truth: str | None, said: str
) -> None:
    """With no range to judge by (columns named otherwise, no labels), every margin scored 0
    and the first was called best, and --write stored it in the weights file's card; a
    word for a frame was "invalid literal for int()", a missing truth.csv Python's Errno."""
    from training import calibrate_live

    clips = tmp_path / "clips"
    clips.mkdir()
    if truth is not None:
        (clips / "truth.csv").write_text(truth)
    weights = make_random_weights(tmp_path / "w.safetensors")
    before = weights.read_bytes()
    assert calibrate_live.main(["--weights", str(weights), "--clips", str(clips), "--write"]) == 2
    assert said in error_line(capsys.readouterr().err)
    assert weights.read_bytes() == before


def test_calibrate_live_reads_a_truth_saved_by_a_spreadsheet(tmp_path: Path) -> None:
    # Was refused: "expected columns file,first_frame,..., found file,first_frame,...", the
    # byte-order mark of a spreadsheet's "CSV UTF-8" read as part of the first column's name.
    from training.calibrate_live import read_truth_ranges

    (tmp_path / "truth.csv").write_bytes(
        "file,first_frame,last_frame,faces,labels\r\nclip.mp4,0,9,1,happy|neutral\r\n".encode("utf-8-sig")
    )
    assert read_truth_ranges(tmp_path) == [("clip.mp4", 0, 9, 1, frozenset({"happy", "neutral"}))]


def test_calibrate_live_names_a_clips_folder_the_user_may_not_reach(tmp_path: Path) -> None:
    # Was Python's "error: [Errno 13] Permission denied: 'CLIPS'": asking whether --clips is
    # a folder raised where a folder on the way may not be searched. Run in a child without
    # root's right to search any folder, as a user's would run.
    barred = tmp_path / "barred"
    clips = barred / "clips"
    clips.mkdir(parents=True)
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels\nclip.mp4,0,9,1,happy\n")
    done = run_barred_from(barred, 0, ["-m", "training.calibrate_live", "--clips", str(clips)], timeout=300)
    assert done.returncode == 2, done.stderr
    assert error_line(done.stderr) == f"error: cannot read {clips}: Permission denied"


@pytest.mark.parametrize("tool", ["calibrate_margin", "evaluate_verifier"])
def test_weights_in_a_folder_the_user_may_not_reach_are_named_in_one_line(
    tool: str, tmp_path: Path, fer_csv: Path
) -> None:
    # calibrate_margin (and evaluate) ended in a PermissionError traceback, evaluate_verifier
    # said Python's "[Errno 13] Permission denied: 'W'": asking whether --weights is there
    # raised. Run in a child without root's right to search any folder, as a user's would run.
    barred = tmp_path / "barred"
    barred.mkdir()
    weights = make_random_weights(barred / "w.safetensors")
    done = run_barred_from(
        barred, 0, ["-m", f"training.{tool}", "--data", str(fer_csv), "--weights", str(weights)], timeout=300
    )
    assert done.returncode == 2, done.stderr
    what = "weights file" if tool == "calibrate_margin" else "face verifier weights"
    assert error_line(done.stderr) == f"error: cannot read {what} {weights}: Permission denied"


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_calibrate_live_refuses_a_limit_below_one(
    limit: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--limit 0 scored no validation face and stored "share_marked": NaN in the card with
    --write; -5 ended in "negative dimensions are not allowed"."""
    from training import calibrate_live

    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels\nclip.mp4,0,9,1,happy\n")
    weights = make_random_weights(tmp_path / "w.safetensors")
    before = weights.read_bytes()
    given = ["--weights", str(weights), "--clips", str(clips), "--data", str(fer_csv), "--limit", limit, "--write"]
    with pytest.raises(SystemExit) as exit_info:
        calibrate_live.main(given)
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line == f"python -m training.calibrate_live: error: --limit must be at least 1, got {limit}"
    assert weights.read_bytes() == before


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
@pytest.mark.parametrize(
    "tool",
    ["evaluate", "calibrate_margin", "calibrate_contrast", "calibrate_live", "train_verifier", "evaluate_verifier"],
)
def test_ctrl_c_in_a_tool_is_one_line_and_exit_130(
    tool: str, stop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C while the faces are read (the first long step of each) ended in a traceback;
    a SIGTERM (a scheduler's stop) ended the process silently, leaving train_verifier's
    empty --out and --export folders (as a Ctrl-C did too, and evaluate's --out later)."""
    import importlib
    import signal

    import cv2

    from tests.synthetic_fer import write_fer_folders

    root = write_fer_folders(tmp_path / "fer2013", train_per_class=3, test_per_class=2)
    weights = make_random_weights(tmp_path / "w.safetensors")
    clips = tmp_path / "clips"
    clips.mkdir()
    # A range to judge by (a truth.csv with none is refused first); the stop comes before
    # its clip is looked for.
    (clips / "truth.csv").write_text("file,first_frame,last_frame,faces,labels,note\nclip.mp4,0,9,1,happy,\n")
    given = {
        "evaluate": ["--weights", str(weights), "--out", str(tmp_path / "runs" / "report")],
        "calibrate_margin": ["--weights", str(weights)],
        "calibrate_contrast": ["--weights", str(weights)],
        "calibrate_live": ["--weights", str(weights), "--clips", str(clips)],
        "train_verifier": ["--export", str(tmp_path / "models" / "v.safetensors"), "--out", str(tmp_path / "runs")],
        "evaluate_verifier": [],
    }[tool]
    decode = cv2.imdecode  # each face of the data is decoded by it (training/data.py)

    def interrupted(*args: object, **kwargs: object) -> object:
        if stop == "ctrl-c":
            raise KeyboardInterrupt("signal 2")
        os.kill(os.getpid(), signal.SIGTERM)  # a real signal, handled at the next line of Python
        return decode(*args, **kwargs)  # type: ignore[call-overload]

    unhandled: list[int] = []

    def record(number: int, _frame: object) -> None:
        unhandled.append(number)

    # What takes a SIGTERM the tool does not handle (its default would end pytest here).
    before = signal.signal(signal.SIGTERM, record)
    monkeypatch.setattr(cv2, "imdecode", interrupted)
    main = importlib.import_module(f"training.{tool}").main
    try:
        code: int | str = main(["--data", str(root), *given])
    except KeyboardInterrupt:
        code = "a traceback"
    finally:
        after = signal.signal(signal.SIGTERM, before)
    assert code == 130 and unhandled == []
    assert capsys.readouterr().err.strip().splitlines()[-1] == "interrupted"
    assert after is record  # the tool put back the handler it found
    assert not (tmp_path / "models").exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "tool",
    [
        "train",
        "soup",
        "evaluate",
        "calibrate_margin",
        "calibrate_live",
        "calibrate_contrast",
        "train_verifier",
        "evaluate_verifier",
    ],
)
def test_a_ctrl_c_while_a_tools_module_loads_is_one_line(tool: str, tmp_path: Path) -> None:
    # `python -m training.TOOL` imports the tool's module (numpy and OpenCV among its
    # imports) before its main runs: a Ctrl-C then was KeyboardInterrupt's traceback.
    import signal

    child = start_held_in_import(["-m", f"training.{tool}", "--help"], "cv2", tmp_path)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out, err) == (130, "", "\ninterrupted\n")


def test_a_tools_main_takes_ctrl_c_back_from_the_loading_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    # Left installed, the loading's stop would end a Ctrl-C that comes between a main's
    # stops (train: starting its run) at once, skipping the clean-up its own stop does.
    import signal

    from training.stopping import stop_on_signals, stop_quietly_while_loading

    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # the suite may run with it ignored
    try:
        monkeypatch.setattr(sys, "argv", ["-m"])  # as while `python -m training.TOOL` imports the package
        stop_quietly_while_loading()
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        with stop_on_signals():
            pass
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        monkeypatch.setattr(sys, "argv", ["pytest"])  # imported otherwise: nothing changes
        stop_quietly_while_loading()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_export_over_an_existing_weights_file_is_told_at_the_start(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The model card's recipes export onto the shipped weights: a one-epoch trial of them
    replaced the shipped model at its end without a word."""
    from emotion_app.shipped import DEFAULT_WEIGHTS_PATH

    export = make_random_weights(tmp_path / "emotion_cnn.safetensors")
    assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "run"), "--export", str(export), *FAST]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"note: --export {export} exists; the model this run selects will replace it when the run ends"
    ), lines[:2]
    assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "run"), "--resume", *FAST]) == 0
    assert "will replace it" not in capsys.readouterr().out  # the run's own export, written again
    # A resume given another --export that exists replaced it without the note.
    other = make_random_weights(tmp_path / "other.safetensors")
    for given, told in ((export, False), (other, True)):
        resume = ["--out", str(tmp_path / "run"), "--resume", "--export", str(given), *FAST]
        assert train.main(resume) == 0
        said = capsys.readouterr().out
        assert (f"note: --export {given} exists; the model this run selects will replace it" in said) == told, said
    from training.outputs import note_replaced_export

    note_replaced_export(str(DEFAULT_WEIGHTS_PATH))  # said, nothing written
    assert f"`git checkout -- {DEFAULT_WEIGHTS_PATH}`" in capsys.readouterr().out


def test_an_out_that_is_a_file_is_named_so(tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It read "--out X is not writable (File exists)": as if permissions were the trouble."""
    taken = tmp_path / "notes.txt"
    taken.write_text("a user's file")
    assert train.main(["--data", str(fer_csv), "--out", str(taken), *FAST]) == 2
    assert error_line(capsys.readouterr().err) == f"error: --out {taken} is a file, not a folder"
    weights = make_random_weights(tmp_path / "w.safetensors")
    assert evaluate.main(["--weights", str(weights), "--data", str(fer_csv), "--out", str(taken)]) == 2
    assert error_line(capsys.readouterr().err) == f"error: --out {taken} is a file, not a folder"
    assert taken.read_text() == "a user's file"


@pytest.mark.parametrize("tool", ["train", "soup", "evaluate", "train_verifier"])
@pytest.mark.parametrize(("out", "where"), [("weights", "is"), ("weights/run", "is inside")])
def test_an_out_in_the_shipped_weights_folder_is_refused(
    tool: str, out: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`train --out weights` would have written checkpoint.pt, metrics.csv and the rest among
    the shipped files. (The data is not there: before the check the line named it instead.)"""
    from emotion_app.shipped import DEFAULT_WEIGHTS_DIR
    from training import soup, train_verifier

    monkeypatch.chdir(DEFAULT_WEIGHTS_DIR.parent)  # --out as a user in the clone types it
    before = sorted(DEFAULT_WEIGHTS_DIR.rglob("*"))
    missing = str(tmp_path / "no_data")
    argv = {
        "train": ["--data", missing, "--out", out, *FAST],
        "soup": ["--data", missing, "--out", out, f"{missing}/a.pt", f"{missing}/b.pt"],
        "evaluate": ["--data", missing, "--out", out],
        "train_verifier": ["--data", missing, "--export", str(tmp_path / "v.safetensors"), "--out", out],
    }[tool]
    main = {"train": train.main, "soup": soup.main, "evaluate": evaluate.main, "train_verifier": train_verifier.main}
    assert main[tool](argv) == 2
    assert error_line(capsys.readouterr().err) == (
        f"error: --out {out} {where} the shipped weights folder {DEFAULT_WEIGHTS_DIR}; give a folder of its own "
        "(such as runs/NAME)"
    )
    assert sorted(DEFAULT_WEIGHTS_DIR.rglob("*")) == before


@pytest.fixture(scope="module")
def astronaut_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip of 101 frames, the astronaut's face still in all but the first (blank)."""
    from emotion_app.samples import write_astronaut_video

    folder = tmp_path_factory.mktemp("clips")
    write_astronaut_video(folder / "clip.avi", num_frames=101, motion="static", blank_frames=[0])
    return folder


@pytest.mark.parametrize(
    ("last", "said"),
    [
        (0, "no face was found in any frame of the labelled ranges (the margin and views are chosen on 100 at least)"),
        (
            99,
            "a face was found in only 99 frames of the labelled ranges, too few to choose the margin and views from "
            "(at least 100)",
        ),
        (100, None),
    ],
    ids=["no face", "99 frames", "100 frames"],
)
def test_calibrate_live_writes_no_choice_made_on_too_few_frames(
    last: int, said: str | None, tmp_path: Path, astronaut_clip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was: clips whose labelled frames held no face scored every choice 0, and --write
    stored the first of them in the card; a frame or two chose what it kept."""
    from training import calibrate_live

    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "clip.avi").symlink_to(astronaut_clip / "clip.avi")
    (clips / "truth.csv").write_text(f"file,first_frame,last_frame,faces,labels\nclip.avi,0,{last},1,happy\n")
    weights = make_random_weights(tmp_path / "w.safetensors")
    before = weights.read_bytes()
    given = ["--weights", str(weights), "--clips", str(clips), "--margins", "0,0.1"]
    if said is None:  # enough: written
        assert calibrate_live.main([*given, "--write"]) == 0
        assert weights.read_bytes() != before
        return
    assert calibrate_live.main([*given, "--write"]) == 2
    printed = capsys.readouterr()
    assert error_line(printed.err) == f"error: --write: {said}; nothing written"
    assert weights.read_bytes() == before
    assert calibrate_live.main(given) == 0  # the report without --write, with a note
    assert f"note: {said}; --write would refuse it" in capsys.readouterr().out


@pytest.mark.parametrize("tool", ["soup", "train --init-from"])
def test_a_run_folder_given_for_its_checkpoint_is_named_as_one(
    tool: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "RUN: not a readable checkpoint (truncated, corrupt or not written by
    # training.train)"; and a soup given that folder twice was told only that.
    from training import soup

    run = tmp_path / "run"
    run.mkdir()
    (run / "checkpoint.pt").write_bytes(b"")
    if tool == "soup":
        assert soup.main(["--data", str(fer_csv), "--out", str(tmp_path / "soup"), str(run), str(run)]) == 2
    else:
        assert train.main(["--data", str(fer_csv), "--out", str(tmp_path / "new"), "--init-from", str(run), *FAST]) == 2
    said = f"error: checkpoint {run} is a folder, not a checkpoint file (the run's is {run / 'checkpoint.pt'})"
    assert error_line(capsys.readouterr().err) == said


@pytest.mark.parametrize("tool", ["soup", "train --init-from"])
def test_a_checkpoint_the_user_may_not_read_is_told_so(tool: str, tmp_path: Path, fer_csv: Path) -> None:
    # Was: "PATH: not a readable checkpoint (truncated, corrupt or not written by
    # training.train)" of a whole checkpoint the user may not read. Run in a child without
    # root's right to read any file, as a user's would run.
    barred = tmp_path / "barred.pt"
    barred.write_bytes(b"")
    other = tmp_path / "other.pt"
    other.write_bytes(b"")
    if tool == "soup":
        args = ["training.soup", "--data", str(fer_csv), "--out", str(tmp_path / "soup"), str(barred), str(other)]
    else:
        args = ["training.train", "--data", str(fer_csv), "--out", str(tmp_path / "new"), "--init-from", str(barred)]
        args += FAST
    prefix = without_root_rights()
    barred.chmod(0)
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", *args],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
            timeout=300,
        )
    finally:
        barred.chmod(0o644)
    assert done.returncode == 2, done.stderr
    assert error_line(done.stderr) == f"error: cannot read checkpoint {barred}: Permission denied"


@pytest.mark.parametrize("tool", ["soup", "train --init-from", "train --resume"])
def test_a_weights_file_given_for_a_checkpoint_is_named_as_one(
    tool: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "PATH: not a checkpoint written by training.train (no config, preprocessing,
    # model, epoch, step, history, best, best_state)" of an --export or the shipped model.
    from training import soup

    weights = make_random_weights(tmp_path / "model.safetensors")
    if tool == "soup":
        other = make_random_weights(tmp_path / "other.safetensors", seed=1)
        assert soup.main(["--data", str(fer_csv), "--out", str(tmp_path / "soup"), str(weights), str(other)]) == 2
    elif tool == "train --init-from":
        args = ["--data", str(fer_csv), "--out", str(tmp_path / "new"), "--init-from", str(weights), *FAST]
        assert train.main(args) == 2
    else:
        run = tmp_path / "run"
        run.mkdir()
        weights = run / "checkpoint.pt"
        weights.write_bytes((tmp_path / "model.safetensors").read_bytes())
        assert train.main(["--out", str(run), "--resume", "--no-progress", "--threads", "1"]) == 2
    said = f"error: {weights}: a weights file, not a checkpoint; give the checkpoint.pt of the training run that "
    said += "made it"
    assert error_line(capsys.readouterr().err) == said


def test_an_init_from_of_other_settings_names_the_options_that_differ(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "... held out a different validation split (val_fraction, split_seed, classes =
    # (0.2, 0, 6)); use the same (here (0.2, 0, 7))" and "... holds a model of another shape
    # than this run's (batch norm, classes); use the same settings".
    start = tmp_path / "start"
    assert train.main(["--data", str(fer_csv), "--out", str(start), "--no-batch-norm", *FAST]) == 0
    checkpoint = start / "checkpoint.pt"
    cases = {
        "--classes 7": "held out another validation split: its run had --classes 6, this one --classes 7",
        "--batch-norm": "holds a model of another shape: its run had --no-batch-norm, this one --batch-norm",
    }
    for number, (given, said) in enumerate(cases.items()):
        capsys.readouterr()
        out = tmp_path / f"tune{number}"
        args = ["--data", str(fer_csv), "--out", str(out), "--init-from", str(checkpoint), *given.split(), *FAST]
        assert train.main(args) == 2
        assert error_line(capsys.readouterr().err) == f"error: {checkpoint} {said}; give the same"
        assert not out.exists()


@pytest.mark.parametrize("option", ["--init-from", "--distill-from"])
def test_a_start_that_is_not_there_is_told_before_the_data_is_read(
    option: str, tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was told only once the whole data set had loaded: here a row that does not read, found
    # first, stands for that wait.
    lines = fer_csv.read_text().splitlines()
    data = tmp_path / "fer2013.csv"
    data.write_text("\n".join([*lines, lines[-1].rsplit(",", 1)[0]]) + "\n")
    missing = tmp_path / "missing.file"
    assert train.main(["--data", str(data), "--out", str(tmp_path / "run"), option, str(missing), *FAST]) == 2
    line = error_line(capsys.readouterr().err)
    assert str(missing) in line and "not found" in line and str(data) not in line
