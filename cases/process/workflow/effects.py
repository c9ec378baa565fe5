"""What an action writes besides the stage and the audit event. Each effect runs inside `perform`'s
transaction, after every condition held, with the case locked; it returns the audit payload."""
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby
from typing import Callable

from django.db.models import Case as Choose
from django.db.models import CharField, F, Value, When

from ...models import (
    Case,
    CongressionalNotification,
    Decision,
    LetterOfOfferAndAcceptance,
    LineItem,
    Outcome,
    RequestType,
    RetransferAssurance,
    Timer,
)
from .. import bulk, rules
from ..deadlines import STALLING, first_passed_stall
from ..lor_checks import check_lor
from ..totals import totals_of


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


def open_development(case, ctx):
    """Approval starts development: assess notification, set the development group and the date the
    answer is due (the AOD for an LOA, the P&A answer for a P&A request)."""
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
    due = rules.answer_due(group, case.lor.request_type, ctx.today)
    # Approval is reachable only from review, which no later stage returns to: these are created once.
    case.loa = LetterOfOfferAndAcceptance.objects.create(case=case, development_group=group, anticipated_offer_date=due)
    case.notification = CongressionalNotification.objects.create(
        case=case, required=assessment.required, tripped=assessment.tripped, tier=assessment.tier,
        rule=assessment.rule,
    )
    return {"development_group": group, "anticipated_offer_date": due,
            "notification_required": assessment.required, "tripped": assessment.tripped, "rule": assessment.rule.pk}


def start_formal_review(case, ctx):
    notification = case.notification
    notification.formal_notified_on = ctx.today
    notification.review_ends_on = ctx.today + timedelta(days=notification.rule.formal_review_days)
    notification.save(update_fields=["formal_notified_on", "review_ends_on"])
    return {"review_ends_on": notification.review_ends_on}


def start_informal_review(case, ctx):
    notification = case.notification
    notification.informal_review_started_on = ctx.today
    notification.informal_review_ends_on = ctx.today + timedelta(days=notification.rule.informal_review_days)
    notification.save(update_fields=["informal_review_started_on", "informal_review_ends_on"])
    return {"ends_on": notification.informal_review_ends_on}


def record_waiver(case, ctx):
    notification = case.notification
    notification.emergency_waiver = True
    notification.waiver_justification = ctx.inputs["justification"]
    notification.save(update_fields=["emergency_waiver", "waiver_justification"])
    return {"justification": notification.waiver_justification}


def clear_notification(case, ctx):
    notification = case.notification
    notification.cleared_on = ctx.today
    notification.save(update_fields=["cleared_on"])
    return {"review_ended_on": notification.review_ends_on}


def approve_tsfd(case, ctx):
    case.tsfd_approved_at = ctx.at
    case.save(update_fields=["tsfd_approved_at"])
    return {}


def record_ia_approval(case, ctx):
    loa = case.loa
    loa.ia_approved_on = ctx.inputs.get("on") or ctx.today
    loa.offer_expires_on = rules.due_date(Timer.OFFER_EXPIRATION, loa.ia_approved_on)
    loa.save(update_fields=["ia_approved_on", "offer_expires_on"])
    return {"ia_approved_on": loa.ia_approved_on, "oed": loa.offer_expires_on}


def correct_ia_approval(case, ctx):
    """A wrongly recorded IA approval day put right, before the offer: the OED follows it."""
    loa = case.loa
    was = {"ia_approved_on": loa.ia_approved_on, "oed": loa.offer_expires_on}
    payload = record_ia_approval(case, ctx)
    return {"was": was, **payload}


def stamp_loa(field_name):
    def effect(case, ctx):
        setattr(case.loa, field_name, ctx.today)
        case.loa.save(update_fields=[field_name])
        return {field_name: ctx.today}

    return effect


def record_acceptance(case, ctx):
    loa = case.loa
    loa.signed_on, loa.initial_deposit_on = ctx.inputs["signed_on"], ctx.inputs["initial_deposit_on"]
    loa.save(update_fields=["signed_on", "initial_deposit_on"])
    return {"signed_on": loa.signed_on, "initial_deposit_on": loa.initial_deposit_on}


def record_assurance(case, ctx):
    assurance = RetransferAssurance.objects.create(case=case, given_on=ctx.inputs["given_on"],
                                                   reference=ctx.inputs["reference"], recorded_by=ctx.actor,
                                                   recorded_at=ctx.at)
    return {"given_on": assurance.given_on, "reference": assurance.reference}


