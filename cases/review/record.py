"""A batch's record: every case that was ever in it, with what was decided on it there.

A returned case leaves its batch (once resubmitted it joins a new one), but its decision keeps the
batch it was taken in, so the batch still lists it, with the outcome, reason, reviewer and time.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from ..models import Case, CaseEvent, Decision, Verb
from ..reads.trail import changes
from .precedents import attach_precedents


@dataclass(frozen=True)
class Resubmission:
    """A case that was returned and came back: why it was returned, what the purchaser changed, and the
    purchaser's reply to the reviewer."""

    returned_at: object
    reason: str
    changes: list
    reply: str


def resubmissions(case_ids):
    """{case id: its latest Resubmission} for those of `case_ids` that were returned and resubmitted."""
    events = defaultdict(list)
    for event in CaseEvent.objects.filter(case__in=case_ids, verb__in=[Verb.RETURN, Verb.RESUBMIT]).order_by("at", "id"):
        events[event.case_id].append(event)
    return {case_id: found for case_id, its_events in events.items() if (found := latest_resubmission(its_events))}


def latest_resubmission(events):
    """The latest return-and-resubmission among a case's events (in order), or None."""
    found = returned = None
    for event in events:
        if event.verb == Verb.RETURN:
            returned = event
        elif event.verb == Verb.RESUBMIT and returned is not None:
            found = Resubmission(returned.at, returned.payload.get("reason", ""),
                                 list(changes(event.payload.get("changed", {}))), event.payload.get("reply", ""))
    return found


def attach_record(batch, user):
    """Set `record` on `batch`: its cases, now and ever, each with `decided_here` (the decision taken in
    this batch, or None) and `left_batch`; and each case's precedents. A fixed number of queries."""
    decided_here = {}
    for decision in Decision.objects.filter(batch=batch).select_related("decided_by").order_by("decided_at", "id"):
        decided_here[decision.case_id] = decision  # the latest one taken here
    cases = list(
        Case.objects.filter(Q(review_batch=batch) | Q(pk__in=list(decided_here)))
        .select_related("lor", "joint_request", "review_batch").prefetch_related("line_items")
    )
    # The nations of one joint request side by side, then the rest by country.
    cases.sort(key=lambda case: (case.joint_request_id is None, case.joint_request_id or 0, case.country_id, case.pk))
    resubmitted = resubmissions([case.pk for case in cases])
    for case in cases:
        case.decided_here = decided_here.get(case.pk)
        case.left_batch = case.review_batch_id != batch.pk
        case.resubmission = resubmitted.get(case.pk)
    batch.record = cases
    return attach_precedents(batch, cases, user)
