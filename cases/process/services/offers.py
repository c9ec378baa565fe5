"""The LOA and congressional-notification steps after approval.

Milestones that do not change the stage (IA approval, informal review, waiver, TSFD approval,
clearance) lock the case, check it, update the LOA or notification and write their audit event
here; the stage changes go through cases.process.workflow.
"""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...models import Timer, Verb
from .. import rules, workflow
from ..stages import Action, Stage

DEVELOPMENT = frozenset({Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW})


def require_stage(case, stages, what):
    if case.stage not in stages:
        raise workflow.IllegalMove(f"Cannot {what} while the case is {case.get_stage_display()}.")


def record_ia_approval(case, *, actor, on=None, at=None):
    """The implementing agency approves the LOA; the Offer Expiration Date runs from this day."""
    at = at or timezone.now()
    on = on or timezone.localdate(at)
    with transaction.atomic():
        case = workflow.lock(case)
        require_stage(case, DEVELOPMENT, "record IA approval")
        loa = case.loa
        if loa.ia_approved_on is not None:
            raise workflow.GuardFailed(f"IA approval was already recorded on {loa.ia_approved_on}.")
        loa.ia_approved_on = on
        loa.offer_expires_on = rules.due_date(Timer.OFFER_EXPIRATION, on)
        loa.save(update_fields=["ia_approved_on", "offer_expires_on"])
        workflow.record(
            case, Verb.IA_APPROVED, actor=actor, payload={"ia_approved_on": on, "oed": loa.offer_expires_on}, at=at
        )
    return case


def start_informal_review(case, *, actor, at=None):
    """State's informal (tiered) consultation of the foreign-affairs committees, before formal notice."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic():
        case = workflow.lock(case)
        require_stage(case, {Stage.LOA_DEVELOPMENT}, "start informal review")
        notification = case.notification
        if not notification.required:
            raise workflow.GuardFailed("This case is below every congressional-notification threshold.")
        if notification.informal_review_started_on is not None:
            raise workflow.GuardFailed("Informal review has already started.")
        notification.informal_review_started_on = today
        notification.informal_review_ends_on = today + timedelta(days=notification.rule.informal_review_days)
        notification.save(update_fields=["informal_review_started_on", "informal_review_ends_on"])
        workflow.record(
            case, Verb.INFORMAL_REVIEW_STARTED, actor=actor,
            payload={"ends_on": notification.informal_review_ends_on}, at=at,
        )
    return case


def submit_notification(case, *, actor, at=None):
    """Formal notification to Congress; the review period (15 or 30 days by tier) starts today."""
    return workflow.move(case, Action.SUBMIT_NOTIFICATION, actor=actor, at=at)


def record_emergency_waiver(case, *, actor, justification, at=None):
    """A presidential emergency certification waives the review period; it needs a written justification."""
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": ["An emergency waiver needs a written justification."]})
    with transaction.atomic():
        case = workflow.lock(case)
        require_stage(case, DEVELOPMENT, "record an emergency waiver")
        notification = case.notification
        if not notification.required:
            raise workflow.GuardFailed("This case needs no congressional notification to waive.")
        notification.emergency_waiver = True
        notification.waiver_justification = justification
        notification.save(update_fields=["emergency_waiver", "waiver_justification"])
        workflow.record(case, Verb.EMERGENCY_WAIVER, actor=actor, payload={"justification": justification}, at=at)
    return case


def approve_tsfd(case, *, actor, at=None):
    """Record the technology-release (TSFD) approval that must precede any offer."""
    at = at or timezone.now()
    with transaction.atomic():
        case = workflow.lock(case)
        if not case.tsfd_pending:
            raise workflow.GuardFailed("No TSFD review is pending for this case.")
        case.tsfd_approved_at = at
        case.save(update_fields=["tsfd_approved_at"])
        workflow.record(case, Verb.TSFD_APPROVED, actor=actor, at=at)
    return case


def clear_notification(case, *, at=None):
    """The formal review period has ended without a joint resolution: record clearance (timer task)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic():
        case = workflow.lock(case)
        notification = case.notification
        if notification.cleared_on or notification.review_ends_on is None or today <= notification.review_ends_on:
            return case
        notification.cleared_on = today
        notification.save(update_fields=["cleared_on"])
        workflow.record(case, Verb.NOTIFICATION_CLEARED, payload={"review_ended_on": notification.review_ends_on}, at=at)
    return case


def offer_loa(case, *, actor, at=None):
    return workflow.move(case, Action.OFFER, actor=actor, at=at)


def record_acceptance(case, *, actor, signed_on, initial_deposit_on, at=None):
    """The purchaser signs and pays the initial deposit, both on or before the OED; otherwise nothing is kept."""
    with transaction.atomic():
        case = workflow.lock(case)
        require_stage(case, {Stage.LOA_OFFERED}, "record acceptance")
        loa = case.loa
        loa.signed_on = signed_on
        loa.initial_deposit_on = initial_deposit_on
        loa.save(update_fields=["signed_on", "initial_deposit_on"])
        return workflow.move(
            case, Action.ACCEPT, actor=actor,
            payload={"signed_on": signed_on, "initial_deposit_on": initial_deposit_on}, at=at, locked=True,
        )


def expire_offer(case, *, at=None):
    return workflow.move(case, Action.EXPIRE, at=at)


def implement_case(case, *, actor, at=None):
    return workflow.move(case, Action.IMPLEMENT, actor=actor, at=at)


def close_case(case, *, actor, at=None):
    return workflow.move(case, Action.CLOSE, actor=actor, at=at)
