"""Realistic demo cases, each walked through the real services so its audit trail is real.

Case k is generated from a random generator seeded with k, so reruns and partial runs agree, and
`seed_demo` is idempotent: it creates only the cases beyond those already seeded.

Each chunk of cases is played forward the way the process runs: LORs arrive; a week's actionable
cases are batched together; a reviewer takes each batch and decides its cases at once; approved
cases then go through their LOA and notification steps, each on its own calendar, never past today.
"""
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bins.grouping import groups_by_country
from bins.models import Capability, Country

from ..models import BatchStatus, Case, FundingSource, ImplementingAgency, RequestType
from ..process import rules
from ..process.services import decisions, offers
from ..process.services import lor as lor_services
from ..process.services.joint_requests import file_joint_request
from ..process.services.submission import submit_lor
from ..process.stages import Stage
from ..review import batching
from ..review.services import decide_batch, start_batch

DEMO_REFERENCE = "DEMO-"

# Where seeded cases end up, with weights; the timeline of each is laid out to fit before today.
TARGET_WEIGHTS = {
    Stage.LOR_RECEIVED: 9,
    Stage.LOR_RETURNED: 4,
    Stage.IN_REVIEW: 36,
    Stage.DENIED: 5,
    Stage.LOA_DEVELOPMENT: 15,
    Stage.CN_REVIEW: 5,
    Stage.LOA_OFFERED: 6,
    Stage.LOA_ACCEPTED: 4,
    Stage.LOA_EXPIRED: 2,
    Stage.IMPLEMENTED: 4,
    Stage.CLOSED: 2,
    Stage.WITHDRAWN: 6,
}
# Days a case of each target typically needs to get there; start dates are drawn to fit.
SPAN_DAYS = {
    Stage.LOR_RECEIVED: 10, Stage.LOR_RETURNED: 60, Stage.IN_REVIEW: 30,
    Stage.DENIED: 90, Stage.LOA_DEVELOPMENT: 90, Stage.CN_REVIEW: 220, Stage.LOA_OFFERED: 290,
    Stage.LOA_ACCEPTED: 360, Stage.LOA_EXPIRED: 410, Stage.IMPLEMENTED: 420, Stage.CLOSED: 860,
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
    groups: dict


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
        groups=groups_by_country(),
    )


def seeded_count():
    return Case.objects.filter(lor__originator_reference__startswith=DEMO_REFERENCE).count()


@dataclass
class Plan:
    """One seeded case: where it should end up, and its own random generator and clock."""

    case: Case
    target: str
    rng: random.Random
    clock: object


def seed_cases(total, users, *, progress=None, chunk=500):
    """Bring the number of demo cases up to `total`; returns how many were created."""
    catalog = load_catalog(users)
    start = index = seeded_count()
    now = timezone.now()
    while index < total:
        plans = []
        with transaction.atomic(), rules.memoized():
            stop = min(total, index + chunk)
            while index < stop:
                made = submit_unit(index, total, catalog, now)
                plans.extend(made)
                index += len(made)
            Calendar(catalog, now).play(plans)
        if progress:
            progress(index, total)
    return index - start


def submit_unit(index, total, catalog, now):
    """Submit case `index` (or, every so often, an NSPA joint request starting there); returns its plans."""
    rng = random.Random(index)
    if index % 37 == 5 and index + 3 <= total:
        return submit_joint_request(index, rng, catalog, now)
    target = rng.choices(list(TARGET_WEIGHTS), weights=list(TARGET_WEIGHTS.values()))[0]
    country = catalog.demo_countries.get(index % 10) or rng.choice(catalog.countries)
    capability = catalog.capabilities[rng.choice(sorted(catalog.capabilities))]
    start = now - timedelta(days=SPAN_DAYS[target] + rng.randint(0, 120), hours=rng.randint(0, 23))
    submitter = catalog.users.get(f"liaison-{country.iso2.lower()}", catalog.users["reviewer"])
    fields = lor_fields(index, rng, capability, catalog, start)
    if target == Stage.LOR_RECEIVED:
        fields["funding_source"] = ""
    case = submit_lor(submitted_by=submitter, country=country, at=start, **fields)
    return [Plan(case, target, rng, start)]


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


def submit_joint_request(index, rng, catalog, now):
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
    target = rng.choice([Stage.IN_REVIEW, Stage.IN_REVIEW, Stage.LOA_DEVELOPMENT])
    return [Plan(case, target, random.Random(f"{index}-{case.country_id}"), start) for case in joint.cases.all()]


