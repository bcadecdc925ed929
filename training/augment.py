"""Batched augmentation for 48x48 faces, done on whole tensors (cheap on 2 CPU cores)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class AugmentConfig:
    flip: bool = True
    max_rotation_deg: float = 12.0
    max_shift: float = 0.10  # fraction of the image side
    scale_range: tuple[float, float] = (0.9, 1.12)
    brightness: float = 0.25  # additive, in units of the 0..1 pixel range
    contrast: float = 0.3  # multiplicative around the image mean
    erase_prob: float = 0.4  # random erasing of one rectangle
    erase_max_area: float = 0.15

    def scaled(self, strength: float) -> AugmentConfig:
        """The same augmentation with every jitter's size and the erasing chance times
        ``strength`` (flips are kept): 0 leaves flips only, 1 is this config. A light final
        fine-tune lets the network fit faces that look like the ones it will be shown."""
        if strength < 0:
            raise ValueError(f"augmentation strength must be >= 0, got {strength}")
        low, high = self.scale_range
        return replace(
            self,
            max_rotation_deg=self.max_rotation_deg * strength,
            max_shift=self.max_shift * strength,
            scale_range=(1.0 - (1.0 - low) * strength, 1.0 + (high - 1.0) * strength),
            brightness=self.brightness * strength,
            contrast=self.contrast * strength,
            erase_prob=min(1.0, self.erase_prob * strength),
        )


def augment(images: torch.Tensor, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """Augment float images in [0,1], shape (N,1,H,W); all randomness from ``generator``."""
    n = images.shape[0]
    dev = images.device

    def uniform(low: float, high: float, size: int = n) -> torch.Tensor:
        return (torch.rand(size, generator=generator) * (high - low) + low).to(dev)

    angle = uniform(-config.max_rotation_deg, config.max_rotation_deg) * math.pi / 180.0
    scale = uniform(*config.scale_range)
    tx = uniform(-config.max_shift, config.max_shift) * 2.0
    ty = uniform(-config.max_shift, config.max_shift) * 2.0
    flip = torch.ones(n, device=dev)
    if config.flip:
        flip = torch.where(torch.rand(n, generator=generator).to(dev) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos * flip, -sin, tx], dim=1), torch.stack([sin * flip, cos, ty], dim=1)], dim=1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    out = F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)

    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    contrast = uniform(1 - config.contrast, 1 + config.contrast).view(n, 1, 1, 1)
    brightness = uniform(-config.brightness, config.brightness).view(n, 1, 1, 1)
    out = ((out - mean) * contrast + mean + brightness).clamp(0.0, 1.0)

    if config.erase_prob > 0:
        h, w = out.shape[-2:]
        erase = torch.rand(n, generator=generator) < config.erase_prob
        area = torch.rand(n, generator=generator) * config.erase_max_area
        aspect = torch.exp(torch.rand(n, generator=generator) * 1.4 - 0.7)
        eh = (torch.sqrt(area * aspect) * h).long().clamp(1, h)
        ew = (torch.sqrt(area / aspect) * w).long().clamp(1, w)
        y0 = (torch.rand(n, generator=generator) * (h - eh + 1).float()).long()
        x0 = (torch.rand(n, generator=generator) * (w - ew + 1).float()).long()
        fill = torch.rand(n, generator=generator)
        for i in torch.nonzero(erase).flatten().tolist():
            out[i, :, y0[i] : y0[i] + eh[i], x0[i] : x0[i] + ew[i]] = float(fill[i])
    return out
