"""`make bench`, load: gunicorn as in production over the benchmark database (run after batching.py),
driven by wrk for a fixed time per endpoint, each figure also given as a ratio to a bare DRF list of
50 rows of one table measured in the same run, just before that endpoint."""
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fms_review_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")  # tasks queue here, unconsumed
# One key for this process and the server: the session made here for the dashboard is signed with it.
os.environ.update(DATABASE_URL=BENCH_URL, DJANGO_SETTINGS_MODULE="fms_review.settings",
                  SECRET_KEY=secrets.token_urlsafe(50))
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402

from cases.api import tokens  # noqa: E402
from cases.models import Case, Profile  # noqa: E402
from tests.bench import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Workers as production runs them: WEB_CONCURRENCY, 3 unless set (.env.example, docker-compose.yml).
SECONDS, CLIENTS, WORKERS = 10, 8, int(os.environ.get("WEB_CONCURRENCY", "3"))


def user(username, role, country=None):
    account, _ = get_user_model().objects.get_or_create(username=username)
    Profile.objects.update_or_create(user=account, defaults={"role": role, "country_id": country})
    return account


def session_for(account):
    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.create()
    return session.session_key


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(port, path, script, token, session="", seconds=SECONDS):
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "-s", str(HERE / script),
         f"http://127.0.0.1:{port}{path}"],
        env={**os.environ, "BENCH_TOKEN": token, "BENCH_SESSION": session}, capture_output=True, text=True,
        timeout=SECONDS + 60,
    )
    requests, status_errors, socket_errors, p50, p99 = re.search(r"BENCH (\S+) (\S+) (\S+) (\S+) (\S+)",
                                                                 result.stdout).groups()
    return int(requests) / seconds, int(status_errors) + int(socket_errors), float(p50), float(p99), int(requests)


def main():
    with connection.cursor() as cursor:
        # As autovacuum would have left a database in use: statistics current, visibility map set.
        cursor.execute("VACUUM ANALYZE")
    reviewer, liaison = user("load-reviewer", "reviewer"), user("load-liaison", "liaison", "PL")
    keys = {name: tokens.issue(account).key for name, account in (("reviewer", reviewer), ("liaison", liaison))}
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bench.settings", "DEBUG": "0",
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
           "REDIS_URL": REDIS_URL, "LOG_LEVEL": "WARNING"}
    # As the image does at build: hashed static files for the manifest storage WhiteNoise serves.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "fms_review.wsgi:application", "-b",
                               f"127.0.0.1:{port}", "-w", str(WORKERS)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        bare = ("/bench/bare/", "get.lua", keys["liaison"], "")
        runs = [
            ("GET /api/v1/cases/ as a liaison", "/api/v1/cases/", "get.lua", keys["liaison"], ""),
            ("GET /api/v1/cases/ as a reviewer", "/api/v1/cases/", "get.lua", keys["reviewer"], ""),
            ("GET /api/v1/batches/", "/api/v1/batches/", "get.lua", keys["reviewer"], ""),
            ("GET / (dashboard)", "/", "get.lua", "", session_for(reviewer)),
            # A reviewer's search over every case for a country's name, 2,000 matches (batching.SEARCHES).
            ("GET /api/v1/cases/?search=Poland", "/api/v1/cases/?search=Poland", "get.lua", keys["reviewer"], ""),
            ("POST /api/v1/lors/", "/api/v1/lors/", "post_lor.lua", keys["liaison"], ""),
        ]
        for _, path, script, token, session in runs[:-1]:
            wrk(port, path, script, token, session, seconds=2)  # warm up: workers connect and load code
        before = Case.objects.count()
        # The bare endpoint is measured again just before each endpoint: this machine's speed drifts by
        # a fifth within minutes, and a ratio should compare two figures taken under the same conditions.
        results = [(label, wrk(port, *bare), wrk(port, path, script, token, session))
                   for label, path, script, token, session in runs]
        created = Case.objects.count() - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nLoad: gunicorn, {WORKERS} workers, {CLIENTS} clients, {SECONDS} s each, over {before:,} cases\n")
    print(machine.line() + "\n")
    print(f"{'endpoint':34} {'req/s':>7} {'bare':>6} {'x bare':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}")
    for label, (bare_rate, bare_errors, *_), (rate, errors, p50, p99, _) in results:
        print(f"{label:34} {rate:7.0f} {bare_rate:6.0f} {rate / bare_rate:7.2f} {p50:7.1f} {p99:7.1f} "
              f"{errors + bare_errors:>7}")
    print("(bare: a plain DRF list of 50 rows of one table, measured just before each endpoint)\n")
    case_lists = results[:2]
    posted = results[-1][2]
    targets = [
        ("case list at least 0.8 of the bare endpoint",
         all(measured[0] >= 0.8 * bare_run[0] for _, bare_run, measured in case_lists)),
        ("case list p99 under 100 ms at 8 clients", all(measured[3] < 100 for _, _, measured in case_lists)),
        ("every endpoint's p99 under 100 ms at 8 clients", all(measured[3] < 100 for _, _, measured in results)),
        ("POST /lors/ at least 100 per second", posted[0] >= 100),
        ("zero errors", all(bare_run[1] == measured[1] == 0 for _, bare_run, measured in results)),
        # wrk stops counting at the deadline; up to one request per client may still finish after it.
        ("every accepted LOR saved", posted[4] <= created <= posted[4] + CLIENTS),
    ]
    print("\n".join(f"[{'ok' if met else 'MISSED'}] {label}" for label, met in targets))
    return 0 if all(met for _, met in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
