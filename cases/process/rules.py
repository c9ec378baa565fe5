"""Every rule with a number: CN thresholds and review periods, process timers, development groups.

Numbers are dated rows (NotificationRule, TimerRule) read through `notification_rule` and
`timer_days`; nothing else in the code base holds a threshold or a count of days.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from bins.models import PurchaserType
from fms_review import reference

from ..models import (
    DevelopmentGroup,
    NotificationRule,
    NotificationTier,
    RequestType,
    Timer,
    TimerRule,
)
from ..models.rules import THRESHOLDS


class RuleMissing(LookupError):
    """No rule row is in force on the date asked; an administrator must add one."""


def in_force(model, on, **key):
    """The row of `model` matching `key` with the latest effective date on or before `on`, or None. The
    rule tables are small and held in memory (fms_review.reference): a lookup reads no database."""
    return next((row for row in newest_first(model)
                 if row.effective_from <= on and all(getattr(row, k) == v for k, v in key.items())), None)


def newest_first(model):
    return reference.held((model, "newest first"),
                          lambda: sorted(reference.rows(model), key=lambda row: row.effective_from, reverse=True))


def notification_rule(tier, on):
    """The NotificationRule for `tier` in force on the date `on`."""
    rule = in_force(NotificationRule, on, tier=tier)
    if rule is None:
        raise RuleMissing(f"No congressional-notification rule for {tier} in force on {on}.")
    return rule


def timer_days(timer, on):
    """How many calendar days `timer` runs for something that starts on `on`."""
    rule = in_force(TimerRule, on, timer=timer)
    if rule is None:
        raise RuleMissing(f"No {timer} timer in force on {on}.")
    return rule.days


def due_date(timer, start):
    """The calendar day a timer started on `start` falls due."""
    return start + timedelta(days=timer_days(timer, start))


def passed_q(timer, start, today):
    """The same as `due_date(timer, <start>) < today`, as a filter on the date lookup `start` (for
    timers whose due date is not stored): each start date under the row in force on that date."""
    rows = [row for row in reversed(newest_first(TimerRule)) if row.timer == timer]
    passed = Q(pk__in=[])
    for row, following in zip(rows, [*rows[1:], None]):
        window = Q(**{f"{start}__gte": row.effective_from})
        if following is not None:
            window &= Q(**{f"{start}__lt": following.effective_from})
        passed |= window & Q(**{f"{start}__lt": today - timedelta(days=row.days)})
    return passed


def notification_tier(country):
    """NATO bodies buying for themselves get their own row: STANDARD amounts, 15-day review (AECA 36(b))."""
    if country.purchaser_type == PurchaserType.ORGANIZATION:
        return NotificationTier.NATO_ORG
    return country.cn_tier


@dataclass(frozen=True)
class NotificationAssessment:
    required: bool
    tripped: list
    tier: str
    rule: NotificationRule


def assess_notification(country, *, mde_value, total_value, design_construction_value, on):
    """Whether a sale needs formal notification. A value equal to a threshold requires it (">=")."""
    tier = notification_tier(country)
    rule = notification_rule(tier, on)
    values = {"mde": mde_value, "total": total_value, "design_construction": design_construction_value}
    tripped = [name for name, _, threshold in THRESHOLDS if values[name] >= getattr(rule, threshold)]
    return NotificationAssessment(required=bool(tripped), tripped=tripped, tier=tier, rule=rule)


def notification_required_q(on, prefix=""):
    """The same test as `assess_notification`, as a filter on cases (for counting many in SQL).

    Warning: keep in step with assess_notification; tests/test_rules.py checks both on the golden table.
    """
    def at_or_over(rule):
        met = Q()
        for name, _, threshold in THRESHOLDS:
            met |= Q(**{f"{prefix}{name}_value_usd__gte": getattr(rule, threshold)})
        return met

    in_force = {tier: notification_rule(tier, on) for tier in NotificationTier}
    organisation = Q(**{f"{prefix}country__purchaser_type": PurchaserType.ORGANIZATION})
    condition = organisation & at_or_over(in_force[NotificationTier.NATO_ORG])
    for tier in (NotificationTier.NATO_PLUS, NotificationTier.STANDARD):
        condition |= ~organisation & Q(**{f"{prefix}country__cn_tier": tier}) & at_or_over(in_force[tier])
    return condition


AOD_TIMERS = {
    DevelopmentGroup.A: Timer.AOD_GROUP_A,
    DevelopmentGroup.B: Timer.AOD_GROUP_B,
    DevelopmentGroup.C: Timer.AOD_GROUP_C,
}


def development_group(*, has_mde, has_design_construction, notification_required):
    """Modeled on DSCA practice: design and construction or a notifiable sale is complex (C); other major
    defense equipment is standard (B); the rest, spares, services and training, is simple (A)."""
    if has_design_construction or notification_required:
        return DevelopmentGroup.C
    if has_mde:
        return DevelopmentGroup.B
    return DevelopmentGroup.A


def anticipated_offer_date(group, complete_on: date):
    return due_date(AOD_TIMERS[group], complete_on)


def answer_due(group, request_type, on: date):
    """When the purchaser's answer is due, counted from `on`: P&A data by the P&A timer (a modeled
    default), an LOA offer by its development group's Anticipated Offer Date."""
    if request_type == RequestType.PA:
        return due_date(Timer.PA_RESPONSE, on)
    return anticipated_offer_date(group, on)
