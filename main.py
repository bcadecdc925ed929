"""Launch the desktop app (options: python main.py --help; README.md, "The app")."""

if __name__ == "__main__":
    try:
        # The package's own modules load first, before entry_point handles a Ctrl-C: one
        # meanwhile quits as one later does (exit 0), not in a traceback.
        from emotion_app.gui.entry_point import main
    except KeyboardInterrupt:
        raise SystemExit(0) from None
    raise SystemExit(main())
