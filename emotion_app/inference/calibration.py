"""Synthetic face-like crops: calibration and check inputs for the optimised runners.

No face data ships with the app, so int8 calibration and the agreement check that every
optimised runner must pass before use run on these drawn faces (callers may pass real
crops instead).
"""

from __future__ import annotations

import cv2
import numpy as np


def synthetic_calibration_faces(size: int = 48, count: int = 128, seed: int = 0) -> np.ndarray:
    """Deterministic face-like uint8 crops (N,size,size) for int8 calibration.

    Activation ranges must match what real face crops produce. These images have the
    ingredients of a FER-style crop: a lit oval on a darker background, eyes, brows,
    nose shadow and a mouth at jittered places, over 1/f ("natural image") texture,
    with side light, fine grain and a contrast stretch to nearly the full range, which
    matches FER-2013's per-image contrast and edge statistics.
    """
    rng = np.random.default_rng(seed)
    faces = np.empty((count, size, size), dtype=np.uint8)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    for index in range(count):
        image: np.ndarray = _pink_noise(size, rng) * rng.uniform(10, 45)
        background = rng.uniform(30, 170)
        skin = rng.uniform(90, 220)
        cx, cy = 0.5 + rng.normal(0, 0.04), 0.55 + rng.normal(0, 0.04)
        rx, ry = rng.uniform(0.3, 0.42), rng.uniform(0.38, 0.5)
        oval = (((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2) <= 1.0
        image += np.where(oval, skin, background)
        light = rng.uniform(-40, 40) * (xs - 0.5)
        image += light
        dark = skin * rng.uniform(0.25, 0.6)
        eye_y = cy - ry * rng.uniform(0.15, 0.3)
        eye_dx = rx * rng.uniform(0.35, 0.5)
        for side in (-1, 1):
            ex = cx + side * eye_dx
            _ellipse(image, xs, ys, ex, eye_y, rx * 0.18, ry * 0.07, dark)
            _ellipse(image, xs, ys, ex, eye_y - ry * 0.18, rx * 0.25, ry * 0.04, dark * 1.1)
        _ellipse(image, xs, ys, cx, cy + ry * 0.05, rx * 0.08, ry * 0.12, skin * 0.8)
        mouth_open = rng.uniform(0.02, 0.12)
        _ellipse(
            image, xs, ys, cx, cy + ry * rng.uniform(0.4, 0.55), rx * rng.uniform(0.25, 0.5), ry * mouth_open, dark
        )
        sigma = rng.uniform(0.2, 0.8)
        image = cv2.GaussianBlur(image, (0, 0), sigma)
        # Fine detail (skin, hair, JPEG grain) at the level real crops show.
        image += rng.normal(0, rng.uniform(3, 12), image.shape).astype(np.float32)
        # FER-style crops span nearly the full 0..255 range: stretch to a random range.
        low, high = np.percentile(image, (1, 99))
        target_low, target_high = rng.uniform(0, 40), rng.uniform(215, 255)
        image = (image - low) * ((target_high - target_low) / max(high - low, 1e-3)) + target_low
        if rng.random() < 0.5:
            image = image[:, ::-1]
        faces[index] = np.clip(image, 0, 255).astype(np.uint8)
    # A few flat and gradient crops cover the extremes (over/under-exposed faces).
    extremes = [np.zeros((size, size)), np.full((size, size), 255.0), xs * 255, ys * 255]
    for offset, image in enumerate(extremes, start=1):
        if offset <= count:
            faces[-offset] = image.astype(np.uint8)
    return faces


def _pink_noise(size: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft2(rng.normal(size=(size, size)))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    radius = np.sqrt(fx**2 + fy**2)
    radius[0, 0] = 1.0
    noise = np.fft.irfft2(spectrum / radius, s=(size, size))
    noise -= noise.mean()
    return (noise / (noise.std() + 1e-6)).astype(np.float32)


def _ellipse(
    image: np.ndarray, xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, rx: float, ry: float, value: float
) -> None:
    mask = (((xs - cx) / max(rx, 1e-3)) ** 2 + ((ys - cy) / max(ry, 1e-3)) ** 2) <= 1.0
    image[mask] = value
