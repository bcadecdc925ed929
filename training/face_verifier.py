"""Training the face verifier (emotion_app/faces/face_verifier.py): faces against look-alikes.

Positives are FER-2013 Training faces (every emotion), less the validation faces the
emotion models hold out (stratified 10%, ``split_seed``), which choose the threshold.
Negatives are what the face check must turn down:

* patches where the frontal-face cascades fire (the default and alt2 cascades, every raw
  window) in scikit-image's pictures without faces, at several sizes, mirrored and
  transposed, and random patches of them (no face: boxes over a face the strict cascade
  finds in a picture are left out);
* parts of faces (an eye and brow, a mouth and chin): a box slid off a face;
* generated wood-like grain with scratches and shading edges.

Three pictures (``VALIDATION_PICTURES``) give the validation negatives and none of their
patches trains; scikit-image's coffee photo is used by neither: the tests show its wood
grain to the tracker. The threshold keeps ``keep`` of the validation faces.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from emotion_app.faces.detector import load_frontal_face_cascade
from emotion_app.faces.face_check import load_second_cascade
from emotion_app.faces.face_verifier import (
    FaceVerifier,
    VerifierCard,
    VerifierNet,
    standardised,
    verifier_crop,
)
from emotion_app.faces.geometry import Box, overlap_area
from emotion_app.io.atomic import write_bytes
from emotion_app.weights import save_weights
from emotion_app.wording import count_text

from .data import classes_for, load_split, stratified_split
from .verifier_config import METRICS_NAME, VerifierConfig

# Picture sizes the cascades are run at, so textures meet them at many scales.
MINING_SCALES = (0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


@dataclass
class VerifierData:
    train_faces: np.ndarray
    train_negatives: np.ndarray
    val_faces: np.ndarray
    val_negatives: np.ndarray
    # How many of train_negatives each kind gave: --limit, or the faces and pictures
    # there are, can make them fewer than the config asks for.
    kinds: dict[str, int] = dataclasses.field(default_factory=dict)


def picture(name: str) -> np.ndarray:
    """A scikit-image picture as uint8 gray."""
    from skimage import data

    # binary_blobs draws new blobs on every call unless given a seed.
    loaded = data.binary_blobs(rng=0) if name == "binary_blobs" else getattr(data, name)()
    image = np.asarray(loaded[0] if isinstance(loaded, tuple) else loaded)  # a stereo pair: its left view
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        span = max(1e-6, float(np.ptp(image)))
        image = (255.0 * (image - image.min()) / span).astype(np.uint8)
    if image.ndim == 3:
        image = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(image)


def _overlaps_face(box: Box, faces: np.ndarray) -> bool:
    """Whether over a tenth of ``box`` lies on one of ``faces``."""
    area = box[2] * box[3]
    return any(overlap_area(box, (int(x), int(y), int(w), int(h))) > 0.1 * area for x, y, w, h in faces)


def mined_negatives(
    names: tuple[str, ...],
    card: VerifierCard,
    rng: np.random.Generator,
    random_patches: int,
    report: Callable[[str], None] = lambda line: None,
    most: int = 0,
) -> np.ndarray:
    """Crops where the cascades fire, and random crops, in the named pictures (see the module
    notes); ``report`` is told each picture as its mining starts (the long step of a run).

    ``most`` (0: no bound) bounds the crops, shared out over the pictures in turn: each
    picture's mining stops at its share, and a picture whose share is none is not mined."""
    default = load_frontal_face_cascade()
    second = load_second_cascade()
    mined = picture_shares(names, most)
    crops: list[np.ndarray] = []
    for number, (name, share) in enumerate(mined, start=1):
        report(f"  picture {number}/{len(mined)}: {name}")
        crops.extend(islice(_picture_crops(picture(name), card, rng, random_patches, (default, second)), share))
    if not crops:
        return np.empty((0, card.input_size, card.input_size), np.uint8)
    return np.stack(crops)


