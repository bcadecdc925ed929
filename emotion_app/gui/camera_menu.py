"""File > Camera: the cameras the toolbar's picker lists, by its names and in its order,
numbered, the one running ticked.

The picker was the only way to a local camera; the menu is the menu bar's, beside Open
network camera and Capture screen, so a keyboard reaches every camera from Alt+F (Alt+F, M,
the camera's number) without tabbing through the window to the toolbar, and a screen reader
hears which one runs. It lists the picker's cameras anew each time the picker does (a camera
plugged in or out, F5).

A camera opened by its index that the list does not hold (``--camera 3`` where the system
lists none, or not that one) is listed after the others while it runs, ticked, as the
window names it ("Camera 3"): the menu says which camera runs, whichever way it was opened.
Once the list holds a camera at that index (plugged in, read again), that one is ticked
instead: the list's index is the one a camera chosen from it is opened by, so it is the
camera running, and listed twice it was two items for one camera.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup
from PyQt6.QtWidgets import QMenu, QWidget

from .camera_picker import NO_CAMERA, CameraDevice, CameraPicker, listed_camera, name_apart, unlisted_tooltip
from .mnemonics import numbered
from .plain_tips import plain_tip


class CameraMenu(QMenu):
    """``camera_chosen``: the camera the user picked, as the picker's ``camera_chosen``."""

    camera_chosen = pyqtSignal(object)  # CameraDevice

    def __init__(self, picker: CameraPicker, parent: QWidget | None = None) -> None:
        super().__init__("Ca&mera", parent)
        self.setToolTipsVisible(True)
        # At most one ticked: none while no camera of the list runs (a file, a screen).
        self._group = QActionGroup(self)
        self._group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self._group.triggered.connect(self._on_triggered)
        self._running: tuple[str, int] | None = None  # the running camera's name and index
        self._listed: list[CameraDevice] | None = None  # the picker's cameras
        self._unlisted: CameraDevice | None = None  # the camera running, listed after them where none is it
        self._picker = picker  # knows which cameras of the running one's name are others (see beside)
        picker.devices_refreshed.connect(self.show_cameras)
        self.show_cameras(picker.devices())

    def show_cameras(self, devices: list[CameraDevice]) -> None:
        """List ``devices`` (the picker's, in its order), the running one ticked."""
        if devices == self._listed:
            # The picker reads the list again whenever /dev changes (any device) and on F5:
            # items made anew under an open menu lost the one the keyboard was on.
            return
        self._listed = list(devices)
        self._list()

    def set_running(self, name: str, index: int) -> None:
        """The camera of this name and OpenCV index runs (or is opening); "" and -1: none does."""
        self._running = (name, index) if index >= 0 else None
        if self._running_unlisted() != self._unlisted:
            self._list()
        else:
            self._tick()

    def _running_listed(self) -> CameraDevice | None:
        """The listed camera that runs (the picker's rule, :func:`.listed_camera`)."""
        if self._running is None:
            return None
        return listed_camera(self._listed or [], *self._running, self._picker.beside(*self._running))

    def _running_unlisted(self) -> CameraDevice | None:
        if self._running is None or self._running_listed() is not None:
            return None
        return CameraDevice(*self._running)

    def _list(self) -> None:
        self._unlisted = self._running_unlisted()
        for action in self._group.actions():
            self._group.removeAction(action)
        self.clear()
        devices = self._listed or []
        listed = [*devices, *([self._unlisted] if self._unlisted else [])]
        for position, device in enumerate(listed, start=1):
            action = QAction(numbered(position, name_apart(device, listed)), self)
            action.setCheckable(True)
            action.setData(device)
            if device is self._unlisted:
                action.setToolTip(plain_tip(unlisted_tooltip(device)))
            else:
                action.setToolTip(plain_tip(f"{device.name} — OpenCV index {device.index}"))  # as the picker's
            self._group.addAction(action)
            self.addAction(action)
        if not devices and self._unlisted is None:
            empty = self.addAction(f"&{NO_CAMERA}")
            assert empty is not None
            empty.setEnabled(False)
        self._tick()

    def camera_actions(self) -> list[QAction]:
        return list(self._group.actions())

    def _tick(self) -> None:
        running = self._running_listed() or self._unlisted
        for action in self._group.actions():
            action.setChecked(running is not None and action.data() == running)

    def _on_triggered(self, action: QAction) -> None:
        # The tick stays on the camera running until the chosen one is opening (the window
        # says so through set_running): a click must not tick a camera that is not started.
        self._tick()
        device = action.data()
        if isinstance(device, CameraDevice):
            self.camera_chosen.emit(device)
