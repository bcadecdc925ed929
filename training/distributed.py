"""Where a run executes: its rank and world under torchrun, its device, logging on rank 0,
and the per-step seeds that make a resumed run draw what an uninterrupted one would."""

from __future__ import annotations

import os
import sys

import torch
import torch.distributed as dist

from .config import TrainConfig


def launched_distributed() -> bool:
    """Whether torchrun started this process as one of several (before the group exists)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def is_main_process() -> bool:
    return not dist.is_initialized() or dist.get_rank() == 0


def world() -> tuple[int, int]:
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def log(message: str) -> None:
    if is_main_process():
        print(message, flush=True)


def log_error(message: str) -> None:
    """An error line, on standard error as the other front ends' (a run's log redirected to
    a file must not hide why it stopped)."""
    if is_main_process():
        print(f"error: {message}", file=sys.stderr, flush=True)


def step_seed(seed: int, epoch: int, step: int) -> int:
    # Every step's randomness depends only on (seed, epoch, step), so a resumed run
    # draws exactly what the uninterrupted run would have drawn.
    return (seed * 1_000_003 + epoch * 10_007 + step) % (2**63 - 1)


def select_device(config: TrainConfig) -> torch.device:
    if config.device != "auto":
        return torch.device(config.device)
    if torch.cuda.is_available():
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        return torch.device("cuda", local_rank)
    return torch.device("cpu")
