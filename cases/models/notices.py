"""What people and organisations are told, and how (cases.notify).

A Notice is one thing that happened that someone should hear of; the outbox holds one message per
recipient and channel, written in the transaction that made the change and delivered after it commits.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NoticeKind(models.TextChoices):
    RETURNED = "returned", "Case returned for information"
    DENIED = "denied", "Case denied"
    APPROVED = "approved", "Case approved"
    OFFERED = "offered", "LOA offered"
    OED_SOON = "oed_soon", "Offer expires within 14 days"
    OED_IMMINENT = "oed_imminent", "Offer expires within 3 days"
    EXPIRED = "expired", "Offer expired"
    ACCEPTED = "accepted", "LOA accepted"
    RESUBMITTED = "resubmitted", "LOR resubmitted"
    BATCH_ASSIGNED = "batch_assigned", "Batch assigned to you"
    CONCURRENCE_ASKED = "concurrence_asked", "Your office is asked to concur"
    CONCURRENCE_OVERDUE = "concurrence_overdue", "Concurrence overdue"
    STALLED = "stalled", "Case stalled"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook disabled after failing for a day"


class Notice(models.Model):
    """One occurrence to tell about: a case's (most kinds) or a batch's. `key` makes writing it
    idempotent: a reminder swept twice, or an event told twice, is one notice."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=NoticeKind)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    batch = models.ForeignKey("cases.ReviewBatch", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # What every recipient may read: written from facts the audience can already see on the case.
    summary = models.CharField(max_length=300)
    detail = models.TextField(max_length=5000, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.summary


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class OutboxMessage(models.Model):
    """One notice for one recipient (a user, or a webhook subscription) on one channel.

    In-app messages are delivered as they are written; the others wait until `due_at`, which a
    deliverer also pushes forward while it holds the message (a lease: a worker killed mid-send leaves
    it to be sent again once the lease runs out, under the same key for the receiver to drop).
    """

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=Channel)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    subscription = models.ForeignKey("cases.WebhookSubscription", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="messages")
    digest = models.BooleanField(default=False, help_text="E-mailed in the recipient's daily digest.")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Given up on after retrying for a day.")
    last_error = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel="webhook") & Q(user__isnull=True) & Q(subscription__isnull=False))
                | (~Q(channel="webhook") & Q(user__isnull=False) & Q(subscription__isnull=True)),
                name="outbox_recipient_fits_channel"),
            models.UniqueConstraint(fields=["notice", "channel", "user"], condition=Q(user__isnull=False),
                                    name="outbox_once_per_user"),
            models.UniqueConstraint(fields=["notice", "subscription"], condition=Q(subscription__isnull=False),
                                    name="outbox_once_per_subscription"),
        ]
        indexes = [
            # What a deliverer sweeps: the messages not yet delivered nor given up on.
            models.Index(fields=["due_at"], condition=Q(delivered_at__isnull=True, failed_at__isnull=True),
                         name="outbox_pending_idx"),
            # The bell and the list page.
            models.Index(fields=["user", "-created_at"], condition=Q(channel="in_app"), name="outbox_in_app_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.notice}"


class Mode(models.TextChoices):
    NOW = "now", "Immediately"
    DIGEST = "digest", "Daily digest"
    OFF = "off", "Off"


class NoticePreference(models.Model):
    """How a user hears of one kind of notice; without a row, immediately."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(max_length=30, choices=NoticeKind)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.NOW)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_unique")]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.mode}"


class DigestSettings(models.Model):
    """When a user's daily digest is mailed: at `hour` o'clock in their time zone."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_settings")
    hour = models.PositiveSmallIntegerField(default=7)
    time_zone = models.CharField(max_length=60, default="UTC")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(hour__lte=23), name="digest_hour_of_day")]

    def __str__(self):
        return f"{self.user}: {self.hour:02d}:00 {self.time_zone}"


class Audience(models.TextChoices):
    NSPA = "nspa", "NSPA (its joint requests' cases)"
    COUNTRY = "country", "A purchaser (its own cases)"


def new_secret():
    return secrets.token_hex(32)


class WebhookSubscription(models.Model):
    """An organisation's endpoint for signed events about the cases it may see: NSPA's joint requests'
    cases, or one purchaser's own. Disabled after a day of failed deliveries; its owner is mailed."""

    audience = models.CharField(max_length=10, choices=Audience)
    country = models.ForeignKey("bins.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, default=new_secret, help_text="Signs every delivery (HMAC-SHA256).")
    kinds = models.JSONField(default=list, blank=True, help_text="Kinds of notice sent; empty: every kind.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              help_text="Mailed when the subscription is disabled.")
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(audience="country") & Q(country__isnull=False))
                | (Q(audience="nspa") & Q(country__isnull=True)),
                name="webhook_country_iff_purchaser"),
        ]

    def __str__(self):
        return self.url


class WebhookAttempt(models.Model):
    """One try at delivering a message to a subscription: the delivery log."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempts_made")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
