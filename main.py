"""Launch the desktop app (options: python main.py --help; README.md, "The app")."""

if __name__ == "__main__":
    # Light to import: Qt and the app's modules load inside main, which handles a Ctrl-C meanwhile.
    from emotion_app.gui.entry_point import main

    raise SystemExit(main())
