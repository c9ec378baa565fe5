"""A real Celery worker on Redis: a submitted LOR ends up in a review batch without anyone calling
the task by hand (the submission queues it after commit)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from cases.models import Case
from cases.stages import Stage
from fms_review.celery import app

from .builders import submit

ROOT = Path(__file__).resolve().parent.parent


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(postgres, redis_url):
    app.control.purge()  # tasks queued by earlier tests are not this test's
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_submitted_lor_is_batched_by_the_worker(worker, reviewer):
    case = submit(reviewer, country="PL")
    assert Case.objects.get(pk=case.pk).stage == Stage.LOR_ACTIONABLE  # queued, not run in-process
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        case.refresh_from_db()
        if case.review_batch_id:
            break
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.25)
    assert case.review_batch_id is not None, "the worker never batched the case"
    assert case.stage == Stage.IN_REVIEW
    assert case.events.filter(verb="start_review").count() == 1
