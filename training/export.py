"""Exporting a trained model: test-time views chosen on validation, the test splits
reported (never used to choose), the weights file and summary written."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import torch

from emotion_app.io.atomic import output_error, write_text
from emotion_app.model import SEED_ARCHITECTURE, SeedCNN
from emotion_app.preprocessing import Preprocessing
from emotion_app.weights import ModelCard, WeightsError, read_card, save_weights

from .checkpoints import FINGERPRINT_KEY, lineage_seconds
from .config import TTA_VIEWS, TrainConfig, label_source
from .data import DataError, load_split
from .datasets import Datasets
from .distributed import log, world
from .loop import evaluate


def tta_candidates(spec: Preprocessing) -> dict[str, Preprocessing]:
    """``spec`` with each of :data:`TTA_VIEWS`' test-time views."""
    return {
        name: dataclasses.replace(spec, flip_tta=flip, tta_zooms=zooms) for name, (flip, zooms) in TTA_VIEWS.items()
    }


def export_weights(
    path: Path, folded: SeedCNN, classes: tuple[str, ...], spec: Preprocessing, training_meta: dict[str, Any]
) -> Path:
    """Write the inference-form (BatchNorm-folded) model with its card."""
    card = ModelCard(SEED_ARCHITECTURE, folded.architecture_kwargs(), classes, spec, training_meta)
    try:
        return save_weights(path, folded, card)
    except OSError as exc:  # a full disk: one line (the file there, if any, as it was)
        raise output_error(Path(path), exc) from None


def publish(
    folded: SeedCNN,
    data: Datasets,
    spec: Preprocessing,
    config: TrainConfig,
    meta: dict[str, Any],
    out: Path,
    device: torch.device,
    keep_same: bool = False,
    keep_other_export: bool = False,
) -> dict[str, Any]:
    """Choose the test-time views on validation, report the test split(s), export.

    Writes ``out/best.safetensors`` (and ``config.export``) with ``meta`` completed, and
    ``out/summary.json``; prints the summary's headline figures as one JSON line.
    ``keep_same`` (a finished run exported again): a weights file that already holds this
    model is left as it is, with what calibrations wrote into its card since.
    ``keep_other_export``: so is an ``config.export`` that holds another model (one exported
    there since, by another run), with a note saying how to replace it.
    """
    if not all(torch.isfinite(tensor).all() for tensor in folded.state_dict().values()):
        raise DataError(
            "training diverged: the model's weights hold NaN or infinite values, so nothing was exported "
            "(try a lower --lr)"
        )
    # Test-time augmentation is chosen on the validation split only.
    candidates = tta_candidates(spec)
    val_by_tta = {
        name: evaluate(folded, data.val_images, data.val_labels, candidate, device)["accuracy"]
        for name, candidate in candidates.items()
    }
    if config.tta == "auto":
        chosen = "off"
        for name, accuracy in val_by_tta.items():
            if accuracy > val_by_tta[chosen]:
                chosen = name
    elif config.tta in candidates:
        chosen = config.tta
    else:
        raise ValueError(f"--tta must be auto or one of {', '.join(candidates)}, got {config.tta!r}")
    spec = candidates[chosen]
    meta["validation_accuracy_by_tta"] = {name: round(acc, 5) for name, acc in val_by_tta.items()}
    meta["validation_accuracy_flip_tta"] = round(val_by_tta["flip"], 5)
    meta["tta"] = chosen
    meta["flip_tta"] = spec.flip_tta
    log(
        "validation accuracy by test-time augmentation: "
        + ", ".join(f"{n} {a:.4f}" for n, a in val_by_tta.items())
        + f"; exported with {chosen}"
    )
    if data.test is not None:
        test = evaluate(folded, data.test.images, data.test.labels, candidates["off"], device)
        test_tta = evaluate(folded, data.test.images, data.test.labels, candidates["flip"], device)
        shipped = evaluate(folded, data.test.images, data.test.labels, spec, device)
        meta["test_split"] = config.test_split
        meta["test_accuracy"] = round(test["accuracy"], 5)
        meta["test_accuracy_flip_tta"] = round(test_tta["accuracy"], 5)
        meta["test_accuracy_as_shipped"] = round(shipped["accuracy"], 5)
        log(
            f"{config.test_split}: accuracy {test['accuracy']:.4f} (flip TTA {test_tta['accuracy']:.4f}; as exported, "
            f"{chosen}: {shipped['accuracy']:.4f})"
        )
        if data.train_vote_targets is not None:
            # Against FER+ majorities above; the original single labels are reported too.
            original = load_split(config.data, config.test_split, data.classes)
            on_original = evaluate(folded, original.images, original.labels, spec, device)
            meta["test_accuracy_as_shipped_fer2013_labels"] = round(on_original["accuracy"], 5)
            log(
                f"{config.test_split} against the original FER-2013 labels: accuracy {on_original['accuracy']:.4f} "
                "(as exported)"
            )
    if config.test_split != "PrivateTest":
        # The hold-out split, when the user's copy has it (the Kaggle CSV does): reported, never used to select.
        try:
            private = load_split(config.data, "PrivateTest", data.classes)
        except DataError:
            private = None
        if private is not None and private.source != (data.test.source if data.test else None):
            held_out = evaluate(folded, private.images, private.labels, spec, device)
            meta["private_test_accuracy"] = round(held_out["accuracy"], 5)
            log(f"PrivateTest: accuracy {held_out['accuracy']:.4f}")
    for target in [out / "best.safetensors"] + ([Path(config.export)] if config.export else []):
        if keep_same and holds_model(target, folded):
            log(f"{target} already holds this run's model: left as it is (with any calibration written into it)")
        elif keep_other_export and target != out / "best.safetensors" and target.is_file():
            log(
                f"note: --export {target} holds another model than this run's; left as it is (give --export "
                f"{target} with --resume to replace it)"
            )
        else:
            log(f"wrote {export_weights(target, folded, data.classes, spec, meta)}")
    write_text(out / "summary.json", json.dumps(meta, indent=2) + "\n")
    print(
        json.dumps(
            {k: meta[k] for k in ("validation_accuracy", "best_epoch", "selected") if k in meta}
            | {
                k: meta[k]
                for k in (
                    "test_accuracy",
                    "test_accuracy_flip_tta",
                    "test_accuracy_as_shipped",
                    "private_test_accuracy",
                )
                if k in meta
            }
        )
    )
    return meta


