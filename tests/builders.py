"""Cases in any stage, built only through the real services and the rule book, as people and the clock
would take them: the purchaser's liaison submits, withdraws and accepts; batching puts the case in
review; a reviewer takes its batch and decides it; every audit trail is genuine."""
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from cases.models import Profile, ReviewBatch, Role
from cases.process.services.joint_requests import file_joint_request
from cases.process.services.submission import submit_lor
from cases.process.stages import Action, Stage
from cases.process.workflow import perform
from cases.review.batching import build_batches
from cases.review.services import answer_concurrence, decide_batch, start_batch

from .factories import NspaFactory, ProfileFactory, UserFactory

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


def purchaser_of(country):
    """The liaison who speaks for `country` in built cases (an existing one, or one made for it)."""
    profile = Profile.objects.filter(role=Role.LIAISON, country_id=country).select_related("user").first()
    if profile:
        return profile.user
    user = UserFactory(username=f"purchaser-{country.lower()}")
    Profile.objects.create(user=user, role=Role.LIAISON, country_id=country)
    return user


def nspa_staff():
    profile = Profile.objects.filter(role=Role.NSPA).select_related("user").first()
    return profile.user if profile else NspaFactory(user__username="nspa-builder").user


def in_batch(case, reviewer, at):
    """Batch `case`, take its batch for review if nobody has, and have every office asked concur."""
    build_batches(case_ids=[case.pk], at=at)
    batch = ReviewBatch.objects.get(cases=case)
    if batch.status == "open":
        batch = start_batch(batch, reviewer=reviewer, at=at)
        concur_all(batch, at=at)
    return batch


def office_staff(office):
    """A reviewer who answers for `office` (an existing one, or one made for it)."""
    profile = Profile.objects.filter(office_id=office).exclude(user__username="rev").select_related("user").first()
    return profile.user if profile else ProfileFactory(user__username=f"staff-{office}", office_id=office).user


def concur_all(batch, at=None):
    """Every office asked on `batch` and not yet answered concurs, each through one of its staff."""
    for office in batch.concurrence_requests.filter(answer="").values_list("office_id", flat=True):
        answer_concurrence(batch, by=office_staff(office), answer="concur", at=at)
    return batch


class Builder:
    """Walks a fresh case to a stage. `large` makes it notifiable, `tsfd` needs a TSFD review, `pa` asks
    for price and availability, `lead_nation` makes it a participant's case of a lead-nation joint request
    NSPA filed with that lead; the clock moves a few days per step."""

    def __init__(self, reviewer, *, large=False, tsfd=False, pa=False, country="DE", lead_nation=None):
        self.reviewer = reviewer
        self.large = large
        self.tsfd = tsfd
        self.pa = pa
        self.country = country
        self.lead_nation = lead_nation
        self.at = T0

    def tick(self, days=1):
        self.at += timedelta(days=days)
        return self.at

    def step(self, case, action, actor="reviewer", days=1, **inputs):
        actor = {"reviewer": self.reviewer, "purchaser": purchaser_of(self.country), "system": None}[actor]
        return perform(case, action, actor=actor, inputs=inputs, at=self.tick(days))

    def decide(self, case, outcome, reason=""):
        batch = in_batch(case, self.reviewer, self.tick())
        decide_batch(batch, [{"case": case.case_number, "outcome": outcome, "reason": reason}], reviewer=self.reviewer,
                     at=self.tick())
        return case.__class__.objects.get(pk=case.pk)

    def joint_case(self, fields):
        fields = lor_fields(**fields)
        items = fields.pop("line_items")
        for name in ("country", "title", "tsfd_required"):
            fields.pop(name, None)
        joint = file_joint_request(filed_by=nspa_staff(), title="Coalition buy", model="lead_nation",
                                   lead_nation=self.lead_nation, at=self.at, participants=[
                                       {"country": code, "line_items": items} for code in (self.lead_nation, self.country)],
                                   **fields)
        return joint.cases.get(country=self.country)

    def build(self, stage):
        fields = {"line_items": LARGE_ITEMS if self.large else SMALL_ITEMS, "tsfd_required": self.tsfd,
                  "country": self.country, "request_type": "PA" if self.pa else "LOA"}
        if stage == Stage.LOR_RECEIVED:
            fields["funding_source"] = ""
        case = self.joint_case(fields) if self.lead_nation else submit(purchaser_of(self.country), at=self.at, **fields)
        if stage in (Stage.LOR_RECEIVED, Stage.LOR_ACTIONABLE):
            return case
        if stage == Stage.LOR_RETURNED:
            return self.step(case, Action.RETURN, reason="Say where it is based.")
        if stage == Stage.WITHDRAWN:
            return self.step(case, Action.WITHDRAW, "purchaser", reason="Budget moved.")
        if stage == Stage.IN_REVIEW:
            build_batches(case_ids=[case.pk], at=self.tick())
            return case.__class__.objects.get(pk=case.pk)
        if stage == Stage.DENIED:
            return self.decide(case, "deny", "Not releasable.")
        case = self.decide(case, "approve")
        if stage == Stage.LOA_DEVELOPMENT:
            return case  # a TSFD review, if required, is still pending
        if self.tsfd:
            case = self.step(case, Action.APPROVE_TSFD)
        if self.pa:
            case = self.step(case, Action.PROVIDE_PA)
            return case if stage == Stage.PA_PROVIDED else self.step(case, Action.CLOSE)
        if self.large:
            case = self.step(case, Action.START_INFORMAL_REVIEW)
            days = case.notification.rule.informal_review_days + 1
            case = self.step(case, Action.SUBMIT_NOTIFICATION, days=days)
            if stage == Stage.CN_REVIEW:
                return case
            self.tick(case.notification.rule.formal_review_days + 1)
        case = self.step(case, Action.RECORD_IA_APPROVAL)
        case = self.step(case, Action.OFFER)
        if stage == Stage.LOA_OFFERED:
            return case
        if stage == Stage.LOA_EXPIRED:
            return self.step(case, Action.EXPIRE, "system", days=90)
        day = self.tick().date()
        case = self.step(case, Action.ACCEPT, "purchaser", days=0, signed_on=day, initial_deposit_on=day)
        if stage == Stage.LOA_ACCEPTED:
            return case
        case = self.step(case, Action.IMPLEMENT)
        if stage == Stage.IMPLEMENTED:
            return case
        return self.step(case, Action.CLOSE, days=400)


def money(text):
    return Decimal(text)


def downloaded(response):
    """The text of a streamed download (a CSV), read to its end."""
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode()
