"""What a purchaser does to an LOR after submitting it: supply what was missing, resubmit, withdraw."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...models import FundingSource, RequestType, Verb
from .. import workflow
from ..stages import Action, Stage
from .submission import after_check, check_lor

AMENDABLE_FIELDS = {
    "request_type",
    "funding_source",
    "justification",
    "desired_delivery_date",
    "originator_reference",
    "third_party_involvement",
    "dcs_negotiation",
}


def amend_lor(case, changes, *, actor, at=None):
    """Apply the purchaser's changes to the LOR and re-run the checks.

    A received LOR that becomes complete moves to actionable; a returned one is resubmitted first
    (returned -> received) and then checked. Any other stage refuses the change (IllegalMove).
    """
    at = at or timezone.now()
    validate_changes(changes, today=timezone.localdate(at))
    with transaction.atomic():
        locked = workflow.lock(case)
        if locked.stage == Stage.LOR_RETURNED:
            locked = workflow.move(
                locked, Action.RESUBMIT, actor=actor, payload={"changed": sorted(changes)}, at=at, locked=True
            )
        elif locked.stage != Stage.LOR_RECEIVED:
            raise workflow.IllegalMove(f"The LOR cannot be changed once the case is {locked.get_stage_display()}.")
        else:
            workflow.record(locked, Verb.LOR_AMENDED, actor=actor, payload={"changed": sorted(changes)}, at=at)
        lor = locked.lor
        for name, value in changes.items():
            setattr(lor, name, value)
        complete = check_lor(lor, at=at)
        lor.save(update_fields=[*changes, "checks", "missing", "completed_at"])
        return after_check(locked, lor, complete, actor=actor, at=at)


def validate_changes(changes, *, today):
    errors = {}
    for name in set(changes) - AMENDABLE_FIELDS:
        errors[name] = ["This field cannot be changed here."]
    if changes.get("request_type") and changes["request_type"] not in RequestType.values:
        errors["request_type"] = [f"Choose one of {', '.join(RequestType.values)}."]
    if changes.get("funding_source") and changes["funding_source"] not in FundingSource.values:
        errors["funding_source"] = [f"Choose one of {', '.join(FundingSource.values)}."]
    if changes.get("desired_delivery_date") and changes["desired_delivery_date"] < today:
        errors["desired_delivery_date"] = ["The desired delivery date is in the past."]
    if errors:
        raise ValidationError(errors)


def withdraw_case(case, *, actor, reason="", at=None):
    """The purchaser withdraws its request; possible at any stage before acceptance."""
    return workflow.move(case, Action.WITHDRAW, actor=actor, reason=reason, at=at)
