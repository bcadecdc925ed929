"""Launch the desktop app: python main.py [--camera INDEX|NAME] [--video PATH] [--weights PATH]."""

from emotion_app.gui.app import run

if __name__ == "__main__":
    raise SystemExit(run())
