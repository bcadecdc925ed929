"""Where a docked panel floated for the first time goes: beside the window, on its screen,
where there is room; else inset over the video's lower right corner, off the seek bar and
the toolbar. Qt leaves it over its place in the dock, hiding the seek bar, which
under a window manager that draws no frame looks as if nothing happened. All rectangles
are frames (title and border included), in logical pixels, as Qt places windows."""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QRect, QSize

#: Between the window and the panel beside it, and between the panel inset over the video
#: and the video's edges.
GAP_PX = 8


def first_float_place(panel: QSize, minimum: QSize, window: QRect, video: QRect, room: QRect) -> QRect:
    """Where a panel of ``panel``'s size (at least ``minimum``) floats first, next to
    ``window`` (the main window's frame) inside ``room`` (its screen's available area), or
    over ``video``'s lower right corner where no side has room: never past ``room``, however
    small (a High-DPI screen's logical size), so its title stays in reach."""
    size = panel.boundedTo(room.size())
    sides = (_below, _above, _right, _left) if size.width() >= size.height() else (_right, _left, _below, _above)
    for side in sides:
        place = side(size, minimum, window, room)
        if place is not None:
            return place
    inset = QSize(
        min(size.width(), max(minimum.width(), video.width() * 2 // 3)),
        min(size.height(), max(minimum.height(), video.height() // 2)),
    )
    corner = QRect(0, 0, inset.width(), inset.height())
    corner.moveBottomRight(video.bottomRight() - QPoint(GAP_PX, GAP_PX))
    return _inside(corner, room)


def _below(size: QSize, minimum: QSize, window: QRect, room: QRect) -> QRect | None:
    top = window.bottom() + 1 + GAP_PX
    height = min(size.height(), room.bottom() + 1 - top)
    if height < minimum.height():
        return None
    return _inside(QRect(window.left(), top, size.width(), height), room)


def _above(size: QSize, minimum: QSize, window: QRect, room: QRect) -> QRect | None:
    bottom = window.top() - GAP_PX  # one past the panel's last row
    height = min(size.height(), bottom - room.top())
    if height < minimum.height():
        return None
    return _inside(QRect(window.left(), bottom - height, size.width(), height), room)


def _right(size: QSize, minimum: QSize, window: QRect, room: QRect) -> QRect | None:
    left = window.right() + 1 + GAP_PX
    width = min(size.width(), room.right() + 1 - left)
    if width < minimum.width():
        return None
    return _inside(QRect(left, window.top(), width, size.height()), room)


def _left(size: QSize, minimum: QSize, window: QRect, room: QRect) -> QRect | None:
    right = window.left() - GAP_PX  # one past the panel's last column
    width = min(size.width(), right - room.left())
    if width < minimum.width():
        return None
    return _inside(QRect(right - width, window.top(), width, size.height()), room)


def _inside(place: QRect, room: QRect) -> QRect:
    """``place`` cut to ``room``'s size and moved into it (its top left first: the title)."""
    size = place.size().boundedTo(room.size())
    left = max(room.left(), min(place.left(), room.right() + 1 - size.width()))
    top = max(room.top(), min(place.top(), room.bottom() + 1 - size.height()))
    return QRect(left, top, size.width(), size.height())
