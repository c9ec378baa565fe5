from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    DENY = "deny", "Deny"
    RETURN = "return", "Return for information"


class Decision(models.Model):
    """A reviewer's decision on a case. A case returned and resubmitted may be decided again."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=7, choices=Outcome)
    reason = models.TextField(max_length=5000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    batch = models.ForeignKey(
        "cases.ReviewBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["outcome", "decided_at"], name="decision_outcome_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="approve") | ~Q(reason=""), name="decision_reason_to_deny_or_return"
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.case_id}"

    @property
    def outcome_done(self):
        """The outcome as a record says it ("Approved", not "Approve"): its audit verb's label."""
        from .events import Verb

        return Verb(self.outcome).label
