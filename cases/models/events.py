from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..process.stages import Action, Stage


class Verb(models.TextChoices):
    """What happened to a case. Every stage-changing Action is a verb; the rest record facts on the way."""

    LOR_RECEIVED = "lor_received", "LOR received"
    LOR_CHECKED = "lor_checked", "LOR checked, information missing"
    LOR_AMENDED = "lor_amended", "LOR information supplied"
    MARK_ACTIONABLE = Action.MARK_ACTIONABLE.value, Action.MARK_ACTIONABLE.label
    RETURN = Action.RETURN.value, Action.RETURN.label
    RESUBMIT = Action.RESUBMIT.value, Action.RESUBMIT.label
    START_REVIEW = Action.START_REVIEW.value, Action.START_REVIEW.label
    APPROVE = Action.APPROVE.value, Action.APPROVE.label
    DENY = Action.DENY.value, Action.DENY.label
    SUBMIT_NOTIFICATION = Action.SUBMIT_NOTIFICATION.value, Action.SUBMIT_NOTIFICATION.label
    OFFER = Action.OFFER.value, Action.OFFER.label
    ACCEPT = Action.ACCEPT.value, Action.ACCEPT.label
    EXPIRE = Action.EXPIRE.value, Action.EXPIRE.label
    IMPLEMENT = Action.IMPLEMENT.value, Action.IMPLEMENT.label
    CLOSE = Action.CLOSE.value, Action.CLOSE.label
    WITHDRAW = Action.WITHDRAW.value, Action.WITHDRAW.label
    IA_APPROVED = "ia_approved", "IA approval recorded"
    INFORMAL_REVIEW_STARTED = "informal_review_started", "Informal congressional review started"
    EMERGENCY_WAIVER = "emergency_waiver", "Emergency waiver recorded"
    TSFD_APPROVED = "tsfd_approved", "TSFD review approved"
    NOTIFICATION_CLEARED = "notification_cleared", "Congressional review period ended"
    STALLED = "stalled", "Due date passed without a move"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk update and delete are refused: the audit trail is never rewritten."""

    def update(self, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")

    def delete(self):
        raise PermissionDenied("The audit trail is append-only.")

    _raw_delete = delete


class CaseEvent(models.Model):
    """One entry of a case's audit trail: who did what, when, and the stage before and after.

    Append-only: saving an existing row or deleting any row raises. Workflow is never driven from
    these rows; they record what cases.process.workflow did.
    """

    # Indexes only in Meta, as few as serve: batching writes 100,000 events at once.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="events", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="Empty when the system acted (a timer, an automatic check).",
    )
    verb = models.CharField(max_length=30, choices=Verb)
    from_stage = models.CharField(max_length=20, choices=Stage, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage)
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="event_case_at_idx"),
            # Most events are the system's (actor empty): only people's events are indexed.
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="event_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_verb_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")
