"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, or refuses it."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """`messages` holds each email received (email.message.EmailMessage, with its envelope
    recipients in `envelope_to`); after `refuse(451)` every email is answered with that code."""

    def __init__(self):
        self.messages = []
        self.attempts = 0
        self._refusal = None
        self.host, self.port = "127.0.0.1", _free_port()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        """Stop answering (a server that is down); stopping twice is harmless."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, code=451, text="Try again later"):
        self._refusal = f"{code} {text}"

    def accept(self):
        self._refusal = None

    async def handle_DATA(self, _server, _session, envelope):
        self.attempts += 1
        if self._refusal:
            return self._refusal
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"
