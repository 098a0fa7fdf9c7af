"""A real SMTP server on the loopback for the mail tests: it may answer slowly, and it
may be stopped and started again on the same port."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, relay: SmtpRelay):
        self.relay = relay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.relay.delay:
            await asyncio.sleep(self.relay.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.relay.lock:
            self.relay.messages.append(message)
        self.relay.arrived.set()
        return "250 Message accepted for delivery"


class SmtpRelay:
    """``with SmtpRelay(port, delay=0.4) as relay:`` serves SMTP on 127.0.0.1:port; every
    message it accepted is in ``relay.messages`` (email.message.EmailMessage)."""

    def __init__(self, port: int | None = None, *, delay: float = 0.0):
        self.port = port or free_port()
        self.delay = delay
        self.messages: list = []
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpRelay:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def kinds_to(self, address: str) -> list[str]:
        with self.lock:
            return [str(m["X-Staffgate-Mail"]) for m in self.messages if str(m["To"]) == address]

    def __enter__(self) -> SmtpRelay:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