def picture_shares(names: tuple[str, ...], most: int) -> list[tuple[str, int | None]]:
    """The pictures :func:`mined_negatives` mines, each with its share of ``most`` crops (0:
    every picture, no bound), shared out in turn: only the first ``most`` where it is fewer."""
    if not most or not names:
        return [(name, None) for name in names]
    shares = [most // len(names) + (index < most % len(names)) for index in range(len(names))]
    return [(name, share) for name, share in zip(names, shares, strict=True) if share]


def _picture_crops(
    gray: np.ndarray,
    card: VerifierCard,
    rng: np.random.Generator,
    random_patches: int,
    cascades: tuple[cv2.CascadeClassifier, cv2.CascadeClassifier],
) -> Iterator[np.ndarray]:
    """One picture's crops for :func:`mined_negatives`, made as they are asked for."""
    default, second = cascades
    for scale in MINING_SCALES:
        shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        scaled = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=shrink)
        for view in (scaled, np.ascontiguousarray(scaled[:, ::-1]), np.ascontiguousarray(scaled.T)):
            faces = np.asarray(default.detectMultiScale(view, 1.1, 5, minSize=(30, 30))).reshape(-1, 4)
            for cascade in (default, second):
                windows = np.asarray(cascade.detectMultiScale(view, 1.1, 0, minSize=(24, 24))).reshape(-1, 4)
                # Sorted: OpenCV's threads hand raw windows back in any order, and the
                # run must not depend on it.
                for found in sorted(map(tuple, windows.tolist())):
                    box = (int(found[0]), int(found[1]), int(found[2]), int(found[3]))
                    if not _overlaps_face(box, faces):
                        yield verifier_crop(view, box, 0.0, card)
        faces = np.asarray(default.detectMultiScale(scaled, 1.1, 5, minSize=(30, 30))).reshape(-1, 4)
        height, width = scaled.shape
        for _ in range(random_patches):
            side = int(rng.integers(24, max(25, min(height, width, 240))))
            if side >= min(height, width):
                continue
            box = (int(rng.integers(0, width - side)), int(rng.integers(0, height - side)), side, side)
            if not _overlaps_face(box, faces):
                yield verifier_crop(scaled, box, 0.0, card)


def face_parts(faces: np.ndarray, rng: np.random.Generator, tries: int) -> np.ndarray:
    """Off-centre parts (0.3-0.5 of the side) of faces, enlarged: boxes slid off a face."""
    side = faces.shape[1]
    parts: list[np.ndarray] = []
    for index in rng.choice(len(faces), min(tries, len(faces)), replace=False):
        part = int(side * rng.uniform(0.3, 0.5))
        x, y = (float(v) for v in rng.uniform(0, side - part, 2))
        if abs(x + part / 2 - side / 2) < 0.2 * side and abs(y + part / 2 - side / 2) < 0.2 * side:
            continue  # about the face's centre: too much of it still a face
        patch = faces[index][int(y) : int(y) + part, int(x) : int(x) + part]
        parts.append(cv2.resize(patch, (side, side), interpolation=cv2.INTER_LINEAR))
    return np.stack(parts) if parts else np.empty((0, side, side), np.uint8)


def grain(rng: np.random.Generator, side: int, size: int = 96) -> np.ndarray:
    """A generated wood-like grain: noise stretched along one direction, waved and turned,
    with scratches and, half the time, a shading edge; ``side`` pixels square."""
    noise = rng.normal(0.0, 1.0, (2 * size, 2 * size)).astype(np.float32)
    across, along = rng.uniform(0.5, 2.0), rng.uniform(4.0, 20.0)
    kernel = cv2.getGaussianKernel(int(6 * along) | 1, along) @ cv2.getGaussianKernel(int(6 * across) | 1, across).T
    texture = cv2.filter2D(noise, -1, kernel.astype(np.float32))
    rows, cols = np.mgrid[0 : 2 * size, 0 : 2 * size].astype(np.float32)
    amplitude, period = rng.uniform(0.0, 6.0), rng.uniform(20.0, 80.0)
    texture = cv2.remap(
        texture,
        cols + amplitude * np.sin(rows / period * 2 * np.pi),
        rows,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT,
    )
    turn = cv2.getRotationMatrix2D((float(size), float(size)), float(rng.uniform(0, 180)), 1.0)
    texture = cv2.warpAffine(texture, turn, (2 * size, 2 * size), borderMode=cv2.BORDER_REFLECT)
    texture = texture[size // 2 : size // 2 + size, size // 2 : size // 2 + size]
    image = 128.0 + rng.uniform(10.0, 50.0) * (texture - texture.mean()) / (texture.std() + 1e-6)
    for _ in range(int(rng.integers(0, 6))):
        start = rng.uniform(0, size, 2)
        angle, length = rng.uniform(0, np.pi), rng.uniform(5, 40)
        end = start + length * np.array([np.cos(angle), np.sin(angle)])
        shade = float(rng.uniform(30, 220))
        cv2.line(image, (int(start[0]), int(start[1])), (int(end[0]), int(end[1])), shade, int(rng.integers(1, 3)))
    if rng.random() < 0.5:
        angle = rng.uniform(0, 2 * np.pi)
        rows, cols = np.mgrid[0:size, 0:size]
        distance = (
            (cols - size / 2) * np.cos(angle) + (rows - size / 2) * np.sin(angle) - rng.uniform(-size / 2, size / 2)
        )
        image = image * np.where(distance > 0, rng.uniform(0.1, 0.6), 1.0)
    image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.3, 1.5)))
    return cv2.resize(np.clip(image, 0, 255).astype(np.uint8), (side, side), interpolation=cv2.INTER_AREA)


