"""What a reviewer needs beside a batch's own columns, fetched in a fixed number of queries: the
countries and prospective notifications of a page of batches, and the precedents of one batch."""
from collections import defaultdict

from django.utils import timezone

from bins.grouping import groups_by_country
from bins.models import Country

from . import rules
from .models import Case, Decision, Outcome

PRECEDENTS_SHOWN = 10


def attach_case_facts(batches):
    """Set `countries` and `notification_count` on each batch, from one query for the whole page."""
    batches = list(batches)
    rows = Case.objects.filter(review_batch__in=[batch.pk for batch in batches]).values_list(
        "review_batch_id", "country_id", "country__purchaser_type", "country__cn_tier", "mde_value_usd",
        "total_value_usd", "design_construction_value_usd",
    )
    countries, notifiable = defaultdict(set), defaultdict(int)
    today = timezone.localdate()
    with rules.memoized():
        for batch_id, country, purchaser_type, tier, mde, total, dc in rows:
            countries[batch_id].add(country)
            purchaser = Country(purchaser_type=purchaser_type, cn_tier=tier)
            if rules.assess_notification(purchaser, mde_value=mde, total_value=total, design_construction_value=dc,
                                         on=today).required:
                notifiable[batch_id] += 1
    for batch in batches:
        batch.countries = sorted(countries[batch.pk])
        batch.notification_count = notifiable[batch.pk]
    return batches


def attach_precedents(batch):
    """Earlier decisions that should weigh on each case, from one query for the whole batch."""
    groups = groups_by_country()
    members = [iso2 for iso2, group in groups.items() if group.key == batch.group_key]
    decided = list(
        Decision.objects.filter(case__primary_capability=batch.capability_id, case__country__in=members)
        .exclude(case__review_batch=batch)
        .select_related("case")
        .order_by("-decided_at", "-id")
    )
    for case in batch.cases.all():
        case.country_precedents = [d for d in decided if d.case.country_id == case.country_id][:PRECEDENTS_SHOWN]
        case.group_approvals = [d for d in decided if d.outcome == Outcome.APPROVE][:PRECEDENTS_SHOWN]
    return batch
