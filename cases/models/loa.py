from django.db import models


class DevelopmentGroup(models.TextChoices):
    """LOA development groups; each has its own Anticipated Offer Date (see TimerRule)."""

    A = "A", "A: simple"
    B = "B", "B: standard"
    C = "C", "C: complex or purchaser-unique"


class LetterOfOfferAndAcceptance(models.Model):
    """The offer (one per case), created when a case enters development. Dates are calendar days.

    For a price-and-availability request, `anticipated_offer_date` holds when the P&A answer is due
    (cases.process.rules.answer_due) until the purchaser asks for an LOA, and there is never an OED.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="loa")
    development_group = models.CharField(max_length=1, choices=DevelopmentGroup)
    anticipated_offer_date = models.DateField("Anticipated Offer Date")
    ia_approved_on = models.DateField("IA approval", null=True, blank=True)
    offer_expires_on = models.DateField("Offer Expiration Date", null=True, blank=True)
    offered_on = models.DateField(null=True, blank=True)
    pa_provided_on = models.DateField("price and availability provided", null=True, blank=True)
    signed_on = models.DateField("purchaser signature", null=True, blank=True)
    initial_deposit_on = models.DateField("initial deposit received", null=True, blank=True)
    implemented_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "letter of offer and acceptance"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer_expires_on__isnull=True) | models.Q(ia_approved_on__isnull=False),
                name="loa_oed_needs_ia_approval",
            ),
            models.CheckConstraint(
                condition=models.Q(offer_expires_on__isnull=True)
                | models.Q(offer_expires_on__gte=models.F("ia_approved_on")),
                name="loa_oed_after_ia_approval",
            ),
        ]

    def __str__(self):
        return f"LOA for {self.case_id}"
