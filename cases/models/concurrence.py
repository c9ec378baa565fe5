"""The offices that weigh in on a combined review, which of them must concur (dated rule rows), and
what each answered: once for the whole batch, with single cases carved out where it differs."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from fms_review.reference import ReferenceQuerySet


class Office(models.Model):
    """A US office whose concurrence a sale may need (reference data; more are added in the admin).
    A combatant command names its area of responsibility: it concurs for the countries there."""

    code = models.SlugField(max_length=20, primary_key=True)
    name = models.CharField(max_length=120, unique=True)
    region = models.ForeignKey("bins.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               help_text="For a combatant command: its area of responsibility.")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class ConcurrenceRule(models.Model):
    """`office` must concur on a case this row matches, from `effective_from`. Every scope field left
    empty matches any case; `tsfd_only` matches only cases that need a technology-release review.

    A change is a new row with the same office and scope and a later date (`required` off ends the
    requirement), never an edit. Read through cases.review.concurrence only.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="rules")
    effective_from = models.DateField()
    bin = models.ForeignKey("bins.Bin", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                            help_text="Only for batches of this bin.")
    region = models.ForeignKey("bins.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               help_text="Only for purchasers in this combatant command's area.")
    capability = models.ForeignKey("bins.Capability", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    cn_tier = models.CharField("CN tier", max_length=10, blank=True)
    min_value_usd = models.DecimalField("from a case value of (USD)", max_digits=16, decimal_places=2, null=True,
                                        blank=True)
    tsfd_only = models.BooleanField("only when a TSFD review is required", default=False)
    required = models.BooleanField(default=True, help_text="Off: a later row ending the requirement of an earlier one.")
    source = models.CharField(max_length=200, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["office", "-effective_from", "id"]

    def __str__(self):
        return f"{self.office_id}: {self.scope()} from {self.effective_from}"

    SCOPE = ("bin_id", "region_id", "capability_id", "cn_tier", "min_value_usd", "tsfd_only")

    def scope(self):
        """The cases the row speaks of, as a person reads it."""
        parts = [f"{name.removesuffix('_id')}={getattr(self, name)}" for name in self.SCOPE[:4] if getattr(self, name)]
        if self.min_value_usd is not None:
            parts.append(f"value>={self.min_value_usd}")
        if self.tsfd_only:
            parts.append("TSFD review required")
        return " AND ".join(parts) or "every case"


class Answer(models.TextChoices):
    CONCUR = "concur", "Concurs"
    CONDITIONS = "conditions", "Concurs with conditions"
    NON_CONCUR = "non_concur", "Does not concur"


CONCURRING = frozenset({Answer.CONCUR, Answer.CONDITIONS})


class ConcurrenceRequest(models.Model):
    """One office asked to concur on one batch, all its offices asked at once when review starts.
    Its answer holds for every case of the batch the office must concur on, but those carved out."""

    batch = models.ForeignKey("cases.ReviewBatch", on_delete=models.PROTECT, related_name="concurrence_requests")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="requests")
    asked_at = models.DateTimeField()
    due_on = models.DateField()
    # How many of the batch's cases the office must concur on: the answers case-by-case review would
    # have asked of it, against the one it gives here (the review-burden metrics).
    cases_asked = models.PositiveIntegerField(default=0)
    answer = models.CharField(max_length=10, choices=Answer, blank=True)
    reason = models.TextField(max_length=5000, blank=True, help_text="The conditions, or why the office does not concur.")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "office"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "office"], name="concurrence_request_once"),
            models.CheckConstraint(condition=Q(answer="") | Q(answer="concur") | ~Q(reason=""),
                                   name="concurrence_request_reason"),
            models.CheckConstraint(condition=Q(answer="") | Q(answered_at__isnull=False),
                                   name="concurrence_request_answer_dated"),
        ]
        indexes = [
            # "Awaiting my office" and the overdue offices: the unanswered requests only.
            models.Index(fields=["office", "due_on"], condition=Q(answer=""), name="concurrence_awaiting_idx"),
        ]

    def __str__(self):
        return f"{self.office_id} on batch {self.batch_id}: {self.answer or 'asked'}"


class CaseConcurrence(models.Model):
    """An office's answer on one case of the batch where it differs from its answer for the batch (a
    carve-out), or where it later withdrew a non-concurrence on that case alone."""

    request = models.ForeignKey(ConcurrenceRequest, on_delete=models.CASCADE, related_name="carve_outs")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer)
    reason = models.TextField(max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "case"]
        constraints = [
            models.UniqueConstraint(fields=["request", "case"], name="case_concurrence_once"),
            models.CheckConstraint(condition=Q(answer="concur") | ~Q(reason=""), name="case_concurrence_reason"),
        ]

    def __str__(self):
        return f"{self.request.office_id} on case {self.case_id}: {self.answer}"
