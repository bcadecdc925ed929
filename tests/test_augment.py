"""Batched augmentation, and its strength knob used for light final fine-tunes."""

import pytest
import torch

from training import train
from training.augment import AugmentConfig, augment


def _smooth_faces(n: int = 32) -> torch.Tensor:
    # Smooth random images, so resampling errors stay small and jitter shows up clearly.
    coarse = torch.rand(n, 1, 6, 6, generator=torch.Generator().manual_seed(1))
    return torch.nn.functional.interpolate(coarse, size=(48, 48), mode="bilinear", align_corners=False)


def _distance_to_source(images: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Per image, mean |out - source| against the source or its mirror, whichever is closer."""
    plain = (out - images).abs().mean(dim=(1, 2, 3))
    mirrored = (out - images.flip(-1)).abs().mean(dim=(1, 2, 3))
    return torch.minimum(plain, mirrored)


def test_strength_one_is_the_default_config() -> None:
    assert AugmentConfig().scaled(1.0) == AugmentConfig()


def test_strength_zero_keeps_only_flips() -> None:
    images = _smooth_faces()
    out = augment(images, AugmentConfig().scaled(0.0), torch.Generator().manual_seed(0))
    assert _distance_to_source(images, out).max() < 1e-5
    flipped = (out - images).abs().mean(dim=(1, 2, 3)) > 1e-3
    assert 0 < int(flipped.sum()) < len(images)  # both mirrored and untouched faces occur


def test_weaker_strength_changes_faces_less() -> None:
    images = _smooth_faces(256)
    distances = [
        float(
            _distance_to_source(
                images, augment(images, AugmentConfig().scaled(s), torch.Generator().manual_seed(0))
            ).mean()
        )
        for s in (0.25, 0.5, 1.0)
    ]
    assert distances[0] < distances[1] < distances[2], distances
    light = AugmentConfig().scaled(0.5)
    assert light.scale_range == pytest.approx((0.95, 1.06)) and light.erase_prob == pytest.approx(0.2)


def test_negative_strength_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="strength"):
        AugmentConfig().scaled(-0.1)
    with pytest.raises(SystemExit):
        train.parse_args(["--data", "x", "--augment-strength", "-1"])
    assert "--augment-strength" in capsys.readouterr().err
