"""Runs are compared on the faces they held out, not only on their split settings: the same
FER-2013 read in another order (CSV rows against image folders) holds out other faces, and
a fine-tune, resume, soup or calibration on it is refused. Real runs on tiny data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.synthetic_fer import copy_as_folders, write_fer_csv
from training import calibrate_margin, soup, train
from training.checkpoints import FINGERPRINT_KEY
from training.config import TrainConfig
from training.data import DataError, classes_for, load_split
from training.datasets import load_data, validation_fingerprint

FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2", "--epochs", "1"]


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One set of faces three ways: CSV, folders in its order, folders in reverse order."""
    root = tmp_path_factory.mktemp("faces")
    csv_path = write_fer_csv(root / "fer2013.csv", {"Training": 6, "PublicTest": 2})
    return {
        "csv": csv_path,
        "folders": copy_as_folders(csv_path, root / "folders"),
        "reversed": copy_as_folders(csv_path, root / "reversed", reverse=True),
    }


@pytest.fixture(scope="module")
def csv_run(copies: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "csv"
    assert train.main(["--data", str(copies["csv"]), "--out", str(out), *FAST]) == 0
    return out


def held_out(data: Path) -> str:
    return load_data(TrainConfig(data=str(data), val_fraction=0.2, test_split="")).validation_fingerprint


def error_line(output: str) -> str:
    assert "Traceback" not in output
    last = output.strip().splitlines()[-1]
    assert last.startswith("error: "), output
    return last


def test_the_fingerprint_names_the_faces_not_their_order() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 48, 48), dtype=np.uint8)
    labels = np.array([0, 1, 2, 0, 1])
    classes = classes_for(6)
    reference = validation_fingerprint(images, labels, classes)
    order = np.array([4, 2, 0, 3, 1])
    assert validation_fingerprint(images[order], labels[order], classes) == reference
    relabelled = labels.copy()
    relabelled[0] = 3
    assert validation_fingerprint(images, relabelled, classes) != reference
    assert validation_fingerprint(images[:4], labels[:4], classes) != reference


def test_the_same_faces_in_another_order_hold_out_others(copies: dict[str, Path]) -> None:
    assert held_out(copies["folders"]) == held_out(copies["csv"])  # read in the same order per class
    assert held_out(copies["reversed"]) != held_out(copies["csv"])


def test_a_run_records_its_held_out_faces(csv_run: Path, copies: dict[str, Path]) -> None:
    from emotion_app import EmotionClassifier

    state = torch.load(csv_run / "checkpoint.pt", weights_only=True)
    assert state[FINGERPRINT_KEY] == held_out(copies["csv"])
    card = EmotionClassifier.load(csv_run / "best.safetensors").card.training
    assert card[FINGERPRINT_KEY] == held_out(copies["csv"])


def test_init_from_a_run_that_held_out_other_faces_is_refused(
    csv_run: Path, copies: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tune = ["--init-from", str(csv_run / "checkpoint.pt"), *FAST]
    out = tmp_path / "tune"
    capsys.readouterr()
    assert train.main(["--data", str(copies["reversed"]), "--out", str(out), *tune]) == 2
    line = error_line(capsys.readouterr().err)
    assert "other validation faces" in line and str(csv_run / "checkpoint.pt") in line
    assert not (out / "checkpoint.pt").exists()
    # The same faces in the same order are the run's own: accepted.
    assert train.main(["--data", str(copies["folders"]), "--out", str(out), "--stop-after-steps", "1", *tune]) == 0


def test_a_resume_on_other_faces_is_refused_and_changes_nothing(
    copies: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert train.main(["--data", str(copies["csv"]), "--out", str(out), "--stop-after-steps", "1", *FAST]) == 0
    before = (out / "checkpoint.pt").read_bytes()
    capsys.readouterr()
    assert train.main(["--out", str(out), "--resume", "--data", str(copies["reversed"]), *FAST]) == 2
    assert "other validation faces" in error_line(capsys.readouterr().err)
    assert (out / "checkpoint.pt").read_bytes() == before


def test_an_old_checkpoint_resumed_on_more_faces_is_one_line(
    copies: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a fingerprint only the split settings can be compared (with a note); a larger
    data file then must not end in the schedule's traceback past its last step."""
    out = tmp_path / "old"
    assert train.main(["--data", str(copies["csv"]), "--out", str(out), "--stop-after-steps", "1", *FAST]) == 0
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    del state[FINGERPRINT_KEY]  # as written before fingerprints were kept
    torch.save(state, out / "checkpoint.pt")
    bigger = write_fer_csv(tmp_path / "bigger.csv", {"Training": 12, "PublicTest": 2}, seed=5)
    capsys.readouterr()
    assert train.main(["--out", str(out), "--resume", "--data", str(bigger), *FAST]) == 2
    printed = capsys.readouterr()
    assert "predates validation fingerprints" in printed.out
    assert "schedule" in error_line(printed.err) and str(bigger) in error_line(printed.err)
    # On its own data it resumes as before.
    assert train.main(["--out", str(out), "--resume", *FAST]) == 0


def test_a_soup_of_runs_on_other_faces_is_refused(
    csv_run: Path, copies: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "reversed_run"
    assert train.main(["--data", str(copies["reversed"]), "--out", str(other), *FAST]) == 0
    capsys.readouterr()
    mixed = [str(csv_run / "checkpoint.pt"), str(other / "checkpoint.pt")]
    assert soup.main(["--data", str(copies["csv"]), "--out", str(tmp_path / "s1"), "--threads", "1", *mixed]) == 2
    assert "other validation faces" in error_line(capsys.readouterr().err)
    # Ingredients that agree, cooked on data that holds out other faces.
    copy = tmp_path / "copy.pt"  # a second ingredient (one given twice is refused first)
    copy.write_bytes((csv_run / "checkpoint.pt").read_bytes())
    same = [str(csv_run / "checkpoint.pt"), str(copy)]
    assert soup.main(["--data", str(copies["reversed"]), "--out", str(tmp_path / "s2"), "--threads", "1", *same]) == 2
    assert "other validation faces" in error_line(capsys.readouterr().err)
    assert not (tmp_path / "s2" / "best.safetensors").exists()


def test_calibrate_margin_refuses_other_faces_than_the_cards(copies: dict[str, Path]) -> None:
    config = TrainConfig(data=str(copies["csv"]), val_fraction=0.2, test_split="")
    card = {"config": dataclasses.asdict(config), FINGERPRINT_KEY: held_out(copies["csv"])}
    own = load_split(copies["csv"], "Training", classes_for(6))
    images, _ = calibrate_margin.validation_faces(card, own, limit=10_000)
    assert len(images) > 0
    reordered = load_split(copies["reversed"], "Training", classes_for(6))
    with pytest.raises(DataError, match="other validation faces"):
        calibrate_margin.validation_faces(card, reordered, limit=10_000)
