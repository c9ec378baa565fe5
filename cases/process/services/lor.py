"""What a purchaser does to an LOR after submitting it: supply what was missing, or correct and resubmit it."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...models import Case
from ...reads.search import refresh_vectors
from .. import workflow
from ..stages import Action
from ..workflow.inputs import RESUBMIT_REPLY
from .submission import after_check, line_items_from, lor_field_errors

AMENDABLE_FIELDS = {
    "request_type",
    "funding_source",
    "justification",
    "desired_delivery_date",
    "originator_reference",
    "third_party_involvement",
    "dcs_negotiation",
}
# A received LOR is corrected in place; a returned one is resubmitted with the corrections.
AMENDMENTS = (Action.SUPPLY_LOR, Action.RESUBMIT)


def amendment_for(case):
    """The amendment rule the case's stage allows (supply a received LOR, or resubmit a returned one), or
    None; the form a purchaser is shown follows its inputs."""
    return next((workflow.RULES[action] for action in AMENDMENTS if case.stage in workflow.RULES[action].stages),
                None)


def amend_lor(case, changes, *, actor, line_items=None, reply="", at=None):
    """Apply the purchaser's changes to the LOR, re-run the checks, and make it actionable if complete.

    `line_items`, when given, replace the LOR's line items (the case's totals follow them); `reply` is
    the purchaser's answer to the reviewer who returned the LOR, kept in the resubmission's record.
    Whichever amendment the case's stage allows is taken; in any other stage the rule book refuses.
    """
    at = at or timezone.now()
    workflow.refuse_person(workflow.RULES[AMENDMENTS[0]], actor)
    reply = (reply or "").strip()
    if not changes and line_items is None and not reply:
        raise ValidationError({"non_field_errors": ["Give at least one field to change."]})
    errors = {name: ["This field cannot be changed here."] for name in set(changes) - AMENDABLE_FIELDS}
    errors.update(lor_field_errors(changes, today=timezone.localdate(at)))
    items = None if line_items is None else line_items_from(line_items, errors)
    if len(reply) > RESUBMIT_REPLY.max_length:
        errors["reply"] = [RESUBMIT_REPLY.too_long]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = workflow.lock_case(case)
        rule = amendment_for(locked) or workflow.RULES[AMENDMENTS[0]]  # which refuses, naming the stage
        if reply and RESUBMIT_REPLY not in rule.inputs:
            raise ValidationError({"reply": ["A reply goes with the resubmission of a returned LOR."]})
        inputs = {"changes": changes, "line_items": items, "reply": reply}
        locked = workflow.perform(locked, rule.action, actor=actor, inputs=inputs, at=at, locked=True)
        if "justification" in changes or items is not None:  # the searched fields a purchaser may change
            refresh_vectors(Case.objects.filter(pk=locked.pk))
        return after_check(locked, locked.lor, locked.lor.is_complete, at=at)
