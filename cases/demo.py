"""Realistic demo cases, each walked through the real services so its audit trail is real.

Case k is generated from a random generator seeded with k, so reruns and partial runs agree, and
`seed_demo` is idempotent: it creates only the cases beyond those already seeded.
"""
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bins.models import Capability, Country

from . import rules, workflow
from .models import Case, FundingSource, ImplementingAgency, RequestType
from .services import decisions, lor as lor_services, offers
from .services.joint_requests import file_joint_request
from .services.submission import submit_lor
from .stages import Action, Stage

DEMO_REFERENCE = "DEMO-"

# Where seeded cases end up, with weights; the timeline of each is laid out to fit before today.
TARGET_WEIGHTS = {
    Stage.LOR_RECEIVED: 5,
    Stage.LOR_RETURNED: 4,
    Stage.LOR_ACTIONABLE: 8,
    Stage.IN_REVIEW: 16,
    Stage.DENIED: 5,
    Stage.LOA_DEVELOPMENT: 14,
    Stage.CN_REVIEW: 6,
    Stage.LOA_OFFERED: 10,
    Stage.LOA_ACCEPTED: 8,
    Stage.LOA_EXPIRED: 3,
    Stage.IMPLEMENTED: 10,
    Stage.CLOSED: 5,
    Stage.WITHDRAWN: 6,
}
PATH = [
    Stage.LOR_ACTIONABLE, Stage.IN_REVIEW, Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW, Stage.LOA_OFFERED,
    Stage.LOA_ACCEPTED, Stage.IMPLEMENTED, Stage.CLOSED,
]
# Days a case of each target typically needs to get there; start dates are drawn to fit.
SPAN_DAYS = {
    Stage.LOR_RECEIVED: 10, Stage.LOR_RETURNED: 60, Stage.LOR_ACTIONABLE: 10, Stage.IN_REVIEW: 30,
    Stage.DENIED: 90, Stage.LOA_DEVELOPMENT: 90, Stage.CN_REVIEW: 160, Stage.LOA_OFFERED: 230,
    Stage.LOA_ACCEPTED: 300, Stage.LOA_EXPIRED: 350, Stage.IMPLEMENTED: 360, Stage.CLOSED: 800,
    Stage.WITHDRAWN: 120,
}
# Rough unit costs (USD) and quantities per capability, for plausible totals, not for any rule.
PRICES = {
    "air-missile-defense": (3_000_000, 6_000_000, 8, 60),
    "short-range-air-defense": (300_000, 600_000, 20, 200),
    "long-range-fires": (1_500_000, 5_000_000, 4, 40),
    "artillery-munitions": (3_000, 9_000, 2_000, 60_000),
    "anti-armor": (150_000, 250_000, 50, 600),
    "combat-aircraft": (80_000_000, 120_000_000, 2, 32),
    "air-to-air-munitions": (450_000, 1_200_000, 20, 200),
    "rotary-wing": (20_000_000, 40_000_000, 2, 24),
    "isr-uas": (15_000_000, 35_000_000, 1, 8),
    "air-refueling-airlift": (60_000_000, 200_000_000, 1, 6),
    "armored-vehicles": (4_000_000, 10_000_000, 10, 120),
    "maritime": (2_000_000, 150_000_000, 1, 12),
    "c4isr-cyber": (50_000, 400_000, 10, 300),
    "sustainment-training": (10_000, 2_000_000, 1, 40),
}
AGENCY_BY_CAPABILITY = {
    "combat-aircraft": "D", "air-to-air-munitions": "D", "isr-uas": "D", "air-refueling-airlift": "D",
    "maritime": "P",
}
DENY_REASONS = [
    "Release of this technology to the purchaser is not supported by the TSFD review.",
    "The requested quantity exceeds the validated requirement for the stated mission.",
    "Regional security considerations; the capability would upset the regional balance.",
]
RETURN_REASONS = [
    "Provide the intended basing and the quantity justification per unit.",
    "State whether the request covers training and initial spares.",
    "Confirm the funding source: the LOR names FMF, but no FMF allocation is on record.",
]
WITHDRAW_REASONS = ["National budget reallocated.", "Requirement met through another source."]
JOINT_CAPABILITIES = ["short-range-air-defense", "artillery-munitions", "air-missile-defense", "anti-armor"]


@dataclass
class Catalog:
    countries: list
    nato: list
    capabilities: dict
    agencies: dict
    users: dict
    demo_countries: dict


# Every tenth case is Poland's and every tenth Germany's, so the demo liaisons have a portfolio to follow.
DEMO_COUNTRY_SLOTS = {3: "PL", 7: "DE"}


