"""Launch the desktop app: python main.py [--camera INDEX|NAME] [--video PATH] [--weights PATH]."""

import sys

from emotion_app.gui.app import create_application, create_main_window, parse_args

if __name__ == "__main__":
    options = parse_args(sys.argv[1:])  # first, so --help works without a display
    app = create_application(sys.argv)
    window = create_main_window(options)
    window.show()
    sys.exit(app.exec())
