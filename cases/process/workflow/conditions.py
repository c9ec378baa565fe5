"""What must hold for an action, each condition once, with the words a person reads when it does not.

A condition's `refusal(case, ctx)` returns why it does not hold (None when it does); the message names
what must come first. `q(today)`, where given, is the same test as a filter, for the set-based paths
(timers); tests hold the two equal. A condition on an input names its `field`: it is judged only when
the action is taken, never when a page lists what is possible, and its refusal is that field's (400).
"""
from dataclasses import dataclass
from typing import Callable

from django.db.models import Q
from django.utils import timezone

from ...models import BatchStatus, Outcome, RequestType
from ...review import concurrence
from ..deadlines import STALLING, first_passed_stall


@dataclass(frozen=True)
class Condition:
    label: str  # what holds, in a checklist
    refusal: Callable  # (case, ctx) -> message or None
    q: Callable | None = None  # today -> Q
    field: str = ""  # the input it judges
    in_checklist: bool = True

    @property
    def on_input(self):
        return bool(self.field)


def shown_day(value):
    """A date (or the local date of a moment) as messages write it: 2026-12-02."""
    if value is None:
        return "an unknown date"
    return (timezone.localdate(value) if hasattr(value, "hour") else value).isoformat()


def condition(label, **options):
    def declare(refusal):
        return Condition(label, refusal, **options)

    return declare


# What the request is: an action that does not exist for this kind of case is refused by these.


@condition("The request is for an LOA")
def loa_request(case, ctx):
    if case.lor.request_type == RequestType.PA:
        return ("A price-and-availability request is answered with P&A data, not an LOA; "
                "the purchaser may then ask for an LOA.")


@condition("The request is for price and availability")
def pa_request(case, ctx):
    if case.lor.request_type != RequestType.PA:
        return "Only a price-and-availability request gets a P&A answer."


@condition("Congressional notification is required")
def notification_required(case, ctx):
    if not case.notification.required:
        return "This case is below every congressional-notification threshold."


@condition("A TSFD review is required")
def tsfd_required(case, ctx):
    if not case.tsfd_required:
        return "No TSFD review is required for this case."


@condition("A participant of a lead-nation joint request")
def lead_nation_participant(case, ctx):
    joint = case.joint_request
    if joint is None or joint.model != "lead_nation" or joint.lead_nation_id == case.country_id:
        return "Only a participant of a lead-nation joint request gives a retransfer assurance."


@condition("The retransfer assurance is on file")
def assurance_on_file(case, ctx):
    joint = case.joint_request
    if joint is not None and joint.model == "lead_nation" and joint.lead_nation_id != case.country_id \
            and not hasattr(case, "assurance"):
        return ("The participant's retransfer assurance is not on file: NSPA records it before the LOA is "
                "accepted, as nothing is transferred to a nation without it.")


@condition("No assurance recorded yet")
def no_assurance_yet(case, ctx):
    if hasattr(case, "assurance"):
        return f"The retransfer assurance was recorded on {shown_day(case.assurance.recorded_at)}."


# The LOR.


@condition("The LOR is complete")
def lor_complete(case, ctx):
    if not case.lor.is_complete:
        return f"The LOR is not actionable yet: {'; '.join(case.lor.missing) or 'the checks have not run'}"


# Combined review.


@condition("Its batch has been taken for review")
def batch_taken(case, ctx):
    batch = ctx.batch or case.review_batch
    if batch is not None and batch.status == BatchStatus.OPEN:
        # No batch id: liaisons read this reason too, and the id counts everyone's batches.
        return "Nobody has taken its combined review batch yet: a reviewer starts it on the batch page first."


@condition("Every office asked has concurred")
def offices_concurred(case, ctx):
    batch = ctx.batch or case.review_batch
    waiting = concurrence.standing(batch).holding(case.pk) if batch is not None else []
    if waiting:
        return f"Approval waits on the concurrence of {'; '.join(waiting)}."


@condition("Decided with its batch", in_checklist=False)
def decided_with_batch(case, ctx):
    if case.review_batch_id and ctx.batch is None:
        return "Decide this case with the other cases of its batch, on the batch's page."
    if ctx.batch is not None and case.review_batch_id != ctx.batch.pk:
        return "This case is no longer in this batch: decide it in the batch it is in now."


# Technology release (TSFD): its approval comes before any pricing or offer.


@condition("TSFD approval not yet recorded")
def tsfd_not_yet_approved(case, ctx):
    if case.tsfd_approved_at:
        return f"TSFD approval was already recorded on {shown_day(case.tsfd_approved_at)}."


@condition("TSFD review approved, if one is required")
def tsfd_approved(case, ctx):
    if case.tsfd_pending:
        return "A TSFD review is pending: its approval must be recorded before any pricing or offer."


# LOA development.


