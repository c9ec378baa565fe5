"""`make bench`, load: gunicorn as in production over the benchmark database (run after batching.py),
with a Celery worker consuming what the requests queue, driven by wrk.

Each endpoint's figure is a ratio to a bare DRF list of 50 rows of one table: three samples of each,
interleaved (bare, endpoint, bare, endpoint, ...), the median ratio printed with its spread, because this
machine's speed drifts by a fifth within minutes. The dashboard's server time is also taken in this
process, without the network, for every sort and filter a reviewer can choose.
"""
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from urllib.parse import quote

from tests.bench import production

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fms_review_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.update(DATABASE_URL=BENCH_URL, **production.ENVIRONMENT)
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
from django.test import Client  # noqa: E402

from cases.api import tokens  # noqa: E402
from cases.api.pagination import Keyset  # noqa: E402
from cases.models import Case, Profile  # noqa: E402
from tests.bench import machine  # noqa: E402
from tests.bench.targets import Targets, quick  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Workers as production runs them: WEB_CONCURRENCY 3 and WORKER_CONCURRENCY 2 (docker-compose.yml).
SECONDS, SAMPLES, CLIENTS = (1 if quick() else 5), 3, 8
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Every sort and filter of the queue a reviewer can choose (cases/web/reviewer.py QueueFilter).
DASHBOARD = ["", "ordering=created", "ordering=oldest", "ordering=-value", "ordering=value", "ordering=-cases",
             "stalled=on", "mine=on", "region=EUCOM", "bin=nato-rdp-mou", "capability=air-missile-defense",
             "status=open", "stalled=on&ordering=-value"]


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


def deep_cursor(depth):
    """The cursor a reviewer's case list gives after `depth` rows, as following `next` would reach it."""
    queryset = Case.objects.order_by("-created_at", "-id")
    row = queryset.values("created_at", "pk")[depth]
    return Keyset.of(queryset).encode(row, backwards=False)


def cpu_seconds(pid):
    """User and system CPU of a process and its children (Celery's pool), from /proc."""
    total = 0
    for task in [pid, *children(pid)]:
        try:
            fields = open(f"/proc/{task}/stat").read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def children(pid):
    try:
        return [int(child) for child in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except FileNotFoundError:
        return []


class Sample:
    def __init__(self, stdout, seconds):
        requests, status_errors, socket_errors, p50, p99 = re.search(
            r"BENCH (\S+) (\S+) (\S+) (\S+) (\S+)", stdout).groups()
        self.requests, self.rate = int(requests), int(requests) / seconds
        self.errors = int(status_errors) + int(socket_errors)
        self.p50, self.p99 = float(p50), float(p99)


def wrk(port, path, script, token="", session="", seconds=SECONDS):
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "-s", str(HERE / script),
         f"http://127.0.0.1:{port}{path}"],
        env={**os.environ, "BENCH_TOKEN": token, "BENCH_SESSION": session, "BENCH_RUN": secrets.token_hex(6)},
        capture_output=True, text=True, timeout=seconds + 60,
    )
    return Sample(result.stdout, seconds)


class Endpoint:
    """One line of the table: SAMPLES pairs (bare, this) taken one after the other."""

    def __init__(self, label, path, script="get.lua", token="", session="", kind="other"):
        self.label, self.path, self.script, self.token, self.session, self.kind = (
            label, path, script, token, session, kind)
        self.pairs = []

    def ratios(self):
        return sorted(sample.rate / bare.rate for bare, sample in self.pairs)

    def ratio(self):
        return median(self.ratios())

    def p99(self):
        return median(sample.p99 for _, sample in self.pairs)

    def errors(self):
        return sum(bare.errors + sample.errors for bare, sample in self.pairs)

    def line(self):
        ratios = self.ratios()
        rate = median(sample.rate for _, sample in self.pairs)
        bare = median(bare.rate for bare, _ in self.pairs)
        return (f"{self.label:44} {rate:7.0f} {bare:6.0f} {self.ratio():7.2f} {ratios[0]:5.2f}-{ratios[-1]:<5.2f} "
                f"{median(s.p50 for _, s in self.pairs):7.1f} {self.p99():7.1f} {self.errors():>6}")


def dashboard_server_times(reviewer, targets, repeats=7):
    """The queue page's server time for every sort and filter, measured in this process: built (as after
    a change, cases.review.queue_pages) and kept (asked again before anything changed)."""
    from cases.review import queue_pages

    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer)
    print(f"\nDashboard server time, every sort and filter (median of {repeats})\n")
    print(f"  {'':42} {'built':>8} {'kept':>8}")
    slowest = 0
    for query in DASHBOARD:
        client.get(f"/?{query}")  # its first run fills the process's caches, as a worker's first request does
        built, kept = [], []
        for _ in range(repeats):
            queue_pages.forget()
            for times in (built, kept):
                started = time.perf_counter()
                assert client.get(f"/?{query}").status_code == 200
                times.append((time.perf_counter() - started) * 1000)
        slowest = max(slowest, median(built))
        print(f"  /?{query:40} {median(built):5.1f} ms {median(kept):5.1f} ms")
    targets.check(f"dashboard server time under 40 ms for every sort and filter, built afresh "
                  f"({slowest:.1f} ms at most)", slowest < 40)


