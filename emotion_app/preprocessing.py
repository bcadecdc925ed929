"""Face-crop preparation shared by the live pipeline and the training code.

Everything that turns pixels into model input lives here, parameterised by a
:class:`Preprocessing` read from the weights file, so training and serving cannot drift.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from .faces.geometry import Box, padded_part
from .faces.roll import upright_crop

if TYPE_CHECKING:
    # torch is imported only where a tensor is made: face finding (to_gray, crop_face) and
    # the commands' help and argument errors must not wait seconds for it.
    import torch

# What a weights card may ask for. Far beyond any sensible model, far below sizes that
# would make every face cost gigabytes; a margin of -0.5 or less leaves no crop at all.
INPUT_SIZE_LIMITS = (8, 512)
CROP_MARGIN_LIMITS = (-0.4, 1.0)
TTA_ZOOM_LIMITS = (0.25, 4.0)
MAX_TTA_ZOOMS = 8
# A crop's contrast: the spread between its 1st and 99th percentile pixels.
CONTRAST_PERCENTILES = (1.0, 99.0)


@dataclass(frozen=True)
class Preprocessing:
    """How a face crop becomes a model input; stored in every weights file."""

    input_size: int = 48
    # Pixels are multiplied by ``scale`` and then standardised with ``mean``/``std``.
    scale: float = 1.0 / 255.0
    mean: float = 0.5
    std: float = 0.25
    # Histogram-equalise each 48x48 crop before scaling (off for the shipped model).
    equalize: bool = False
    # Extra context around a detector box, as a fraction of the box side on each side,
    # so a tight Haar box is framed like a FER-2013 image.
    crop_margin: float = 0.1
    color: str = "gray"
    # Average each face's prediction with that of its mirror image (test-time
    # augmentation): a second forward pass per face, switched on by training only when it
    # improved validation accuracy.
    flip_tta: bool = False
    # Extra test-time views: the crop zoomed about its centre by each factor (below 1
    # shows more context). Each view is mirrored too when flip_tta is on; all are averaged.
    tta_zooms: tuple[float, ...] = ()
    # (full, none): a crop with less contrast than almost every training face (a dim
    # stage, a dark room) is stretched to the full 0..255 range when its contrast (see
    # CONTRAST_PERCENTILES) is at most ``full``, left as it is from ``none`` up, and
    # stretched proportionally between (no jump as a face's light changes). () = off.
    low_contrast: tuple[float, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessing:
        """Rebuild from :meth:`to_dict`; ValueError names the first bad key (type or range)."""
        if not isinstance(data, dict):
            raise ValueError(f"preprocessing must be a mapping, got {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown preprocessing keys: {sorted(unknown)}")
        values = dict(data)
        for name in ("tta_zooms", "low_contrast"):
            if name in values:
                numbers = values[name]
                if not isinstance(numbers, (list, tuple)) or not all(_is_number(n) for n in numbers):
                    raise ValueError(f"preprocessing {name} must be a list of numbers, got {numbers!r}")
                values[name] = tuple(float(n) for n in numbers)
        if "extra" in values and not isinstance(values["extra"], dict):
            raise ValueError("preprocessing 'extra' must be a mapping")
        spec = cls(**values)
        spec.check()
        return spec

    def check(self) -> None:
        """Raise ValueError unless every field has its type and a usable value.

        A card from a file is untrusted: a NaN std or an input size of 0 would otherwise
        load fine and then give nonsense (or fail) on every face.
        """
        if not isinstance(self.input_size, int) or isinstance(self.input_size, bool):
            raise ValueError(f"preprocessing input_size must be an integer, got {self.input_size!r}")
        low, high = INPUT_SIZE_LIMITS
        if not low <= self.input_size <= high:
            raise ValueError(f"preprocessing input_size {self.input_size} is outside {low}..{high}")
        for name in ("scale", "mean", "std", "crop_margin"):
            value = getattr(self, name)
            if not _is_number(value) or not math.isfinite(value):
                raise ValueError(f"preprocessing {name} must be a finite number, got {value!r}")
        if not self.scale > 0 or not self.std > 0:
            raise ValueError(f"preprocessing scale and std must be positive, got {self.scale!r} and {self.std!r}")
        low_m, high_m = CROP_MARGIN_LIMITS
        if not low_m <= self.crop_margin <= high_m:
            raise ValueError(f"preprocessing crop_margin {self.crop_margin} is outside {low_m}..{high_m}")
        for name in ("equalize", "flip_tta"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"preprocessing {name} must be true or false, got {getattr(self, name)!r}")
        if self.color != "gray":
            raise ValueError(f"preprocessing color {self.color!r} is not supported (only 'gray')")
        low_z, high_z = TTA_ZOOM_LIMITS
        if len(self.tta_zooms) > MAX_TTA_ZOOMS:
            raise ValueError(f"preprocessing has {len(self.tta_zooms)} tta_zooms; at most {MAX_TTA_ZOOMS}")
        for zoom in self.tta_zooms:
            if not (math.isfinite(zoom) and low_z <= zoom <= high_z):
                raise ValueError(f"preprocessing tta_zoom {zoom} is outside {low_z}..{high_z}")
        if self.low_contrast:
            bounds = self.low_contrast
            if len(bounds) != 2 or not all(_is_number(b) and math.isfinite(b) for b in bounds):
                raise ValueError(f"preprocessing low_contrast must be two numbers (full, none), got {bounds!r}")
            if not 0 <= bounds[0] < bounds[1] <= 255:
                raise ValueError(f"preprocessing low_contrast needs 0 <= full < none <= 255, got {bounds!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def to_gray(frame: np.ndarray) -> np.ndarray:
    """A 2-D uint8 gray image from a gray, BGR or BGRA frame (any size, any numeric dtype
    :func:`to_uint8` accepts)."""
    frame = np.asarray(frame)
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (1, 3, 4)):
        raise ValueError(f"unsupported frame shape {frame.shape}: expected HxW, HxWx3 or HxWx4")
    frame = to_uint8(frame)
    if frame.ndim == 2:
        gray = frame
    elif frame.shape[2] == 1:
        gray = frame[:, :, 0]
    elif frame.shape[2] == 3:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    else:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return np.ascontiguousarray(gray)


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """``frame`` as uint8 pixels: floats in 0..1 are scaled by 255 (otherwise taken as
    0..255), 16-bit unsigned to their high byte, booleans to 0/255, other integers kept if they
    lie in 0..255. Anything else is a ValueError that names the dtype."""
    dtype = frame.dtype
    if dtype == np.uint8:
        return frame
    if dtype == np.bool_:
        return frame.astype(np.uint8) * np.uint8(255)
    if dtype == np.uint16:
        return (frame >> 8).astype(np.uint8)  # the high byte: 0..65535 -> 0..255
    if np.issubdtype(dtype, np.floating):
        if frame.size and not np.isfinite(frame).all():
            raise ValueError(f"frame of dtype {dtype} holds NaN or infinite values")
        peak = float(frame.max(initial=0.0))
        return np.clip(np.rint(frame * (255.0 if peak <= 1.0 else 1.0)), 0, 255).astype(np.uint8)
    if np.issubdtype(dtype, np.integer):
        low, high = (int(frame.min()), int(frame.max())) if frame.size else (0, 0)
        if 0 <= low and high <= 255:
            return frame.astype(np.uint8)
        raise ValueError(
            f"frame of dtype {dtype} has values {low}..{high}; expected 0..255 (or uint16, or floats in 0..1 or 0..255)"
        )
    raise ValueError(f"unsupported frame dtype {dtype}: expected uint8, uint16, integers in 0..255 or floats")


def crop_face(gray: np.ndarray, box: Box, spec: Preprocessing, roll: float = 0.0) -> np.ndarray:
    """A ``spec.input_size`` square uint8 crop of ``box`` (plus margin) from a gray frame.

    Boxes running past the frame edge are padded by edge replication rather than
    shifted, so the face stays centred as it is in the training images. ``roll``: the
    face's tilt in degrees (see :mod:`.faces.roll`); the crop is turned upright, as the
    training faces are.
    """
    x, y, w, h = box
    side = max(w, h)
    cx, cy = x + w / 2.0, y + h / 2.0
    half = side * (0.5 + spec.crop_margin)
    if roll:
        if side <= 0:
            raise ValueError(f"empty face box {box}")
        return upright_crop(gray, box, roll, half, spec.input_size)
    x0, y0 = int(round(cx - half)), int(round(cy - half))
    x1, y1 = int(round(cx + half)), int(round(cy + half))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"empty face box {box}")
    crop = padded_part(gray, x0, y0, x1, y1, box)
    size = spec.input_size
    interpolation = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interpolation)


def _contrast_bounds(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 1st and 99th percentile (:data:`CONTRAST_PERCENTILES`) of each row of ``flat``,
    as ``np.percentile`` gives them (linear interpolation), by partial sorting: quicker,
    and this runs for every face the model sees."""
    count = flat.shape[1]
    positions = [q / 100.0 * (count - 1) for q in CONTRAST_PERCENTILES]
    floors = [int(math.floor(p)) for p in positions]
    needed = sorted({i for f in floors for i in (f, min(count - 1, f + 1))})
    ordered = np.partition(flat, needed, axis=1)
    low, high = (
        ordered[:, f] * (1.0 - (p - f)) + ordered[:, min(count - 1, f + 1)] * (p - f) for p, f in zip(positions, floors)
    )
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def contrast(faces: np.ndarray) -> np.ndarray:
    """Each face's contrast (N,): its 1st to 99th percentile pixel spread, 0..255."""
    flat = np.asarray(faces).reshape(len(faces), -1)
    if not len(flat):
        return np.zeros(0, dtype=np.float64)
    low, high = _contrast_bounds(flat)
    return high - low