def load_catalog(users):
    countries = list(Country.objects.filter(fms_eligible=True).order_by("iso2"))
    return Catalog(
        countries=countries,
        nato=[country for country in countries if country.nato_member],
        capabilities=Capability.objects.in_bulk(),
        agencies=ImplementingAgency.objects.in_bulk(),
        users=users,
        demo_countries={slot: Country.objects.get(pk=iso2) for slot, iso2 in DEMO_COUNTRY_SLOTS.items()},
    )


def seeded_count():
    return Case.objects.filter(lor__originator_reference__startswith=DEMO_REFERENCE).count()


def seed_cases(total, users, *, progress=None, chunk=250):
    """Bring the number of demo cases up to `total`; returns how many were created.

    Commits every `chunk` cases: one transaction per service call would cost a commit each.
    """
    catalog = load_catalog(users)
    start = index = seeded_count()
    now = timezone.now()
    while index < total:
        with transaction.atomic(), rules.memoized():
            stop = min(total, index + chunk)
            while index < stop:
                index += seed_unit(index, total, catalog, now)
        if progress:
            progress(index, total)
    return index - start


def seed_unit(index, total, catalog, now):
    """Seed case `index` (or, every so often, an NSPA joint request starting there); returns cases made."""
    rng = random.Random(index)
    if index % 37 == 5 and index + 3 <= total:
        return seed_joint_request(index, rng, catalog, now)
    target = rng.choices(list(TARGET_WEIGHTS), weights=list(TARGET_WEIGHTS.values()))[0]
    country = catalog.demo_countries.get(index % 10) or rng.choice(catalog.countries)
    capability = catalog.capabilities[rng.choice(sorted(catalog.capabilities))]
    start = now - timedelta(days=SPAN_DAYS[target] + rng.randint(0, 120), hours=rng.randint(0, 23))
    submitter = catalog.users.get(f"liaison-{country.iso2.lower()}", catalog.users["reviewer"])
    fields = lor_fields(index, rng, capability, catalog, start)
    if target == Stage.LOR_RECEIVED:
        fields["funding_source"] = ""
    case = submit_lor(submitted_by=submitter, country=country, at=start, **fields)
    Walk(case, rng, catalog, start, now).to(target)
    return 1


def lor_fields(index, rng, capability, catalog, start):
    low, high, qty_low, qty_high = PRICES.get(capability.slug, (100_000, 1_000_000, 1, 50))
    systems = capability.examples or [capability.name]
    items = []
    for system in rng.sample(systems, k=min(len(systems), rng.randint(1, 3))):
        items.append(
            {
                "description": system,
                "capability": capability,
                "quantity": rng.randint(qty_low, qty_high),
                "unit_cost_usd": Decimal(rng.randint(low, high)).quantize(Decimal("1000")),
                "is_mde": capability.usually_mde,
            }
        )
    return {
        "implementing_agency": catalog.agencies[AGENCY_BY_CAPABILITY.get(capability.slug, "B")],
        "title": f"{items[0]['description']} ({capability.name.lower()})",
        "line_items": items,
        "request_type": rng.choice([RequestType.LOA] * 4 + [RequestType.PA]),
        "funding_source": rng.choice([FundingSource.NATIONAL_FUNDS] * 5 + [FundingSource.FMF, FundingSource.CREDIT]),
        "justification": f"Meets the national requirement for {capability.name.lower()} and NATO capability targets.",
        "desired_delivery_date": start.date() + timedelta(days=rng.randint(540, 1460)),
        "originator_reference": f"{DEMO_REFERENCE}{index:05d}",
        "tsfd_required": rng.random() < 0.1,
    }


