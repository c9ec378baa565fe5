"""PostgreSQL goes away under a running server: requests fail cleanly (503, in seconds, not a hang),
nothing is half-written, and the server recovers on its own when the database is back.

The outage is real from the server's side: it reaches PostgreSQL through a TCP relay this test
cuts and restores (restarting the shared test database server would take every other test with it)."""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from cases.models import Case

from .api_data import lor
from .test_redis_outage import answers, free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


class Relay:
    """Forwards TCP connections to PostgreSQL until cut; cutting drops every open connection."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = free_port()
        self.open = threading.Event()
        self.sockets = []
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.open.set()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.open.clear()
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sockets.clear()

    def restore(self):
        self.open.set()

    def close(self):
        self.cut()
        self.listener.close()


def call(port, token, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode() if body else None,
        method="POST" if body else "GET",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def test_requests_fail_cleanly_and_the_server_recovers(postgres, liaison_pl):
    db = connection.settings_dict
    relay = Relay(int(db["PORT"] or 5432))
    url = f"postgres://{db['USER']}@127.0.0.1:{relay.port}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": "", "DB_CONNECT_TIMEOUT": "2"}
    web_port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "fms_review.wsgi:application", "-b",
                            f"127.0.0.1:{web_port}", "-w", "2", "--timeout", "60"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    token = Token.objects.create(user=liaison_pl).key
    try:
        assert wait_until(lambda: answers(web_port), 20)
        assert call(web_port, token, "/api/v1/cases/")[0] == 200

        relay.cut()
        for path, body in (("/api/v1/cases/", None), ("/api/v1/lors/", lor())):
            status, seconds = call(web_port, token, path, body)
            assert status == 503, (path, status)
            assert seconds < 15, (path, seconds)  # failed fast, did not hang
        assert not Case.objects.exists()  # nothing half-written

        relay.restore()
        assert wait_until(lambda: call(web_port, token, "/api/v1/cases/")[0] == 200, 30)
        assert call(web_port, token, "/api/v1/lors/", lor())[0] == 201
        assert Case.objects.count() == 1
    finally:
        web.terminate()
        web.wait(timeout=20)
        relay.close()
