from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone


class IdempotencyRecordQuerySet(models.QuerySet):
    def remember(self, user, key, fingerprint, status_code, response):
        """Keep the answer to a request sent with `key`, in the transaction that made it (one statement);
        returns False when the key already holds an answer within its retention, which the caller replays
        after rolling back its own work. A second request sent while the first is still running waits
        here for the first to commit (the key's unique index), then finds its answer."""
        table = IdempotencyRecord._meta.db_table
        now = timezone.now()
        adapt = connection.ops.adapt_datetimefield_value
        answer = IdempotencyRecord._meta.get_field("response").get_db_prep_save(response, connection)
        with connection.cursor() as cursor:
            # A record past its retention is taken over, as if the key were new.
            cursor.execute(
                f'INSERT INTO {table} (user_id, "key", fingerprint, status_code, response, created_at) '
                'VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, "key") DO UPDATE SET '
                "fingerprint = excluded.fingerprint, status_code = excluded.status_code, "
                f"response = excluded.response, created_at = excluded.created_at WHERE {table}.created_at < %s "
                "RETURNING id",
                [user.pk, key, fingerprint, status_code, answer, adapt(now), adapt(now - retention())],
            )
            return cursor.fetchone() is not None

    def answered(self, user, key):
        """The answer kept for `key` within its retention, or None."""
        return self.filter(user=user, key=key, created_at__gte=timezone.now() - retention()).first()


def retention():
    return timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


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
