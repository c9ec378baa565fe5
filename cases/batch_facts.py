"""What a reviewer needs beside a batch's own columns, fetched in a fixed number of queries: the
countries and prospective notifications of a page of batches, and the precedents of one batch."""
from collections import defaultdict

from django.db.models import Count
from django.utils import timezone

from bins.grouping import groups_by_country

from . import rules
from .models import Case, Decision, Outcome

PRECEDENTS_SHOWN = 10


def attach_case_facts(batches):
    """Set `countries` and `notification_count` on each batch, in two queries for the whole page."""
    batches = list(batches)
    ids = [batch.pk for batch in batches]
    countries = defaultdict(list)
    pairs = (Case.objects.filter(review_batch__in=ids).values_list("review_batch_id", "country_id")
             .distinct().order_by("review_batch_id", "country_id"))
    for batch_id, country in pairs:
        countries[batch_id].append(country)
    notifiable = dict(
        Case.objects.filter(review_batch__in=ids).order_by().values("review_batch_id")
        .annotate(n=Count("id", filter=rules.notification_required_q(timezone.localdate())))
        .values_list("review_batch_id", "n")
    )
    for batch in batches:
        batch.countries = countries[batch.pk]
        batch.notification_count = notifiable.get(batch.pk, 0)
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
