"""What a reviewer needs beside a batch's own columns, fetched in a fixed number of queries: what the
cases of a page of batches add up to (precedents: cases.review.precedents)."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from fms_review import reference

from ..models import BatchStatus, Case
from ..process import rules
from ..reads.queries import CASE_FACTS, EMPTY_BATCH, Joined
from . import concurrence

# The queue's red row: a batch still under review holding a case the clock marked stalled (a due date
# passed: cases.process.deadlines), or with an office past its due date unanswered. A decided batch is no
# reviewer's to chase, even if a case it approved later stalls in LOA development. The same rule for a
# page of batches and as a filter (tests/test_policy.py holds both).
def waiting_late_q(today):
    # EXISTS over the few stalled cases (case_stalled_batch_idx), not a count of every batch's cases.
    stalled = Exists(Case.objects.filter(review_batch=OuterRef("pk"), stalled_since__isnull=False))
    return (Q(stalled) | Q(concurrence.overdue_since(today))) & ~Q(status=BatchStatus.DECIDED)


def waiting_late(batch):
    return (batch.stalled_count > 0 or bool(batch.offices_late)) and batch.status != BatchStatus.DECIDED


NO_CASES = {**EMPTY_BATCH, "countries": (), "notification_count": 0, "oldest_case_age_days": None}


def case_facts(batch_ids):
    """{batch id: its CASE_FACTS, `countries` (sorted), `notification_count` and `oldest_case_age_days`}
    for each batch holding a case, from one query that reads only the covering index of a batch's cases."""
    now = timezone.now()
    return {
        row["review_batch_id"]: {
            **{name: row[f"sum_{name}"] for name in CASE_FACTS},
            "countries": sorted(set(row["sum_countries"].split(","))),
            "notification_count": row["sum_notification_count"],
            "oldest_case_age_days": (now - row["sum_oldest_case"]).days,
        }
        for row in facts_query(timezone.localdate(now)).filter(review_batch__in=batch_ids)
    }


def facts_query(today):
    """What a batch's cases add up to, grouped by batch, before the batches are chosen. Built once a day
    per process (reference.held: until a rule row changes): resolving the notification rules' conditions
    cost more than running the query."""
    return reference.held("batch facts query", lambda: (
        Case.objects.order_by().values("review_batch_id")
        # Named apart from the case's own columns (total_value_usd), which an annotation may not shadow.
        .annotate(**{f"sum_{name}": aggregate for name, aggregate in CASE_FACTS.items()},
                  sum_countries=Joined("country_id"),
                  sum_notification_count=Count("review_batch", filter=rules.notification_required_q(today)))
    ), version=today)


def attach_case_facts(batches):
    """Set the `case_facts` on each batch of a page (a batch whose cases all left it gets NO_CASES), and
    its bin, region and capability."""
    batches = list(batches)
    reference.attach(batches, "bin", "region", "capability")
    facts = case_facts([batch.pk for batch in batches])
    # Offices are asked when a review starts, and a decided batch is no longer anyone's to chase.
    in_review = [batch.pk for batch in batches if batch.status == BatchStatus.IN_REVIEW]
    late_offices = concurrence.late_offices(in_review, timezone.localdate()) if in_review else {}
    for batch in batches:
        for name, value in facts.get(batch.pk, NO_CASES).items():
            setattr(batch, name, value)
        batch.offices_late = late_offices.get(batch.pk, [])
        batch.late = waiting_late(batch)
    return batches