def holds_model(path: Path, model: SeedCNN) -> bool:
    """Whether the weights file ``path`` holds exactly ``model``'s tensors, whatever its card says."""
    if not path.is_file():
        return False
    try:
        _, tensors = read_card(path)
    except (WeightsError, OSError):  # damaged or unreadable: written again
        return False
    own = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    return own.keys() == tensors.keys() and all(torch.equal(own[name], tensors[name]) for name in own)


def run_record(
    config: TrainConfig,
    data: Datasets,
    best: dict[str, Any],
    selected: str,
    swa_accuracy: float | None,
    device: torch.device,
    total_seconds: float,
    lineage: dict[str, Any] | None,
) -> dict[str, Any]:
    """What the weights card says about a ``training.train`` run (the commands are added by the caller)."""
    test_size = len(data.test) if data.test else 0
    meta: dict[str, Any] = {
        "data": str(config.data),
        "classes": list(data.classes),
        "epochs": config.epochs,
        "best_epoch": best["epoch"],
        "split_sizes": {
            "train": len(data.train_labels),
            "validation": len(data.val_labels),
            config.test_split: test_size,
        },
        FINGERPRINT_KEY: data.validation_fingerprint,
        "validation_accuracy": round(max(best["val_accuracy"], swa_accuracy or 0.0), 5),
        "selected": selected,
        "best_epoch_validation_accuracy": round(best["val_accuracy"], 5),
        **({"swa_validation_accuracy": round(swa_accuracy, 5)} if swa_accuracy is not None else {}),
        "labels": label_source(config),
        **({"votes": str(config.votes)} if config.votes else {}),
        "seed": config.seed,
        "config": dataclasses.asdict(config),
        "training_seconds": round(total_seconds, 1),
        "device": str(device),
        "world_size": world()[1],
    }
    if lineage is not None:
        meta["initialised_from"] = lineage
        meta["total_training_seconds"] = round(total_seconds + lineage_seconds(lineage), 1)
    return meta


if __name__ == "__main__":
    # A library, its name the option that train, soup and train_verifier export with: run
    # by mistake, it said nothing and exited 0, as if something had been exported.
    print(
        "error: training.export is a library module, not a command: a model is exported by "
        "python -m training.train --export W (a finished run's again: --out RUN --resume --export W) or "
        "python -m training.soup --export W, a face verifier by python -m training.train_verifier "
        "--export W, with their other arguments (README, Commands)",
        file=sys.stderr,
    )
    sys.exit(2)
