"""FER+ votes: both file formats, the target rule, soft-label training and evaluation."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from emotion_app import EmotionClassifier
from emotion_app.samples import make_random_weights
from emotion_app.weights import read_header
from tests.synthetic_fer import EMOTIONS, write_fer_csv, write_fer_folders
from training import evaluate, train
from training.checkpoints import note_other_labels
from training.config import TrainConfig
from training.data import CLASSES_6, CLASSES_7, DataError, load_split
from training.datasets import load_data
from training.ferplus import VOTE_COLUMNS, majority_labels, read_votes, relabel, soft_targets, vote_matrix
from training.loop import soft_cross_entropy

FAST = ["--batch-size", "16", "--threads", "1", "--no-progress", "--val-fraction", "0.2"]
# FER+ column of each FER-2013 emotion name.
COLUMN_OF = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "happiness",
    "sad": "sadness",
    "surprise": "surprise",
    "neutral": "neutral",
}


def votes_for(emotion: str, index: int) -> list[int]:
    """Eight votes for the face's own emotion and two for another; every 9th face is mostly
    not-a-face, and disgust faces are re-voted happy (FER+ often disagrees with FER-2013)."""
    row = dict.fromkeys(VOTE_COLUMNS, 0)
    if index % 9 == 8:
        row["NF"], row["neutral"] = 7, 3
    else:
        own = "happiness" if emotion == "disgust" else COLUMN_OF[emotion]
        row[own] += 8
        row["surprise" if own != "surprise" else "fear"] += 2
    return [row[c] for c in VOTE_COLUMNS]


def write_per_file_votes(root: Path, path: Path) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["split", "file", *VOTE_COLUMNS])
        for index, file in enumerate(sorted(root.glob("*/*/*.png"))):
            split = "Training" if file.name.startswith("Training") else "PublicTest"
            writer.writerow([split, file.relative_to(root).as_posix(), *votes_for(file.parent.name, index)])
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("ferplus")
    root = write_fer_folders(base / "fer2013", train_per_class=10, test_per_class=4)
    return root, write_per_file_votes(root, base / "ferplus-votes.csv")


def test_per_file_votes_match_the_image_folder_layout(folders: tuple[Path, Path]) -> None:
    root, votes_path = folders
    votes = read_votes(votes_path)
    faces = load_split(root, "Training", CLASSES_7)
    matrix = vote_matrix(faces, votes)
    assert matrix.shape == (70, 10) and (matrix.sum(1) == 10).all()
    # Every face got the votes written for its own file.
    for key, row in zip(faces.keys or [], matrix):
        assert votes.counts[key].tolist() == row.tolist()


def test_votes_saved_with_a_byte_order_mark(folders: tuple[Path, Path], tmp_path: Path) -> None:
    _, votes_path = folders
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + votes_path.read_bytes())
    assert {key: row.tolist() for key, row in read_votes(marked).counts.items()} == {
        key: row.tolist() for key, row in read_votes(votes_path).counts.items()
    }


def test_fer2013new_rows_follow_the_kaggle_csv(tmp_path: Path) -> None:
    data = write_fer_csv(tmp_path / "fer2013.csv", {"Training": 3, "PublicTest": 2})
    with open(data, newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(tmp_path / "fer2013new.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Usage", "Image name", *VOTE_COLUMNS])
        for index, row in enumerate(rows):
            # Row 1 of each usage is a face FER+ left out: empty name, still holds its place.
            left_out = index in (1, 22)
            writer.writerow(
                [
                    row["Usage"],
                    "" if left_out else f"fer{index:07d}.png",
                    *votes_for(EMOTIONS[int(row["emotion"])], index),
                ]
            )
    votes = read_votes(tmp_path / "fer2013new.csv")
    assert votes.key_kind == "row" and len(votes) == len(rows) - 2
    test = load_split(data, "PublicTest", CLASSES_7)
    matrix = vote_matrix(test, votes)
    expected = [votes_for(EMOTIONS[int(r["emotion"])], i) for i, r in enumerate(rows) if r["Usage"] == "PublicTest"]
    expected[1] = [0] * 10  # the left-out face
    assert matrix.tolist() == expected
    # Microsoft's row-order file cannot be matched to image files, and says so.
    with pytest.raises(DataError, match="fer2013.csv"):
        vote_matrix(load_split(write_fer_folders(tmp_path / "folders", 1, 1), "Training", CLASSES_7), votes)


def test_votes_become_renormalised_targets_and_unclear_faces_are_dropped() -> None:
    def row(**counts: int) -> list[int]:
        return [counts.get(c, 0) for c in VOTE_COLUMNS]

    counts = np.array(
        [
            row(happiness=6, neutral=3, anger=1),  # the single anger vote is annotator noise
            row(NF=6, neutral=4),  # mostly not a face
            row(disgust=3, contempt=2, sadness=4, unknown=1),  # 4 in the classes vs 5 outside
            row(sadness=5, anger=5),  # a tie: a fine training target, no majority label
            row(fear=1, surprise=1),  # single votes only: kept as they are
            row(),  # no votes
        ]
    )
    targets, keep = soft_targets(counts, CLASSES_6)
    assert keep.tolist() == [True, False, False, True, True, False]
    index = {name: i for i, name in enumerate(CLASSES_6)}
    assert targets[0][index["happy"]] == pytest.approx(6 / 9) and targets[0][index["neutral"]] == pytest.approx(3 / 9)
    assert targets[0][index["angry"]] == 0
    assert targets[3][index["sad"]] == pytest.approx(0.5) and targets[3][index["angry"]] == pytest.approx(0.5)
    assert targets[4][index["fear"]] == pytest.approx(0.5)
    np.testing.assert_allclose(targets[keep].sum(1), 1.0, rtol=1e-6)
    labels, reasons = majority_labels(counts, CLASSES_6)
    assert labels.tolist() == [index["happy"], -1, index["sad"], -1, -1, -1]
    assert reasons == {"no_votes": 1, "tie": 2, "other_majority": 1}


def test_soft_cross_entropy_is_cross_entropy_to_the_vote_distribution() -> None:
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    one_hot = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert soft_cross_entropy(logits, one_hot).item() == pytest.approx(
        F.cross_entropy(logits, torch.tensor([0, 2])).item()
    )
    mixed = torch.tensor([[0.7, 0.3, 0.0], [0.2, 0.2, 0.6]])
    by_hand = -(mixed * torch.log_softmax(logits, 1)).sum(1).mean()
    assert soft_cross_entropy(logits, mixed).item() == pytest.approx(by_hand.item())
    # Its minimum over logits is at the target distribution itself.
    assert soft_cross_entropy(torch.log(mixed + 1e-9), mixed) < soft_cross_entropy(logits, mixed)


def test_ferplus_run_trains_on_votes_and_says_so_in_its_card(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, votes = folders
    export = tmp_path / "ferplus.safetensors"
    args = [
        "--data",
        str(root),
        "--labels",
        "ferplus",
        "--votes",
        str(votes),
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "run"),
        "--export",
        str(export),
        *FAST,
    ]
    assert train.main(args) == 0
    classifier = EmotionClassifier.load(export)
    card = classifier.card.training
    assert card["labels"] == "ferplus" and card["votes"] == str(votes)
    assert classifier.labels == CLASSES_6
    assert sum(p.numel() for p in classifier.model.parameters()) == 1_484_806
    # Validation holds out the faces a FER-2013-label run holds out (12 of 60), minus those
    # without a FER+ majority among the classes; disgust faces re-voted happy train.
    assert 0 < card["split_sizes"]["validation"] <= 12
    with open(votes, newline="") as handle:
        not_a_face = sum(1 for r in csv.DictReader(handle) if r["split"] == "Training" and int(r["NF"]) > 5)
    assert not_a_face > 0 and 58 - not_a_face <= card["split_sizes"]["train"] < 58
    assert "test_accuracy_as_shipped_fer2013_labels" in card


def test_ferplus_needs_votes_and_refuses_distillation(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        train.parse_args(["--data", "x", "--labels", "ferplus"])
    assert "--votes" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.parse_args(["--data", "x", "--votes", "v.csv", "--distill-from", "w.safetensors"])
    assert "--distill-from" in capsys.readouterr().err


def test_evaluate_reports_both_label_sets(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, votes = folders
    export = tmp_path / "w.safetensors"
    assert (
        train.main(
            ["--data", str(root), "--epochs", "1", "--out", str(tmp_path / "run"), "--export", str(export), *FAST]
        )
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "eval"
    assert evaluate.main(["--weights", str(export), "--data", str(root), "--votes", str(votes), "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Original labels: 24 faces of the 6 classes (disgust left out).
    assert summary["n"] == 24 and summary["excluded"] == {"disgust": 4}
    # FER+ majority: the 28 test faces minus the not-a-face ones; re-voted disgust faces count as happy.
    faces = load_split(root, "PublicTest", CLASSES_7)
    expected, _ = relabel(faces, read_votes(votes), CLASSES_6)
    assert summary["ferplus"]["n"] == len(expected) and summary["ferplus"]["left_out"]["other_majority"] > 0
    report = json.loads((out / "report.json").read_text())
    matrix = np.array(report["ferplus"]["confusion_matrix"])
    assert matrix.sum() == len(expected) and np.isclose(report["ferplus"]["accuracy"], np.trace(matrix) / matrix.sum())
    assert (out / "confusion_matrix_ferplus.png").stat().st_size > 1000
    # The same folder again, without votes: no FER+ matrix of the earlier report is left beside the new one.
    assert evaluate.main(["--weights", str(export), "--data", str(root), "--out", str(out)]) == 0
    assert "removed the earlier" in capsys.readouterr().out
    assert sorted(path.name for path in out.iterdir()) == ["confusion_matrix.png", "report.json"]


def weights_trained_with(config: TrainConfig, path: Path) -> Path:
    """Random-init weights whose card records ``config`` as its training run's (the split
    the calibration commands load again)."""
    import dataclasses

    from safetensors.torch import save_file

    from emotion_app.samples import make_random_weights
    from emotion_app.weights import METADATA_KEY, read_card

    make_random_weights(path)
    card, tensors = read_card(path)
    card.training["config"] = dataclasses.asdict(config)
    save_file(tensors, str(path), metadata={METADATA_KEY: card.to_json()})
    return path


def test_calibrate_live_judges_on_the_faces_and_labels_the_model_was_selected_on(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    from training import calibrate_live
    from training.datasets import load_data

    root, votes = folders
    # A fine-tune seeded 2 holds out the faces of split seed 0, like every run it is compared with.
    config = TrainConfig(data=str(root), seed=2, split_seed=0, val_fraction=0.2, test_split="", votes=str(votes))
    path = weights_trained_with(config, tmp_path / "w.safetensors")
    classifier = EmotionClassifier.load(path)
    expected = load_data(config)
    images, labels, name = calibrate_live.validation_faces(classifier, str(root), str(votes))
    np.testing.assert_array_equal(images, expected.val_images.numpy())
    np.testing.assert_array_equal(labels, expected.val_labels.numpy())
    assert name == "FER+ majority"
    # Without votes: the same faces by the original labels, never the split --seed 2 would give.
    plain = load_data(dataclasses.replace(config, votes=""))
    images, labels, name = calibrate_live.validation_faces(classifier, str(root), "")
    np.testing.assert_array_equal(images, plain.val_images.numpy())
    assert name == "FER-2013"
    by_seed = load_data(dataclasses.replace(config, votes="", split_seed=2)).val_images.numpy()
    assert not np.array_equal(by_seed, images), "the seed alone would pick other faces: the test could not tell"


def test_calibrate_contrast_takes_its_bounds_from_the_training_faces_only(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import dataclasses

    from emotion_app.preprocessing import contrast
    from emotion_app.weights import load_model, read_card, save_weights
    from training import calibrate_contrast
    from training.datasets import load_data

    root, votes = folders
    config = TrainConfig(data=str(root), split_seed=0, val_fraction=0.2, test_split="", votes=str(votes))
    path = weights_trained_with(config, tmp_path / "w.safetensors")
    # Thresholds calibrate_live chose earlier must outlive this calibration.
    live = {"uncertain": {"min_top": 0.45, "min_lead": 0.1}}
    model, card = load_model(path)
    save_weights(path, model, dataclasses.replace(card, live=live))
    before = path.read_bytes()
    args = ["--weights", str(path), "--data", str(root), "--votes", str(votes)]
    assert calibrate_contrast.main(args) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert path.read_bytes() == before  # without --write the file is left alone
    split = load_data(dataclasses.replace(config, labels="ferplus"))
    spread = contrast(split.train_images.numpy())
    full, none = report["low_contrast"]
    assert report["training_faces"] == len(spread) and report["validation_faces"] == len(split.val_labels)
    assert full < none and none == round(float(np.percentile(spread, calibrate_contrast.NONE_PERCENTILE)))
    assert calibrate_contrast.main([*args, "--write"]) == 0
    capsys.readouterr()
    written, _ = read_card(path)
    assert written.preprocessing.low_contrast == (full, none)
    assert written.training["low_contrast_calibration"]["low_contrast"] == [full, none]
    assert written.live == live
    assert EmotionClassifier.load(path).preprocessing.low_contrast == (full, none)


@pytest.mark.parametrize("count", ["inf", "1e30", "ten"])
def test_a_vote_count_that_is_no_number_of_votes_is_one_line(tmp_path: Path, count: str) -> None:
    votes = tmp_path / "votes.csv"
    row = [count] + ["0"] * (len(VOTE_COLUMNS) - 1)
    votes.write_text("split,file," + ",".join(VOTE_COLUMNS) + "\nTraining,a.png," + ",".join(row) + "\n")
    with pytest.raises(DataError, match="line 2: vote counts must be numbers of votes"):
        read_votes(votes)


@pytest.mark.parametrize(
    "layout", ["blank line before", "quoted field over two lines before", "bad row over two lines"]
)
def test_a_votes_error_names_the_line_an_editor_shows(tmp_path: Path, layout: str) -> None:
    """It said "row N", counting rows: one short after a blank line or a file name quoted over
    two lines. The bad row starts on line 4 of the file in each layout."""
    counts = ",".join(["3"] + ["0"] * (len(VOTE_COLUMNS) - 1))
    bad = ",".join(["ten"] + ["0"] * (len(VOTE_COLUMNS) - 1))
    header = "split,file," + ",".join(VOTE_COLUMNS)
    lines = {
        "blank line before": [header, "", f"Training,a.png,{counts}", f"Training,c.png,{bad}"],
        "quoted field over two lines before": [header, 'Training,"a', f'b.png",{counts}', f"Training,c.png,{bad}"],
        "bad row over two lines": [header, f"Training,a.png,{counts}", "", 'Training,"c', f'd.png",{bad}'],
    }[layout]
    votes = tmp_path / "votes.csv"
    votes.write_text("\n".join([*lines, f"Training,e.png,{counts}"]) + "\n")
    with pytest.raises(DataError) as error:
        read_votes(votes)
    assert str(error.value) == f"{votes}, line 4: vote counts must be numbers of votes"
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([*lines[:3], f"Training,a.png,{counts}"]) + "\n")
    if layout == "blank line before":
        with pytest.raises(DataError, match=r", line 4: a second row for a.png \(the first is on line 3\)$"):
            read_votes(twice)


def test_faces_without_a_votes_row_are_counted_apart(
    folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """They were counted as left out by their votes ("mostly not-a-face, ..."), hiding a
    votes file that lacks rows."""
    root, votes_path = folders
    config = TrainConfig(data=str(root), votes=str(votes_path), val_fraction=0.2, test_split="")
    full = load_data(config)
    lines = votes_path.read_text().splitlines()
    # Six training faces FER+ would keep (every 9th row is mostly not-a-face).
    dropped = [i for i in range(1, len(lines)) if lines[i].startswith("Training") and (i - 1) % 9 != 8][:6]
    partial = tmp_path / "partial.csv"
    partial.write_text("\n".join(line for i, line in enumerate(lines) if i not in dropped) + "\n")
    capsys.readouterr()
    data = load_data(dataclasses.replace(config, votes=str(partial)))
    assert data.extra["left_out_training"] == full.extra["left_out_training"]
    missing = data.extra["training_without_votes"]
    assert missing + data.extra["validation_left_out"]["no_votes"] == 6
    assert f"{missing} training faces have no votes row" in capsys.readouterr().out


def test_a_votes_file_naming_no_face_of_the_data_is_one_line(
    folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, votes_path = folders
    elsewhere = tmp_path / "elsewhere.csv"  # paths from another copy's root: nothing matches
    elsewhere.write_text(
        votes_path.read_text().replace(",train/", ",fer2013/train/").replace(",test/", ",fer2013/test/")
    )
    out = tmp_path / "run"
    assert train.main(["--data", str(root), "--votes", str(elsewhere), "--epochs", "1", "--out", str(out), *FAST]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("error: ") and str(elsewhere) in line and "none of its" in line
    assert not (out / "checkpoint.pt").exists()


def test_a_face_with_two_votes_rows_is_one_line(folders: tuple[Path, Path], tmp_path: Path) -> None:
    _, votes_path = folders
    lines = votes_path.read_text().splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([*lines, lines[3]]) + "\n")
    with pytest.raises(DataError, match=rf"line {len(lines) + 1}: a second row for .* \(the first is on line 4\)"):
        read_votes(twice)


def test_a_calibration_given_other_labels_than_the_model_learned_says_so(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The model card's recipe passes --votes to every calibration of the FER+ model; without
    them its bounds came from FER-2013's training faces and its figures from their labels, silently."""
    from training import calibrate_contrast

    root, votes = folders
    config = TrainConfig(data=str(root), split_seed=0, val_fraction=0.2, test_split="", votes=str(votes))
    ferplus_model = weights_trained_with(config, tmp_path / "ferplus.safetensors")
    fer2013_model = weights_trained_with(dataclasses.replace(config, votes=""), tmp_path / "fer2013.safetensors")
    for weights, votes_given, said in (
        (ferplus_model, [], "was trained on FER+ votes; without --votes"),
        (fer2013_model, ["--votes", str(votes)], "was trained on FER-2013's labels; --votes"),
    ):
        assert calibrate_contrast.main(["--weights", str(weights), "--data", str(root), *votes_given]) == 0
        notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
        assert any(said in note for note in notes), notes
    for weights, votes_given in ((ferplus_model, ["--votes", str(votes)]), (fer2013_model, [])):
        assert calibrate_contrast.main(["--weights", str(weights), "--data", str(root), *votes_given]) == 0
        assert "trained on" not in capsys.readouterr().out
    # A card that records no training settings (random weights, another tool's) says
    # nothing of its labels: it was noted as "trained on FER-2013's labels".
    unknown, _ = read_header(make_random_weights(tmp_path / "random.safetensors"))
    note_other_labels(unknown.training, "random.safetensors", str(votes))
    assert "trained on" not in capsys.readouterr().out


