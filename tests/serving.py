"""Running `staffgate serve` as a separate process for a test, the way an operator starts it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@contextlib.contextmanager
def serving(staffgate: str, env: dict, *, log: Path, cwd: Path | None = None, ready="/healthz"):
    """Start ``staffgate serve`` on a free port and yield its base URL once ``ready`` answers.

    A server that exits or stays silent for a minute fails the test with its log.
    """
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [staffgate, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    get(base + ready)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise AssertionError(log.read_text()) from None
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def stylesheet_of(base: str, page: str) -> bytes:
    """The stylesheet a page links to, fetched from the server."""
    css = page.split('rel="stylesheet" href="')[1].split('"')[0]
    with urllib.request.urlopen(base + css, timeout=5) as response:
        assert response.status == 200
        return response.read()
