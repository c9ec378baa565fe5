from django.db import models
from django.db.models import Q


class CongressionalNotification(models.Model):
    """Whether AECA 36(b) notification is required for a case, and where its review stands.

    Written when the case enters LOA development; `rule` records which dated threshold row was applied,
    so a later change of law does not rewrite history.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="notification")
    required = models.BooleanField()
    tripped = models.JSONField(
        default=list, blank=True, help_text='Thresholds met: any of "mde", "total", "design_construction".'
    )
    tier = models.CharField(max_length=10)
    rule = models.ForeignKey("cases.NotificationRule", on_delete=models.PROTECT, related_name="+")
    informal_review_started_on = models.DateField(null=True, blank=True)
    informal_review_ends_on = models.DateField(null=True, blank=True)
    formal_notified_on = models.DateField("formal notification", null=True, blank=True)
    review_ends_on = models.DateField("formal review ends", null=True, blank=True)
    emergency_waiver = models.BooleanField(default=False)
    waiver_justification = models.TextField(max_length=5000, blank=True)
    cleared_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(emergency_waiver=False) | ~Q(waiver_justification=""),
                name="notification_waiver_needs_justification",
            ),
            models.CheckConstraint(
                condition=Q(review_ends_on__isnull=True) | Q(formal_notified_on__isnull=False),
                name="notification_review_end_needs_notice",
            ),
        ]
        indexes = [models.Index(fields=["review_ends_on"], name="notification_review_end_idx")]

    def __str__(self):
        return f"CN for {self.case_id}"

    def thresholds(self):
        """Each threshold of the rule applied, in dollars, beside the case's value and whether it was met."""
        from .rules import THRESHOLDS

        return [{"label": label, "value": getattr(self.case, f"{name}_value_usd"),
                 "threshold": getattr(self.rule, threshold), "met": name in self.tripped}
                for name, label, threshold in THRESHOLDS]

    @property
    def pending(self):
        """True while notification blocks the offer: required, and neither cleared nor waived."""
        return self.required and self.cleared_on is None and not self.emergency_waiver
