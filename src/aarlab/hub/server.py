"""Serve the hub with uvicorn on loopback TCP, a Unix socket, or both at once."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import uvicorn

from aarlab.hub.app import create_app
from aarlab.hub.config import HubConfig


def _tcp_socket(host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when
    # the socket says it is TCP; without it Nagle + delayed ACKs add ~40 ms to responses.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _unix_socket(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    # Access is decided by tokens; the mode only keeps other users of the machine out.
    os.chmod(path, 0o660)
    return sock


def serve(config: HubConfig, run_dir: Path, host: str = "127.0.0.1", port: int | None = None,
          uds: Path | None = None, log_level: str = "info") -> None:
    logging.basicConfig(level=log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sockets = []
    if port is not None:
        sockets.append(_tcp_socket(host, port))
    if uds is not None:
        sockets.append(_unix_socket(uds))
    if not sockets:
        raise ValueError("give a TCP port, a Unix socket path, or both")
    app = create_app(config, run_dir=run_dir)
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, access_log=False,
                                           timeout_keep_alive=30, backlog=2048))
    try:
        server.run(sockets=sockets)
    finally:
        if uds is not None and uds.exists():
            uds.unlink()
