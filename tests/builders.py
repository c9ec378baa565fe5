"""Cases in any stage, built only through the real services so every audit trail is genuine."""
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from cases.process import workflow
from cases.process.services import decisions, offers
from cases.process.services.submission import submit_lor
from cases.process.stages import Action, Stage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)

SMALL_ITEMS = [
    {"description": "FGM-148 Javelin", "capability": "anti-armor", "quantity": 10, "unit_cost_usd": "100000.00", "is_mde": True}
]
# 30 M USD of MDE: over the NATO_PLUS MDE threshold (25 M), so notification is required.
LARGE_ITEMS = [
    {"description": "PAC-3 MSE missile", "capability": "air-missile-defense", "quantity": 100,
     "unit_cost_usd": "300000.00", "is_mde": True}
]


def lor_fields(**overrides):
    fields = {
        "country": "DE",
        "implementing_agency": "B",
        "title": "Javelin replenishment",
        "request_type": "LOA",
        "funding_source": "national_funds",
        "justification": "Replace stocks transferred to allies.",
        "desired_delivery_date": date(2028, 6, 30),
        "line_items": SMALL_ITEMS,
    }
    fields.update(overrides)
    return fields


def submit(submitted_by, at=T0, **overrides):
    return submit_lor(submitted_by=submitted_by, at=at, **lor_fields(**overrides))


class Builder:
    """Walks a fresh case to a stage. `large` makes it notifiable; the clock moves a few days per step."""

    def __init__(self, reviewer, *, large=False, tsfd=False, country="DE"):
        self.reviewer = reviewer
        self.large = large
        self.tsfd = tsfd
        self.country = country
        self.at = T0

    def tick(self, days=1):
        self.at += timedelta(days=days)
        return self.at

    def build(self, stage):
        fields = {"line_items": LARGE_ITEMS if self.large else SMALL_ITEMS, "tsfd_required": self.tsfd,
                  "country": self.country}
        if stage == Stage.LOR_RECEIVED:
            fields["funding_source"] = ""
        case = submit(self.reviewer, at=self.at, **fields)
        if stage in (Stage.LOR_RECEIVED, Stage.LOR_ACTIONABLE):
            return case
        if stage == Stage.LOR_RETURNED:
            return decisions.decide_case(case, "return", actor=self.reviewer, reason="Say where it is based.", at=self.tick())
        if stage == Stage.WITHDRAWN:
            return workflow.move(case, Action.WITHDRAW, actor=self.reviewer, at=self.tick())
        case = workflow.move(case, Action.START_REVIEW, actor=self.reviewer, at=self.tick())
        if stage == Stage.IN_REVIEW:
            return case
        if stage == Stage.DENIED:
            return decisions.decide_case(case, "deny", actor=self.reviewer, reason="Not releasable.", at=self.tick())
        case = decisions.decide_case(case, "approve", actor=self.reviewer, at=self.tick())
        if stage == Stage.LOA_DEVELOPMENT:
            return case
        if self.large:
            case = offers.submit_notification(case, actor=self.reviewer, at=self.tick())
            if stage == Stage.CN_REVIEW:
                return case
            self.tick(case.notification.rule.formal_review_days + 1)
        offers.record_ia_approval(case, actor=self.reviewer, at=self.at)
        if self.tsfd:
            offers.approve_tsfd(case, actor=self.reviewer, at=self.at)
        case = offers.offer_loa(case, actor=self.reviewer, at=self.tick())
        if stage == Stage.LOA_OFFERED:
            return case
        if stage == Stage.LOA_EXPIRED:
            return offers.expire_offer(case, at=self.tick(90))
        day = self.tick().date()
        case = offers.record_acceptance(case, actor=self.reviewer, signed_on=day, initial_deposit_on=day, at=self.at)
        if stage == Stage.LOA_ACCEPTED:
            return case
        case = offers.implement_case(case, actor=self.reviewer, at=self.tick())
        if stage == Stage.IMPLEMENTED:
            return case
        return offers.close_case(case, actor=self.reviewer, at=self.tick(400))


def money(text):
    return Decimal(text)