def main():
    if not shutil.which("wrk"):
        sys.exit("The load part drives the server with wrk: apt-get install wrk")
    with connection.cursor() as cursor:
        # As autovacuum would have left a database in use: statistics current, visibility map set.
        cursor.execute("VACUUM ANALYZE")
    targets = Targets()
    production.collect_static()
    reviewer, liaison = user("load-reviewer", "reviewer"), user("load-liaison", "liaison", "PL")
    dashboard_server_times(reviewer, targets)
    keys = {name: tokens.issue(account).key for name, account in (("reviewer", reviewer), ("liaison", liaison))}
    cookie = session_for(reviewer)
    depth = min(100_000, Case.objects.count() - 100)
    endpoints = [
        Endpoint("GET /api/v1/cases/ as a liaison", "/api/v1/cases/", token=keys["liaison"], kind="cases"),
        Endpoint("GET /api/v1/cases/ as a reviewer", "/api/v1/cases/", token=keys["reviewer"], kind="cases"),
        Endpoint(f"GET /api/v1/cases/, {depth:,} rows deep", f"/api/v1/cases/?cursor={quote(deep_cursor(depth))}",
                 token=keys["reviewer"], kind="cases"),
        Endpoint("GET /api/v1/cases/?ordering=-total_value_usd", "/api/v1/cases/?ordering=-total_value_usd",
                 token=keys["reviewer"], kind="cases"),
        Endpoint("GET /api/v1/batches/", "/api/v1/batches/", token=keys["reviewer"]),
        Endpoint("GET /api/v1/cases/?search=Poland", "/api/v1/cases/?search=Poland", token=keys["reviewer"]),
        *(Endpoint(f"GET /?{query}" if query else "GET / (dashboard)", f"/?{query}", session=cookie,
                   kind="dashboard") for query in DASHBOARD),
        Endpoint("POST /api/v1/lors/ (Idempotency-Key)", "/api/v1/lors/", "post_lor.lua", keys["liaison"],
                 kind="post"),
    ]
    port = free_port()
    env = {**os.environ, "REDIS_URL": REDIS_URL}
    subprocess.run([sys.executable, "-m", "celery", "-A", "fms_review", "purge", "-f"], cwd=ROOT, env=env,
                   capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "fms_review.wsgi:application", "-b",
                               f"127.0.0.1:{port}", "-w", str(WORKERS)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--loglevel", "WARNING",
                               "--prefetch-multiplier", "1", "--concurrency", "2"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare = Endpoint("bare", "/bench/bare/", token=keys["liaison"])
    try:
        wait_for(port)
        # Warm up: every worker connects and loads its code; a full run also fills each page's caches.
        warming = {endpoint.kind: endpoint for endpoint in endpoints[:-1]}.values() if quick() else endpoints[:-1]
        for endpoint in warming:
            wrk(port, endpoint.path, endpoint.script, endpoint.token, endpoint.session, seconds=1)
        before, worker_cpu = Case.objects.count(), 0.0
        for _ in range(SAMPLES):
            for endpoint in endpoints:
                bare_sample = wrk(port, bare.path, bare.script, bare.token)
                cpu = cpu_seconds(worker.pid)
                endpoint.pairs.append((bare_sample, wrk(port, endpoint.path, endpoint.script, endpoint.token,
                                                        endpoint.session)))
                if endpoint.kind == "post":
                    worker_cpu += cpu_seconds(worker.pid) - cpu
        created = Case.objects.count() - before
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=60)
    report(endpoints, targets, before, created, worker_cpu)
    return targets.report()


def wait_for(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def report(endpoints, targets, before, created, worker_cpu):
    print(f"\nLoad: gunicorn, {WORKERS} workers, {CLIENTS} clients, a Celery worker of 2; {SAMPLES} samples of "
          f"{SECONDS} s each, interleaved with the bare endpoint's; over {before:,} cases\n")
    print(machine.line() + "\n")
    print(f"{'endpoint':44} {'req/s':>7} {'bare':>6} {'x bare':>7} {'spread':>11} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'errors':>6}")
    for endpoint in endpoints:
        print(endpoint.line())
    print("(medians of the samples; spread: the lowest and highest of the three ratios)\n")
    posted = endpoints[-1]
    sent = sum(sample.requests for _, sample in posted.pairs)
    print(f"the Celery worker used {worker_cpu:.1f} CPU seconds while {sent:,} LORs were posted")
    for kind, least, label in (("cases", 1.0, "case list"), ("dashboard", 0.5, "dashboard"),
                               ("post", 0.6, "POST /lors/")):
        chosen = [endpoint for endpoint in endpoints if endpoint.kind == kind]
        lowest = min(endpoint.ratio() for endpoint in chosen)
        targets.check(f"{label} at least {least} of the bare endpoint, every variant ({lowest:.2f} at least)",
                      lowest >= least)
    cases = [endpoint for endpoint in endpoints if endpoint.kind == "cases"]
    worst = max(endpoint.p99() for endpoint in cases)
    targets.check(f"case list p99 under 100 ms at any depth ({worst:.1f} ms at most)", worst < 100)
    errors = sum(endpoint.errors() for endpoint in endpoints)
    targets.check(f"zero errors ({errors})", errors == 0)
    # wrk stops counting at the deadline; up to one request per client may still finish after it.
    targets.check(f"every accepted LOR saved ({created:,} of {sent:,})",
                  sent <= created <= sent + CLIENTS * SAMPLES)


if __name__ == "__main__":
    sys.exit(main())
