"""Querysets shared by the API and the pages, so both fetch a case the same way (and as cheaply)."""
from django.db.models import Count, Min, Prefetch, Q, Sum

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


def batch_queue(user):
    """Review batches with the columns the queue shows, scoped to `user`."""
    return ReviewBatch.objects.visible_to(user).select_related("bin", "assigned_reviewer", "capability").annotate(
        case_count=Count("cases"),
        total_value_usd=Sum("cases__total_value_usd"),
        oldest_case=Min("cases__created_at"),
        stalled_count=Count("cases", filter=Q(cases__stalled_since__isnull=False)),
    )
