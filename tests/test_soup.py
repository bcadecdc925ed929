"""Model soups on tiny synthetic data: averaging, choosing on validation, refusing mixed runs."""

import json
import os
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import torch

from emotion_app import EmotionClassifier
from tests.synthetic_fer import write_fer_csv
from training import datasets, soup, train
from training.config import TrainConfig
from training.datasets import load_data
from training.model_soup import average_states, cook, read_ingredients

FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2"]


class FineTunes(NamedTuple):
    data: Path  # the synthetic FER-2013 CSV all the runs trained on
    tunes: list[Path]  # the fine-tunes' checkpoints


@pytest.fixture(scope="module")
def fine_tunes(tmp_path_factory: pytest.TempPathFactory) -> FineTunes:
    """A base run and two differently seeded one-epoch fine-tunes of it."""
    root = tmp_path_factory.mktemp("soup")
    data = write_fer_csv(root / "fer2013.csv", {"Training": 12, "PublicTest": 4})
    assert train.main(["--data", str(data), "--epochs", "1", "--out", str(root / "base"), *FAST]) == 0
    tunes = []
    for seed in (1, 2):
        out = root / f"tune{seed}"
        args = [
            "--data",
            str(data),
            "--epochs",
            "1",
            "--lr",
            "0.01",
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--init-from",
            str(root / "base" / "checkpoint.pt"),
            *FAST,
        ]
        assert train.main(args) == 0
        tunes.append(out / "checkpoint.pt")
    return FineTunes(data, tunes)


