"""Real receivers for the notification tests: an SMTP server (aiosmtpd) and an HTTP endpoint on
loopback, each keeping what it was sent and dropping a repeat by its key, as a careful receiver does."""
import json
import socket
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: every message received, and the distinct ones by Message-ID."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        self.refusing = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refusing:
            return "451 Try again later"
        with self.lock:
            self.received.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    @property
    def distinct(self):
        with self.lock:
            return {message["Message-ID"]: message for message in self.received}

    def to(self, address):
        return [message for message in self.distinct.values() if message["To"] == address]


class SmtpServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Hook:
    """An HTTP receiver: answers each POST with the next of `answers` (then 200), keeps every body with
    its headers, and the distinct events by FMS-Event-Id."""

    def __init__(self, answers=(), first_delay=0.0):
        self.answers = list(answers)
        self.first_delay = first_delay  # seconds the first answer waits, after the body is kept
        self.received = []
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with hook.lock:
                    status = hook.answers.pop(0) if hook.answers else 200
                    hook.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "status": status})
                if hook.first_delay and len(hook.received) == 1:
                    time.sleep(hook.first_delay)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/fms-events"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def events(self):
        """{event id: event} of the deliveries answered 2xx."""
        with self.lock:
            return {json.loads(r["body"])["id"]: json.loads(r["body"]) for r in self.received if r["status"] < 300}
