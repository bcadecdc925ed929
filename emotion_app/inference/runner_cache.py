"""A disk cache of the fast classifier's ONNX graphs, so later starts skip the int8 build.

Building the int8 runner needs the onnx package and ONNX Runtime's quantiser (their
import holds the GIL long enough to freeze a video) and a calibration (figures:
docs/measurements.md). The graphs it
ends with depend only on the model's tensors, its preprocessing and the ONNX Runtime
version, so they are kept in the user's cache folder under a key made of those and loaded
by ONNX Runtime alone next time. A cached graph is data, not code, and is never trusted:
the runner made from it passes the same agreement check against the eager model as a
fresh build before it is used (:func:`emotion_app.inference.runners.build_runner`), so a
damaged or foreign entry costs a rebuild, never a wrong label.

Where: ``$EMOTION_APP_CACHE_DIR`` if set (empty: no cache), else the platform's user cache
folder (``~/.cache/emotion_app/classifier`` on Linux). Nothing here raises for a cache problem: an
unreadable or unwritable folder means no cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

from ..preprocessing import Preprocessing

log = logging.getLogger(__name__)

ENVIRONMENT_VARIABLE = "EMOTION_APP_CACHE_DIR"
# Bump when what a key covers, or the entry's layout, changes: old entries are then
# never read again, and pruning removes them.
FORMAT = 1
SUFFIX = ".onnx-runner"
# Entries kept (a model's int8 entry holds the int8 graph and its fp32 re-check graph;
# its size: README, "The fast classifier's cache"); the least recently used go first.
KEEP_ENTRIES = 6
# A writer's temporary file (see store) this old belongs to a process that died while
# writing (a writer is done within seconds): pruning removes it.
STALE_PART_S = 3600.0
PART_SUFFIX = ".part"


@dataclass(frozen=True)
class CachedGraphs:
    """What a runner was made of: its mode, the build variant that passed, its graphs."""

    mode: str  # "int8" or "fp32"
    variant: str  # e.g. "7-bit weights"; "" when the mode has one build
    graph: bytes
    recheck_graph: bytes | None = None  # int8's fp32 graph for near-ties


def cache_folder() -> Path | None:
    """The folder entries live in, or None when the cache is switched off."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "emotion_app" / "classifier"


def model_key(tensors: Mapping[str, torch.Tensor], spec: Preprocessing, mode: str, runtime_version: str) -> str:
    """The entry name for a model's ``mode`` runner under ONNX Runtime ``runtime_version``.

    ``tensors``: the model's state dict, or the weights file's tensors (the same names
    and values; hashed as float32, so a float16 file and its loaded model agree).
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT, mode, runtime_version, repr(spec)]).encode())
    for name in sorted(tensors):
        tensor = tensors[name].detach().to(torch.float32).contiguous()
        digest.update(json.dumps([name, list(tensor.shape)]).encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()[:40]


def runtime_version() -> str | None:
    """ONNX Runtime's version (a light import, unlike onnx's), None without it."""
    try:
        import onnxruntime
    except ImportError:
        return None
    return str(onnxruntime.__version__)


def has_entry_for_model(tensors: Mapping[str, torch.Tensor], spec: Preprocessing, mode: str = "int8") -> bool:
    """Whether ``mode``'s runner for the model of ``tensors`` (its state dict) and
    preprocessing ``spec`` is cached under this ONNX Runtime."""
    version = runtime_version()
    folder = cache_folder()
    if version is None or folder is None:
        return False
    return (folder / (model_key(tensors, spec, mode, version) + SUFFIX)).is_file()


def load(key: str, folder: Path | None = None) -> CachedGraphs | None:
    """The entry ``key`` of ``folder`` (default: the cache's), or None when there is none
    or it cannot be read whole."""
    folder = folder or cache_folder()
    if folder is None:
        return None
    path = folder / (key + SUFFIX)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        header_end = data.index(b"\n")
        header = json.loads(data[:header_end])
        sizes = [int(size) for size in header["sizes"]]
        body = data[header_end + 1 :]
        if header["format"] != FORMAT or len(sizes) not in (1, 2) or sum(sizes) != len(body) or min(sizes) <= 0:
            raise ValueError("sizes do not match")
        graphs = CachedGraphs(
            str(header["mode"]),
            str(header["variant"]),
            body[: sizes[0]],
            body[sizes[0] :] if len(sizes) == 2 else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        log.info("classifier cache entry %s unreadable (%s); rebuilding", path, exc)
        return None
    try:
        os.utime(path)  # recently used: pruned last
    except OSError:
        pass
    return graphs


def store(key: str, graphs: CachedGraphs, folder: Path | None = None) -> bool:
    """Write the entry ``key`` into ``folder`` (default: the cache's) whole or not at all
    (temporary file, then a rename); prune old ones."""
    folder = folder or cache_folder()
    if folder is None:
        return False
    parts = [graphs.graph] + ([graphs.recheck_graph] if graphs.recheck_graph is not None else [])
    header = {"format": FORMAT, "mode": graphs.mode, "variant": graphs.variant, "sizes": [len(p) for p in parts]}
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=PART_SUFFIX)
        with os.fdopen(handle, "wb") as file:
            file.write(json.dumps(header).encode() + b"\n")
            for part in parts:
                file.write(part)
        os.replace(temporary, folder / (key + SUFFIX))
        temporary = None
    except OSError as exc:
        log.info("classifier cache not written in %s (%s)", folder, exc)
        return False
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
    prune(folder)
    return True


def prune(folder: Path, keep: int = KEEP_ENTRIES) -> None:
    """Remove all but the ``keep`` most recently used entries of ``folder``, and temporary
    files left by writers that died (older than :data:`STALE_PART_S`)."""
    try:
        entries = sorted(folder.glob("*" + SUFFIX), key=lambda path: path.stat().st_mtime, reverse=True)
        cutoff = time.time() - STALE_PART_S
        abandoned = [part for part in folder.glob(".*" + PART_SUFFIX) if part.stat().st_mtime < cutoff]
        for stale in entries[keep:] + abandoned:
            stale.unlink()
    except OSError as exc:  # another process pruning at once, a read-only folder
        log.info("classifier cache not pruned (%s)", exc)