def lift_low_contrast(faces: np.ndarray, full: float, none: float) -> np.ndarray:
    """uint8 faces (N,H,W) with too little contrast stretched (see
    :attr:`Preprocessing.low_contrast`); faces with enough come back unchanged."""
    faces = np.asarray(faces)
    if not len(faces):
        return faces
    flat = faces.reshape(len(faces), -1)
    low, high = _contrast_bounds(flat)
    spread = high - low
    weight = np.clip((none - spread) / (none - full), 0.0, 1.0)
    if not weight.any():
        return faces
    flat = flat.astype(np.float32)
    stretched = (flat - low[:, None]) * (255.0 / np.maximum(spread, 1.0))[:, None]
    lifted = flat + weight[:, None] * (stretched - flat)
    return np.clip(np.rint(lifted), 0, 255).astype(np.uint8).reshape(faces.shape)


def to_model_input(faces: np.ndarray | torch.Tensor, spec: Preprocessing) -> torch.Tensor:
    """uint8 faces (N,H,W) -> float32 tensor (N,1,H,W) scaled and standardised per ``spec``."""
    import torch

    if spec.low_contrast:
        array = faces.numpy() if isinstance(faces, torch.Tensor) else np.asarray(faces)
        faces = lift_low_contrast(array, spec.low_contrast[0], spec.low_contrast[1])
    if isinstance(faces, np.ndarray):
        if spec.equalize:
            faces = np.stack([cv2.equalizeHist(f) for f in faces]) if len(faces) else faces
        if faces.dtype == np.uint8:
            # Every face of every frame comes this way: one look-up of each pixel's input
            # costs a fraction of converting and standardising a batch in four tensor steps,
            # and gives the same numbers (the table is made by those steps).
            tensor = torch.from_numpy(_input_table(spec.scale, spec.mean, spec.std)[faces])
            return tensor.unsqueeze(1) if tensor.ndim == 3 else tensor
        tensor = torch.from_numpy(np.ascontiguousarray(faces))
    else:
        tensor = faces
        if spec.equalize:
            arr = tensor.numpy()
            tensor = torch.from_numpy(np.stack([cv2.equalizeHist(f) for f in arr]) if len(arr) else arr)
    tensor = tensor.to(torch.float32)
    if tensor.ndim == 3:
        tensor = tensor.unsqueeze(1)
    return _standardised(tensor, spec.scale, spec.mean, spec.std)


