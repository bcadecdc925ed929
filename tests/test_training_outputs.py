"""A run's files for people (metrics.csv, curves.png, summary.json, config.json) are replaced
whole or not at all, and a resume mends the ones a stop cut short. Real runs, tiny data."""

from __future__ import annotations

import csv
import dataclasses
import errno
from pathlib import Path
from typing import Any

import pytest
import torch
from matplotlib.figure import Figure

from emotion_app.io.atomic import OutputError
from emotion_app.samples import make_random_weights
from emotion_app.weights import load_model, read_card, save_weights
from tests.hostile_support import leftovers
from tests.synthetic_fer import write_fer_csv
from training import export as export_module
from training import plots, train, training_run

FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2"]
HISTORY = [
    {"epoch": 1, "train_loss": 1.5, "train_accuracy": 0.3, "val_loss": 1.6, "val_accuracy": 0.25, "lr": 0.01},
    {"epoch": 2, "train_loss": 1.2, "train_accuracy": 0.5, "val_loss": 1.4, "val_accuracy": 0.4, "lr": 0.005},
]


@pytest.fixture(scope="module")
def fer_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fer_csv(tmp_path_factory.mktemp("csv") / "fer2013.csv", {"Training": 6, "PublicTest": 2})


def metrics_rows(out: Path) -> list[dict[str, str]]:
    with open(out / "metrics.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_failed_write_leaves_the_earlier_metrics_and_curves_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plots.write_metrics(tmp_path, HISTORY[:1])
    before = {name: (tmp_path / name).read_bytes() for name in ("metrics.csv", "curves.png")}

    def stopped(self: csv.DictWriter, rows: object) -> None:
        raise KeyboardInterrupt("signal 2")  # a Ctrl-C while the table is written

    with monkeypatch.context() as patch:
        patch.setattr(csv.DictWriter, "writerows", stopped)
        with pytest.raises(KeyboardInterrupt):
            plots.write_metrics(tmp_path, HISTORY)
    assert {name: (tmp_path / name).read_bytes() for name in before} == before

    def disk_full(self: Figure, target: object, **_kwargs: object) -> None:
        Path(str(target)).write_bytes(b"half a picture")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", disk_full)
    with pytest.raises(OutputError, match="disk full"):
        plots.write_metrics(tmp_path, HISTORY)
    assert (tmp_path / "curves.png").read_bytes() == before["curves.png"]
    assert len(metrics_rows(tmp_path)) == 2  # written whole before the picture failed
    assert leftovers(tmp_path) == []


def test_a_resume_of_a_finished_run_mends_its_metrics(
    tmp_path: Path, fer_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tester's case: a Ctrl-C while the last epoch's metrics were written. The epoch is
    saved whole; the resume (which only exports again) now writes the table from it."""
    real = training_run.write_metrics

    def interrupted(out: Path, history: list[dict[str, float]]) -> None:
        if len(history) == 2:
            raise KeyboardInterrupt("signal 2")
        real(out, history)

    monkeypatch.setattr(training_run, "write_metrics", interrupted)
    out = tmp_path / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--epochs", "2", *FAST]) == 130
    monkeypatch.undo()
    assert [row["epoch"] for row in metrics_rows(out)] == ["1"]
    assert train.main(["--out", str(out), "--resume", "--threads", "1", "--no-progress"]) == 0
    assert "finished all 2 epochs" in capsys.readouterr().out
    assert [row["epoch"] for row in metrics_rows(out)] == ["1", "2"]
    assert (out / "summary.json").is_file() and leftovers(out) == []


@pytest.mark.parametrize(("option", "name"), [("--init-from", "checkpoint.pt"), ("--distill-from", "best.safetensors")])
def test_an_input_that_is_a_file_of_the_run_it_would_replace_is_refused(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str], option: str, name: str
) -> None:
    """--overwrite replaced --init-from OUT/checkpoint.pt (the run the fine-tune started
    from) with its own, and removed --distill-from OUT/best.safetensors before reading it."""
    out = tmp_path / "run"
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--epochs", "1", *FAST]) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    capsys.readouterr()
    given = ["--data", str(fer_csv), "--out", str(out), "--epochs", "1", "--overwrite", option, str(out / name)]
    assert train.main([*given, *FAST]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: {option} {out / name} is the {name} of --out {out}, which this run replaces; "
        "give the run another --out"
    ]
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_a_resume_of_a_finished_run_keeps_a_calibration_written_into_its_export(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The model card's recipe writes calibrations into the run's --export; a resume of the
    finished run (to mend its metrics) exported again over them, without a word."""
    out, export = tmp_path / "run", tmp_path / "model.safetensors"
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--export", str(export), "--epochs", "1", *FAST]) == 0
    model, card = load_model(export)
    calibrated = dataclasses.replace(card, live={"uncertain": {"min_top": 0.5, "min_lead": 0.2}})
    save_weights(export, model, calibrated)  # as calibrate_live --write does
    before = export.read_bytes(), (out / "best.safetensors").read_bytes()
    capsys.readouterr()
    assert train.main(["--out", str(out), "--resume", "--threads", "1", "--no-progress"]) == 0
    assert (export.read_bytes(), (out / "best.safetensors").read_bytes()) == before
    assert f"{export} already holds this run's model: left as it is" in capsys.readouterr().out


def test_a_resume_of_a_finished_run_keeps_another_model_exported_there_since(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A later run exported to the same file; resuming the old finished run (to mend its
    curves) put the old model back in its place, without a word."""
    out, export = tmp_path / "run", tmp_path / "model.safetensors"
    assert train.main(["--data", str(fer_csv), "--out", str(out), "--export", str(export), "--epochs", "1", *FAST]) == 0
    command = read_card(export)[0].training["command"]
    make_random_weights(export, seed=1)  # the later run's model
    later = export.read_bytes()
    capsys.readouterr()
    assert train.main(["--out", str(out), "--resume", "--threads", "1", "--no-progress"]) == 0
    assert export.read_bytes() == later
    assert f"note: --export {export} holds another model than this run's; left as it is" in capsys.readouterr().out
    # Given on the command line, it is replaced, as asked.
    assert train.main(["--out", str(out), "--resume", "--export", str(export), "--threads", "1", "--no-progress"]) == 0
    assert read_card(export)[0].training["command"] == command


def test_a_resume_finishes_an_export_a_stop_cut_off(
    tmp_path: Path, fer_csv: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop while the run exported (after its last checkpoint) left the --export's earlier
    model, and the resume the stop's own line names kept it as "another model"."""
    out, export = tmp_path / "run", tmp_path / "model.safetensors"
    make_random_weights(export, seed=1)  # the model this run was told it replaces
    earlier = export.read_bytes()
    write = export_module.export_weights

    def stopped_at_export(target: Path, *args: Any, **kwargs: Any) -> Path:
        if Path(target) == export:
            raise KeyboardInterrupt("signal 15")
        return write(target, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(export_module, "export_weights", stopped_at_export)
        args = ["--data", str(fer_csv), "--out", str(out), "--export", str(export), "--epochs", "1", *FAST]
        assert train.main(args) == 130
    assert export.read_bytes() == earlier
    capsys.readouterr()
    assert train.main(["--out", str(out), "--resume", "--threads", "1", "--no-progress"]) == 0
    assert f"wrote {export}" in capsys.readouterr().out
    exported, best = read_card(export)[1], read_card(out / "best.safetensors")[1]
    assert exported.keys() == best.keys() and all(torch.equal(exported[name], best[name]) for name in best)
