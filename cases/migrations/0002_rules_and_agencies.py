"""The rule rows in force when fms-review was built (DOMAIN.md, with its sources) and the implementing agencies.

Later changes of law are new rows with a later effective date, added by an administrator or a new
migration; these rows are never edited.
"""
from datetime import date
from decimal import Decimal

from django.db import migrations

IN_FORCE_FROM = date(2003, 1, 1)
AECA = "AECA 36(b), 22 U.S.C. 2776; CRS RL31675 (March 2025)"

# tier: (MDE, total, design and construction, formal review days, informal review days)
NOTIFICATION_RULES = {
    "NATO_PLUS": ("25000000", "100000000", "300000000", 15, 20),
    "STANDARD": ("14000000", "50000000", "200000000", 30, 40),
    # NATO bodies: the 15-day period but, by the statute's wording, the STANDARD amounts. Informal review
    # is modeled as for NATO members (20 days): DSCA practice is unconfirmed.
    "NATO_ORG": ("14000000", "50000000", "200000000", 15, 20),
}

TIMERS = {
    "lor_validation": (5, "SAMM C5: IA validates an LOR within 5 days of receipt"),
    "aod_group_a": (45, "common practice (default)"),
    "aod_group_b": (100, "common practice (default)"),
    "aod_group_c": (150, "SAMM C5 (second-hand)"),
    "offer_expiration": (85, "SAMM C5: OED 85 days after IA approval"),
    "closure": (365, "SAMM C16: 12 months after supply and services complete"),
}

AGENCIES = {"B": "US Army", "D": "US Air Force", "P": "US Navy", "F": "Defense Contract Management Agency"}


def load(apps, schema_editor):
    NotificationRule = apps.get_model("cases", "NotificationRule")
    TimerRule = apps.get_model("cases", "TimerRule")
    ImplementingAgency = apps.get_model("cases", "ImplementingAgency")
    for tier, (mde, total, design_construction, formal, informal) in NOTIFICATION_RULES.items():
        NotificationRule.objects.update_or_create(
            tier=tier,
            effective_from=IN_FORCE_FROM,
            defaults={
                "mde_threshold_usd": Decimal(mde),
                "total_threshold_usd": Decimal(total),
                "design_construction_threshold_usd": Decimal(design_construction),
                "formal_review_days": formal,
                "informal_review_days": informal,
                "source": AECA,
            },
        )
    for timer, (days, source) in TIMERS.items():
        TimerRule.objects.update_or_create(
            timer=timer, effective_from=IN_FORCE_FROM, defaults={"days": days, "source": source}
        )
    for code, name in AGENCIES.items():
        ImplementingAgency.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
