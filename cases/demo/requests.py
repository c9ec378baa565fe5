"""What the demo cases ask for: countries, capabilities, prices, and where each case should end up.

Case k is drawn from a random generator seeded with k, so reruns and partial runs agree.
"""
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from bins.grouping import groups_by_country
from bins.models import Capability, Country

from ..models import FundingSource, ImplementingAgency, Profile, RequestType, Role
from ..process.stages import Stage

DEMO_REFERENCE = "DEMO-"

# Where seeded cases end up, with weights. The clock may take a case further (an offer left past its
# OED expires), and a reviewer who has not got to a batch yet leaves its cases in review.
TARGET_WEIGHTS = {
    Stage.LOR_RECEIVED: 9,
    Stage.LOR_RETURNED: 4,
    Stage.IN_REVIEW: 34,
    Stage.DENIED: 5,
    Stage.LOA_DEVELOPMENT: 15,
    Stage.CN_REVIEW: 5,
    Stage.LOA_OFFERED: 8,
    Stage.LOA_ACCEPTED: 4,
    Stage.LOA_EXPIRED: 2,
    Stage.IMPLEMENTED: 4,
    Stage.CLOSED: 2,
    Stage.WITHDRAWN: 6,
    Stage.PA_PROVIDED: 2,
}
# How many days ago a case of each target arrives: (usual range, late range, share late). Late ones
# are left waiting past a due date (LOR validation, decision), which is what the clock marks stalled.
ARRIVAL_DAYS = {
    Stage.LOR_RECEIVED: ((1, 5), (9, 45), 0.25),
    Stage.LOR_RETURNED: ((20, 150), (20, 150), 0),
    Stage.IN_REVIEW: ((3, 24), (40, 90), 0.12),
    Stage.DENIED: ((40, 220), (40, 220), 0),
    Stage.LOA_DEVELOPMENT: ((45, 140), (45, 140), 0),
    Stage.CN_REVIEW: ((75, 110), (75, 110), 0),
    Stage.PA_PROVIDED: ((60, 200), (60, 200), 0),
    Stage.LOA_OFFERED: ((90, 200), (90, 200), 0),
    Stage.LOA_ACCEPTED: ((180, 380), (180, 380), 0),
    Stage.LOA_EXPIRED: ((300, 480), (300, 480), 0),
    Stage.IMPLEMENTED: ((260, 480), (260, 480), 0),
    Stage.CLOSED: ((800, 950), (800, 950), 0),
    Stage.WITHDRAWN: ((20, 200), (20, 200), 0),
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
CONDITIONS = [
    "Concurs provided end-use monitoring is enhanced for the first two years.",
    "Concurs subject to the standard third-party transfer clause being in the LOA.",
]
WITHDRAW_REASONS = ["National budget reallocated.", "Requirement met through another source."]
JOINT_CAPABILITIES = ["short-range-air-defense", "artillery-munitions", "air-missile-defense", "anti-armor"]
# Every tenth case is Poland's and every tenth Germany's, so the demo liaisons have a portfolio to follow.
DEMO_COUNTRY_SLOTS = {3: "PL", 7: "DE"}
# Coalition buys: most LORs come in waves, allies of one group asking for one capability within a
# week of each other (a shared threat, a NATO capability target, a US offer to the region).
# Consecutive cases share a wave; each case joins its wave with WAVE_SHARE odds.
WAVE_SIZE = 20
WAVE_SHARE = 0.9
WAVE_SPREAD_DAYS = 3  # either side of the wave's day
WAVE_DAYS_AGO = (3, 365)  # a year of waves


@dataclass
class Catalog:
    countries: list
    nato: list
    capabilities: dict
    agencies: dict
    users: dict
    demo_countries: dict
    groups: dict

    def purchaser(self, country):
        """The liaison who speaks for `country`: a demo account, or one made for the demo's history
        (no password: nobody signs in as them)."""
        username = f"liaison-{country.iso2.lower()}"
        if username not in self.users:
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                Profile.objects.create(user=user, role=Role.LIAISON, country=country)
            self.users[username] = user
        return self.users[username]


def load_catalog(users):
    countries = list(Country.objects.filter(fms_eligible=True).order_by("iso2"))
    return Catalog(
        countries=countries,
        nato=[country for country in countries if country.nato_member],
        capabilities=Capability.objects.in_bulk(),
        agencies=ImplementingAgency.objects.in_bulk(),
        users=dict(users),
        demo_countries={slot: Country.objects.get(pk=iso2) for slot, iso2 in DEMO_COUNTRY_SLOTS.items()},
        groups=groups_by_country(),
    )


@dataclass
class Request:
    """One demo case to submit: who, when, what, and where it should end up."""

    index: int
    target: str
    rng: random.Random
    at: object
    country: object
    fields: dict
    clock: object = None  # how far the case's own story has got (set once it is decided)


def request_from(index, total, catalog, now):
    """Demo case `index`'s request and how many cases it makes: one, or every so often an NSPA joint
    request for three nations starting there."""
    rng = random.Random(index)
    if index % 37 == 5 and index + 3 <= total:
        return joint_request(index, rng, catalog, now), 3
    target = rng.choices(list(TARGET_WEIGHTS), weights=list(TARGET_WEIGHTS.values()))[0]
    country = catalog.demo_countries.get(index % 10) or rng.choice(catalog.countries)
    capability = catalog.capabilities[rng.choice(sorted(catalog.capabilities))]
    usual, late, late_share = ARRIVAL_DAYS[target]
    low, high = late if rng.random() < late_share else usual
    days_ago = rng.randint(low, high)
    wave = Wave.of(index, catalog)
    if rng.random() < WAVE_SHARE and (country in wave.countries or index % 10 not in catalog.demo_countries):
        country = country if country in wave.countries else rng.choice(wave.countries)
        capability = wave.capability
        days_ago = max(1, wave.days_ago + rng.randint(-WAVE_SPREAD_DAYS, WAVE_SPREAD_DAYS))
        target = target_for_age(rng, days_ago)
    at = now - timedelta(days=days_ago, hours=rng.randint(0, 23))
    fields = lor_fields(index, rng, capability, catalog, at)
    if target == Stage.LOR_RECEIVED:
        fields["funding_source"] = ""
    if target == Stage.PA_PROVIDED:
        fields["request_type"] = RequestType.PA
    return Request(index, target, rng, at, country, fields), 1


@dataclass(frozen=True)
class Wave:
    """The group, capability and day of the wave case `index` belongs to."""

    countries: list
    capability: object
    days_ago: int

    @classmethod
    def of(cls, index, catalog):
        rng = random.Random(f"wave-{index // WAVE_SIZE}")
        members = {}
        for country in catalog.countries:
            members.setdefault(catalog.groups[country.iso2].key, []).append(country)
        groups = sorted(members)
        group = rng.choices(groups, weights=[len(members[key]) for key in groups])[0]
        return cls(members[group], catalog.capabilities[rng.choice(sorted(catalog.capabilities))],
                   rng.randint(*WAVE_DAYS_AGO))


def target_for_age(rng, days_ago):
    """Where a case that arrived `days_ago` plausibly is now: a target whose arrival range holds it."""
    fits = {target: weight for target, weight in TARGET_WEIGHTS.items()
            if any(low <= days_ago <= high for low, high in ARRIVAL_DAYS[target][:2])}
    if not fits:
        return Stage.CLOSED
    return rng.choices(list(fits), weights=list(fits.values()))[0]


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


def joint_request(index, rng, catalog, now):
    capability = catalog.capabilities[rng.choice(JOINT_CAPABILITIES)]
    nations = rng.sample(catalog.nato, k=3)
    at = now - timedelta(days=rng.randint(5, 200))
    fields = lor_fields(index, rng, capability, catalog, at)
    model = rng.choice(["agent_sales", "lead_nation"])
    joint = {
        "title": f"{fields['title']}, NSPA coalition buy",
        "model": model,
        "lead_nation": nations[0].iso2 if model == "lead_nation" else None,
        "participants": [
            {"country": nation, "line_items": [dict(item, quantity=max(1, item["quantity"] // (n + 1)))
                                               for item in fields["line_items"]]}
            for n, nation in enumerate(nations)
        ],
        "justification": fields["justification"],
        "implementing_agency": fields["implementing_agency"],
        "request_type": RequestType.LOA,
        "funding_source": FundingSource.NATIONAL_FUNDS,
        "desired_delivery_date": fields["desired_delivery_date"],
        "originator_reference": fields["originator_reference"],
    }
    target = rng.choice([Stage.IN_REVIEW, Stage.IN_REVIEW, Stage.LOA_DEVELOPMENT])
    if target == Stage.IN_REVIEW:  # a coalition buy still in review arrived within the decision window
        joint_at = now - timedelta(days=rng.randint(3, 24), hours=rng.randint(0, 23))
    else:
        joint_at = at
    return Request(index, target, rng, joint_at, None, {"joint": joint})
