"""A real Celery worker on Redis: a submitted LOR ends up in a review batch without anyone calling
the task by hand (the submission queues it after commit)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from cases.models import Case
from cases.process.stages import Stage
from cases.tasks import BATCHING_QUEUED
from fms_review.celery import app

from .builders import submit

ROOT = Path(__file__).resolve().parent.parent


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(postgres, redis_url):
    app.control.purge()  # tasks queued by earlier tests are not this test's
    cache.delete(BATCHING_QUEUED)  # nor is their note that a run is queued
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


def start_worker(redis_url):
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def insert_actionable_cases(count):
    """Many waiting cases at once, so a batching run takes long enough to be killed in the middle."""
    from tests.bench.fixture import Fixture

    Fixture().add(count)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_batching_loses_and_doubles_nothing(postgres, redis_url, monkeypatch):
    import signal

    from cases.models import ReviewBatch
    from cases.tasks import build_batches_task

    app.control.purge()
    insert_actionable_cases(40_000)
    worker = start_worker(redis_url)
    try:
        build_batches_task.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not busy_batching():
            time.sleep(0.05)
        assert busy_batching(), "the worker never started batching"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The run died inside its transaction: nothing of it is kept.
    assert Case.objects.filter(review_batch__isnull=False).count() == 0
    assert not ReviewBatch.objects.exists()

    worker = start_worker(redis_url)
    try:
        build_batches_task.delay()  # what the beat schedule sends every five minutes
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and Case.objects.filter(stage=Stage.LOR_ACTIONABLE).exists():
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert not Case.objects.filter(stage=Stage.LOR_ACTIONABLE).exists()
    assert Case.objects.filter(review_batch__isnull=True).count() == 0
    assert Case.objects.count() == 40_000
    from cases.models import CaseEvent

    assert CaseEvent.objects.filter(verb="start_review").count() == 40_000  # each case moved exactly once


def busy_batching():
    """Whether some session is inside build_batches (holding its advisory lock)."""
    from cases.review.batching import ADVISORY_LOCK_KEY

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted",
            [ADVISORY_LOCK_KEY],
        )
        return cursor.fetchone()[0] > 0
