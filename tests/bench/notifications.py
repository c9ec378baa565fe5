"""`make bench`, notifications: 1,000 events told in a burst (ten transactions of 100), each to a
liaison by e-mail and to a webhook subscription, delivered by one Celery worker (two processes, as
docker-compose.yml runs it) on Redis to an SMTP
server and an HTTP receiver on loopback; reports the rate and whether the burst took under 30 s.

Not a test: it prints what it measured, and exits non-zero when the target is missed.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_URL = os.environ.get("BENCH_NOTIFY_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/fms_review_bench_notify")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.update({"DATABASE_URL": BENCH_URL, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "fms_review.settings"})

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command

from django.db import transaction  # noqa: E402

from cases.models import Channel, NoticeKind, OutboxMessage, Profile, Role, WebhookSubscription  # noqa: E402
from cases.models.notices import Audience  # noqa: E402
from cases.notify import outbox  # noqa: E402
from cases.process.stages import Stage  # noqa: E402
from fms_review.celery import app  # noqa: E402
from tests.bench import machine  # noqa: E402
from tests.bench.database import recreate_database  # noqa: E402
from tests.builders import Builder, purchaser_of  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.receivers import Hook, SmtpServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EVENTS, TARGET_SECONDS = 1000, 30


def main():
    print("\nNotifications: a burst of 1,000 events, each by e-mail and webhook, one Celery worker of two processes\n")
    print(machine.line() + "\n")
    recreate_database(BENCH_URL)
    reviewer = UserFactory(username="bench-reviewer")
    Profile.objects.create(user=reviewer, role=Role.REVIEWER)
    case = Builder(reviewer).build(Stage.DENIED)
    OutboxMessage.objects.all().delete()
    app.control.purge()
    with SmtpServer() as smtp, Hook() as hook:
        WebhookSubscription.objects.create(audience=Audience.COUNTRY, country_id="DE", url=hook.url,
                                           owner=purchaser_of("DE"), kinds=[NoticeKind.DENIED])
        env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "EMAIL_USE_TLS": "0"}
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--concurrency", "2",
                                   "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # the worker is up before the clock starts
            started = time.monotonic()
            for start in range(0, EVENTS, 100):
                with transaction.atomic():
                    outbox.tell(outbox.Tell(NoticeKind.DENIED, f"bench:{n}", case_id=case.pk, facts={"detail": "bench"})
                                for n in range(start, start + 100))
            waiting = OutboxMessage.objects.exclude(channel=Channel.IN_APP).filter(delivered_at__isnull=True)
            while waiting.exists() and time.monotonic() - started < 300:
                time.sleep(0.1)
            seconds = time.monotonic() - started
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        events, mails = len(hook.events), len(smtp.mailbox.distinct)
    print(f"{'delivered':30} {'count':>8} {'seconds':>9} {'per second':>11}")
    print(f"{'webhook events':30} {events:>8,} {seconds:9.2f} {events / seconds:11.0f}")
    print(f"{'e-mails':30} {mails:>8,} {seconds:9.2f} {mails / seconds:11.0f}")
    met = events == EVENTS and mails == EVENTS and seconds < TARGET_SECONDS
    print(f"\n[{'ok' if met else 'MISSED'}] 1,000 events, by e-mail and webhook, delivered in under {TARGET_SECONDS} s")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
