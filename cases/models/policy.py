"""How a bin is reviewed: its dated policy rows (review window, decision and concurrence due days) and
its standing technology releases. A country outside every bin, or a bin without a row of its own, gets
the standard policy (the row with no bin). Read through cases.review.policy only."""
from django.db import models
from django.db.models import Q

from fms_review.reference import ReferenceQuerySet


class ReviewPolicy(models.Model):
    """The process a bin's batches follow, from `effective_from`. A batch keeps the row in force when it
    opened, so a later row changes only the batches opened after it.

    The window: a batch takes newcomers until it is `window_days` old or holds `window_cases` cases, then
    enters review and its offices are asked. Due days left blank follow the timer rules (TimerRule).
    """

    bin = models.ForeignKey("bins.Bin", on_delete=models.PROTECT, null=True, blank=True, related_name="policies",
                            help_text="Empty: the standard policy, for every batch whose bin has no row of its own.")
    effective_from = models.DateField()
    window_days = models.PositiveSmallIntegerField(help_text="A batch takes newcomers for this many days.")
    window_cases = models.PositiveSmallIntegerField(help_text="...or until it holds this many cases.")
    decision_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Decision due this many days after review starts; empty: the decision timer.")
    concurrence_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Each office answers within this many days; empty: the concurrence timer.")
    source = models.CharField(max_length=200, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["bin", "-effective_from"]
        verbose_name_plural = "review policies"
        constraints = [
            models.UniqueConstraint(fields=["bin", "effective_from"], name="policy_unique_per_bin"),
            models.UniqueConstraint(fields=["effective_from"], condition=Q(bin__isnull=True),
                                    name="policy_unique_standard"),
            models.CheckConstraint(condition=Q(window_days__gt=0) & Q(window_cases__gt=0), name="policy_window_positive"),
            models.CheckConstraint(condition=Q(decision_days__isnull=True) | Q(decision_days__gt=0),
                                   name="policy_decision_days_positive"),
            models.CheckConstraint(condition=Q(concurrence_days__isnull=True) | Q(concurrence_days__gt=0),
                                   name="policy_concurrence_days_positive"),
        ]

    def __str__(self):
        return f"{self.bin.name if self.bin_id else 'Standard'} policy from {self.effective_from}"

    @property
    def standard(self):
        return self.bin_id is None


class StandingRelease(models.Model):
    """A technology-release (TSFD) decision that already covers `bin`'s members for `capability`, from
    `effective_from`: their cases of that capability need no new TSFD review. A later row with `covered`
    off revokes it for cases entering review after its date; never an edit."""

    bin = models.ForeignKey("bins.Bin", on_delete=models.PROTECT, related_name="standing_releases")
    capability = models.ForeignKey("bins.Capability", on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    covered = models.BooleanField(default=True, help_text="Off: a later row revoking the release.")
    decision = models.CharField(max_length=120, help_text="The release decision this rests on (its reference).")
    source = models.CharField(max_length=200, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["bin", "capability", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["bin", "capability", "effective_from"], name="release_unique"),
        ]

    def __str__(self):
        return f"{self.bin_id} / {self.capability_id} from {self.effective_from}: {self.decision}"
