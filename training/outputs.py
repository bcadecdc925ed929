"""Where a training tool will write, checked before it reads any data or runs an epoch:
an unwritable --out or --export would otherwise be found only after hours of training,
and a fresh run in the --out of an earlier one would silently replace it."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from torch import nn

from emotion_app.arguments import names_a_folder
from emotion_app.io.atomic import same_file
from emotion_app.io.path_lookup import folder_in_the_way
from emotion_app.link_loops import link_trouble
from emotion_app.shipped import DEFAULT_WEIGHTS_DIR, shipped_files
from emotion_app.weights import ModelCard, save_weights

from .checkpoints import CHECKPOINT_NAME
from .config import TrainConfig
from .data import DataError
from .distributed import log

# Files in --out that mean it holds a run: starting afresh there needs --overwrite.
RUN_FILES = (CHECKPOINT_NAME, "config.json", "metrics.csv", "best.safetensors")


# What a finished run leaves beside its checkpoint: an --overwrite run removes the old
# ones once its data has loaded, so a new run stopped early never sits beside them.
RESULT_FILES = ("best.safetensors", "summary.json", "metrics.csv", "curves.png")
# Every file a run writes in --out.
RUN_OUTPUTS = (CHECKPOINT_NAME, "config.json", "metrics.csv", "curves.png", "best.safetensors", "summary.json")


def remove_old_results(out: Path) -> list[str]:
    """The earlier run's result files in ``out`` removed; returns their names."""
    removed = []
    for name in RESULT_FILES:
        path = out / name
        if path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def check_run_outputs(config: TrainConfig) -> None:
    """DataError if --out holds a run this invocation would replace without --resume or
    --overwrite, or if --out or --export cannot be written."""
    out = Path(config.out)
    trouble = link_trouble(out / CHECKPOINT_NAME) if config.resume else ""
    if trouble:  # "no checkpoint at" it said, of a file ls lists
        raise DataError(f"--resume: {out / CHECKPOINT_NAME} {trouble}, not a checkpoint")
    inputs = {
        "--data": config.data,
        "--votes": config.votes,
        "--distill-from": config.distill_from,
        "--init-from": config.init_from,
    }
    if not config.resume:
        check_inputs_outside_run(inputs, out)
    held = [name for name in RUN_FILES if (out / name).exists()]
    if held and not config.resume and not config.overwrite:
        raise DataError(
            f"--out {out} holds a run already ({', '.join(held)}); continue it with --resume, "
            "or pass --overwrite to replace it"
        )
    check_out_folder(out, RUN_OUTPUTS)
    if config.export:
        check_export(config.export, inputs, out)
        if not config.resume:  # a resume says it once it knows the run's own export (training_run.run)
            note_replaced_export(config.export)


def check_inputs_outside_run(inputs: dict[str, str], out: Path) -> None:
    """DataError if an input names a file a fresh run in ``out`` replaces or removes: an
    --overwrite run removed --distill-from OUT/best.safetensors before reading it, and
    replaced --init-from OUT/checkpoint.pt, the run it started from, with its own."""
    for option, given in inputs.items():
        for name in RUN_OUTPUTS:
            if given and same_file(Path(given), out / name):
                raise DataError(
                    f"{option} {given} is the {name} of --out {out}, which this run replaces; "
                    "give the run another --out"
                )


def missing_folders(config: TrainConfig) -> list[Path]:
    """The folders of --out and --export's that do not exist yet, parents first: the run
    makes them, and :func:`remove_if_empty` takes those still empty away however it ends."""
    return missing_among([Path(config.out)] + ([Path(config.export).parent] if config.export else []))


def missing_among(wanted: list[Path]) -> list[Path]:
    """Those of the folders ``wanted`` and their parents that do not exist yet, parents first."""
    missing: list[Path] = []
    for folder in wanted:
        chain: list[Path] = []
        for level in (folder, *folder.parents):
            if level.exists() or level.is_symlink():
                break
            chain.append(level)
        missing.extend(level for level in reversed(chain) if level not in missing)
    return missing


