"""What a screen reader hears of the video view: the faces shown, in words.

The view's accessible name says what it is ("Video"); its accessible description says what
it shows: "2 faces: #1 Anna happy, #2 neutral (uncertain)", "No face", "Paused at 0:12. 1
face: #1 happy", "Finished. No face", or the view's placeholder text when there is no frame
("No camera found…").
The labels are those the results carry (the model's own, steadied in the core), the names
those the user gave, and "(uncertain)" marks the faces the overlay draws with a "?".

Qt posts the accessibility event a reader announces, QAccessible::DescriptionChanged, each
time a widget's description changes (PyQt6 binds no QAccessible to post it from Python). A
reader must not be flooded: the description changes at most once a second (to the newest
words), whether frames play or the user makes the changes in a row (a held step key, a
dragged seek bar); a pause, a step or a seek, the user's first change in a second, is told
within a moment (the pace is :mod:`paced_description`'s, shared with the timeline's rows).
Per frame only a small tuple is made and compared; words are made only when it changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import QObject
from PyQt6.QtWidgets import QWidget

from emotion_app.io.overlay_layout import is_uncertain, shown_label
from emotion_app.results import FaceResult
from emotion_app.wording import count_text

from .paced_description import PacedDescription

# The description changes at most this often: a reader speaks each change.
MIN_CHANGE_INTERVAL_S = 1.0

# What is told of a face: its id, the name given ("" for none), its label, whether uncertain.
FaceWords = tuple[int, str, str, bool]


def face_words(face: FaceResult) -> FaceWords:
    return (face.track_id, face.name, shown_label(face), is_uncertain(face))


def faces_in_words(faces: Sequence[FaceResult]) -> str:
    """The faces in words: "No face", "1 face: #1 Anna happy", "2 faces: #1 happy, #2 neutral (uncertain)"."""
    return _said(tuple(face_words(face) for face in faces))


def _said(faces: tuple[FaceWords, ...]) -> str:
    if not faces:
        return "No face"
    each = (
        " ".join(word for word in (f"#{track_id}", name, label, "(uncertain)" if uncertain else "") if word)
        for track_id, name, label, uncertain in sorted(faces)
    )
    return f"{count_text(len(faces), 'face')}: {', '.join(each)}"


class SpokenDescription(QObject):
    """Keeps ``widget``'s accessible description to what the view shows (see the module's
    docstring); :attr:`changes` counts the descriptions set, each an event a reader hears."""

    def __init__(self, widget: QWidget, min_interval_s: float = MIN_CHANGE_INTERVAL_S) -> None:
        super().__init__(widget)
        self._faces: tuple[FaceWords, ...] | None = None  # None: no frame, the placeholder is told
        self._placeholder = ""
        self._standing = ""  # what the frames do when they do not play on: "Paused at 0:12", "Finished"
        self._paced = PacedDescription(widget, self.text, min_interval_s)

    @property
    def changes(self) -> int:
        return self._paced.changes

    def due_in_ms(self) -> int | None:
        """Milliseconds until the words waiting are told; None when none wait."""
        return self._paced.due_in_ms()

    def show_faces(self, faces: Sequence[FaceResult]) -> None:
        """A frame with these faces is shown (once per frame: a tuple compared, no words)."""
        words = tuple(face_words(face) for face in faces)
        if words != self._faces:
            self._faces = words
            self._paced.changed(by_user=bool(self._standing))

    def show_placeholder(self, text: str) -> None:
        """No frame is shown; the view says ``text``."""
        if self._faces is not None or text != self._placeholder:
            self._faces, self._placeholder = None, text
            self._paced.changed(by_user=True)

    def set_standing(self, words: str) -> None:
        """The frame shown stands still: ``words`` say how ("Paused at 0:12", "Finished",
        "Stopped"); "" while frames play on."""
        if words != self._standing:
            self._standing = words
            self._paced.changed(by_user=True)

    def text(self) -> str:
        """The description for the state now (what it becomes once the wait is over)."""
        if self._faces is None:
            return self._placeholder
        said = _said(self._faces)
        return f"{self._standing}. {said}" if self._standing else said
