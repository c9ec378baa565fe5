"""The daily digest: each user's e-mails held for it, sent as one mail once their hour comes (the
messages' `due_at`, set when they were written)."""
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from ..models import Channel, DigestSettings, OutboxMessage
from .delivery import claim, failed, pending
from .emails import digest_for
from .outbox import next_digest


def send_digests(at=None, limit=100):
    """Mail every digest that is due (up to `limit` users); returns how many digests went."""
    at = at or timezone.now()
    due = pending(at).filter(digest=True, channel=Channel.EMAIL)
    users = list(due.order_by("user_id").values_list("user_id", flat=True).distinct()[:limit])
    sent = 0
    connection = mail.get_connection() if users else None
    for user in get_user_model().objects.filter(pk__in=users):
        messages = claim(due.filter(user=user), at, limit=500)
        if not messages:
            continue  # another deliverer took them
        try:
            digest_for(user, messages, connection).send()
        except Exception as error:  # noqa: BLE001 - the digest is retried as its messages are
            for message in messages:
                failed(message, error, at)
        else:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                delivered_at=timezone.now(), last_error="", claim=None)
            sent += 1
    return sent


def reschedule(user):
    """Move the user's held digest e-mails to their (new) digest hour."""
    chosen = DigestSettings.objects.filter(user=user).first() or DigestSettings()
    OutboxMessage.objects.filter(user=user, digest=True, delivered_at__isnull=True, failed_at__isnull=True).update(
        due_at=next_digest(chosen, timezone.now()))
