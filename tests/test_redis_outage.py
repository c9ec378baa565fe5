"""Redis stopped: LOR submission still answers 201 and the case is kept; when Redis is back, the
periodic batching run picks the case up. Real processes: a gunicorn server, a Redis server, a worker."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from cases.api import tokens
from cases.models import Case
from cases.process.stages import Stage

from .api_data import lor
from .test_celery_worker import database_url

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_redis(port):
    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                             "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def redis_server(redis_url):
    """A Redis of this test's own, so stopping it disturbs nothing else."""
    port = free_port()
    servers = [start_redis(port)]
    assert wait_until(lambda: answers(port), 10)
    yield port, servers
    for server in servers:
        server.kill()


def test_submission_survives_redis_being_down(postgres, redis_server, liaison_pl):
    redis_port, servers = redis_server
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    web_port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "fms_review.wsgi:application", "-b",
                            f"127.0.0.1:{web_port}", "-w", "1"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        assert wait_until(lambda: answers(web_port), 20)
        servers[0].kill()  # Redis stops
        servers[0].wait(timeout=10)
        assert not answers(redis_port)

        token = tokens.issue(liaison_pl).key
        request = urllib.request.Request(
            f"http://127.0.0.1:{web_port}/api/v1/lors/", data=json.dumps(lor()).encode(), method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=20) as response:
            assert response.status == 201
            body = json.loads(response.read())
        assert time.monotonic() - started < 10  # gave up on the broker quickly
        case = Case.objects.get(case_number=body["case_number"])
        assert case.stage == Stage.LOR_ACTIONABLE and case.review_batch is None  # kept, waiting

        servers.append(start_redis(redis_port))  # Redis is back
        assert wait_until(lambda: answers(redis_port), 10)
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--pool", "solo",
                                   "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # What beat sends every five minutes (sent here rather than waiting for the schedule).
        assert settings.CELERY_BEAT_SCHEDULE["build-batches"] == {"task": "cases.tasks.build_batches_task",
                                                                   "schedule": 300.0}
        subprocess.run([sys.executable, "-m", "celery", "-A", "fms_review", "call", "cases.tasks.build_batches_task"],
                       cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
        assert wait_until(lambda: Case.objects.get(pk=case.pk).review_batch_id is not None, 60)
        assert Case.objects.get(pk=case.pk).stage == Stage.IN_REVIEW
    finally:
        for process in (web, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
