"""Issue 13, case 6: weights cards that used to load and then break (or silently give
nonsense) are refused at load with the project's WeightsError: one line, exit 2."""

from __future__ import annotations

import copy
import errno
import json
import math
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from emotion_app import EmotionClassifier, WeightsError
from emotion_app.cli import main
from emotion_app.link_loops import LINK_LOOP
from emotion_app.samples import astronaut_bgr, make_random_weights
from emotion_app.weights import (
    DEFAULT_WEIGHTS_PATH,
    MAX_CARD_NESTING,
    METADATA_KEY,
    WeightsNotFoundError,
    load_model,
    read_card,
    read_header,
    read_tensors,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def rewrite(
    source: Path,
    target: Path,
    card: Callable[[dict[str, Any]], Any] | None = None,
    tensors: Callable[[dict[str, torch.Tensor]], None] | None = None,
    raw_card: str | None = None,
) -> Path:
    """A copy of ``source`` with its card and/or tensors changed by the callbacks."""
    with safe_open(str(source), framework="pt") as handle:
        meta = json.loads(handle.metadata()[METADATA_KEY])
    values = load_file(str(source))
    if card is not None:
        meta = card(meta) or meta
    if tensors is not None:
        tensors(values)
    text = raw_card if raw_card is not None else json.dumps(meta, allow_nan=True)
    save_file(values, str(target), metadata={METADATA_KEY: text})
    return target


def set_key(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        node = meta
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


def fill(name: str, value: float) -> Callable[[dict[str, torch.Tensor]], None]:
    def change(values: dict[str, torch.Tensor]) -> None:
        values[name] = values[name].clone()
        values[name].view(-1)[3] = value

    return change


BAD_CARDS: dict[str, dict[str, Any]] = {
    "format_version abc": {"card": set_key("format_version", value="abc"), "match": "format_version"},
    "format_version 1.5": {"card": set_key("format_version", value=1.5), "match": "format_version"},
    "input_size 0": {"card": set_key("preprocessing", "input_size", value=0), "match": "input_size"},
    "input_size -48": {"card": set_key("preprocessing", "input_size", value=-48), "match": "input_size"},
    "input_size huge": {"card": set_key("preprocessing", "input_size", value=10**6), "match": "input_size"},
    "input_size 64 (does not fit the network)": {
        "card": set_key("preprocessing", "input_size", value=64),
        "match": "input_size 64 does not fit",
    },
    "input_size text": {"card": set_key("preprocessing", "input_size", value="48"), "match": "input_size"},
    "num_classes -1": {"card": set_key("architecture_kwargs", "num_classes", value=-1), "match": "num_classes"},
    "num_classes 10**9": {"card": set_key("architecture_kwargs", "num_classes", value=10**9), "match": "num_classes"},
    "dropout 7": {"card": set_key("architecture_kwargs", "dropout", value=7), "match": "dropout"},
    "crop_margin -0.6": {"card": set_key("preprocessing", "crop_margin", value=-0.6), "match": "crop_margin"},
    "mean NaN": {"card": set_key("preprocessing", "mean", value=math.nan), "match": "mean must be a finite"},
    "std Infinity": {"card": set_key("preprocessing", "std", value=math.inf), "match": "std must be a finite"},
    "std 0": {"card": set_key("preprocessing", "std", value=0.0), "match": "positive"},
    "scale text": {"card": set_key("preprocessing", "scale", value="1/255"), "match": "scale"},
    "flip_tta 'yes'": {"card": set_key("preprocessing", "flip_tta", value="yes"), "match": "flip_tta"},
    "tta_zooms 0": {"card": set_key("preprocessing", "tta_zooms", value=[0.0]), "match": "tta_zoom"},
    "tta_zooms text": {"card": set_key("preprocessing", "tta_zooms", value="0.9"), "match": "tta_zooms"},
    "labels not names": {"card": set_key("labels", value=[1, 2, 3, 4, 5, 6]), "match": "labels"},
    "labels a string": {"card": set_key("labels", value="angryfearhappy"), "match": "labels"},
    "card a list": {"raw_card": "[1, 2]", "match": "JSON object"},
    "card not JSON": {"raw_card": "{nope", "match": "not JSON"},
    "card nested deeply": {"raw_card": '{"training": ' + "[" * 100_000 + "]" * 100_000 + "}", "match": "nested"},
    "card nested a little too deeply": {
        "card": set_key("training", "deep", value=json.loads("[" * MAX_CARD_NESTING + "]" * MAX_CARD_NESTING)),
        "match": "nested",
    },
    "label with a line break": {
        "card": set_key("labels", value=["angry", "fear", "happy\nface", "sad", "surprise", "neutral"]),
        "match": "line break or control character",
    },
    "label with a control character": {
        "card": set_key("labels", value=["angry", "fear", "happy", "sad", "surprise", "neu\x1ctral"]),
        "match": "line break or control character",
    },
    "label a spreadsheet formula": {
        "card": set_key("labels", value=["=HYPERLINK(1)", "fear", "happy", "sad", "surprise", "neutral"]),
        "match": "formula",
    },
    "label a full-width spreadsheet formula": {
        "card": set_key("labels", value=["angry", "fear", "happy", "sad", "surprise", "＝HYPERLINK(1)"]),
        "match": "formula",
    },
    "scale 1e300 (every face NaN)": {
        "card": set_key("preprocessing", "scale", value=1e300),
        "match": "no probabilities",
    },
    "weights of 1e38 (every face NaN)": {
        "tensors": lambda values: values.__setitem__(
            "features.0.weight", torch.full_like(values["features.0.weight"], 1e38)
        ),
        "match": "no probabilities",
    },
    "weight NaN": {"tensors": fill("features.0.weight", math.nan), "match": "features.0.weight.*NaN or infinite"},
    "weight infinite": {"tensors": fill("classifier.6.bias", -math.inf), "match": "classifier.6.bias.*NaN or infinite"},
}


@pytest.fixture(scope="module")
def good_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_random_weights(tmp_path_factory.mktemp("weights") / "good.safetensors")


@pytest.mark.parametrize("case", BAD_CARDS, ids=list(BAD_CARDS))
def test_bad_card_raises_weights_error_naming_the_file(case: str, good_weights: Path, tmp_path: Path) -> None:
    spec = BAD_CARDS[case]
    path = rewrite(
        good_weights, tmp_path / "bad.safetensors", spec.get("card"), spec.get("tensors"), spec.get("raw_card")
    )
    with pytest.raises(WeightsError, match=spec["match"]) as caught:
        EmotionClassifier.load(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message


def test_the_unchanged_copy_still_loads(good_weights: Path, tmp_path: Path) -> None:
    """The rewriting itself keeps a file loadable, so the failures above are the changes'."""
    path = rewrite(good_weights, tmp_path / "same.safetensors")
    assert EmotionClassifier.load(path).labels == EmotionClassifier.load(good_weights).labels


@pytest.mark.parametrize("case", ["num_classes 10**9", "weight NaN", "card nested deeply", "format_version abc"])
def test_cli_exits_2_with_one_line(
    case: str, good_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = BAD_CARDS[case]
    path = rewrite(
        good_weights, tmp_path / "bad.safetensors", spec.get("card"), spec.get("tensors"), spec.get("raw_card")
    )
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), astronaut_bgr())
    code = main(["analyze", str(image), "--weights", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "bad.safetensors" in err


def test_a_picture_given_as_weights_is_called_what_it_is_not_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "weights file picture.jpg has a header of 5,064,878,326,892,452,095 bytes; at
    # most 8,388,608 (not a model of this app)": its first bytes read as a header size.
    picture = tmp_path / "picture.jpg"
    cv2.imwrite(str(picture), astronaut_bgr())
    code = main(["analyze", str(picture), "--weights", str(picture)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: {picture} is not a weights file of this app (a .safetensors model file is expected)\n"
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [("clip.mp4", bytes(8)), ("clip.mp4", bytes(4096)), ("notes", b"\x05" + bytes(7) + b"hello")],
    ids=["8 zero bytes", "a zero-filled clip", "a small length, then no JSON"],
)
def test_a_file_not_named_as_weights_whose_bytes_are_no_header_is_no_weights_file(
    name: str, data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was "the weights file is damaged or incomplete (its header is not JSON)": a clip.mp4
    # of zeros (a download that never came) called a damaged model, where the same clip
    # with 7 bytes or with frames in it is "not a weights file of this app".
    path = tmp_path / name
    path.write_bytes(data)
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), astronaut_bgr())
    assert main(["analyze", str(image), "--weights", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path} is not a weights file of this app (a .safetensors model file is expected)\n"
    )
    assert path.read_bytes() == data


def raw_safetensors(path: Path, header: dict[str, Any], data: bytes = b"") -> Path:
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)
    return path


def test_a_huge_header_is_refused_before_it_is_read(good_weights: Path, tmp_path: Path) -> None:
    # A header of millions of tensor entries froze the Model menu for seconds a file.
    claimed = tmp_path / "claims.safetensors"
    claimed.write_bytes((100 << 20).to_bytes(8, "little") + b"{}")
    with pytest.raises(WeightsError, match=r"claims.safetensors is not a weights file of this app \(named \.safe"):
        EmotionClassifier.load(claimed)
    # A file that does hold such a header (another program's safetensors): the figures say why.
    with open(claimed, "r+b") as handle:
        handle.truncate(8 + (100 << 20) + 2)
    with pytest.raises(WeightsError, match=r"its safetensors header is 104,857,600 bytes, at most 8,388,608"):
        EmotionClassifier.load(claimed)
    with safe_open(str(good_weights), framework="pt") as handle:
        card = handle.metadata()[METADATA_KEY]
    many = {f"t{i}": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]} for i in range(1001)}
    path = raw_safetensors(tmp_path / "many.safetensors", {"__metadata__": {METADATA_KEY: card}, **many})
    with pytest.raises(WeightsError, match=r"1,001 tensors; at most 1000"):
        EmotionClassifier.load(path)


def test_tensors_the_architecture_lacks_are_refused_before_any_is_read(
    good_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One 100-million-number tensor of the wrong name: reading it first took gigabytes.
    from emotion_app import weights

    with safe_open(str(good_weights), framework="pt") as handle:
        card = handle.metadata()[METADATA_KEY]
    count = 100_000_000
    path = raw_safetensors(
        tmp_path / "big.safetensors",
        {"__metadata__": {METADATA_KEY: card}, "x": {"dtype": "F32", "shape": [count], "data_offsets": [0, 4 * count]}},
    )
    with open(path, "r+b") as handle:  # sparse: no disk used
        handle.truncate(path.stat().st_size + 4 * count)
    reads: list[str | os.PathLike[str]] = []
    read_tensors = weights.read_tensors

    def counted_read(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
        reads.append(path)
        return read_tensors(path)

    monkeypatch.setattr(weights, "read_tensors", counted_read)
    with pytest.raises(WeightsError, match=r"does not match 'seed_cnn'.*unexpected \['x'\]"):
        EmotionClassifier.load(path)
    assert reads == []


def test_a_file_whose_name_is_not_utf8_loads(good_weights: Path, tmp_path: Path) -> None:
    # Legal on Linux (a Latin-1 name from an old USB stick); safetensors cannot open it.
    name = os.fsdecode(b"caf\xe9.safetensors")
    path = tmp_path / name
    path.write_bytes(good_weights.read_bytes())
    assert EmotionClassifier.load(path).labels == EmotionClassifier.load(good_weights).labels


@pytest.mark.parametrize(
    "case",
    ["a UTF-16 header", "metadata false", "a zero-size tensor given bytes"],
)
def test_headers_safetensors_refuses_are_refused_at_once(case: str, tmp_path: Path) -> None:
    # The Model menu reads headers only: a file it lists must load.
    entry = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}
    if case == "a UTF-16 header":
        text = json.dumps({"a": entry}).encode("utf-16")
        path = tmp_path / "h.safetensors"
        path.write_bytes(len(text).to_bytes(8, "little") + text + bytes(4))
    elif case == "metadata false":
        path = raw_safetensors(tmp_path / "h.safetensors", {"__metadata__": False, "a": entry}, bytes(4))
    else:
        empty = {"dtype": "F32", "shape": [0], "data_offsets": [0, 4]}
        path = raw_safetensors(tmp_path / "h.safetensors", {"a": empty}, bytes(4))
    with pytest.raises(WeightsError, match="h.safetensors: the weights file is damaged or incomplete"):
        read_header(path)


def cut(source: Path, target: Path, keep: Callable[[bytes], bytes]) -> Path:
    target.write_bytes(keep(source.read_bytes()))
    return target


def header_end(data: bytes) -> int:
    return 8 + int.from_bytes(data[:8], "little")


# Weights files damaged the ways a copy, a download or a disk damages them, each made from
# the shipped model, and the reason told after the plain lead.
DAMAGED: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "cut in half": (lambda data: data[: len(data) // 2], "cut short by {half:,} bytes"),
    "its last byte lost": (lambda data: data[:-1], "cut short by 1 byte"),
    "cut inside its header": (lambda data: data[:100], "the header is cut short"),
    "a byte appended": (lambda data: data + b"\0", "1 byte more than its header describes"),
    "its header overwritten": (
        lambda data: data[:8] + b"#" * (header_end(data) - 8) + data[header_end(data) :],
        "its header is not JSON",
    ),
    "all zeros": (lambda data: bytes(len(data)), "its header is not JSON"),
    "empty": (lambda data: b"", "it is empty"),
    "three bytes": (lambda data: data[:3], "only 3 bytes long"),
}


@pytest.mark.parametrize("case", DAMAGED, ids=list(DAMAGED))
def test_a_damaged_weights_file_is_called_damaged_first(case: str, tmp_path: Path) -> None:
    # Was: "weights file F is truncated, corrupt or not a safetensors file (the file holds
    # 2,966,840 bytes of tensors, its header 5,939,224)": the format's words first.
    keep, reason = DAMAGED[case]
    path = cut(DEFAULT_WEIGHTS_PATH, tmp_path / "copy.safetensors", keep)
    size = DEFAULT_WEIGHTS_PATH.stat().st_size
    half = size - size // 2
    with pytest.raises(WeightsError) as caught:
        EmotionClassifier.load(path)
    assert str(caught.value) == f"{path}: the weights file is damaged or incomplete ({reason.format(half=half)})"


def test_tensors_cut_short_after_their_header_was_read_are_called_damaged(tmp_path: Path) -> None:
    # The file cut short between the header's check and the tensors' read (a copy over it
    # in progress): safetensors' own reason, after the same lead.
    path = cut(DEFAULT_WEIGHTS_PATH, tmp_path / "copy.safetensors", lambda data: data[:-1])
    with pytest.raises(WeightsError) as caught:
        read_tensors(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: the weights file is damaged or incomplete (") and "\n" not in message


def test_cli_says_a_truncated_weights_file_is_damaged_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cut(DEFAULT_WEIGHTS_PATH, tmp_path / "copy.safetensors", lambda data: data[:-1])
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), astronaut_bgr())
    assert main(["analyze", str(image), "--weights", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}: the weights file is damaged or incomplete (cut short by 1 byte)\n"
    )


def test_an_empty_weights_path_is_called_empty_not_the_current_folder() -> None:
    # Made a Path, "" is Path("."): it was refused as "weights path is not a file: .".
    with pytest.raises(WeightsError, match=r"^the weights path is empty"):
        EmotionClassifier.load("")
    with pytest.raises(WeightsError, match=r"^the weights path is empty"):
        read_header("")


@pytest.mark.parametrize("loader", [EmotionClassifier.load, load_model, read_header, read_card, read_tensors])
@pytest.mark.parametrize("path", ["", Path(""), "."], ids=["empty string", "Path of it", "dot"])
def test_an_empty_path_object_is_called_empty_as_an_empty_string_is(
    loader: Callable[[str | Path], object], path: str | Path
) -> None:
    # Path("") is Path("."): the empty string was caught, the Path made of it was refused
    # as "weights path is not a file: ." (read_tensors: "cannot read weights file .").
    with pytest.raises(WeightsError) as caught:
        loader(path)
    message = 'the weights path is empty (or ".", the current folder): give a .safetensors weights file'
    assert str(caught.value) == message


def test_a_missing_weights_file_is_a_file_not_found_error_as_well(tmp_path: Path) -> None:
    # `except FileNotFoundError` did not catch it: WeightsError was a plain Exception.
    missing = tmp_path / "gone.safetensors"
    with pytest.raises(FileNotFoundError, match=r"^weights file not found: .*gone\.safetensors$") as caught:
        EmotionClassifier.load(missing)
    assert isinstance(caught.value, WeightsError)
    # A file that is there but no weights stays a WeightsError only.
    not_weights = tmp_path / "notes.safetensors"
    not_weights.write_text("hello")
    with pytest.raises(WeightsError) as caught_as_weights_error:
        EmotionClassifier.load(not_weights)
    assert not isinstance(caught_as_weights_error.value, OSError)


def test_a_damaged_or_foreign_weights_file_is_a_value_error_as_well(tmp_path: Path) -> None:
    # `except ValueError` did not catch a bad file: WeightsError was a plain Exception,
    # though a damaged file, or one that holds no weights, is a bad value given.
    not_weights = tmp_path / "photo.safetensors"
    cv2.imwrite(str(tmp_path / "photo.png"), astronaut_bgr())
    (tmp_path / "photo.png").rename(not_weights)
    damaged = cut(DEFAULT_WEIGHTS_PATH, tmp_path / "copy.safetensors", lambda data: data[:-1])
    for path, reason in ((not_weights, "is not a weights file"), (damaged, "damaged or incomplete")):
        with pytest.raises(ValueError, match=reason) as caught:
            EmotionClassifier.load(path)
        assert isinstance(caught.value, WeightsError) and str(path) in str(caught.value)


def test_the_weights_errors_pickle_copy_and_read_as_their_builtin_bases(tmp_path: Path) -> None:
    # With ValueError ahead of FileNotFoundError in its bases, WeightsNotFoundError was built
    # and shown as a ValueError: made as any OSError is (errno, words, file) its errno and
    # filename were None and str() was the bare tuple, though it is a FileNotFoundError.
    made = WeightsNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "gone.safetensors")
    plain = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "gone.safetensors")
    for error in (made, pickle.loads(pickle.dumps(made)), copy.deepcopy(made)):
        assert (error.errno, error.strerror, error.filename, str(error)) == (
            plain.errno,
            plain.strerror,
            plain.filename,
            str(plain),
        )
        assert isinstance(error, WeightsError) and isinstance(error, ValueError)
    # The errors a load raises come back from a pickle (another process) or a copy as raised.
    damaged = cut(DEFAULT_WEIGHTS_PATH, tmp_path / "copy.safetensors", lambda data: data[:-1])
    for path in (tmp_path / "gone.safetensors", damaged):
        with pytest.raises(WeightsError) as caught:
            EmotionClassifier.load(path)
        for error in (pickle.loads(pickle.dumps(caught.value)), copy.copy(caught.value)):
            assert type(error) is type(caught.value) and str(error) == str(caught.value)


@pytest.mark.parametrize("where", ["given", "shipped"])
def test_a_missing_weights_file_says_its_errno_and_name_as_open_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # `except FileNotFoundError as e: e.filename` gave None: the error the app raised had
    # its message alone, no errno, strerror or filename.
    import emotion_app.inference.classifier as classifier_module

    missing = tmp_path / "gone.safetensors"
    if where == "shipped":
        monkeypatch.setattr(classifier_module, "DEFAULT_WEIGHTS_PATH", missing)
    with pytest.raises(WeightsNotFoundError) as caught:
        EmotionClassifier.load(missing if where == "given" else None)
    raised = caught.value
    with pytest.raises(FileNotFoundError) as opened:
        open(missing, "rb")
    start = "weights file not found: " if where == "given" else f"the shipped weights are not at {missing}: "
    for error in (raised, pickle.loads(pickle.dumps(raised)), copy.copy(raised), copy.deepcopy(raised)):
        assert type(error) is WeightsNotFoundError
        assert (error.errno, error.strerror, error.filename) == (
            opened.value.errno,
            opened.value.strerror,
            opened.value.filename,
        )
        assert error.errno == errno.ENOENT and error.filename == str(missing)
        # The message reads as before: the app's words, not "[Errno 2] ...".
        assert str(error).startswith(start) and error.args == (str(error),)
        if where == "given":
            assert str(error) == f"weights file not found: {missing}"


@pytest.mark.parametrize("loader", [EmotionClassifier.load, load_model, read_header, read_card])
def test_a_weights_path_that_cannot_be_looked_at_is_a_weights_error(
    loader: Callable[[str | Path], object], tmp_path: Path
) -> None:
    # Path.exists() raises for a name longer than the file system takes (or a folder on the
    # way the user may not search): the OSError went out as it was, "[Errno 36] ...".
    too_long = tmp_path / ("w" * 300 + ".safetensors")
    with pytest.raises(WeightsError) as caught:
        loader(too_long)
    assert str(caught.value) == f"cannot read weights file {too_long}: File name too long"


@pytest.mark.parametrize("loader", [EmotionClassifier.load, load_model, read_header, read_card])
def test_only_a_weights_file_that_is_not_there_is_not_found(
    loader: Callable[[str | Path], object], tmp_path: Path
) -> None:
    # Was: a link that leads back to itself was "weights file not found" (Path.exists()
    # says False for a loop of links), so the GUI skipped a remembered one without a word,
    # as if it had been deleted, though it is there and cannot be read.
    loop = tmp_path / "loop.safetensors"
    loop.symlink_to(loop)
    with pytest.raises(WeightsError) as caught:
        loader(loop)
    assert not isinstance(caught.value, WeightsNotFoundError)
    # Said as every path that is a loop is (it read "cannot read weights file LOOP: Too many
    # levels of symbolic links", the system's words).
    assert str(caught.value) == f"weights path {loop} is {LINK_LOOP}"
    # Not there: its folder gone (a drive not plugged in), a link to such a file, a folder
    # on the way that is a file.
    (tmp_path / "a file").write_text("")
    dangling = tmp_path / "link.safetensors"
    dangling.symlink_to(tmp_path / "unplugged" / "mine.safetensors")
    for missing in (tmp_path / "unplugged" / "mine.safetensors", dangling, tmp_path / "a file" / "w.safetensors"):
        with pytest.raises(WeightsNotFoundError, match=r"^weights file not found: "):
            loader(missing)


def test_the_tools_tell_a_weights_path_that_cannot_be_looked_at_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # analyze said Python's "error: [Errno 36] File name too long: '...'"; training.evaluate
    # (and calibrate_margin) ended in a traceback.
    from training import evaluate

    too_long = tmp_path / ("w" * 300 + ".safetensors")
    image = tmp_path / "face.png"
    cv2.imwrite(str(image), astronaut_bgr())
    expected = f"error: cannot read weights file {too_long}: File name too long\n"
    assert main(["analyze", str(image), "--weights", str(too_long)]) == 2
    assert capsys.readouterr().err == expected
    assert evaluate.main(["--data", str(tmp_path), "--weights", str(too_long)]) == 2
    assert capsys.readouterr().err == expected