def remove_if_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` (parents first, as :func:`missing_folders` gives them)
    that are empty, deepest first: a run refused at its start leaves no folder behind."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty, or already gone: left as it is


def check_export(given_export: str, inputs: dict[str, str], out: Path) -> None:
    """DataError if --export ``given_export`` is a folder, would overwrite an input (a file given,
    or one inside a data folder) or a file of the run folder ``out``, or cannot be written."""
    export = Path(given_export)
    if export.is_dir() or names_a_folder(given_export):
        raise DataError(f"--export {export} is a folder; give the weights file's path")
    check_export_not_a_loop(export)
    for option, given in inputs.items():
        if not given:
            continue
        source = Path(given)
        if same_file(export, source) or (source.is_dir() and _inside(export, source)):
            raise DataError(f"--export {export} would overwrite {option} {source}; give the weights file another path")
    if _inside(export, out) and export.name in (*RUN_FILES, "summary.json"):
        raise DataError(f"--export {export} is a file of the run folder {out}; give the weights file another path")
    check_folder_writable(export.parent, "--export")


def check_export_not_a_loop(export: Path) -> None:
    """DataError if the weights file ``export`` is a loop of symbolic links. The export
    (renamed into place) replaced it with a plain file without a word; refused, as
    analyze's outputs refuse one. A link to a real file is replaced by the new file, as
    any file there is: its target stays as it was."""
    trouble = link_trouble(export)
    if trouble and not link_trouble(export.parent):  # one on the way: told of its folder
        raise DataError(f"--export {export} {trouble}; remove that link first")


def note_replaced_export(export: str) -> None:
    """Said at the start, while a stop costs nothing: the weights file --export names (the
    shipped model's, in the model card's recipes) is replaced by this run's at its end."""
    path = Path(export)
    if not path.is_file():
        return
    shipped = any(same_file(path, file) for file in shipped_files())
    restore = f" (a shipped file: `git checkout -- {path}` in the clone brings it back)" if shipped else ""
    log(f"note: --export {export} exists; the model this run selects will replace it when the run ends{restore}")


def note_replaced_outputs(out: Path, names: tuple[str, ...], what: str) -> None:
    """Said at the start, as for --export: the files of an earlier ``what`` in ``out`` (those of
    ``names`` there), which this one replaces. A report or a soup is made again from its
    inputs, so replacing one needs no --overwrite, as a training run's checkpoint does."""
    held = [name for name in names if (out / name).is_file()]
    if held:
        log(f"note: --out {out} holds an earlier {what}'s {', '.join(held)}; this {what} replaces them")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def check_out_folder(folder: Path, files: tuple[str, ...] = ()) -> None:
    """A tool's ``--out`` checked: outside the shipped ``weights/`` folder (run files, reports
    and metrics written among the shipped ones would pass for them), writable, and none of
    the ``files`` the tool writes there a loop of symbolic links: no file can be written
    through one, which was found only when it was due (a run's checkpoint, after an epoch)."""
    if _inside(folder, DEFAULT_WEIGHTS_DIR):
        where = "is" if _inside(DEFAULT_WEIGHTS_DIR, folder) else "is inside"
        raise DataError(
            f"--out {folder} {where} the shipped weights folder {DEFAULT_WEIGHTS_DIR}; give a folder of its own "
            "(such as runs/NAME)"
        )
    check_folder_writable(folder, "--out")
    for name in files:
        trouble = link_trouble(folder / name)
        if trouble:
            raise DataError(f"--out {folder}: its {name} {trouble}; remove that link first")


def check_folder_writable(folder: Path, option: str) -> None:
    """Make ``folder`` (and its parents) and write a scratch file in it: the real test,
    which also holds for root on a read-only mount. DataError naming ``option`` if not."""
    in_the_way = folder_in_the_way(folder)
    if in_the_way:  # mkdir would say only "File exists", or "not writable" of a path through a loop
        raise DataError(f"{option} {folder} {in_the_way}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DataError(f"{option} {folder} is not writable ({exc.strerror or exc})") from None


def check_weights_writable(source: Path | None, write: bool) -> None:
    """A calibration's ``--write``: the folder of the weights file ``source`` (None: the
    model has no file) checked now, not after the calibration has run."""
    if write and source is not None:
        check_folder_writable(source.parent, "--write")


def wrote_weights(path: Path, model: nn.Module, card: ModelCard) -> bool:
    """``--write``: the weights file ``path`` saved again with ``card``. A failure is said in
    one line on stderr, as the calibrations' other errors are, and False returned (they exit
    2); the file is left as it was (save_weights renames into place)."""
    try:
        save_weights(path, model, card)
    except OSError as exc:
        print(f"error: --write: could not write {path} ({exc.strerror or exc}); it is as it was", file=sys.stderr)
        return False
    return True
