"""What a reviewer needs beside a batch's own columns, fetched in a fixed number of queries: what the
cases of a page of batches add up to, and the precedents of one batch."""
from collections import defaultdict

from django.db.models import Count
from django.utils import timezone

from bins.grouping import groups_by_country

from . import rules
from .models import Case, Decision, Outcome
from .queries import CASE_FACTS, EMPTY_BATCH, DistinctList

PRECEDENTS_SHOWN = 10


def attach_case_facts(batches):
    """Set on each batch the CASE_FACTS, `countries` and `notification_count`, from one query for the
    whole page."""
    batches = list(batches)
    rows = (
        Case.objects.filter(review_batch__in=[batch.pk for batch in batches]).order_by().values("review_batch_id")
        # Named apart from the case's own columns (total_value_usd), which an annotation may not shadow.
        .annotate(**{f"sum_{name}": aggregate for name, aggregate in CASE_FACTS.items()},
                  sum_countries=DistinctList("country_id"),
                  sum_notification_count=Count("id", filter=rules.notification_required_q(timezone.localdate())))
    )
    facts = {row["review_batch_id"]: row for row in rows}
    for batch in batches:
        row = facts.get(batch.pk)  # none for a batch whose cases all left it
        for name in CASE_FACTS:
            setattr(batch, name, row[f"sum_{name}"] if row else EMPTY_BATCH[name])
        batch.countries = sorted(row["sum_countries"].split(",")) if row else []
        batch.notification_count = row["sum_notification_count"] if row else 0
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
