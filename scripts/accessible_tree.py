"""What a screen reader is given by the desktop app over AT-SPI, Linux's accessibility bus.

Starts Xvfb, a D-Bus session with the AT-SPI bus in it, and the app playing a video with
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1; then, in the system's python3 with pyatspi, prints the
window's accessible tree (role, name, description, a slider's value, "labelled by"), gives
the keyboard to the seek bar and counts, over a few seconds, the events a reader is sent
(description and value changes, focus). No screen reader runs: this is what one would get.

Needs system packages, refused in one line without them (not the venv's: pyatspi comes
with the system's python3):

    apt-get install -y xvfb dbus at-spi2-core python3-pyatspi xdotool

(xdotool gives the window the keyboard, which Xvfb without a window manager does not.)

    python -m scripts.accessible_tree [--video CLIP] [--seconds 6]

Without ``--video`` it plays a synthetic 10 s clip of one face; settings go to a file of
its own, not the user's. Xvfb and the D-Bus session (the app, the bus, the probe) each run
in a process group of their own, ended as a whole on every way out: done, failed, timed
out, Ctrl-C or a SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from emotion_app.cli.common import fail
from emotion_app.samples import write_astronaut_video
from scripts.support.arguments import script_parser

REPO = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
TOOLS = ("Xvfb", "dbus-run-session", "xdotool")
# How long a process group asked to end (SIGTERM) has before it is killed.
_END_WAIT_S = 5.0

# Run by the system's python3 inside the D-Bus session: argv[1] is how long to listen.
_PROBE = r"""
import subprocess, sys, time
import pyatspi
from gi.repository import GLib

LISTEN_S = float(sys.argv[1])

def find_app():
    for _ in range(90):
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and any(w is not None and "Emotion Camera" in (w.name or "") for w in app):
                return app
        time.sleep(1)
    return None

def line(node, depth):
    role = node.getRoleName()
    text = f"{'  ' * depth}[{role}] name={node.name!r}"
    if node.description:
        text += f" description={node.description!r}"
    try:
        value = node.queryValue()
        text += f" value={value.currentValue:g} of {value.minimumValue:g}..{value.maximumValue:g}"
    except NotImplementedError:
        pass
    for relation in node.getRelationSet():
        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
            text += f" labelled by {[relation.getTarget(i).name for i in range(relation.getNTargets())]}"
    return text

def walk(node, depth, nodes):
    if node is None or len(nodes) > 500:
        return
    nodes.append((depth, node))
    for child in node:
        walk(child, depth + 1, nodes)

app = find_app()
if app is None:
    sys.exit("accessible_tree: the app never showed on the AT-SPI bus")
time.sleep(3)  # frames shown, the model loaded
nodes = []
walk(app, 0, nodes)
showing = [(d, n) for d, n in nodes if n.getState().contains(pyatspi.STATE_SHOWING) or n.getRoleName() == "menu item"]
print(f"--- accessible tree: {len(showing)} objects showing (of {len(nodes)}), menus closed ---")
for depth, node in showing:
    print(line(node, depth))
slider = next((n for _, n in nodes if n.getRoleName() == "slider"), None)
events = []
start = time.monotonic()

def heard(event):
    if event.source is not None and (event.type.startswith("object:state-changed:focused") and not event.detail1):
        return  # focus lost: a reader says nothing of it
    events.append((time.monotonic() - start, event.type, event.source.name, event.source.description))

pyatspi.Registry.registerEventListener(
    heard,
    "object:property-change:accessible-description",
    "object:property-change:accessible-value",
    "object:state-changed:focused",
)
subprocess.run("xdotool search --name 'Emotion Camera' | tail -1 | xargs -r xdotool windowfocus", shell=True)
if slider is not None:
    GLib.timeout_add(200, lambda: slider.queryComponent().grabFocus() and False)
GLib.timeout_add(int(LISTEN_S * 1000), lambda: pyatspi.Registry.stop() or False)
pyatspi.Registry.start()
print(f"--- events over {LISTEN_S:g} s, the seek bar given the keyboard at 0.2 s ---")
for at, kind, name, description in events:
    print(f"{at:6.2f} s  {kind.replace('object:', '')}  {name!r}  {description!r}")
