from django.db import models

from fms_review.reference import ReferenceQuerySet


class NotificationTier(models.TextChoices):
    """Which row of the AECA 36(b) table applies. NATO_ORG: a NATO body such as NSPA buying itself."""

    NATO_PLUS = "NATO_PLUS", "NATO, Japan, Australia, Korea, Israel, New Zealand"
    STANDARD = "STANDARD", "Standard"
    NATO_ORG = "NATO_ORG", "NATO organisation"


# The AECA 36(b) thresholds: (name, label, the rule's threshold column); a case's value for each is its
# `<name>_value_usd`.
THRESHOLDS = (
    ("mde", "Major defense equipment", "mde_threshold_usd"),
    ("total", "Total value", "total_threshold_usd"),
    ("design_construction", "Design and construction", "design_construction_threshold_usd"),
)


class NotificationRule(models.Model):
    """Congressional-notification thresholds and review periods in force from `effective_from`.

    A change of law is a new row, never an edit: notifications keep a reference to the row they used.
    Read through cases.process.rules.notification_rule only.
    """

    tier = models.CharField(max_length=10, choices=NotificationTier)
    effective_from = models.DateField()
    mde_threshold_usd = models.DecimalField("MDE threshold (USD)", max_digits=16, decimal_places=2)
    total_threshold_usd = models.DecimalField("total threshold (USD)", max_digits=16, decimal_places=2)
    design_construction_threshold_usd = models.DecimalField(
        "design and construction threshold (USD)", max_digits=16, decimal_places=2
    )
    formal_review_days = models.PositiveSmallIntegerField()
    informal_review_days = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=200, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "effective_from"], name="notification_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(formal_review_days__gt=0), name="notification_rule_review_positive"
            ),
        ]

    def __str__(self):
        return f"{self.tier} from {self.effective_from}"


class Timer(models.TextChoices):
    """Process timers in calendar days (DOMAIN.md section 6)."""

    LOR_VALIDATION = "lor_validation", "LOR validation after receipt"
    AOD_GROUP_A = "aod_group_a", "Anticipated Offer Date, group A"
    AOD_GROUP_B = "aod_group_b", "Anticipated Offer Date, group B"
    AOD_GROUP_C = "aod_group_c", "Anticipated Offer Date, group C"
    OFFER_EXPIRATION = "offer_expiration", "Offer Expiration Date after IA approval"
    CLOSURE = "closure", "Closure after supply and services complete"
    DECISION = "decision", "Decision after combined review starts"
    PA_RESPONSE = "pa_response", "Price and availability answer after approval"
    CONCURRENCE = "concurrence", "Office concurrence after combined review starts"
    OED_FIRST_REMINDER = "oed_first_reminder", "First reminder, days before the Offer Expiration Date"
    OED_LAST_REMINDER = "oed_last_reminder", "Last reminder, days before the Offer Expiration Date"


class TimerRule(models.Model):
    """How many days a timer runs, in force from `effective_from`. Read through cases.process.rules.timer_days."""

    timer = models.CharField(max_length=20, choices=Timer)
    effective_from = models.DateField()
    days = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=200, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["timer", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["timer", "effective_from"], name="timer_rule_unique"),
            models.CheckConstraint(condition=models.Q(days__gt=0), name="timer_rule_days_positive"),
        ]

    def __str__(self):
        return f"{self.get_timer_display()}: {self.days} days from {self.effective_from}"