def test_average_states_is_the_mean_of_floats_and_keeps_counters() -> None:
    a = {"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}
    b = {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(9)}
    averaged = average_states([a, b])
    assert torch.equal(averaged["w"], torch.tensor([2.0, 4.0]))
    assert averaged["n"].item() == 3


def test_a_soup_of_fine_tunes_exports_the_best_candidate(
    tmp_path: Path, fine_tunes: FineTunes, capsys: pytest.CaptureFixture[str]
) -> None:
    data, tunes = fine_tunes
    out, export = tmp_path / "soup", tmp_path / "soup.safetensors"
    assert (
        soup.main(["--data", str(data), "--out", str(out), "--export", str(export), "--threads", "1", *map(str, tunes)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "uniform soup of 2: validation" in printed and "selected on validation:" in printed
    headline = json.loads(printed.strip().splitlines()[-1])
    assert {"validation_accuracy", "selected", "test_accuracy"} <= headline.keys()
    classifier = EmotionClassifier.load(export)
    card = classifier.card.training
    assert [i["checkpoint"] for i in card["soup"]["ingredients"]] == [str(t) for t in tunes]
    assert card["selected"] == headline["selected"]
    # The ingredients share their starting point; its time is counted once.
    shared = card["soup"]["ingredients"][0]["initialised_from"]["training_seconds"]
    own = sum(i["training_seconds"] for i in card["soup"]["ingredients"])
    assert card["total_training_seconds"] == pytest.approx(card["training_seconds"] + own + shared, abs=0.3)
    assert card["epochs"] == 2 and card["total_epochs"] == 3  # 1 + 1 behind each tune; 1 + 1 + 1 in all
    probabilities = classifier.predict(torch.zeros(2, 48, 48, dtype=torch.uint8).numpy())
    assert probabilities.shape == (2, 6) and abs(float(probabilities.sum(1)[0]) - 1) < 1e-4
    assert (out / "best.safetensors").is_file() and json.loads((out / "summary.json").read_text())["soup"]["members"]


def test_a_soup_says_at_the_start_that_it_replaces_an_earlier_one(
    tmp_path: Path, fine_tunes: FineTunes, capsys: pytest.CaptureFixture[str]
) -> None:
    # A second soup into the same --out replaced the first one's files without a word.
    data, tunes = fine_tunes
    out = tmp_path / "soup"
    argv = ["--data", str(data), "--out", str(out), "--threads", "1", *map(str, tunes)]
    assert soup.main(argv) == 0
    assert "note: --out" not in capsys.readouterr().out
    assert soup.main(argv) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"note: --out {out} holds an earlier soup's best.safetensors, summary.json; this soup replaces them"


def test_the_uniform_soup_is_the_mean_of_the_ingredients(fine_tunes: FineTunes) -> None:
    data, tunes = fine_tunes
    ingredients = read_ingredients([str(t) for t in tunes])
    config = TrainConfig(data=str(data), val_fraction=0.2, test_split="")
    datasets = load_data(config)
    model = cook(ingredients, datasets, ingredients[0].preprocessing, torch.device("cpu"))
    name = "features.0.weight"  # the first convolution
    expected = (ingredients[0].state[name] + ingredients[1].state[name]) / 2
    assert torch.allclose(model.state_dict()[name], expected)


def soup_card(data: Path, out: Path, checkpoints: Sequence[str | Path]) -> dict[str, Any]:
    """The weights card of a soup of ``checkpoints`` (written into ``out``)."""
    assert soup.main(["--data", str(data), "--out", str(out), "--threads", "1", *map(str, checkpoints)]) == 0
    return EmotionClassifier.load(out / "best.safetensors").card.training


def test_a_starting_run_counts_once_however_its_path_was_written(
    tmp_path: Path, fine_tunes: FineTunes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An old fine-tune recorded the run it started from as its --init-from was typed
    # (relative; before runs recorded paths absolute), and before that run was resumed to
    # its end; a new one records it absolute, with its whole time. Mixed in one soup, the
    # shared run's time and epochs were counted twice.
    data, tunes = fine_tunes
    root = tunes[0].parent.parent
    monkeypatch.chdir(root)
    old = torch.load(tunes[0], weights_only=True)
    start = old["initialised_from"]
    assert start["checkpoint"] == str(root / "base" / "checkpoint.pt")  # absolute, as new runs record it
    start["checkpoint"] = os.path.join("base", "checkpoint.pt")
    start["training_seconds"] = round(start["training_seconds"] / 2, 1)  # taken mid-way
    old_tune = tmp_path / "old_tune" / "checkpoint.pt"
    old_tune.parent.mkdir()
    torch.save(old, old_tune)
    card = soup_card(data, tmp_path / "soup", [old_tune, tunes[1]])
    shared = card["soup"]["ingredients"][1]["initialised_from"]["training_seconds"]  # the whole run's
    own = sum(i["training_seconds"] for i in card["soup"]["ingredients"])
    assert card["total_epochs"] == 3  # the base's 1, each tune's 1
    assert card["total_training_seconds"] == pytest.approx(card["training_seconds"] + own + shared, abs=0.3)


def test_an_ingredient_that_another_started_from_counts_once(
    tmp_path: Path, fine_tunes: FineTunes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The base run, given relative on the soup's command line, beside its fine-tune (which
    # records it absolute): the base was counted as an ingredient and again as its start.
    data, tunes = fine_tunes
    monkeypatch.chdir(tunes[0].parent.parent)
    card = soup_card(data, tmp_path / "soup", [os.path.join("base", "checkpoint.pt"), tunes[0]])
    own = sum(i["training_seconds"] for i in card["soup"]["ingredients"])
    assert card["total_epochs"] == 2 and card["epochs"] == 2
    assert card["total_training_seconds"] == pytest.approx(card["training_seconds"] + own, abs=0.3)


def test_runs_with_another_validation_split_are_refused(
    tmp_path: Path, fine_tunes: FineTunes, capsys: pytest.CaptureFixture[str]
) -> None:
    data, tunes = fine_tunes
    other = tmp_path / "other"
    assert train.main(["--data", str(data), "--epochs", "1", "--split-seed", "4", "--out", str(other), *FAST]) == 0
    capsys.readouterr()
    assert (
        soup.main(["--data", str(data), "--out", str(tmp_path / "soup"), str(tunes[0]), str(other / "checkpoint.pt")])
        == 2
    )
    assert "split_seed" in capsys.readouterr().err


def test_a_missing_checkpoint_is_named(
    tmp_path: Path, fine_tunes: FineTunes, capsys: pytest.CaptureFixture[str]
) -> None:
    data, tunes = fine_tunes
    missing = tmp_path / "nowhere" / "checkpoint.pt"
    assert soup.main(["--data", str(data), "--out", str(tmp_path / "soup"), str(tunes[0]), str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


@pytest.mark.parametrize("given", ["the same path", "a link", "./x and x"])
def test_one_checkpoint_given_twice_is_refused_before_anything(
    given: str,
    tmp_path: Path,
    fine_tunes: FineTunes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Was: the soup went on, averaging that run in twice (weighing it double in the uniform
    # soup), and wrote its files.
    data, tunes = fine_tunes
    first = str(tunes[0])
    if given == "the same path":
        again = first
    elif given == "a link":
        again = str(tmp_path / "link.pt")
        os.symlink(first, again)
    else:
        monkeypatch.chdir(tunes[0].parent)
        first, again = tunes[0].name, f"./{tunes[0].name}"
    out, export = tmp_path / "soups" / "one", tmp_path / "models" / "soup.safetensors"
    with pytest.raises(SystemExit) as exit_info:
        soup.main(["--data", str(data), "--out", str(out), "--export", str(export), first, str(tunes[1]), again])
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    if given == "the same path":
        said = f"checkpoint {first} is given twice (as checkpoints 1 and 3); give each run once"
    else:
        said = f"checkpoint 3 ({again}) is the same file as checkpoint 1 ({first}); give each run once"
    assert line == f"python -m training.soup: error: {said}"
    assert sorted(path.name for path in tmp_path.iterdir()) == (["link.pt"] if given == "a link" else [])


def test_a_refused_soup_leaves_no_empty_folders(
    tmp_path: Path, fine_tunes: FineTunes, capsys: pytest.CaptureFixture[str]
) -> None:
    data, tunes = fine_tunes
    out, export = tmp_path / "soups" / "one", tmp_path / "shipped" / "soup.safetensors"
    assert (
        soup.main(["--data", str(tmp_path / "missing"), "--out", str(out), "--export", str(export), *map(str, tunes)])
        == 2
    )
    assert "missing" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == []


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_ctrl_c_in_a_soup_is_one_line_and_exit_130(
    stop: str,
    tmp_path: Path,
    fine_tunes: FineTunes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The empty --out and --export folders the soup made stayed behind after the stop.
    data, tunes = fine_tunes

    def interrupted(*_args: object, **_kwargs: object) -> None:
        if stop == "ctrl-c":
            raise KeyboardInterrupt("signal 2")
        os.kill(os.getpid(), signal.SIGTERM)  # a real signal, handled at the next line of Python
        return None

    monkeypatch.setattr(datasets, "load_data", interrupted)  # (soup.run imports it as it starts)
    out, export = tmp_path / "soups" / "one", tmp_path / "models" / "soup.safetensors"
    code: int | str
    try:
        code = soup.main(["--data", str(data), "--out", str(out), "--export", str(export), *map(str, tunes)])
    except KeyboardInterrupt:
        code = "a traceback"
    assert code == 130 and capsys.readouterr().err.strip().splitlines()[-1] == "interrupted"
    assert sorted(path.name for path in tmp_path.iterdir()) == []
