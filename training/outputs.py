"""Where a training tool will write, checked before it reads any data or runs an epoch:
an unwritable --out or --export would otherwise be found only after hours of training,
and a fresh run in the --out of an earlier one would silently replace it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .checkpoints import CHECKPOINT_NAME
from .config import TrainConfig
from .data import DataError

# Files in --out that mean it holds a run: starting afresh there needs --overwrite.
RUN_FILES = (CHECKPOINT_NAME, "config.json", "metrics.csv", "best.safetensors")


def check_run_outputs(config: TrainConfig) -> None:
    """DataError if --out holds a run this invocation would replace without --resume or
    --overwrite, or if --out or --export cannot be written."""
    out = Path(config.out)
    held = [name for name in RUN_FILES if (out / name).exists()]
    if held and not config.resume and not config.overwrite:
        raise DataError(
            f"--out {out} holds a run already ({', '.join(held)}); continue it with --resume, "
            "or pass --overwrite to replace it"
        )
    check_folder_writable(out, "--out")
    if config.export:
        export = Path(config.export)
        if export.is_dir():
            raise DataError(f"--export {export} is a folder; give the weights file's path")
        check_folder_writable(export.parent, "--export")


def check_folder_writable(folder: Path, option: str) -> None:
    """Make ``folder`` (and its parents) and write a scratch file in it: the real test,
    which also holds for root on a read-only mount. DataError naming ``option`` if not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DataError(f"{option} {folder} is not writable ({exc.strerror or exc})") from None
