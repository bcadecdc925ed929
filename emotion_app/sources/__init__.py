"""Where frames come from: cameras, video files and pictures, network cameras, the screen.

Qt-free (an import-linter contract keeps it so), read by the GUI's capture worker
(``emotion_app.gui.capture_worker``) on a thread of its own. What to open is a spec
(``specs``); ``open_frame_source`` opens one as a ``FrameSource``, which hands out BGR
frames one read at a time.
"""
