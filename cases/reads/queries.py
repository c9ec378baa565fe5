"""Querysets shared by the API and the pages, so both fetch a case the same way (and as cheaply)."""
from decimal import Decimal

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)

from ..models import Case, CaseEvent, Decision, LineItem, ReviewBatch
from ..shortcuts.prefetch import hold, hold_none


def case_detail_queryset():
    """A case with everything the API's detail shows, in a fixed number of queries. Only the joins the
    detail reads: planning an eleven-table join took PostgreSQL 6 ms, ten times its execution."""
    return Case.objects.select_related(
        "lor", "loa", "notification__rule", "review_batch", "joint_request", "assurance"
    ).prefetch_related(
        Prefetch("line_items", queryset=LineItem.objects.select_related("capability")),
        Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
    )


def as_written(case, events):
    """A case `submit_lor` has just returned, holding what `case_detail_queryset` fetches: its LOR and
    line items (held by the service), its audit events as written (`workflow.events_written`), no
    LOA, notification or decision yet. A 201 is built from it without reading anything back: once the
    submission commits, the request asks nothing more of the database, so losing the database at that
    moment cannot turn a saved case into a 503."""
    hold_none(case, Case.loa)
    hold_none(case, Case.notification)
    hold(case, "decisions", [])
    hold(case, "events", events)
    return case


def case_page_queryset():
    """A case with everything its page shows: the detail and the names of what it refers to."""
    return case_detail_queryset().select_related("country", "primary_capability")


class Joined(Aggregate):
    """A text column's values, comma-joined (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite), in the
    order rows are read, repeats kept: DISTINCT would sort every group, which cost more than the rest."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s)",
                              **extra)


# What a batch's cases add up to, by name: summed per batch by `batch_facts.case_facts` for a page.
# Filtered counts count `review_batch`, never empty among a batch's cases, rather than the id: every
# column read is in the covering index (case_batch_facts_idx), so the table itself is not read.
CASE_FACTS = {
    "case_count": Count("*"),
    "total_value_usd": Sum("total_value_usd"),
    "oldest_case": Min("created_at"),
    "stalled_count": Count("review_batch", filter=Q(stalled_since__isnull=False)),
}
EMPTY_BATCH = {"case_count": 0, "total_value_usd": Decimal("0"), "oldest_case": None, "stalled_count": 0}


def batch_queue(user):
    """Review batches scoped to `user`, with who holds each. Their bin, region and capability, reference
    rows, come from the process's copy (batch_facts.attach_case_facts), not a join."""
    return ReviewBatch.objects.visible_to(user).select_related("assigned_reviewer")


def per_batch(aggregate):
    """A correlated subquery: `aggregate` over the cases of the outer batch."""
    cases = Case.objects.filter(review_batch=OuterRef("pk")).order_by().values("review_batch")
    return Subquery(cases.annotate(value=aggregate).values("value"))
