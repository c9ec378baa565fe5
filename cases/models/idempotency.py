from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class IdempotencyRecordQuerySet(models.QuerySet):
    def claim(self, user, key, fingerprint):
        """The key's row, locked (inside a transaction); created if new, renewed if it outlived its
        retention. A second request with the key waits here for the first to commit."""
        self.bulk_create([IdempotencyRecord(user=user, key=key, fingerprint=fingerprint)], ignore_conflicts=True)
        record = self.select_for_update().get(user=user, key=key)
        if record.created_at < timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS):
            record.fingerprint, record.status_code, record.response = fingerprint, None, None
            record.created_at = timezone.now()
            record.save()
        return record


class IdempotencyRecord(models.Model):
    """The first successful answer to a request sent with an Idempotency-Key (API) or from one rendered
    form (pages), per user.

    `fingerprint` is a hash of the method, path and body: the same key with another body is a
    conflict. Kept IDEMPOTENCY_KEY_HOURS at least.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IdempotencyRecordQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
