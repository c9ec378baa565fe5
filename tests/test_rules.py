"""Rules with numbers: golden tables at the exact boundaries, and dated rows."""
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bins.models import Country, PurchaserType
from cases.models import NotificationRule, Timer, TimerRule
from cases.process import rules

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 11, 27)


def golden(name):
    with open(GOLDEN / name, newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def purchaser(code):
    if code == "NSPA":  # a NATO body buying for itself
        return Country(iso2="XN", name="NSPA", purchaser_type=PurchaserType.ORGANIZATION, region_id="EUCOM",
                       cn_tier="STANDARD")
    return Country.objects.get(pk=code)


@pytest.mark.django_db
@pytest.mark.parametrize("row", golden("cn_thresholds.csv"), ids=lambda row: "-".join(row.values()))
def test_notification_thresholds(row):
    assessment = rules.assess_notification(
        purchaser(row["country"]),
        mde_value=Decimal(row["mde_usd"]),
        total_value=Decimal(row["total_usd"]),
        design_construction_value=Decimal(row["design_construction_usd"]),
        on=TODAY,
    )
    assert assessment.required is (row["required"] == "true")
    assert assessment.tripped == [name for name in row["tripped"].split("|") if name]
    assert assessment.rule.formal_review_days == int(row["review_days"])


@pytest.mark.django_db
@pytest.mark.parametrize("row", golden("timers.csv"), ids=lambda row: row["timer"])
def test_timers(row):
    assert rules.timer_days(row["timer"], TODAY) == int(row["days"])


@pytest.mark.django_db
@pytest.mark.parametrize("tier,informal", [("NATO_PLUS", 20), ("STANDARD", 40), ("NATO_ORG", 20)])
def test_informal_review_days(tier, informal):
    assert rules.notification_rule(tier, TODAY).informal_review_days == informal


@pytest.mark.django_db
class TestDatedRows:
    def add_new_law(self):
        """A hypothetical change of law: NATO_PLUS MDE threshold raised to 40 M from 2027-01-01."""
        current = rules.notification_rule("NATO_PLUS", TODAY)
        return NotificationRule.objects.create(
            tier="NATO_PLUS", effective_from=date(2027, 1, 1), mde_threshold_usd=Decimal("40000000"),
            total_threshold_usd=current.total_threshold_usd,
            design_construction_threshold_usd=current.design_construction_threshold_usd,
            formal_review_days=15, informal_review_days=20,
        )

    @pytest.mark.parametrize("on,required", [(date(2026, 12, 31), True), (date(2027, 1, 1), False)])
    def test_a_new_row_applies_from_its_effective_date(self, on, required):
        new_law = self.add_new_law()
        assessment = rules.assess_notification(
            Country.objects.get(pk="DE"), mde_value=Decimal("30000000"), total_value=Decimal("30000000"),
            design_construction_value=Decimal("0"), on=on,
        )
        assert assessment.required is required
        assert (assessment.rule == new_law) is (not required)

    def test_timer_change_is_dated(self):
        TimerRule.objects.create(timer=Timer.OFFER_EXPIRATION, effective_from=date(2027, 1, 1), days=60)
        assert rules.timer_days(Timer.OFFER_EXPIRATION, date(2026, 12, 31)) == 85
        assert rules.timer_days(Timer.OFFER_EXPIRATION, date(2027, 1, 1)) == 60

    def test_no_rule_in_force_is_an_error_not_a_guess(self):
        with pytest.raises(rules.RuleMissing):
            rules.timer_days(Timer.LOR_VALIDATION, date(1990, 1, 1))
        with pytest.raises(rules.RuleMissing):
            rules.notification_rule("STANDARD", date(1990, 1, 1))


@pytest.mark.parametrize(
    "has_mde,has_dc,notifiable,group",
    [(False, False, False, "A"), (True, False, False, "B"), (True, False, True, "C"), (False, True, False, "C")],
)
def test_development_group(has_mde, has_dc, notifiable, group):
    assert rules.development_group(
        has_mde=has_mde, has_design_construction=has_dc, notification_required=notifiable
    ) == group


@pytest.mark.django_db
@pytest.mark.parametrize("group,days", [("A", 45), ("B", 100), ("C", 150)])
def test_anticipated_offer_date(group, days):
    assert (rules.anticipated_offer_date(group, TODAY) - TODAY).days == days


@pytest.mark.django_db
def test_the_sql_form_agrees_with_the_assessment_on_the_golden_table(reviewer):
    from cases.models import Case

    from .builders import submit

    for row in golden("cn_thresholds.csv"):
        if row["country"] == "NSPA":
            continue
        items = [{"description": "x", "capability": "anti-armor", "quantity": 1, "unit_cost_usd": row["total_usd"],
                  "is_mde": Decimal(row["mde_usd"]) > 0, "is_design_construction": Decimal(row["design_construction_usd"]) > 0}]
        case = submit(reviewer, country=row["country"], line_items=items)
        Case.objects.filter(pk=case.pk).update(mde_value_usd=Decimal(row["mde_usd"]),
                                               design_construction_value_usd=Decimal(row["design_construction_usd"]))
        in_sql = Case.objects.filter(rules.notification_required_q(TODAY), pk=case.pk).exists()
        assert in_sql is (row["required"] == "true"), row
