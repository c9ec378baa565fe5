"""The stage machine: the table of legal moves and the one function that performs a move.

`move` locks the case row, checks that the move is legal from the case's current stage and that
its guards hold, runs the move's effect, writes the CaseEvent and saves, all in one transaction.
Nothing else changes `Case.stage`. Callers turn WorkflowError into a 409 or a form error; a
GuardFailed that names a `field` is the caller's input at fault (a 400).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from ..models import (
    Case,
    CaseEvent,
    CongressionalNotification,
    Decision,
    LetterOfOfferAndAcceptance,
    Outcome,
    Verb,
)
from . import bulk, rules
from .stages import Action, Stage


class WorkflowError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class IllegalMove(WorkflowError):
    """The action does not apply to a case in its current stage."""


class GuardFailed(WorkflowError):
    """The action applies to the stage, but a condition for it does not hold yet."""


@dataclass
class Context:
    actor: AbstractBaseUser | None
    at: datetime
    reason: str = ""
    payload: dict = field(default_factory=dict)

    @property
    def today(self):
        return timezone.localdate(self.at)


# Guards: raise GuardFailed, or return None.


def lor_complete(case, ctx):
    if not case.lor.is_complete:
        missing = "; ".join(case.lor.missing) or "the checks have not run"
        raise GuardFailed(f"The LOR is not actionable yet: {missing}")


def decided_by_a_person(case, ctx):
    if ctx.actor is None:
        raise GuardFailed("A decision must be made by a named reviewer.")


def reason_given(case, ctx):
    if not ctx.reason:
        raise GuardFailed("A reason is required to deny or return a case.", field="reason")


def tsfd_approved(case, ctx):
    if case.tsfd_pending:
        raise GuardFailed("The LOA cannot be offered while a TSFD review is pending.")


def notification_required(case, ctx):
    if not case.notification.required:
        raise GuardFailed("This case is below every congressional-notification threshold.")


def notification_allows_offer(case, ctx):
    """No offer before the formal review period ends, unless an emergency waiver is on record."""
    notification = case.notification
    if not notification.required or notification.emergency_waiver or notification.cleared_on:
        return
    if notification.formal_notified_on is None:
        raise GuardFailed("Formal congressional notification is required before the LOA is offered.")
    if ctx.today <= notification.review_ends_on:
        raise GuardFailed(
            f"The congressional review period runs until {notification.review_ends_on}; "
            "the LOA cannot be offered before it ends."
        )


def offer_not_expired(case, ctx):
    loa = case.loa
    if loa.offer_expires_on is None:
        raise GuardFailed("Record the implementing agency's approval (which sets the OED) before offering.")
    if ctx.today > loa.offer_expires_on:
        raise GuardFailed(f"The Offer Expiration Date {loa.offer_expires_on} has passed.")


def signed_and_paid_by_oed(case, ctx):
    loa = case.loa
    if loa.signed_on is None or loa.initial_deposit_on is None:
        raise GuardFailed("Acceptance needs both the purchaser's signature and the initial deposit.")
    for label, day in (("signature", loa.signed_on), ("initial deposit", loa.initial_deposit_on)):
        if day > loa.offer_expires_on:
            raise GuardFailed(f"The {label} on {day} is after the Offer Expiration Date {loa.offer_expires_on}.")


def past_oed(case, ctx):
    if ctx.today <= case.loa.offer_expires_on:
        raise GuardFailed(f"The offer is open until {case.loa.offer_expires_on}.")


# Effects: write what entering the new stage implies; return a payload for the audit event.


def record_decision(outcome):
    def effect(case, ctx):
        decision = Decision.objects.create(
            case=case, outcome=outcome, reason=ctx.reason, decided_by=ctx.actor, decided_at=ctx.at,
            batch_id=case.review_batch_id,
        )
        return {"decision": decision.pk}

    return effect


def return_for_information(case, ctx):
    """A returned case leaves its batch: once resubmitted it is actionable again and joins a new one."""
    payload = record_decision(Outcome.RETURN)(case, ctx)
    if case.review_batch_id:
        payload["left_batch"] = case.review_batch_id
        case.review_batch = None
    return payload


def prepare_loa_and_notification(case, ctx):
    """Approval starts LOA development: assess notification, then set the development group and AOD."""
    record_decision(Outcome.APPROVE)(case, ctx)
    assessment = rules.assess_notification(
        case.country,
        mde_value=case.mde_value_usd,
        total_value=case.total_value_usd,
        design_construction_value=case.design_construction_value_usd,
        on=ctx.today,
    )
    group = rules.development_group(
        has_mde=case.mde_value_usd > 0,
        has_design_construction=case.design_construction_value_usd > 0,
        notification_required=assessment.required,
    )
    aod = rules.anticipated_offer_date(group, ctx.today)
    # Approval is reachable only from review, which no later stage returns to: these are created once.
    LetterOfOfferAndAcceptance.objects.create(case=case, development_group=group, anticipated_offer_date=aod)
    CongressionalNotification.objects.create(
        case=case,
        required=assessment.required,
        tripped=assessment.tripped,
        tier=assessment.tier,
        rule=assessment.rule,
    )
    return {
        "development_group": group,
        "anticipated_offer_date": aod,
        "notification_required": assessment.required,
        "tripped": assessment.tripped,
        "rule": assessment.rule.pk,
    }


def start_formal_review(case, ctx):
    notification = case.notification
    notification.formal_notified_on = ctx.today
    notification.review_ends_on = ctx.today + timedelta(days=notification.rule.formal_review_days)
    notification.save(update_fields=["formal_notified_on", "review_ends_on"])
    return {"review_ends_on": notification.review_ends_on}


def stamp_loa(field_name):
    def effect(case, ctx):
        setattr(case.loa, field_name, ctx.today)
        case.loa.save(update_fields=[field_name])
        return {field_name: ctx.today}

    return effect


@dataclass(frozen=True)
class Move:
    action: Action
    sources: frozenset
    target: Stage
    guards: tuple[Callable, ...] = ()
    effect: Callable | None = None


BEFORE_ACCEPTANCE = frozenset(
    {
        Stage.LOR_RECEIVED,
        Stage.LOR_RETURNED,
        Stage.LOR_ACTIONABLE,
        Stage.IN_REVIEW,
        Stage.LOA_DEVELOPMENT,
        Stage.CN_REVIEW,
        Stage.LOA_OFFERED,
    }
)

MOVES = (
    Move(Action.MARK_ACTIONABLE, frozenset({Stage.LOR_RECEIVED}), Stage.LOR_ACTIONABLE, (lor_complete,)),
    Move(Action.RETURN, frozenset({Stage.LOR_RECEIVED, Stage.LOR_ACTIONABLE, Stage.IN_REVIEW}), Stage.LOR_RETURNED,
         (decided_by_a_person, reason_given), return_for_information),
    Move(Action.RESUBMIT, frozenset({Stage.LOR_RETURNED}), Stage.LOR_RECEIVED),
    Move(Action.START_REVIEW, frozenset({Stage.LOR_ACTIONABLE}), Stage.IN_REVIEW),
    Move(Action.APPROVE, frozenset({Stage.IN_REVIEW}), Stage.LOA_DEVELOPMENT, (decided_by_a_person,),
         prepare_loa_and_notification),
    Move(Action.DENY, frozenset({Stage.IN_REVIEW}), Stage.DENIED, (decided_by_a_person, reason_given),
         record_decision(Outcome.DENY)),
    Move(Action.SUBMIT_NOTIFICATION, frozenset({Stage.LOA_DEVELOPMENT}), Stage.CN_REVIEW, (notification_required,),
         start_formal_review),
    Move(Action.OFFER, frozenset({Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW}), Stage.LOA_OFFERED,
         (tsfd_approved, notification_allows_offer, offer_not_expired), stamp_loa("offered_on")),
    Move(Action.ACCEPT, frozenset({Stage.LOA_OFFERED}), Stage.LOA_ACCEPTED, (signed_and_paid_by_oed,)),
    Move(Action.EXPIRE, frozenset({Stage.LOA_OFFERED}), Stage.LOA_EXPIRED, (past_oed,)),
    Move(Action.IMPLEMENT, frozenset({Stage.LOA_ACCEPTED}), Stage.IMPLEMENTED, (), stamp_loa("implemented_on")),
    Move(Action.CLOSE, frozenset({Stage.IMPLEMENTED, Stage.DENIED, Stage.LOA_EXPIRED}), Stage.CLOSED),
    Move(Action.WITHDRAW, BEFORE_ACCEPTANCE, Stage.WITHDRAWN),
)

TRANSITIONS = {(source, move.action): move for move in MOVES for source in move.sources}


def allowed_actions(stage):
    """The actions legal from `stage` (guards not evaluated), for showing what a page may offer."""
    return [action for (source, action) in TRANSITIONS if source == stage]


def lock(case_or_id):
    """Re-read the case with its row locked; the caller must be inside transaction.atomic()."""
    case_id = getattr(case_or_id, "pk", case_or_id)
    return Case.objects.select_for_update().get(pk=case_id)


def move(case_or_id, action, *, actor=None, reason="", payload=None, at=None, locked=False):
    """Perform `action` on a case and return the case as saved.

    Raises IllegalMove when the action does not apply to the case's stage (re-checked after the
    lock, so two people acting at once cannot both succeed) and GuardFailed when a condition fails;
    either way nothing is written. `at` lets a backfill date a move; live
    callers leave it out. `locked=True` says the caller passes a Case it already locked (or created)
    in the current transaction, which saves re-reading it.
    """
    ctx = Context(actor=actor, at=at or timezone.now(), reason=(reason or "").strip(), payload=dict(payload or {}))
    with transaction.atomic():
        case = case_or_id if locked else lock(case_or_id)
        spec = TRANSITIONS.get((case.stage, Action(action)))
        if spec is None:
            raise IllegalMove(f"Cannot {Action(action).label.lower()} a case that is {case.get_stage_display()}.")
        for guard in spec.guards:
            guard(case, ctx)
        event_payload = dict(ctx.payload)
        if ctx.reason:
            event_payload["reason"] = ctx.reason
        if spec.effect:
            event_payload.update(spec.effect(case, ctx))
        from_stage = case.stage
        case.stage = spec.target
        case.stage_entered_at = case.updated_at = ctx.at
        case.stalled_since, case.stalled_reason = None, ""  # a move is what a stall was waiting for
        case.save(update_fields=["stage", "stage_entered_at", "updated_at", "stalled_since", "stalled_reason",
                                 "review_batch"])
        append_event(
            case=case, actor=actor, verb=Verb(spec.action.value), from_stage=from_stage, to_stage=case.stage,
            payload=event_payload, at=ctx.at,
        )
    return case


def move_many(pairs, action, *, at, payload_key, assign=None, actor=None):
    """Perform a guard-free, effect-free move on many cases in a fixed number of statements.

    For batching, where thousands of cases start review at once. `pairs` are (case id, value): each
    case's audit payload is {payload_key: value}, and with `assign` (the name of a nullable foreign
    key) the value is also stored there, only where it is still empty, in the same UPDATE. Cases no
    longer in the move's source stage, or already assigned, are skipped (the UPDATE re-checks each
    row under its lock); returns the ids moved.
    """
    spec = next(move for move in MOVES if move.action == action)
    if spec.guards or spec.effect or len(spec.sources) != 1:
        raise ValueError(f"{action} needs the one-case path: it has guards, an effect or several sources.")
    (source,) = spec.sources
    cases, events = Case._meta.db_table, CaseEvent._meta.db_table
    column = Case._meta.get_field(assign).column if assign else None
    table, table_params = bulk.pairs_table(pairs)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {cases} SET stage = %s, stage_entered_at = %s, updated_at = %s, stalled_since = NULL, "
            f"stalled_reason = ''{f', {column} = v.b' if column else ''} FROM {table} "
            f"WHERE {cases}.id = v.a AND stage = %s{f' AND {column} IS NULL' if column else ''} RETURNING id",
            [spec.target, at, at, *table_params, source],
        )
        moved = [row[0] for row in cursor.fetchall()]
        moved_ids = bulk.id_set(moved)
        cursor.execute(
            f"INSERT INTO {events} (case_id, actor_id, verb, from_stage, to_stage, payload, at) "
            f"SELECT v.a, %s, %s, %s, %s, {bulk.JSON_OBJECT}(%s, v.b), %s FROM {table} WHERE v.a IN ({moved_ids.sql})",
            [getattr(actor, "pk", None), action.value, source, spec.target, payload_key, at, *table_params,
             *moved_ids.params],
        )
    return moved


def record(case, verb, *, actor=None, payload=None, at=None):
    """Write an audit event that does not change the stage (a milestone on the way). Caller holds the lock."""
    return append_event(
        case=case, actor=actor, verb=verb, from_stage=case.stage, to_stage=case.stage,
        payload=payload or {}, at=at or timezone.now(),
    )


def append_event(**fields):
    """Insert one audit event. An INSERT is all an event ever gets, so the ORM's save() machinery
    (update-or-insert, signals) is skipped: the workflow writes thousands of these when seeding."""
    (event,) = CaseEvent.objects.bulk_create([CaseEvent(**fields)])
    collecting = _written.get()
    if collecting is not None:
        collecting.append(event)
    return event


_written = ContextVar("events_written", default=None)


@contextmanager
def events_written():
    """Collect the audit events appended one by one within the block, in order: a service that has
    just created a case can show its timeline without reading it back."""
    token = _written.set([])
    try:
        yield _written.get()
    finally:
        _written.reset(token)
