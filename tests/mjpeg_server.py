"""A network camera for the tests: a real HTTP server on localhost sending a video's frames
as an MJPEG stream (multipart/x-mixed-replace), as IP cameras and phone camera apps do."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from emotion_app.samples import read_video


class MjpegCamera:
    """Serves ``video``'s frames, looped, at ``fps`` on ``http://127.0.0.1:PORT/video``.

    :meth:`unplug` ends every stream and refuses new ones, as a camera switched off would;
    :meth:`plug_in` switches it on again.
    """

    def __init__(self, video: Path, fps: float = 30.0) -> None:
        self.frames: list[np.ndarray] = read_video(video)
        self.fps = fps
        self._on = threading.Event()
        self._on.set()
        camera = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                if self.path != "/video" or not camera._on.is_set():
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                index = 0
                try:
                    while camera._on.is_set():
                        ok, jpeg = cv2.imencode(".jpg", camera.frames[index % len(camera.frames)])
                        assert ok
                        part = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpeg)
                        self.wfile.write(part + jpeg.tobytes() + b"\r\n")
                        index += 1
                        time.sleep(1.0 / camera.fps)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/video"

    def unplug(self) -> None:
        self._on.clear()

    def plug_in(self) -> None:
        self._on.set()

    def close(self) -> None:
        self._on.clear()
        self._server.shutdown()
        self._server.server_close()
