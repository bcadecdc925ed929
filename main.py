"""Launch the desktop app (options: python main.py --help; README.md, "The app")."""

from emotion_app.gui.app import run

if __name__ == "__main__":
    raise SystemExit(run())
