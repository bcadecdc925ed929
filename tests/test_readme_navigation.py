"""The README's ways in for a newcomer: its Contents links reach their headings and list them
all, the docs' links reach their files and headings, and the keys its "First five minutes"
names are keys the app has, doing what it says."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from emotion_app.samples import VideoTruth
from tests.gui_support import WindowFactory

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
# A key as the README writes one in backticks: `B`, `F11`, `Ctrl+Shift+O`, `Space`.
KEY = re.compile(r"(?:Ctrl\+)?(?:Shift\+)?(?:[A-Z0-9]|F\d{1,2}|Space|Left|Right|Up|Down|Home|End|Esc|Enter|Tab)")
# A row of Help's table of keys: the keys, then what their action does.
SHORTCUT_ROW = re.compile(r"<b>(.+?)</b>&nbsp;&nbsp;</td><td>(.+?)</td>")


def _headings(text: str) -> list[tuple[int, str]]:
    """Each heading's level and text, outside code blocks (a Python comment is no heading)."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    return [(len(hashes), title.strip()) for hashes, title in re.findall(r"^(#{1,6}) (.+)$", prose, re.MULTILINE)]


def github_anchor(title: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    """Every heading's anchor; GitHub numbers a repeated one: "x", "x-1", "x-2"."""
    seen: Counter[str] = Counter()
    anchors = set()
    for _, title in _headings(text):
        anchor = github_anchor(title)
        anchors.add(anchor if not seen[anchor] else f"{anchor}-{seen[anchor]}")
        seen[anchor] += 1
    return anchors


def _section(title: str) -> str:
    """The README from the ``## title`` heading to the next ``##`` one."""
    start = README.index(f"\n## {title}\n")
    return README[start : README.index("\n## ", start + 1)]


def test_github_anchor_drops_punctuation_as_github_does() -> None:
    assert github_anchor("Set-up: two commands") == "set-up-two-commands"
    assert github_anchor("Live video: 720p, 1080p, 60 fps and 4K") == "live-video-720p-1080p-60-fps-and-4k"
    assert github_anchor("Emotion Camera — real-time") == "emotion-camera--real-time"


def test_every_link_to_a_heading_in_the_readme_reaches_one() -> None:
    links = re.findall(r"\]\(#([^)]+)\)", README)
    assert len(links) > 20, links  # the Contents' at least
    assert not sorted(set(links) - _anchors(README)), "README links to no heading"


def test_every_link_of_the_docs_to_a_file_or_heading_reaches_it() -> None:
    # The test above reads the README's links to its own headings only; these docs link to
    # files (docs/measurements.md, the model card's pictures) and to the card's headings too.
    docs = [REPO / "README.md", REPO / "weights" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    checked, broken = 0, []
    for doc in docs:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # a web address
                continue
            path, _, anchor = target.partition("#")
            linked = (doc.parent / path).resolve() if path else doc
            checked += 1
            if not linked.is_file():
                broken.append(f"{doc.relative_to(REPO)}: {target} (no such file)")
            elif anchor and anchor not in _anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"{doc.relative_to(REPO)}: {target} (no such heading)")
    assert checked > 60, checked
    assert not broken, broken


def test_the_contents_lists_every_section_and_group_in_order() -> None:
    # Was: 1,680 lines and eight sections, two of them 500-640 lines long, with no way in.
    contents = README[README.index("**Contents**") : README.index("\n## ")]
    listed = re.findall(r"^( *)- \[([^]]+)\]\(#([^)]+)\)", contents, re.MULTILINE)
    shown = [(2 if indent else 1, title, anchor) for indent, title, anchor in listed]
    headings = [(level - 1, title, github_anchor(title)) for level, title in _headings(README) if level in (2, 3)]
    assert shown == headings


def test_the_first_five_minutes_names_only_keys_the_app_has(make_window: WindowFactory, gui_video: VideoTruth) -> None:
    window = make_window(video=gui_video.path)
    shortcuts = window.shortcuts_text()
    # Keys of the window's actions with what they do, and the notes on its widgets' own keys.
    actions = {keys: html.unescape(name) for keys, name in SHORTCUT_ROW.findall(shortcuts)}
    notes = html.unescape(re.sub(r"<[^>]+>", " ", shortcuts[shortcuts.index("</table>") :]))
    guide = _section("First five minutes")
    # Each key in backticks and what the guide says of it, up to the next span.
    named = [(key, said) for key, said in re.findall(r"`([^`]+)`([^`]*)", guide) if KEY.fullmatch(key)]
    assert len(named) >= 10, named
    for key, said in named:
        if key in actions:
            # What it does, as Help names it ("Play / pause a file" of Space's longer name).
            does = actions[key].split(";")[0].lower()
            assert does in " ".join(said.lower().split()), f"README says `{key}`{said!r}; Help: {actions[key]!r}"
        else:
            assert re.search(rf"\b{re.escape(key)}\b", notes), f"README names `{key}`, which the app's Help does not"
