"""Launch the desktop app (options: python main.py --help; README.md, "The app")."""

if __name__ == "__main__":
    try:
        # Qt and the app's modules load here, before the app handles Ctrl+C itself: one
        # meanwhile quits as one once it runs does (exit 0), not in a traceback.
        from emotion_app.gui.app import run
    except KeyboardInterrupt:
        raise SystemExit(0) from None
    raise SystemExit(run())