class Calendar:
    """Plays a chunk of plans forward through the services, in the order the process runs."""

    def __init__(self, catalog, now):
        self.catalog, self.now = catalog, now
        self.reviewer = catalog.users["reviewer"]

    def liaison(self, case):
        return self.catalog.users.get(f"liaison-{case.country_id.lower()}", self.reviewer)

    def later(self, plan, low, high):
        """Advance the plan's clock; False when that would pass today (the case stays where it is)."""
        step = plan.clock + timedelta(days=plan.rng.randint(low, high), hours=plan.rng.randint(0, 8))
        if step >= self.now:
            return False
        plan.clock = step
        return True

    def play(self, plans):
        waiting = []
        for plan in plans:
            if plan.case.stage != Stage.LOR_ACTIONABLE or plan.target == Stage.LOR_RECEIVED:
                continue
            if plan.target == Stage.LOR_RETURNED:
                self.return_early(plan)
            elif plan.target == Stage.WITHDRAWN and plan.rng.random() < 0.5:
                if self.later(plan, 1, 20):
                    lor_services.withdraw_case(plan.case, actor=self.liaison(plan.case),
                                               reason=plan.rng.choice(WITHDRAW_REASONS), at=plan.clock)
            else:
                waiting.append(plan)
        for plan in self.review_by_quarter(waiting):
            self.develop(plan)

    def return_early(self, plan):
        if self.later(plan, 2, 20):
            decisions.decide_case(plan.case, "return", actor=self.reviewer,
                                  reason=plan.rng.choice(RETURN_REASONS), at=plan.clock)

    def review_by_quarter(self, plans):
        """Quarter by quarter: batch the quarter's actionable cases the day after its last one, then a
        reviewer takes each new batch and decides its cases in one go. Returns the approved plans."""
        quarters = defaultdict(list)
        for plan in plans:
            quarters[(plan.case.created_at.year, (plan.case.created_at.month - 1) // 3)].append(plan)
        approved = []
        for quarter in sorted(quarters):
            members = quarters[quarter]
            at = min(self.now, max(plan.case.created_at for plan in members) + timedelta(days=1))
            batching.build_batches(case_ids=[plan.case.pk for plan in members], at=at, groups=self.catalog.groups)
            by_batch = defaultdict(list)
            fresh = Case.objects.select_related("review_batch").in_bulk([plan.case.pk for plan in members])
            for plan in members:
                plan.clock = max(plan.clock, at)
                plan.case = fresh[plan.case.pk]
                if plan.case.review_batch_id:
                    by_batch[plan.case.review_batch_id].append(plan)
            for batch_plans in by_batch.values():
                approved.extend(self.decide(batch_plans, at))
        return approved

    def decide(self, plans, batched_at):
        batch, lead = plans[0].case.review_batch, plans[0]
        deciding = [plan for plan in plans if plan.target != Stage.IN_REVIEW]
        started = batched_at + timedelta(days=lead.rng.randint(2, 10))
        if not deciding or started >= self.now or batch.status != BatchStatus.OPEN:
            return []
        start_batch(batch, reviewer=self.reviewer, at=started)
        decided = started + timedelta(days=lead.rng.randint(5, 30))
        if decided >= self.now:
            return []
        entries = []
        for plan in deciding:
            deny = plan.target == Stage.DENIED
            entries.append({"case": plan.case.pk, "outcome": "deny" if deny else "approve",
                            "reason": plan.rng.choice(DENY_REASONS) if deny else ""})
            plan.clock = decided
        decide_batch(batch, entries, reviewer=self.reviewer, at=decided)
        return [plan for plan in deciding if plan.target != Stage.DENIED]

    def develop(self, plan):
        """LOA development onwards, to the plan's target, one step at a time."""
        plan.case = Case.objects.select_related("notification__rule").get(pk=plan.case.pk)
        if plan.target == Stage.WITHDRAWN:
            if self.later(plan, 5, 60):
                lor_services.withdraw_case(plan.case, actor=self.liaison(plan.case),
                                           reason=plan.rng.choice(WITHDRAW_REASONS), at=plan.clock)
            return
        if plan.target == Stage.LOA_DEVELOPMENT or not self.notify(plan) or plan.target == Stage.CN_REVIEW:
            return
        if not self.offer(plan) or plan.target == Stage.LOA_OFFERED:
            return
        if plan.target == Stage.LOA_EXPIRED:
            oed = plan.case.loa.offer_expires_on
            days = (oed - plan.clock.date()).days
            if self.later(plan, days + 1, days + 10):
                offers.expire_offer(plan.case, at=plan.clock)
            return
        if not self.later(plan, 10, 70):
            return
        day = plan.clock.date()
        offers.record_acceptance(plan.case, actor=self.liaison(plan.case), signed_on=day, initial_deposit_on=day,
                                 at=plan.clock)
        if plan.target == Stage.LOA_ACCEPTED or not self.later(plan, 5, 40):
            return
        offers.implement_case(plan.case, actor=self.reviewer, at=plan.clock)
        if plan.target == Stage.CLOSED and self.later(plan, 400, 500):
            offers.close_case(plan.case, actor=self.reviewer, at=plan.clock)

    def notify(self, plan):
        plan.notification = notification = plan.case.notification
        if not notification.required:
            return True
        rule = notification.rule
        if not self.later(plan, 10, 40):
            return False
        offers.start_informal_review(plan.case, actor=self.reviewer, at=plan.clock)
        if not self.later(plan, rule.informal_review_days, rule.informal_review_days + 15):
            return False
        offers.submit_notification(plan.case, actor=self.reviewer, at=plan.clock)
        return True

    def offer(self, plan):
        review_days = plan.notification.rule.formal_review_days if plan.notification.required else 0
        if not self.later(plan, review_days + 1, review_days + 20):
            return False
        offers.record_ia_approval(plan.case, actor=self.reviewer, at=plan.clock)
        if plan.case.tsfd_required:
            offers.approve_tsfd(plan.case, actor=self.reviewer, at=plan.clock)
        plan.case = offers.offer_loa(plan.case, actor=self.reviewer, at=plan.clock)
        return True
