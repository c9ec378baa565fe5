"""Celery tasks: thin, idempotent wrappers over the services; they retry only transient errors."""
import logging
from dataclasses import asdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from .models import IdempotencyRecord
from .notify import delivery, digests, reminders
from .process import timers
from .review import batching

log = logging.getLogger(__name__)

RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),  # the database went away for a moment
    "retry_backoff": True,
    "max_retries": 5,
}


# Set while a batching run is queued and not yet started. One run batches every actionable case, so a
# burst of LORs needs one run, not one each. Expires in case a queued run is lost with the broker.
BATCHING_QUEUED = "batching-queued"
BATCHING_QUEUED_SECONDS = 120


@shared_task(**RELIABLE)
def build_batches_task(case_ids=None):
    # Cleared before batching reads anything: a case that becomes actionable from here on queues a new run.
    cache.delete(BATCHING_QUEUED)
    return asdict(batching.build_batches(case_ids=case_ids))


# Every minute: a batch filled to its policy's window, or old enough, enters review within the minute.
@shared_task(**RELIABLE)
def close_review_windows_task():
    return len(batching.close_windows())


# The clock's jobs (cases.process.timers.CLOCK); each returns how many cases it acted on.
@shared_task(**RELIABLE)
def clear_notifications_task():
    return len(timers.clear_notifications())


@shared_task(**RELIABLE)
def expire_offers_task():
    return len(timers.expire_offers())


@shared_task(**RELIABLE)
def mark_stalled_task():
    return len(timers.mark_stalled())


# Notifications: what a change just wrote, then beat's sweep of whatever is still due (a lost task, a
# retry's time come, digests at their hour), then the hourly reminders.
@shared_task(**RELIABLE)
def deliver_messages_task(ids):
    return delivery.deliver(ids)


@shared_task(**RELIABLE)
def deliver_notifications_task():
    return {"sent": delivery.deliver_all(), "digests": digests.send_digests()}


@shared_task(**RELIABLE)
def notice_reminders_task():
    return reminders.remind()


@shared_task(**RELIABLE)
def purge_idempotency_records_task():
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]


def request_batching():
    """Queue a batching run (after commit), unless one is queued and has not started: that run will
    see this case. The run starts BATCHING_DELAY_SECONDS later, so the LORs of a burst share it
    rather than each being batched by a run of its own. If Redis is down the case stays actionable and the beat schedule's safety net
    batches it later; the request that saved it still succeeds."""
    try:
        if cache.add(BATCHING_QUEUED, True, BATCHING_QUEUED_SECONDS):
            build_batches_task.apply_async(countdown=settings.BATCHING_DELAY_SECONDS)
    except (BrokerError, RedisError) as error:
        log.warning("Batching not queued (%s); the periodic run will pick the case up.", error)
