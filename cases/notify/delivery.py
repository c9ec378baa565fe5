"""Sending what the outbox holds: e-mail and webhooks, at least once, each under a key its receiver can
drop a repeat by (the e-mail's Message-ID, the webhook's event id).

A deliverer claims a chunk of due messages by pushing their `due_at` past a lease in one UPDATE that
re-checks each row, so two deliverers (the after-commit task and beat's sweep, or two workers) never
take the same message; it sends outside any transaction, then records each outcome. A worker killed
mid-send leaves its messages claimed until the lease (NOTIFY_LEASE_SECONDS) runs out; the next sweep
sends them again.
A failure is retried with exponential backoff; after a day the message is given up on, and a webhook
subscription that failed that long is disabled and its owner told.
"""
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Channel, NoticeKind, OutboxMessage, WebhookAttempt
from . import emails, outbox, webhooks

def backoff(attempts):
    """The wait before the next try after `attempts` failed ones: doubling from the base, capped."""
    return timedelta(seconds=min(settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0),
                                 settings.NOTIFY_RETRY_MAX_SECONDS))


def pending(at):
    return (OutboxMessage.objects.filter(delivered_at__isnull=True, failed_at__isnull=True, due_at__lte=at)
            .exclude(subscription__active=False))


def claim(candidates, at, limit):
    """Take up to `limit` messages of `candidates` (pending ones) still due at `at`; returns them."""
    chosen = list(candidates.order_by("due_at", "pk").values_list("pk", flat=True)[:limit])
    if not chosen:
        return []
    token, lease = uuid.uuid4(), timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    OutboxMessage.objects.filter(pk__in=chosen, delivered_at__isnull=True, failed_at__isnull=True,
                                 due_at__lte=at).update(claim=token, due_at=at + lease, attempts=F("attempts") + 1)
    return list(OutboxMessage.objects.filter(claim=token).select_related(
        "notice__case__joint_request", "notice__batch", "user", "subscription").order_by("pk"))


def deliver(ids=None, *, at=None, limit=200):
    """Send the due e-mails and webhooks (of `ids`, or any), `limit` at most; returns how many went."""
    at = at or timezone.now()
    candidates = pending(at).filter(digest=False).exclude(channel=Channel.IN_APP)
    if ids is not None:
        candidates = candidates.filter(pk__in=ids)
    messages = claim(candidates, at, limit)
    connection = mail.get_connection() if any(m.channel == Channel.EMAIL for m in messages) else None
    sent, log = [], []
    opened = open_session(connection)
    try:
        send_each(messages, connection, sent, log, at)
    finally:
        if opened:
            connection.close()
    # Recorded for the chunk at once: a worker killed before this sends the chunk again, under its keys.
    WebhookAttempt.objects.bulk_create(log)
    OutboxMessage.objects.filter(pk__in=sent).update(delivered_at=timezone.now(), last_error="", claim=None)
    return len(sent)


def open_session(connection):
    """One SMTP session for the chunk, not one per e-mail. If the server does not answer, each e-mail
    tries on its own and records its failure (and so its retry)."""
    try:
        return bool(connection and connection.open())
    except OSError:
        return False


def send_each(messages, connection, sent, log, at):
    for message in messages:
        try:
            if message.channel == Channel.EMAIL:
                emails.message_for(message, connection).send()
            else:
                webhooks.post(message, log)
        except Exception as error:  # noqa: BLE001 - whatever a receiver does, the message is retried
            failed(message, error, at)
        else:
            sent.append(message.pk)


def deliver_all(at=None):
    """Deliver in chunks until nothing is due: beat's sweep."""
    total = 0
    while sent := deliver(at=at):
        total += sent
    return total


def failed(message, error, at):
    """Record a failed try: retry after the backoff, or, a day after the message was written, give up."""
    text = f"{type(error).__name__}: {error}"[:300]
    if at - message.created_at >= timedelta(hours=settings.NOTIFY_GIVE_UP_HOURS):
        with transaction.atomic():
            OutboxMessage.objects.filter(pk=message.pk).update(failed_at=at, last_error=text, claim=None)
            if message.channel == Channel.WEBHOOK:
                disable(message.subscription, at)
        return
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=at + backoff(message.attempts), last_error=text,
                                                       claim=None)


def disable(subscription, at):
    changed = type(subscription).objects.filter(pk=subscription.pk, active=True).update(active=False, disabled_at=at)
    if changed:
        outbox.tell([outbox.Tell(NoticeKind.WEBHOOK_DISABLED, f"webhook_disabled:{subscription.pk}:{at.isoformat()}",
                                 facts={"url": subscription.url}, users=(subscription.owner_id,), at=at)])


def redeliver(message):
    """Send a webhook message again now (its event id unchanged), whatever became of it before."""
    OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=None, failed_at=None, due_at=timezone.now())
    transaction.on_commit(lambda: outbox.queue_delivery([message.pk]), robust=True)
