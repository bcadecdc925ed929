"""View > Camera resolution: the picture size asked of cameras, one of them ticked."""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup
from PyQt6.QtWidgets import QMenu, QWidget

from .camera_size import CAMERA_SIZES, CameraSize, describe_camera_size, format_camera_size, parse_camera_size
from .mnemonics import numbered


class CameraSizeMenu(QMenu):
    """The camera's default and the usual webcam sizes; a size given otherwise (the command
    line, the settings file) is listed too while it is the one in use."""

    size_chosen = pyqtSignal(object)  # CameraSize | None

    def __init__(self, current: CameraSize | None, parent: QWidget | None = None) -> None:
        super().__init__("Camera &resolution", parent)
        self.setToolTipsVisible(True)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._group.triggered.connect(self._on_triggered)
        self.set_current(current)

    def set_current(self, size: CameraSize | None) -> None:
        """List the sizes again with ``size`` ticked."""
        for action in self._group.actions():
            self._group.removeAction(action)
        self.clear()
        sizes: list[CameraSize | None] = [None, *CAMERA_SIZES]
        if size not in sizes:
            sizes.append(size)
        for position, entry in enumerate(sizes, start=1):
            action = QAction(numbered(position, describe_camera_size(entry)), self)
            action.setCheckable(True)
            action.setChecked(entry == size)
            action.setData(format_camera_size(entry))
            action.setToolTip(
                "The size the camera opens at (most cameras: 640x480)"
                if entry is None
                else "Asked of the camera when it starts; one that cannot give it keeps a size it can"
            )
            self._group.addAction(action)
            self.addAction(action)

    @property
    def current(self) -> CameraSize | None:
        checked = self._group.checkedAction()
        return parse_camera_size(str(checked.data())) if checked is not None else None

    def size_actions(self) -> list[QAction]:
        return list(self._group.actions())

    def _on_triggered(self, action: QAction) -> None:
        self.size_chosen.emit(parse_camera_size(str(action.data())))