def augmented(images: np.ndarray, rng: np.random.Generator, faces: np.ndarray | None = None) -> np.ndarray:
    """Each image moved, scaled and turned (a cascade box's jitter, a face leaning within
    the cascades' reach), mirrored half the time, and now and then shrunk and enlarged (a
    small face), blurred or noisy. ``faces`` (bool per image): those are faces, and a
    fifth of them get darkened eyes (sunglasses, shadow)."""
    side = images.shape[1]
    out = np.empty_like(images)
    for index, image in enumerate(images):
        shift = rng.uniform(-0.12, 0.12, 2) * side
        turn, zoom = float(rng.uniform(-25, 25)), float(rng.uniform(0.75, 1.3))
        matrix = cv2.getRotationMatrix2D((side / 2, side / 2), turn, zoom)
        matrix[:, 2] += shift
        if faces is not None and faces[index] and rng.random() < 0.2:
            image = image.copy()
            top, bottom = int(0.26 * side), int(rng.uniform(0.42, 0.52) * side)
            band = image[top:bottom, int(0.1 * side) : int(0.9 * side)]
            band[:] = (band * rng.uniform(0.15, 0.6)).astype(np.uint8)
        moved = cv2.warpAffine(image, matrix, (side, side), borderMode=cv2.BORDER_REPLICATE)
        if rng.random() < 0.5:
            moved = np.ascontiguousarray(moved[:, ::-1])
        roll = rng.random()
        if roll < 0.3:
            small = int(rng.integers(12, 30))
            moved = cv2.resize(cv2.resize(moved, (small, small), interpolation=cv2.INTER_AREA), (side, side))
        elif roll < 0.45:
            moved = cv2.GaussianBlur(moved, (0, 0), float(rng.uniform(0.5, 1.5)))
        if rng.random() < 0.3:
            noise = rng.normal(0.0, rng.uniform(2, 8), moved.shape)
            moved = np.clip(moved.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        out[index] = moved
    return out


def load_verifier_data(
    config: VerifierConfig, card: VerifierCard, rng: np.random.Generator, report: Callable[[str], None] = print
) -> VerifierData:
    faces = load_split(config.data, "Training", classes_for(7))
    train_idx, val_idx = stratified_split(faces.labels, config.val_fraction, config.split_seed)
    # --limit bounds the look-alikes as it does the faces, a quick run: the mining of every
    # picture at every scale takes most of a full run's data time, so it says where it is.
    most_train = most_validation = 0
    grains = config.grain
    if config.limit:
        train_idx = train_idx[: config.limit]
        val_idx = val_idx[: max(1, config.limit // 9)]
        most_train, most_validation, grains = config.limit, max(1, config.limit // 9), min(config.grain, config.limit)
    train_faces, val_faces = faces.images[train_idx], faces.images[val_idx]
    bounded = (
        f" (--limit: at most {count_text(most_train, 'look-alike')} of each kind to train, {most_validation} to "
        "validate)"
        if config.limit
        else ""
    )
    # The pictures mined, not those named: where --limit is fewer, only the first are.
    mined = (
        picture_shares(config.train_pictures, most_train),
        picture_shares(config.validation_pictures, most_validation),
    )
    report(
        f"{count_text(len(train_faces), 'face')} read; mining look-alikes in scikit-image's pictures: "
        f"{len(mined[0])} to train, then {len(mined[1])} to validate{bounded}"
    )
    negatives = {
        "mined": mined_negatives(config.train_pictures, card, rng, config.random_patches, report, most_train),
        "face_parts": face_parts(train_faces, rng, config.face_parts),  # no more tries than faces
        "grain": np.stack([grain(rng, card.input_size) for _ in range(grains)])
        if grains
        else np.empty((0, card.input_size, card.input_size), np.uint8),
    }
    return VerifierData(
        train_faces=train_faces,
        train_negatives=np.concatenate(list(negatives.values())),
        val_faces=val_faces,
        val_negatives=mined_negatives(
            config.validation_pictures, card, rng, config.random_patches, report, most_validation
        ),
        kinds={kind: len(made) for kind, made in negatives.items()},
    )


def train_verifier(config: VerifierConfig, report: Callable[[str], None] = print) -> FaceVerifier:
    """Train, choose the threshold on validation, write ``config.export`` (atomically) and
    the metrics CSV; returns the verifier as written."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    card = VerifierCard(
        width=config.width, threshold=0.5, crop_margin=config.crop_margin, crop_scales=tuple(config.crop_scales)
    )
    started = time.time()
    data = load_verifier_data(config, card, rng, report)
    report(
        f"data: {len(data.train_faces)} faces and {len(data.train_negatives)} look-alikes to train; "
        f"{len(data.val_faces)} and {len(data.val_negatives)} to validate ({time.time() - started:.0f} s)"
    )
    net = VerifierNet(config.width)
    images = np.concatenate([data.train_faces, data.train_negatives])
    targets = np.concatenate([np.ones(len(data.train_faces)), np.zeros(len(data.train_negatives))]).astype(np.float32)
    steps = max(1, len(images) // config.batch_size)
    optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.lr, total_steps=config.epochs * steps)
    # The classes weigh the same whatever their counts.
    positive_weight = torch.tensor(len(data.train_negatives) / max(1, len(data.train_faces)))
    rows: list[dict[str, Any]] = []
    threshold = 0.5
    for epoch in range(1, config.epochs + 1):
        epoch_start, total = time.time(), 0.0
        order = rng.permutation(len(images))
        for step in range(steps):
            batch = order[step * config.batch_size : (step + 1) * config.batch_size]
            logits = net(standardised(augmented(images[batch], rng, targets[batch] > 0.5)))
            loss = F.binary_cross_entropy_with_logits(
                logits, torch.as_tensor(targets[batch]), pos_weight=positive_weight
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach())
        validating = FaceVerifier(net, card)  # the network in eval mode, as it will be used
        face_scores, other_scores = validating.scores(data.val_faces), validating.scores(data.val_negatives)
        net.train()
        threshold = float(np.quantile(face_scores, 1.0 - config.keep))
        passing = float(np.mean(other_scores >= threshold)) if len(other_scores) else 0.0
        rows.append(
            {
                "epoch": epoch,
                "loss": round(total / steps, 5),
                "threshold": round(threshold, 5),
                "val_faces_kept": round(float(np.mean(face_scores >= threshold)), 5),
                "val_lookalikes_passing": round(passing, 5),
                "seconds": round(time.time() - epoch_start, 1),
            }
        )
        report(
            f"epoch {epoch}/{config.epochs}: loss {rows[-1]['loss']:.4f}, threshold {threshold:.4f} keeps "
            f"{rows[-1]['val_faces_kept']:.1%} of validation faces, passes {passing:.1%} of look-alikes"
        )
    training = {
        "config": {k: v for k, v in dataclasses.asdict(config).items() if k not in ("data", "export", "out")},
        "faces": len(data.train_faces),
        "lookalikes": len(data.train_negatives),
        # The config holds the settings given (grain 15000 beside limit 8): these, what was made.
        "lookalikes_by_kind": data.kinds,
        "validation": rows[-1] if rows else {},
        "seconds": round(time.time() - started),
    }
    card = dataclasses.replace(card, threshold=threshold, training=training)
    save_weights(config.export, net, card)
    if config.out:
        write_rows(Path(config.out) / METRICS_NAME, rows)
    return FaceVerifier.load(config.export)


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """``rows`` as a CSV file at ``path``, all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]) if rows else ["epoch"])
    writer.writeheader()
    writer.writerows(rows)
    write_bytes(path, text.getvalue().encode())


def faces_passing(verifier: FaceVerifier, data: str, usage: str = "PublicTest") -> dict[str, tuple[int, float]]:
    """Per FER-2013 emotion (and "all"), the faces of ``usage`` and the share the verifier passes."""
    faces = load_split(data, usage, classes_for(7))
    passed = verifier.scores(faces.images) >= verifier.card.threshold
    shares = {
        name: (int(np.sum(faces.labels == i)), float(np.mean(passed[faces.labels == i])))
        for i, name in enumerate(faces.classes)
        if np.any(faces.labels == i)
    }
    shares["all"] = (len(faces), float(np.mean(passed)))
    return shares


def box_time_ms(verifier: FaceVerifier, repeats: int = 300) -> float:
    """Median milliseconds of :meth:`FaceVerifier.score` on a 96 px box in a 640x480 frame."""
    frame = np.random.default_rng(0).integers(0, 255, (480, 640), dtype=np.uint8)
    box = (272, 192, 96, 96)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        verifier.score(frame, box)
        times.append((time.perf_counter() - start) * 1000.0)
    return float(np.median(times[repeats // 10 :]))
