"""``python -m emotion_app analyze|bench ...`` (the desktop app itself is ``main.py``)."""

from .cli import main

raise SystemExit(main())
