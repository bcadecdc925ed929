"""Opening a source of frames: a spec (``specs``) to its :class:`FrameSource`, by what it
names (a file, a camera, a network camera, a screen)."""

from __future__ import annotations

from .camera import open_camera
from .files import open_file
from .frame_source import FrameSource, SourceOpenError
from .network_camera import open_network_camera
from .screen_capture import ScreenCaptureError, ScreenFrameSource
from .specs import ScreenSpec, SourceSpec, VideoFileSpec


def open_frame_source(spec: SourceSpec) -> FrameSource:
    """Open ``spec`` and read its first frame; raises :class:`SourceOpenError` with a reason
    (a network camera's open given up: :class:`.frame_source.OpenAbandoned`, see
    :func:`.frame_source.opening_cancelled_when`)."""
    if isinstance(spec, VideoFileSpec):
        return open_file(spec)
    if isinstance(spec, ScreenSpec):
        return open_screen(spec)
    return open_network_camera(spec) if spec.url else open_camera(spec)


def open_screen(spec: ScreenSpec) -> ScreenFrameSource:
    """The screen of ``spec``, ready to grab; :class:`SourceOpenError` with a reason."""
    try:
        return ScreenFrameSource(spec)
    except ScreenCaptureError as exc:
        raise SourceOpenError(f"Could not capture {spec.describe()}: {exc}") from None
