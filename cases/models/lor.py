from django.conf import settings
from django.db import models
from django.utils import timezone


class RequestType(models.TextChoices):
    LOA = "LOA", "Letter of Offer and Acceptance"
    PA = "PA", "Price and availability"


class FundingSource(models.TextChoices):
    NATIONAL_FUNDS = "national_funds", "National funds"
    FMF = "fmf", "Foreign Military Financing"
    CREDIT = "credit", "FMS credit"


class LetterOfRequest(models.Model):
    """The purchaser's written request (one per case) and the result of its actionability checks.

    `checks` maps each check name to whether it held; `missing` says in words what the purchaser must
    supply. Both are written by cases.process.lor_checks only.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="lor")
    request_type = models.CharField(max_length=3, choices=RequestType, blank=True)
    funding_source = models.CharField(max_length=20, choices=FundingSource, blank=True)
    justification = models.TextField(max_length=5000, blank=True)
    desired_delivery_date = models.DateField(null=True, blank=True)
    originator_reference = models.CharField(
        "originator reference number", max_length=60, blank=True, help_text="The purchaser's own traceable reference."
    )
    third_party_involvement = models.TextField(
        max_length=2000, blank=True, help_text="Any third party (integrator, other nation) and its role; blank if none."
    )
    dcs_negotiation = models.BooleanField(
        "also negotiated as a Direct Commercial Sale",
        default=False,
        help_text="An LOR for an item under DCS negotiation is not actionable.",
    )
    received_at = models.DateTimeField(default=timezone.now)
    validation_due_on = models.DateField(help_text="When the implementing agency must have validated the LOR.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checks = models.JSONField(default=dict, blank=True, editable=False)
    missing = models.JSONField(default=list, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "letter of request"

    def __str__(self):
        return f"LOR for {self.case_id}"

    @property
    def is_complete(self):
        return bool(self.checks) and all(self.checks.values())
