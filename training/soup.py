"""Average fine-tunes of one model ("model soup"), keeping the average only where the
validation split says it is better.

    python -m training.soup --data /path/to/fer2013 --out runs/soup \\
        runs/tune_a/checkpoint.pt runs/tune_b/checkpoint.pt runs/tune_c/checkpoint.pt \\
        [--export weights/emotion_cnn.safetensors]

Each checkpoint's best model is an ingredient. Fine-tunes started from the same model
(``training.train --init-from X --seed N``) stay close enough in weight space that their
average is a model too, often a better one (Wortsman et al., 2022, "Model soups").
Candidates, all scored on the validation split the runs share (single view):

- every ingredient alone;
- the uniform soup: the mean of all ingredients;
- the greedy soup: ingredients in order of validation accuracy, each kept only if the
  average with it scores at least as well as without.

An average's BatchNorm statistics are measured again on the training faces. The best
candidate is exported as ``training.train`` exports: test-time views chosen on validation,
the test split reported, never used to choose. The weights file records every ingredient.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emotion_app.arguments import ArgumentParser, threads_problem
from emotion_app.io.atomic import OutputError

from .config import TTA_CHOICES
from .data import USAGES, DataError
from .stopping import interruptible

if TYPE_CHECKING:
    from emotion_app.model import SeedCNN

    from .model_soup import Ingredient

# What a soup writes in its --out (training/export.py's publish).
SOUP_FILES = ("best.safetensors", "summary.json")


@dataclass
class SoupConfig:
    checkpoints: list[str] = field(default_factory=list)
    data: str = ""
    out: str = "runs/soup"
    export: str = ""
    threads: int = 0
    test_split: str = "PublicTest"
    tta: str = "auto"


def parse_args(argv: list[str] | None = None) -> SoupConfig:
    parser = ArgumentParser(
        prog="python -m training.soup",
        description="Average fine-tunes of one model (a model soup) and export the best of the ingredients, "
        "the uniform soup and the greedy soup, chosen on the validation split.",
    )
    parser.add_argument(
        "checkpoints",
        nargs="+",
        help="checkpoint.pt of each run, each once (fine-tunes of one model, sharing its validation split)",
    )
    parser.add_argument("--data", required=True, help="fer2013.csv, or the folder with train/ and test/")
    parser.add_argument(
        "--out",
        default="runs/soup",
        help="folder for best.safetensors, summary.json (default: runs/soup; an earlier soup's there are "
        "replaced, as a note at the start says)",
    )
    parser.add_argument("--export", default="", help="also write the chosen model's weights file here")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument(
        "--test-split",
        default="PublicTest",
        help=f"split reported, never used to choose: {', '.join(USAGES)} or empty for none (default: PublicTest)",
    )
    parser.add_argument(
        "--tta",
        default="auto",
        choices=TTA_CHOICES,
        help="test-time views of the export (default: auto, chosen on validation)",
    )
    args = parser.parse_args(argv)
    if len(args.checkpoints) < 2:
        parser.error("a soup needs at least two checkpoints")
    if threads_problem(args.threads, lowest=0):
        parser.error(threads_problem(args.threads, lowest=0))
    if args.test_split not in ("", *USAGES):  # was a traceback once the data was read
        parser.error(f"--test-split must be one of {', '.join(USAGES)} (or empty: none), got {args.test_split!r}")
    repeated = repeated_checkpoint(args.checkpoints)
    if repeated:
        parser.error(repeated)
    return SoupConfig(args.checkpoints, args.data, args.out, args.export, args.threads, args.test_split, args.tta)


def repeated_checkpoint(paths: list[str]) -> str | None:
    """Why the soup is refused where one file is given twice (the same path, a link to it,
    "./x" for "x"): it would weigh that run double in every average; None where none is."""
    seen: dict[tuple[int, int], tuple[int, str]] = {}
    for number, path in enumerate(paths, start=1):
        try:
            found = os.stat(path)
        except OSError:  # a checkpoint that is not there is named when the checkpoints are read
            continue
        if not stat.S_ISREG(found.st_mode):  # a run's folder given twice is told first as a folder
            continue
        first = seen.setdefault((found.st_dev, found.st_ino), (number, path))
        if first[0] != number:
            earlier, named = first
            if named == path:
                return f"checkpoint {path} is given twice (as checkpoints {earlier} and {number}); give each run once"
            return (
                f"checkpoint {number} ({path}) is the same file as checkpoint {earlier} ({named}); give each run once"
            )
    return None


def run(config: SoupConfig, command: str) -> int:
    import torch

    from emotion_app.model import fold_batch_norm

    from .checkpoints import CHECKPOINT_NAME, FINGERPRINT_KEY, check_validation_faces
    from .datasets import load_data
    from .distributed import log
    from .export import publish
    from .model_soup import as_model, chain_totals, cook, read_ingredients, score
    from .outputs import check_export, check_out_folder, note_replaced_export, note_replaced_outputs

    started = time.time()
    held = [name for name in (CHECKPOINT_NAME, "config.json") if (Path(config.out) / name).exists()]
    if held:  # a training run's folder: its best.safetensors and summary.json are its own
        raise DataError(f"--out {config.out} holds a training run ({', '.join(held)}); give the soup its own folder")
    check_out_folder(Path(config.out), SOUP_FILES)  # now, not after the soup is cooked
    note_replaced_outputs(Path(config.out), SOUP_FILES, "soup")
    if config.export:
        given = {f"checkpoint {index + 1}": path for index, path in enumerate(config.checkpoints)}
        check_export(config.export, {"--data": config.data, **given}, Path(config.out))
        note_replaced_export(config.export)
    # A soup is a few forward passes over the data: the GPU helps where there is one.
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    ingredients = read_ingredients(config.checkpoints)
    base = ingredients[0].config
    # The runs' own split (same fraction, seed and classes), on the data given here.
    train_config = dataclasses.replace(
        base,
        data=config.data,
        out=config.out,
        export=config.export,
        test_split=config.test_split,
        tta=config.tta,
        resume=False,
    )
    data = load_data(train_config)
    for ingredient in ingredients:  # scored on faces one of them trained on, a soup's figures would flatter it
        check_validation_faces(ingredient.fingerprint, ingredient.path, config.data, data.validation_fingerprint)
    spec = ingredients[0].preprocessing
    log(f"data: {len(data.train_labels)} train, {len(data.val_labels)} validation; {len(ingredients)} ingredients")

    for ingredient in ingredients:
        ingredient.validation_accuracy = score(
            as_model(ingredient.state, base, len(data.classes), device), data, spec, device
        )
        log(f"  {ingredient.path}: validation {ingredient.validation_accuracy:.4f}")
    ranked = sorted(ingredients, key=lambda i: i.validation_accuracy, reverse=True)

    uniform = cook(ingredients, data, spec, device)
    uniform_accuracy = score(uniform, data, spec, device)
    log(f"uniform soup of {len(ingredients)}: validation {uniform_accuracy:.4f}")

    best_single = as_model(ranked[0].state, base, len(data.classes), device)
    greedy_members = [ranked[0]]
    greedy_model: SeedCNN = best_single
    greedy_accuracy = ranked[0].validation_accuracy
    for candidate in ranked[1:]:
        trial = cook(greedy_members + [candidate], data, spec, device)
        accuracy = score(trial, data, spec, device)
        kept = accuracy >= greedy_accuracy
        log(f"greedy soup + {candidate.path}: validation {accuracy:.4f} ({'kept' if kept else 'left out'})")
        if kept:
            greedy_members, greedy_model, greedy_accuracy = greedy_members + [candidate], trial, accuracy

    # Ties go to the simpler candidate: a single run, then the greedy soup, then the uniform one.
    choices: list[tuple[float, str, SeedCNN, list[Ingredient]]] = [
        (ranked[0].validation_accuracy, f"ingredient {ranked[0].path}", best_single, [ranked[0]]),
    ]
    if len(greedy_members) > 1:
        choices.append((greedy_accuracy, f"greedy soup of {len(greedy_members)}", greedy_model, greedy_members))
    choices.append((uniform_accuracy, f"uniform soup of {len(ingredients)}", uniform, ingredients))
    best_accuracy, selected, chosen, members = choices[0]
    for choice in choices[1:]:
        if choice[0] > best_accuracy:
            best_accuracy, selected, chosen, members = choice
    log(f"selected on validation: {selected} ({best_accuracy:.4f})")

    soup_seconds = time.time() - started
    records = [m.record for m in ingredients]
    seconds_before, all_epochs, chain_epochs = chain_totals(records)
    meta: dict[str, Any] = {
        "data": str(config.data),
        "classes": list(data.classes),
        "split_sizes": {
            "train": len(data.train_labels),
            "validation": len(data.val_labels),
            config.test_split: len(data.test) if data.test else 0,
        },
        FINGERPRINT_KEY: data.validation_fingerprint,
        # Epochs behind each ingredient (its starting points included), and all epochs trained.
        "epochs": chain_epochs,
        "total_epochs": all_epochs,
        "validation_accuracy": round(best_accuracy, 5),
        "selected": selected,
        "soup": {
            "ingredients": [{**m.record, "validation_accuracy": round(m.validation_accuracy, 5)} for m in ingredients],
            "members": [m.path for m in members],
            "uniform_validation_accuracy": round(uniform_accuracy, 5),
            "greedy_validation_accuracy": round(greedy_accuracy, 5),
            "greedy_members": [m.path for m in greedy_members],
        },
        "command": command,
        "config": dataclasses.asdict(train_config),
        "training_seconds": round(soup_seconds, 1),
        "total_training_seconds": round(soup_seconds + seconds_before, 1),
        "device": str(device),
        "world_size": 1,
    }
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    folded = fold_batch_norm(chosen.cpu()).to(device)  # a copy as it is when there is no BatchNorm
    publish(folded, data, spec, train_config, meta, out, device)
    return 0


@interruptible
def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    # The engine (torch) loads only now: --help and a bad argument answer at once.
    import torch

    from emotion_app.weights import WeightsError

    from .distributed import log_error
    from .outputs import missing_among, remove_if_empty

    if config.threads > 0:
        torch.set_num_threads(config.threads)
    command = "python -m training.soup " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    made = missing_among([Path(config.out)] + ([Path(config.export).parent] if config.export else []))
    try:
        return run(config, command)
    except (DataError, WeightsError, OutputError) as exc:
        remove_if_empty(made)  # a --data or checkpoint that is not there must not leave an empty --out
        log_error(str(exc))
        return 2
    except KeyboardInterrupt:
        remove_if_empty(made)  # nor does a stop: only folders still empty (a finished export's stays)
        raise


if __name__ == "__main__":
    sys.exit(main())