def seed_joint_request(index, rng, catalog, now):
    capability = catalog.capabilities[rng.choice(JOINT_CAPABILITIES)]
    nations = rng.sample(catalog.nato, k=3)
    start = now - timedelta(days=rng.randint(5, 200))
    fields = lor_fields(index, rng, capability, catalog, start)
    participants = [
        {"country": nation, "line_items": [dict(item, quantity=max(1, item["quantity"] // (n + 1))) for item in fields["line_items"]]}
        for n, nation in enumerate(nations)
    ]
    model = rng.choice(["agent_sales", "lead_nation"])
    joint = file_joint_request(
        filed_by=catalog.users["nspa"],
        title=f"{fields['title']}, NSPA coalition buy",
        model=model,
        lead_nation=nations[0].iso2 if model == "lead_nation" else None,
        participants=participants,
        justification=fields["justification"],
        implementing_agency=fields["implementing_agency"],
        request_type=RequestType.LOA,
        funding_source=FundingSource.NATIONAL_FUNDS,
        desired_delivery_date=fields["desired_delivery_date"],
        originator_reference=fields["originator_reference"],
        at=start,
    )
    target = rng.choice([Stage.LOR_ACTIONABLE, Stage.IN_REVIEW, Stage.IN_REVIEW, Stage.LOA_DEVELOPMENT])
    for case in joint.cases.all():
        Walk(case, rng, catalog, start, now).to(target)
    return len(nations)


class Walk:
    """Moves one case forward through the services, a plausible number of days per step, never past now."""

    def __init__(self, case, rng, catalog, start, now):
        self.case, self.rng, self.now = case, rng, now
        self.clock = start
        self.reviewer = catalog.users["reviewer"]
        self.liaison = catalog.users.get(f"liaison-{case.country_id.lower()}", self.reviewer)

    def later(self, low, high):
        """Advance the clock; False when that would pass today (the case stays where it is)."""
        step = self.clock + timedelta(days=self.rng.randint(low, high), hours=self.rng.randint(0, 8))
        if step >= self.now:
            return False
        self.clock = step
        return True

    def to(self, target):
        if target == Stage.LOR_RECEIVED or self.case.stage != Stage.LOR_ACTIONABLE:
            return
        if target == Stage.LOR_RETURNED:
            if self.later(2, 20):
                decisions.decide_case(self.case, "return", actor=self.reviewer, reason=self.rng.choice(RETURN_REASONS), at=self.clock)
            return
        if target == Stage.WITHDRAWN:
            self.forward(self.rng.choice(PATH[:5]))
            if self.later(1, 30) and self.case.stage in PATH[:5]:
                lor_services.withdraw_case(self.case, actor=self.liaison, reason=self.rng.choice(WITHDRAW_REASONS), at=self.clock)
            return
        if target == Stage.DENIED:
            self.forward(Stage.IN_REVIEW)
            if self.case.stage == Stage.IN_REVIEW and self.later(10, 60):
                decisions.decide_case(self.case, "deny", actor=self.reviewer, reason=self.rng.choice(DENY_REASONS), at=self.clock)
            return
        if target == Stage.LOA_EXPIRED:
            self.forward(Stage.LOA_OFFERED)
            oed = self.case.loa.offer_expires_on if self.case.stage == Stage.LOA_OFFERED else None
            if oed and self.later((oed - self.clock.date()).days + 1, (oed - self.clock.date()).days + 10):
                self.case = offers.expire_offer(self.case, at=self.clock)
            return
        self.forward(target)

    def forward(self, target):
        """Take the main path up to `target`, stopping early when the calendar runs out."""
        steps = {
            Stage.IN_REVIEW: self.start_review,
            Stage.LOA_DEVELOPMENT: self.approve,
            Stage.CN_REVIEW: self.notify,
            Stage.LOA_OFFERED: self.offer,
            Stage.LOA_ACCEPTED: self.accept,
            Stage.IMPLEMENTED: self.implement,
            Stage.CLOSED: self.close,
        }
        for stage in PATH[1 : PATH.index(target) + 1]:
            if self.case.stage == target or not steps[stage]():
                return

    def start_review(self):
        if not self.later(2, 25):
            return False
        self.case = workflow.move(self.case, Action.START_REVIEW, actor=self.reviewer, at=self.clock)
        return True

    def approve(self):
        if not self.later(10, 60):
            return False
        self.case = decisions.decide_case(self.case, "approve", actor=self.reviewer, at=self.clock)
        return True

    def notify(self):
        self.notification = self.case.notification
        self.rule = self.notification.rule
        if not self.notification.required:
            return True
        if not self.later(10, 40):
            return False
        offers.start_informal_review(self.case, actor=self.reviewer, at=self.clock)
        if not self.later(self.rule.informal_review_days, self.rule.informal_review_days + 15):
            return False
        self.case = offers.submit_notification(self.case, actor=self.reviewer, at=self.clock)
        return True

    def offer(self):
        review_days = self.rule.formal_review_days if self.notification.required else 0
        if not self.later(review_days + 1, review_days + 20):
            return False
        offers.record_ia_approval(self.case, actor=self.reviewer, at=self.clock)
        if self.case.tsfd_required:
            offers.approve_tsfd(self.case, actor=self.reviewer, at=self.clock)
        self.case = offers.offer_loa(self.case, actor=self.reviewer, at=self.clock)
        return True

    def accept(self):
        if not self.later(10, 70):
            return False
        day = self.clock.date()
        self.case = offers.record_acceptance(self.case, actor=self.liaison, signed_on=day, initial_deposit_on=day, at=self.clock)
        return True

    def implement(self):
        if not self.later(5, 40):
            return False
        self.case = offers.implement_case(self.case, actor=self.reviewer, at=self.clock)
        return True

    def close(self):
        if not self.later(400, 500):
            return False
        self.case = offers.close_case(self.case, actor=self.reviewer, at=self.clock)
        return True
