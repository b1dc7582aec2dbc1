"""A real SMTP server on localhost for tests (aiosmtpd), keeping the messages it accepted."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler: accepts mail (or refuses it with `refuse`), keeps parsed messages."""

    def __init__(self):
        self.messages = []
        self.refuse = None  # e.g. "550 5.1.1 mailbox unavailable"
        self.refuse_only = None  # refuse just this address

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse_only in (None, address):
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"

    def take(self):
        taken, self.messages = self.messages, []
        return taken


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    """A running SMTP server: `.inbox` (messages), `.address` ("127.0.0.1:PORT")."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    controller.inbox = inbox
    controller.address = f"127.0.0.1:{port}"
    try:
        yield controller
    finally:
        controller.stop()
