"""PostgreSQL restarted under load: requests during the outage fail cleanly (503 in seconds, not a
hang), the running server recovers on its own, and no request leaves a half-written case.

Real processes: a PostgreSQL cluster of this test's own (a copy of the test database), stopped and
started again with pg_ctl while clients keep submitting LORs to a gunicorn server; restarting the
shared test database server would take every other test with it. The clients send Idempotency-Keys
and, once the database is back, retry what failed, as a liaison's system would: a COMMIT cut off by
the shutdown leaves the client unsure, and the key is what makes the retry safe.
"""
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from cases.api import tokens

from .api_data import lor
from .test_redis_outage import answers, free_port, redis_server, wait_until  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 6
OUTAGE_SECONDS = 3
SLOWEST_ANSWER_SECONDS = 10  # a request that waited longer than this hung


class Cluster:
    """A PostgreSQL server of the test's own, from the machine's PostgreSQL binaries."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            pytest.fail("PostgreSQL's server binaries (initdb, pg_ctl) are not installed.")
        self.bin = Path(found[-1]).parent
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="fms-pg-")
        self.as_postgres = []
        if os.geteuid() == 0:  # the server refuses to run as root
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", self.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def run(self, program, *args):
        subprocess.run([*self.as_postgres, str(self.bin / program), *args], check=True, capture_output=True,
                       timeout=60)

    def start(self):
        self.run("pg_ctl", "-D", self.dir, "-l", f"{self.dir}/server.log", "-w", "start", "-o",
                 f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''")

    def stop(self):
        self.run("pg_ctl", "-D", self.dir, "-m", "fast", "-w", "stop")

    def copy_of(self, database):
        """Create `database` here holding the shared server's `database` (schema, triggers and rows)."""
        source = connection.settings_dict
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database)
        dump = subprocess.run(["pg_dump", "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
                               "-U", source["USER"], source["NAME"]], check=True, capture_output=True, timeout=60)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U",
                        "postgres", "-d", database], input=dump.stdout, check=True, capture_output=True, timeout=60)
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster(postgres):
    server = Cluster()
    yield server
    server.remove()


def call(port, token, path, body=None, key=None):
    """(status, seconds, parsed body, headers) of one request."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers,
                                     data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, content, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, content, headers = error.code, error.read(), error.headers
    parsed = json.loads(content) if headers.get_content_type() == "application/json" else content
    return status, time.monotonic() - started, parsed, headers


class Load:
    """Clients that submit LORs (each with a key of its own) and read the case list until stopped."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.running = threading.Event()
        self.calls = []  # (started, seconds, method, status, key, body, headers)
        self.threads = [threading.Thread(target=self.client, args=(number,)) for number in range(CLIENTS)]

    def client(self, number):
        sent = 0
        while self.running.is_set():
            sent += 1
            key = f"restart-{number}-{sent}"
            for method, path, body in (("POST", "/api/v1/lors/", lor()), ("GET", "/api/v1/cases/?page_size=5", None)):
                started = time.monotonic()
                status, seconds, answer, headers = call(self.port, self.token, path, body, key if body else None)
                self.calls.append((started, seconds, method, status, key if body else None, answer, headers))
                if status == 503:
                    time.sleep(0.2)  # told to come back later (Retry-After), if sooner than it says

    def __enter__(self):
        self.running.set()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=60)


def test_a_restart_under_load_fails_cleanly_and_loses_nothing(cluster, redis_server, liaison_pl):
    token = tokens.issue(liaison_pl).key
    database_url = cluster.copy_of("fms_restart")
    redis_port, _ = redis_server
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "DB_CONNECT_TIMEOUT": "2"}
    web_port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "fms_review.wsgi:application", "-b",
                            f"127.0.0.1:{web_port}", "-w", "2", "--timeout", "60"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: answers(web_port), 20)
        assert call(web_port, token, "/api/v1/cases/")[0] == 200
        with Load(web_port, token) as load:
            time.sleep(1.5)
            cluster.stop()
            down = time.monotonic()
            time.sleep(OUTAGE_SECONDS / 2)
            health_down = call(web_port, token, "/healthz")
            time.sleep(OUTAGE_SECONDS / 2)
            back = time.monotonic()
            cluster.start()
            time.sleep(3)
            health_back = call(web_port, token, "/healthz")
        assert web.poll() is None  # the same server throughout: it recovered without a restart

        statuses = {status for _, _, _, status, _, _, _ in load.calls}
        assert statuses <= {200, 201, 503}, statuses  # never a 500, never a gateway error
        assert max(seconds for _, seconds, *_ in load.calls) < SLOWEST_ANSWER_SECONDS
        during = [status for started, seconds, _, status, *_ in load.calls if started > down and started + seconds < back]
        assert during and set(during) == {503}
        answer, headers = next((answer, headers) for *_, status, _, answer, headers in load.calls if status == 503)
        assert answer["detail"] and headers["Retry-After"]
        assert any(status in (200, 201) for started, _, _, status, *_ in load.calls if started > back + 1)
        # What the orchestrator's health check saw: the database down, then back.
        assert (health_down[0], health_down[2]["database"], health_down[2]["redis"]) == (503, "down", "ok")
        assert (health_back[0], health_back[2]["database"]) == (200, "ok")

        # The clients retry every submission that failed, with its key: a case saved before its answer
        # was lost is replayed, one never saved is created now.
        outcome = {}
        for _, _, method, status, key, answer, _ in sorted(load.calls, key=lambda call: call[0]):
            if method == "POST":
                outcome[key] = answer["case_number"] if status == 201 else None
        for key in [key for key, number in outcome.items() if number is None]:
            status, _, answer, _ = call(web_port, token, "/api/v1/lors/", lor(), key)
            assert status == 201, answer
            outcome[key] = answer["case_number"]
    finally:
        web.terminate()
        web.wait(timeout=20)

    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        cursor.execute("SELECT case_number FROM cases_case")
        saved = sorted(number for (number,) in cursor.fetchall())
        # Whole: each case has its LOR, its line item, and its two audit events in order.
        cursor.execute("""
            SELECT c.case_number FROM cases_case c
            WHERE c.stage <> 'lor_actionable'
               OR NOT EXISTS (SELECT 1 FROM cases_letterofrequest l WHERE l.case_id = c.id)
               OR (SELECT count(*) FROM cases_lineitem i WHERE i.case_id = c.id) <> 1
               OR ARRAY(SELECT e.verb FROM cases_caseevent e WHERE e.case_id = c.id ORDER BY e.id)
                  <> ARRAY['lor_received', 'mark_actionable']::varchar[]""")
        half_written = cursor.fetchall()
    assert len(outcome) > CLIENTS  # the clients did get work done
    assert saved == sorted(outcome.values())  # one case per submission: none lost, none doubled
    assert half_written == []
