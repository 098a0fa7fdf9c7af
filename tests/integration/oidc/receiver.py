"""A stand-in for an app's back-channel logout endpoint: records each logout token."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LogoutReceiver:
    def __init__(self, port: int = 0):
        self.tokens: list[str] = []
        self.arrived = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = urllib.parse.parse_qs(self.rfile.read(length).decode())
                owner.tokens.extend(body.get("logout_token", []))
                owner.content_types = self.headers.get("Content-Type")
                self.send_response(200)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                owner.arrived.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/backchannel-logout"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
