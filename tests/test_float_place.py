"""Where a panel floated the first time goes, for windows and screens of every size."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, QRect, QSize

from emotion_app.gui.float_place import GAP_PX, first_float_place

MINIMUM = QSize(235, 152)
SCREEN = QRect(0, 0, 1920, 1050)  # a screen's room less its task bar


def test_a_wide_panel_goes_below_the_window_where_there_is_room() -> None:
    window = QRect(100, 50, 1000, 700)
    place = first_float_place(QSize(1000, 200), MINIMUM, window, QRect(110, 140, 980, 400), SCREEN)
    assert place == QRect(100, 750 + GAP_PX, 1000, 200)


def test_a_tall_panel_goes_to_the_right_of_the_window_else_its_left() -> None:
    tall = QSize(400, 700)
    window = QRect(100, 50, 1000, 700)
    assert first_float_place(tall, MINIMUM, window, QRect(), SCREEN) == QRect(1100 + GAP_PX, 50, 400, 700)
    at_right = QRect(800, 50, 1000, 700)  # 112 px on its right: too narrow for the panel
    assert first_float_place(tall, MINIMUM, at_right, QRect(), SCREEN) == QRect(800 - GAP_PX - 400, 50, 400, 700)


def test_room_narrower_than_the_panel_but_wide_enough_takes_it_narrowed() -> None:
    window = QRect(0, 0, 1000, 900)  # no room below or above
    place = first_float_place(QSize(1000, 200), MINIMUM, window, QRect(), SCREEN)
    assert place == QRect(1000 + GAP_PX, 0, 1920 - 1000 - GAP_PX, 200)


@pytest.mark.parametrize(
    "window", [SCREEN, QRect(-4, -4, 1928, 1058), QRect(0, 0, 1900, 1000)], ids=["maximised", "over", "nearly"]
)
def test_with_no_room_beside_the_window_the_panel_is_inset_over_the_videos_lower_right(window: QRect) -> None:
    video = QRect(10, 90, 1880, 700)
    place = first_float_place(QSize(1900, 200), MINIMUM, window, video, SCREEN)
    assert video.contains(place) and SCREEN.contains(place)
    assert place.bottomRight() == video.bottomRight() - QPoint(GAP_PX, GAP_PX)
    assert place.width() == 1880 * 2 // 3 and place.height() == 200


@pytest.mark.parametrize(
    ("screen", "panel"),
    [
        (QRect(0, 0, 640, 360), QSize(644, 152)),  # 1280x720 at 200 %: a window as wide as the screen
        (QRect(0, 0, 200, 120), QSize(644, 152)),  # smaller than the panel's least size
        (QRect(1366, -200, 400, 300), QSize(300, 500)),  # a second screen, above the first's top
    ],
    ids=["720p at 200%", "tinier than the panel", "second screen"],
)
def test_a_small_or_high_dpi_screen_never_puts_the_panel_off_it(screen: QRect, panel: QSize) -> None:
    window = QRect(screen.topLeft(), screen.size())
    video = QRect(screen.left() + 4, screen.top() + 60, screen.width() - 8, max(1, screen.height() - 250))
    place = first_float_place(panel, MINIMUM, window, video, screen)
    assert screen.contains(place), (place, screen)
    assert place.width() >= min(MINIMUM.width(), screen.width())
    assert place.height() >= min(MINIMUM.height(), screen.height())