"""

_SESSION = """
{launcher} --launch-immediately &
launcher=$!
sleep 1
"{python}" main.py --video "{video}" --settings "{settings}" > "{log}" 2>&1 &
app=$!
{system_python} "{probe}" {seconds}
status=$?
kill $app $launcher 2>/dev/null
wait $app 2>/dev/null
exit $status
"""


def missing() -> list[str]:
    """The system parts this script needs that are not here."""
    lacking = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not Path(BUS_LAUNCHER).exists():
        lacking.append("at-spi2-core")
    # Quiet: its ImportError's traceback was printed above the one line that says what is missing.
    if (
        not Path(SYSTEM_PYTHON).exists()
        or subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True).returncode
    ):
        lacking.append("python3-pyatspi")
    return lacking


def end_group(process: subprocess.Popen[bytes]) -> None:
    """End ``process`` and every process of its group (started with ``start_new_session``):
    SIGTERM, then SIGKILL to those still there after :data:`_END_WAIT_S`. Its children that
    outlive it are the system's to reap; ``process`` itself is reaped here."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break  # the group is empty: all have gone
        if _group_gone(process, _END_WAIT_S):
            break
    process.wait()


def _group_gone(process: subprocess.Popen[bytes], within_s: float) -> bool:
    """Whether ``process``'s group empties within ``within_s``."""
    deadline = time.monotonic() + within_s
    while True:
        process.poll()  # reaped: a zombie leader would keep its group there
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _stop_on_sigterm(_signal: int, _frame: FrameType | None) -> None:
    # A SIGTERM ended the script at once, its Xvfb, bus and app left running: it unwinds
    # (what it started ended on the way out) as a Ctrl-C does.
    raise KeyboardInterrupt


def free_display() -> str:
    for number in range(71, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    raise RuntimeError("no free X display number from :71 to :199")


def main(argv: list[str] | None = None) -> int:
    parser = script_parser(__file__, "What a screen reader is given by the desktop app over AT-SPI.")
    parser.add_argument("--video", type=Path, help="clip to play (default: a synthetic 10 s one)")
    parser.add_argument("--seconds", type=float, default=6.0, help="how long to listen for events")
    args = parser.parse_args(argv)
    if args.video is not None and not args.video.is_file():
        parser.error(f"--video: not a file: {args.video}")
    if not 0 < args.seconds <= 600:
        parser.error(f"--seconds: from 0 to 600, not {args.seconds:g}")
    lacking = missing()
    if lacking:
        return fail(
            f"accessible_tree needs {', '.join(lacking)} (apt-get install -y xvfb dbus at-spi2-core "
            "python3-pyatspi xdotool)"
        )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # A Ctrl-C ignored where the script was started (a job put in the background by a
    # script, a parent that ignores it) would leave nothing to end what it starts.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _run(args.video, args.seconds)
    except KeyboardInterrupt:
        print("accessible_tree: interrupted; Xvfb, the D-Bus session and the app ended", file=sys.stderr)
        return 130


def _run(video_asked: Path | None, seconds: float) -> int:
    """Play the clip in the app under Xvfb and a D-Bus session, and print what the probe
    finds; everything started is ended, and its folder removed, on the way out."""
    with tempfile.TemporaryDirectory(prefix="accessible_tree_") as temp:
        folder = Path(temp)
        video = (
            video_asked.resolve()
            if video_asked
            else write_astronaut_video(
                folder / "face.avi", num_frames=150, frame_size=(640, 480), face_size=160, motion="move", fps=15.0
            ).path
        )
        (folder / "probe.py").write_text(_PROBE)
        session = _SESSION.format(
            launcher=BUS_LAUNCHER,
            python=sys.executable,
            video=video,
            settings=folder / "settings.ini",
            log=folder / "app.log",
            system_python=SYSTEM_PYTHON,
            probe=folder / "probe.py",
            seconds=seconds,
        )
        display = free_display()
        xvfb = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1600x1000x24"], stderr=subprocess.DEVNULL, start_new_session=True
        )
        session_run: subprocess.Popen[bytes] | None = None
        try:
            socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
            for _ in range(100):
                if socket.exists() or xvfb.poll() is not None:
                    break
                time.sleep(0.1)
            if not socket.exists():
                print(f"accessible_tree: Xvfb did not start on display {display}", file=sys.stderr)
                return 1
            env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
            env.update(DISPLAY=display, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1")
            # A group of its own: the app, the buses and the probe are ended together
            # (subprocess.run's timeout killed dbus-run-session alone, and left them running).
            session_run = subprocess.Popen(
                ["dbus-run-session", "--", "bash", "-c", session],
                cwd=REPO,
                env=env,
                stderr=subprocess.DEVNULL,  # dbus-daemon's notes on activation and fd limits
                start_new_session=True,
            )
            try:
                code = session_run.wait(timeout=seconds + 150)
            except subprocess.TimeoutExpired:
                print(f"accessible_tree: gave up after {seconds + 150:g} s", file=sys.stderr)
                return 1
            if code:
                print((folder / "app.log").read_text()[-3000:], file=sys.stderr)
            return code
        finally:
            # Before the folder goes: the app writes its settings there as it quits.
            if session_run is not None:
                end_group(session_run)
            end_group(xvfb)


if __name__ == "__main__":
    sys.exit(main())
