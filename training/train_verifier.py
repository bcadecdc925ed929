"""Train the face check's verifier and export its self-describing weights file.

    python -m training.train_verifier --data /path/to/fer2013 \
        --export weights/face_check/face_verifier.safetensors --out runs/verifier

It needs FER-2013 Training and scikit-image's pictures (the dev requirements); its run
time is in weights/README.md. What it learns from, and how the threshold is chosen:
training/face_verifier.py.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from emotion_app.arguments import ArgumentParser, threads_problem

from .arguments import SEED_MAX, finite_float
from .stopping import interruptible
from .verifier_config import METRICS_NAME, VerifierConfig


def parse_args(argv: list[str] | None) -> tuple[VerifierConfig, int]:
    """The run's settings, and the torch threads it may use."""
    defaults = VerifierConfig(data="", export="")
    parser = ArgumentParser(
        prog="python -m training.train_verifier",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--data", required=True, help="FER-2013 (CSV, train/+test/ folders, or a folder)")
    parser.add_argument("--export", required=True, help="the weights file to write (.safetensors)")
    parser.add_argument("--out", default="", help=f"folder for {METRICS_NAME} (per epoch)")
    field_help = {
        "epochs": "training epochs",
        "width": "channels of the network's first convolution (the later ones have 2x, 4x, 4x)",
        "batch_size": "faces and patches per step",
        "seed": "seed of the weights' start, the negative patches and the batches",
        "split_seed": "seed of the validation faces carved from Training",
        "limit": "a quick run: at most this many FER-2013 training faces and look-alikes of each kind (a "
        "ninth of it, at least 1, to validate), the mining in scikit-image's pictures (minutes, before the "
        "first epoch) stopping there; 0: all",
        "lr": "peak learning rate (AdamW, one-cycle schedule)",
        "keep": "share of validation faces the chosen threshold passes",
    }
    for field in ("epochs", "width", "batch_size", "seed", "split_seed", "limit"):
        parser.add_argument(
            f"--{field.replace('_', '-')}",
            type=int,
            default=getattr(defaults, field),
            help=f"{field_help[field]} (default {getattr(defaults, field)})",
        )
    for field in ("lr", "keep"):
        parser.add_argument(
            f"--{field}",
            type=finite_float,
            default=getattr(defaults, field),
            help=f"{field_help[field]} (default {getattr(defaults, field)})",
        )
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    if threads_problem(args.threads):
        parser.error(threads_problem(args.threads))
    if args.lr < 0:
        parser.error(f"--lr must be 0 or more, got {args.lr}")
    if not 0.0 < args.keep < 1.0:
        parser.error(f"--keep must be between 0 and 1, got {args.keep}")
    if args.epochs < 1 or args.width < 1 or args.batch_size < 1:
        parser.error("--epochs, --width and --batch-size must be at least 1")
    # Told now: a negative seed was numpy's traceback after the data loaded (leaving the
    # --export folder made for it), and "--limit -1" kept one validation face to choose on.
    for option, seed in (("--seed", args.seed), ("--split-seed", args.split_seed)):
        if not 0 <= seed <= SEED_MAX:
            parser.error(f"{option} must be between 0 and {SEED_MAX}, got {seed}")
    if args.limit < 0:
        parser.error(f"--limit must be 0 (all faces) or more, got {args.limit}")
    if not args.export.endswith(".safetensors"):
        parser.error(f"--export must name a .safetensors file, got {args.export}")
    values = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(VerifierConfig)
        if hasattr(args, field.name)
    }
    return VerifierConfig(**values), args.threads


@interruptible
def main(argv: list[str] | None = None) -> int:
    config, threads = parse_args(argv)
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    import torch

    from emotion_app.io.atomic import OutputError

    from .data import DataError
    from .face_verifier import train_verifier
    from .outputs import (
        check_export_not_a_loop,
        check_folder_writable,
        check_out_folder,
        missing_among,
        remove_if_empty,
    )

    torch.set_num_threads(threads)
    outputs = [Path(config.export).parent] + ([Path(config.out)] if config.out else [])
    made = missing_among(outputs)
    try:
        # Now, not after the minutes of mining and training: where the results go.
        if Path(config.export).is_dir():
            raise DataError(f"--export {config.export} is a folder; give the weights file's path")
        check_export_not_a_loop(Path(config.export))
        check_folder_writable(Path(config.export).parent, "--export")
        if config.out:
            check_out_folder(Path(config.out), (METRICS_NAME,))
        verifier = train_verifier(config, report=lambda line: print(line, flush=True))  # piped to a log too
    except (DataError, OutputError, OSError) as exc:
        remove_if_empty(made)  # a refused start leaves no folder it made
        print(f"error: {exc}", file=sys.stderr)
        return 2  # bad input, as every other command
    except KeyboardInterrupt:
        remove_if_empty(made)  # nor does a stop (one after an epoch keeps --out and its metrics)
        raise
    print(f"wrote {config.export}: threshold {verifier.card.threshold:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
