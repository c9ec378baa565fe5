"""Querysets shared by the API and the pages, so both fetch a case the same way (and as cheaply)."""
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Case, CaseEvent, Decision, ReviewBatch


def case_detail_queryset():
    """A case with everything its page shows, in a fixed number of queries."""
    return Case.objects.select_related(
        "lor", "loa", "notification__rule", "country", "primary_capability", "review_batch", "joint_request"
    ).prefetch_related(
        "line_items",
        Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
    )


def per_batch(aggregate, **conditions):
    """A correlated subquery: `aggregate` over the cases of the outer batch."""
    cases = Case.objects.filter(review_batch=OuterRef("pk"), **conditions).order_by().values("review_batch")
    return Subquery(cases.annotate(value=aggregate).values("value"))


def batch_queue(user):
    """Review batches with the columns the queue shows, scoped to `user`.

    The columns are correlated subqueries rather than a GROUP BY over every case, so a page of 25
    batches costs 25 small index lookups whatever the number of cases, as long as the order is by a
    batch column.
    """
    return ReviewBatch.objects.visible_to(user).select_related("bin", "assigned_reviewer", "capability").annotate(
        case_count=Coalesce(per_batch(Count("*")), 0),
        total_value_usd=Coalesce(per_batch(Sum("total_value_usd")), Value(Decimal("0"))),
        oldest_case=per_batch(Min("created_at")),
        stalled_count=Coalesce(per_batch(Count("*"), stalled_since__isnull=False), 0),
    )