def _standardised(pixels: torch.Tensor, scale: float, mean: float, std: float) -> torch.Tensor:
    """float32 ``pixels`` scaled and standardised: the model's input."""
    return (pixels * scale - mean) / std


@functools.lru_cache(maxsize=8)
def _input_table(scale: float, mean: float, std: float) -> np.ndarray:
    """The model's input (float32) for each uint8 pixel value, by :func:`_standardised`
    itself: each pixel's input depends on its value alone."""
    import torch

    return _standardised(torch.arange(256, dtype=torch.float32), scale, mean, std).numpy()


def zoom_faces(faces: np.ndarray, scale: float) -> np.ndarray:
    """uint8 faces (N,H,W) zoomed about their centre by ``scale``, edges replicated."""
    if len(faces) == 0:
        return faces
    size = faces.shape[-1]
    centre = (size - 1) / 2.0
    matrix = cv2.getRotationMatrix2D((centre, centre), 0.0, scale)
    return np.stack(
        [
            cv2.warpAffine(face, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            for face in faces
        ]
    )


def test_time_inputs(faces: np.ndarray, spec: Preprocessing) -> tuple[torch.Tensor, int]:
    """Model input for every test-time view of uint8 faces (N,H,W), stacked view-major.

    Returns (inputs of shape (V*N,1,H,W), V); :func:`average_views` undoes the stacking.
    """
    import torch

    faces = np.asarray(faces)
    views = [to_model_input(faces, spec)] + [to_model_input(zoom_faces(faces, zoom), spec) for zoom in spec.tta_zooms]
    if spec.flip_tta:
        views += [torch.flip(view, dims=[3]) for view in views]
    # One view (the shipped model's) is the input already: no copy of it.
    return (views[0] if len(views) == 1 else torch.cat(views)), len(views)


def average_views(probabilities: torch.Tensor, num_views: int) -> torch.Tensor:
    """Mean over the views of (V*N, C) per-view probabilities -> (N, C)."""
    if num_views == 1:  # the mean of one view is that view, to the bit: no tensor steps
        return probabilities
    return probabilities.reshape(num_views, -1, probabilities.shape[-1]).mean(dim=0)
