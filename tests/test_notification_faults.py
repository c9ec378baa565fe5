"""Notifications under faults, with real processes: PostgreSQL, Redis servers, gunicorn, Celery workers,
an SMTP server and a webhook receiver. Redis stopped while cases change; a worker killed mid-delivery;
a receiver answering 500 first; a burst of 1,000 events. Each time every message arrives, and no
receiver sees one event twice except those a killed worker had taken, which it drops by their keys."""
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import transaction

from cases.api import tokens
from cases.models import Channel, NoticeKind, OutboxMessage, ReviewBatch, WebhookSubscription
from cases.models.notices import Audience
from cases.notify import outbox
from cases.process.stages import Stage
from cases.review.batching import build_batches
from cases.review.services import decide_batch, start_batch
from cases.tasks import BATCHING_QUEUED
from fms_review.celery import app

from .builders import Builder, concur_all, purchaser_of
from .receivers import Hook, SmtpServer
from .test_celery_worker import database_url
from .test_redis_outage import ROOT, answers, free_port, start_redis, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def worker_env(smtp, redis_url, **extra):
    return {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port), "EMAIL_USE_TLS": "0", "NOTIFY_LEASE_SECONDS": "3",
            "NOTIFY_RETRY_SECONDS": "1", **extra}


def start_worker(env, *, beat=False, tmp_path=None):
    command = [sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--pool", "solo", "--loglevel", "WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:  # beat's sweep every second (CLOCK_INTERVAL_SECONDS), as production's every 30 s
        command += ["--beat", "--schedule", str(tmp_path / "beat-schedule")]
        env = {**env, "CLOCK_INTERVAL_SECONDS": "1"}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(*processes):
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def pending():
    return OutboxMessage.objects.exclude(channel=Channel.IN_APP).filter(delivered_at__isnull=True)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def quiet_queue(postgres, redis_url):
    app.control.purge()  # tasks queued by earlier tests are not this test's
    cache.delete(BATCHING_QUEUED)


def batch_of(reviewer, count, country="DE"):
    """`count` cases of `country` in one batch under review, every office concurring."""
    cases = [Builder(reviewer, country=country).build(Stage.LOR_ACTIONABLE) for _ in range(count)]
    build_batches(case_ids=[case.pk for case in cases])
    batch = ReviewBatch.objects.get(cases=cases[0])
    start_batch(batch, reviewer=reviewer)
    concur_all(batch)
    return batch, cases


def subscribe(url, country="DE"):
    return WebhookSubscription.objects.create(audience=Audience.COUNTRY, country_id=country, url=url,
                                              owner=purchaser_of(country), kinds=[NoticeKind.DENIED])


def test_redis_stopped_while_cases_change_every_notice_arrives_once(quiet_queue, reviewer, smtp, tmp_path):
    port = free_port()
    servers = [start_redis(port)]
    assert wait_until(lambda: answers(port), 10)
    own_redis = f"redis://127.0.0.1:{port}/0"
    env = worker_env(smtp, own_redis)
    web_port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "fms_review.wsgi:application", "-b",
                            f"127.0.0.1:{web_port}", "-w", "1"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    with Hook() as hook:
        try:
            subscribe(hook.url)
            batch, cases = batch_of(reviewer, 6)
            assert wait_until(lambda: answers(web_port), 20)
            servers[0].kill()  # Redis stops; then the reviewer decides
            servers[0].wait(timeout=10)
            body = {"decisions": [{"case": case.case_number, "outcome": "deny", "reason": "Not releasable."}
                                  for case in cases]}
            request = urllib.request.Request(
                f"http://127.0.0.1:{web_port}/api/v1/batches/{batch.pk}/decisions/", data=json.dumps(body).encode(),
                method="POST", headers={"Authorization": f"Token {tokens.issue(reviewer).key}",
                                        "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200  # the decision stands; its notices wait in the outbox
            # One e-mail to Germany's liaison and one event per case, waiting in the outbox.
            assert pending().filter(notice__kind=NoticeKind.DENIED).count() == 12
            servers.append(start_redis(port))  # Redis is back: beat's sweep sends what waited
            assert wait_until(lambda: answers(port), 10)
            worker = start_worker(env, beat=True, tmp_path=tmp_path)
            assert wait_until(lambda: not pending().exists(), 90), f"{pending().count()} never delivered"
        finally:
            stop(web, worker)
            for server in servers:
                server.kill()
        denials = [m for m in smtp.mailbox.received if "was denied" in m["Subject"]]
        assert len(denials) == len({m["Message-ID"] for m in denials}) == 6
        assert len(smtp.mailbox.received) == len(smtp.mailbox.distinct)  # the offices' mail too, once each
        assert len(hook.received) == len(hook.events) == 6


def test_a_worker_killed_mid_delivery_leaves_nothing_undelivered(quiet_queue, reviewer, smtp, redis_url, tmp_path):
    env = worker_env(smtp, redis_url)
    with Hook(first_delay=30) as hook:
        subscribe(hook.url)
        worker = start_worker(env)
        second = None
        try:
            batch, cases = batch_of(reviewer, 5)
            decide_batch(batch, [{"case": case.case_number, "outcome": "deny", "reason": "No."} for case in cases],
                         reviewer=reviewer)
            assert wait_until(lambda: len(hook.received) == 1, 60)  # the worker is inside its first POST
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            hook.first_delay = 0
            second = start_worker(env, beat=True, tmp_path=tmp_path)  # the sweep, once the lease has run out
            assert wait_until(lambda: not pending().exists(), 90), f"{pending().count()} never delivered"
        finally:
            stop(worker, second)
    ids = [r["headers"]["FMS-Event-Id"] for r in hook.received]
    assert len(set(ids)) == OutboxMessage.objects.filter(channel=Channel.WEBHOOK).count() == 5
    assert ids.count(ids[0]) == 2 and len(ids) == 6  # the one in flight came again, under its key
    # The chunk's e-mails sent before the kill were not yet recorded as sent: they came again, under
    # their Message-IDs, and the receiver keeps one of each.
    denials = [m for m in smtp.mailbox.received if "was denied" in m["Subject"]]
    copies = Counter(m["Message-ID"] for m in denials)
    assert len(copies) == 5 and set(copies.values()) <= {1, 2}


def test_a_receiver_answering_500_gets_the_event_on_a_retry(quiet_queue, reviewer, smtp, redis_url, tmp_path):
    with Hook(answers=[500]) as hook:
        subscribe(hook.url)
        worker = start_worker(worker_env(smtp, redis_url), beat=True, tmp_path=tmp_path)
        try:
            Builder(reviewer).build(Stage.DENIED)
            assert wait_until(lambda: not pending().exists(), 90)
        finally:
            stop(worker)
    assert [r["status"] for r in hook.received] == [500, 200]
    message = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    assert message.attempts == 2
    assert list(message.attempts_made.order_by("at").values_list("status_code", flat=True)) == [500, 200]


def test_a_burst_of_a_thousand_events_is_delivered_once_each(quiet_queue, reviewer, smtp, redis_url, tmp_path):
    case = Builder(reviewer).build(Stage.DENIED)
    OutboxMessage.objects.all().delete()
    with Hook() as hook:
        WebhookSubscription.objects.create(audience=Audience.COUNTRY, country_id="DE", url=hook.url,
                                           owner=purchaser_of("DE"), kinds=[NoticeKind.DENIED])
        workers = [start_worker(worker_env(smtp, redis_url))]
        try:
            for start in range(0, 1000, 100):
                with transaction.atomic():
                    outbox.tell(outbox.Tell(NoticeKind.DENIED, f"burst:{n}", case_id=case.pk,
                                            facts={"detail": "burst"}) for n in range(start, start + 100))
            assert wait_until(lambda: len(hook.received) >= 1000 and not pending().exists(), 120)
        finally:
            stop(*workers)
    assert len(hook.received) == len(hook.events) == 1000
    assert len(smtp.mailbox.to(purchaser_of("DE").email)) == len(smtp.mailbox.received) == 1000
