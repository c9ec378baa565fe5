from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..process.stages import Action, Stage


class Verb(models.TextChoices):
    """What happened to a case: one verb per Action (the same value), and the facts no action records."""

    LOR_RECEIVED = "lor_received", "LOR received"
    BATCH_STARTED = "batch_started", "Batch taken for review"
    BATCH_ASSIGNED = "batch_assigned", "Batch assigned to a reviewer"
    BATCH_MEMO = "batch_memo", "Batch memo written"
    CONCURRENCE_ASKED = "concurrence_asked", "Offices asked to concur"
    CONCURRENCE_ANSWERED = "concurrence_answered", "An office answered"
    NON_CONCURRENCE_WITHDRAWN = "non_concurrence_withdrawn", "Non-concurrence withdrawn"
    MARK_ACTIONABLE = Action.MARK_ACTIONABLE.value, "LOR actionable"
    RETURN = Action.RETURN.value, "Returned for information"
    RESUBMIT = Action.RESUBMIT.value, "LOR resubmitted"
    START_REVIEW = Action.START_REVIEW.value, "Joined a combined-review batch"
    APPROVE = Action.APPROVE.value, "Approved"
    DENY = Action.DENY.value, "Denied"
    SUBMIT_NOTIFICATION = Action.SUBMIT_NOTIFICATION.value, "Formal congressional notification submitted"
    OFFER = Action.OFFER.value, "LOA offered"
    PROVIDE_PA = Action.PROVIDE_PA.value, "Price and availability provided"
    REQUEST_LOA = Action.REQUEST_LOA.value, "LOA requested after P&A"
    ACCEPT = Action.ACCEPT.value, "LOA accepted"
    ASSURANCE_RECORDED = Action.RECORD_ASSURANCE.value, "Retransfer assurance recorded"
    EXPIRE = Action.EXPIRE.value, "Offer expired"
    IMPLEMENT = Action.IMPLEMENT.value, "Implemented"
    CLOSE = Action.CLOSE.value, "Closed"
    WITHDRAW = Action.WITHDRAW.value, "Withdrawn"
    LOR_CHECKED = Action.CHECK_LOR.value, "LOR checked, information missing"
    LOR_AMENDED = Action.SUPPLY_LOR.value, "LOR information supplied"
    TSFD_APPROVED = Action.APPROVE_TSFD.value, "TSFD review approved"
    IA_APPROVED = Action.RECORD_IA_APPROVAL.value, "IA approval recorded"
    IA_APPROVAL_CORRECTED = Action.CORRECT_IA_APPROVAL.value, "IA approval date corrected"
    INFORMAL_REVIEW_STARTED = Action.START_INFORMAL_REVIEW.value, "Informal congressional review started"
    EMERGENCY_WAIVER = Action.RECORD_WAIVER.value, "Emergency waiver recorded"
    NOTIFICATION_CLEARED = Action.CLEAR_NOTIFICATION.value, "Congressional review period ended"
    STALLED = Action.MARK_STALLED.value, "Due date passed without a move"


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
    # On a move, when the case entered the stage it leaves (the span this move ends), written with the
    # move: the metrics' median days in a stage read one row per span instead of pairing moves.
    stage_since = models.DateTimeField(null=True, blank=True)

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