def test_a_soup_of_a_votes_run_and_a_labels_run_names_the_labels(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """It said the second "normalises faces differently": true (they trained on other faces),
    but not why."""
    from training import soup

    root, votes = folders
    common = ["--data", str(root), "--epochs", "1", *FAST]
    assert train.main([*common, "--out", str(tmp_path / "labels")]) == 0
    assert train.main([*common, "--votes", str(votes), "--out", str(tmp_path / "votes")]) == 0
    capsys.readouterr()
    runs = [str(tmp_path / name / "checkpoint.pt") for name in ("labels", "votes")]
    assert soup.main(["--data", str(root), "--out", str(tmp_path / "soup"), *runs]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line == f"error: {runs[1]} learned ferplus labels and {runs[0]} fer2013; a soup needs runs of one label set"


@pytest.mark.parametrize("cut", ["short", "long"])
def test_a_votes_row_cut_short_or_with_extra_fields_is_one_line(
    folders: tuple[Path, Path], tmp_path: Path, cut: str
) -> None:
    """A file cut off mid-row read the missing counts as no votes (and dropped extra
    fields), training on targets its rows do not hold."""
    _, votes_path = folders
    lines = votes_path.read_text().splitlines()
    columns = len(lines[0].split(","))
    changed = lines[3].rsplit(",", 4)[0] if cut == "short" else lines[3] + ",3"
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("\n".join([*lines[:3], changed, *lines[4:]]) + "\n")
    fields = columns - 4 if cut == "short" else columns + 1
    with pytest.raises(DataError, match=rf"line 4: {fields} fields, but the header has {columns} \(a row cut short"):
        read_votes(damaged)


def test_votes_that_would_go_unused_are_refused(
    folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """evaluate --labels fer2013 --votes V scored without them, and calibrate_live --votes V
    without --data ran its clips and chose no thresholds: both without a word."""
    from training import calibrate_live

    root, votes = folders
    weights = make_random_weights(tmp_path / "model.safetensors")
    out = tmp_path / "report"
    args = ["--data", str(root), "--weights", str(weights), "--labels", "fer2013", "--votes", str(votes)]
    assert evaluate.main([*args, "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == "error: --votes is only used with --labels ferplus"
    assert not out.exists()
    with pytest.raises(SystemExit) as stopped:
        calibrate_live.main(["--clips", str(tmp_path), "--weights", str(weights), "--votes", str(votes)])
    assert stopped.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.endswith("error: --votes judges the thresholds on --data's validation faces; give --data too")