@condition("IA approval not yet recorded")
def ia_not_yet_approved(case, ctx):
    if case.loa.ia_approved_on:
        return f"IA approval was already recorded on {shown_day(case.loa.ia_approved_on)}."


@condition("IA approval recorded (it sets the Offer Expiration Date)")
def ia_approved(case, ctx):
    if case.loa.ia_approved_on is None:
        return "Record the implementing agency's approval first: it sets the Offer Expiration Date."


def approved_on(case):
    """The day the case was approved: development can have no milestone before it."""
    decided = case.decisions.filter(outcome=Outcome.APPROVE).order_by("-decided_at").values_list("decided_at", flat=True)
    return timezone.localdate(decided.first())


def day_between(label, earliest, first_what):
    """A date input no later than today and no earlier than `earliest(case)`, the milestone it follows."""

    def refusal(case, ctx):
        day = ctx.inputs.get(label)
        if not day:
            return None
        if day > ctx.today:
            return f"{shown_day(day)} is in the future."
        if day < (first := earliest(case)):
            return f"{shown_day(day)} is before {first_what} ({shown_day(first)})."

    return refusal


ia_day_valid = Condition("The IA approval date is between the approval and today",
                         day_between("on", approved_on, "the case was approved"), field="on")
signed_after_offer = Condition("The signature is between the offer and today",
                               day_between("signed_on", lambda case: case.loa.offered_on, "the offer"),
                               field="signed_on")
assurance_day_valid = Condition("The assurance date is between the joint request and today",
                                day_between("given_on", lambda case: timezone.localdate(case.joint_request.created_at),
                                            "the joint request was filed"), field="given_on")
paid_after_offer = Condition("The initial deposit is between the offer and today",
                             day_between("initial_deposit_on", lambda case: case.loa.offered_on, "the offer"),
                             field="initial_deposit_on")


@condition("Offer Expiration Date not passed")
def oed_not_passed(case, ctx):
    oed = case.loa.offer_expires_on
    if oed and ctx.today > oed:
        return f"The Offer Expiration Date {shown_day(oed)} has passed: the offer can no longer be made or accepted."


@condition("Offer Expiration Date passed", q=lambda today: Q(loa__offer_expires_on__lt=today))
def oed_passed(case, ctx):
    oed = case.loa.offer_expires_on
    if oed is None or ctx.today <= oed:
        return f"The offer is open until {shown_day(oed)}."


# Congressional notification: informal (tiered) review, then formal notification and its review period.


@condition("Informal review not yet started")
def informal_not_started(case, ctx):
    started = case.notification.informal_review_started_on
    if started:
        return f"Informal review already started on {shown_day(started)}."


@condition("Informal (tiered) review over, or an emergency waiver on record")
def informal_review_over(case, ctx):
    notification = case.notification
    if notification.emergency_waiver:
        return None
    if notification.informal_review_started_on is None:
        return "Start the informal (tiered) review first: formal notification follows it."
    if ctx.today <= notification.informal_review_ends_on:
        return (f"The informal review runs until {shown_day(notification.informal_review_ends_on)}; "
                "formal notification follows it.")


@condition("No emergency waiver on record yet")
def not_waived(case, ctx):
    if case.notification.emergency_waiver:
        return "An emergency waiver is already on record."


@condition("Congressional review over, or waived")
def notification_allows_offer(case, ctx):
    notification = case.notification
    if not notification.required or notification.emergency_waiver or notification.cleared_on:
        return None
    if notification.formal_notified_on is None:
        return "Formal congressional notification must come first, after the informal review."
    if ctx.today <= notification.review_ends_on:
        return (f"The congressional review period runs until {shown_day(notification.review_ends_on)}; "
                "the LOA cannot be offered before it ends.")


@condition("Formal review period ended", q=lambda today: Q(notification__review_ends_on__lt=today))
def review_period_over(case, ctx):
    ends = case.notification.review_ends_on
    if ends is None or ctx.today <= ends:
        return f"Congressional review goes on until {shown_day(ends)}."


@condition("Clearance not yet recorded", q=lambda today: Q(notification__cleared_on__isnull=True))
def not_cleared(case, ctx):
    if case.notification.cleared_on:
        return f"The end of the review period was recorded on {shown_day(case.notification.cleared_on)}."


# The clock.


@condition("Not already marked stalled", q=lambda today: Q(stalled_since__isnull=True))
def not_stalled(case, ctx):
    if case.stalled_since:
        return f"Already marked stalled on {shown_day(case.stalled_since)}."


def any_deadline_passed(today):
    passed = Q(pk__in=[])
    for deadline in STALLING:
        passed |= deadline.passed_q(today)
    return passed


@condition("A due date has passed without a move", q=any_deadline_passed)
def deadline_passed(case, ctx):
    if first_passed_stall(case, ctx.today) is None:
        return "No due date of this stage has passed."

