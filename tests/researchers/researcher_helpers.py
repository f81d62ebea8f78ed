"""Helpers of the researcher tests: a thread-served ASGI app, a fast method, the admin token."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

ADMIN_TOKEN = "admin-token-for-researcher-tests"

# A fast method: nearest centroid of the strong features under the teacher's hard labels.
METHOD = '''
import numpy as np

def fit_predict(bundle, seed):
    x = np.asarray(bundle.features("strong_train"))
    y = bundle.weak_hard("strong_train")
    w = x[y == 1].mean(0) - x[y == 0].mean(0)
    b = -(x[y == 1].mean(0) + x[y == 0].mean(0)) @ w / 2
    z = np.asarray(bundle.features("test")) @ w + b
    return 1 / (1 + np.exp(-z))
'''


class ThreadServer:
    """Serve an ASGI app with uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ThreadServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
