"""Train the seed CNN on FER-2013 and export a self-describing weights file.

    python -m training.train --data /path/to/fer2013 --epochs 60 --out runs/seed \
        --export weights/emotion_cnn.safetensors

Runs under torchrun (DistributedDataParallel: gloo on CPU, NCCL on GPUs) as well.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys

from emotion_app.arguments import ArgumentParser, names_a_folder

from .arguments import finite_float
from .config import FIELD_HELP, RECORDED_PATHS, TTA_CHOICES, TrainConfig, label_source, range_problem
from .stopping import stop_on_signals


def _parser(given_only: bool = False) -> argparse.ArgumentParser:
    """The command line; ``given_only``: without defaults, so a parse holds only the
    settings given (what a resume reports it does not use)."""
    parser = ArgumentParser(
        prog="python -m training.train",
        description="Train the seed CNN on FER-2013 (CSV or image folders) and export a weights file.",
    )
    defaults = TrainConfig()
    tta_help = "test-time views of the export: auto (chosen on validation), " + ", ".join(TTA_CHOICES[1:])
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = argparse.SUPPRESS if given_only else getattr(defaults, f.name)
        help_text = tta_help if f.name == "tta" else FIELD_HELP.get(f.name, "")
        value = getattr(defaults, f.name)
        if isinstance(value, bool):
            shown = f"{help_text} (default: {'on' if value else 'off'})"
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=shown)
        else:
            # float() takes "nan" and "inf", which no setting means.
            kind = finite_float if isinstance(value, float) else type(value)
            # An empty text default means "not given": its help says what that does.
            shown = f"{help_text} (default: {value!r})".strip() if value != "" else help_text
            parser.add_argument(flag, type=kind, default=default, help=shown)
    return parser


def given_settings(argv: list[str] | None = None) -> set[str]:
    """The names of the settings ``argv`` gives (however abbreviated), defaults left out."""
    return set(vars(_parser(given_only=True).parse_args(argv)))


def absolute_paths(config: TrainConfig) -> TrainConfig:
    """``config`` with each of :data:`RECORDED_PATHS` given made absolute, an ending that
    names a folder kept as a trailing separator (``--export models/`` or ``models/.`` names
    a folder, and is refused as one: abspath drops both endings)."""
    given = {}
    for name in RECORDED_PATHS:
        path = getattr(config, name)
        if path:
            given[name] = os.path.abspath(path) + (os.sep if names_a_folder(path) else "")
    return dataclasses.replace(config, **given)


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    parser = _parser()
    args = parser.parse_args(argv)
    config = absolute_paths(TrainConfig(**vars(args)))
    problem = range_problem(config)
    if problem:
        parser.error(problem)
    if label_source(config) == "ferplus" and not config.votes and not config.resume:
        parser.error("--labels ferplus needs --votes (the FER+ votes CSV)")
    if config.votes and label_source(config) == "fer2013":
        parser.error("--votes is only used with --labels ferplus")
    given = given_settings(argv)
    in_use = {"label_smoothing": config.label_smoothing > 0, "class_weighting": config.class_weighting}
    ignored = ["--" + name.replace("_", "-") for name, used in in_use.items() if used and name in given]
    if ignored and label_source(config) == "ferplus":
        # The votes' loss is a cross-entropy to their distribution: neither would change the run.
        parser.error(f"{' and '.join(ignored)} apply to FER-2013 labels only; the FER+ votes' loss uses neither")
    if config.distill_from and label_source(config) == "ferplus":
        parser.error("--distill-from trains toward the original labels; it cannot be combined with --labels ferplus")
    if not config.data and not config.resume:
        parser.error("--data is required (fer2013.csv or the folder with train/ and test/)")
    if config.resume and config.overwrite:
        parser.error("--resume continues the run in --out and --overwrite replaces it; give one of them")
    return config


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    command = "python -m training.train " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    # The engine (torch) loads only now: --help and a bad argument answer at once. A stop
    # while it loads (seconds) ends in one line, as one while the data loads does.
    try:
        with stop_on_signals():
            from .training_run import start
    except KeyboardInterrupt:
        if os.environ.get("RANK", "0") != "0":
            return 130  # torchrun's other processes stay quiet, as they do later
        resume = f"python -m training.train --out {config.out} --resume"
        print(
            f"\ninterrupted; resume from the last checkpoint with: {resume}"
            if config.resume
            else "\ninterrupted before this run saved a checkpoint; nothing to resume: run the same command again"
        )
        return 130
    return start(config, command, given_settings(argv))


if __name__ == "__main__":
    code = main()
    # Loaded with the run; not after a stop while torch loaded (importing it again then
    # would take seconds, and a torch cut short may not import again).
    distributed = sys.modules.get("training.distributed")
    if distributed is not None and distributed.launched_distributed():
        # A torchrun process leaves without the interpreter's teardown: there a worker
        # thread of the torch library now and then ended the process with "terminate
        # called without an active exception" (SIGABRT) after a stop, failing the run.
        # Its files are written and closed by now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