def request_loa(case, ctx):
    """The purchaser asks for an LOA on the same request: development goes on from today, with its AOD."""
    case.lor.request_type = RequestType.LOA
    case.lor.save(update_fields=["request_type"])
    loa = case.loa
    loa.anticipated_offer_date = rules.answer_due(loa.development_group, RequestType.LOA, ctx.today)
    loa.save(update_fields=["anticipated_offer_date"])
    return {"anticipated_offer_date": loa.anticipated_offer_date}


def amend_lor(case, ctx):
    """Apply the purchaser's changes (validated by the service) to the LOR, and its corrected line items
    when it sent them, then run the LOR's checks again. The payload keeps what changed, before and after,
    and the purchaser's reply to the reviewer."""
    lor, changes = case.lor, ctx.inputs["changes"]
    changed = {name: [getattr(lor, name), value] for name, value in sorted(changes.items())
               if getattr(lor, name) != value}  # before and after: the trail shows what the purchaser changed
    for name, value in changes.items():
        setattr(lor, name, value)
    check_lor(lor, at=ctx.at)
    lor.save(update_fields=[*changes, "checks", "missing", "completed_at"])
    if (items := ctx.inputs.get("line_items")) is not None:
        before = [item_line(item) for item in case.line_items.select_related("capability")]
        after = [item_line(item) for item in items]
        if before != after:
            replace_line_items(case, items)
            changed["line_items"] = [before, after]
    payload = {"changed": changed}
    if reply := ctx.inputs.get("reply"):
        payload["reply"] = reply
    return payload


def item_line(item):
    """A line item as the trail shows it: quantity, description, capability, unit cost and flags."""
    flags = "".join([", MDE" if item.is_mde else "", ", design and construction" if item.is_design_construction
                     else ""])
    return f"{item.quantity:,} × {item.description} ({item.capability.name}{flags}) at ${item.unit_cost_usd:,.2f}"


def replace_line_items(case, items):
    """The corrected line items in place of the old ones, and the case's totals derived from them again."""
    case.line_items.all().delete()
    for item in items:
        item.case = case
    LineItem.objects.bulk_create(items)
    totals = totals_of(items)
    case.primary_capability = totals.primary_capability
    case.total_value_usd, case.mde_value_usd = totals.total, totals.mde
    case.design_construction_value_usd = totals.design_construction
    case.save(update_fields=["primary_capability", "total_value_usd", "mde_value_usd",
                             "design_construction_value_usd"])


def record_missing(case, ctx):
    return {"missing": case.lor.missing}


def mark_stalled(case, ctx):
    deadline = first_passed_stall(case, ctx.today)
    case.stalled_since, case.stalled_reason = ctx.at, deadline.name
    case.save(update_fields=["stalled_since", "stalled_reason"])
    return {"reason": deadline.name}


@dataclass(frozen=True)
class Bulk:
    """An effect on many cases at once, for the clock: `columns(today)` are read with each case, then
    `apply(ids, rows, ctx)` writes what the one-case effect would and returns each row's audit payload."""

    columns: Callable
    apply: Callable


def clear_notifications(ids, rows, ctx):
    CongressionalNotification.objects.filter(case_id__in=bulk.id_set(ids)).update(cleared_on=ctx.today)
    return [{"review_ended_on": row["review_ended_on"]} for row in rows]


CLEAR_NOTIFICATIONS = Bulk(columns=lambda today: {"review_ended_on": F("notification__review_ends_on")},
                           apply=clear_notifications)


def stall_reason(today):
    """Which stalling deadline each case has passed (the first, as `first_passed_stall` says)."""
    return Choose(*(When(deadline.passed_q(today), then=Value(deadline.name)) for deadline in STALLING),
                  output_field=CharField())


def mark_many_stalled(ids, rows, ctx):
    by_reason = sorted(rows, key=lambda row: row["reason"])
    for reason, group in groupby(by_reason, key=lambda row: row["reason"]):
        Case.objects.filter(pk__in=bulk.id_set([row["pk"] for row in group])).update(
            stalled_since=ctx.at, stalled_reason=reason)
    return [{"reason": row["reason"]} for row in rows]


MARK_STALLED = Bulk(columns=lambda today: {"reason": stall_reason(today)}, apply=mark_many_stalled)
